"""The report queries against a real SQLite file and a real PostgreSQL schema, with the hand-counted
rows of tests/report_data.py."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, insert, select

from hvo_tui.domain.localtime import FrozenClock
from hvo_tui.domain.permissions import scope_for
from hvo_tui.domain.statistics import REPORTS, ReportFilter, local_key
from store.reports import UnknownReport, local_hour_key
from store.sql import SqlStore
from store.types import UTCDateTime
from tests.conftest import FROZEN_NOW
from tests.report_data import PERIOD, seed_reports


@pytest.fixture
def store(engine):
    with engine.begin() as conn:
        seed_reports(conn)
    s = SqlStore(engine)
    s.clock = FrozenClock(FROZEN_NOW)
    return s


def rows_by_first(table) -> dict:
    return {row[0]: row for row in table.rows}


def test_screenings_and_bans_per_municipality_absolute_and_per_10000(store):
    t = store.report("per-gemeente", PERIOD)
    assert [c.key for c in t.columns] == [
        "gemeente",
        "regio",
        "inwoners",
        "screenings",
        "screenings_per_10000",
        "huisverboden",
        "huisverboden_per_10000",
    ]
    rows = rows_by_first(t)
    # HV-7 was screened in 2025: a ban in the period, not a screening.
    assert rows["Roermond"] == ("Roermond", "Midden-Limburg", 60_000, 3, 0.5, 3, 0.5)
    assert rows["Weert"] == ("Weert", "Midden-Limburg", 50_000, 2, 0.4, 2, 0.4)
    assert rows["Leiden"] == ("Leiden", "Hollands Midden", 120_000, 1, 0.08, 1, 0.08)
    assert rows["Totaal"][2:] == (230_000, 6, 0.26, 6, 0.26)
    assert list(rows) == ["Leiden", "Roermond", "Weert", "Totaal"]  # region, then name


def test_region_and_municipality_filters(store):
    region = store.report(
        "per-gemeente", ReportFilter(PERIOD.start, PERIOD.end, region="Midden-Limburg")
    )
    assert [r[0] for r in region.rows] == ["Roermond", "Weert", "Totaal"]
    assert region.rows[-1][3] == 5 and region.rows[-1][5] == 5
    weert = store.report("aandelen", ReportFilter(PERIOD.start, PERIOD.end, municipality="Weert"))
    assert [r[0] for r in weert.rows] == ["Weert", "Totaal"]


def test_shares_of_bans_extended_and_withdrawn(store):
    rows = rows_by_first(store.report("aandelen", PERIOD))
    # screenings, with ban, %, bans, extended, %, withdrawn, %
    assert rows["Roermond"][1:] == (3, 2, 66.7, 3, 1, 33.3, 1, 33.3)
    # HV-4 counts as withdrawn by its signed beschikking intrekken, though it is closed.
    assert rows["Weert"][1:] == (2, 2, 100.0, 2, 1, 50.0, 1, 50.0)
    assert rows["Leiden"][1:] == (1, 1, 100.0, 1, 0, 0.0, 0, 0.0)
    assert rows["Totaal"][1:] == (6, 5, 83.3, 6, 2, 33.3, 2, 33.3)


def test_per_month_in_local_time_with_empty_months(store):
    t = store.report("per-maand", PERIOD)
    assert t.rows == (
        ("2026-01", 0, 1),  # HV-7: T0 on 1 January 00:10 local (still 2025 in UTC)
        ("2026-02", 1, 1),
        ("2026-03", 1, 1),
        ("2026-04", 3, 2),
        ("2026-05", 1, 0),  # HV-5 opened 31 May 22:30 ...
        ("2026-06", 0, 1),  # ... and banned 1 June 00:30 local (31 May in UTC)
        ("Totaal", 6, 6),
    )


def test_time_of_day_in_24_local_bins(store):
    t = store.report("tijdstip", PERIOD)
    counts = {row[0]: row[1] for row in t.rows}
    assert len(t.rows) == 25
    assert counts["00:00-00:59"] == 2 and counts["03:00-03:59"] == 1
    assert counts["14:00-14:59"] == 1 and counts["21:00-21:59"] == 2
    assert counts["Totaal"] == 6
    assert sum(row[1] for row in t.rows[:24]) == 6


def test_lead_times_median_and_p90(store):
    rows = rows_by_first(store.report("doorlooptijden", PERIOD))
    # Extension decisions after 192 and 216 hours.
    assert rows["opleggen → besluit verlenging"][1:] == (2, 204.0, 213.6)
    # RiHG received after 90, 30 and 60 minutes: median 60, p90 60 + 0.8 x 30 = 84 minutes.
    assert rows["opvragen → ontvangst RiHG"][1:] == (3, 1.0, 1.4)
    assert rows["opvragen → ontvangst beleidsadvies"][1:] == (1, 168.0, 168.0)
    assert "opvragen → ontvangst zorgadvies" not in rows  # never received


def test_cross_table_residence_against_imposition(store):
    t = store.report("kruistabel", PERIOD)
    assert [c.key for c in t.columns] == ["woongemeente", "Leiden", "Roermond", "Weert", "totaal"]
    assert t.rows == (
        ("Leiden", 1, 0, 1, 2),
        ("Roermond", 0, 2, 0, 2),
        ("Weert", 0, 1, 0, 1),
        ("onbekend", 0, 0, 1, 1),  # HV-5 has no banned person on file
        ("Totaal", 1, 3, 2, 6),
    )


def test_documents_late_per_partner_organisation(store):
    t = store.report("te-laat", PERIOD)
    assert [c.key for c in t.columns] == [
        "organisatie",
        "opgevraagd",
        "te_laat",
        "te_laat_ontvangen",
        "te_laat_open",
        "pct_te_laat",
    ]
    assert t.rows == (
        ("AMW Midden-Limburg", 1, 1, 0, 1, 100.0),  # the zorgadvies never came
        ("Gemeente Roermond", 1, 1, 1, 0, 100.0),  # no account: the case's municipality
        ("Politie Roermond", 2, 1, 1, 0, 50.0),
        ("Politie Weert", 1, 0, 0, 0, 0.0),
        ("Totaal", 5, 3, 2, 1, 60.0),
    )


def test_an_open_period_covers_everything(store):
    t = store.report("per-gemeente", ReportFilter())
    assert t.rows[-1][3] == 7 and t.rows[-1][5] == 6


def test_a_region_scope_limits_the_cases_and_the_areas(store):
    store.scope = scope_for(["procesmanager"], ["Midden-Limburg"], None)
    assert store.report_areas() == {"Midden-Limburg": ["Roermond", "Weert"]}
    t = store.report("per-gemeente", PERIOD)
    assert [r[0] for r in t.rows] == ["Roermond", "Weert", "Totaal"]
    assert store.report("kruistabel", PERIOD).rows[-1] == ("Totaal", 3, 2, 5)


def test_all_reports_at_once_and_an_unknown_name(store):
    tables = store.reports(list(REPORTS), PERIOD)
    assert list(tables) == list(REPORTS)
    with pytest.raises(UnknownReport) as exc:
        store.report("omzet", PERIOD)
    assert "kies uit: per-maand" in str(exc.value)


def test_report_areas(store):
    assert store.report_areas() == {
        "Hollands Midden": ["Leiden"],
        "Midden-Limburg": ["Roermond", "Weert"],
    }


def test_local_hour_key_in_sql_matches_zoneinfo_every_hour(engine):
    """SQLite knows no time zones: the EU summer-time rule written out in SQL must agree with
    zoneinfo for every hour, across the DST changes of several years (and PostgreSQL's too)."""
    probe = Table(
        "stat_probe", MetaData(), Column("id", Integer, primary_key=True), Column("at", UTCDateTime)
    )
    probe.create(engine)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    moments = [start + timedelta(minutes=30 + 60 * i) for i in range(3 * 366 * 24)]
    with engine.begin() as conn:
        conn.execute(insert(probe), [{"id": i, "at": m} for i, m in enumerate(moments)])
        got = dict(conn.execute(select(probe.c.id, local_hour_key(conn, probe.c.at))).all())
    wrong = [
        (moments[i], got[i], local_key(moments[i]))
        for i in range(len(moments))
        if got[i] != local_key(moments[i])
    ]
    assert not wrong, wrong[:5]
    # The hours around a change, spelled out: 29 March 2026 01:00 UTC is 03:00 summer time.
    ams = ZoneInfo("Europe/Amsterdam")
    assert local_key(datetime(2026, 3, 29, 0, 59, tzinfo=UTC)) == "2026-03 01"
    assert local_key(datetime(2026, 3, 29, 1, 0, tzinfo=UTC)) == "2026-03 03"
    assert local_key(datetime(2026, 10, 25, 0, 30, tzinfo=UTC)) == "2026-10 02"
    assert local_key(datetime(2026, 10, 25, 1, 30, tzinfo=UTC)) == "2026-10 02"
    assert local_key(datetime(2026, 1, 1, 0, 10, tzinfo=ams)) == "2026-01 00"


def test_report_on_the_demo_data_is_sensible(tmp_path):
    """The demo's shares (7 in 10 screenings a ban, 4 in 10 bans extended) come back (SQLite
    only: the demo takes a while to build, and the queries are proven on both above)."""
    from store.db import open_database
    from store.demo import build_demo

    engine = open_database(f"sqlite:///{tmp_path / 'demo.db'}", auto_upgrade=True)
    build_demo(engine, now=FROZEN_NOW)
    s = SqlStore(engine)
    total = s.report("aandelen", ReportFilter(date(2024, 1, 1), date(2026, 10, 31))).rows[-1]
    screenings, with_ban, pct_ban, bans, extended, pct_ext, withdrawn, pct_wd = total[1:]
    assert screenings > 2000
    assert 65 <= pct_ban <= 78
    assert 33 <= pct_ext <= 47
    assert 5 <= pct_wd <= 14
    engine.dispose()


def _gemeente_account(engine, role: str) -> tuple[int, str]:
    """A bestuurder or beleidsmedewerker of Gemeente Roermond (its organisation's municipality)."""
    from tests.factories import account_id

    username = f"{role}.roermond"
    with engine.begin() as conn:
        acc = account_id(
            conn,
            username,
            f"{role.title()} Roermond",
            role=role,
            organisation="Gemeente Roermond (test)",
            region="Midden-Limburg",
            municipality="Roermond",
        )
    return acc, username


@pytest.mark.parametrize("role", ["bestuurder", "beleidsmedewerker"])
def test_a_municipal_account_filters_on_its_own_municipality(engine, store, role):
    """Issue 18 row 13: a bestuurder or gemeente account got no areas at all ({}), so it could not
    filter its own figures; it gets its own municipality, and its reports hold only that."""
    from store.interface import Actor

    acc, username = _gemeente_account(engine, role)
    store.act_as(Actor(name=username, roles=frozenset({role}), account_id=acc, username=username))
    assert store.report_areas() == {"Midden-Limburg": ["Roermond"]}
    t = store.report("per-gemeente", PERIOD)
    assert [r[0] for r in t.rows] == ["Roermond", "Totaal"]


def test_a_municipal_account_gets_its_municipality_over_the_api(engine, store, api_server):
    import httpx

    _, username = _gemeente_account(engine, "bestuurder")
    server = api_server(engine)
    answer = httpx.get(
        f"{server.url}/api/v1/report-areas",
        headers={"Authorization": f"Bearer {server.token_for(username)}"},
    )
    assert answer.status_code == 200 and answer.json() == {"Midden-Limburg": ["Roermond"]}
