"""Every screen works the same over ``hvo --api URL`` (issue 7): the statistics (t), the invoice
(palette), the mayor's signing screen (T) and the new-screening form (N) driven with keys through
Pilot against a real ``hvo serve`` over SQLite (the store's side of each runs on both databases in
its own tests); and the new endpoints' refusals: 403 with a Dutch message, nothing changed."""

from __future__ import annotations

import hashlib
import inspect

import httpx
import pytest
from sqlalchemy import insert, select
from textual.widgets import DataTable, Input, Static

from hvo_tui.app import HvoApp
from hvo_tui.domain.billing import parse_period
from hvo_tui.domain.localtime import FrozenClock
from hvo_tui.domain.statistics import REPORTS, ReportFilter
from screens.case import CaseScreen
from screens.forms import ActionForm
from screens.invoice import InvoiceScreen
from screens.screening import ScreeningForm
from screens.signing import SigningScreen
from store.http import HttpStore
from store.interface import Actor, Refused
from store.models import Account, AccountRegion, Case, DecisionSignature, Document, Region, metadata
from store.reports import UnknownReport
from store.sql import SqlStore
from tests.api_fixtures import ensure_tester
from tests.billing_data import seed_billing
from tests.conftest import FROZEN_NOW
from tests.factories import account_id
from tests.report_data import PERIOD, seed_reports
from tests.test_invoice_screen import rows as invoice_rows
from tests.test_invoice_screen import text_of
from tests.test_queue_screen import loaded, wait_for
from tests.test_screening_screen import cases, fill_at_once
from tests.test_signing_screen import refuse_the_first_draft
from tests.test_signing_screen import text_of as rich_text
from tests.test_signing_store import PASSWORD, build_world
from tests.test_statistics_screen import cells, filter_to_hollands_midden, open_statistics, status

# The screens are the same over both databases; their store side runs on both in its own tests.
SQLITE_ONLY = pytest.mark.parametrize("db_target", ["sqlite"], indirect=True)

A = Account.__table__.c
D = Document.__table__.c


def grant(engine, username: str, *regions: str) -> None:
    """Give an account these regions (its scope), by name; one it has already stays once."""
    R, AG = Region.__table__.c, AccountRegion.__table__
    with engine.begin() as conn:
        account = conn.execute(select(A.id).where(A.username == username)).scalar_one()
        have = set(conn.execute(select(AG.c.region_id).where(AG.c.account_id == account)).scalars())
        for name in regions:
            region = conn.execute(select(R.id).where(R.name == name)).scalar_one()
            if region not in have:  # the world may have given it already
                conn.execute(insert(AG).values(account_id=account, region_id=region))


def app_over(server, actor: Actor) -> HvoApp:
    """The app as ``hvo --api`` runs it: an HttpStore logged in as ``actor``'s account."""
    return HvoApp(
        server.store_for(actor), clock=FrozenClock(FROZEN_NOW), actor=actor, username=actor.username
    )


def digest(engine) -> str:
    """Every row of every table: what a refused request must leave as it was (the sessions that
    logging in writes aside)."""
    out = hashlib.sha256()
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            if table.name == "api_session":
                continue
            rows = conn.execute(select(table).order_by(*table.primary_key.columns)).all()
            out.update(repr([tuple(r) for r in rows]).encode())
    return out.hexdigest()


# --- the HTTP store has the SQL store's methods ---------------------------------------------------

NEW = (
    "report",
    "reports",
    "report_areas",
    "billing_regions",
    "billing_usage",
    "decisions_awaiting_signature",
    "sign_decision",
    "refuse_decision",
    "decision_signatures",
)


@pytest.mark.parametrize("name", NEW)
def test_the_http_store_has_the_same_method_with_the_same_parameters(name):
    def shape(fn):
        return [(p.name, p.kind) for p in inspect.signature(fn).parameters.values()]

    assert shape(getattr(HttpStore, name)) == shape(getattr(SqlStore, name))


# --- statistics -----------------------------------------------------------------------------------

PROCESMANAGER = Actor(name="API Tester", roles=frozenset({"procesmanager"}), username="api.tester")


@SQLITE_ONLY
async def test_statistics_over_the_api(engine, api_server):
    with engine.begin() as conn:
        seed_reports(conn)
    ensure_tester(engine)
    server = api_server(engine)
    app = app_over(server, PROCESMANAGER)  # every region (store_for grants them)
    # The very tables the SQL store builds, decoded from the wire; an unknown name fails here.
    sql = SqlStore(engine)
    assert app.store.reports(REPORTS, PERIOD) == sql.reports(REPORTS, PERIOD)
    assert app.store.report_areas() == sql.report_areas()
    assert app.store.report("tijdstip", ReportFilter()) == sql.report("tijdstip", ReportFilter())
    with pytest.raises(UnknownReport, match="onbekend rapport 'x'"):
        app.store.reports(["x"], PERIOD)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_statistics(pilot)
        assert status(screen) == "01-12-2025 t/m 23-11-2026 · 7 screenings · 6 huisverboden"
        assert cells(screen, "per-gemeente") == ["Totaal", "", "230.000", "7", "0,30", "6", "0,26"]
        await filter_to_hollands_midden(pilot, screen)


@SQLITE_ONLY
def test_statistics_stay_within_the_account_s_regions(engine, api_server):
    """A procesmanager of Midden-Limburg: the areas, the counts and the filters stop at its
    region; another region or its municipality is refused."""
    with engine.begin() as conn:
        seed_reports(conn)
        account_id(conn, "pm.ml", "PM Midden", role="procesmanager", organisation="ZVH ML")
    grant(engine, "pm.ml", "Midden-Limburg")
    server = api_server(engine)
    api = HttpStore(server.url, token=server.token_for("pm.ml"), retries=0)
    assert api.report_areas() == {"Midden-Limburg": ["Roermond", "Weert"]}
    table = api.report("per-gemeente", PERIOD)
    assert [row[0] for row in table.rows] == ["Roermond", "Weert", "Totaal"]
    assert table.rows[-1][3] == 5  # HV-1 to HV-5; Leiden's HV-6 is not counted
    for flt, field in (
        (ReportFilter(region="Hollands Midden"), "region"),
        (ReportFilter(municipality="Leiden"), "municipality"),
    ):
        with pytest.raises(Refused) as refused:
            api.reports(["per-gemeente"], flt)
        assert refused.value.field == field and "buiten uw" in str(refused.value)


# --- the invoice ----------------------------------------------------------------------------------

BEHEERDER = Actor(
    name="Peter de Graaf", roles=frozenset({"beheerder"}), username="peter", regions=("Testregio",)
)


@SQLITE_ONLY
async def test_the_invoice_over_the_api(engine, api_server):
    seed_billing(engine)
    with engine.begin() as conn:
        account_id(conn, "peter", "Peter de Graaf", role="beheerder", organisation="ZVH beheer")
    server = api_server(engine)
    app = app_over(server, BEHEERDER)
    q3 = parse_period("2026-Q3")
    assert app.store.billing_usage(None, "Testregio", q3) == SqlStore(engine).billing_usage(
        BEHEERDER, "Testregio", q3
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Rekening")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, InvoiceScreen))
        screen = app.screen
        assert isinstance(screen, InvoiceScreen)
        await wait_for(pilot, lambda: screen.loaded)
        assert "Rekening Testregio · 2026-Q3" in text_of(screen, "#invoice-summary")
        assert "totaal € 385,00" in text_of(screen, "#invoice-summary")
        totals = {r[1]: r[4] for r in invoice_rows(screen) if r[1].startswith("Totaal")}
        assert totals == {
            "Totaal Aa": "€ 288,50",
            "Totaal Bee": "€ 30,83",
            "Totaal Cee": "€ 65,67",
            "Totaal gedeeld": "€ 185,00",
        }
        await pilot.press("p")
        screen.query_one("#invoice-period", Input).value = "2026-Q4"
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.invoice.period.label == "2026-Q4")
        await pilot.pause()
        assert ["Cee", "Beschikking intrekken", "1", "€ 4,00", "€ 4,00"] in invoice_rows(screen)


# --- the mayor's signature ------------------------------------------------------------------------


@SQLITE_ONLY
async def test_the_mayor_signs_over_the_api(engine, api_server):
    world = build_world(engine)
    server = api_server(engine)
    app = app_over(server, world.mayor)
    case_id = world.ids["today"]
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("T")
        await wait_for(pilot, lambda: isinstance(app.screen, SigningScreen) and app.screen.loaded)
        screen = app.screen
        table = screen.query_one("#sign-table", DataTable)
        assert [table.get_row_at(i)[0] for i in range(table.row_count)] == ["HV-2026-00102"]
        await wait_for(
            pilot,
            lambda: (
                "hulpverlening is net gestart" in rich_text(screen.query_one("#sign-draft", Static))
            ),
        )
        # A wrong password: 403 at the field over the wire, nothing signed. (Typing is tested in
        # test_signing_screen; here the values are set, which keeps this test fast.)
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(app.screen, ActionForm))
        form = app.screen
        password = form.query_one("#f-password", Input)
        password.value = "niet-mijn-wachtwoord"
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: "onjuist wachtwoord" in str(form.query_one("#e-password", Static).render()),
        )
        with engine.connect() as conn:
            assert conn.execute(select(DecisionSignature.__table__)).all() == []
        password.value = PASSWORD
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, ActionForm))
        await wait_for(pilot, lambda: screen.loaded and not screen.pending)
        # The case screen reads the verified signature over the API (opening a case by keys is
        # tested in test_signing_screen).
        case = CaseScreen(case_id, "HV-2026-00102", screen.rules)
        app.push_screen(case)
        await wait_for(pilot, lambda: app.screen is case and case.detail is not None)
        await wait_for(
            pilot,
            lambda: "handtekening geldig" in rich_text(case.query_one("#case-documents", Static)),
        )
    with engine.connect() as conn:
        assert conn.execute(select(D.status).where(D.id == world.draft)).scalar() == "signed"
    [check] = app.store.decision_signatures(case_id)
    assert check.valid and check.signer_name == "Burgemeester van Roermond"
    assert [c.valid for c in world.store.decision_signatures(case_id)] == [True]


@SQLITE_ONLY
async def test_the_mayor_refuses_over_the_api(engine, api_server):
    world = build_world(engine)
    server = api_server(engine)
    app = app_over(server, world.mayor)
    async with app.run_test(size=(100, 30)) as pilot:
        await refuse_the_first_draft(pilot, "motivering is te mager")
    with engine.connect() as conn:
        assert conn.execute(select(D.status).where(D.id == world.draft)).scalar() == "rejected"


@SQLITE_ONLY
def test_a_stale_version_to_sign_is_409_and_signs_nothing(engine, api_server):
    from store.interface import Conflict

    world = build_world(engine)
    server = api_server(engine)
    api = server.store_for(world.mayor)
    version = world.store.queue_rows({world.ids["today"]})[0].version
    world.store.add_note(
        world.ids["today"], version, world.store.actor_for("ans"), text="tussendoor"
    )
    with pytest.raises(Conflict) as conflict:
        api.sign_decision(world.ids["today"], version, world.draft, password=PASSWORD)
    assert conflict.value.current_version == version + 1
    with engine.connect() as conn:
        assert conn.execute(select(D.status).where(D.id == world.draft)).scalar() == "draft"


# --- the new screening ----------------------------------------------------------------------------


@SQLITE_ONLY
async def test_a_new_screening_over_the_api(engine, api_server):
    from tests.queue_data import seed_queue

    with engine.begin() as conn:
        seed_queue(conn)
        account_id(conn, "dewit", "Hoofdagent De Wit", role="hovj", organisation="Politie Limburg")
    hovj = Actor(name="Hoofdagent De Wit", roles=frozenset({"hovj"}), username="dewit")
    server = api_server(engine)
    before = cases(engine)
    app = app_over(server, hovj)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("N")
        await wait_for(pilot, lambda: isinstance(app.screen, ScreeningForm))
        await pilot.pause()
        fill_at_once(app.screen)  # the keys of the form are tested in test_screening_screen
        await pilot.pause()
        await pilot.press("f2")
        await wait_for(pilot, lambda: not isinstance(app.screen, ScreeningForm))
    assert cases(engine) == before + 1
    C = Case.__table__.c
    with engine.connect() as conn:
        case = conn.execute(select(Case.__table__).order_by(C.id.desc()).limit(1)).one()
    assert case.status == "imposed" and case.postcode == "6041 EL" and case.imposed_at is not None


# --- refusals: 403, a Dutch sentence, nothing changed ---------------------------------------------


@pytest.fixture(scope="module")
def refusal_world(tmp_path_factory):
    """One world for every refusal (a refusal changes nothing, each test proves it): the signing
    world (mayors of Roermond and Venlo, a draft on the Roermond case), a procesmanager and a
    bestuurder without a municipality, both of Midden-Limburg only."""
    from store.db import open_database
    from tests.api_fixtures import ApiServer

    engine = open_database(
        f"sqlite:///{tmp_path_factory.mktemp('refusals') / 'hvo.db'}", auto_upgrade=True
    )
    world = build_world(engine)
    with engine.begin() as conn:
        account_id(conn, "pm.ml", "PM Midden", role="procesmanager", organisation="ZVH ML")
        account_id(
            conn,
            "bestuur.ml",
            "Bestuurder Zonder Gemeente",
            role="bestuurder",
            organisation="Regio Midden-Limburg bestuur",
        )
        account_id(conn, "lotte", "Lotte Jansen", role="casemanager")
    for username in ("pm.ml", "bestuur.ml", "m.peeters", "peter"):
        grant(engine, username, "Midden-Limburg")
    world.server = ApiServer(engine, clock=FrozenClock(FROZEN_NOW))
    try:
        yield world
    finally:
        world.server.stop()
        engine.dispose()


def _version(world) -> int:
    return world.store.queue_rows({world.ids["today"]})[0].version


REFUSED = [
    # who, method, path ({case}: the Roermond case, {draft}: its draft decision), body, words
    ("lotte", "GET", "/reports?name=per-maand", None, "Statistieken zijn er voor"),
    ("lotte", "GET", "/report-areas", None, "Statistieken zijn er voor"),
    ("pm.ml", "GET", "/reports?name=per-gemeente&region=Noord-Limburg", None, "buiten uw regio"),
    ("pm.ml", "GET", "/reports?name=per-gemeente&municipality=Venlo", None, "buiten uw gebied"),
    ("pm.ml", "GET", "/reports?name=per-maand&start=2026-06-30&end=2026-01-01", None, "vóór"),
    ("pm.ml", "GET", "/billing/regions", None, "functioneel beheerder"),
    (
        "burgemeester.roermond",
        "GET",
        "/billing/usage?region=Midden-Limburg&start=2026-07-01&end=2026-10-01",
        None,
        "functioneel beheerder",
    ),
    (
        "peter",
        "GET",
        "/billing/usage?region=Midden-Limburg&start=2026-10-01&end=2026-07-01",
        None,
        "na het begin",
    ),
    ("pm.ml", "GET", "/signing/pending", None, "bestuurder"),
    (
        "pm.ml",
        "POST",
        "/cases/{case}/documents/{draft}/signature",
        {"password": PASSWORD},
        "Uw rol mag dit niet",
    ),
    (
        "m.peeters",
        "POST",
        "/cases/{case}/documents/{draft}/signature",
        {"password": PASSWORD},
        "Uw rol mag dit niet",
    ),
    (
        "bestuur.ml",
        "POST",
        "/cases/{case}/documents/{draft}/signature",
        {"password": PASSWORD},
        "bestuurder van de gemeente Roermond",
    ),
    (
        "pm.ml",
        "POST",
        "/cases/{case}/documents/{draft}/refusal",
        {"reason": "nee"},
        "Uw rol mag dit niet",
    ),
    (
        "bestuur.ml",
        "POST",
        "/cases/{case}/documents/{draft}/refusal",
        {"reason": "nee"},
        "bestuurder van de gemeente Roermond",
    ),
    (
        "burgemeester.roermond",
        "POST",
        "/cases/{case}/documents/{draft}/refusal",
        {"reason": " "},
        "Geef een reden",
    ),
]


@pytest.mark.parametrize(
    "who, method, path, body, words",
    REFUSED,
    ids=[f"{w}-{m}-{p.split('?')[0]}" for w, m, p, _, _ in REFUSED],
)
def test_a_refused_request_is_403_in_dutch_and_changes_nothing(
    refusal_world, who, method, path, body, words
):
    world = refusal_world
    before = digest(world.engine)
    url = path.format(case=world.ids["today"], draft=world.draft)
    token = world.server.token_for(who)
    with httpx.Client(
        base_url=world.server.url + "/api/v1",
        timeout=10,
        headers={"Authorization": f"Bearer {token}"},
    ) as client:
        response = client.request(
            method, url, json=None if body is None else {"version": _version(world), **body}
        )
    assert response.status_code == 403, response.text
    answer = response.json()
    assert answer["kind"] == "refused" and words in answer["detail"], answer
    assert digest(world.engine) == before


def test_outside_the_scope_a_case_s_signatures_and_signing_are_404(refusal_world):
    """The mayor of Venlo does not see the Roermond case: neither its signatures nor a way to sign
    it (404, as for every case outside the scope), and nothing is logged."""
    world = refusal_world
    before = digest(world.engine)
    api = world.server.store_for(world.venlo_mayor, all_regions=False)
    from store.interface import NotFound

    with pytest.raises(NotFound):
        api.decision_signatures(world.ids["today"])
    with pytest.raises(NotFound):
        api.sign_decision(world.ids["today"], _version(world), world.draft, password=PASSWORD)
    assert [p.document.id for p in api.decisions_awaiting_signature()] == [world.venlo_draft]
    assert digest(world.engine) == before


def test_a_wrong_password_is_403_at_the_field_and_counts_as_a_failed_login(refusal_world):
    world = refusal_world
    api = world.server.store_for(world.mayor, all_regions=False)
    with pytest.raises(Refused) as refused:
        api.sign_decision(world.ids["today"], _version(world), world.draft, password="fout")
    assert refused.value.field == "password" and "onjuist wachtwoord" in str(refused.value)
    with world.engine.begin() as conn:
        assert (
            conn.execute(
                select(A.failed_logins).where(A.username == "burgemeester.roermond")
            ).scalar()
            == 1
        )
        conn.execute(
            Account.__table__.update()
            .where(A.username == "burgemeester.roermond")
            .values(failed_logins=0)
        )  # the world stays as the other tests expect
    with world.engine.connect() as conn:
        assert conn.execute(select(D.status).where(D.id == world.draft)).scalar() == "draft"


def test_an_older_server_without_these_endpoints_is_said_in_dutch():
    """A server from before these endpoints answers 404 for their paths: the screens then say
    that the server must be updated (a StoreError they show), instead of failing."""
    from store.interface import StoreError

    def older(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            404, json={"detail": "Deze pagina bestaat niet.", "kind": "not_found"}
        )

    api = HttpStore("http://hvo.test", token="t", transport=httpx.MockTransport(older), retries=0)
    for call, what in (
        (lambda: api.reports(["per-maand"], PERIOD), "statistieken"),
        (api.report_areas, "statistieken"),
        (lambda: api.billing_regions(None), "rekening per gemeente"),
        (lambda: api.billing_usage(None, "X", parse_period("2026-Q3")), "rekening per gemeente"),
        (api.decisions_awaiting_signature, "ondertekening"),
    ):
        with pytest.raises(StoreError, match=f"biedt nog geen {what}; werk de server bij"):
            call()
