"""SVG snapshots of the queue with a frozen clock, at 80x24 and 120x40, in the default theme and
in the 16-colour theme. Update deliberately with `pytest --snapshot-update` and look at the diff."""

from __future__ import annotations

import pytest

from hvo_tui.app import HvoApp
from hvo_tui.clock import FrozenClock
from store.db import open_database
from store.sql import SqlStore
from tests.conftest import FROZEN_NOW
from tests.queue_data import seed_queue


@pytest.fixture
def queue_store(tmp_path):
    engine = open_database(f"sqlite:///{tmp_path / 'hvo.db'}", auto_upgrade=True)
    with engine.begin() as conn:
        seed_queue(conn)
    yield SqlStore(engine)
    engine.dispose()


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
