"""The billing counts against a real database (SQLite and PostgreSQL) with known use
(tests/billing_data.py), and the invoice the shipped tariff makes of them."""

from __future__ import annotations

from importlib.resources import files

import pytest

from hvo_tui.domain.billing import ActionUse, compute_invoice, parse_period, parse_tariff
from store.billing import region_names, region_usage
from store.interface import StoreError

from .billing_data import seed_billing

Q3 = parse_period("2026-Q3")


class Reader:
    """The store's billing reads on one engine (what SqlStore's billing methods call)."""

    def __init__(self, engine) -> None:
        self.engine = engine

    def billing_usage(self, region, period):
        return region_usage(self.engine, region, period)

    def billing_regions(self):
        return region_names(self.engine)


@pytest.fixture
def store(engine):
    seed_billing(engine)
    return Reader(engine)


def test_usage_of_the_region_in_the_period(store):
    usage = store.billing_usage("testregio", Q3)  # any case
    assert usage.region == "Testregio"
    assert [(m.name, m.population, m.population_year) for m in usage.municipalities] == [
        ("Aa", 30000, 2024),
        ("Bee", 10000, 2024),
        ("Cee", 20000, 2024),
    ]
    orgs = {o.name: (o.kind, sorted(a.username for a in o.accounts)) for o in usage.organisations}
    assert orgs == {
        # a.later is created on 1 October: after the period, so not fetched at all.
        "Gemeente Aa": ("gemeente", ["a.gone", "a.new", "a.one", "burgemeester.aa"]),
        "Gemeente Bee": ("gemeente", ["burgemeester.bee"]),
        "Politie X": ("politie", ["p.one"]),
        "ZVH": ("veiligheidshuis", ["v.new"]),
        "Veilig Thuis": ("veilig_thuis", ["vt.one"]),
    }
    gone = next(a for o in usage.organisations for a in o.accounts if a.username == "a.gone")
    assert gone.deactivated_at is not None and gone.deactivated_at.tzinfo is not None
    muni = {m.id: m.name for m in usage.municipalities}
    actions = sorted(
        (muni[a.municipality_id], a.kind, a.case_number, a.count) for a in usage.actions
    )
    assert actions == [
        ("Aa", "beschikking", "HV-2026-00001", 1),  # a signed beschikking and its event: once
        ("Aa", "herstel", "HV-2026-00001", 2),  # one document, two events: the larger count
        ("Aa", "rihg", "HV-2026-00001", 1),
        ("Aa", "zorgadvies", "HV-2026-00002", 1),  # 30 September 23:59 local
        ("Cee", "verlenging", "HV-2026-00003", 1),  # an event without a document
    ]
    assert all(isinstance(a, ActionUse) for a in usage.actions)


def test_other_periods_count_other_steps(store):
    q2 = store.billing_usage("Testregio", parse_period("2026-Q2"))
    assert [(a.kind, a.case_number) for a in q2.actions] == [("rihg", "HV-2026-00002")]
    q4 = store.billing_usage("Testregio", parse_period("2026-Q4"))
    assert [(a.kind, a.case_number) for a in q4.actions] == [("intrekking", "HV-2026-00003")]
    assert "a.later" in {a.username for o in q4.organisations for a in o.accounts}


def test_the_invoice_from_the_database(store):
    tariff = parse_tariff((files("hvo_tui") / "tarieven.toml").read_text(encoding="utf-8"))
    assert (tariff.connection, tariff.organisation_month, tariff.account_month) == (7500, 2000, 750)
    inv = compute_invoice(store.billing_usage("Testregio", Q3), Q3, tariff)
    by_name = {s.municipality: s for s in inv.statements}
    # Aa: 75.00 + 3 x 20.00 + 6 x 7.50 + RiHG 2.00 + beschikking 4.00 + 2 x herstel 4.00
    # + zorgadvies 2.00 = 196.00 own; share 1/2 of 185.00 = 92.50.
    assert (by_name["Aa"].own, by_name["Aa"].share) == (19600, 9250)
    assert (by_name["Bee"].own, by_name["Bee"].share) == (0, 3083)
    assert (by_name["Cee"].own, by_name["Cee"].share) == (400, 6167)
    assert inv.shared_total == 18500
    assert inv.total == 38500
    assert len(inv.not_billed) == 1 and inv.not_billed[0].startswith("Veilig Thuis")


def test_unknown_region_names_the_known_ones(store):
    with pytest.raises(
        StoreError, match="onbekende regio 'Nergens' \\(bekend: Anders, Testregio\\)"
    ):
        store.billing_usage("Nergens", Q3)
    assert store.billing_regions() == ["Anders", "Testregio"]


def test_a_beheerder_invoices_only_the_regions_of_their_account(engine):
    from hvo_tui.domain.permissions import scope_for
    from store.interface import Actor, Refused
    from store.sql import SqlStore

    seed_billing(engine)
    store = SqlStore(engine)
    beheerder = Actor(name="Peter de Graaf", roles=frozenset({"beheerder"}))
    assert store.billing_regions(beheerder) == ["Anders", "Testregio"]  # unscoped: the shell's view
    store.scope = scope_for(beheerder.roles, ["Testregio"], None)
    assert store.billing_regions(beheerder) == ["Testregio"]
    assert store.billing_usage(beheerder, "testregio", Q3).region == "Testregio"
    with pytest.raises(Refused, match="buiten de regio's van uw account"):
        store.billing_usage(beheerder, "Anders", Q3)
    store.close()
