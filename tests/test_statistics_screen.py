"""The statistics screen, driven with keys only (Pilot), on SQLite and PostgreSQL, with the
hand-counted rows of tests/report_data.py and the clock frozen on Monday 23 November 2026."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input, Static  # noqa: E402

from hvo_tui.app import HvoApp  # noqa: E402
from hvo_tui.domain.localtime import FrozenClock  # noqa: E402
from hvo_tui.domain.permissions import Permission, allowed  # noqa: E402
from screens.queue import QueueScreen  # noqa: E402
from screens.statistics import StatisticsScreen, plot_color  # noqa: E402
from store.interface import Actor  # noqa: E402
from store.sql import SqlStore  # noqa: E402
from tests.conftest import FROZEN_NOW  # noqa: E402
from tests.report_data import seed_reports  # noqa: E402
from tests.test_queue_screen import wait_for  # noqa: E402


def actor(role: str) -> Actor:
    return Actor(name=f"Demo {role}", roles=frozenset({role}))


@pytest.fixture
def store(engine):
    with engine.begin() as conn:
        seed_reports(conn)
    return SqlStore(engine)


async def open_statistics(pilot) -> StatisticsScreen:
    await wait_for(
        pilot, lambda: isinstance(pilot.app.screen, QueueScreen) and pilot.app.screen.loaded
    )
    await pilot.press("t")
    await wait_for(
        pilot,
        lambda: isinstance(pilot.app.screen, StatisticsScreen) and pilot.app.screen.loads >= 1,
    )
    await pilot.pause()
    return pilot.app.screen


async def next_load(pilot, screen: StatisticsScreen, before: int) -> None:
    await wait_for(pilot, lambda: screen.loads > before)
    await pilot.pause()


def status(screen) -> str:
    return str(screen.query_one("#stats-status", Static).render())


def cells(screen, name: str, row: int = -1) -> list[str]:
    table = screen.query_one(f"#table-{name}", DataTable)
    index = row if row >= 0 else table.row_count + row
    return [c.plain for c in table.get_row_at(index)]


async def filter_to_hollands_midden(pilot, screen) -> None:
    """The region by keys: Tab from the dates to the region, open it, pick Hollands Midden."""
    await pilot.press("f", "tab", "tab", "enter")
    await pilot.pause()
    before = screen.loads
    await pilot.press("down", "enter")
    await next_load(pilot, screen, before)
    assert status(screen) == (
        "01-12-2025 t/m 23-11-2026 · regio Hollands Midden · 1 screening · 1 huisverbod"
    )
    assert [cells(screen, "per-gemeente", i)[0] for i in range(2)] == ["Leiden", "Totaal"]


async def test_open_filter_and_see_the_numbers_change(store):
    app = HvoApp(store, clock=FrozenClock(FROZEN_NOW), actor=actor("procesmanager"))
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_statistics(pilot)
        # The last twelve months: December 2025 up to today.
        assert status(screen) == "01-12-2025 t/m 23-11-2026 · 7 screenings · 6 huisverboden"
        assert cells(screen, "per-gemeente") == ["Totaal", "", "230.000", "7", "0,30", "6", "0,26"]
        assert cells(screen, "per-maand", 0) == ["2025-12", "1", "0"]

        await filter_to_hollands_midden(pilot, screen)

        # A start date typed and applied with Enter.
        await pilot.press("f")
        assert screen.focused is screen.query_one("#stats-from", Input)
        before = screen.loads
        await pilot.press(*"2026-03-01", "enter")
        await next_load(pilot, screen, before)
        assert status(screen).startswith(
            "01-03-2026 t/m 23-11-2026 · regio Hollands Midden · 0 screenings"
        )

        # A date that does not exist: a Dutch message, the numbers stay. (In a field, "f" is
        # a letter: Esc first leaves it.)
        await pilot.press("escape", "f", *"2026-02-30", "enter")
        await pilot.pause()
        assert "die dag bestaat niet" in status(screen)
        assert screen.flt.start.isoformat() == "2026-03-01"

        # Esc leaves the filter for the reports, a second Esc goes back to the queue.
        await pilot.press("escape")
        assert screen.focused is screen.query_one("#stats-body")
        await pilot.press("escape")
        assert isinstance(app.screen, QueueScreen)


async def test_number_keys_jump_to_a_report(store):
    app = HvoApp(store, clock=FrozenClock(FROZEN_NOW), actor=actor("procesmanager"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_statistics(pilot)
        body = screen.query_one("#stats-body")
        assert body.scroll_y == 0
        await pilot.press("6")
        await pilot.pause()
        title = screen.query_one("#title-kruistabel")
        assert body.scroll_y > 0 and title.region.y <= body.region.y + 1
        assert cells(screen, "kruistabel") == ["Totaal", "1", "3", "2", "6"]


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("support", True),
        ("beheerder", True),
        ("bestuurder", True),
        ("casemanager", False),
        ("politie", False),
    ],
)
async def test_who_may_open_the_statistics(store, role, sees):
    assert allowed([role], Permission.VIEW_REPORTS) is sees
    app = HvoApp(store, clock=FrozenClock(FROZEN_NOW), actor=actor(role))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.loaded)
        await pilot.press("t")
        await pilot.pause(0.2)
        assert isinstance(app.screen, StatisticsScreen) is sees


def test_chart_colours_come_from_the_theme():
    assert plot_color("ansi_blue") == 4
    assert plot_color("ansi_bright_red") == 9
    assert plot_color("#4f8fcf") == (79, 143, 207)
    assert plot_color(None, 3) == 3


async def test_the_16_colour_theme_uses_the_terminals_own_colours(store):
    from themes import THEMES

    assert "ansi-background" in THEMES["hvo-16"].variables
    app = HvoApp(store, clock=FrozenClock(FROZEN_NOW), actor=actor("procesmanager"), theme="hvo-16")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_statistics(pilot)
        assert screen.colours() == {"primary": 4, "warning": 3, "error": 1, "accent": 14}
        assert status(screen).endswith("7 screenings · 6 huisverboden")
