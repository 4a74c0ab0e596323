"""SVG snapshots at 80x24 for terminals without truecolor or without UTF-8 (an SSH session from
an old terminal, the Linux console): the queue and the case screen in the 16-colour theme, and in
ASCII mode. Same frozen clock and fixed data as tests/test_snapshots.py. Update deliberately with
`pytest --snapshot-update` and look at the diff."""

from __future__ import annotations

import pytest

from hvo_tui.app import HvoApp
from hvo_tui.domain.localtime import FrozenClock
from tests.conftest import FROZEN_NOW
from tests.test_snapshots import _actor, _open_first_case, _until_loaded

SIZE = (80, 24)


@pytest.mark.parametrize("where", ["queue", "case"])
@pytest.mark.parametrize("mode", ["hvo-16", "ascii"])
def test_terminal_snapshot(snap_compare, queue_store, where, mode):
    actor = _actor("procesmanager")
    app = HvoApp(
        queue_store,
        clock=FrozenClock(FROZEN_NOW),
        theme="hvo-16",
        actor=actor,
        ascii=mode == "ascii",
    )
    run = _until_loaded if where == "queue" else _open_first_case
    seen: list[str] = []
    screenshots: list[str] = []

    async def run_and_look(pilot) -> None:
        await run(pilot)
        screenshots.append(pilot.app.export_screenshot())
        if where == "queue":
            from textual.widgets import DataTable

            table = pilot.app.screen.query_one(DataTable)
            seen.extend(
                " ".join(cell.plain for cell in table.get_row_at(i)) for i in range(table.row_count)
            )

    assert snap_compare(app, terminal_size=SIZE, run_before=run_and_look)
    # In ASCII mode the screenshot is what the terminal gets: ASCII to the last character.
    assert screenshots[0].isascii() is (mode == "ascii")
    if where == "queue":
        assert seen and all("HV-2026-" in row for row in seen)
        if mode == "ascii":  # a terminal without UTF-8 would show garbage for any other byte
            assert all(row.isascii() for row in seen), seen
        else:
            assert not all(row.isascii() for row in seen), seen
