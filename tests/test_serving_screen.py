"""Issue 16, serving a decision on screen ("Uitreiking vastleggen", key i), on a real database.

A ban imposed two days ago with its beschikking registered: from the queue the procesmanager
records, with keys only, that the police served it at T0; the moment is prefilled to now; a
moment in the future or before the decision is refused at its field in Dutch and nothing is
saved. Choosing "mondeling" shows the field for the moment it was put in writing. An extension
not served before the ban's end shows as a missed deadline in the queue's detail pane; ticking
it opens the form on the verlenging, and serving it a minute before the end meets it. Support
is not offered the action. SQLite and PostgreSQL (the ``engine`` fixture), and over the API.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from textual.widgets import Input, Select, Static

from hvo_tui.app import HvoApp
from hvo_tui.domain import DeadlineState
from hvo_tui.domain.localtime import FrozenClock, format_moment
from hvo_tui.domain.timeline import ban_end
from screens.case import CaseScreen
from screens.detail import DeadlineList
from screens.forms import ActionForm
from screens.help import binding_rows
from store.interface import Actor
from store.models import Account, Case, DecisionServing, Document
from store.sql import SqlStore
from tests.conftest import FROZEN_NOW
from tests.factories import add_document, add_meeting, add_partner, add_person, seed_case
from tests.queue_data import at
from tests.test_queue_screen import loaded, row_text, wait_for
from tests.test_signing_screen import text_of

T0 = at(21, 8, 30)  # two days before FROZEN_NOW (Monday 23 November 2026 08:30)
NUMBER = "HV-2026-00301"
BESCHIKKING = {
    "opgelegd_door": "hovj",
    "uithuisgeplaatste": "Kevin Peeters",
    "woning": "Markt 301, 6041 EL Roermond",
    "feiten": "Slaan en dreigen; de buren belden de politie.",
    "contactverbod": "Sanne Peeters",
}
SV = DecisionServing.__table__.c


def _ans(conn, case_id: int) -> Actor:
    add_partner(
        conn,
        case_id,
        "procesmanager",
        "ans",
        "Ans Verhoeven",
        organisation="Zorg- en Veiligheidshuis Midden-Limburg",
        regions=("Midden-Limburg",),
    )
    ans = conn.execute(
        select(Account.__table__.c.id).where(Account.__table__.c.username == "ans")
    ).scalar_one()
    return Actor(
        name="Ans Verhoeven", roles=frozenset({"procesmanager"}), account_id=ans, username="ans"
    )


def _household(conn, case_id: int) -> None:
    add_person(conn, case_id, "Kevin", "Peeters", birth=date(1988, 4, 2))
    add_person(conn, case_id, "Sanne", "Peeters", role="achterblijver")


@pytest.fixture
def ban(engine):
    """A running ban imposed at T0 whose steps are all recorded and whose beschikking was
    registered half an hour later; not yet served."""
    done = T0.add(hours=1)
    with engine.begin() as conn:
        case_id = seed_case(
            conn,
            number=NUMBER,
            status="running",
            t0=T0,
            municipality="Roermond",
            household_informed_at=done,
            vt_informed_at=done,
            reachable_address_at=done,
            reachable_address="p/a Hertogsingel 12, 6041 AB Roermond",
        )
        _household(conn, case_id)
        add_document(conn, case_id, "rihg", "received", received_at=T0)
        add_document(conn, case_id, "proces_verbaal", "received", received_at=done)
        engine.beschikking = add_document(
            conn,
            case_id,
            "beschikking",
            "received",
            received_at=T0.add(minutes=30),
            author_name="Hoofdagent De Wit",
            fields=BESCHIKKING,
        )
        engine.ans = _ans(conn, case_id)
    engine.case_id = case_id
    return engine


def _app(engine, actor, backend=None) -> HvoApp:
    store = backend(engine, actor) if backend else SqlStore(engine)
    return HvoApp(store, clock=FrozenClock(FROZEN_NOW), actor=actor, username=actor.username)


def _servings(engine, case_id: int) -> list:
    with engine.connect() as conn:
        return conn.execute(
            select(DecisionServing.__table__).where(SV.case_id == case_id).order_by(SV.id)
        ).all()


def _version(engine, case_id: int) -> int:
    with engine.connect() as conn:
        return conn.execute(
            select(Case.__table__.c.version).where(Case.__table__.c.id == case_id)
        ).scalar_one()


async def _open(pilot) -> ActionForm:
    await pilot.press("i")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ActionForm))
    await pilot.pause()
    return pilot.app.screen


def _error(form: ActionForm, name: str) -> str:
    return str(form.query_one(f"#e-{name}").render()).strip()


async def test_the_beschikking_served_at_t0_with_keys_only(ban, backend):
    app = _app(ban, ban.ans, backend)
    version = _version(ban, ban.case_id)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        form = await _open(pilot)
        assert form.form_title == f"Uitreiking vastleggen · {NUMBER}"
        assert form.query_one("#f-document", Select).value == str(ban.beschikking)
        assert form.query_one("#f-how", Select).value == "uithuisgeplaatste/uitgereikt"
        assert form.query_one("#f-served_at", Input).value == format_moment(FROZEN_NOW)
        assert form.query_one("#f-served_by", Input).value == "Ans Verhoeven"
        assert not form.query("#f-written_at")  # only for an oral announcement
        assert form.focused is form.query_one("#f-served_at")  # ready to correct the moment

        await pilot.press("ctrl+u", *"23-11-2026 08:31", "f2")  # a minute after now
        await wait_for(pilot, lambda: _error(form, "served_at") != "")
        assert _error(form, "served_at").startswith("Dit moment ligt in de toekomst")
        await pilot.press("ctrl+u", *"21-11-2026 08:29", "f2")  # a minute before T0
        await wait_for(pilot, lambda: "vóór het besluit" in _error(form, "served_at"))
        assert pilot.app.screen is form and _servings(ban, ban.case_id) == []
        assert _version(ban, ban.case_id) == version

        await pilot.press("ctrl+u", *"21-11-2026 08:30", "tab")  # exactly T0
        await pilot.press("ctrl+u", *"Hoofdagent De Wit", "f2")
        await wait_for(pilot, lambda: not isinstance(pilot.app.screen, ActionForm))

        # The case screen's documents say it, and which copies the region still sends.
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: isinstance(pilot.app.screen, CaseScreen) and pilot.app.screen.detail,
        )
        documents = text_of(pilot.app.screen.query_one("#case-documents", Static))
        assert (
            "beschikking opleggen: uitgereikt aan uithuisgeplaatste op 21-11-2026 08:30 door "
            "Hoofdagent De Wit"
        ) in documents
        assert (
            "beschikking opleggen: nog geen afschrift aan achterblijver(s), officier van justitie"
        ) in documents
        assert "besluit uitgereikt" in text_of(pilot.app.screen.query_one("#case-timeline"))
    (row,) = _servings(ban, ban.case_id)
    assert (row.recipient, row.manner, row.served_at) == ("uithuisgeplaatste", "uitgereikt", T0)
    assert row.served_by_name == "Hoofdagent De Wit" and row.served_by_account_id is None


async def test_an_oral_announcement_asks_when_it_was_put_in_writing(ban):
    app = _app(ban, ban.ans)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        form = await _open(pilot)
        how = form.query_one("#f-how", Select)
        how.focus()
        await pilot.press("enter", "down", "enter")  # the second choice: mondeling
        await wait_for(pilot, lambda: bool(form.query("#f-written_at")))
        assert how.value == "uithuisgeplaatste/mondeling"
        form.query_one("#f-served_at", Input).value = "21-11-2026 08:30"
        written = form.query_one("#f-written_at", Input)
        written.value = "21-11-2026 08:00"  # before the announcement
        await pilot.press("f2")
        await wait_for(pilot, lambda: _error(form, "written_at") != "")
        assert "vóór de mondelinge bekendmaking" in _error(form, "written_at")
        written.value = "21-11-2026 09:15"
        await pilot.press("f2")
        await wait_for(pilot, lambda: not isinstance(pilot.app.screen, ActionForm))
    (row,) = _servings(ban, ban.case_id)
    assert row.manner == "mondeling" and row.written_at == T0.add(minutes=45)


async def test_support_is_not_offered_the_serving(ban):
    support = Actor(name="Fatima Bakker", roles=frozenset({"support"}), username="fatima")
    async with _app(ban, support).run_test(size=(80, 24)) as pilot:
        screen = await loaded(pilot)
        assert "Uitreiking vastleggen" not in {d for _, d in binding_rows(screen)}
        await pilot.press("i")
        await pilot.pause()
        assert pilot.app.screen is screen


# --- the extension: missed until served before the original end ---------------------------------

T0X = FROZEN_NOW.subtract(days=10, hours=1)  # the original end passed an hour ago
END = ban_end(T0X)
EXTENDED = "HV-2026-00302"


@pytest.fixture
def extended(engine):
    done = T0X.add(hours=1)
    with engine.begin() as conn:
        case_id = seed_case(
            conn,
            number=EXTENDED,
            status="extended",
            t0=T0X,
            municipality="Roermond",
            extended_until=T0X.add(days=28),
            extension_decided_at=T0X.add(days=8),
            decided_at=T0X.add(days=8),
            household_informed_at=done,
            vt_informed_at=done,
            reachable_address_at=done,
            reachable_address="p/a Hertogsingel 12, 6041 AB Roermond",
        )
        _household(conn, case_id)
        for kind in ("rihg", "proces_verbaal", "zorgadvies", "beleidsadvies"):
            add_document(conn, case_id, kind, "received", received_at=done)
        add_meeting(conn, case_id, T0X.add(days=3))
        add_document(
            conn,
            case_id,
            "beschikking",
            "received",
            received_at=done,
            fields=BESCHIKKING,
        )
        engine.verlenging = add_document(
            conn,
            case_id,
            "verlenging",
            "signed",
            received_at=T0X.add(days=8, hours=1),
            author_name="Burgemeester van Roermond",
            fields={"verlengd_tot": format_moment(T0X.add(days=28)), "motivering": "gevaar"},
        )
        engine.ans = _ans(conn, case_id)
    engine.case_id = case_id
    return engine


def _missed(screen, case_id: int) -> list[str]:
    return [
        d.kind.value
        for d in screen.model.derived[case_id].deadlines
        if d.state is DeadlineState.MISSED
    ]


async def test_an_extension_not_served_is_missed_and_ticked_from_the_detail_pane(extended):
    app = _app(extended, extended.ans)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(pilot)
        case_id = extended.case_id
        assert _missed(screen, case_id) == ["extension_served"]
        assert "te laat" in row_text(screen, EXTENDED)
        await pilot.press("tab")
        await pilot.pause()
        deadlines = screen.query_one(DeadlineList)
        assert deadlines.current is not None and deadlines.current.kind == "extension_served"
        assert "Verlenging uitgereikt" in str(deadlines.render())
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ActionForm))
        await pilot.pause()
        form = pilot.app.screen
        assert form.query_one("#f-document", Select).value == str(extended.verlenging)
        assert form.query_one("#f-how", Select).value == "uithuisgeplaatste/uitgereikt"
        before_end = format_moment(END.subtract(minutes=1))
        await pilot.press("ctrl+u", *before_end, "f2")
        await wait_for(pilot, lambda: not isinstance(pilot.app.screen, ActionForm))
        await wait_for(pilot, lambda: _missed(screen, case_id) == [])
        assert "te laat" not in row_text(screen, EXTENDED)
    (row,) = _servings(extended, extended.case_id)
    assert row.document_id == extended.verlenging and row.served_at == END.subtract(minutes=1)
    with extended.connect() as conn:
        kinds = conn.execute(
            select(Document.__table__.c.kind).where(Document.__table__.c.id == row.document_id)
        ).scalar_one()
    assert kinds == "verlenging"
