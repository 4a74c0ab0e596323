"""Issue 16, the beschikking's content on screen (Wth art. 2 lid 4), on a real database.

Registering the beschikking ("Document ontvangen", key o): the form shows the duration (T0 and its
end, computed, never typed), prefills the place and the banned person from the case and the
contact ban with every achterblijver and child of the household, one per line; without the facts
and circumstances it says so at that field; a name outside the household is refused by the rules
at the contact-ban field; nothing is saved until it is complete. The mayor's signing screen says
under an incomplete draft why it cannot be signed and asks no password for it.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from textual.widgets import Input, Select, Static, TextArea

from hvo_tui.app import HvoApp
from hvo_tui.domain.localtime import FrozenClock
from screens.forms import ActionForm
from screens.signing import SigningScreen
from store.models import Account, Case, Document
from store.sql import SqlStore
from tests.conftest import FROZEN_NOW
from tests.factories import add_document, add_person
from tests.test_queue_screen import loaded, wait_for
from tests.test_serving_screen import _ans
from tests.test_signing_screen import app_for, text_of
from tests.test_signing_store import build_world, rows

T0 = FROZEN_NOW.subtract(days=2)  # Saturday 21 November 2026 08:30
NUMBER = "HV-2026-00401"
D = Document.__table__.c


@pytest.fixture
def ban(engine):
    """Imposed at T0 on Kevin, with his partner Sanne and their son Noah at home; the RiHG in,
    the beschikking requested at imposing."""
    from tests.factories import seed_case

    with engine.begin() as conn:
        case_id = seed_case(conn, number=NUMBER, status="imposed", t0=T0, municipality="Roermond")
        add_person(conn, case_id, "Kevin", "Peeters", birth=date(1988, 4, 2))
        add_person(conn, case_id, "Sanne", "Peeters", role="achterblijver")
        add_person(conn, case_id, "Noah", "Peeters", role="kind", birth=date(2017, 6, 1))
        add_document(conn, case_id, "rihg", "received", received_at=T0)
        add_document(
            conn,
            case_id,
            "beschikking",
            "requested",
            requested_at=T0,
            due_at=T0.add(days=1),
            requested_from_role="bestuurder",
        )
        engine.ans = _ans(conn, case_id)
    engine.case_id = case_id
    return engine


def _version(engine, case_id: int) -> int:
    with engine.connect() as conn:
        return conn.execute(
            select(Case.__table__.c.version).where(Case.__table__.c.id == case_id)
        ).scalar_one()


def _beschikking(engine, case_id: int):
    with engine.connect() as conn:
        return conn.execute(
            select(D.status, D.fields).where(D.case_id == case_id, D.kind == "beschikking")
        ).one()


async def test_the_beschikking_form_prefills_what_the_case_holds_and_refuses_at_the_field(ban):
    app = HvoApp(
        SqlStore(ban), clock=FrozenClock(FROZEN_NOW), actor=ban.ans, username=ban.ans.username
    )
    version = _version(ban, ban.case_id)
    async with app.run_test(size=(100, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ActionForm))
        await pilot.pause()
        form = pilot.app.screen
        assert form.query_one("#f-kind", Select).value == "beschikking"
        intro = str(form.query_one("#form-intro").render())
        assert "Duur van de beschikking: 21-11-2026 08:30 tot 01-12-2026 08:30" in intro
        assert (
            form.query_one("#f-beschikking__woning", Input).value == "Markt 401, 6041 EL Roermond"
        )
        assert form.query_one("#f-beschikking__uithuisgeplaatste", Input).value == "Kevin Peeters"
        names = form.query_one("#f-beschikking__contactverbod", TextArea)
        assert names.text == "Sanne Peeters\nNoah Peeters"  # every achterblijver and child
        assert form.query_one("#f-beschikking__feiten", TextArea).text == ""

        # Without the facts and circumstances: said at that field, nothing saved.
        await pilot.press("f2")
        facts_error = form.query_one("#e-beschikking__feiten", Static)
        await wait_for(pilot, lambda: "verplicht" in str(facts_error.render()))
        assert _beschikking(ban, ban.case_id).status == "requested"

        # A name outside the household: the rules refuse it at the contact-ban field.
        form.query_one("#f-author", Input).value = "Hoofdagent De Wit"
        form.query_one("#f-beschikking__feiten", TextArea).focus()
        await pilot.press(*"Slaan en dreigen")
        names.text = "Sanne Peeters\nPiet Buurman"
        await pilot.press("f2")
        ban_error = form.query_one("#e-beschikking__contactverbod", Static)
        await wait_for(pilot, lambda: "Piet Buurman" in str(ban_error.render()))
        assert "Niet in het huishouden van deze zaak" in str(ban_error.render())
        assert pilot.app.screen is form and _version(ban, ban.case_id) == version

        # Strike the stranger (the son stays off the ban: the mayor's choice) and save.
        names.text = "Sanne Peeters"
        await pilot.press("f2")
        await wait_for(pilot, lambda: not isinstance(pilot.app.screen, ActionForm))
    saved = _beschikking(ban, ban.case_id)
    assert saved.status == "received"
    assert saved.fields["feiten"] == "Slaan en dreigen"
    assert saved.fields["contactverbod"] == "Sanne Peeters"
    assert saved.fields["woning"] == "Markt 401, 6041 EL Roermond"


async def test_the_signing_screen_says_why_an_incomplete_draft_cannot_be_signed(engine):
    world = build_world(engine)
    with engine.begin() as conn:
        conn.execute(
            Document.__table__.update()
            .where(D.id == world.draft)
            .values(fields={"verlengd_tot": "11-12-2026 17:00"})  # the grounds are missing
        )
    app = app_for(world, world.mayor)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("T")
        await wait_for(pilot, lambda: isinstance(app.screen, SigningScreen) and app.screen.loaded)
        screen = app.screen
        draft = screen.query_one("#sign-draft", Static)
        await wait_for(pilot, lambda: "Kan nog niet worden ondertekend" in text_of(draft))
        assert "de feiten en omstandigheden van het voortduren (Wth art. 9 lid 1)" in text_of(draft)
        await pilot.press("o")
        await pilot.pause()
        assert app.screen is screen  # no password asked
        with engine.connect() as conn:
            failed = conn.execute(
                select(Account.__table__.c.failed_logins).where(
                    Account.__table__.c.id == world.mayor.account_id
                )
            ).scalar_one()
        assert failed == 0
    assert rows(world, Document, id=world.draft)[0].status == "draft"
