"""Faults against a real PostgreSQL: the app talks to the server through a small TCP proxy
(tests/tcp_proxy.py) that the test cuts and restores. A form being saved when the connection goes
away stays open with what was typed and says so; after the server is back, saving again writes
the change exactly once: one note, one event, the case's version one up, nothing half-written.

(The queue with the connection cut while it is open -- banner, last rows kept, reconnect, fresh
rows after it -- is
tests/test_queue_screen.py::test_lost_connection_shows_banner_keeps_rows_and_recovers.)
"""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url
from textual.widgets import Static, TextArea

from screens.case import CaseScreen
from screens.forms import ActionForm
from store.db import make_engine, open_database
from store.interface import Actor
from store.models import Case, CasePartner, Event, Note
from tests.queue_data import seed_queue
from tests.tcp_proxy import TcpProxy
from tests.test_case_screen import app_for, form_open, goto
from tests.test_queue_screen import loaded, wait_for

pytestmark = pytest.mark.postgres

C = Case.__table__.c
TEXT = "Lotte gebeld, zorgadvies komt morgen"


@pytest.fixture
def proxied(pg_schema_url):
    """(direct engine, engine through the proxy, proxy, ids, Ans) on a seeded schema."""
    url, schema = pg_schema_url
    direct = open_database(url, auto_upgrade=True, schema=schema)
    with direct.begin() as conn:
        ids = seed_queue(conn)
        ans_id = conn.execute(
            select(func.min(CasePartner.__table__.c.account_id)).where(
                CasePartner.__table__.c.role == "procesmanager"
            )
        ).scalar()
    real = make_url(url)
    proxy = TcpProxy(real.host or "127.0.0.1", real.port or 5432)
    through = make_engine(
        real.set(port=proxy.port).render_as_string(hide_password=False), schema=schema
    )
    ans = Actor(
        name="Ans Verhoeven", roles=frozenset({"procesmanager"}), account_id=ans_id, username="ans"
    )
    try:
        yield direct, through, proxy, ids, ans
    finally:
        proxy.close()
        through.dispose()
        direct.dispose()


def state(direct, case_id: int) -> tuple[int, int, int]:
    """(version, notes, note events) of the case, read around the proxy."""
    with direct.connect() as conn:
        version = conn.execute(select(C.version).where(C.id == case_id)).scalar()
        notes = conn.execute(
            select(func.count())
            .select_from(Note.__table__)
            .where(Note.__table__.c.case_id == case_id)
        ).scalar()
        events = conn.execute(
            select(func.count())
            .select_from(Event.__table__)
            .where(Event.__table__.c.case_id == case_id, Event.__table__.c.action == "note_added")
        ).scalar()
    return version, notes, events


async def open_note_form(pilot, number: str) -> ActionForm:
    """From the queue: the case opened (Enter), then its note form with TEXT typed in it."""
    await loaded(pilot)
    await goto(pilot, number)
    await pilot.press("enter")
    app = pilot.app
    await wait_for(
        pilot, lambda: isinstance(app.screen, CaseScreen) and app.screen.detail is not None
    )
    await pilot.press("n")
    form = await form_open(pilot)
    await pilot.press(*TEXT)
    await pilot.pause()
    return form


async def fails_and_keeps_input(pilot, form: ActionForm) -> None:
    await pilot.press("f2")
    await wait_for(pilot, lambda: not form.saving, timeout=15)
    assert pilot.app.screen is form  # the form stays open...
    assert form.query_one("#f-text", TextArea).text == TEXT  # ...with what was typed
    status = str(form.query_one("#form-status", Static).render())
    assert "verbroken" in status and "invoer staat er nog" in status, status


async def saves_once_after_restore(pilot, form: ActionForm, proxy: TcpProxy) -> None:
    proxy.restore()
    await pilot.press("f2")
    await wait_for(pilot, lambda: pilot.app.screen is not form, timeout=15)
    assert isinstance(pilot.app.screen, CaseScreen)


async def saves_by_itself_after_restore(pilot, form: ActionForm, proxy: TcpProxy) -> None:
    """Scenario 6: when the database is back, the save goes through without a key press."""
    proxy.restore()
    await wait_for(pilot, lambda: pilot.app.screen is not form, timeout=20)
    assert isinstance(pilot.app.screen, CaseScreen)


async def test_cut_before_saving_a_note_keeps_the_form_and_saves_once_after_restore(proxied):
    direct, through, proxy, ids, ans = proxied
    case_id = ids["soon"]
    app = app_for(through, ans)
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_note_form(pilot, "HV-2026-00103")
        before = state(direct, case_id)
        assert before[1:] == (0, 0)

        proxy.cut()
        await fails_and_keeps_input(pilot, form)
        assert state(direct, case_id) == before  # nothing written
        status = str(form.query_one("#form-status", Static).render())
        assert "probeert het over" in status, status

        await saves_by_itself_after_restore(pilot, form, proxy)
        version, notes, events = state(direct, case_id)
        assert (version, notes, events) == (before[0] + 1, 1, 1)
        with direct.connect() as conn:
            assert conn.execute(select(Note.__table__.c.text)).scalar_one() == TEXT
        # The case screen reloads through the restored connection and shows the note.
        screen = app.screen
        await wait_for(
            pilot,
            lambda: screen.detail is not None and [n.text for n in screen.detail.notes] == [TEXT],
            timeout=10,
        )


async def test_cut_in_the_middle_of_the_save_writes_nothing_then_exactly_once(proxied):
    """The connection goes away after the case's version was bumped in the save's transaction,
    just before the note row: the server rolls the whole transaction back (no bumped version
    without its note and event), the form keeps the text, and the retry writes it once."""
    direct, through, proxy, ids, ans = proxied
    case_id = ids["soon"]
    armed = {"on": False, "fired": 0}

    @event.listens_for(through, "before_cursor_execute")
    def cut_before_note_insert(conn, cursor, statement, parameters, context, executemany):
        if armed["on"] and statement.lstrip().upper().startswith("INSERT INTO NOTE"):
            armed["on"] = False
            armed["fired"] += 1
            proxy.cut()

    app = app_for(through, ans)
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_note_form(pilot, "HV-2026-00103")
        before = state(direct, case_id)

        armed["on"] = True
        await fails_and_keeps_input(pilot, form)
        assert armed["fired"] == 1  # the cut came inside the transaction, after the version bump
        assert state(direct, case_id) == before  # rolled back whole: no half-written case

        await saves_once_after_restore(pilot, form, proxy)
        assert state(direct, case_id) == (before[0] + 1, 1, 1)


async def test_the_answer_to_commit_lost_the_form_is_honest_and_the_retry_saves_once(proxied):
    """The worst moment: the server committed the note, then the connection went away before the
    answer reached the app. The form cannot know it was saved and says so; F2 again (same input,
    so the same idempotency key) finds the first attempt's write and closes the form as saved,
    without a conflict with its own write and without a second note."""
    direct, through, proxy, ids, ans = proxied
    case_id = ids["soon"]
    app = app_for(through, ans)
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_note_form(pilot, "HV-2026-00103")
        before = state(direct, case_id)

        proxy.lose_commit_answer()
        await fails_and_keeps_input(pilot, form)
        assert proxy.commit_lost.is_set()
        assert state(direct, case_id) == (before[0] + 1, 1, 1)  # it was saved after all
        status = str(form.query_one("#form-status", Static).render())
        assert "niet zeker of er is opgeslagen" in status and "zonder iets dubbel" in status, status
        assert "niets opgeslagen" not in status

        await saves_once_after_restore(pilot, form, proxy)
        assert state(direct, case_id) == (
            before[0] + 1,
            1,
            1,
        )  # once: one note, one bump, one event
        with direct.connect() as conn:
            assert conn.execute(select(Note.__table__.c.text)).scalar_one() == TEXT
