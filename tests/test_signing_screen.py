"""The mayor signs with keys only: the signing screen, the case screen's verdict, tampering, and
`hvo verify` (exit 0 when every signature holds, 1 when one does not)."""

from __future__ import annotations

import io

from rich.console import Console
from sqlalchemy import func, select, update
from textual.widgets import DataTable, Input, Static

from hvo_tui.app import HvoApp
from hvo_tui.domain.localtime import FrozenClock
from screens.case import CaseScreen
from screens.forms import ActionForm
from screens.queue import QueueCommands
from screens.signing import SigningScreen
from store.models import DecisionSignature, Document, Event
from tests.conftest import FROZEN_NOW
from tests.test_queue_screen import loaded, wait_for
from tests.test_signing_store import DRAFT_FIELDS, PASSWORD, build_world, rows

D = Document.__table__.c


def text_of(widget: Static) -> str:
    console = Console(width=200, file=io.StringIO(), record=True, color_system=None)
    console.print(widget.content)
    return console.export_text()


def app_for(world, actor) -> HvoApp:
    world.store.act_as(actor)
    return HvoApp(world.store, clock=FrozenClock(FROZEN_NOW), actor=actor, username=actor.username)


async def open_case(pilot, number: str) -> CaseScreen:
    await pilot.press("colon", *f"zaak {number}", "enter")
    await pilot.pause()
    await pilot.press("enter")
    await wait_for(
        pilot,
        lambda: isinstance(pilot.app.screen, CaseScreen) and pilot.app.screen.detail is not None,
    )
    return pilot.app.screen


async def test_the_mayor_reads_and_signs_with_keys_only_and_tampering_shows_invalid(engine):
    world = build_world(engine)
    app = app_for(world, world.mayor)
    async with app.run_test(size=(120, 40)) as pilot:
        queue = await loaded(pilot)
        assert queue.check_action("signing", ()) is True
        assert "Ondertekenen" in [
            entry[0] for entry in QueueCommands(queue)._entries()
        ]  # the palette
        await pilot.press("T")
        await wait_for(pilot, lambda: isinstance(app.screen, SigningScreen) and app.screen.loaded)
        screen = app.screen
        table = screen.query_one("#sign-table", DataTable)
        assert table.row_count == 1  # only the Roermond draft; Venlo's is not this mayor's
        assert table.get_row_at(0)[0] == "HV-2026-00102"
        # The RiHG and the draft side by side (reading them logs the opening of the case).
        await wait_for(
            pilot,
            lambda: (
                "hulpverlening is net gestart" in text_of(screen.query_one("#sign-draft", Static))
            ),
        )
        rihg = text_of(screen.query_one("#sign-rihg", Static))
        assert "RiHG" in rihg and "slaan en vernielingen" in rihg
        assert len(rows(world, Event, case_id=world.ids["today"], action="case_opened")) == 1

        # A wrong password: refused next to the field, nothing signed, typed input kept.
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(app.screen, ActionForm))
        form = app.screen
        password = form.query_one("#f-password", Input)
        assert password.password  # typed characters are hidden
        await pilot.press(*"niet-mijn-wachtwoord", "enter")
        await wait_for(
            pilot,
            lambda: "onjuist wachtwoord" in str(form.query_one("#e-password", Static).render()),
        )
        assert rows(world, DecisionSignature) == []
        await pilot.press("ctrl+u", *PASSWORD, "enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, ActionForm))
        await wait_for(pilot, lambda: screen.loaded and not screen.pending)
        assert rows(world, Document, id=world.draft)[0].status == "signed"
        assert "geen besluiten" in str(screen.query_one("#sign-empty", Static).render())

        # The case screen says who signed, when, and that the signature holds.
        await pilot.press("escape")
        case = await open_case(pilot, "HV-2026-00102")
        documents = text_of(case.query_one("#case-documents", Static))
        assert (
            "beschikking verlengen: ondertekend door Burgemeester van Roermond "
            "op 23-11-2026 08:30, handtekening geldig"
        ) in documents

        # Someone changes the signed decision in the database: the screen says it is invalid.
        with world.engine.begin() as conn:
            conn.execute(
                update(Document.__table__)
                .where(D.id == world.draft)
                .values(fields={**DRAFT_FIELDS, "verlengd_tot": "12-12-2026 17:00"})
            )
        await pilot.press("f5")
        await wait_for(
            pilot, lambda: "ONGELDIG" in text_of(case.query_one("#case-documents", Static))
        )
        assert "gewijzigd na ondertekening: document.velden" in text_of(
            case.query_one("#case-documents", Static)
        )


async def refuse_the_first_draft(pilot, reason: str) -> None:
    """From the queue: T, w on the first decision awaiting signature, the reason typed, F2."""
    app = pilot.app
    await loaded(pilot)
    await pilot.press("T")
    await wait_for(pilot, lambda: isinstance(app.screen, SigningScreen) and app.screen.loaded)
    screen = app.screen
    await pilot.press("w")
    await wait_for(pilot, lambda: isinstance(app.screen, ActionForm))
    await pilot.press(*reason, "f2")
    await wait_for(pilot, lambda: not isinstance(app.screen, ActionForm))
    await wait_for(pilot, lambda: screen.loaded and not screen.pending)


async def test_refusing_with_a_reason_from_the_signing_screen(engine):
    world = build_world(engine)
    app = app_for(world, world.mayor)
    async with app.run_test(size=(80, 24)) as pilot:
        await refuse_the_first_draft(pilot, "motivering is te mager")
    assert rows(world, Document, id=world.draft)[0].status == "rejected"
    [event] = rows(world, Event, case_id=world.ids["today"], action="decision_refused")
    assert event.details["reden"] == "motivering is te mager"


async def test_the_signing_screen_is_absent_for_other_roles(engine):
    world = build_world(engine)
    app = app_for(world, world.policy)
    async with app.run_test(size=(100, 30)) as pilot:
        queue = await loaded(pilot)
        assert queue.check_action("signing", ()) is False
        assert "Ondertekenen" not in [entry[0] for entry in QueueCommands(queue)._entries()]
        await pilot.press("T")
        await pilot.pause()
        assert not isinstance(app.screen, SigningScreen)
        assert "Ondertekenen" not in {b.binding.description for b in queue.active_bindings.values()}


def test_hvo_verify_exit_codes(tmp_path):
    """`hvo verify` on an SQLite file: 0 while every signature holds, 1 after tampering, 2 for an
    unknown case."""
    from store.db import open_database
    from tests.test_cli import hvo

    url = f"sqlite:///{tmp_path / 'hvo.db'}"
    engine = open_database(url, auto_upgrade=True)
    try:
        world = build_world(engine)
        world.store.sign_decision(
            world.ids["today"],
            world.store.queue_rows({world.ids["today"]})[0].version,
            world.draft,
            world.mayor,
            password=PASSWORD,
        )
        with engine.connect() as conn:
            assert (
                conn.execute(select(func.count()).select_from(DecisionSignature.__table__)).scalar()
                == 1
            )
    finally:
        engine.dispose()
    ok = hvo("verify", "HV-2026-00102", "--database", url)
    assert ok.returncode == 0, ok.stderr
    assert "handtekening geldig" in ok.stdout and "Burgemeester van Roermond" in ok.stdout
    none = hvo("verify", "HV-2026-00103", "--database", url)
    assert none.returncode == 0 and "geen digitale handtekeningen" in none.stdout
    engine = open_database(url, auto_upgrade=True)
    with engine.begin() as conn:
        conn.execute(
            update(Document.__table__)
            .where(D.id == world.draft)
            .values(author_name="iemand anders")
        )
    engine.dispose()
    bad = hvo("verify", "HV-2026-00102", "--database", url)
    assert bad.returncode == 1
    assert "ONGELDIG" in bad.stdout and "document.auteur" in bad.stdout
    unknown = hvo("verify", "HV-2026-09999", "--database", url)
    assert unknown.returncode == 2 and "bestaat niet" in unknown.stderr
