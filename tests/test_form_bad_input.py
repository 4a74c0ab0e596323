"""Issue 5: bad input in every case form shows its Dutch message next to the field, keeps what was
typed and saves nothing (the forms not covered by their own tests: request, meeting, assign, the
life-cycle form, the mayor's decision and the receive form)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from textual.widgets import Input, Select, Static, TextArea

from store.models import Event
from tests.test_case_screen import app_for, form_open, goto
from tests.test_queue_screen import loaded, wait_for

# The store refuses the same on both databases (tests/test_case_writes.py); the forms, on SQLite.
pytestmark = pytest.mark.parametrize("db_target", ["sqlite"], indirect=True)

SOON = "HV-2026-00103"  # running since 21-11, ends 25-11
TODAY = "HV-2026-00102"  # both advices in; the mayor's decision is due


def events(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(
            select(func.count())
            .select_from(Event.__table__)
            .where(Event.__table__.c.action != "case_opened")
        ).scalar()


CASES = [
    # (who, case, key, field, bad value, words in the message)
    ("ans", SOON, "v", "due_at", "01-01-2020 10:00", "verleden"),
    ("ans", SOON, "v", "due_at", "01-01-2040 10:00", "te ver"),
    ("ans", SOON, "v", "due_at", "32-13-2026", "geen geldig moment"),
    ("ans", SOON, "g", "held_at", "01-06-2031 10:00", "toekomst"),
    ("ans", SOON, "g", "held_at", "01-01-2020 10:00", "begin van de zaak"),
    ("ans", SOON, "o", "received_at", "01-06-2031 10:00", "toekomst"),
    ("ans", SOON, "o", "author", "", "verplicht"),
    ("ans", SOON, "l", "moment", "01-06-2031 10:00", ""),
    ("mayor", TODAY, "b", "extended_until", "01-01-2027 17:00", "uiterlijk"),
]


@pytest.mark.parametrize(
    "who, number, key, field, bad, words",
    CASES,
    ids=[f"{c[2]}-{c[3]}-{i}" for i, c in enumerate(CASES)],
)
async def test_bad_input_message_at_the_field_input_kept_nothing_saved(
    world, who, number, key, field, bad, words
):
    actor = world.ans if who == "ans" else world.mayor
    before = events(world)
    app = app_for(world, actor)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await goto(pilot, number)
        await pilot.press(key)
        form = await form_open(pilot)
        if key == "l":  # the life-cycle form: registering an appeal takes the moment
            action = form.query_one("#f-action", Select)
            assert "register_appeal" in [v for _, v in form.specs[0].options]
            action.value = "register_appeal"
            await pilot.pause()
        # Everything else filled in well, so only the bad value stands in the way.
        if key == "g":
            form.query_one("#f-outcome", TextArea).text = "plan gemaakt"
        if key == "o" and field != "author":
            form.query_one("#f-zorgadvies__advies", Select).value = "verlengen"
            form.query_one("#f-zorgadvies__hulp_gestart", Select).value = "ja"
            form.query_one("#f-zorgadvies__motivering", TextArea).text = "hulp loopt"
        await pilot.pause()
        widget = form.query_one(f"#f-{field}", Input)
        widget.value = bad
        await pilot.press("f2")
        error = form.query_one(f"#e-{field}", Static)
        await wait_for(pilot, lambda: str(error.render()).strip() != "", timeout=10)
        assert words in str(error.render())
        assert form.query_one(f"#f-{field}", Input).value == bad  # what was typed stays
        assert pilot.app.screen is form  # the form stays open
    assert events(world) == before  # nothing saved, nothing logged


async def test_assign_without_an_account_says_so(world):
    before = events(world)
    app = app_for(world, world.ans)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await goto(pilot, SOON)
        await pilot.press("a")
        form = await form_open(pilot)
        await pilot.press("f2")
        error = form.query_one("#e-account", Static)
        await wait_for(pilot, lambda: "verplicht" in str(error.render()))
    assert events(world) == before
