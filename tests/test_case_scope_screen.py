"""A case write outside the actor's scope is refused by the store, whichever door it comes
through (issue 15): the TUI on the database and the TUI over the API (``backend``). Ans opens the
reminder form on HV-2026-00103 (Roermond, her region); before she saves, the beheerder takes her
regions away. The save then meets the store's scope check: "zaak bestaat niet" in the form, and
the case's version and events stay as they were. (The screens' own scope is what they were
given at login; the store reads the account's scope anew on every write.)"""

from __future__ import annotations

from sqlalchemy import delete, select

from store.models import AccountRegion, Case, Event
from tests.test_case_screen import app_for
from tests.test_queue_screen import wait_for
from tests.test_reminder_events import _open_reminder

AG = AccountRegion.__table__


def _case_state(engine, case_id: int) -> tuple[int, list[str]]:
    C, E = Case.__table__.c, Event.__table__.c
    with engine.connect() as conn:
        version = conn.execute(select(C.version).where(C.id == case_id)).scalar_one()
        events = conn.execute(select(E.action).where(E.case_id == case_id).order_by(E.id))
        return version, list(events.scalars())


async def test_a_write_outside_the_actors_scope_is_refused_by_the_store(world, backend):
    case_id = world.ids["soon"]  # Roermond; Ans is no partner on it, her region shows it
    app = app_for(world, world.ans, backend)
    async with app.run_test(size=(120, 40)) as pilot:
        form = await _open_reminder(pilot)
        with world.begin() as conn:  # the beheerder takes Ans's regions away
            conn.execute(delete(AG).where(AG.c.account_id == world.ans.account_id))
        before = _case_state(world, case_id)
        await pilot.press("f2")
        await wait_for(pilot, lambda: not form.saving, timeout=10)
        await pilot.pause()
        assert app.screen is form
        shown = " ".join(str(w.render()) for w in form.query("#form-status"))
        assert "zaak bestaat niet" in shown
    assert _case_state(world, case_id) == before
    assert "reminder_sent" not in before[1]
