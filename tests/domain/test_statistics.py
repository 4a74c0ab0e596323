"""The statistics rules (issue 8): percentiles, rates, shares, local months and hours, postcodes,
the period, and the tables the reports are built into."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hvo_tui.domain.errors import DomainError
from hvo_tui.domain.statistics import (
    OUTSIDE,
    UNKNOWN,
    LateCounts,
    LeadTime,
    MunicipalityCounts,
    PostcodeMap,
    ReportFilter,
    cross_table,
    display_value,
    hour_bins,
    hours_table,
    interpolate,
    last_months,
    late_table,
    lead_times_table,
    local_key,
    median,
    month_counts,
    month_label,
    monthly_table,
    months_between,
    municipality_table,
    p90,
    parse_date,
    per_10k,
    percentile,
    percentile_ranks,
    share,
    shares_table,
)

UTC = UTC


# --- numbers ------------------------------------------------------------------------------------


def test_median_and_p90_interpolate_between_ranks():
    assert median([4, 1, 3, 2]) == 2.5
    assert p90([1, 2, 3, 4]) == pytest.approx(3.7)
    assert median([7]) == 7.0 and p90([7]) == 7.0
    assert median([]) is None and p90([]) is None
    assert p90(range(1, 11)) == pytest.approx(9.1)  # numpy.percentile(1..10, 90)


@given(
    st.lists(st.floats(min_value=0, max_value=1e7, allow_nan=False), min_size=1, max_size=60),
    st.sampled_from([0.0, 0.1, 0.5, 0.9, 1.0]),
)
def test_percentile_lies_within_the_data_and_matches_the_rank_form(values, q):
    got = percentile(values, q)
    assert min(values) <= got <= max(values) or got == pytest.approx(min(values))
    data = sorted(values)
    lo, hi, frac = percentile_ranks(len(data), q)
    assert got == pytest.approx(interpolate(len(data), q, {lo: data[lo], hi: data[hi]}))


@given(st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=40))
def test_median_is_not_above_p90(values):
    assert median(values) <= p90(values)


def test_percentile_ranks_are_exact_for_whole_positions():
    # (n - 1) x 0.9 is a whole number for n = 11, 21, 31...: no interpolation, no off-by-one.
    for n in (11, 21, 31, 101, 1001):
        lo, _, frac = percentile_ranks(n, 0.9)
        assert lo == (n - 1) * 9 // 10 and frac == 0


def test_rates_and_shares():
    assert per_10k(6, 59_076) == 1.02
    assert per_10k(3, 60_000) == 0.5
    assert per_10k(1, 0) is None
    assert share(1, 3) == 33.3
    assert share(2, 3) == 66.7
    assert share(0, 5) == 0.0
    assert share(0, 0) is None


def test_display_values_are_dutch():
    assert display_value(None) == "–"
    assert display_value(242_573) == "242.573"
    assert display_value(7.632, 2) == "7,63"
    assert display_value(1234.5) == "1.234,5"
    assert display_value(4.0, 2) == "4,00"
    assert display_value("Weert") == "Weert"


# --- local time ---------------------------------------------------------------------------------


def test_local_key_follows_summer_time_and_local_months():
    assert local_key(datetime(2026, 3, 29, 0, 59, tzinfo=UTC)) == "2026-03 01"
    assert local_key(datetime(2026, 3, 29, 1, 0, tzinfo=UTC)) == "2026-03 03"  # 02:00 skipped
    assert local_key(datetime(2026, 10, 25, 0, 30, tzinfo=UTC)) == "2026-10 02"
    assert local_key(datetime(2026, 10, 25, 1, 30, tzinfo=UTC)) == "2026-10 02"  # 02:00 twice
    assert local_key(datetime(2026, 5, 31, 22, 30, tzinfo=UTC)) == "2026-06 00"  # June locally
    assert local_key(datetime(2025, 12, 31, 23, 10, tzinfo=UTC)) == "2026-01 00"


def test_hour_bins_and_month_counts():
    groups = [("2026-01 00", 2), ("2026-01 21", 1), ("2026-02 21", 3), ("2026-02 23", 1)]
    bins = hour_bins(groups)
    assert len(bins) == 24 and bins[0] == 2 and bins[21] == 4 and bins[23] == 1 and sum(bins) == 7
    assert month_counts(groups) == {"2026-01": 3, "2026-02": 4}


def test_months_between_and_labels():
    assert months_between("2025-11", "2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert months_between("2026-03", "2026-03") == ["2026-03"]
    assert month_label("2026-03") == "mrt 2026"


# --- the period ---------------------------------------------------------------------------------


def test_period_bounds_are_local_days_inclusive():
    lo, hi = ReportFilter(date(2026, 3, 29), date(2026, 3, 29)).bounds()
    assert lo == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)  # midnight, winter time
    assert hi == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)  # next midnight, summer time
    assert ReportFilter().bounds() == (None, None)


def test_period_end_before_start_is_refused_in_dutch():
    with pytest.raises(DomainError, match="ligt vóór de begindatum"):
        ReportFilter(date(2026, 5, 1), date(2026, 4, 1))


def test_describe_the_filter():
    flt = ReportFilter(date(2026, 1, 1), date(2026, 6, 30), region="Midden-Limburg")
    assert flt.describe() == "01-01-2026 t/m 30-06-2026 · regio Midden-Limburg"
    assert ReportFilter().describe() == "alle perioden"
    assert flt.as_dict() == {
        "van": "2026-01-01",
        "tot_en_met": "2026-06-30",
        "regio": "Midden-Limburg",
        "gemeente": None,
    }


def test_last_months_starts_on_the_first_of_the_month():
    assert last_months(date(2026, 11, 23), 12) == ReportFilter(
        date(2025, 12, 1), date(2026, 11, 23)
    )
    assert last_months(date(2026, 1, 5), 1) == ReportFilter(date(2026, 1, 1), date(2026, 1, 5))


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2026-03-31", date(2026, 3, 31)),
        ("31-03-2026", date(2026, 3, 31)),
        (" 2026-3-1 ", date(2026, 3, 1)),
    ],
)
def test_parse_date(text, day):
    assert parse_date(text) == day


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2026-02-30", "die dag bestaat niet"),
        ("31/03/2026", "gebruik JJJJ-MM-DD"),
        ("gisteren", "gebruik JJJJ-MM-DD"),
        ("", "gebruik JJJJ-MM-DD"),
    ],
)
def test_parse_date_refuses_in_dutch(text, reason):
    with pytest.raises(DomainError, match=reason):
        parse_date(text, "begindatum")


# --- postcodes ----------------------------------------------------------------------------------


def test_postcode_map():
    pm = PostcodeMap.from_specs(
        {
            "Venlo": "5911-5916;5921-5928",
            "Roermond": "6041-6046",
            "Horst aan de Maas": "5961",
            "Zonder": None,
        }
    )
    assert pm.municipality("6041 EL") == "Roermond"
    assert pm.municipality("5925AB") == "Venlo"
    assert pm.municipality("5961 XX") == "Horst aan de Maas"
    assert pm.municipality("5917 AA") == OUTSIDE
    assert pm.municipality(None) == UNKNOWN
    assert pm.municipality("AB12") == UNKNOWN


# --- tables -------------------------------------------------------------------------------------

FLT = ReportFilter(date(2026, 1, 1), date(2026, 3, 31))


def test_monthly_table_shows_empty_months_and_a_total():
    t = monthly_table(FLT, [("2026-01 10", 2), ("2026-03 22", 1)], [("2026-03 23", 1)])
    assert t.rows == (("2026-01", 2, 0), ("2026-02", 0, 0), ("2026-03", 1, 1), ("Totaal", 3, 1))
    assert t.labels == ("jan 2026", "feb 2026", "mrt 2026")
    assert t.series["screenings"] == (2.0, 0.0, 1.0)


def test_monthly_table_without_a_period_spans_the_data():
    t = monthly_table(ReportFilter(), [("2025-12 10", 1), ("2026-02 10", 1)], [])
    assert [r[0] for r in t.rows] == ["2025-12", "2026-01", "2026-02", "Totaal"]
    assert monthly_table(ReportFilter(), [], []).rows == ()


GROUPS = [
    MunicipalityCounts(
        "Weert",
        "Midden-Limburg",
        50_000,
        screenings=10,
        screenings_with_ban=7,
        bans=8,
        extended=3,
        withdrawn=1,
    ),
    MunicipalityCounts(
        "Roermond",
        "Midden-Limburg",
        60_000,
        screenings=12,
        screenings_with_ban=9,
        bans=9,
        extended=4,
        withdrawn=0,
    ),
    MunicipalityCounts("Leiden", "Hollands Midden", 120_000),
]


def test_municipality_table_rates_and_total():
    t = municipality_table(FLT, GROUPS)
    assert t.rows == (
        ("Leiden", "Hollands Midden", 120_000, 0, 0.0, 0, 0.0),
        ("Roermond", "Midden-Limburg", 60_000, 12, 2.0, 9, 1.5),
        ("Weert", "Midden-Limburg", 50_000, 10, 2.0, 8, 1.6),
        ("Totaal", "", 230_000, 22, 0.96, 17, 0.74),
    )


def test_shares_table():
    t = shares_table(FLT, GROUPS)
    rows = {r[0]: r for r in t.rows}
    assert rows["Weert"][1:] == (10, 7, 70.0, 8, 3, 37.5, 1, 12.5)
    assert rows["Leiden"][1:] == (0, 0, None, 0, 0, None, 0, None)  # no base, no share
    assert rows["Totaal"][1:] == (22, 16, 72.7, 17, 7, 41.2, 1, 5.9)
    assert t.series["%"] == (72.7, 41.2, 5.9)


def test_hours_table_has_24_bins_and_a_total():
    t = hours_table(FLT, [("2026-01 21", 3), ("2026-02 03", 1)])
    assert len(t.rows) == 25
    assert t.rows[21] == ("21:00-21:59", 3, 75.0)
    assert t.rows[-1] == ("Totaal", 4, 100.0)


def test_lead_times_table_in_hours_in_process_order():
    t = lead_times_table(
        FLT,
        LeadTime.of([7200.0, 10800.0]),
        {"zorgadvies": LeadTime.of([86400.0]), "rihg": LeadTime.of([1800.0, 3600.0, 5400.0])},
    )
    assert t.rows == (
        ("opleggen → besluit verlenging", 2, 2.5, 2.9),
        ("opvragen → ontvangst RiHG", 3, 1.0, 1.4),
        ("opvragen → ontvangst zorgadvies", 1, 24.0, 24.0),
    )
    empty = lead_times_table(FLT, LeadTime(), {})
    assert empty.rows == (("opleggen → besluit verlenging", 0, None, None),)


def test_cross_table():
    pm = PostcodeMap.from_specs({"Roermond": "6041-6046", "Weert": "6001-6006"})
    t = cross_table(
        FLT,
        [
            ("Roermond", "6041", 3),
            ("Roermond", "6002", 1),
            ("Weert", None, 2),
            ("Weert", "1234", 1),
        ],
        pm,
    )
    assert [c.key for c in t.columns] == ["woongemeente", "Roermond", "Weert", "totaal"]
    assert t.rows == (
        ("Roermond", 3, 0, 3),
        ("Weert", 1, 0, 1),
        (OUTSIDE, 0, 1, 1),
        (UNKNOWN, 0, 2, 2),
        ("Totaal", 4, 3, 7),
    )
    assert "42,9% in de eigen woongemeente" in t.note  # 3 of 7


def test_late_table_merges_and_orders_by_late():
    t = late_table(
        FLT,
        [
            LateCounts("Politie Roermond", "politie", "Roermond", due=4, late_received=1),
            LateCounts("Politie Roermond", "hovj", "Weert", due=2, late_open=1),
            LateCounts(None, "gemeente", "Weert", due=3, late_received=3),
            LateCounts(None, "casemanager", "Weert", due=1),
            LateCounts(None, None, None, due=2),
        ],
    )
    assert t.rows == (
        ("Gemeente Weert", 3, 3, 3, 0, 100.0),
        ("Politie Roermond", 6, 2, 1, 1, 33.3),
        ("onbekend", 2, 0, 0, 0, 0.0),
        ("onbekend (casemanager)", 1, 0, 0, 0, 0.0),
        ("Totaal", 12, 5, 4, 1, 41.7),
    )
