"""The Textual application: wires a store, a clock and the screens together."""

from __future__ import annotations

import asyncio
import contextlib
import io
import signal
from collections.abc import Iterable
from functools import partial
from pathlib import Path

from rich.console import Console
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.driver import Driver
from textual.screen import Screen

from screens.ascii import AsciiRenderable, ascii_driver
from screens.login import DEFAULT_IDLE_MINUTES, IdleLockMixin, LoginScreen
from screens.queue import QueueScreen
from screens.widgets import ascii_keys, glyph_text
from store.interface import Actor, Store
from themes import CSS_PATH, DEFAULT_THEME, THEMES

from .domain.localtime import Clock

# The themes offered in the command palette, with their Dutch names.
THEME_LABELS = {
    "hvo-donker": "donker",
    "hvo-licht": "licht",
    "hvo-contrast": "hoog contrast",
    "hvo-16": "16 kleuren",
}
HANGUP_EXIT = 129  # 128 + SIGHUP, as a shell reports a hung-up process


def account_label(actor: Actor) -> str:
    """Who you are, your role and region: always in the top bar."""
    parts = [actor.name]
    if actor.roles:
        parts.append(", ".join(sorted(actor.roles)))
    regions = getattr(actor, "regions", ())
    if regions:
        parts.append(", ".join(regions))
    return " · ".join(parts)


PALETTE_PROMPT = "Zoek een opdracht, zaak of filter…"


class HvoApp(IdleLockMixin, App):
    TITLE = "hvo"
    CSS_PATH = CSS_PATH
    ENABLE_COMMAND_PALETTE = True
    # Textual's own palette binding says "palette" in the footer: the same key, in Dutch
    # ("opdrachtenpalet", as the help calls it).
    BINDINGS = [
        Binding(
            "ctrl+p",
            "command_palette",
            "palet",
            show=False,
            priority=True,
            tooltip="Het opdrachtenpalet openen",
            id="app.palette",
        )
    ]

    def action_command_palette(self) -> None:
        """Textual's command palette with a Dutch prompt; not over the idle lock."""
        if self.session_locked or not self.use_command_palette or CommandPalette.is_open(self):
            return
        self.push_screen(
            CommandPalette(id="--command-palette", placeholder=glyph_text(self, PALETTE_PROMPT))
        )

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
        config_file: Path | None = None,
        driver_class: type[Driver] | None = None,
        keymap: dict[str, str] | None = None,
    ) -> None:
        super().__init__(driver_class=driver_class)
        if keymap:
            self.set_keymap(keymap)  # the user's keys ([keymap] in config.toml, by binding id)
        self.config_file = config_file  # where a theme picked in the palette is remembered
        self.store = store
        if hasattr(store, "on_session_expired"):  # the HTTP store: the server ended the session
            store.on_session_expired = self._session_expired_from_store
        self.clock = clock or Clock()
        if hasattr(store, "clock"):
            store.clock = self.clock  # writes are stamped with the same "now" the screens show
        self.account_label = account_label
        self.username = username
        self.ascii = ascii
        if ascii:
            # Nothing but ASCII reaches the terminal: our own text and the -ascii rules in the
            # .tcss choose readable ASCII; every write passes through to_ascii for the rest.
            self.driver_class = ascii_driver(self.driver_class)
        self.set_class(ascii, "-ascii")
        # Who is working: every write and every opening of a case is logged with it. Without an
        # account the app only reads.
        self.actor = actor or Actor(name=username or "onbekend")
        self.own_versions: dict[int, int] = {}  # case id -> version after this user's own write
        self.login_required = login
        self.idle_minutes = idle_minutes
        for item in THEMES.values():
            self.register_theme(item)
        self.theme = theme if theme in THEMES else DEFAULT_THEME

    # --- themes in the palette, remembered in the config file ---------------------------------

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            if command.title != "Theme":  # Textual's picker lists its own themes too
                yield command
        for name, label in THEME_LABELS.items():
            if name in THEMES:
                yield SystemCommand(
                    f"Thema: {label}",
                    f"kleuren {label} ({name}); wordt onthouden",
                    partial(self.choose_theme, name),
                )

    def choose_theme(self, name: str) -> None:
        self.theme = name
        if self.config_file is None:
            return
        from .config import ConfigError, save_setting

        try:
            save_setting(self.config_file, "theme", name)
        except (ConfigError, OSError) as exc:
            self.notify(f"Thema niet onthouden: {exc}", severity="warning")
        else:
            self.notify(
                f"Thema {THEME_LABELS.get(name, name)} onthouden in {self.config_file}", timeout=3
            )

    # --- ASCII mode -----------------------------------------------------------------------------

    def notify(self, message: str, *, title: str = "", **kw) -> None:
        """Every toast of every screen comes here: our glyphs in ASCII where the mode says."""
        super().notify(glyph_text(self, message), title=glyph_text(self, title), **kw)

    def get_key_display(self, binding: Binding) -> str:
        shown = super().get_key_display(binding)
        return ascii_keys(shown) if self.ascii else shown

    def export_screenshot(self, *, title: str | None = None, simplify: bool = False) -> str:
        """In ASCII mode, the screen exactly as the terminal gets it (snapshots show that)."""
        if not self.ascii:
            return super().export_screenshot(title=title, simplify=simplify)
        # Textual's own export_screenshot (8.2), with the segments passed through to_ascii.
        assert self._driver is not None, "App must be running"
        width, height = self.size
        console = Console(
            width=width,
            height=height,
            file=io.StringIO(),
            force_terminal=True,
            color_system="truecolor",
            record=True,
            legacy_windows=False,
            safe_box=False,
        )
        update = self.screen._compositor.render_update(
            full=True, screen_stack=self._background_screens, simplify=simplify
        )
        console.print(AsciiRenderable(update))
        return console.export_svg(title=title or self.title)

    # --- the terminal going away ---------------------------------------------------------------

    def _install_hangup(self) -> None:
        """SIGHUP (the SSH connection or the terminal window closed): leave through the normal
        exit, so workers stop and the database connections are closed, instead of being killed
        mid-write or spinning on a dead terminal."""
        with contextlib.suppress(
            NotImplementedError, RuntimeError, ValueError, AttributeError
        ):  # not the main thread, or no SIGHUP on this platform
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self.hang_up)

    def hang_up(self) -> None:
        self.exit(return_code=HANGUP_EXIT)

    def on_unmount(self) -> None:
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError, AttributeError):
            asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)

    def on_mount(self) -> None:
        self._install_hangup()
        if self.login_required:
            self.push_screen(LoginScreen(self.logged_in, username=self.username or ""))
        else:
            self.push_screen(QueueScreen())

    def _session_expired_from_store(self) -> None:
        """Called by the store, from whichever thread made the call, on a 401.

        call_from_thread, not a message: the store's thread waits until the login screen has
        been pushed, so by the time its caller sees the error the login is already on top."""
        try:
            self.call_from_thread(self.session_expired)
        except RuntimeError:  # on the app's own thread, or the app is not running
            if self.is_running:
                self.session_expired()

    def session_expired(self) -> None:
        """The server no longer accepts the session (expired, revoked): log in again, on top of
        the screens, so work in progress stays when the same account comes back."""
        if any(isinstance(screen, LoginScreen) for screen in self.screen_stack):
            return
        self.push_screen(
            LoginScreen(
                self._logged_in_again,
                username=self.username or "",
                title="Uw sessie is verlopen: log opnieuw in",
            )
        )

    def _logged_in_again(self, actor: Actor) -> None:
        self.pop_screen()  # the login screen
        if actor.username == self.username:
            self.actor, self.account_label = actor, account_label(actor)
            return
        while len(self.screen_stack) > 2:  # another account: nothing of the previous one stays
            self.pop_screen()
        self.logged_in(actor)

    def logged_in(self, actor: Actor) -> None:
        self.actor, self.username = actor, actor.username
        self.own_versions = {}  # another account's own writes are not this one's
        self.account_label = account_label(actor)
        if hasattr(self.store, "act_as"):
            self.store.act_as(actor)
        self.switch_screen(QueueScreen())
        self.start_idle_lock(self.idle_minutes)  # only after a password login
