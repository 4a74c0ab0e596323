"""The Textual application: wires a store, a clock and the screens together."""

from __future__ import annotations

from textual.app import App

from screens.login import DEFAULT_IDLE_MINUTES, IdleLockMixin, LoginScreen
from screens.queue import QueueScreen
from store.interface import Actor, Store
from themes import CSS_PATH, DEFAULT_THEME, THEMES

from .clock import Clock


def account_label(actor: Actor) -> str:
    """Who you are, your role and region: always in the top bar."""
    parts = [actor.name]
    if actor.roles:
        parts.append(", ".join(sorted(actor.roles)))
    regions = getattr(actor, "regions", ())
    if regions:
        parts.append(", ".join(regions))
    return " · ".join(parts)


class HvoApp(IdleLockMixin, App):
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
        login: bool = False,
        idle_minutes: float | None = DEFAULT_IDLE_MINUTES,
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
        # account the app only reads.
        self.actor = actor or Actor(name=username or "onbekend")
        self.login_required = login
        self.idle_minutes = idle_minutes
        for item in THEMES.values():
            self.register_theme(item)
        self.theme = theme if theme in THEMES else DEFAULT_THEME

    def on_mount(self) -> None:
        if self.login_required:
            self.push_screen(LoginScreen(self.logged_in, username=self.username or ""))
        else:
            self.push_screen(QueueScreen())

    def logged_in(self, actor: Actor) -> None:
        self.actor, self.username = actor, actor.username
        self.account_label = account_label(actor)
        if hasattr(self.store, "act_as"):
            self.store.act_as(actor)
        self.switch_screen(QueueScreen())
        self.start_idle_lock(self.idle_minutes)  # only after a password login
