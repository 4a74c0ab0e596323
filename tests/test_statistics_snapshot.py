"""SVG snapshots of the statistics screen: fixed rows (tests/report_data.py), the clock frozen on
Monday 23 November 2026, so the numbers and the charts (plotext draws the same bars for the same
numbers and size) are the same on every clean clone. Update deliberately with
`pytest --snapshot-update` and look at the diff."""

from __future__ import annotations

import pytest

from hvo_tui.app import HvoApp  # noqa: E402
from hvo_tui.domain.localtime import FrozenClock  # noqa: E402
from screens.queue import QueueScreen  # noqa: E402
from screens.statistics import StatisticsScreen  # noqa: E402
from store.db import open_database  # noqa: E402
from store.interface import Actor  # noqa: E402
from store.sql import SqlStore  # noqa: E402
from tests.conftest import FROZEN_NOW  # noqa: E402
from tests.report_data import seed_reports  # noqa: E402


@pytest.fixture
def stats_store(tmp_path):
    engine = open_database(f"sqlite:///{tmp_path / 'hvo.db'}", auto_upgrade=True)
    with engine.begin() as conn:
        seed_reports(conn)
    yield SqlStore(engine)
    engine.dispose()


def _opened(*keys: str):
    async def run_before(pilot) -> None:
        app = pilot.app
        for _ in range(400):
            if isinstance(app.screen, QueueScreen) and app.screen.loaded:
                break
            await pilot.pause(0.02)
        await pilot.press("t")
        for _ in range(400):
            screen = app.screen
            busy = [w for w in app.workers if not w.is_finished]
            if isinstance(screen, StatisticsScreen) and screen.loads and not busy:
                break
            await pilot.pause(0.02)
        if keys:
            await pilot.press(*keys)
        await pilot.pause()

    return run_before


@pytest.mark.parametrize(
    ("size", "keys"), [((80, 24), ()), ((120, 40), ("5",))], ids=["80x24", "120x40-doorlooptijden"]
)
def test_statistics_snapshot(snap_compare, stats_store, size, keys):
    actor = Actor(name="Ans Verhoeven", roles=frozenset({"procesmanager"}))
    app = HvoApp(stats_store, clock=FrozenClock(FROZEN_NOW), actor=actor, account_label="Ans")
    assert snap_compare(app, terminal_size=size, run_before=_opened(*keys))
