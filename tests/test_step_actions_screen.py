"""Issue 16, deliverable 1 on screen: a missed process step is one key away from being recorded.

A ban the HOvJ imposed two days ago, everything done but telling the mayor: the queue shows it as
late. With keys only the procesmanager goes into the detail pane's deadline list (Tab), where the
cursor stands on the missed step, ticks it (Enter: the step's form, the moment prefilled to now)
and saves (F2): the flag goes, and the case's events hold the step by her. A moment in the future
is refused at its field in Dutch and nothing is saved; support (read only) is not offered the
tick. The palette finds each step by its Dutch name. On SQLite and PostgreSQL, and over the API.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from textual.widgets import Input, Select

from hvo_tui.app import HvoApp
from hvo_tui.domain import DeadlineState
from hvo_tui.domain.localtime import FrozenClock, format_moment
from screens.case import CaseScreen
from screens.detail import DeadlineList
from screens.forms import ActionForm
from screens.help import DUTCH, HelpScreen, binding_rows
from screens.queue import QueueScreen
from store.interface import Actor
from store.models import Account, Case, Event
from store.sql import SqlStore
from tests.conftest import FROZEN_NOW
from tests.factories import add_document, add_partner, add_person, seed_case
from tests.queue_data import at
from tests.test_queue_screen import loaded, row_text, wait_for

T0 = at(21, 8, 30)  # two days before FROZEN_NOW (Monday 23 November 2026 08:30)
NUMBER = "HV-2026-00201"


@pytest.fixture
def ban(engine):
    """One running ban, imposed by the HOvJ at T0: household and Veilig Thuis informed, the
    reachable address given, the documents in; the mayor not told. Ans is its procesmanager."""
    done = T0.add(hours=1)
    with engine.begin() as conn:
        case_id = seed_case(
            conn,
            number=NUMBER,
            status="running",
            t0=T0,
            municipality="Roermond",
            imposed_by_hovj=True,
            household_informed_at=done,
            vt_informed_at=done,
            reachable_address_at=done,
            reachable_address="p/a Hertogsingel 12, 6041 AB Roermond",
        )
        for kind in ("rihg", "beschikking", "proces_verbaal"):
            add_document(conn, case_id, kind, "received", received_at=T0.add(hours=2))
        add_person(conn, case_id, "Kevin", "Peeters", birth=date(1988, 4, 2))
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
    engine.case_id = case_id
    engine.ans = Actor(
        name="Ans Verhoeven", roles=frozenset({"procesmanager"}), account_id=ans, username="ans"
    )
    return engine


def _app(engine, actor, backend=None) -> HvoApp:
    store = backend(engine, actor) if backend else SqlStore(engine)
    return HvoApp(store, clock=FrozenClock(FROZEN_NOW), actor=actor, username=actor.username)


def _missed(screen: QueueScreen, case_id: int) -> list[str]:
    return [
        d.kind.value
        for d in screen.model.derived[case_id].deadlines
        if d.state is DeadlineState.MISSED
    ]


def _events(engine, case_id: int, action: str) -> list:
    c = Event.__table__.c
    with engine.connect() as conn:
        return conn.execute(select(c).where(c.case_id == case_id, c.action == action)).all()


def _version(engine, case_id: int) -> int:
    with engine.connect() as conn:
        return conn.execute(
            select(Case.__table__.c.version).where(Case.__table__.c.id == case_id)
        ).scalar_one()


async def _tick_open(pilot, screen: QueueScreen) -> ActionForm:
    """Tab into the deadline list, Enter on the step the cursor stands on: its form."""
    await pilot.press("tab")
    await pilot.pause()
    deadlines = screen.query_one(DeadlineList)
    assert screen.focused is deadlines
    assert deadlines.current is not None and deadlines.current.kind == "mayor_informed"
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ActionForm))
    await pilot.pause()
    return pilot.app.screen


async def test_tick_the_missed_step_from_the_detail_pane_with_keys_only(ban, backend):
    app = _app(ban, ban.ans, backend)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(pilot)
        case_id = ban.case_id
        assert _missed(screen, case_id) == ["mayor_informed"]
        assert "te laat" in row_text(screen, NUMBER)
        deadlines = screen.query_one(DeadlineList)
        assert "Burgemeester geïnformeerd" in str(deadlines.render())
        assert "tab: afvinken" in str(deadlines.render())  # the pane says how

        form = await _tick_open(pilot, screen)
        assert form.form_title == f"Processtap vastleggen · {NUMBER}"
        assert form.query_one("#f-action", Select).value == "inform_mayor"
        assert form.query_one("#f-at", Input).value == format_moment(FROZEN_NOW)
        assert form.focused is form.query_one("#f-at")  # ready to correct the moment
        await pilot.press("f2")
        await wait_for(pilot, lambda: not isinstance(pilot.app.screen, ActionForm))

        # The own-save refresh brings the row back: the flag is gone, the step met.
        await wait_for(pilot, lambda: _missed(screen, case_id) == [])
        await pilot.pause()
        assert "te laat" not in row_text(screen, NUMBER)
        mayor = next(
            d for d in screen.model.derived[case_id].deadlines if d.kind.value == "mayor_informed"
        )
        assert mayor.state is DeadlineState.MET and mayor.met_at == FROZEN_NOW
        assert screen.focused is deadlines  # back in the list, ready for the next one

    (event,) = _events(ban, ban.case_id, "inform_mayor")
    assert event.account_id == ban.ans.account_id and event.actor_name == "Ans Verhoeven"


async def test_a_future_moment_is_refused_at_its_field_and_nothing_is_saved(ban):
    app = _app(ban, ban.ans)
    version = _version(ban, ban.case_id)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(pilot)
        form = await _tick_open(pilot, screen)
        await pilot.press("ctrl+u", *"23-11-2026 09:30", "f2")  # an hour after now
        await wait_for(pilot, lambda: str(form.query_one("#e-at").render()).strip() != "")
        assert str(form.query_one("#e-at").render()).startswith("Dit moment ligt in de toekomst")
        assert pilot.app.screen is form  # still open, what was typed still there
        assert form.query_one("#f-at", Input).value == "23-11-2026 09:30"
        assert _missed(screen, ban.case_id) == ["mayor_informed"]
    assert _events(ban, ban.case_id, "inform_mayor") == []
    assert _version(ban, ban.case_id) == version


async def test_support_reads_the_deadlines_but_is_not_offered_the_tick(ban):
    support = Actor(name="Fatima Bakker", roles=frozenset({"support"}), username="fatima")
    app = _app(ban, support)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(pilot)
        deadlines = screen.query_one(DeadlineList)
        assert "Burgemeester geïnformeerd" in str(deadlines.render())
        assert "afvinken" not in str(deadlines.render())
        assert not any(item.tickable for item in deadlines.items)
        await pilot.press("tab")
        await pilot.pause()
        assert screen.focused is deadlines  # she may move through them
        assert "Afvinken" not in {description for _, description in binding_rows(screen)}
        assert "afvinken" not in str(deadlines.render())
        await pilot.press("x", "space")
        await pilot.pause()
        assert pilot.app.screen is screen  # no form
        await pilot.press("escape")
        await pilot.pause()
        assert screen.focused is screen.table
        await pilot.press("tab", "enter")  # Enter opens the case, as everywhere in the queue
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CaseScreen))
    assert _events(ban, ban.case_id, "inform_mayor") == []


async def test_the_palette_finds_a_step_by_its_dutch_name(ban):
    app = _app(ban, ban.ans)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"bereikbaarheidsadres")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ActionForm))
        await pilot.pause()
        form = pilot.app.screen
        assert form.query_one("#f-action", Select).value == "record_reachable_address"
        address = form.query_one("#f-address", Input)
        assert address.value == "p/a Hertogsingel 12, 6041 AB Roermond"  # as recorded
        address.focus()
        await pilot.press("ctrl+u", *"Kloosterwandstraat 9, Roermond", "f2")
        await wait_for(pilot, lambda: not isinstance(pilot.app.screen, ActionForm))
    (event,) = _events(ban, ban.case_id, "record_reachable_address")
    assert "Kloosterwandstraat 9, Roermond" in str(event.details)
    with ban.connect() as conn:
        assert (
            conn.execute(
                select(func.count())
                .select_from(Case.__table__)
                .where(Case.__table__.c.reachable_address == "Kloosterwandstraat 9, Roermond")
            ).scalar()
            == 1
        )


async def test_the_help_names_the_deadline_keys_in_dutch(ban):
    app = _app(ban, ban.ans)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, HelpScreen))
        shown = dict((d, k) for k, d in pilot.app.screen.bindings_shown)
        assert shown["Termijnen"] == "tab"
        assert "Omhoog" in shown and not set(shown) & set(DUTCH)  # Textual's English, in Dutch
        await pilot.press("escape", "tab", "question_mark")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, HelpScreen))
        shown = dict((d, k) for k, d in pilot.app.screen.bindings_shown)
        assert {"Afvinken", "Terug", "Omlaag", "Omhoog"} <= set(shown)
        assert "x" in shown["Afvinken"] and "esc" in shown["Terug"]
