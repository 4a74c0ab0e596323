"""Billing from use: a hand-computed invoice, the month and period boundaries (local time, DST),
and the tariff table's refusals."""

from __future__ import annotations

from datetime import date
from importlib.resources import files

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hvo_tui.domain.billing import (
    AccountUse,
    ActionUse,
    BillingError,
    MunicipalityInfo,
    OrganisationUse,
    RegionUsage,
    Tariff,
    cases_label,
    compute_invoice,
    parse_period,
    parse_tariff,
)

TZ = "Europe/Amsterdam"
Q3 = parse_period("2026-Q3")
TARIFF = Tariff(
    connection=7500,
    organisation_month=2000,
    account_month=750,
    per_action={
        "rihg": 200,
        "beschikking": 400,
        "proces_verbaal": 200,
        "zorgadvies": 200,
        "beleidsadvies": 200,
        "intrekking": 400,
        "verlenging": 400,
        "herstel": 400,
    },
    name="test",
)


def at(*args) -> pendulum.DateTime:
    return pendulum.datetime(*args, tz=TZ)


def acc(username, created, deactivated=None, *, bestuurlijk=False, active=True):
    return AccountUse(username, username.title(), created, deactivated, bestuurlijk, active)


def usage() -> RegionUsage:
    munis = (
        MunicipalityInfo(1, "Aa", 30000, 2024),
        MunicipalityInfo(2, "Bee", 10000, 2024),
        MunicipalityInfo(3, "Cee", 20000, 2024),
    )
    orgs = (
        OrganisationUse(
            10,
            "Gemeente Aa",
            "gemeente",
            1,
            (
                acc("a.one", at(2025, 1, 1)),
                acc("a.new", at(2026, 8, 15, 10)),
                acc("a.gone", at(2024, 5, 1), at(2026, 7, 10, 12)),
                acc("burgemeester.aa", at(2024, 1, 1), bestuurlijk=True),
            ),
        ),
        OrganisationUse(
            11,
            "Gemeente Bee",
            "gemeente",
            2,
            (acc("burgemeester.bee", at(2026, 8, 1), bestuurlijk=True),),
        ),
        OrganisationUse(20, "Politie X", "politie", None, (acc("p.one", at(2020, 1, 1)),)),
        OrganisationUse(
            21, "ZVH", "veiligheidshuis", None, (acc("v.new", at(2026, 9, 30, 23, 59)),)
        ),
        OrganisationUse(22, "Veilig Thuis", "veilig_thuis", None, (acc("vt.one", at(2020, 1, 1)),)),
    )
    actions = (
        ActionUse(1, "rihg", "HV-2026-00001"),
        ActionUse(1, "rihg", "HV-2026-00002"),
        ActionUse(1, "herstel", "HV-2026-00001", 2),
        ActionUse(3, "beschikking", "HV-2026-00003"),
    )
    return RegionUsage("Testregio", munis, orgs, actions)


def lines(statement) -> dict[str, tuple]:
    return {x.item: (x.count, x.unit, x.amount) for x in statement.lines}


def test_hand_computed_invoice():
    inv = compute_invoice(usage(), Q3, TARIFF)
    aa, bee, cee = inv.statements
    # Gemeente Aa: a.new is new (75.00); org months jul-sep (3 x 20.00); account months a.one 3,
    # a.new 2 (aug, sep), a.gone 1 (jul): 6 x 7.50; RiHG 2 x 2.00; herstel 2 x 4.00 (one case
    # twice); share of the pot 30000/60000 x 185.00 = 92.50.
    assert lines(aa) == {
        "Aansluiting nieuwe accounts": (1, 7500, 7500),
        "Maandprijs organisatie": (3, 2000, 6000),
        "Maandprijs accounts": (6, 750, 4500),
        "Bestuurlijke accounts": (1, 0, 0),
        "RiHG": (2, 200, 400),
        "Herstelbeschikking": (2, 400, 800),
        "Aandeel partneraccounts": (None, None, 9250),
    }
    # The pot: Politie X 3 x 20.00 + 3 x 7.50 = 82.50; ZVH v.new 75.00 + 1 x 20.00 + 1 x 7.50
    # = 102.50; together 185.00. Split 3:1:2 in cents: 9250, 3083.33, 6166.67 -> the cent left
    # goes to the largest remainder (Cee).
    assert inv.shared_total == 18500
    assert lines(bee) == {
        "Bestuurlijke accounts": (1, 0, 0),
        "Aandeel partneraccounts": (None, None, 3083),
    }
    assert lines(cee) == {
        "Beschikking opleggen": (1, 400, 400),
        "Aandeel partneraccounts": (None, None, 6167),
    }
    assert [s.total for s in inv.statements] == [28450, 3083, 6567]
    assert inv.total == 38100 == sum(s.own for s in inv.statements) + inv.shared_total
    assert inv.population == 60000


def test_every_line_explains_itself():
    inv = compute_invoice(usage(), Q3, TARIFF)
    aa = {x.item: x for x in inv.statements[0].lines}
    assert (
        aa["Aansluiting nieuwe accounts"].explanation
        == "Gemeente Aa: a.new (aangemaakt 15-08-2026)"
    )
    assert (
        "3 maanden met een actief account (jul, aug, sep 2026)"
        in aa["Maandprijs organisatie"].explanation
    )
    assert aa["Maandprijs accounts"].explanation == (
        "Gemeente Aa: 3 accounts, samen 6 accountmaanden: a.gone 1 (gedeactiveerd 10-07-2026), "
        "a.new 2 (vanaf 15-08-2026), a.one 3"
    )
    assert "burgemeester.aa" in aa["Bestuurlijke accounts"].explanation
    assert aa["RiHG"].explanation.startswith(
        "2 x RiHG ontvangen van 01-07-2026 t/m 30-09-2026, in 2 zaken van Aa"
    )
    assert aa["Herstelbeschikking"].cases == ("HV-2026-00001", "HV-2026-00001")
    assert cases_label(aa["Herstelbeschikking"].cases) == "HV-2026-00001 (2x)"
    share = aa["Aandeel partneraccounts"].explanation
    assert share.startswith("30.000 van 60.000 inwoners, peiljaar 2024 = 50,00 % van € 185,00")
    shared = {(x.party, x.item): x.amount for x in inv.shared_lines}
    assert shared == {
        ("Politie X", "Maandprijs organisatie"): 6000,
        ("Politie X", "Maandprijs accounts"): 2250,
        ("ZVH", "Aansluiting nieuwe accounts"): 7500,
        ("ZVH", "Maandprijs organisatie"): 2000,
        ("ZVH", "Maandprijs accounts"): 750,
    }
    assert inv.not_billed == (
        "Veilig Thuis (Veilig Thuis): € 82,50 niet doorbelast (deze soort "
        "organisatie staat niet in [verdeling] gedeelde_organisaties)",
    )


def test_shared_kinds_come_from_the_tariff():
    tariff = Tariff(
        **{
            **{f: getattr(TARIFF, f) for f in Tariff.__slots__},
            "shared_kinds": ("politie", "veiligheidshuis", "veilig_thuis"),
        }
    )
    inv = compute_invoice(usage(), Q3, tariff)
    assert inv.not_billed == ()
    assert inv.shared_total == 18500 + 8250


def test_month_and_period_boundaries_are_local_midnight():
    def months(created, deactivated=None):
        org = OrganisationUse(1, "Gemeente Aa", "gemeente", 1, (acc("x", created, deactivated),))
        u = RegionUsage("R", (MunicipalityInfo(1, "Aa", 1),), (org,))
        return {x.item: x.count for x in compute_invoice(u, Q3, TARIFF).statements[0].lines}

    # 30 September 23:59 local is inside Q3 (21:59 UTC); 1 October 00:30 local is not.
    assert months(at(2026, 9, 30, 23, 59)) == {
        "Aansluiting nieuwe accounts": 1,
        "Maandprijs organisatie": 1,
        "Maandprijs accounts": 1,
    }
    assert months(at(2026, 10, 1, 0, 30)) == {}
    assert months(pendulum.datetime(2026, 9, 30, 22, 30, tz="UTC")) == {}
    # Deactivated at the very start of July: not active in July at all.
    assert months(at(2025, 1, 1), at(2026, 7, 1)) == {}
    assert months(at(2025, 1, 1), at(2026, 7, 1, 0, 1)) == {
        "Maandprijs organisatie": 1,
        "Maandprijs accounts": 1,
    }
    # Inactive without a date: never billed.
    org = OrganisationUse(
        1, "Gemeente Aa", "gemeente", 1, (acc("x", at(2025, 1, 1), active=False),)
    )
    u = RegionUsage("R", (MunicipalityInfo(1, "Aa", 1),), (org,))
    assert compute_invoice(u, Q3, TARIFF).statements[0].lines == ()


def test_periods():
    assert (Q3.start, Q3.end, Q3.label) == (date(2026, 7, 1), date(2026, 10, 1), "2026-Q3")
    assert Q3.months() == ((2026, 7), (2026, 8), (2026, 9))
    assert Q3.describe() == "01-07-2026 t/m 30-09-2026"
    q4 = parse_period(" 2026-q4 ")
    assert (q4.end, q4.label) == (date(2027, 1, 1), "2026-Q4")
    assert parse_period("2026-7").label == "2026-07"
    assert parse_period("2026").months()[-1] == (2026, 12)
    start, end = parse_period("2026-10").bounds()  # DST ends 25 October: still local midnights
    assert start.utcoffset().total_seconds() == 7200 and end.utcoffset().total_seconds() == 3600
    for bad in ("2026-Q5", "2026-13", "Q3", "26-Q3", ""):
        with pytest.raises(BillingError, match="onbekende periode"):
            parse_period(bad)


def test_the_shipped_tariff_table_is_valid():
    tariff = parse_tariff((files("hvo_tui") / "tarieven.toml").read_text(encoding="utf-8"))
    assert tariff.connection > 0 and tariff.account_month > 0 and tariff.organisation_month > 0
    assert set(tariff.per_action) == {
        "rihg",
        "beschikking",
        "proces_verbaal",
        "zorgadvies",
        "beleidsadvies",
        "intrekking",
        "verlenging",
        "herstel",
    }
    assert tariff.shared_kinds == ("politie", "casemanagement", "veiligheidshuis")


GOOD = (files("hvo_tui") / "tarieven.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("change", "part"),
    [
        (("rihg = 2.00", "rihgg = 2.00"), "onbekende sleutel 'rihgg' in [handelingen]"),
        (("rihg = 2.00", ""), "'rihg' ontbreekt in [handelingen]"),
        (("rihg = 2.00", "rihg = -2.00"), "geen bedrag"),
        (("rihg = 2.00", "rihg = 2.005"), "meer dan twee decimalen"),
        (("rihg = 2.00", 'rihg = "2,00"'), "geen bedrag"),
        (("rihg = 2.00", "rihg = true"), "moet een bedrag"),
        (("[verdeling]", "[verdeling]\nbtw = 21"), "onbekende sleutel 'btw' in [verdeling]"),
        (('"veiligheidshuis"]', '"bank"]'), "onbekende of onmogelijke soort 'bank'"),
        (('"veiligheidshuis"]', '"gemeente"]'), "soort 'gemeente'"),
        (("[abonnement]", "[abonement]"), "onbekende sleutel 'abonement'"),
        (("rihg = 2.00", "rihg = "), "geen geldige TOML"),
    ],
)
def test_bad_tariff_tables_are_refused(change, part):
    old, new = change
    assert old in GOOD
    with pytest.raises(BillingError) as info:
        parse_tariff(GOOD.replace(old, new, 1))
    assert part in str(info.value)


def test_tariff_amounts_as_integers_and_strings():
    t = parse_tariff(
        GOOD.replace("rihg = 2.00", "rihg = 3").replace("herstel = 4.00", 'herstel = "4.5"')
    )
    assert t.per_action["rihg"] == 300 and t.per_action["herstel"] == 450


populations = st.lists(st.integers(min_value=1, max_value=900_000), min_size=1, max_size=20)


@settings(max_examples=100, deadline=None)
@given(populations, st.integers(min_value=0, max_value=50), st.integers(min_value=0, max_value=20))
def test_shares_add_up_to_the_pot_to_the_cent(pops, police_accounts, months_back):
    munis = tuple(MunicipalityInfo(i + 1, f"G{i:02d}", p) for i, p in enumerate(pops))
    police = OrganisationUse(
        99,
        "Politie",
        "politie",
        None,
        tuple(
            acc(f"p{i}", at(2026, 9, 28).subtract(months=months_back + i))
            for i in range(police_accounts)
        ),
    )
    inv = compute_invoice(RegionUsage("R", munis, (police,)), Q3, TARIFF)
    shares = [s.share for s in inv.statements]
    assert sum(shares) == inv.shared_total and all(x >= 0 for x in shares)
    assert inv.total == inv.shared_total
