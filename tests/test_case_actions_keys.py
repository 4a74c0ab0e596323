"""Issue 5: the actions not covered elsewhere, each with keys only from the case screen, then the
database and the case's timeline as shown on screen (request, meeting, a life-cycle action)."""

from __future__ import annotations

from sqlalchemy import select
from textual.widgets import Select, Static, TabbedContent

from screens.case import CaseScreen
from screens.forms import ActionForm
from store.models import Case, Document, Meeting
from tests.test_case_screen import app_for, form_open, goto
from tests.test_queue_screen import loaded, wait_for

NUMBER = "HV-2026-00103"  # world.ids["soon"]


async def open_case(pilot) -> CaseScreen:
    await loaded(pilot)
    await goto(pilot, NUMBER)
    await pilot.press("enter")
    await wait_for(
        pilot,
        lambda: isinstance(pilot.app.screen, CaseScreen) and pilot.app.screen.detail is not None,
    )
    return pilot.app.screen


async def timeline_shows(pilot, screen: CaseScreen, text: str) -> None:
    screen.query_one(TabbedContent).active = "tab-timeline"
    shown = screen.query_one("#case-timeline", Static)
    await wait_for(pilot, lambda: text in _plain(shown), timeout=10)


def _plain(widget: Static) -> str:
    from io import StringIO

    from rich.console import Console

    out = StringIO()
    Console(file=out, width=200, color_system=None).print(widget.content)
    return out.getvalue()


async def save(pilot) -> None:
    await pilot.press("f2")
    await wait_for(pilot, lambda: not isinstance(pilot.app.screen, ActionForm), timeout=10)


async def test_request_a_document_with_the_rules_due_moment(world):
    app = app_for(world, world.ans)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_case(pilot)
        await pilot.press("v")
        form = await form_open(pilot)
        kind = form.query_one("#f-kind", Select).value
        due = form.query_one("#f-due_at").value
        assert due  # prefilled from the region's rules
        await save(pilot)
        await timeline_shows(pilot, screen, "document opgevraagd")
    with world.connect() as conn:
        requested = (
            conn.execute(
                select(Document.__table__.c.kind).where(
                    Document.__table__.c.case_id == world.ids["soon"],
                    Document.__table__.c.status == "requested",
                    Document.__table__.c.kind == kind,
                )
            )
            .scalars()
            .all()
        )
    assert requested


async def test_record_a_meeting(world):
    app = app_for(world, world.ans)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_case(pilot)
        await pilot.press("g")
        form = await form_open(pilot)
        form.query_one("#f-outcome").focus()
        await pilot.press(*"Veiligheidsplan besproken")
        await save(pilot)
        await timeline_shows(pilot, screen, "overleg vastgelegd")
    with world.connect() as conn:
        meeting = conn.execute(
            select(Meeting.__table__).where(Meeting.__table__.c.case_id == world.ids["soon"])
        ).one()
    assert meeting.kind == "overleg_dag3" and meeting.outcome == "Veiligheidsplan besproken"


async def test_report_a_violation_through_the_life_cycle_form(world):
    app = app_for(world, world.ans)
    with world.connect() as conn:
        before = conn.execute(
            select(Case.__table__.c.violation_count).where(Case.__table__.c.id == world.ids["soon"])
        ).scalar()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_case(pilot)
        await pilot.press("l")
        form = await form_open(pilot)
        options = [value for _, value in form.specs[0].options]
        action = form.query_one("#f-action", Select)
        action.focus()
        await pilot.press("enter", "home", *["down"] * options.index("report_violation"), "enter")
        await pilot.pause()
        assert action.value == "report_violation"
        await save(pilot)
        await timeline_shows(pilot, screen, "overtreding melden")
    with world.connect() as conn:
        after = conn.execute(
            select(Case.__table__.c.violation_count).where(Case.__table__.c.id == world.ids["soon"])
        ).scalar()
    assert after == before + 1


async def test_a_child_abuse_ban_is_refused_at_its_field_until_veilig_thuis_was_consulted(world):
    """Wth art. 2 lid 3 on screen: imposing with 'kindermishandeling: ja' before Veilig Thuis was
    consulted shows the article at that field, nothing saved, everything typed kept; 'nee'
    imposes the ban."""
    from store.interface import Actor
    from tests.factories import account_id, add_partner

    with world.begin() as conn:  # the HOvJ on the screening (Gouda, Hollands Midden)
        account = dict(organisation="Politie Hollands Midden", regions=("Hollands Midden",))
        add_partner(conn, world.ids["screening"], "hovj", "dewit", "Hoofdagent De Wit", **account)
        hovj = account_id(conn, "dewit", "Hoofdagent De Wit", role="hovj", **account)
    actor = Actor(
        name="Hoofdagent De Wit", roles=frozenset({"hovj"}), account_id=hovj, username="dewit"
    )
    app = app_for(world, actor)

    def status() -> tuple[str, bool]:
        with world.connect() as conn:
            return tuple(
                conn.execute(
                    select(Case.__table__.c.status, Case.__table__.c.child_abuse).where(
                        Case.__table__.c.id == world.ids["screening"]
                    )
                ).one()
            )

    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await goto(pilot, "HV-2026-00105")  # the screening
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: (
                isinstance(pilot.app.screen, CaseScreen) and pilot.app.screen.detail is not None
            ),
        )
        await pilot.press("l")
        form = await form_open(pilot)
        options = [value for _, value in form.specs[0].options]
        action = form.query_one("#f-action", Select)
        action.focus()
        await pilot.press("enter", "home", *["down"] * options.index("impose"), "enter")
        await pilot.pause()
        assert action.value == "impose"
        abuse = form.query_one("#f-child_abuse", Select)
        abuse.focus()
        await pilot.press("enter", "home", "down", "enter")
        await pilot.pause()
        assert abuse.value == "ja"
        await pilot.press("f2")
        await wait_for(pilot, lambda: "art. 2 lid 3" in _plain(form.query_one("#e-child_abuse")))
        assert pilot.app.screen is form and abuse.value == "ja" and action.value == "impose"
        assert status() == ("screening", False)  # nothing saved
        abuse.focus()
        await pilot.press("enter", "home", "enter")
        await pilot.pause()
        assert abuse.value == "nee"
        await save(pilot)
    assert status() == ("imposed", False)
