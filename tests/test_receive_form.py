"""Registering a received document with the fields of its standard form, keys only."""

from __future__ import annotations

from sqlalchemy import select
from textual.widgets import Select, Static, TextArea

from screens.forms import ActionForm
from store.models import Document, Event
from tests.test_case_screen import app_for, count, form_open, goto
from tests.test_queue_screen import loaded, wait_for
from tests.test_screening_screen import choose

D = Document.__table__.c


def visible(form: ActionForm, name: str) -> bool:
    return bool(form.query(f"#f-{name}"))


async def test_receive_a_zorgadvies_with_its_standard_form(world):
    case_id = world.ids["soon"]
    app = app_for(world, world.ans)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await goto(pilot, "HV-2026-00103")
        await pilot.press("o")
        form = await form_open(pilot)
        assert form.query_one("#f-kind", Select).value == "zorgadvies"  # the late one first
        assert visible(form, "zorgadvies__advies") and not visible(form, "rihg__s01")
        # Saving without the form's required fields: messages at the fields, nothing saved.
        await pilot.press("f2")
        error = form.query_one("#e-zorgadvies__motivering", Static)
        await wait_for(pilot, lambda: "verplicht" in str(error.render()))
        assert count(world, Event, case_id=case_id, action="document_received") == 0
        await choose(pilot, "zorgadvies__advies", 1)  # verlengen
        await choose(pilot, "zorgadvies__hulp_gestart", 1)  # ja
        form.query_one("#f-zorgadvies__motivering", TextArea).focus()
        await pilot.press(*"Hulp loopt, dreiging blijft")
        await pilot.press("f2")
        await wait_for(pilot, lambda: not isinstance(app.screen, ActionForm), timeout=10)
    with world.connect() as conn:
        doc = conn.execute(
            select(D.status, D.fields, D.author_name).where(
                D.case_id == case_id, D.kind == "zorgadvies"
            )
        ).one()
    assert doc.status == "received"
    assert doc.fields == {
        "advies": "verlengen",
        "hulp_gestart": "ja",
        "motivering": "Hulp loopt, dreiging blijft",
    }


async def test_choosing_another_document_shows_its_own_fields(world):
    app = app_for(world, world.ans)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await goto(pilot, "HV-2026-00103")
        await pilot.press("o")
        form = await form_open(pilot)
        await choose(pilot, "kind", 2)  # proces-verbaal (no blank option)
        await pilot.pause()
        assert visible(form, "proces_verbaal__pv_nummer") and not visible(
            form, "zorgadvies__advies"
        )
        # A hidden form's required fields do not block the one chosen.
        values = form.parsed()
        assert values is None  # the PV's own required fields are empty
        assert "verplicht" in str(form.query_one("#e-proces_verbaal__pv_nummer", Static).render())
        # Back to the zorgadvies: what was typed there is still there.
        await choose(pilot, "kind", 3)
        assert visible(form, "zorgadvies__advies") and not visible(
            form, "proces_verbaal__pv_nummer"
        )
