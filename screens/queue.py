"""The queue: every open case, the most urgent first."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from hvo_tui.clock import local
from hvo_tui.domain import ban_end
from store.interface import QueueRow, StoreError

from .widgets import TopBar

COLUMNS = (
    ("number", "Zaak", 13),
    ("municipality", "Gemeente", 18),
    ("status", "Status", 16),
    ("t0", "Opgelegd", 16),
    ("end", "Einde", 16),
)


def _moment(value) -> str:
    shown = local(value)
    return shown.format("DD-MM-YYYY HH:mm") if shown else "–"


class QueueScreen(Screen):
    BINDINGS = [
        Binding("q", "app.quit", "Stoppen", id="quit"),
        Binding("f5", "refresh", "Vernieuwen", id="refresh"),
    ]

    def compose(self) -> ComposeResult:
        yield TopBar(id="topbar")
        yield Static(id="banner")
        table: DataTable = DataTable(id="queue-table", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static("Geen open zaken.", id="empty")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key, label, width in COLUMNS:
            table.add_column(label, key=key, width=width)
        table.loading = True
        self.load()

    def action_refresh(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="queue", exit_on_error=False)
    def load(self) -> None:
        try:
            rows = self.app.store.queue_rows()
        except StoreError as exc:
            self.app.call_from_thread(self.show_error, str(exc))
            return
        self.app.call_from_thread(self.show_rows, rows)

    def show_error(self, message: str) -> None:
        table = self.query_one(DataTable)
        table.loading = False
        banner = self.query_one("#banner", Static)
        banner.update(f"⚠ {message}")
        banner.add_class("visible")

    def show_rows(self, rows: list[QueueRow]) -> None:
        table = self.query_one(DataTable)
        table.loading = False
        self.query_one("#banner").remove_class("visible")

        def end_of(row: QueueRow):
            facts = row.facts
            if facts.imposed_at is None:
                return (1, row.number)
            return (0, ban_end(facts.imposed_at, facts.extended_until), row.number)

        rows = sorted(rows, key=end_of)
        table.clear()
        for row in rows:
            facts = row.facts
            end = ban_end(facts.imposed_at, facts.extended_until) if facts.imposed_at else None
            table.add_row(
                Text(row.number),
                Text(row.municipality),
                Text(facts.status.label),
                Text(_moment(facts.imposed_at)),
                Text(_moment(end)),
                key=str(row.case_id),
            )
        self.query_one("#empty").set_class(not rows, "visible")
        table.display = bool(rows)
        self.query_one(TopBar).counts = f"{len(rows)} open"
