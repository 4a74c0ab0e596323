"""ASCII mode end to end: the app runs with a driver that records every byte it would send to the
terminal, through the queue, the detail pane, the case screen and its tabs, a form (with accented
text typed into it and saved), the help, the palette and toasts; every byte is ASCII, and the
screens read as intended (separators, frames, the typed text by its base letters)."""

from __future__ import annotations

import re

from sqlalchemy import select
from textual.drivers.headless_driver import HeadlessDriver
from textual.widgets import TabbedContent

from hvo_tui.app import HvoApp
from hvo_tui.domain.localtime import FrozenClock
from screens.case import CaseScreen
from screens.forms import ActionForm
from screens.help import HelpScreen
from store.models import Note
from tests.conftest import FROZEN_NOW
from tests.test_queue_screen import loaded, wait_for
from tests.test_snapshots import _actor


def recording_driver(written: list[str]) -> type[HeadlessDriver]:
    class RecordingDriver(HeadlessDriver):
        """Headless input, but the app treats it as a terminal and writes every frame to it."""

        @property
        def is_headless(self) -> bool:
            return False

        def write(self, data: str) -> None:
            written.append(data)

    return RecordingDriver


async def test_nothing_but_ascii_reaches_the_terminal(queue_store):
    written: list[str] = []
    app = HvoApp(
        queue_store,
        clock=FrozenClock(FROZEN_NOW),
        theme="hvo-16",
        actor=_actor("procesmanager", "ans"),
        ascii=True,
        driver_class=recording_driver(written),
    )
    app.animation_level = "none"  # the tabs' underline jumps instead of gliding: a faster test

    async def step(*keys: str) -> None:
        if keys:
            await pilot.press(*keys)
        await pilot.pause()

    async with app.run_test(headless=False, size=(80, 24), notifications=True) as pilot:
        queue = await loaded(pilot)
        await step()
        await step("down", "d")  # the detail pane, full height
        await step("d", "s")  # back; another sort order (a toast)
        await step("slash", *"Venlo")  # the filter input
        await step("escape", "ctrl+p")  # the palette
        await step("escape", "question_mark")
        assert isinstance(app.screen, HelpScreen)
        await step("escape")
        queue.jump_to("HV-2026-00101")
        await step("enter")
        await wait_for(
            pilot, lambda: isinstance(app.screen, CaseScreen) and app.screen.detail is not None
        )
        tabs = app.screen.query_one(TabbedContent)
        for _ in range(6):  # every tab, back to the first
            await step("right")
        assert tabs.active == "tab-overview"
        await step("n")
        assert isinstance(app.screen, ActionForm)
        await step(*"Één café")
        await step("f2")
        await wait_for(pilot, lambda: isinstance(app.screen, CaseScreen))
        await step()  # the "Opgeslagen." toast
        await step("escape")

    out = "".join(written)
    assert out.isascii(), sorted({ch for ch in out if not ch.isascii()})
    out = re.sub(r"\x1b\[[0-9;]*m", "", out)  # colours and styles apart, text runs along a line
    for shown in (
        "HV-2026-00101 | verlopen",  # the detail pane's separator
        "Zoeken",  # the filter input's footer
        "Toetsen",  # the help
        "Overzicht",
        "Tijdlijn",
        "Notities",  # the tabs
        "F2 of Ctrl+S: opslaan | Enter",  # the form's hint
        "Een cafe",  # typed into the form
        "Opgeslagen.",
    ):  # a toast
        assert shown in out, shown
    assert "+-----" in out and "|^p palet" in out  # frames and the footer's separator
    assert "Zoek een opdracht, zaak of filter..." in out  # the palette, in Dutch
    # The note itself is stored as typed: only the screen is ASCII.
    with queue_store.engine.connect() as conn:
        assert conn.execute(select(Note.text)).scalars().all() == ["Één café"]
