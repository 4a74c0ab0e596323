"""Login, the forced password change after a one-time code, and the idle lock (issue 6).

* ``LoginScreen(on_login)``: account name and password (and, only when the store asks for it, the
  TOTP code); Enter submits; the store is asked in a thread worker. A refusal is shown in Dutch
  under the form, the password is cleared and the account name kept; a locked account says until
  when. On success with ``must_change_password`` the ``ChangePasswordScreen`` comes first. Then
  ``on_login(actor)`` is called; the app decides what follows (``store.act_as`` and the queue).
* ``LockScreen``: pushed on top of whatever is on screen after a period without input; it asks the
  password of the current account again and is dismissed on success, so the screen underneath,
  typed input included, is exactly as it was. It is opaque: nothing of the case data shows.
* ``IdleLockMixin``: add it to the App (``class HvoApp(IdleLockMixin, App)``); its ``on_event``
  notes the time of every key, mouse and paste event, and ``start_idle_lock(minutes)`` (or
  ``install_idle_lock(app, minutes)``) checks every few seconds whether the lock is due.

Screens never import the SQL store (import-linter), so the login outcome is read duck-typed: a
refusal is a ``StoreError`` with ``locked_until`` and ``second_factor`` (``store.accounts.
LoginError``), a success an ``Actor`` with ``must_change_password`` (``store.accounts.LoggedIn``).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from typing import Any

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Input, Label, Static

from hvo_tui.domain.localtime import local_or_none as local
from store.interface import Actor, ConnectionLost, Refused, StoreError

from .context import context
from .messages import Authenticated, AuthFailed, PasswordSaved
from .widgets import TopBar, glyph_text

MIN_PASSWORD = 12  # store.accounts.MIN_PASSWORD; the store checks it too
DEFAULT_IDLE_MINUTES = 15
IDLE_CHECK_SECONDS = 5.0


def login_failure_text(exc: StoreError) -> str:
    """The Dutch line under the form for a refused login."""
    until = getattr(exc, "locked_until", None)
    if until is not None:
        shown = local(until)
        return (
            f"Dit account is geblokkeerd tot {shown.format('HH:mm')} (na vijf mislukte pogingen). "
            "Probeer het daarna opnieuw, of vraag de functioneel beheerder om een nieuwe inlogcode."
        )
    if isinstance(exc, ConnectionLost):
        return f"{exc}. Er is niets veranderd; Enter probeert opnieuw."
    message = str(exc)
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


def _set_message(widget: Static, message: str, *, error: bool = True) -> None:
    widget.update(message)
    widget.set_class(bool(message), "visible")
    widget.set_class(not error, "info")


# --- login ----------------------------------------------------------------------------------------


class LoginScreen(Screen):
    """Account name, password and (when needed) the second factor. ``on_login(actor)`` is called
    with the logged-in account (a ``LoggedIn``) once any forced password change is done."""

    AUTO_FOCUS = "#login-username"
    BINDINGS = [
        Binding("escape", "clear", "Wissen", id="login.clear"),
    ]

    def __init__(
        self, on_login: Callable[[Actor], Any], *, username: str = "", title: str = "Inloggen"
    ) -> None:
        super().__init__()
        self.on_login = on_login
        self.initial_username = username
        self.login_title = title
        self.busy = False
        self.needs_totp = False

    def compose(self) -> ComposeResult:
        yield TopBar(id="topbar", source=False)  # nothing about the database before login
        with Vertical(id="login-box", classes="auth-box"):
            yield Static(self.login_title, classes="auth-title")
            yield Static(
                "Huisverbod-dossiers: alleen voor bevoegde medewerkers. "
                "Elke toegang wordt vastgelegd.",
                classes="auth-intro",
            )
            yield Label("Gebruikersnaam", classes="auth-label")
            yield Input(self.initial_username, id="login-username", placeholder="bv. a.jansen")
            yield Label("Wachtwoord of eenmalige inlogcode", classes="auth-label")
            yield Input(id="login-password", password=True)
            yield Label(
                "Code uit de authenticator-app (6 cijfers)",
                id="login-totp-label",
                classes="auth-label auth-totp",
            )
            yield Input(
                id="login-totp",
                classes="auth-totp",
                placeholder="123456",
                restrict=r"[0-9 ]*",
                max_length=8,
            )
            yield Static("", id="login-error", classes="auth-message")
            yield Static(
                glyph_text(context(self), "Enter: inloggen · Tab: volgend veld · Esc: wissen"),
                classes="auth-hint",
            )
        yield Footer()

    def on_mount(self) -> None:
        if self.initial_username:
            self.query_one("#login-password", Input).focus()

    # --- input ---------------------------------------------------------------------------------

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        username = self.query_one("#login-username", Input)
        password = self.query_one("#login-password", Input)
        if event.input is username and not password.value:
            password.focus()
            return
        self.submit()

    def submit(self) -> None:
        if self.busy:
            return
        username = self.query_one("#login-username", Input).value.strip()
        password = self.query_one("#login-password", Input).value
        totp = self.query_one("#login-totp", Input).value.strip() if self.needs_totp else ""
        error = self.query_one("#login-error", Static)
        if not username:
            _set_message(error, "Vul uw gebruikersnaam in.")
            self.query_one("#login-username", Input).focus()
            return
        if not password:
            _set_message(error, "Vul uw wachtwoord of inlogcode in.")
            self.query_one("#login-password", Input).focus()
            return
        if self.needs_totp and not totp:
            _set_message(error, "Vul de code uit uw authenticator-app in.")
            self.query_one("#login-totp", Input).focus()
            return
        self.busy = True
        _set_message(error, "inloggen...", error=False)
        self.authenticate(username, password, totp or None)

    def action_clear(self) -> None:
        for selector in ("#login-password", "#login-totp"):
            self.query_one(selector, Input).value = ""
        _set_message(self.query_one("#login-error", Static), "")

    # --- the store -----------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="login", exit_on_error=False)
    def authenticate(self, username: str, password: str, totp: str | None) -> None:
        app = context(self)
        try:
            actor = app.store.authenticate(username, password, totp_code=totp, now=app.clock.now())
        except StoreError as exc:
            self.post_message(AuthFailed(exc))
        else:
            self.post_message(Authenticated(actor, password))

    @on(AuthFailed)
    def _auth_failed(self, message: AuthFailed) -> None:
        self.failed(message.error)

    @on(Authenticated)
    def _authenticated(self, message: Authenticated) -> None:
        self.succeeded(message.actor, message.secret)

    def failed(self, exc: StoreError) -> None:
        self.busy = False
        error = self.query_one("#login-error", Static)
        password = self.query_one("#login-password", Input)
        totp = self.query_one("#login-totp", Input)
        if isinstance(exc, ConnectionLost):
            _set_message(error, login_failure_text(exc))  # not a refusal: keep what was typed
            return
        if getattr(exc, "second_factor", False) and getattr(exc, "locked_until", None) is None:
            # The password was right; the code is missing or wrong. Keep the password.
            first_time = not self.needs_totp
            self.needs_totp = True
            self.add_class("-totp")
            totp.value = ""
            totp.focus()
            if first_time:
                _set_message(
                    error,
                    "Dit account heeft een tweede factor: vul de code uit uw "
                    "authenticator-app in en druk Enter.",
                    error=False,
                )
            else:
                _set_message(
                    error, "Onjuiste code. Vul de nieuwe code uit uw authenticator-app in."
                )
            return
        password.value = ""
        totp.value = ""
        self.needs_totp = False
        self.remove_class("-totp")
        _set_message(error, login_failure_text(exc))
        password.focus()

    def succeeded(self, actor: Actor, secret: str) -> None:
        self.busy = False
        self.query_one("#login-password", Input).value = ""
        self.query_one("#login-totp", Input).value = ""
        _set_message(self.query_one("#login-error", Static), "")
        if getattr(actor, "must_change_password", False):
            self.app.push_screen(ChangePasswordScreen(actor, secret, self._changed))
            return
        self.on_login(actor)

    def _changed(self, actor: Actor) -> None:
        self.on_login(actor)


class ChangePasswordScreen(Screen):
    """After a login with a one-time code (or a forced change): a new password, twice. ``current``
    is what was just typed at the login (code or password), so it is not asked again."""

    AUTO_FOCUS = "#pw-new"
    BINDINGS = [
        Binding("escape", "cancel", "Terug naar inloggen", id="password.cancel"),
    ]

    def __init__(self, actor: Actor, current: str, on_done: Callable[[Actor], Any]) -> None:
        super().__init__()
        self.actor = actor
        self._current = current
        self.on_done = on_done
        self.busy = False

    def compose(self) -> ComposeResult:
        yield TopBar(id="topbar")
        with Vertical(id="password-box", classes="auth-box"):
            yield Static("Kies een nieuw wachtwoord", classes="auth-title")
            yield Static(
                f"Welkom, {self.actor.name}. U bent ingelogd met een eenmalige inlogcode "
                f"of moet uw wachtwoord wijzigen. Kies een wachtwoord van minstens "
                f"{MIN_PASSWORD} tekens; een zin van een paar woorden werkt goed.",
                classes="auth-intro",
            )
            yield Label("Nieuw wachtwoord", classes="auth-label")
            yield Input(id="pw-new", password=True)
            yield Static("", id="e-new_password", classes="auth-field-error")
            yield Label("Nogmaals", classes="auth-label")
            yield Input(id="pw-repeat", password=True)
            yield Static("", id="e-repeat", classes="auth-field-error")
            yield Static("", id="password-error", classes="auth-message")
            yield Static(
                glyph_text(context(self), "Enter: opslaan · Esc: terug naar inloggen"),
                classes="auth-hint",
            )
        yield Footer()

    def _field_error(self, name: str, message: str) -> None:
        _set_message(self.query_one(f"#e-{name}", Static), message)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        repeat = self.query_one("#pw-repeat", Input)
        if event.input.id == "pw-new" and not repeat.value:
            repeat.focus()
            return
        self.submit()

    def submit(self) -> None:
        if self.busy:
            return
        new = self.query_one("#pw-new", Input).value
        repeat = self.query_one("#pw-repeat", Input).value
        self._field_error("new_password", "")
        self._field_error("repeat", "")
        _set_message(self.query_one("#password-error", Static), "")
        if len(new) < MIN_PASSWORD:
            self._field_error("new_password", f"Minstens {MIN_PASSWORD} tekens (nu {len(new)}).")
            self.query_one("#pw-new", Input).focus()
            return
        if new != repeat:
            self._field_error("repeat", "De twee wachtwoorden verschillen.")
            self.query_one("#pw-repeat", Input).focus()
            return
        self.busy = True
        _set_message(self.query_one("#password-error", Static), "opslaan...", error=False)
        self.save(new)

    @work(thread=True, exclusive=True, group="password", exit_on_error=False)
    def save(self, new: str) -> None:
        app = context(self)
        try:
            app.store.set_password(self.actor.account_id, self._current, new, now=app.clock.now())
        except StoreError as exc:
            self.post_message(AuthFailed(exc))
        else:
            self.post_message(PasswordSaved())

    @on(AuthFailed)
    def _auth_failed(self, message: AuthFailed) -> None:
        self.failed(message.error)

    @on(PasswordSaved)
    def _password_saved(self, message: PasswordSaved) -> None:
        self.saved()

    def failed(self, exc: StoreError) -> None:
        self.busy = False
        if isinstance(exc, Refused) and exc.field == "new_password":
            _set_message(self.query_one("#password-error", Static), "")
            message = str(exc)
            self._field_error("new_password", message[:1].upper() + message[1:] + ".")
            self.query_one("#pw-new", Input).focus()
            return
        _set_message(self.query_one("#password-error", Static), login_failure_text(exc))

    def saved(self) -> None:
        self.busy = False
        self._current = ""
        actor = self.actor
        if dataclasses.is_dataclass(actor) and hasattr(actor, "must_change_password"):
            actor = dataclasses.replace(actor, must_change_password=False)
        self.notify("Uw nieuwe wachtwoord is opgeslagen.", title="Wachtwoord")
        self.app.pop_screen()
        self.on_done(actor)

    def action_cancel(self) -> None:
        self._current = ""
        self.app.pop_screen()


# --- idle lock ------------------------------------------------------------------------------------


class LockScreen(ModalScreen[bool]):
    """The session is locked: the password of the current account, again. Pushed on top of the
    current screen and dismissed on success, so nothing underneath is lost. Opaque (see the
    .tcss), so no case data shows while the workstation is unattended."""

    AUTO_FOCUS = "#lock-password"
    BINDINGS = [
        # Nothing may leave the lock but the password; Esc only clears the field.
        Binding("escape", "clear", "Wissen", id="lock.clear"),
    ]

    def __init__(self, minutes: float | None = None) -> None:
        super().__init__()
        self.minutes = minutes
        self.busy = False
        self.needs_totp = False

    def compose(self) -> ComposeResult:
        actor = context(self).actor
        with Vertical(id="lock-box", classes="auth-box"):
            yield Static("Sessie vergrendeld", classes="auth-title")
            idle = f"na {self.minutes:g} minuten zonder invoer " if self.minutes else ""
            yield Static(
                f"De sessie van {actor.name} ({actor.username}) is {idle}vergrendeld. "
                "Uw werk staat er nog; vul uw wachtwoord in om verder te gaan.",
                classes="auth-intro",
            )
            yield Label("Wachtwoord", classes="auth-label")
            yield Input(id="lock-password", password=True)
            yield Label("Code uit de authenticator-app", classes="auth-label auth-totp")
            yield Input(id="lock-totp", classes="auth-totp", restrict=r"[0-9 ]*", max_length=8)
            yield Static("", id="lock-error", classes="auth-message")
            yield Static(
                glyph_text(context(self), "Enter: ontgrendelen · Ctrl+Q: hvo afsluiten"),
                classes="auth-hint",
            )

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit()

    def submit(self) -> None:
        if self.busy:
            return
        password = self.query_one("#lock-password", Input).value
        totp = self.query_one("#lock-totp", Input).value.strip() if self.needs_totp else ""
        if not password:
            _set_message(self.query_one("#lock-error", Static), "Vul uw wachtwoord in.")
            return
        self.busy = True
        _set_message(self.query_one("#lock-error", Static), "controleren...", error=False)
        self.authenticate(password, totp or None)

    def action_clear(self) -> None:
        self.query_one("#lock-password", Input).value = ""
        _set_message(self.query_one("#lock-error", Static), "")

    @work(thread=True, exclusive=True, group="lock", exit_on_error=False)
    def authenticate(self, password: str, totp: str | None) -> None:
        app = context(self)
        try:
            app.store.authenticate(
                app.actor.username or "", password, totp_code=totp, now=app.clock.now()
            )
        except StoreError as exc:
            self.post_message(AuthFailed(exc))
        else:
            self.post_message(Authenticated(app.actor))

    @on(AuthFailed)
    def _auth_failed(self, message: AuthFailed) -> None:
        self.failed(message.error)

    @on(Authenticated)
    def _authenticated(self, message: Authenticated) -> None:
        self.unlocked()

    def failed(self, exc: StoreError) -> None:
        self.busy = False
        password = self.query_one("#lock-password", Input)
        totp = self.query_one("#lock-totp", Input)
        error = self.query_one("#lock-error", Static)
        if isinstance(exc, ConnectionLost):
            _set_message(error, login_failure_text(exc))
            return
        if getattr(exc, "second_factor", False) and getattr(exc, "locked_until", None) is None:
            first_time = not self.needs_totp
            self.needs_totp = True
            self.add_class("-totp")
            totp.value = ""
            totp.focus()
            _set_message(
                error,
                "Vul de code uit uw authenticator-app in."
                if first_time
                else "Onjuiste code. Vul de nieuwe code in.",
                error=not first_time,
            )
            return
        password.value = ""
        totp.value = ""
        _set_message(error, login_failure_text(exc))
        password.focus()

    def unlocked(self) -> None:
        self.busy = False
        self.query_one("#lock-password", Input).value = ""
        self.query_one("#lock-totp", Input).value = ""
        self.dismiss(True)


_ACTIVITY_EVENTS = (
    events.Key,
    events.MouseDown,
    events.MouseUp,
    events.MouseScrollDown,
    events.MouseScrollUp,
    events.MouseMove,
    events.Paste,
)


class IdleLockMixin:
    """Add to the App, before ``App``: ``class HvoApp(IdleLockMixin, App)``.

    ``on_event`` is the App's own entry point for every event from the terminal, before any
    screen or binding sees it; the mixin notes the moment of each key, mouse and paste event and
    passes the event on unchanged. ``start_idle_lock(minutes)`` (call it after login, e.g. in the
    ``on_login`` callback; 0 or None switches the lock off) checks every few seconds and pushes a
    ``LockScreen`` when the account has been idle that long. Time is ``time.monotonic`` (idle time
    is wall time, not the app's clock, which tests freeze); ``idle_time`` can be replaced in tests.

    Only a logged-in account (``app.actor.username`` set) is locked; never twice; not over the
    login and password screens. While locked the command palette does not open.
    """

    idle_time: Callable[[], float] = staticmethod(time.monotonic)
    idle_lock_minutes: float | None = None
    _last_activity: float = 0.0
    _idle_timer = None

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, _ACTIVITY_EVENTS):
            self._last_activity = self.idle_time()
        await super().on_event(event)  # type: ignore[misc]

    def start_idle_lock(self, minutes: float | None = DEFAULT_IDLE_MINUTES) -> None:
        """(Re)start the idle lock with ``minutes`` of allowed inactivity; None or 0: off."""
        if self._idle_timer is not None:
            self._idle_timer.stop()
            self._idle_timer = None
        self.idle_lock_minutes = minutes or None
        self._last_activity = self.idle_time()
        if self.idle_lock_minutes:
            interval = min(IDLE_CHECK_SECONDS, self.idle_lock_minutes * 60 / 4)
            self._idle_timer = self.set_interval(interval, self.check_idle_lock)  # type: ignore[attr-defined]

    @property
    def session_locked(self) -> bool:
        return any(isinstance(screen, LockScreen) for screen in self.screen_stack)  # type: ignore[attr-defined]

    def idle_seconds(self) -> float:
        return self.idle_time() - self._last_activity

    def check_idle_lock(self) -> bool:
        """Lock when idle too long; returns whether the session is (now) locked."""
        if self.session_locked:
            return True
        if not self.idle_lock_minutes or self.idle_seconds() < self.idle_lock_minutes * 60:
            return False
        return self.lock_session()

    def lock_session(self) -> bool:
        """Lock now (also for a 'lock' action or command). Returns whether it locked."""
        if self.session_locked:
            return True
        actor = getattr(self, "actor", None)
        if actor is None or not getattr(actor, "username", None):
            return False  # nobody logged in: nothing to protect with a password
        if isinstance(self.screen, (LoginScreen, ChangePasswordScreen)):  # type: ignore[attr-defined]
            return False
        self.push_screen(LockScreen(self.idle_lock_minutes), self._unlocked)  # type: ignore[attr-defined]
        return True

    def _unlocked(self, _result: bool | None = None) -> None:
        self._last_activity = self.idle_time()

    def action_command_palette(self) -> None:
        if self.session_locked:
            return
        super().action_command_palette()  # type: ignore[misc]


def install_idle_lock(app, minutes: float | None = DEFAULT_IDLE_MINUTES) -> None:
    """Switch on the idle lock of an app built with ``IdleLockMixin`` (the mixin is what sees the
    events; there is no subclass-free hook on every key in Textual)."""
    if not isinstance(app, IdleLockMixin):
        raise TypeError(
            "install_idle_lock needs an App with IdleLockMixin: class HvoApp(IdleLockMixin, App)"
        )
    app.start_idle_lock(minutes)


__all__ = [
    "ChangePasswordScreen",
    "DEFAULT_IDLE_MINUTES",
    "IdleLockMixin",
    "LockScreen",
    "LoginScreen",
    "install_idle_lock",
    "login_failure_text",
]
