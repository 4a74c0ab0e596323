"""A reminder (r) writes one event, reminder_sent, and bumps the case's version once: finding the
document takes the id from the queue row's facts, not a logged read of the case (which wrote a
false "case_opened" to the audit log). Without the id, the form refuses in Dutch."""

from __future__ import annotations

import dataclasses

from sqlalchemy import select
from textual.widgets import Select

from screens.forms import ActionForm
from store.models import Case, Event, Outbox
from store.sql import SqlStore
from tests.test_case_screen import app_for, form_open, goto
from tests.test_queue_screen import loaded, wait_for

NUMBER = "HV-2026-00103"  # world.ids["soon"]: a late zorgadvies


def _events(engine, case_id: int) -> list[str]:
    E = Event.__table__.c
    with engine.connect() as conn:
        return list(
            conn.execute(select(E.action).where(E.case_id == case_id).order_by(E.id)).scalars()
        )


def _version(engine, case_id: int) -> int:
    C = Case.__table__.c
    with engine.connect() as conn:
        return conn.execute(select(C.version).where(C.id == case_id)).scalar_one()


async def _open_reminder(pilot) -> ActionForm:
    await loaded(pilot)
    await goto(pilot, NUMBER)
    await pilot.press("r")
    form = await form_open(pilot)
    assert "Herinnering" in form.form_title
    assert form.query_one("#f-kind", Select).value == "zorgadvies"
    return form


async def test_a_reminder_writes_one_reminder_sent_event_and_no_case_opened(world, backend):
    case_id = world.ids["soon"]
    events_before = _events(world, case_id)
    version_before = _version(world, case_id)
    app = app_for(world, world.ans, backend)
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_reminder(pilot)
        await pilot.press("f2")
        await wait_for(pilot, lambda: not isinstance(app.screen, ActionForm), timeout=10)
    events_after = _events(world, case_id)
    assert events_after[: len(events_before)] == events_before
    assert events_after[len(events_before) :] == ["reminder_sent"]
    assert "case_opened" not in events_after
    assert _version(world, case_id) == version_before + 1


class _StoreWithoutDocumentIds(SqlStore):
    """Queue rows whose documents carry no id (an older API, say)."""

    def queue_rows(self, *args, **kwargs):
        return [
            dataclasses.replace(
                row,
                facts=dataclasses.replace(
                    row.facts,
                    documents=tuple(dataclasses.replace(d, id=None) for d in row.facts.documents),
                ),
            )
            for row in super().queue_rows(*args, **kwargs)
        ]


async def test_without_a_document_id_the_reminder_is_refused_in_dutch(world):
    case_id = world.ids["soon"]
    events_before = _events(world, case_id)
    version_before = _version(world, case_id)
    app = app_for(world, world.ans, backend=lambda engine, actor: _StoreWithoutDocumentIds(engine))
    async with app.run_test(size=(120, 40)) as pilot:
        form = await _open_reminder(pilot)
        await pilot.press("f2")
        await wait_for(pilot, lambda: not form.saving, timeout=10)
        await pilot.pause()
        assert app.screen is form
        shown = " ".join(str(w.render()) for w in form.query("#e-kind, #form-status"))
        assert "geen herinnering verstuurd" in shown
    assert _events(world, case_id) == events_before
    assert _version(world, case_id) == version_before
    with world.connect() as conn:
        assert conn.execute(select(Outbox.__table__)).first() is None
