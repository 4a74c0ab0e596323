"""The case screen and the inline action forms, with keys only, against real databases:
the scenarios of a procesmanager's morning, the mayor's decision, and two people on one case."""

from __future__ import annotations

from sqlalchemy import func, select
from textual.widgets import Input, Static

from hvo_tui.app import HvoApp
from hvo_tui.domain.localtime import FrozenClock
from screens.case import CaseScreen
from screens.forms import ActionForm
from store.db import make_engine
from store.interface import Actor
from store.models import Case, Event, Note, Outbox
from store.sql import SqlStore
from tests.conftest import FROZEN_NOW
from tests.test_queue_screen import cursor_number, loaded, numbers, wait_for

C = Case.__table__.c


def app_for(engine, actor, backend=None) -> HvoApp:
    store = (
        backend(engine, actor) if backend else SqlStore(engine)
    )  # backend: tests/api_fixtures.py
    return HvoApp(store, clock=FrozenClock(FROZEN_NOW), actor=actor, username=actor.username)


async def goto(pilot, number: str) -> None:
    await pilot.press("colon", *f"zaak {number}", "enter")
    await pilot.pause()


async def form_open(pilot) -> ActionForm:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ActionForm))
    await pilot.pause()
    return pilot.app.screen


def count(engine, table, **where) -> int:
    query = select(func.count()).select_from(table.__table__)
    for key, value in where.items():
        query = query.where(table.__table__.c[key] == value)
    with engine.connect() as conn:
        return conn.execute(query).scalar()


async def test_enter_opens_the_case_logs_the_opening_and_esc_goes_back(world, backend):
    app = app_for(world, world.ans, backend)
    async with app.run_test(size=(120, 40)) as pilot:
        queue = await loaded(pilot)
        await goto(pilot, "HV-2026-00101")
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: isinstance(app.screen, CaseScreen) and app.screen.detail is not None
        )
        screen = app.screen
        header = str(screen.query_one("#case-header", Static).render())
        assert "HV-2026-00101" in header and "Venlo" in header
        overview = screen.query_one("#case-overview", Static)
        assert overview.display
        assert count(world, Event, case_id=world.ids["missed"], action="case_opened") == 1
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is queue and cursor_number(queue) == "HV-2026-00101"


async def test_triage_remind_and_note_from_the_queue(world, backend):
    app = app_for(world, world.ans, backend)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await goto(pilot, "HV-2026-00103")
        await pilot.press("r")
        form = await form_open(pilot)
        assert "Herinnering" in form.form_title
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, ActionForm))
        with world.connect() as conn:
            mail = conn.execute(select(Outbox.__table__)).one()
        assert mail.recipient == "lotte@example.nl"
        assert "zorgadvies" in mail.subject.lower() and "HV-2026-00103" in mail.subject
        assert count(world, Event, case_id=world.ids["soon"], action="reminder_sent") == 1

        await pilot.press("n")
        form = await form_open(pilot)
        await pilot.press(*"Lotte gebeld, advies komt morgen")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, ActionForm))
        with world.connect() as conn:
            note = conn.execute(select(Note.__table__)).one()
        assert note.text == "Lotte gebeld, advies komt morgen" and note.case_id == world.ids["soon"]


async def test_an_empty_note_is_refused_next_to_the_field_and_esc_asks_before_losing_input(world):
    app = app_for(world, world.ans)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("n")
        form = await form_open(pilot)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "verplicht" in str(form.query_one("#e-text", Static).render())
        await pilot.press(*"half af")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is form  # not lost at the first Esc
        assert "Nogmaals Esc" in str(form.query_one("#form-status", Static).render())
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ActionForm)
        assert count(world, Note) == 0


async def test_the_mayors_decision_offers_the_limit_and_refuses_beyond_it(world, backend):
    app = app_for(world, world.mayor, backend)
    async with app.run_test(size=(120, 40)) as pilot:
        queue = await loaded(pilot)
        await goto(pilot, "HV-2026-00102")  # ends today 17:00, both advices in
        await pilot.press("b")
        form = await form_open(pilot)
        until = form.query_one("#f-extended_until", Input)
        assert until.value == "11-12-2026 17:00"  # T0 13-11 17:00 + 28 days: the limit
        until.value = "12-12-2026 17:00"
        await pilot.press("ctrl+s")
        await wait_for(
            pilot, lambda: "uiterlijk" in str(form.query_one("#e-extended_until", Static).render())
        )
        assert until.value == "12-12-2026 17:00"  # what was typed stays
        assert count(world, Event, case_id=world.ids["today"], action="extend") == 0
        until.value = "11-12-2026 17:00"  # 18 days after the end: the limit exactly
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, ActionForm))
        with world.connect() as conn:
            case = conn.execute(select(Case.__table__).where(C.id == world.ids["today"])).one()
        assert case.status == "extended"
        # Next: the extension must reach the banned person before the old end, today 17:00
        # (issue 16; the ban itself now runs 18 days longer).
        await wait_for(
            pilot,
            lambda: (
                "vandaag 17:00"
                in " ".join(
                    c.plain
                    for c in queue.query_one("#queue-table").get_row(str(world.ids["today"]))
                )
                and "extension_served"
                in {d.kind.value for d in queue.model.derived[world.ids["today"]].deadlines}
            ),
        )


async def test_the_decision_is_not_offered_to_a_procesmanager(world):
    app = app_for(world, world.ans)
    async with app.run_test(size=(100, 30)) as pilot:
        queue = await loaded(pilot)
        assert queue.check_action("case_action", ("decide",)) is False
        assert "decide" not in {
            b.binding.action for b in queue.active_bindings.values() if "decide" in b.binding.action
        }
        await pilot.press("b")
        await pilot.pause()
        assert not isinstance(app.screen, ActionForm)


async def test_two_people_one_case_conflict_keeps_input_and_saves_on_top(world, db_target, backend):
    url, schema = db_target
    app = app_for(world, world.ans, backend)
    other = SqlStore(make_engine(url, schema=schema))
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await loaded(pilot)
            await goto(pilot, "HV-2026-00103")
            await pilot.press("n")
            form = await form_open(pilot)
            await pilot.press(*"casemanager wordt Jeroen")
            # Mehmet records a meeting on the same case meanwhile.
            version = other.queue_rows({world.ids["soon"]})[0].version
            other.record_meeting(
                world.ids["soon"],
                version,
                Actor(name="Mehmet Yilmaz", roles=frozenset({"procesmanager"})),
                kind="overleg_dag3",
                held_at=FROZEN_NOW.subtract(hours=1),
                participants="Mehmet, Lotte",
                outcome="afspraken gemaakt",
            )
            await pilot.press("ctrl+s")
            status = form.query_one("#form-status", Static)
            await wait_for(pilot, lambda: "gewijzigd" in str(status.render()))
            assert app.screen is form
            assert form.raw_values()["text"] == "casemanager wordt Jeroen"
            await pilot.press("ctrl+s")  # save on top of Mehmet's change
            await wait_for(pilot, lambda: not isinstance(app.screen, ActionForm))
        assert count(world, Note, case_id=world.ids["soon"]) == 1
        assert count(world, Event, case_id=world.ids["soon"], action="meeting_recorded") == 1
        assert count(world, Event, case_id=world.ids["soon"], action="note_added") == 1
    finally:
        other.engine.dispose()


async def test_assign_a_casemanager_from_the_accounts_list(world, backend):
    app = app_for(world, world.ans, backend)
    async with app.run_test(size=(120, 40)) as pilot:
        queue = await loaded(pilot)
        await goto(pilot, "HV-2026-00102")  # no casemanager yet
        assert "niet toegewezen" in str(queue.query_one("#detail-partners", Static).render())
        await pilot.press("a")
        form = await form_open(pilot)
        select_account = form.query_one("#f-account")
        await wait_for(pilot, lambda: len(select_account._options) > 1)
        select_account.value = world.second_cm
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, ActionForm))
        await wait_for(
            pilot,
            lambda: "Jeroen Smeets" in str(queue.query_one("#detail-partners", Static).render()),
        )
        assert "HV-2026-00102" in numbers(queue)
