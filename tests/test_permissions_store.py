"""Per role, the permission matrix as the user meets it: what a role may do succeeds in the store,
what it may not is refused with a Dutch message and changes nothing, and is absent on screen."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hvo_tui.app import HvoApp
from hvo_tui.domain import Permission, allowed
from hvo_tui.domain.localtime import FrozenClock
from hvo_tui.domain.vocab import Role
from screens.case_actions import CASE_ACTIONS, may
from store.interface import Actor, Refused
from store.models import Case, Event
from store.sql import SqlStore
from tests.conftest import FROZEN_NOW
from tests.queue_data import seed_queue

# Hand-written expectations (not recomputed from the matrix): who may add a note / meeting /
# assignment (process management), who may register a received document, who decides.
EDITS = {"procesmanager", "casemanager", "veilig_thuis"}
RECEIVES = EDITS | {"politie", "hovj", "bestuurder", "beleidsmedewerker"}
DECIDES = {"bestuurder"}


def _state(engine, case_id):
    with engine.connect() as conn:
        version = conn.execute(
            select(Case.__table__.c.version).where(Case.__table__.c.id == case_id)
        ).scalar()
        events = conn.execute(
            select(func.count())
            .select_from(Event.__table__)
            .where(Event.__table__.c.case_id == case_id)
        ).scalar()
    return version, events


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_each_role_in_the_store(engine, role):
    with engine.begin() as conn:
        ids = seed_queue(conn)
    store = SqlStore(engine)
    store.clock = FrozenClock(FROZEN_NOW)
    actor = Actor(name=f"test {role}", roles=frozenset({role}))
    case_id = ids["soon"]

    def attempt(write, expected: bool):
        before = _state(engine, case_id)
        version = store.queue_rows({case_id})[0].version
        if expected:
            write(version)
            assert _state(engine, case_id)[0] == before[0] + 1
        else:
            with pytest.raises(Refused) as refused:
                write(version)
            assert str(refused.value) and _state(engine, case_id) == before  # nothing changed

    assert (role in EDITS) == allowed({role}, Permission.EDIT_CASE)
    attempt(lambda v: store.add_note(case_id, v, actor, text="gebeld"), role in EDITS)
    attempt(
        lambda v: store.receive_document(
            case_id,
            v,
            "zorgadvies",
            actor,
            received_at=FROZEN_NOW,
            author_name="Lotte Jansen",
            fields={},
        ),
        role in RECEIVES,
    )
    case_today = ids["today"]
    version = store.queue_rows({case_today})[0].version
    before = _state(engine, case_today)
    if role in DECIDES:
        store.apply_action(
            case_today, version, "extend", actor, extended_until=FROZEN_NOW.add(days=10)
        )
        assert _state(engine, case_today)[0] == before[0] + 1
    else:
        with pytest.raises(Refused):
            store.apply_action(
                case_today, version, "extend", actor, extended_until=FROZEN_NOW.add(days=10)
            )
        assert _state(engine, case_today) == before


@pytest.mark.parametrize("role", [r.value for r in Role])
async def test_each_role_on_screen(tmp_path, role):
    from store.db import open_database

    engine = open_database(f"sqlite:///{tmp_path / 'hvo.db'}", auto_upgrade=True)
    with engine.begin() as conn:
        seed_queue(conn)
    actor = Actor(name=f"test {role}", roles=frozenset({role}))
    app = HvoApp(SqlStore(engine), clock=FrozenClock(FROZEN_NOW), actor=actor)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        offered = {b.binding.action for b in screen.active_bindings.values()}
        for spec in CASE_ACTIONS:
            expected = may(actor, spec)
            assert screen.check_action("case_action", (spec.id,)) is bool(expected)
            assert (f"case_action('{spec.id}')" in offered) == expected
        assert may(actor, next(s for s in CASE_ACTIONS if s.id == "note")) == (role in EDITS)
        assert may(actor, next(s for s in CASE_ACTIONS if s.id == "decide")) == (role in DECIDES)
    engine.dispose()
