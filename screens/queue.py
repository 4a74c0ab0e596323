"""The live queue: every open case, the most urgent first, updated as others write.

Workers do the I/O (first load, the change feed, earlier-case counts); handlers own the state.
The table is diffed by case id against what the model says should be visible: rows are added,
removed and updated cell by cell, never rebuilt, so the highlighted case and the scroll position
stay. Countdowns tick once a second from cached due moments without asking the database.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.containers import Horizontal
from textual.screen import Screen
from textual.suggester import SuggestFromList
from textual.widgets import DataTable, Footer, Input, Static
from textual.worker import get_current_worker

from hvo_tui.domain import Permission, RegionRules, allowed
from hvo_tui.domain.vocab import QUEUE_DOCUMENTS, CaseStatus, DocumentKind
from store.interface import ConnectionLost, QueueRow, StoreError

from .case import CaseScreen
from .case_actions import CASE_ACTIONS, build_form, may
from .context import context
from .detail import render_detail
from .help import HelpScreen, binding_rows
from .queue_model import SORTS, URGENT_BANDS, Filters, QueueModel, fold
from .widgets import TopBar, glyph_text, glyphs

CHANGED_SECONDS = 4.0
FIRST_PAGE = 60  # rows loaded before everything else, for a fast first paint
BACKOFF = (1, 2, 4, 8, 15, 30)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int  # including one space of separation
    priority: int  # lower stays longer when the terminal is narrow


COLUMNS: tuple[Column, ...] = (
    Column("mark", "", 2, 0),
    Column("number", "Zaak", 14, 0),
    Column("countdown", "Termijn", 17, 0),
    *(Column(f"doc_{kind.value}", kind.short, 3, 1) for kind in QUEUE_DOCUMENTS),
    Column("municipality", "Gemeente", 13, 2),
    Column("status", "Status", 17, 3),
    Column("flags", "Vlag", 5, 4),
    Column("casemanager", "Casemanager", 18, 5),
    Column("procesmanager", "Procesmanager", 18, 6),
)

COMMANDS = (
    ("zaak NUMMER", "ga naar een zaak, bv. :zaak HV-2026-00042"),
    ("gemeente NAAM", "alleen zaken van deze gemeente"),
    ("regio NAAM", "alleen zaken van deze regio"),
    ("status NAAM", "alleen zaken met deze status, bv. :status lopend"),
    ("mijn", "alleen mijn zaken (aan/uit)"),
    ("urgent", "alleen te laat en binnen 24 uur (aan/uit)"),
    ("sorteer KOLOM", "sorteer op " + ", ".join(label.lower() for label in SORTS.values())),
    ("alles", "alle filters uit"),
)


def columns_for(width: int) -> list[Column]:
    """The columns that fit ``width`` cells, dropping the lowest priority first."""
    chosen = list(COLUMNS)
    usable = width - 2  # the vertical scrollbar
    for priority in sorted({c.priority for c in COLUMNS}, reverse=True):
        if sum(c.width for c in chosen) <= usable or priority == 0:
            break
        chosen = [c for c in chosen if c.priority != priority]
    return chosen


class QueueCommands(Provider):
    """Ctrl+P: every action of the queue, jumping to any open case, and the filters."""

    def _entries(self) -> list[tuple[str, object, str]]:
        screen = self.screen
        if not isinstance(screen, QueueScreen):
            return []
        entries: list[tuple[str, object, str]] = []
        for binding in screen.BINDINGS:
            if (
                isinstance(binding, Binding)
                and binding.description
                and binding.action != "app.quit"
            ):
                if screen.check_action(binding.action, ()) is False:
                    continue
                entries.append(
                    (
                        binding.description,
                        lambda a=binding.action: screen.run_action(a),
                        binding.key,
                    )
                )
        if allowed(context(screen).actor.roles, Permission.INVOICE):  # issue 8: the invoice
            from .invoice import InvoiceScreen

            entries.append(
                (
                    "Rekening per gemeente",
                    lambda: screen.app.push_screen(InvoiceScreen()),
                    "kosten van de regio uit het gebruik, per gemeente",
                )
            )
        model = screen.model
        for cid in model.visible(screen.now()):
            row = model.rows[cid]
            entries.append(
                (
                    f"Zaak {row.number}",
                    lambda n=row.number: screen.jump_to(n),
                    glyph_text(context(screen), f"{row.municipality} · {row.address}"),
                )
            )
        for municipality in sorted({r.municipality for r in model.rows.values()}):
            entries.append(
                (
                    f"Filter gemeente {municipality}",
                    lambda m=municipality: screen.set_filters(municipality=m),
                    "",
                )
            )
        for region in sorted({r.region for r in model.rows.values()}):
            entries.append(
                (f"Filter regio {region}", lambda r=region: screen.set_filters(region=r), "")
            )
        for status in CaseStatus:
            if status.is_open:
                entries.append(
                    (
                        f"Filter status {status.label}",
                        lambda s=status: screen.set_filters(status=s),
                        "",
                    )
                )
        for key, label in SORTS.items():
            entries.append((f"Sorteer op {label.lower()}", lambda k=key: screen.set_sort(k), ""))
        return entries

    async def discover(self) -> Hits:
        for text, callback, help_text in self._entries()[:40]:
            yield DiscoveryHit(text, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, callback, help_text in self._entries():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), callback, help=help_text)


class QueueScreen(Screen):
    COMMANDS = {QueueCommands}
    AUTO_FOCUS = "#queue-table"

    BINDINGS = [
        Binding("q", "app.quit", "Stoppen", id="queue.quit"),
        Binding("slash", "filter", "Zoeken", id="queue.filter"),
        Binding("colon", "command", "Opdracht", id="queue.command"),
        Binding("question_mark", "help", "Help", id="queue.help"),
        Binding("u", "toggle_urgent", "Urgent", id="queue.urgent"),
        Binding("m", "toggle_mine", "Mijn zaken", id="queue.mine"),
        Binding("s", "next_sort", "Sorteren", id="queue.sort"),
        Binding("S", "reverse_sort", "Omkeren", show=False, id="queue.reverse"),
        Binding("enter", "open_case", "Openen", id="queue.open"),
        Binding("d", "toggle_detail", "Details", show=False, id="queue.detail"),
        *(
            Binding(
                spec.key, f"case_action('{spec.id}')", spec.label, show=False, id=f"queue.{spec.id}"
            )
            for spec in CASE_ACTIONS
        ),
        Binding("escape", "clear_filters", "Filters wissen", show=False, id="queue.clear"),
        Binding("f5,ctrl+r", "refresh", "Vernieuwen", show=False, id="queue.refresh"),
        Binding("A", "accounts", "Accounts", show=False, id="queue.accounts"),
        Binding("N", "new_screening", "Nieuwe screening", show=False, id="queue.new_screening"),
        Binding("T", "signing", "Ondertekenen", id="queue.signing"),
        Binding("t", "statistics", "Statistiek", show=False, id="queue.statistics"),
        Binding("j", "cursor_down", "Omlaag", show=False, id="queue.down"),
        Binding("k", "cursor_up", "Omhoog", show=False, id="queue.up"),
    ]

    def __init__(self, rules: RegionRules | None = None) -> None:
        super().__init__()
        self.model = QueueModel(rules=rules or RegionRules())
        self.shown: dict[int, tuple] = {}  # case id -> the cells as last put in the table
        self.changed_until: dict[int, float] = {}
        self.columns: list[Column] = []
        self.loaded = False
        self.complete = False  # every open case loaded (not only the first page)
        self.stale = False
        self.detail_expanded = False
        self.bands: dict[int, str | None] = {}

    # --- layout ---------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield TopBar(id="topbar")
        yield Static(id="banner")
        yield Input(placeholder="zoek op nummer, naam, gemeente of adres", id="filter-input")
        yield Input(
            placeholder=glyph_text(
                context(self), "zaak HV-2026-00042 · gemeente Roermond · status lopend · alles"
            ),
            id="command-input",
            suggester=SuggestFromList(
                [c.split()[0] + " " for c, _ in COMMANDS], case_sensitive=False
            ),
        )
        yield DataTable(id="queue-table", cursor_type="row", zebra_stripes=True, cell_padding=0)
        yield Static("Geen open zaken.", id="empty")
        with Horizontal(id="detail"):
            yield Static(id="detail-case", classes="detail-col")
            yield Static(id="detail-deadlines", classes="detail-col")
            yield Static(id="detail-partners", classes="detail-col")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.loading = True
        self.set_columns(self.size.width or self.app.size.width)
        self.load()
        self.watch_changes()
        self.set_interval(1.0, self.tick)

    def on_resize(self, event) -> None:
        self.set_class(event.size.height < 28, "short")
        wanted = columns_for(event.size.width)
        if [c.key for c in wanted] != [c.key for c in self.columns]:
            self.set_columns(event.size.width)
            self.sync()

    def set_columns(self, width: int) -> None:
        table = self.query_one(DataTable)
        cursor_key = self.cursor_case()
        table.clear(columns=True)
        self.shown.clear()
        self.columns = columns_for(width)
        for column in self.columns:
            table.add_column(column.label, key=column.key, width=column.width)
        if cursor_key is not None:
            self._pending_cursor = cursor_key

    # --- helpers --------------------------------------------------------------------------------

    def now(self):
        return context(self).clock.now()

    def cursor_case(self) -> int | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        except Exception:  # noqa: BLE001 - an empty or resizing table has no cursor row
            return None
        return int(key.value) if key and key.value else None

    def style(self, variable: str) -> str:
        value = self.app.theme_variables.get(variable, "")
        return value.removeprefix("ansi_") if value.startswith("ansi_") else value

    # --- cells ----------------------------------------------------------------------------------

    def cells(self, case_id: int, now, only: int | None = None):
        """The table cells of one case, or only the cell at column index ``only``."""
        model = self.model
        row = model.rows[case_id]
        derived = model.derived[case_id]
        g = glyphs(context(self))
        values: list = []
        band = model.band(case_id, now)
        columns = self.columns if only is None else [self.columns[only]]
        for column in columns:
            key = column.key
            if key == "mark":
                changed = self.changed_until.get(case_id, 0) > time.monotonic()
                values.append(
                    Text(g["changed"] if changed else " ", style=self.style("hvo-changed"))
                )
            elif key == "number":
                values.append(Text(row.number, style="bold" if band == "missed" else ""))
            elif key == "countdown":
                if band is None:
                    values.append(Text(g["none"], style=self.style("hvo-muted")))
                else:
                    text = f"{g[band]} {model.countdown(case_id, now)}"
                    values.append(Text(text, style=self.style(f"hvo-{band}")))
            elif key.startswith("doc_"):
                state = model.document_state(case_id, DocumentKind(key[4:]))
                glyph = state.ascii if context(self).ascii else state.glyph
                values.append(Text(glyph, style=self.style(DOC_STYLE[state.value])))
            elif key == "municipality":
                values.append(Text(row.municipality, overflow="ellipsis", no_wrap=True))
            elif key == "status":
                values.append(Text(derived.status.label))
            elif key == "flags":
                flags = model.flags(case_id)
                values.append(
                    Text(
                        "".join(letter if on else g["off"] for letter, on in flags.items()),
                        style=self.style("hvo-today")
                        if any(flags.values())
                        else self.style("hvo-muted"),
                    )
                )
            elif key == "casemanager":
                values.append(
                    Text(
                        row.casemanager or "niet toegewezen",
                        style="" if row.casemanager else self.style("hvo-today"),
                    )
                )
            elif key == "procesmanager":
                values.append(Text(row.procesmanager or g["none"]))
        for column, value in zip(columns, values, strict=False):
            # One cell of each column is kept free as the separator (cell padding is 0).
            value.truncate(max(1, column.width - 1), overflow="ellipsis")
            if g["cut"] != "…" and "…" in value.plain:  # ASCII mode: same width, spans kept
                value.plain = value.plain.replace("…", g["cut"])
        return tuple(values) if only is None else values[0]

    # --- the diff -------------------------------------------------------------------------------

    def sync(self, dirty: set[int] | None = None) -> None:
        """Make the table show exactly ``model.visible()``, touching only what differs.

        ``dirty``: the cases whose cells may have changed (None: all of them). Cells of other
        shown cases are not recomputed: with thousands of rows that is the expensive part."""
        table = self.query_one(DataTable)
        now = self.now()
        cursor_key = getattr(self, "_pending_cursor", None) or self.cursor_case()
        self._pending_cursor = None
        scroll_y = table.scroll_y
        wanted = self.model.visible(now)
        wanted_set = set(wanted)
        for case_id in [cid for cid in self.shown if cid not in wanted_set]:
            table.remove_row(str(case_id))
            del self.shown[case_id]
        keys = [c.key for c in self.columns]
        for case_id in wanted:
            old = self.shown.get(case_id)
            if old is not None and dirty is not None and case_id not in dirty:
                continue
            cells = self.cells(case_id, now)
            if old is None:
                table.add_row(*cells, key=str(case_id))
            elif old != cells:
                for key, before, after in zip(keys, old, cells, strict=False):
                    if before != after:
                        table.update_cell(str(case_id), key, after)
            self.shown[case_id] = cells
        displayed = sorted(self.shown, key=lambda cid: table.get_row_index(str(cid)))
        if displayed != wanted:
            rank = {self.model.rows[cid].number: i for i, cid in enumerate(wanted)}
            table.sort("number", key=lambda cell: rank.get(cell.plain, len(rank)))
        if cursor_key is not None and str(cursor_key) in table.rows:
            table.move_cursor(row=table.get_row_index(str(cursor_key)), animate=False, scroll=False)
            table.scroll_y = scroll_y
        empty = not wanted
        self.query_one("#empty", Static).update(glyph_text(context(self), self.empty_text()))
        self.query_one("#empty").set_class(empty and self.loaded, "visible")
        table.display = not (empty and self.loaded)
        self.update_header(now)
        self.show_detail()

    def empty_text(self) -> str:
        if self.model.rows and self.model.filters != Filters():
            return (
                f"Geen zaken bij dit filter ({self.model.filters.describe()}). Esc wist de filters."
            )
        return "Geen open zaken."

    def update_header(self, now) -> None:
        counts = self.model.counts(now)
        parts = [
            f"{counts['open']} open",
            f"{counts['missed']} te laat",
            f"{counts['today']} vandaag",
        ]
        described = self.model.filters.describe()
        if described:
            parts.append(f"filter: {described} ({len(self.shown)})")
        if self.model.sort != "urgentie" or self.model.reverse:
            descending = glyphs(context(self))["descending"] if self.model.reverse else ""
            parts.append(f"sortering: {SORTS[self.model.sort].lower()}{descending}")
        bar = self.query_one(TopBar)
        bar.counts = " · ".join(parts)
        bar.stale = self.stale

    def show_detail(self) -> None:
        case_id = self.cursor_case()
        detail = self.query_one("#detail")
        if case_id is None or case_id not in self.model.rows:
            for widget in detail.query(Static):
                widget.update("")
            return
        now = self.now()
        case_text, deadlines_text, partners_text = render_detail(
            self.model.rows[case_id],
            self.model.derived[case_id],
            self.model.earlier.get(case_id, 0),
            now,
            style=self.style,
            ascii_only=context(self).ascii,
        )
        self.query_one("#detail-case", Static).update(case_text)
        self.query_one("#detail-deadlines", Static).update(deadlines_text)
        self.query_one("#detail-partners", Static).update(partners_text)

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        self.action_open_case()  # the table takes Enter itself and says so with RowSelected

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_detail()

    # --- data arriving --------------------------------------------------------------------------

    def apply_full(self, rows: list[QueueRow]) -> None:
        """A full reread: the first load, after a reconnect, or on SQLite after any write (it
        cannot say which case changed). After the first load it is diffed like a change."""
        self.query_one(DataTable).loading = False
        self.set_connected()
        if not self.loaded or not self.complete:
            self.apply_initial(rows, self.derive_all(rows), True)
            return
        fresh = {row.case_id: row for row in rows}
        gone = set(self.model.rows) - set(fresh)
        changed = [row for row in rows if self.model.rows.get(row.case_id) != row]
        if gone or changed:
            self.apply_changes(gone | {row.case_id for row in changed}, changed)

    def apply_changes(self, ids: set[int], rows: list[QueueRow]) -> None:
        now = self.now()
        seen = {row.case_id for row in rows}
        self.model.forget(ids - seen)  # deleted cases
        new, _removed = self.model.update(rows, now)
        deadline = time.monotonic() + CHANGED_SECONDS
        for row in rows:
            if row.case_id in self.model.rows:
                self.changed_until[row.case_id] = deadline
        became_urgent = self.note_bands(now) - new
        self.announce(new, became_urgent, now)
        self.sync(dirty=set(ids) | became_urgent)
        for screen in self.app.screen_stack:
            if isinstance(screen, CaseScreen) and screen.case_id in ids:
                screen.reload()
        if new:
            self.count_earlier(list(new))

    def announce(self, new: set[int], urgent: set[int], now) -> None:
        for cid in sorted(new):
            row = self.model.rows[cid]
            self.notify(f"Nieuwe zaak {row.number} in {row.municipality}", title="Nieuw")
        for cid in sorted(urgent - new):
            row = self.model.rows[cid]
            self.notify(
                f"{row.number} is urgent: {self.model.countdown(cid, now)}",
                title="Urgent",
                severity="warning",
            )

    def set_earlier(self, counts: dict[int, int]) -> None:
        self.model.earlier.update(counts)
        self.sync(dirty=set(counts))

    def set_connected(self) -> None:
        if self.stale:
            self.stale = False
            self.notify("Verbinding hersteld.", title="Verbonden")
        self.query_one("#banner").remove_class("visible")

    def connection_lost(self, message: str, retry_in: int) -> None:
        self.stale = True
        self.query_one(DataTable).loading = False
        banner = self.query_one("#banner", Static)
        shown = (
            "rijen hieronder zijn de laatst bekende stand"
            if self.model.rows
            else "nog geen gegevens"
        )
        banner.update(
            glyph_text(
                context(self), f"⚠ {message} · {shown} · opnieuw verbinden over {retry_in} s"
            )
        )
        banner.add_class("visible")
        self.update_header(self.now())

    def tick(self) -> None:
        """Once a second: countdowns, change marks and rules that ran out, from cached data."""
        if not self.loaded:
            return
        now = self.now()
        recomputed = self.model.tick(now)
        became_urgent = self.note_bands(now)
        if became_urgent:
            self.announce(set(), became_urgent, now)
        expired_marks = [
            cid for cid, until in self.changed_until.items() if until <= time.monotonic()
        ]
        for cid in expired_marks:
            del self.changed_until[cid]
        self.update_countdowns(now)
        if recomputed or expired_marks or became_urgent:
            self.sync(dirty=set(recomputed) | set(expired_marks) | became_urgent)

    def note_bands(self, now) -> set[int]:
        """Remember every case's urgency band; returns the cases that just became urgent."""
        bands = {cid: self.model.band(cid, now) for cid in self.model.rows}
        became = {
            cid
            for cid, band in bands.items()
            if band in URGENT_BANDS and cid in self.bands and self.bands[cid] not in URGENT_BANDS
        }
        self.bands = bands
        return became

    def update_countdowns(self, now) -> None:
        """Only the countdown column, only where its text changed: the per-second cost."""
        keys = [c.key for c in self.columns]
        if "countdown" not in keys:
            return
        index = keys.index("countdown")
        table = self.query_one(DataTable)
        # Only the rows on screen (and a margin): off-screen rows are refreshed when they scroll
        # into view, at the next tick, so thousands of rows cost no more than a screenful.
        top = max(0, int(table.scroll_y) - 5)
        on_screen = table.ordered_rows[top : top + table.size.height + 10]
        for row in on_screen:
            case_id = int(row.key.value)
            cells = self.shown.get(case_id)
            if cells is None:
                continue
            fresh = self.cells(case_id, now, only=index)
            if fresh != cells[index]:
                table.update_cell(str(case_id), "countdown", fresh)
                self.shown[case_id] = cells[:index] + (fresh,) + cells[index + 1 :]
        self.update_header(now)

    # --- workers --------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="queue-load", exit_on_error=False)
    def load(self) -> None:
        """The first screenful first (the bans that end soonest), then every open case; the
        rules are applied here, in the worker, so the screen never waits for them."""
        store = context(self).store
        try:
            if not self.loaded:
                first = store.queue_rows(first=FIRST_PAGE)
                self.app.call_from_thread(self.apply_initial, first, self.derive_all(first), False)
            rows = store.queue_rows()
        except StoreError as exc:
            self.app.call_from_thread(self.connection_lost, str(exc), BACKOFF[0])
            return
        if self.loaded:
            self.app.call_from_thread(self.apply_full, rows)
        else:
            self.app.call_from_thread(self.apply_initial, rows, self.derive_all(rows), True)

    def derive_all(self, rows: list[QueueRow]) -> dict:
        from .queue_model import derive

        now = self.now()
        return {
            row.case_id: derive(row, now, self.model.rules)
            for row in rows
            if row.facts.status.is_open
        }

    def apply_initial(self, rows: list[QueueRow], derived: dict, complete: bool) -> None:
        """The first load: no toasts, no change marks; ``complete`` once every open case is in."""
        self.query_one(DataTable).loading = False
        self.set_connected()
        self.model.replace_all(rows, self.now(), derived=derived)
        self.note_bands(self.now())
        self.loaded = True
        self.complete = complete
        self.sync()
        if complete:
            self.count_earlier(list(self.model.rows))

    @work(thread=True, exclusive=True, group="queue-earlier", exit_on_error=False)
    def count_earlier(self, ids: list[int]) -> None:
        try:
            counts = context(self).store.earlier_counts(ids)
        except StoreError:
            return  # the flag is a help, not essential; the next full load tries again
        self.app.call_from_thread(self.set_earlier, counts)

    @work(thread=True, exclusive=True, group="queue-feed", exit_on_error=False)
    def watch_changes(self) -> None:
        """Follow the store's change feed; on a lost connection back off, reopen, reread all."""
        worker = get_current_worker()
        store = context(self).store
        feed = None
        attempt = 0
        while not worker.is_cancelled:
            try:
                if feed is None:
                    feed = store.change_feed()
                    if attempt:
                        rows = store.queue_rows()
                        self.app.call_from_thread(self.apply_full, rows)
                    attempt = 0
                changed = feed.wait(0.5)
                if worker.is_cancelled:
                    break
                if changed is None:
                    rows = store.queue_rows()
                    self.app.call_from_thread(self.apply_full, rows)
                elif changed:
                    rows = store.queue_rows(changed)
                    self.app.call_from_thread(self.apply_changes, changed, rows)
            except StoreError as exc:
                if feed is not None:
                    feed.close()
                    feed = None
                delay = BACKOFF[min(attempt, len(BACKOFF) - 1)]
                attempt += 1
                message = str(exc) if isinstance(exc, ConnectionLost) else f"fout: {exc}"
                self.app.call_from_thread(self.connection_lost, message, delay)
                end = time.monotonic() + delay
                while time.monotonic() < end and not worker.is_cancelled:
                    time.sleep(0.1)
        if feed is not None:
            feed.close()

    # --- actions --------------------------------------------------------------------------------

    def action_refresh(self) -> None:
        self.load()

    def action_cursor_down(self) -> None:
        self.query_one(DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(DataTable).action_cursor_up()

    def action_filter(self) -> None:
        box = self.query_one("#filter-input", Input)
        box.value = self.model.filters.text
        box.add_class("visible")
        box.focus()

    def action_command(self) -> None:
        box = self.query_one("#command-input", Input)
        box.value = ""
        box.add_class("visible")
        box.focus()

    @on(Input.Changed, "#filter-input")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.set_filters(text=event.value.strip())

    @on(Input.Submitted, "#filter-input")
    def _filter_done(self, event: Input.Submitted) -> None:
        event.input.remove_class("visible")
        self.query_one(DataTable).focus()

    @on(Input.Submitted, "#command-input")
    def _command_done(self, event: Input.Submitted) -> None:
        message = self.run_command(event.value)
        if message:
            event.input.add_class("-invalid")
            self.notify(message, severity="error", title="Opdracht")
            return  # keep what was typed, so it can be corrected
        event.input.remove_class("visible", "-invalid")
        self.query_one(DataTable).focus()

    def on_key(self, event) -> None:
        focused = self.focused
        if event.key == "escape" and isinstance(focused, Input):
            focused.remove_class("visible", "-invalid")
            self.query_one(DataTable).focus()
            event.stop()

    def run_command(self, line: str) -> str | None:
        """Run a ':' command; returns a Dutch error message, or None when it worked."""
        word, _, rest = line.strip().partition(" ")
        word, rest = word.lower(), rest.strip()
        if not word:
            return None
        if word == "zaak":
            return self.jump_to(rest)
        if word == "gemeente":
            return self._filter_by_name(
                "municipality", rest, {r.municipality for r in self.model.rows.values()}, "gemeente"
            )
        if word == "regio":
            return self._filter_by_name(
                "region", rest, {r.region for r in self.model.rows.values()}, "regio"
            )
        if word == "status":
            if not rest:
                self.set_filters(status=None)
                return None
            for status in CaseStatus:
                if status.is_open and fold(status.label).startswith(fold(rest)):
                    self.set_filters(status=status)
                    return None
            labels = ", ".join(s.label for s in CaseStatus if s.is_open)
            return f"onbekende status '{rest}'; kies uit: {labels}"
        if word in ("mijn", "urgent"):
            self.run_action("toggle_mine" if word == "mijn" else "toggle_urgent")
            return None
        if word in ("sorteer", "sort"):
            for key, label in SORTS.items():
                if fold(label).startswith(fold(rest or "urgentie")):
                    self.set_sort(key)
                    return None
            choices = ", ".join(s.lower() for s in SORTS.values())
            return f"onbekende kolom '{rest}'; kies uit: {choices}"
        if word in ("alles", "wis"):
            self.action_clear_filters()
            return None
        if word.upper().startswith("HV-"):
            return self.jump_to(word)
        return f"onbekende opdracht '{word}'; ? toont de opdrachten"

    def _filter_by_name(self, field: str, typed: str, names: set[str], what: str) -> str | None:
        if not typed:
            self.set_filters(**{field: None})
            return None
        exact = [n for n in names if fold(n) == fold(typed)]
        starts = [n for n in names if fold(n).startswith(fold(typed))]
        found = exact or starts
        if len(found) == 1:
            self.set_filters(**{field: found[0]})
            return None
        if not found:
            return f"geen open zaken in {what} '{typed}'"
        return f"'{typed}' past op meer dan één {what}: {', '.join(sorted(found)[:5])}"

    def jump_to(self, number: str) -> str | None:
        from hvo_tui.domain import DomainError, parse_case_number

        try:
            wanted = parse_case_number(number)
        except DomainError as exc:
            return exc.message
        match = next((cid for cid, r in self.model.rows.items() if r.number == wanted), None)
        if match is None:
            return f"{wanted} staat niet in de wachtrij (geen open zaak met dit nummer)"
        if match not in self.shown:
            self.model.filters = Filters()
            self.query_one("#filter-input", Input).value = ""
            self.sync(dirty=set())
        table = self.query_one(DataTable)
        table.move_cursor(row=table.get_row_index(str(match)))
        table.focus()
        return None

    def set_filters(self, **changes) -> None:
        self.model.filters = replace(self.model.filters, **changes)
        self.sync(dirty=set())

    def set_sort(self, key: str) -> None:
        self.model.sort = key
        self.model.reverse = False
        self.sync(dirty=set())

    def action_next_sort(self) -> None:
        keys = list(SORTS)
        self.set_sort(keys[(keys.index(self.model.sort) + 1) % len(keys)])
        self.notify(f"Sortering: {SORTS[self.model.sort].lower()}", timeout=2)

    def action_reverse_sort(self) -> None:
        self.model.reverse = not self.model.reverse
        self.sync(dirty=set())

    def action_toggle_urgent(self) -> None:
        self.set_filters(urgent_only=not self.model.filters.urgent_only)

    def action_toggle_mine(self) -> None:
        me = context(self).username
        if not me:
            self.notify(
                "Geen account ingesteld: start hvo met --as NAAM of zet 'account' in de "
                "configuratie.",
                severity="warning",
                title="Mijn zaken",
            )
            return
        self.set_filters(mine=None if self.model.filters.mine else me)

    def action_clear_filters(self) -> None:
        self.query_one("#filter-input", Input).value = ""
        self.model.filters = Filters()
        self.sync(dirty=set())

    def action_toggle_detail(self) -> None:
        self.detail_expanded = not self.detail_expanded
        self.query_one("#detail").set_class(self.detail_expanded, "expanded")
        self.query_one(DataTable).set_class(self.detail_expanded, "collapsed")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "case_action":
            spec = next(s for s in CASE_ACTIONS if s.id == parameters[0])
            return bool(may(context(self).actor, spec))
        if action == "accounts":
            return allowed(context(self).actor.roles, Permission.MANAGE_ACCOUNTS)
        if action == "new_screening":
            return allowed(context(self).actor.roles, Permission.CREATE_CASE)
        if action == "signing":  # the mayor's signature (issue 10)
            return allowed(context(self).actor.roles, Permission.SIGN_DECISION)
        if action == "statistics":
            return allowed(context(self).actor.roles, Permission.VIEW_REPORTS)
        return True

    def action_accounts(self) -> None:
        from .accounts import AccountsScreen

        self.app.push_screen(AccountsScreen())

    @work(thread=True, exclusive=True, group="new-screening", exit_on_error=False)
    def action_new_screening(self) -> None:
        """The municipalities come from the store (a worker), then the form opens."""
        from .screening import build_screening_form

        try:
            municipalities = context(self).store.municipalities()
        except StoreError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        if not municipalities:
            self.app.call_from_thread(self.notify, "Geen gemeente in uw regio.", severity="warning")
            return
        form = build_screening_form(context(self), municipalities, self.screening_saved)
        self.app.call_from_thread(self.app.push_screen, form)

    def screening_saved(self, new) -> None:
        self.notify(f"Zaak {new.number} aangemaakt.", timeout=5)
        self.show_new_case(new.case_id, new.number)

    @work(thread=True, group="new-screening-row", exit_on_error=False)
    def show_new_case(self, case_id: int, number: str) -> None:
        """Put the new case in the queue at once (the change feed brings it too) and go to it."""
        try:
            rows = context(self).store.queue_rows({case_id})
        except StoreError:
            return  # the change feed will bring it
        self.app.call_from_thread(self.apply_changes, {case_id}, rows)
        if rows and rows[0].facts.status.is_open:
            self.app.call_from_thread(self.jump_to, number)

    def action_statistics(self) -> None:
        from .statistics import StatisticsScreen

        self.app.push_screen(StatisticsScreen())

    def action_signing(self) -> None:
        from .signing import SigningScreen

        self.app.push_screen(SigningScreen(self.model.rules))

    def action_open_case(self) -> None:
        case_id = self.cursor_case()
        if case_id is None or case_id not in self.model.rows:
            return
        self.app.push_screen(CaseScreen(case_id, self.model.rows[case_id].number, self.model.rules))

    def action_case_action(self, spec_id: str) -> None:
        case_id = self.cursor_case()
        if case_id is None or case_id not in self.model.rows:
            self.notify("Kies eerst een zaak.", severity="warning")
            return
        form = build_form(
            spec_id, self, self.model.rows[case_id], self.action_saved, self.model.rules
        )
        if isinstance(form, str):
            self.notify(form, severity="warning")
            return
        self.app.push_screen(form)

    def action_saved(self) -> None:
        self.notify("Opgeslagen.", timeout=3)

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(binding_rows(self), [(":" + c, d) for c, d in COMMANDS]))


DOC_STYLE = {
    "received": "hvo-later",
    "missing": "hvo-today",
    "late": "hvo-missed",
    "not_needed": "hvo-muted",
}
