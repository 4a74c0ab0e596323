"""SVG snapshots of the queue with a frozen clock, at 80x24 and 120x40, in the default theme and
in the 16-colour theme. Update deliberately with `pytest --snapshot-update` and look at the diff."""

from __future__ import annotations

import pytest

from hvo_tui.app import HvoApp
from hvo_tui.domain.localtime import FrozenClock
from tests.conftest import FROZEN_NOW


async def _until_loaded(pilot) -> None:
    screen = pilot.app.screen
    for _ in range(200):
        busy = [w for w in pilot.app.workers if w.group == "queue-earlier" and not w.is_finished]
        if getattr(screen, "loaded", False) and not busy:
            break
        await pilot.pause(0.02)
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@pytest.mark.parametrize("theme", ["hvo-donker", "hvo-16"])
def test_queue_snapshot(snap_compare, queue_store, size, theme):
    app = HvoApp(queue_store, clock=FrozenClock(FROZEN_NOW), theme=theme)
    assert snap_compare(app, terminal_size=size, run_before=_until_loaded)


def _actor(role: str, username: str | None = None):
    from store.interface import Actor

    return Actor(name=f"Demo {role}", roles=frozenset({role}), username=username)


async def _open_first_case(pilot) -> None:
    await _until_loaded(pilot)
    await pilot.press("enter")
    for _ in range(200):
        if getattr(pilot.app.screen, "detail", None) is not None:
            break
        await pilot.pause(0.02)
    await pilot.pause()


async def _open_note_form(pilot) -> None:
    await _until_loaded(pilot)
    await pilot.press("n")
    await pilot.pause(0.2)
    await pilot.press(*"Lotte gebeld")
    await pilot.pause()


def test_case_screen_snapshot(snap_compare, queue_store):
    app = HvoApp(queue_store, clock=FrozenClock(FROZEN_NOW), actor=_actor("procesmanager"))
    assert snap_compare(app, terminal_size=(100, 30), run_before=_open_first_case)


def test_note_form_snapshot(snap_compare, queue_store):
    app = HvoApp(queue_store, clock=FrozenClock(FROZEN_NOW), actor=_actor("procesmanager"))
    assert snap_compare(app, terminal_size=(100, 30), run_before=_open_note_form)


@pytest.mark.parametrize("where", ["queue", "case"])
def test_support_sees_initials_snapshot(snap_compare, queue_store, where):
    """Support: initials instead of names, no BSN or birth date, on every screen it reaches."""
    support = _actor("support")
    queue_store.act_as(support)
    app = HvoApp(queue_store, clock=FrozenClock(FROZEN_NOW), actor=support)
    run = _until_loaded if where == "queue" else _open_first_case
    seen: list[str] = []

    async def run_and_look(pilot) -> None:
        await run(pilot)
        seen.append(pilot.app.export_screenshot())

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_and_look)
    import re

    plain = re.sub("<[^>]+>", "", seen[0]).replace("&#160;", " ")
    assert "de Vries" not in plain, plain[
        max(0, plain.find("de Vries") - 300) : plain.find("de Vries") + 50
    ]
    assert "de Vries" not in seen[0] and "111222333" not in seen[0] and "1984" not in seen[0]
    assert "J.d.V." in seen[0]
