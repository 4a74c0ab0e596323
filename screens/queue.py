"""The live queue: every open case, the most urgent first, updated as others write.

The screen composes three parts and owns the state between them:
* the table (screens/queue_table.py), diffed by case id against what the model says should be
  visible, so the highlighted case and the scroll position stay;
* the command bar (screens/command_bar.py), whose ':' lines become typed commands run here;
* the change feed (screens/change_feed.py): the first load, the store's change notifications and
  the earlier-case counts, read in thread workers that post typed Messages (screens/messages.py)
  handled here with ``@on``.
Countdowns tick once a second from cached due moments without asking the database.
"""

from __future__ import annotations

from dataclasses import replace

from textual import events, on, work
from textual.actions import parse as parse_action
from textual.app import ComposeResult
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static
from textual.worker import get_current_worker

from hvo_tui.domain import (
    Deadline,
    DomainError,
    Permission,
    RegionRules,
    allowed,
    parse_case_number,
)
from hvo_tui.domain.vocab import CaseStatus
from store.interface import QueueRow, StoreError

from . import change_feed
from .case import CaseScreen
from .case_actions import BY_ID, CASE_ACTIONS, build_form, may
from .case_actions.steps import DEADLINE_ACTIONS
from .command_bar import (
    COMMANDS,
    ClearFilters,
    CommandBar,
    JumpTo,
    RunAction,
    SetFilters,
    SortBy,
    parse_command,
)
from .context import context
from .detail import DeadlineItem, DeadlineList, deadline_line, render_detail, sorted_deadlines
from .help import HelpScreen, binding_rows
from .messages import (
    CaseActionSaved,
    ConnectionDropped,
    DeadlineTicked,
    EarlierCounted,
    MunicipalitiesLoaded,
    Notice,
    QueueLoaded,
    QueueReread,
    RowsChanged,
    ScreeningSaved,
)
from .queue_model import SORTS, URGENT_BANDS, Filters, QueueModel, derive
from .queue_table import QueueTable
from .widgets import TopBar, glyph_text, glyphs

CHANGED_SECONDS = 4.0  # how long a case another user changed is marked


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
                _, name, parameters = parse_action(binding.action)
                if screen.check_action(name, parameters) is False:
                    continue  # not this role's: absent from the palette as from the footer
                entries.append(
                    (
                        binding.description,
                        lambda a=binding.action: screen.run_action(a),
                        binding.key,
                    )
                )
        actor = context(screen).actor
        for spec in CASE_ACTIONS:  # an entry per choice: each step findable by its name
            for choice, name in spec.choices():
                if may(actor, spec) and spec.choice_offered(actor, choice):
                    entries.append(
                        (
                            f"{spec.label}: {name}",
                            lambda s=spec.id, c=choice: screen.action_case_action(s, c),
                            "bij de gekozen zaak",
                        )
                    )
        if allowed(context(screen).actor.roles, Permission.INVOICE):  # issue 8: the invoice
            from .invoice import InvoiceScreen  # when first opened: start-up speed

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
        Binding("tab", "focus_deadlines", "Termijnen", show=False, id="queue.deadlines"),
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
        yield CommandBar()
        yield QueueTable(self.model)
        yield Static("Geen open zaken.", id="empty")
        with Horizontal(id="detail"):
            yield Static(id="detail-case", classes="detail-col")
            yield DeadlineList(back_to="#queue-table")
            yield Static(id="detail-partners", classes="detail-col")
        yield Footer()

    @property
    def table(self) -> QueueTable:
        return self.query_one(QueueTable)

    @property
    def shown(self) -> dict[int, tuple]:
        """The cases in the table (case id -> its cells)."""
        return self.table.shown

    def on_mount(self) -> None:
        table = self.table
        table.loading = True
        table.set_columns(self.size.width or self.app.size.width)
        self.load()
        self.watch_changes()
        self.set_interval(1.0, self.tick)

    def on_resize(self, event) -> None:
        self.set_class(event.size.height < 28, "short")
        if not self.table.fits(event.size.width):
            self.table.set_columns(event.size.width)
            self.sync()

    # --- helpers --------------------------------------------------------------------------------

    def now(self):
        return context(self).clock.now()

    def cursor_case(self) -> int | None:
        return self.table.cursor_case()

    # --- what the table, the top bar and the detail pane show -----------------------------------

    def sync(self, dirty: set[int] | None = None) -> None:
        """Make the table show exactly ``model.visible()`` (``dirty``: the cases whose cells may
        have changed, None: all), then the empty state, the top bar and the detail pane."""
        table = self.table
        now = self.now()
        wanted = self.model.visible(now)
        table.show(wanted, now, dirty)
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
            parts.append(f"filter: {described} ({len(self.table.shown)})")
        if self.model.sort != "urgentie" or self.model.reverse:
            descending = glyphs(context(self))["descending"] if self.model.reverse else ""
            parts.append(f"sortering: {SORTS[self.model.sort].lower()}{descending}")
        bar = self.query_one(TopBar)
        bar.counts = " · ".join(parts)
        bar.stale = self.stale

    def show_detail(self) -> None:
        case_id = self.cursor_case()
        detail = self.query_one("#detail")
        deadlines = self.query_one(DeadlineList)
        if case_id is None or case_id not in self.model.rows:
            for widget in detail.query(Static):
                if widget is not deadlines:
                    widget.update("")
            deadlines.show(None, [], self.table.theme_style)
            return
        now = self.now()
        row, derived = self.model.rows[case_id], self.model.derived[case_id]
        ascii_only = context(self).ascii
        case_text, partners_text = render_detail(
            row,
            derived,
            self.model.earlier.get(case_id, 0),
            now,
            style=self.table.theme_style,
            ascii_only=ascii_only,
        )
        self.query_one("#detail-case", Static).update(case_text)
        self.query_one("#detail-partners", Static).update(partners_text)
        items = [
            DeadlineItem(
                d.kind.value,
                d.state,
                deadline_line(d, style=self.table.theme_style, ascii_only=ascii_only),
                self.tickable(d),
            )
            for d in sorted_deadlines(derived)
        ]
        deadlines.show(case_id, items, self.table.theme_style)

    def tickable(self, deadline: Deadline) -> bool:
        """May this user record what meets ``deadline`` (the form says if the rules refuse)?"""
        found = DEADLINE_ACTIONS.get(deadline.kind.value)
        if found is None:
            return False
        spec = BY_ID[found[0]]
        actor = context(self).actor
        return may(actor, spec) and (found[1] is None or spec.choice_offered(actor, found[1]))

    def action_focus_deadlines(self) -> None:
        if self.cursor_case() is not None:
            self.query_one(DeadlineList).focus()

    @on(events.DescendantFocus)
    @on(events.DescendantBlur)
    def _deadlines_focus(self, event: events.DescendantFocus | events.DescendantBlur) -> None:
        """While the deadline list has focus it takes the partners' room: its lines are long."""
        if not isinstance(event.widget, DeadlineList):
            return
        focused = isinstance(event, events.DescendantFocus)
        self.query_one("#detail-partners").display = not focused
        event.widget.styles.width = "2fr" if focused else "1fr"

    @on(DeadlineTicked)
    def _deadline_ticked(self, message: DeadlineTicked) -> None:
        found = DEADLINE_ACTIONS.get(message.kind)
        if found is not None and message.case_id in self.model.rows:
            self.open_form(found[0], message.case_id, found[1])

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        self.action_open_case()  # the table takes Enter itself and says so with RowSelected

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_detail()

    # --- workers: the change feed's I/O (screens/change_feed.py) --------------------------------

    @work(thread=True, exclusive=True, group="queue-load", exit_on_error=False)
    def load(self) -> None:
        """The first screenful first, then every open case; later: every open case again."""
        change_feed.load_queue(
            context(self).store, self.post_message, initial=not self.loaded, derive=self.derive_all
        )

    def derive_all(self, rows: list[QueueRow]) -> dict:
        now = self.now()
        return {
            row.case_id: derive(row, now, self.model.rules)
            for row in rows
            if row.facts.status.is_open
        }

    @work(thread=True, exclusive=True, group="queue-earlier", exit_on_error=False)
    def count_earlier(self, ids: list[int]) -> None:
        change_feed.count_earlier(context(self).store, self.post_message, ids)

    @work(thread=True, exclusive=True, group="queue-feed", exit_on_error=False)
    def watch_changes(self) -> None:
        """Follow the store's change feed; on a lost connection back off, reopen, reread all."""
        worker = get_current_worker()
        change_feed.follow_changes(
            context(self).store, self.post_message, lambda: worker.is_cancelled
        )

    # --- data arriving --------------------------------------------------------------------------

    @on(QueueLoaded)
    def _queue_loaded(self, message: QueueLoaded) -> None:
        if not self.complete:
            self.apply_initial(message.rows, message.derived, message.complete)
        elif message.complete:  # a load that overlapped another one: diff it like a reread
            self.apply_full(message.rows)

    @on(QueueReread)
    def _queue_reread(self, message: QueueReread) -> None:
        self.apply_full(message.rows)

    @on(RowsChanged)
    def _rows_changed(self, message: RowsChanged) -> None:
        self.apply_changes(message.ids, message.rows)
        if message.go_to:
            self.jump_to(message.go_to)

    @on(EarlierCounted)
    def _earlier_counted(self, message: EarlierCounted) -> None:
        self.set_earlier(message.counts)

    @on(ConnectionDropped)
    def _connection_dropped(self, message: ConnectionDropped) -> None:
        self.connection_lost(message.message, message.retry_in)

    def apply_initial(self, rows: list[QueueRow], derived: dict, complete: bool) -> None:
        """The first load: no toasts, no change marks; ``complete`` once every open case is in."""
        self.table.loading = False
        self.set_connected()
        self.model.replace_all(rows, self.now(), derived=derived)
        self.note_bands(self.now())
        self.loaded = True
        self.complete = complete
        self.sync()
        if complete:
            self.count_earlier(list(self.model.rows))

    def apply_full(self, rows: list[QueueRow]) -> None:
        """A full reread: the first load, after a reconnect, or on SQLite after any write (it
        cannot say which case changed). After the first load it is diffed like a change."""
        self.table.loading = False
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
        self.table.mark_changed(
            [row.case_id for row in rows if row.case_id in self.model.rows], CHANGED_SECONDS
        )
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
        self.table.loading = False
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
        expired_marks = self.table.expire_marks()
        self.table.update_countdowns(now)
        self.update_header(now)
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

    # --- the filter box and the command bar -----------------------------------------------------

    def action_refresh(self) -> None:
        self.load()

    def action_cursor_down(self) -> None:
        self.table.action_cursor_down()

    def action_cursor_up(self) -> None:
        self.table.action_cursor_up()

    def action_filter(self) -> None:
        box = self.query_one("#filter-input", Input)
        box.value = self.model.filters.text
        box.add_class("visible")
        box.focus()

    def action_command(self) -> None:
        self.query_one(CommandBar).open()

    @on(Input.Changed, "#filter-input")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.set_filters(text=event.value.strip())

    @on(Input.Submitted, "#filter-input")
    def _filter_done(self, event: Input.Submitted) -> None:
        event.input.remove_class("visible")
        self.table.focus()

    @on(Input.Submitted, "#command-input")
    def _command_done(self, event: Input.Submitted) -> None:
        bar = self.query_one(CommandBar)
        message = self.run_command(event.value)
        if message:
            bar.refuse()
            self.notify(message, severity="error", title="Opdracht")
            return  # keep what was typed, so it can be corrected
        bar.close()
        self.table.focus()

    def on_key(self, event) -> None:
        focused = self.focused
        if event.key == "escape" and isinstance(focused, Input):
            focused.remove_class("visible", "-invalid")
            self.table.focus()
            event.stop()

    def run_command(self, line: str) -> str | None:
        """Run a ':' command; returns a Dutch error message, or None when it worked."""
        command = parse_command(line, self.model)
        if command is None or isinstance(command, str):
            return command
        if isinstance(command, JumpTo):
            return self.jump_to(command.number)
        if isinstance(command, SetFilters):
            self.set_filters(**command.changes)
        elif isinstance(command, RunAction):
            self.run_action(command.action)
        elif isinstance(command, SortBy):
            self.set_sort(command.key)
        elif isinstance(command, ClearFilters):
            self.action_clear_filters()
        return None

    def jump_to(self, number: str) -> str | None:
        try:
            wanted = parse_case_number(number)
        except DomainError as exc:
            return exc.message
        match = next((cid for cid, r in self.model.rows.items() if r.number == wanted), None)
        if match is None:
            return f"{wanted} staat niet in de wachtrij (geen open zaak met dit nummer)"
        table = self.table
        if match not in table.shown:
            self.model.filters = Filters()
            self.query_one("#filter-input", Input).value = ""
            self.sync(dirty=set())
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
        self.table.set_class(self.detail_expanded, "collapsed")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "case_action":
            spec = BY_ID[str(parameters[0])]
            actor = context(self).actor
            choice = parameters[1] if len(parameters) > 1 else None
            return may(actor, spec) and (choice is None or spec.choice_offered(actor, str(choice)))
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
        from .accounts import AccountsScreen  # when first opened: start-up speed

        self.app.push_screen(AccountsScreen())

    @work(thread=True, exclusive=True, group="new-screening", exit_on_error=False)
    def action_new_screening(self) -> None:
        """The municipalities come from the store (a worker), then the form opens."""
        try:
            municipalities = context(self).store.municipalities()
        except StoreError as exc:
            self.post_message(Notice(str(exc), severity="error"))
            return
        if not municipalities:
            self.post_message(Notice("Geen gemeente in uw regio.", severity="warning"))
            return
        self.post_message(MunicipalitiesLoaded(municipalities))

    @on(MunicipalitiesLoaded)
    def _open_screening_form(self, message: MunicipalitiesLoaded) -> None:
        from .screening import build_screening_form  # when first opened: start-up speed

        form = build_screening_form(
            context(self),
            message.municipalities,
            lambda new: self.post_message(ScreeningSaved(new)),  # from the save's worker
        )
        self.app.push_screen(form)

    @on(Notice)
    def _notice(self, message: Notice) -> None:
        self.notify(message.text, severity=message.severity, title=message.title)

    @on(ScreeningSaved)
    def _screening_saved(self, message: ScreeningSaved) -> None:
        self.screening_saved(message.case)

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
        is_open = bool(rows) and rows[0].facts.status.is_open
        self.post_message(RowsChanged({case_id}, rows, go_to=number if is_open else None))

    def action_statistics(self) -> None:
        from .statistics import StatisticsScreen  # when first opened: start-up speed

        self.app.push_screen(StatisticsScreen())

    def action_signing(self) -> None:
        from .signing import SigningScreen  # when first opened: start-up speed

        self.app.push_screen(SigningScreen(self.model.rules))

    def action_open_case(self) -> None:
        case_id = self.cursor_case()
        if case_id is None or case_id not in self.model.rows:
            return
        self.app.push_screen(CaseScreen(case_id, self.model.rows[case_id].number, self.model.rules))

    def action_case_action(self, spec_id: str, choice: str | None = None) -> None:
        case_id = self.cursor_case()
        if case_id is None or case_id not in self.model.rows:
            self.notify("Kies eerst een zaak.", severity="warning")
            return
        self.open_form(spec_id, case_id, choice)

    def open_form(self, spec_id: str, case_id: int, choice: str | None = None) -> None:
        form = build_form(spec_id, self, self.model.rows[case_id], self.model.rules, choice)
        if isinstance(form, str):
            self.notify(form, severity="warning")
            return
        self.app.push_screen(form)

    @on(CaseActionSaved)
    def _case_action_saved(self, message: CaseActionSaved) -> None:
        self.notify("Opgeslagen.", timeout=3)
        self.reread_case(message.case_id)

    @work(thread=True, group="own-save", exit_on_error=False)
    def reread_case(self, case_id: int) -> None:
        """After this user's own save: the case's row at once, so the flag goes as the form
        closes (the change feed brings it as well)."""
        try:
            rows = context(self).store.queue_rows({case_id})
        except StoreError:
            return  # the change feed will bring it
        self.post_message(RowsChanged({case_id}, rows))

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(binding_rows(self), [(":" + c, d) for c, d in COMMANDS]))
