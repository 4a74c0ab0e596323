"""SVG snapshots of two action forms at 100x30: the new screening (the top of the RiHG form) and
a received document with its standard form. Update deliberately with `--snapshot-update`."""

from __future__ import annotations

from hvo_tui.app import HvoApp
from hvo_tui.domain.localtime import FrozenClock
from store.interface import Actor
from tests.conftest import FROZEN_NOW
from tests.test_snapshots import _until_loaded


def _steady_cursor(pilot) -> None:
    """A blinking cursor is caught on or off at random: keep it on."""
    for widget in pilot.app.screen.query("Input, TextArea"):
        widget.cursor_blink = False


async def _open_screening_form(pilot) -> None:
    await _until_loaded(pilot)
    await pilot.press("N")
    for _ in range(200):
        if type(pilot.app.screen).__name__ == "ScreeningForm":
            break
        await pilot.pause(0.02)
    await pilot.pause()
    _steady_cursor(pilot)
    await pilot.press(*"Markt")
    await pilot.pause()


async def _open_receive_form(pilot) -> None:
    await _until_loaded(pilot)
    await pilot.press("o")
    for _ in range(200):
        if type(pilot.app.screen).__name__ == "ActionForm":
            break
        await pilot.pause(0.02)
    await pilot.pause()
    _steady_cursor(pilot)
    await pilot.pause()


def test_screening_form_snapshot(snap_compare, queue_store):
    actor = Actor(name="Hoofdagent De Wit", roles=frozenset({"hovj"}))
    app = HvoApp(queue_store, clock=FrozenClock(FROZEN_NOW), actor=actor)
    assert snap_compare(app, terminal_size=(100, 30), run_before=_open_screening_form)


def test_receive_form_snapshot(snap_compare, queue_store):
    actor = Actor(name="Ans Verhoeven", roles=frozenset({"procesmanager"}))
    app = HvoApp(queue_store, clock=FrozenClock(FROZEN_NOW), actor=actor)
    assert snap_compare(app, terminal_size=(100, 30), run_before=_open_receive_form)
