"""Account administration (issue 6; beheerder only): list, filter, create, edit, deactivate,
reactivate, reset and import accounts; per organisation the active and bestuurlijke accounts.

The list is read in a worker and filtered here as you type (an administration has hundreds of
accounts, not millions); the table is diffed by account id, so the highlighted account stays.
Every write runs in a worker through the store, which checks the permission again; a refusal lands
next to the field it concerns and the form stays open, so nothing typed is lost. One-time login
codes are shown once, in a modal that can copy them (OSC 52).

Screens do not import the SQL store (import-linter), so the account rows (``AccountRow``), counts
and import reports (``ImportReport``/``ImportLine``) of ``store.accounts`` are read by attribute.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Footer, Input, Label, Select, Static

from hvo_tui.domain.permissions import LOGIN_CODE_DAYS, Permission, allowed
from hvo_tui.domain.vocab import Role
from store.interface import ConnectionLost, StoreError

from .context import context
from .forms import ActionForm, FieldSpec
from .help import HelpScreen, binding_rows
from .messages import (
    AccountsLoaded,
    AccountWritten,
    ImportChecked,
    ImportFailed,
    LoadFailed,
    Notice,
)
from .widgets import TopBar, glyph_text, glyphs

ADMIN_ACTIONS = frozenset({"create", "edit", "deactivate", "reactivate", "reset", "import_csv"})
NO_ADMIN = "Alleen een functioneel beheerder kan accounts beheren."
ROLE_NAMES = {r.value: r for r in Role} | {r.label.lower(): r for r in Role}


@dataclass(frozen=True)
class AccountColumn:
    key: str
    label: str
    width: int | None


COLUMNS = (
    AccountColumn("name", "Naam", 18),
    AccountColumn("username", "Gebruikersnaam", 16),
    AccountColumn("organisation", "Organisatie", 20),
    AccountColumn("roles", "Rollen", 16),
    AccountColumn("regions", "Regio's", 12),
    AccountColumn("active", "Actief", 10),
    AccountColumn("locked", "Vergrendeld", 11),
)


def role_label(value: str) -> str:
    role = ROLE_NAMES.get(value)
    return role.label if role else value


def parse_list(text: str | None) -> list[str]:
    """'a, b; c' -> ['a', 'b', 'c']: commas or semicolons separate."""
    return [part.strip() for part in (text or "").replace(";", ",").split(",") if part.strip()]


def check_roles(text: str) -> str | None:
    unknown = [part for part in parse_list(text) if part.lower() not in ROLE_NAMES]
    if unknown:
        return f"onbekende rol: {', '.join(unknown)}; kies uit " + ", ".join(r.value for r in Role)
    if not parse_list(text):
        return "kies ten minste één rol"
    return None


def role_values(text: str | None) -> list[str]:
    return [ROLE_NAMES[p.lower()].value for p in parse_list(text) if p.lower() in ROLE_NAMES]


def _yes(value: Any) -> bool:
    return value == "ja"


# --- modals ---------------------------------------------------------------------------------------


class ConfirmScreen(ModalScreen[bool]):
    """y/Enter confirms, n/Esc cancels."""

    BINDINGS = [
        Binding("y,j,enter", "answer(True)", "Ja", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "Nee", id="confirm.no"),
    ]

    def __init__(self, question: str, detail: str = "") -> None:
        super().__init__()
        self.question = question
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical(classes="accounts-modal"):
            yield Static(self.question, classes="accounts-modal-title")
            if self.detail:
                yield Static(self.detail)
            yield Static(
                glyph_text(context(self), "j of Enter: ja · n of Esc: nee"), classes="accounts-hint"
            )

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class CodeScreen(ModalScreen[None]):
    """A one-time login code, shown once, to read out or copy."""

    BINDINGS = [
        Binding("y", "copy", "Kopiëren", id="code.copy"),
        Binding("enter,escape", "close", "Sluiten", id="code.close"),
    ]

    def __init__(self, codes: dict[str, str], title: str = "Eenmalige inlogcode") -> None:
        super().__init__()
        self.codes = codes
        self.code_title = title

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 3))
        table.add_column(style="bold")
        table.add_column(style="bold")
        for username, code in self.codes.items():
            table.add_row(username, code)
        with Vertical(classes="accounts-modal"):
            yield Static(self.code_title, classes="accounts-modal-title")
            yield Static(
                "Geef de code door via een beveiligd kanaal (telefonisch voorlezen). "
                "Bij de eerste keer inloggen kiest de gebruiker een eigen wachtwoord. "
                f"De code werkt {LOGIN_CODE_DAYS} dagen en wordt niet opnieuw getoond.",
                classes="accounts-intro",
            )
            with VerticalScroll(id="code-list"):
                yield Static(table, id="code-table")
            yield Static(
                glyph_text(context(self), "y: kopiëren naar het klembord · Enter of Esc: sluiten"),
                classes="accounts-hint",
            )

    def action_copy(self) -> None:
        text = "\n".join(f"{username}\t{code}" for username, code in self.codes.items())
        self.app.copy_to_clipboard(text)
        what = "de inlogcode" if len(self.codes) == 1 else f"{len(self.codes)} inlogcodes"
        self.notify(
            f"{what.capitalize()} naar het klembord gekopieerd (via de terminal, OSC 52).",
            title="Gekopieerd",
        )

    def action_close(self) -> None:
        self.dismiss(None)


class ImportScreen(ModalScreen[bool]):
    """CSV import: a path, a dry run reporting every line, then all or nothing."""

    AUTO_FOCUS = "#import-path"
    BINDINGS = [
        Binding("f2", "apply", "Alles importeren", id="import.apply"),
        Binding("y", "copy", "Codes kopiëren", show=False, id="import.copy"),
        Binding("escape", "close", "Sluiten", id="import.close"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.checked: str | None = None  # the file text that passed a dry run without errors
        self.checked_path: str | None = None
        self.busy = False
        self.codes: dict[str, str] = {}
        self.applied = False
        self._warned = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="accounts-modal", id="import-box"):
            yield Static("Accounts importeren uit CSV", classes="accounts-modal-title")
            yield Static(
                "Kopregel: gebruikersnaam,naam,organisatie,rollen,regio,telefoon,email "
                "(meerdere rollen of regio's gescheiden door ;). Eerst een proefimport: "
                "er wordt niets opgeslagen tot u alles importeert.",
                classes="accounts-intro",
            )
            yield Label("Bestand", classes="accounts-label")
            yield Input(id="import-path", placeholder="/pad/naar/accounts.csv")
            yield Static("", id="e-path", classes="form-error")
            yield Static("", id="import-summary", classes="accounts-summary")
            with VerticalScroll(id="import-lines"):
                yield Static("", id="import-report")
            yield Button("Alles importeren", id="import-apply", variant="primary")
            yield Static(
                glyph_text(
                    context(self),
                    "Enter: proefimport · F2 of de knop: alles importeren · Esc: sluiten",
                ),
                id="import-hint",
                classes="accounts-hint",
            )

    def on_mount(self) -> None:
        self.query_one("#import-apply").display = False

    def _error(self, message: str) -> None:
        widget = self.query_one("#e-path", Static)
        widget.update(message)
        widget.set_class(bool(message), "visible")

    @on(Input.Changed, "#import-path")
    def _path_changed(self, event: Input.Changed) -> None:
        if self.checked_path is not None and event.value.strip() != self.checked_path:
            self.checked = None
            self.query_one("#import-apply").display = False

    @on(Input.Submitted, "#import-path")
    def _path_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.applied:
            return
        self._error("")
        path = event.value.strip()
        if not path:
            self._error("vul het pad van het CSV-bestand in")
            return
        if not self.busy:
            self.busy = True
            self.query_one("#import-summary", Static).update("proefimport...")
            self.run_import(path, dry_run=True)

    @on(Button.Pressed, "#import-apply")
    def _apply_pressed(self) -> None:
        self.action_apply()

    def action_apply(self) -> None:
        if self.busy or self.applied:
            return
        if self.checked is None:
            self.notify(
                "Doe eerst een proefimport zonder fouten (Enter in het padveld).",
                severity="warning",
            )
            return
        self.busy = True
        self.query_one("#import-summary", Static).update("importeren...")
        self.run_import(self.checked_path or "", dry_run=False, text=self.checked)

    @work(thread=True, exclusive=True, group="accounts-import", exit_on_error=False)
    def run_import(self, path: str, *, dry_run: bool, text: str | None = None) -> None:
        app = context(self)
        if text is None:
            try:
                raw = Path(path).expanduser().read_bytes()
            except OSError as exc:
                reason = exc.strerror or type(exc).__name__
                self.post_message(ImportFailed(f"kan '{path}' niet lezen: {reason}", True))
                return
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                self.post_message(
                    ImportFailed("het bestand is geen UTF-8-tekst; sla het op als CSV UTF-8", True)
                )
                return
        try:
            report = app.store.import_accounts_csv(app.actor, text, dry_run=dry_run)
        except ConnectionLost as exc:
            self.post_message(
                ImportFailed(f"{exc}; er is niets opgeslagen, probeer opnieuw", False)
            )
            return
        except StoreError as exc:
            self.post_message(ImportFailed(str(exc), False))
            return
        self.post_message(ImportChecked(report, path, text))

    @on(ImportFailed)
    def _import_failed(self, message: ImportFailed) -> None:
        self.failed(message.message, message.at_path)

    @on(ImportChecked)
    def _import_checked(self, message: ImportChecked) -> None:
        self.show_report(message.report, message.path, message.text)

    def failed(self, message: str, at_path: bool) -> None:
        self.busy = False
        self.query_one("#import-summary", Static).update("")
        if at_path:
            self._error(message)
        else:
            self.query_one("#import-summary", Static).update(Text(message, style="bold"))

    def show_report(self, report, path: str, text: str) -> None:
        self.busy = False
        lines = Text()
        g = glyphs(context(self))
        for line in report.lines:
            if line.ok:
                detail = f"  inlogcode {line.code}" if line.code else ""
                lines.append(f"{g['yes']} {line.text}{detail}\n")
            else:
                lines.append(f"{g['no']} {line.text}\n", style="bold")
        self.query_one("#import-report", Static).update(lines)
        summary = self.query_one("#import-summary", Static)
        summary.set_class(bool(report.errors), "has-errors")
        button = self.query_one("#import-apply", Button)
        if report.applied:
            self.applied = True
            self.codes = dict(report.codes)
            self.checked = None
            button.display = False
            summary.update(
                f"{report.message}. Geef elke inlogcode door via een beveiligd kanaal; "
                "y kopieert ze, ze worden niet opnieuw getoond."
            )
            self.query_one("#import-hint", Static).update(
                glyph_text(context(self), "y: codes kopiëren · Esc: sluiten")
            )
            self.query_one("#import-path", Input).disabled = True
            self.query_one("#import-lines").focus()
            return
        if report.dry_run and not report.errors and report.lines:
            self.checked, self.checked_path = text, path
            button.label = f"Alles importeren ({len(report.lines)})"
            button.display = True
            summary.update(f"{report.message}. Enter op de knop of F2 importeert alles.")
            button.focus()
        else:
            self.checked = None
            button.display = False
            hint = " Verbeter het bestand en druk opnieuw Enter." if report.errors else ""
            summary.update(f"{report.message}.{hint}")

    def action_copy(self) -> None:
        if not self.codes:
            return
        self.app.copy_to_clipboard("\n".join(f"{u}\t{c}" for u, c in self.codes.items()))
        self.notify(
            f"{len(self.codes)} inlogcodes naar het klembord gekopieerd (OSC 52).",
            title="Gekopieerd",
        )

    def action_close(self) -> None:
        if self.codes and not self._warned:
            self._warned = True
            self.query_one("#import-summary", Static).update(
                "De inlogcodes worden niet opnieuw getoond. y kopieert ze; nogmaals Esc sluit."
            )
            return
        self.dismiss(self.applied)


# --- the screen -----------------------------------------------------------------------------------


class AccountsScreen(Screen):
    AUTO_FOCUS = "#accounts-table"

    BINDINGS = [
        Binding("escape", "back", "Terug", id="accounts.back"),
        Binding("slash", "filter", "Zoeken", id="accounts.filter"),
        Binding("f", "filters", "Filters", id="accounts.filters"),
        Binding("c", "create", "Nieuw", id="accounts.create"),
        Binding("e", "edit", "Wijzigen", id="accounts.edit"),
        Binding("d", "deactivate", "Deactiveren", id="accounts.deactivate"),
        Binding("r", "reactivate", "Heractiveren", id="accounts.reactivate"),
        Binding("x", "reset", "Nieuwe inlogcode", id="accounts.reset"),
        Binding("i", "import_csv", "Importeren", id="accounts.import"),
        Binding("question_mark", "help", "Help", id="accounts.help"),
        Binding("f5,ctrl+r", "refresh", "Vernieuwen", show=False, id="accounts.refresh"),
        Binding("j", "cursor_down", "Omlaag", show=False, id="accounts.down"),
        Binding("k", "cursor_up", "Omhoog", show=False, id="accounts.up"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.accounts: dict[int, Any] = {}  # id -> AccountRow, as last read
        self.order: list[int] = []
        self.shown: dict[int, tuple] = {}  # id -> (text, style) per cell, as in the table
        self.counts: list = []
        self.organisations: list[tuple[str, int]] = []  # (name, id) for the forms
        self.loaded = False
        self._pending_cursor: int | None = None

    @property
    def is_admin(self) -> bool:
        return allowed(context(self).actor.roles, Permission.MANAGE_ACCOUNTS)

    # --- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield TopBar(id="topbar")
        yield Static(id="banner")
        with Horizontal(id="accounts-filters"):
            yield Input(placeholder="/ zoek: naam, gebruikersnaam, e-mail", id="accounts-text")
            yield Select([], prompt="organisatie: alle", id="accounts-org")
            yield Select([(r.label, r.value) for r in Role], prompt="rol: alle", id="accounts-role")
            yield Select([], prompt="regio: alle", id="accounts-region")
            yield Select(
                [("actief", "ja"), ("gedeactiveerd", "nee")],
                prompt="actief: alle",
                id="accounts-active",
            )
        with Horizontal(id="accounts-body"):
            yield DataTable(id="accounts-table", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="accounts-side"):
                yield Static(id="account-detail")
                yield Static(id="organisation-counts")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for column in COLUMNS:
            table.add_column(column.label, key=column.key, width=column.width)
        if not self.is_admin:
            self.show_banner(NO_ADMIN)
            self.query_one("#accounts-filters").display = False
            self.query_one("#accounts-body").display = False
            return
        table.loading = True
        self.load()

    def show_banner(self, message: str) -> None:
        banner = self.query_one("#banner", Static)
        banner.update(glyph_text(context(self), message))
        banner.set_class(bool(message), "visible")

    # --- loading -----------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="accounts-load", exit_on_error=False)
    def load(self) -> None:
        app = context(self)
        store = app.store
        try:
            rows = store.list_accounts(now=app.clock.now())
            counts = store.organisation_counts()
            organisations = [(name, oid) for oid, name in store.organisations()]
        except StoreError as exc:
            message = str(exc) if isinstance(exc, ConnectionLost) else f"fout: {exc}"
            self.post_message(LoadFailed(message))
            return
        self.post_message(AccountsLoaded(rows, counts, organisations))

    @on(LoadFailed)
    def _load_failed(self, message: LoadFailed) -> None:
        self.load_failed(message.message)

    @on(AccountsLoaded)
    def _accounts_loaded(self, message: AccountsLoaded) -> None:
        self.apply(message.rows, message.counts, message.organisations)

    def load_failed(self, message: str) -> None:
        self.query_one(DataTable).loading = False
        shown = "getoond is de laatst bekende stand" if self.accounts else "nog geen gegevens"
        self.show_banner(f"⚠ {message} · {shown} · F5 probeert opnieuw")

    def apply(self, rows: list, counts: list, organisations: list[tuple[str, int]]) -> None:
        self.query_one(DataTable).loading = False
        self.show_banner("")
        self.accounts = {row.id: row for row in rows}
        self.order = [row.id for row in rows]
        self.counts = list(counts)
        self.organisations = organisations
        self._set_options("#accounts-org", [(name, oid) for name, oid in organisations])
        regions = sorted({region for row in rows for region in row.regions})
        self._set_options("#accounts-region", [(r, r) for r in regions])
        self.loaded = True
        self.sync()
        self.refresh_bindings()

    def _set_options(self, selector: str, options: list[tuple[str, Any]]) -> None:
        select = self.query_one(selector, Select)
        current = select.value
        if getattr(select, "_hvo_options", None) == options:
            return
        select._hvo_options = options  # type: ignore[attr-defined]
        select.set_options(options)
        if current is not Select.NULL and any(value == current for _, value in options):
            select.value = current

    # --- filtering and the diff --------------------------------------------------------------

    def filters(self) -> dict[str, Any]:
        def value(selector: str):
            v = self.query_one(selector, Select).value
            return None if v is Select.NULL else v

        return {
            "text": self.query_one("#accounts-text", Input).value.strip().lower(),
            "organisation_id": value("#accounts-org"),
            "role": value("#accounts-role"),
            "region": value("#accounts-region"),
            "active": value("#accounts-active"),
        }

    def visible(self) -> list[int]:
        f = self.filters()
        wanted = []
        for account_id in self.order:
            row = self.accounts[account_id]
            if f["organisation_id"] is not None and row.organisation_id != f["organisation_id"]:
                continue
            if f["role"] is not None and f["role"] not in row.roles:
                continue
            if f["region"] is not None and f["region"] not in row.regions:
                continue
            if f["active"] is not None and row.active != (f["active"] == "ja"):
                continue
            if f["text"]:
                haystack = " ".join(
                    (row.username, row.full_name, row.email or "", row.organisation)
                ).lower()
                if f["text"] not in haystack:
                    continue
            wanted.append(account_id)
        return wanted

    def cells(self, row) -> tuple:
        g = glyphs(context(self))
        muted = "" if row.active else "dim"
        active = Text(
            f"{g['yes']} actief" if row.active else f"{g['no']} inactief",
            style="" if row.active else "bold",
        )
        locked = Text(
            f"{g['today']} ja" if row.locked else g["none"],  # the urgent mark
            style="bold" if row.locked else "",
        )
        return (
            Text(row.full_name, style=muted),
            Text(row.username, style=muted),
            Text(row.organisation, style=muted, overflow="ellipsis", no_wrap=True),
            Text(", ".join(role_label(r) for r in row.roles), style=muted),
            Text(", ".join(row.regions) or g["none"], style=muted),
            active,
            locked,
        )

    def sync(self) -> None:
        table = self.query_one(DataTable)
        cursor = self._pending_cursor or self.cursor_account()
        self._pending_cursor = None
        wanted = self.visible()
        wanted_set = set(wanted)
        for account_id in [aid for aid in self.shown if aid not in wanted_set]:
            table.remove_row(str(account_id))
            del self.shown[account_id]
        keys = [c.key for c in COLUMNS]
        for account_id in wanted:
            cells = self.cells(self.accounts[account_id])
            signature = tuple((cell.plain, str(cell.style)) for cell in cells)
            old = self.shown.get(account_id)
            if old is None:
                table.add_row(*cells, key=str(account_id))
            elif old != signature:
                for key, before, after, cell in zip(keys, old, signature, cells, strict=False):
                    if before != after:
                        table.update_cell(str(account_id), key, cell)
            self.shown[account_id] = signature
        displayed = sorted(self.shown, key=lambda aid: table.get_row_index(str(aid)))
        if displayed != wanted:
            rank = {self.accounts[aid].username: i for i, aid in enumerate(wanted)}
            table.sort("username", key=lambda cell: rank.get(cell.plain, len(rank)))
        if cursor is not None and str(cursor) in table.rows:
            table.move_cursor(row=table.get_row_index(str(cursor)), animate=False)
        total = len(self.accounts)
        active = sum(1 for row in self.accounts.values() if row.active)
        shown = f" · {len(wanted)} getoond" if len(wanted) != total else ""
        self.query_one(TopBar).counts = f"accounts: {total} ({active} actief){shown}"
        self.show_detail()
        self.show_counts()

    def cursor_account(self) -> int | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        except Exception:  # noqa: BLE001 - an empty or changing table has no cursor row
            return None
        return int(key.value) if key and key.value else None

    def current(self):
        account_id = self.cursor_account()
        return self.accounts.get(account_id) if account_id is not None else None

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self.show_detail()
        self.refresh_bindings()

    def show_detail(self) -> None:
        row = self.current()
        widget = self.query_one("#account-detail", Static)
        if row is None:
            widget.update("Geen account gekozen." if self.loaded else "")
            return
        table = Table.grid(padding=(0, 1))
        table.add_column(style="bold")
        table.add_column()
        table.add_row("Naam", row.full_name)
        table.add_row("Gebruiker", row.username)
        table.add_row("Organisatie", row.organisation)
        table.add_row("Rollen", ", ".join(role_label(r) for r in row.roles) or "–")
        table.add_row("Regio's", ", ".join(row.regions) or "–")
        table.add_row("Telefoon", row.phone or "–")
        table.add_row("E-mail", row.email or "–")
        table.add_row("Bestuurlijk", "ja" if row.bestuurlijk else "nee")
        table.add_row("Actief", "ja" if row.active else "nee (gedeactiveerd)")
        table.add_row("Vergrendeld", "ja (vijf mislukte pogingen)" if row.locked else "nee")
        table.add_row(
            "Inloggen",
            "eenmalige code uitgegeven, nog geen wachtwoord"
            if row.must_change_password
            else "met wachtwoord",
        )
        table.add_row("Tweede factor", "ja (TOTP)" if getattr(row, "totp", False) else "nee")
        widget.update(table)

    def show_counts(self) -> None:
        table = Table(
            box=None,
            padding=(0, 1),
            title="Per organisatie",
            title_justify="left",
            title_style="bold",
        )
        table.add_column("organisatie", overflow="fold")
        table.add_column("actief", justify="right")
        table.add_column("bestuurl.", justify="right")
        for count in self.counts:
            table.add_row(count.organisation, str(count.active), str(count.bestuurlijk))
        if not self.counts:
            table.add_row("–", "", "")
        self.query_one("#organisation-counts", Static).update(table)

    @on(Input.Changed, "#accounts-text")
    def _text_changed(self) -> None:
        if self.loaded:
            self.sync()

    @on(Select.Changed)
    def _select_changed(self) -> None:
        if self.loaded:
            self.sync()

    @on(Input.Submitted, "#accounts-text")
    def _text_done(self) -> None:
        self.query_one(DataTable).focus()

    def on_key(self, event) -> None:
        if (
            event.key == "escape"
            and self.focused is not None
            and self.focused.id
            in (
                "accounts-text",
                "accounts-org",
                "accounts-role",
                "accounts-region",
                "accounts-active",
            )
        ):
            if isinstance(self.focused, Select) and self.focused.expanded:
                return
            self.query_one(DataTable).focus()
            event.stop()
            event.prevent_default()

    # --- which actions are offered -----------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if (
            action in ADMIN_ACTIONS or action in ("filter", "filters", "refresh")
        ) and not self.is_admin:
            return False  # not this role's to do: absent from footer, help and palette
        if action in ("deactivate", "reactivate"):
            row = self.current()
            if row is None:
                return None
            if action == "deactivate":
                return row.active and row.id != context(self).actor.account_id
            return not row.active
        if action in ("edit", "reset") and self.current() is None:
            return None
        return True

    # --- actions -----------------------------------------------------------------------------

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    def action_filter(self) -> None:
        self.query_one("#accounts-text", Input).focus()

    def action_filters(self) -> None:
        self.query_one("#accounts-org", Select).focus()

    def action_refresh(self) -> None:
        self.load()

    def action_cursor_down(self) -> None:
        self.query_one(DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(DataTable).action_cursor_up()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(binding_rows(self), []))

    def _organisation_options(self) -> list[tuple[str, int]]:
        return [(name, oid) for name, oid in self.organisations]

    def account_fields(self, row=None) -> list[FieldSpec]:
        roles_hint = "komma-gescheiden, bv. procesmanager, casemanager"
        fields = []
        if row is None:
            fields.append(FieldSpec("username", "Gebruikersnaam", placeholder="bv. a.jansen"))
        fields += [
            FieldSpec("full_name", "Naam", default=row.full_name if row else None),
            FieldSpec(
                "organisation_id",
                "Organisatie",
                kind="select",
                options=self._organisation_options(),
                default=row.organisation_id if row else None,
                # a blank Select is Select.NULL, not None: say so here, not in the store
                validate=lambda v: None if isinstance(v, int) else "kies een organisatie",
            ),
            FieldSpec(
                "roles",
                "Rollen (" + ", ".join(r.value for r in Role) + ")",
                default=", ".join(row.roles) if row else None,
                placeholder=roles_hint,
                validate=check_roles,
            ),
            FieldSpec(
                "regions",
                "Regio's (komma-gescheiden; leeg: geen)",
                required=False,
                default=", ".join(row.regions) if row else None,
                placeholder="bv. Midden-Limburg",
            ),
            FieldSpec(
                "phone",
                "Telefoon",
                required=False,
                default=row.phone if row else None,
                placeholder="06-12345678",
            ),
            FieldSpec(
                "email",
                "E-mail",
                required=False,
                default=row.email if row else None,
                placeholder="naam@organisatie.nl",
            ),
            FieldSpec(
                "bestuurlijk",
                "Bestuurlijk account (burgemeester; voor de facturering)",
                kind="select",
                options=[("nee", "nee"), ("ja", "ja")],
                default="ja" if row is not None and row.bestuurlijk else "nee",
            ),
        ]
        return fields

    def action_create(self) -> None:
        created: dict[str, Any] = {}
        app = context(self)

        def save(values: dict[str, Any]) -> None:
            account_id, code = app.store.create_account(
                app.actor,
                username=values["username"],
                full_name=values["full_name"],
                organisation_id=values["organisation_id"],
                roles=role_values(values["roles"]),
                regions=parse_list(values["regions"]),
                phone=values["phone"],
                email=values["email"],
                bestuurlijk=_yes(values["bestuurlijk"]),
            )
            created.update(id=account_id, code=code, username=values["username"].strip().lower())

        def done(ok: bool | None) -> None:
            if not ok:
                return
            self._pending_cursor = created["id"]
            self.notify(f"Account {created['username']} aangemaakt.", title="Accounts")
            self.app.push_screen(CodeScreen({created["username"]: created["code"]}))
            self.load()

        self.app.push_screen(
            ActionForm(
                "Nieuw account",
                self.account_fields(),
                save,
                intro="Het account krijgt een eenmalige inlogcode.",
            ),
            done,
        )

    def action_edit(self) -> None:
        row = self.current()
        if row is None:
            return
        app = context(self)

        def save(values: dict[str, Any]) -> None:
            wanted = {
                "full_name": values["full_name"],
                "organisation_id": values["organisation_id"],
                "roles": role_values(values["roles"]),
                "regions": parse_list(values["regions"]),
                "phone": values["phone"],
                "email": values["email"],
                "bestuurlijk": _yes(values["bestuurlijk"]),
            }
            current = {
                "full_name": row.full_name,
                "organisation_id": row.organisation_id,
                "roles": list(row.roles),
                "regions": list(row.regions),
                "phone": row.phone,
                "email": row.email,
                "bestuurlijk": row.bestuurlijk,
            }
            changes = {
                k: v
                for k, v in wanted.items()
                if (sorted(v) if isinstance(v, list) else v)
                != (sorted(current[k]) if isinstance(current[k], list) else current[k])
            }
            if changes:
                app.store.update_account(app.actor, row.id, **changes)

        def done(ok: bool | None) -> None:
            if ok:
                self.notify(f"Account {row.username} opgeslagen.", title="Accounts")
                self.load()

        self.app.push_screen(
            ActionForm(f"Account {row.username} wijzigen", self.account_fields(row), save), done
        )

    def action_deactivate(self) -> None:
        row = self.current()
        if row is None or not row.active:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.write(
                    lambda store, actor: store.deactivate(actor, row.id),
                    f"Account {row.username} gedeactiveerd.",
                )

        self.app.push_screen(
            ConfirmScreen(
                f"Account {row.username} ({row.full_name}) deactiveren?",
                "Het account kan dan niet meer inloggen. Het blijft bestaan: de geschiedenis "
                "blijft "
                "ernaar verwijzen, en r heractiveert het.",
            ),
            answered,
        )

    def action_reactivate(self) -> None:
        row = self.current()
        if row is None or row.active:
            return
        self.write(
            lambda store, actor: store.reactivate(actor, row.id),
            f"Account {row.username} is weer actief.",
        )

    def action_reset(self) -> None:
        row = self.current()
        if row is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.write(
                    lambda store, actor: store.reset_login(actor, row.id),
                    f"Nieuwe inlogcode voor {row.username}.",
                    code_for=row.username,
                )

        self.app.push_screen(
            ConfirmScreen(
                f"Nieuwe inlogcode voor {row.username} ({row.full_name})?",
                "Het huidige wachtwoord werkt dan niet meer en een blokkade wordt opgeheven; bij "
                "het "
                "inloggen met de code kiest de gebruiker een nieuw wachtwoord.",
            ),
            answered,
        )

    def action_import_csv(self) -> None:
        def done(applied: bool | None) -> None:
            if applied:
                self.load()

        self.app.push_screen(ImportScreen(), done)

    @work(thread=True, group="accounts-write", exit_on_error=False)
    def write(
        self, fn: Callable[[Any, Any], Any], message: str, code_for: str | None = None
    ) -> None:
        app = context(self)
        try:
            result = fn(app.store, app.actor)
        except StoreError as exc:
            text = str(exc)
            if isinstance(exc, ConnectionLost):
                text += "; er is niets opgeslagen, probeer opnieuw"
            self.post_message(
                Notice(text[:1].upper() + text[1:], severity="error", title="Niet gelukt")
            )
            return
        self.post_message(AccountWritten(message, result if code_for else None, code_for))

    @on(Notice)
    def _notice(self, message: Notice) -> None:
        self.notify(message.text, severity=message.severity, title=message.title)

    @on(AccountWritten)
    def _account_written(self, message: AccountWritten) -> None:
        self.written(message.message, message.code, message.username)

    def written(self, message: str, code: str | None, username: str | None) -> None:
        self.notify(message, title="Accounts")
        if code and username:
            self.app.push_screen(CodeScreen({username: code}))
        self.load()


__all__ = ["AccountsScreen", "CodeScreen", "ConfirmScreen", "ImportScreen"]
