"""Issue 18 row 10: the login screen (what `hvo web` shows anyone who finds the page) says nothing
about the database; once someone is logged in, the top bar says where the data lives."""

from __future__ import annotations

from hvo_tui.app import HvoApp
from hvo_tui.domain.localtime import FrozenClock
from screens.login import LoginScreen
from screens.widgets import TopBar
from store.interface import Actor
from store.sql import SqlStore
from tests.conftest import FROZEN_NOW


def _bar(app) -> str:
    return str(app.screen.query_one(TopBar).render())


async def test_the_login_screen_shows_nothing_about_the_database(engine):
    store = SqlStore(engine)
    info = store.info
    assert info.location and info.short  # there is something that could leak
    app = HvoApp(store, clock=FrozenClock(FROZEN_NOW), login=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)
        bar = _bar(app)
        assert "hvo" in bar
        for leak in (info.short, info.location, info.kind, str(engine.url.database)):
            assert leak not in bar, (leak, bar)
        # logged in (as the login screen's callback does), the queue's bar says where the data
        # lives, as before
        app.logged_in(
            Actor(
                name="Ans Visser",
                roles=frozenset({"procesmanager"}),
                account_id=None,
                username="ans",
            )
        )
        await pilot.pause()
        assert not isinstance(app.screen, LoginScreen)
        assert f"{info.kind}: {info.short}" in _bar(app)
    store.close()
