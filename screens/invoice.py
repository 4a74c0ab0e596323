"""The region's invoice per municipality, from use (issue 8; beheerder: ``Permission.INVOICE``).

One table: per municipality its own lines (accounts, actions) and its share of the shared partner
accounts, with a subtotal; then the shared pot per partner organisation; then the region's total.
Below the table, the highlighted line's explanation (and the case numbers it counted), so every
euro can be checked against its source. Region and period (``2026-Q3``, ``2026-07``, ``2026``)
are chosen at the top; the default is the account's first region and the last full quarter.

The store reads the use (``billing_usage``), ``hvo_tui.domain.billing`` computes; the tariff table
is the one shipped with hvo (``hvo_tui/tarieven.toml``), as ``hvo costs invoice`` uses by default.

``e`` exports the invoice shown: per municipality a statement (.txt) and its lines (.csv) in a
directory, to send (``hvo_tui.domain.billing_text`` renders, ``store.statements`` writes; the
same as ``hvo costs invoice --out DIR``).
"""

from __future__ import annotations

from fractions import Fraction
from importlib.resources import files

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Input, Label, Select, Static

from hvo_tui.domain.billing import (
    BillingError,
    Invoice,
    cases_label,
    compute_invoice,
    parse_period,
    parse_tariff,
)
from hvo_tui.domain.billing_text import statement_files
from hvo_tui.domain.costs import euros
from hvo_tui.domain.permissions import Permission, allowed
from store.interface import StoreError
from store.statements import ExportError, default_directory, write_statements

from .context import context
from .help import HelpScreen, binding_rows
from .messages import InvoiceLoaded, LoadFailed, RegionsLoaded
from .widgets import TopBar, glyph_text

# (label, key, width): 80 columns wide with the cell padding; long posts are cut, the explanation
# below the table has them in full.
COLUMNS = (
    ("Gemeente", "gemeente", 14),
    ("Post", "post", 28),
    ("Aantal", "aantal", 6),
    ("Tarief", "tarief", 9),
    ("Bedrag", "bedrag", 10),
)
NO_INVOICE = "Alleen een functioneel beheerder kan de rekening per gemeente opstellen."


def eur(cents: int | None) -> str:
    return "" if cents is None else euros(Fraction(cents, 100), 2)


def last_quarter(now) -> str:
    """The last full quarter before ``now`` (local), as ``2026-Q3``."""
    q = (now.month - 1) // 3  # the current quarter, 0-based
    return f"{now.year - 1}-Q4" if q == 0 else f"{now.year}-Q{q}"


def default_tariff_text() -> str:
    return (files("hvo_tui") / "tarieven.toml").read_text(encoding="utf-8")


class InvoiceScreen(Screen):
    AUTO_FOCUS = "#invoice-table"
    DEFAULT_CSS = """
    #invoice-filters { height: 3; }
    #invoice-filters Select { width: 30; }
    #invoice-filters Input { width: 16; }
    #invoice-summary { height: auto; padding: 0 1; text-style: bold; }
    #invoice-table { height: 1fr; }
    #invoice-explanation { height: auto; max-height: 6; padding: 0 1; border-top: solid $primary; }
    """

    BINDINGS = [
        Binding("escape", "back", "Terug", id="invoice.back"),
        Binding("p", "period", "Periode", id="invoice.period"),
        Binding("e", "export", "Exporteren", id="invoice.export"),
        Binding("f5,ctrl+r", "refresh", "Vernieuwen", id="invoice.refresh"),
        Binding("question_mark", "help", "Help", id="invoice.help"),
        Binding("j", "cursor_down", "Omlaag", show=False, id="invoice.down"),
        Binding("k", "cursor_up", "Omhoog", show=False, id="invoice.up"),
    ]

    def __init__(self, region: str | None = None, period: str | None = None) -> None:
        super().__init__()
        self.region_name = region
        self.period_text = period
        self.invoice: Invoice | None = None
        self.explanations: dict[str, str] = {}  # row key -> what the line means
        self.loaded = False

    @property
    def may(self) -> bool:
        return allowed(context(self).actor.roles, Permission.INVOICE)

    def compose(self) -> ComposeResult:
        yield TopBar(id="topbar")
        yield Static(id="banner")
        with Horizontal(id="invoice-filters"):
            yield Select([], prompt="regio", allow_blank=True, id="invoice-region")
            yield Input(placeholder="2026-Q3", id="invoice-period")
        yield Static(id="invoice-summary")
        yield DataTable(id="invoice-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="invoice-explanation")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label, key, width in COLUMNS:
            table.add_column(label, key=key, width=width)
        if not self.may:
            self.show_banner(NO_INVOICE)
            for widget in (
                "#invoice-filters",
                "#invoice-summary",
                "#invoice-table",
                "#invoice-explanation",
            ):
                self.query_one(widget).display = False
            return
        self.period_text = self.period_text or last_quarter(context(self).clock.now())
        self.query_one("#invoice-period", Input).value = self.period_text
        table.loading = True
        self.load_regions()

    def show_banner(self, message: str) -> None:
        banner = self.query_one("#banner", Static)
        banner.update(glyph_text(context(self), message))
        banner.set_class(bool(message), "visible")

    # --- loading -----------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="invoice-regions", exit_on_error=False)
    def load_regions(self) -> None:
        try:
            names = context(self).store.billing_regions(context(self).actor)
        except StoreError as exc:
            self.post_message(LoadFailed(str(exc)))
            return
        self.post_message(RegionsLoaded(names))

    @on(RegionsLoaded)
    def _regions_loaded(self, message: RegionsLoaded) -> None:
        self.set_regions(message.names)

    @on(LoadFailed)
    def _load_failed(self, message: LoadFailed) -> None:
        self.failed(message.message)

    def set_regions(self, names: list[str]) -> None:
        if not names:
            self.query_one(DataTable).loading = False
            self.show_banner("Er zijn nog geen regio's.")
            return
        mine = [r for r in context(self).actor.regions if r in names]
        if self.region_name not in names:
            self.region_name = (mine or names)[0]
        select = self.query_one("#invoice-region", Select)
        with self.prevent(Select.Changed):
            select.set_options([(n, n) for n in names])
            select.value = self.region_name
        self.reload()

    def reload(self) -> None:
        try:
            period = parse_period(self.period_text or "")
        except BillingError as exc:
            self.show_banner(exc.message)
            return
        self.query_one(DataTable).loading = True
        self.load(self.region_name, period)

    @work(thread=True, exclusive=True, group="invoice-load", exit_on_error=False)
    def load(self, region: str, period) -> None:
        try:
            tariff = parse_tariff(default_tariff_text())
            usage = context(self).store.billing_usage(context(self).actor, region, period)
            invoice = compute_invoice(usage, period, tariff)
        except (StoreError, BillingError) as exc:
            self.post_message(LoadFailed(str(exc)))
            return
        self.post_message(InvoiceLoaded(invoice))

    @on(InvoiceLoaded)
    def _invoice_loaded(self, message: InvoiceLoaded) -> None:
        self.apply(message.invoice)

    def failed(self, message: str) -> None:
        self.query_one(DataTable).loading = False
        self.show_banner(f"⚠ {message}")

    def apply(self, invoice: Invoice) -> None:
        self.invoice = invoice
        self.show_banner("")
        table = self.query_one(DataTable)
        table.loading = False
        table.clear()
        self.explanations = {}
        own = sum(s.own for s in invoice.statements)
        self.query_one("#invoice-summary", Static).update(
            glyph_text(
                context(self),
                f"Rekening {invoice.region} · {invoice.period.label} "
                f"({invoice.period.describe()}) · "
                f"totaal {eur(invoice.total)} (eigen kosten {eur(own)} + gedeeld "
                f"{eur(invoice.shared_total)})",
            )
        )
        # The columns are narrow: in ASCII mode amounts without the sign (EUR would not fit).
        money = (lambda cents: eur(cents).replace("€ ", "")) if context(self).ascii else eur

        def add(
            key: str,
            gemeente: str,
            post: str,
            count,
            unit,
            amount,
            explanation: str,
            bold: bool = False,
        ) -> None:
            style = "bold" if bold else ""
            table.add_row(
                gemeente,
                Text(post, style=style),
                Text("" if count is None else str(count), justify="right"),
                Text(money(unit), justify="right"),
                Text(money(amount), justify="right", style=style),
                key=key,
            )
            self.explanations[key] = explanation

        for i, s in enumerate(invoice.statements):
            for j, line in enumerate(s.lines):
                text = line.explanation
                if line.cases:
                    text += "\nzaken: " + cases_label(line.cases)
                add(
                    f"m{i}.{j}",
                    s.municipality if j == 0 else "",
                    line.item,
                    line.count,
                    line.unit,
                    line.amount,
                    text,
                )
            add(
                f"m{i}.t",
                s.municipality if not s.lines else "",
                f"Totaal {s.municipality}",
                None,
                None,
                s.total,
                bold=True,
                explanation=f"{s.municipality}: {s.population:,} inwoners; ".replace(",", ".")
                + f"eigen kosten {eur(s.own)}, aandeel gedeeld {eur(s.share)}",
            )
        add(
            "s.h",
            "Gedeeld",
            "verdeeld naar inwoners",
            None,
            None,
            None,
            " ".join(invoice.notes[3:]),
            bold=True,
        )
        party = None
        for j, line in enumerate(invoice.shared_lines):
            add(
                f"s{j}",
                line.party if line.party != party else "",
                line.item,
                line.count,
                line.unit,
                line.amount,
                line.explanation,
            )
            party = line.party
        add(
            "s.t",
            "",
            "Totaal gedeeld",
            None,
            None,
            invoice.shared_total,
            " ".join(invoice.notes[3:]),
            bold=True,
        )
        add(
            "total",
            "Totaal",
            f"Regio {invoice.region}",
            None,
            None,
            invoice.total,
            "\n".join([*invoice.notes, *invoice.not_billed]),
            bold=True,
        )
        self.loaded = True
        self.show_explanation()

    # --- interaction -------------------------------------------------------------------------

    def show_explanation(self) -> None:
        table = self.query_one(DataTable)
        text = ""
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            text = self.explanations.get(key or "", "")
        self.query_one("#invoice-explanation", Static).update(glyph_text(context(self), text))

    @on(DataTable.RowHighlighted, "#invoice-table")
    def _highlighted(self) -> None:
        self.show_explanation()

    @on(Select.Changed, "#invoice-region")
    def _region_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value != self.region_name:
            self.region_name = event.value
            self.reload()

    @on(Input.Submitted, "#invoice-period")
    def _period_submitted(self, event: Input.Submitted) -> None:
        self.period_text = event.value.strip()
        self.reload()
        self.query_one(DataTable).focus()

    def action_period(self) -> None:
        self.query_one("#invoice-period", Input).focus()

    def action_refresh(self) -> None:
        if self.may and self.region_name:
            self.reload()

    def action_export(self) -> None:
        if not self.may:
            return
        invoice = self.invoice
        if invoice is None:
            self.notify("Er is nog geen rekening om te exporteren.", severity="warning")
            return
        self.app.push_screen(
            ExportScreen(invoice, context(self).clock.now().date()), self._exported
        )

    def _exported(self, result: tuple[str, int] | None) -> None:
        if result is not None:
            folder, count = result
            self.notify(
                f"{count} bestanden geschreven in {folder}", title="Rekeningen geëxporteerd"
            )

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(binding_rows(self), []))

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_cursor_down(self) -> None:
        self.query_one(DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(DataTable).action_cursor_up()


class ExportScreen(ModalScreen[tuple[str, int] | None]):
    """Ask for a directory and write there per municipality its statement and its lines. A bad
    directory is said next to the field, which keeps what was typed; files that are already there
    are only overwritten after a second Enter on the same directory."""

    AUTO_FOCUS = "#export-path"
    DEFAULT_CSS = """
    ExportScreen { align: center middle; }
    """
    BINDINGS = [Binding("escape", "close", "Annuleren", id="export.close")]

    def __init__(self, invoice: Invoice, made) -> None:
        super().__init__()
        self.invoice = invoice
        self.files = statement_files(invoice, made)
        self.confirm: str | None = None  # the directory whose existing files may be overwritten

    def compose(self) -> ComposeResult:
        inv = self.invoice
        with Vertical(classes="accounts-modal", id="export-box"):
            yield Static(
                glyph_text(
                    context(self), f"Rekeningen exporteren · {inv.region} · {inv.period.label}"
                ),
                classes="accounts-modal-title",
            )
            yield Static(
                f"Per gemeente een rekening (.txt) en haar posten (.csv), om te versturen: "
                f"{len(inv.statements)} gemeenten, {len(self.files)} bestanden. De map "
                "wordt zo nodig gemaakt.",
                classes="accounts-intro",
            )
            yield Label("Map", classes="accounts-label")
            yield Input(default_directory(inv.period.label, inv.region), id="export-path")
            yield Static("", id="e-export-path", classes="form-error")
            yield Static(
                glyph_text(context(self), "Enter: exporteren · Esc: annuleren"),
                classes="accounts-hint",
            )

    def _error(self, message: str) -> None:
        widget = self.query_one("#e-export-path", Static)
        widget.update(glyph_text(context(self), message))
        widget.set_class(bool(message), "visible")

    @on(Input.Changed, "#export-path")
    def _changed(self, event: Input.Changed) -> None:
        if self.confirm is not None and event.value.strip() != self.confirm:
            self.confirm = None
            self._error("")

    @on(Input.Submitted, "#export-path")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        directory = event.value.strip()
        try:
            paths = write_statements(directory, self.files, overwrite=directory == self.confirm)
        except ExportError as exc:
            if exc.existing:
                self.confirm = directory
                self._error(f"{exc.message}. Enter nogmaals om ze te overschrijven.")
            else:
                self.confirm = None
                self._error(exc.message)
            return
        folder = str(paths[0].parent) if paths else directory
        self.dismiss((folder, len(paths)))

    def action_close(self) -> None:
        self.dismiss(None)
