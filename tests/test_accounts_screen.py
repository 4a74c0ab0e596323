"""Login, forced password change, TOTP, idle lock and the account administration screen, driven
with keys only through Textual's Pilot, against real SQLite and PostgreSQL (the ``engine``
fixture). argon2 runs for real, with test-sized cost."""

from __future__ import annotations

import io
import re

import pyotp
import pytest
from argon2 import PasswordHasher
from rich.console import Console
from sqlalchemy import func, insert, select
from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from hvo_tui.domain.localtime import FrozenClock
from screens.accounts import ADMIN_ACTIONS, AccountsScreen, CodeScreen, ConfirmScreen, ImportScreen
from screens.forms import ActionForm
from screens.help import binding_rows
from screens.login import (
    ChangePasswordScreen,
    IdleLockMixin,
    LockScreen,
    LoginScreen,
    install_idle_lock,
)
from store.interface import Actor
from store.models import Account, Organisation
from store.sql import SqlStore
from tests.conftest import FROZEN_NOW
from tests.factories import account_id as make_account
from tests.factories import municipality_id
from tests.test_queue_screen import wait_for as queue_wait_for
from themes import CSS_PATH, DEFAULT_THEME, THEMES

NOW = FROZEN_NOW  # Monday 2026-11-23 08:30 Europe/Amsterdam
PASSWORD = "paarden-batterij-nietje-7"
ZVH = "Zorg- en Veiligheidshuis Midden-Limburg"
CODE = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}")


class ScreenApp(IdleLockMixin, App):
    """The parts of HvoApp the screens use (store, clock, actor), with the idle-lock mixin; the
    first screen is given, so these tests do not depend on how the app wires the screens."""

    CSS_PATH = CSS_PATH

    def __init__(self, store, first: Screen, *, actor: Actor | None = None) -> None:
        super().__init__()
        self.store = store
        self.clock = FrozenClock(NOW)
        store.clock = self.clock
        self.actor = actor or Actor(name="onbekend")
        self.account_label = actor.name if actor else ""
        self.ascii = False
        self.first = first
        for item in THEMES.values():
            self.register_theme(item)
        self.theme = DEFAULT_THEME

    def on_mount(self) -> None:
        self.push_screen(self.first)


class Draft(Screen):
    """A screen with half-typed input, to lock over."""

    def compose(self) -> ComposeResult:
        yield Input(id="draft")
        yield Footer()


async def wait_for(pilot, condition, timeout: float = 10.0) -> None:
    """The queue tests' wait, with more time: argon2 verifications are slow on a busy machine."""
    await queue_wait_for(pilot, condition, timeout)


def text_of(screen, selector: str) -> str:
    """What a Static shows, as plain text (strings, Rich Text and Rich tables alike)."""
    content = screen.query_one(selector, Static).content
    if isinstance(content, str):
        return content
    console = Console(width=200, file=io.StringIO(), record=True, color_system=None)
    console.print(content)
    return console.export_text()


class World:
    def __init__(self, engine, store, admin, zvh, politie, bas_code):
        self.engine, self.store, self.admin = engine, store, admin
        self.zvh, self.politie, self.bas_code = zvh, politie, bas_code

    def count_accounts(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(Account.__table__)).scalar_one()

    def row(self, username: str):
        return next(r for r in self.store.list_accounts(now=NOW) if r.username == username)


@pytest.fixture
def world(engine, monkeypatch) -> World:
    import store.accounts

    monkeypatch.setattr(
        store.accounts,
        "password_hasher",
        PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1),
    )
    with engine.begin() as conn:
        municipality_id(conn, "Roermond", "Midden-Limburg")
        municipality_id(conn, "Venlo", "Noord-Limburg")
        org = Organisation.__table__
        zvh = conn.execute(
            insert(org).values(name=ZVH, kind="veiligheidshuis")
        ).inserted_primary_key[0]
        politie = conn.execute(
            insert(org).values(name="Politie Limburg", kind="politie")
        ).inserted_primary_key[0]
        peter = make_account(conn, "peter", "Peter de Graaf", role="beheerder", organisation=ZVH)
    sql = SqlStore(engine)
    admin = Actor(
        name="Peter de Graaf", roles=frozenset({"beheerder"}), account_id=peter, username="peter"
    )
    ans, code = sql.create_account(
        admin,
        username="ans",
        full_name="Ans Verhoeven",
        organisation_id=zvh,
        roles=["procesmanager"],
        regions=["Midden-Limburg"],
        email="ans@zvh.nl",
    )
    sql.set_password(ans, code, PASSWORD, now=NOW)
    _, bas_code = sql.create_account(
        admin,
        username="bas",
        full_name="Bas Willems",
        organisation_id=politie,
        roles=["politie", "hovj"],
        regions=["Noord-Limburg"],
    )
    return World(engine, sql, admin, zvh, politie, bas_code)


# --- login ----------------------------------------------------------------------------------------


async def _login(pilot, username: str, password: str) -> LoginScreen:
    screen = pilot.app.screen
    assert isinstance(screen, LoginScreen)
    if username:
        await pilot.press(*username)
        await pilot.press("enter")  # to the password
    await pilot.press(*password, "enter")
    await wait_for(pilot, lambda: not screen.busy)
    await pilot.pause()
    return screen


async def test_wrong_password_shows_dutch_error_clears_password_keeps_name(world, backend):
    logged_in = []
    app = ScreenApp(backend(world.engine, session=False), LoginScreen(logged_in.append))
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await _login(pilot, "ans", "verkeerd-wachtwoord")
        assert "Onbekende gebruiker of onjuist wachtwoord" in text_of(screen, "#login-error")
        assert screen.query_one("#login-username", Input).value == "ans"
        assert screen.query_one("#login-password", Input).value == ""
        assert app.focused is screen.query_one("#login-password", Input)
        assert logged_in == []
        # The name is still there: only the password needs typing again.
        await _login(pilot, "", PASSWORD)
        assert [a.username for a in logged_in] == ["ans"]
        assert not logged_in[0].must_change_password
        assert screen.query_one("#login-password", Input).value == ""


async def test_five_failures_lock_the_account_and_the_screen_says_until_when(world, backend):
    app = ScreenApp(backend(world.engine, session=False), LoginScreen(lambda actor: None))
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await _login(pilot, "ans", "fout-1")
        for attempt in range(2, 6):
            await _login(pilot, "", f"fout-{attempt}")
        message = text_of(screen, "#login-error")
        assert "geblokkeerd tot 08:45" in message  # 08:30 + 15 minutes, local time
        # Even the right password is refused while locked; the name stays.
        await _login(pilot, "", PASSWORD)
        assert "geblokkeerd tot 08:45" in text_of(screen, "#login-error")
        assert screen.query_one("#login-username", Input).value == "ans"
    assert world.row("ans").locked


async def test_login_code_forces_a_new_password_then_calls_back_with_the_actor(world, backend):
    logged_in = []
    app = ScreenApp(backend(world.engine, session=False), LoginScreen(logged_in.append))
    async with app.run_test(size=(100, 32)) as pilot:
        await _login(pilot, "bas", world.bas_code.lower())
        await wait_for(pilot, lambda: isinstance(app.screen, ChangePasswordScreen))
        change = app.screen
        assert logged_in == []
        await pilot.press(*"te-kort", "enter", *"te-kort", "enter")
        await pilot.pause()
        assert "Minstens 12 tekens" in text_of(change, "#e-new_password")
        new = "lange-zin-met-woorden"
        change.query_one("#pw-new", Input).value = ""
        change.query_one("#pw-repeat", Input).value = ""
        change.query_one("#pw-new", Input).focus()
        await pilot.press(*new, "tab", *"iets-anders-dan-dat", "enter")
        await pilot.pause()
        assert "verschillen" in text_of(change, "#e-repeat")
        change.query_one("#pw-repeat", Input).value = ""
        change.query_one("#pw-repeat", Input).focus()
        await pilot.press(*new, "enter")
        await wait_for(pilot, lambda: logged_in)
        actor = logged_in[0]
        assert actor.username == "bas" and actor.roles == frozenset({"politie", "hovj"})
        assert not actor.must_change_password
    assert world.store.authenticate("bas", new, now=NOW).username == "bas"
    assert not world.row("bas").must_change_password


async def test_second_factor_field_appears_only_when_needed(world, backend):
    ans = world.row("ans").id
    secret = world.store.enable_totp(world.admin, ans)
    logged_in = []
    app = ScreenApp(backend(world.engine, session=False), LoginScreen(logged_in.append))
    async with app.run_test(size=(100, 32)) as pilot:
        screen = app.screen
        assert not screen.query_one("#login-totp", Input).display or not screen.has_class("-totp")
        await _login(pilot, "ans", PASSWORD)
        assert screen.has_class("-totp") and screen.needs_totp
        assert app.focused is screen.query_one("#login-totp", Input)
        assert screen.query_one("#login-password", Input).value == PASSWORD  # kept for the code
        await pilot.press(*pyotp.TOTP(secret).at(NOW), "enter")
        await wait_for(pilot, lambda: logged_in)
    assert logged_in[0].username == "ans"


# --- idle lock ------------------------------------------------------------------------------------


async def test_idle_lock_over_a_screen_keeps_the_typed_input(world):
    ans = world.store.authenticate("ans", PASSWORD, now=NOW)
    app = ScreenApp(world.store, Draft(), actor=ans)
    moment = [1000.0]
    app.idle_time = lambda: moment[0]
    async with app.run_test(size=(100, 32)) as pilot:
        install_idle_lock(app, 15)
        draft = app.screen
        draft.query_one("#draft", Input).focus()
        await pilot.press(*"half getypte notitie")
        moment[0] += 14 * 60
        assert not app.check_idle_lock()  # not yet idle long enough
        await pilot.press("space")  # a key counts as activity
        moment[0] += 14 * 60
        assert not app.check_idle_lock()
        moment[0] += 2 * 60
        assert app.check_idle_lock()
        await wait_for(
            pilot, lambda: isinstance(app.screen, LockScreen) and app.screen.query(".auth-intro")
        )
        lock = app.screen
        assert "(ans)" in str(lock.query_one(".auth-intro", Static).content)
        await pilot.press(*"fout", "enter")
        await wait_for(pilot, lambda: not lock.busy)
        await pilot.pause()
        assert "onjuist wachtwoord" in text_of(lock, "#lock-error")
        assert isinstance(app.screen, LockScreen)
        await pilot.press("ctrl+p")  # no palette while locked
        await pilot.pause()
        assert app.screen is lock
        await pilot.press(*PASSWORD, "enter")
        await wait_for(pilot, lambda: app.screen is draft)
        field = draft.query_one("#draft", Input)
        assert field.value == "half getypte notitie "
        assert app.focused is field
        await pilot.press("x")
        assert field.value == "half getypte notitie x"


def test_install_idle_lock_needs_the_mixin():
    with pytest.raises(TypeError, match="IdleLockMixin"):
        install_idle_lock(App(), 15)


# --- account administration -----------------------------------------------------------------------


async def _accounts(pilot) -> AccountsScreen:
    screen = pilot.app.screen
    assert isinstance(screen, AccountsScreen)
    await wait_for(pilot, lambda: screen.loaded)
    await pilot.pause()
    return screen


def usernames(screen: AccountsScreen) -> list[str]:
    table = screen.query_one(DataTable)
    return [table.get_row_at(i)[1].plain for i in range(table.row_count)]


def row_text(screen: AccountsScreen, username: str) -> str:
    table = screen.query_one(DataTable)
    for i in range(table.row_count):
        cells = table.get_row_at(i)
        if cells[1].plain == username:
            return " | ".join(c.plain for c in cells)
    raise AssertionError(f"{username} not in the table")


async def test_accounts_list_detail_and_counts(world, backend):
    app = ScreenApp(backend(world.engine, world.admin), AccountsScreen(), actor=world.admin)
    async with app.run_test(size=(150, 40)) as pilot:
        screen = await _accounts(pilot)
        assert usernames(screen) == ["ans", "bas", "peter"]  # by name
        assert (
            "Procesmanager" in row_text(screen, "ans")
            or "procesmanager" in row_text(screen, "ans").lower()
        )
        assert "Midden-Limburg" in row_text(screen, "ans") and "actief" in row_text(screen, "ans")
        counts = text_of(screen, "#organisation-counts")
        assert "Per organisatie" in counts and "Politie Limburg" in counts
        assert {(c.organisation, c.active, c.bestuurlijk) for c in screen.counts} == {
            (ZVH, 2, 0),
            ("Politie Limburg", 1, 0),
        }
        assert "ans" in text_of(screen, "#account-detail")
        await pilot.press("j")
        await pilot.pause()
        assert "Bas Willems" in text_of(screen, "#account-detail")
        # Filter as you type, Esc back to the table.
        await pilot.press("slash", *"willems")
        await pilot.pause()
        assert usernames(screen) == ["bas"]
        await pilot.press("escape")
        assert app.focused is screen.query_one(DataTable)


async def test_create_account_refusal_next_to_field_then_code_shown_and_copied(world, backend):
    app = ScreenApp(backend(world.engine, world.admin), AccountsScreen(), actor=world.admin)
    async with app.run_test(size=(150, 45)) as pilot:
        screen = await _accounts(pilot)
        before = world.count_accounts()
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ActionForm))
        form = app.screen
        await pilot.press(*"ans", "tab", *"Jan Jansen", "tab")
        # organisation: open the list, first organisation (Politie Limburg), choose
        await pilot.press("enter", "down", "enter")
        await pilot.pause()
        assert form.raw_values()["organisation_id"] == world.politie
        await pilot.press(
            "tab",
            *"politie, piloot",
            "tab",
            *"Midden-Limburg",
            "tab",
            *"06-12345678",
            "tab",
            *"j.jansen@politie.nl",
            "enter",
        )
        await pilot.pause()
        assert "onbekende rol: piloot" in text_of(form, "#e-roles")  # checked before the store
        roles = form.query_one("#f-roles", Input)
        roles.value = "politie"
        form.query_one("#f-email", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: not form.saving)
        await pilot.pause()
        # The store refuses the name: the message is at the field, the form and input stay.
        assert "gebruikersnaam bestaat al" in text_of(form, "#e-username")
        assert app.screen is form
        assert form.raw_values()["full_name"] == "Jan Jansen"
        assert world.count_accounts() == before
        username = form.query_one("#f-username", Input)
        username.value = ""
        username.focus()
        await pilot.press(*"j.jansen", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CodeScreen))
        code_screen = app.screen
        (code,) = code_screen.codes.values()
        assert CODE.fullmatch(code) and list(code_screen.codes) == ["j.jansen"]
        await pilot.press("y")
        assert code in app.clipboard
        await pilot.press("enter")
        await wait_for(pilot, lambda: "j.jansen" in usernames(screen))
        assert "Politie Limburg" in row_text(screen, "j.jansen")
    assert world.count_accounts() == before + 1
    created = world.row("j.jansen")
    assert created.must_change_password and created.roles == ("politie",)
    assert created.email == "j.jansen@politie.nl" and created.regions == ("Midden-Limburg",)
    assert world.store.authenticate("j.jansen", code, now=NOW).must_change_password


async def test_deactivate_confirms_row_stays_listed_as_inactive_and_reactivate(world, backend):
    app = ScreenApp(backend(world.engine, world.admin), AccountsScreen(), actor=world.admin)
    async with app.run_test(size=(150, 40)) as pilot:
        screen = await _accounts(pilot)
        assert screen.check_action("deactivate", ()) is True  # the cursor is on ans
        assert screen.check_action("reactivate", ()) is False
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")  # changed my mind
        await pilot.pause()
        assert world.row("ans").active
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("enter")
        await wait_for(pilot, lambda: "inactief" in row_text(screen, "ans"))
        assert usernames(screen) == ["ans", "bas", "peter"]  # still listed
        assert screen.check_action("deactivate", ()) is False
        assert screen.check_action("reactivate", ()) is True
        # The active filter hides it, and shows it again.
        screen.query_one("#accounts-active").value = "ja"
        await pilot.pause()
        assert "ans" not in usernames(screen)
        screen.query_one("#accounts-active").value = "nee"
        await pilot.pause()
        assert usernames(screen) == ["ans"]
        screen.query_one(DataTable).focus()
        await pilot.press("r")
        await wait_for(pilot, lambda: "ans" not in usernames(screen))  # no longer "gedeactiveerd"
        assert world.row("ans").active
        screen.query_one("#accounts-active").clear()
        await pilot.pause()
        assert "✓ actief" in row_text(screen, "ans")


async def test_reset_shows_a_new_code_that_logs_in(world):
    app = ScreenApp(world.store, AccountsScreen(), actor=world.admin)
    async with app.run_test(size=(150, 40)) as pilot:
        await _accounts(pilot)
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("j")
        await wait_for(pilot, lambda: isinstance(app.screen, CodeScreen))
        (code,) = app.screen.codes.values()
        await pilot.press("escape")
    assert world.store.authenticate("ans", code, now=NOW).must_change_password


async def test_csv_import_dry_run_reports_every_error_and_writes_nothing(world, tmp_path, backend):
    bad = tmp_path / "accounts.csv"
    bad.write_text(
        "gebruikersnaam,naam,organisatie,rollen,regio,telefoon,email\n"
        f"ans,Ans Dubbel,{ZVH},procesmanager,Midden-Limburg,,ans2@zvh.nl\n"
        "k.klaassen,Kees Klaassen,Politie Limburg,politie,,,kees.politie.nl\n"
        "l.lammers,Lies Lammers,Politie Limburg,politie;hovj,Noord-Limburg,,lies@politie.nl\n",
        encoding="utf-8",
    )
    app = ScreenApp(backend(world.engine, world.admin), AccountsScreen(), actor=world.admin)
    async with app.run_test(size=(150, 45)) as pilot:
        await _accounts(pilot)
        before = world.count_accounts()
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(app.screen, ImportScreen))
        dialog = app.screen
        await pilot.press(*str(bad), "enter")
        await wait_for(pilot, lambda: "proefimport:" in text_of(dialog, "#import-summary"))
        report = text_of(dialog, "#import-report")
        assert "regel 2 (ans): gebruikersnaam bestaat al" in report
        assert "regel 3 (k.klaassen): e-mailadres zonder @" in report
        assert "regel 4 (l.lammers): nieuw" in report
        assert "2 regel(s) met fouten" in text_of(dialog, "#import-summary")
        assert not dialog.query_one("#import-apply").display
        await pilot.press("f2")  # nothing to apply after a dry run with errors
        await pilot.pause()
        assert world.count_accounts() == before
        assert not dialog.applied
        # Fix the file; a new dry run, then all at once.
        bad.write_text(
            "gebruikersnaam,naam,organisatie,rollen,regio,telefoon,email\n"
            "k.klaassen,Kees Klaassen,Politie Limburg,politie,,,kees@politie.nl\n"
            "l.lammers,Lies Lammers,Politie Limburg,politie;hovj,Noord-Limburg,,lies@politie.nl\n",
            encoding="utf-8",
        )
        dialog.query_one("#import-path", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: dialog.query_one("#import-apply").display)
        assert world.count_accounts() == before
        assert app.focused is dialog.query_one("#import-apply")
        await pilot.press("enter")
        await wait_for(pilot, lambda: dialog.applied)
        assert set(dialog.codes) == {"k.klaassen", "l.lammers"}
        assert all(CODE.fullmatch(c) for c in dialog.codes.values())
        assert dialog.codes["k.klaassen"] in text_of(dialog, "#import-report")
        await pilot.press("escape")  # warns once: the codes are not shown again
        assert app.screen is dialog
        await pilot.press("escape")
        await wait_for(pilot, lambda: "k.klaassen" in usernames(app.screen))
    assert world.count_accounts() == before + 2


async def test_import_unreadable_path_message_at_the_field(world, tmp_path):
    app = ScreenApp(world.store, AccountsScreen(), actor=world.admin)
    async with app.run_test(size=(150, 45)) as pilot:
        await _accounts(pilot)
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(app.screen, ImportScreen))
        dialog = app.screen
        await pilot.press(*str(tmp_path / "bestaat-niet.csv"), "enter")
        await wait_for(pilot, lambda: not dialog.busy and text_of(dialog, "#e-path"))
        assert "kan" in text_of(dialog, "#e-path") and "niet lezen" in text_of(dialog, "#e-path")
        assert dialog.query_one("#import-path", Input).value.endswith("bestaat-niet.csv")


async def test_a_non_beheerder_gets_no_admin_actions(world, backend):
    ans = world.store.authenticate("ans", PASSWORD, now=NOW)
    app = ScreenApp(backend(world.engine, ans), AccountsScreen(), actor=ans)
    async with app.run_test(size=(150, 40)) as pilot:
        screen = app.screen
        await pilot.pause()
        for action in ADMIN_ACTIONS:
            assert screen.check_action(action, ()) is False, action
        shown = {description for _, description in binding_rows(screen)}
        assert not shown & {
            "Nieuw",
            "Wijzigen",
            "Deactiveren",
            "Heractiveren",
            "Nieuwe inlogcode",
            "Importeren",
        }
        assert "Terug" in shown
        assert "functioneel beheerder" in text_of(screen, "#banner")
        assert screen.query_one(DataTable).row_count == 0  # nothing listed either
        await pilot.press("c", "i")
        await pilot.pause()
        assert app.screen is screen
