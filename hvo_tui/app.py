"""The Textual application: wires a store, a clock and the screens together."""

from __future__ import annotations

from textual.app import App

from screens.queue import QueueScreen
from store.interface import Actor, Store
from themes import CSS_PATH, DEFAULT_THEME, THEMES

from .clock import Clock


class HvoApp(App):
    TITLE = "hvo"
    CSS_PATH = CSS_PATH
    ENABLE_COMMAND_PALETTE = True

    def __init__(
        self,
        store: Store,
        *,
        clock: Clock | None = None,
        theme: str | None = None,
        account_label: str = "",
        username: str | None = None,
        ascii: bool = False,
        actor: Actor | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        self.clock = clock or Clock()
        if hasattr(store, "clock"):
            store.clock = self.clock  # writes are stamped with the same "now" the screens show
        self.account_label = account_label
        self.username = username
        self.ascii = ascii
        # Who is working: every write and every opening of a case is logged with it. Without an
        # account (no login yet on this database) the app only reads.
        self.actor = actor or Actor(name=username or "onbekend")
        for item in THEMES.values():
            self.register_theme(item)
        self.theme = theme if theme in THEMES else DEFAULT_THEME

    def on_mount(self) -> None:
        self.push_screen(QueueScreen())
