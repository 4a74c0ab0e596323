"""The queue's table: the open cases as rows, diffed by case id against the model.

Rows are added, removed and updated cell by cell, never rebuilt, so the highlighted case and the
scroll position stay. The countdown column ticks from cached due moments, only where its text
changed and only on the rows near the screen. The columns that do not fit a narrow terminal are
dropped, the least important first.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from rich.text import Text
from textual.widgets import DataTable

from hvo_tui.domain.vocab import QUEUE_DOCUMENTS, DocumentKind

from .context import context
from .queue_model import QueueModel
from .widgets import glyphs


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

DOC_STYLE = {
    "received": "hvo-later",
    "missing": "hvo-today",
    "late": "hvo-missed",
    "not_needed": "hvo-muted",
}


def columns_for(width: int) -> list[Column]:
    """The columns that fit ``width`` cells, dropping the lowest priority first."""
    chosen = list(COLUMNS)
    usable = width - 2  # the vertical scrollbar
    for priority in sorted({c.priority for c in COLUMNS}, reverse=True):
        if sum(c.width for c in chosen) <= usable or priority == 0:
            break
        chosen = [c for c in chosen if c.priority != priority]
    return chosen


class QueueTable(DataTable):
    """The open cases of ``model``, one row per case keyed by its id."""

    def __init__(self, model: QueueModel, *, id: str = "queue-table") -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True, cell_padding=0)
        self.model = model
        self.shown: dict[int, tuple] = {}  # case id -> the cells as last put in the table
        self.changed_until: dict[int, float] = {}  # case id -> until when it is marked changed
        self.shown_columns: list[Column] = []
        self.pending_cursor: int | None = None  # the case to put the cursor on after a rebuild

    # --- columns --------------------------------------------------------------------------------

    def fits(self, width: int) -> bool:
        """Whether the columns shown are the ones that fit ``width``."""
        return [c.key for c in columns_for(width)] == [c.key for c in self.shown_columns]

    def set_columns(self, width: int) -> None:
        """The columns that fit ``width``: the rows come back at the next ``show``."""
        cursor_key = self.cursor_case()
        self.clear(columns=True)
        self.shown.clear()
        self.shown_columns = columns_for(width)
        for column in self.shown_columns:
            self.add_column(column.label, key=column.key, width=column.width)
        if cursor_key is not None:
            self.pending_cursor = cursor_key

    # --- helpers --------------------------------------------------------------------------------

    def cursor_case(self) -> int | None:
        """The id of the highlighted case (None: no rows)."""
        if not self.row_count:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        except Exception:  # noqa: BLE001 - an empty or resizing table has no cursor row
            return None
        return int(key.value) if key and key.value else None

    def theme_style(self, variable: str) -> str:
        """A theme variable as a Rich style (``ansi_red`` as ``red``)."""
        value = self.app.theme_variables.get(variable, "")
        return value.removeprefix("ansi_") if value.startswith("ansi_") else value

    def mark_changed(self, ids, seconds: float) -> None:
        """Mark the cases ``ids`` as changed for ``seconds``."""
        until = time.monotonic() + seconds
        for case_id in ids:
            self.changed_until[case_id] = until

    def expire_marks(self) -> list[int]:
        """Forget the change marks whose time is up; returns their cases."""
        now = time.monotonic()
        expired = [cid for cid, until in self.changed_until.items() if until <= now]
        for cid in expired:
            del self.changed_until[cid]
        return expired

    # --- cells ----------------------------------------------------------------------------------

    def cells(self, case_id: int, now, only: int | None = None):
        """The table cells of one case, or only the cell at column index ``only``."""
        model = self.model
        row = model.rows[case_id]
        derived = model.derived[case_id]
        app = context(self)
        g = glyphs(app)
        style = self.theme_style
        values: list = []
        band = model.band(case_id, now)
        columns = self.shown_columns if only is None else [self.shown_columns[only]]
        for column in columns:
            key = column.key
            if key == "mark":
                changed = self.changed_until.get(case_id, 0) > time.monotonic()
                values.append(Text(g["changed"] if changed else " ", style=style("hvo-changed")))
            elif key == "number":
                values.append(Text(row.number, style="bold" if band == "missed" else ""))
            elif key == "countdown":
                if band is None:
                    values.append(Text(g["none"], style=style("hvo-muted")))
                else:
                    text = f"{g[band]} {model.countdown(case_id, now)}"
                    values.append(Text(text, style=style(f"hvo-{band}")))
            elif key.startswith("doc_"):
                state = model.document_state(case_id, DocumentKind(key[4:]))
                glyph = state.ascii if app.ascii else state.glyph
                values.append(Text(glyph, style=style(DOC_STYLE[state.value])))
            elif key == "municipality":
                values.append(Text(row.municipality, overflow="ellipsis", no_wrap=True))
            elif key == "status":
                values.append(Text(derived.status.label))
            elif key == "flags":
                flags = model.flags(case_id)
                values.append(
                    Text(
                        "".join(letter if on else g["off"] for letter, on in flags.items()),
                        style=style("hvo-today") if any(flags.values()) else style("hvo-muted"),
                    )
                )
            elif key == "casemanager":
                values.append(
                    Text(
                        row.casemanager or "niet toegewezen",
                        style="" if row.casemanager else style("hvo-today"),
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

    def show(self, wanted: list[int], now, dirty: set[int] | None = None) -> None:
        """Make the table show exactly the cases ``wanted``, in that order, touching only what
        differs.

        ``dirty``: the cases whose cells may have changed (None: all of them). Cells of other
        shown cases are not recomputed: with thousands of rows that is the expensive part."""
        cursor_key = self.pending_cursor or self.cursor_case()
        self.pending_cursor = None
        scroll_y = self.scroll_y
        wanted_set = set(wanted)
        for case_id in [cid for cid in self.shown if cid not in wanted_set]:
            self.remove_row(str(case_id))
            del self.shown[case_id]
        keys = [c.key for c in self.shown_columns]
        for case_id in wanted:
            old = self.shown.get(case_id)
            if old is not None and dirty is not None and case_id not in dirty:
                continue
            cells = self.cells(case_id, now)
            if old is None:
                self.add_row(*cells, key=str(case_id))
            elif old != cells:
                for key, before, after in zip(keys, old, cells, strict=False):
                    if before != after:
                        self.update_cell(str(case_id), key, after)
            self.shown[case_id] = cells
        displayed = sorted(self.shown, key=lambda cid: self.get_row_index(str(cid)))
        if displayed != wanted:
            rank = {self.model.rows[cid].number: i for i, cid in enumerate(wanted)}
            self.sort("number", key=lambda cell: rank.get(cell.plain, len(rank)))
        if cursor_key is not None and str(cursor_key) in self.rows:
            self.move_cursor(row=self.get_row_index(str(cursor_key)), animate=False, scroll=False)
            self.scroll_y = scroll_y

    def update_countdowns(self, now) -> None:
        """Only the countdown column, only where its text changed: the per-second cost."""
        keys = [c.key for c in self.shown_columns]
        if "countdown" not in keys:
            return
        index = keys.index("countdown")
        # Only the rows on screen (and a margin): off-screen rows are refreshed when they scroll
        # into view, at the next tick, so thousands of rows cost no more than a screenful.
        top = max(0, int(self.scroll_y) - 5)
        on_screen = self.ordered_rows[top : top + self.size.height + 10]
        for row in on_screen:
            case_id = int(row.key.value)
            cells = self.shown.get(case_id)
            if cells is None:
                continue
            fresh = self.cells(case_id, now, only=index)
            if fresh != cells[index]:
                self.update_cell(str(case_id), "countdown", fresh)
                self.shown[case_id] = cells[:index] + (fresh,) + cells[index + 1 :]
