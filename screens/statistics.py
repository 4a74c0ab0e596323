"""Statistics (issue 8): the reports of ``hvo report`` as charts (textual-plotext) with the numbers
beside them as tables, for a period, a region and a municipality.

Keyboard only: Tab moves between the filters and the report body; in a date field Enter applies
it, a region or municipality applies when chosen; in the body ↑ ↓ PgUp PgDn Home End scroll and
← → scroll wide tables; 1 to 7 jump to a report; Esc goes back (from a filter: to the body).

Wide terminals put chart and table side by side; below 100 columns they stack. The charts take
their colours from the theme's variables (16-colour theme: the terminal's own colours), and every
series is named in a legend or title, never by colour alone. The reports are read in a worker
through the store (one call for all of them); the rules are in ``hvo_tui.domain.statistics``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, ScrollableContainer
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Select, Static
from textual_plotext import PlotextPlot

from hvo_tui.domain.errors import DomainError
from hvo_tui.domain.permissions import Permission, allowed
from hvo_tui.domain.statistics import (
    EXTENSION_DECISION,
    REPORTS,
    ReportFilter,
    ReportTable,
    display_value,
    last_months,
    parse_date,
)
from store.interface import ConnectionLost, StoreError

from .context import context
from .help import HelpScreen, binding_rows
from .messages import LoadFailed, ReportsLoaded
from .widgets import TopBar, ascii_keys, glyph_text

NO_ACCESS = (
    "Statistieken zijn er voor procesmanagers, beleidsmedewerkers, bestuurders, "
    "beheerders en support."
)
SECTIONS = tuple(REPORTS)  # per-maand, per-gemeente, aandelen, tijdstip, doorlooptijden, ...
WIDE = ("per-gemeente", "aandelen", "kruistabel")  # tables too wide to sit beside a chart
_ANSI = {
    "black": 0,
    "red": 1,
    "green": 2,
    "yellow": 3,
    "blue": 4,
    "magenta": 5,
    "cyan": 6,
    "white": 7,
}
ALL = "__alle__"


def plot_color(value: str | None, fallback: int = 4) -> Any:
    """A theme colour for plotext: ANSI colours as their palette number (so a 16-colour terminal
    uses its own), others as RGB."""
    if not value:
        return fallback
    if value.startswith("ansi_"):
        name = value[5:]
        bright = name.startswith("bright_")
        base = _ANSI.get(name.removeprefix("bright_"))
        return fallback if base is None else base + (8 if bright else 0)
    from textual.color import Color

    try:
        return Color.parse(value).rgb
    except Exception:  # noqa: BLE001 - an unparsable variable: the fallback colour
        return fallback


class Chart(PlotextPlot):
    """A plotext chart drawn afresh at every render, with its tick labels chosen here: plotext
    keeps state between builds, and its own choice of which string labels to show varies from one
    process to the next (set order), which a snapshot would catch."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.draw: Callable[[Any, int, int], None] | None = None

    def render(self):
        from textual_plotext.plot import Plot

        self._plot = Plot()  # clear_figure() leaves some of plotext's state behind
        if self.draw is not None:
            self.draw(self.plt, self.size.width, self.size.height)
        return super().render()


def _ticks(labels: list[str], room: int, across: bool = True) -> tuple[list[int], list[str]]:
    """Positions 1..n and every k-th label, k such that the labels fit in ``room`` cells (side
    by side when ``across``, else one per line)."""
    n = len(labels)
    # Side by side, plotext drops a label that would touch its neighbour: keep room to spare.
    widest = max((len(label) for label in labels), default=1) + 3 if across else 1
    step = max(1, -(-n * widest // max(1, room)))
    shown = list(range(0, n, step))
    return [i + 1 for i in shown], [labels[i] for i in shown]


def _bars(
    plt,
    labels: list[str],
    series: list[list[float]],
    names: list[str] | None,
    colours: list[Any],
    horizontal: bool,
    width: int,
    height: int,
    bar_width=0.6,
) -> None:
    """Bars at positions 1..n with explicit tick labels (the first label on top when
    horizontal, like the table beside it)."""
    if horizontal:  # plotext draws position 1 at the bottom
        labels = labels[::-1]
        series = [values[::-1] for values in series]
    positions = list(range(1, len(labels) + 1))
    kw = {"orientation": "horizontal" if horizontal else "vertical"}
    if len(series) == 1:
        plt.bar(positions, series[0], color=colours[0], width=bar_width, **kw)
    else:
        plt.multiple_bar(positions, series, labels=names, color=colours, **kw)
    if horizontal:
        ticks, shown = _ticks(labels, max(1, height - 4), across=False)
        plt.yticks(ticks, shown)
    else:
        ticks, shown = _ticks(labels, max(1, width - 8))
        plt.xticks(ticks, shown)


def draw_chart(plt, report: ReportTable, colours: dict[str, Any], width: int, height: int) -> None:
    """The chart of one report; every series named in a legend or title, not by colour alone."""
    name = report.name
    labels = list(report.labels)
    if not labels or not any(any(v for v in s) for s in report.series.values()):
        plt.title("geen gegevens")
        return
    size = {"width": width, "height": height}
    if name == "per-maand":
        months = [row[0] for row in report.rows if row[0] != "Totaal"]
        _bars(
            plt,
            [f"{m[5:7]}-{m[2:4]}" for m in months],
            [list(report.series["screenings"]), list(report.series["huisverboden"])],
            ["screenings", "huisverboden"],
            [colours["primary"], colours["warning"]],
            False,
            **size,
        )
    elif name == "per-gemeente":
        _bars(
            plt,
            [_short(m, 14) for m in labels],
            [list(report.series["huisverboden per 10.000"])],
            None,
            [colours["primary"]],
            True,
            **size,
        )
        plt.title("huisverboden per 10.000 inwoners")
    elif name == "aandelen":
        _bars(
            plt,
            labels,
            [list(report.series["%"])],
            None,
            [colours["primary"]],
            False,
            **size,
            bar_width=0.5,
        )
        plt.ylim(0, 100)
        plt.title("% van screenings (huisverbod) en van huisverboden")
    elif name == "tijdstip":
        plt.bar(
            list(range(24)),
            list(report.series["huisverboden"]),
            color=colours["primary"],
            width=0.8,
        )
        plt.xticks([0, 3, 6, 9, 12, 15, 18, 21], ["00", "03", "06", "09", "12", "15", "18", "21"])
        plt.title("huisverboden per uur van opleggen")
    elif name == "doorlooptijden":
        short = [
            "besluit verl."
            if label == EXTENSION_DECISION
            else _short(label.removeprefix("opvragen → ontvangst "), 14)
            for label in labels
        ]
        _bars(
            plt,
            short,
            [list(report.series["mediaan"]), list(report.series["p90"])],
            ["mediaan", "p90"],
            [colours["primary"], colours["warning"]],
            True,
            **size,
        )
        plt.title("uren")
    elif name == "te-laat":
        _bars(
            plt,
            [_short(label, 16) for label in labels],
            [list(report.series["te laat"])],
            None,
            [colours["error"]],
            True,
            **size,
        )
        plt.title("documenten te laat")


class StatisticsScreen(Screen):
    AUTO_FOCUS = "#stats-body"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]

    DEFAULT_CSS = """
    #stats-filters { height: auto; padding: 0 1; }
    #stats-filters Input { width: 16; }
    #stats-filters Select { width: 1fr; max-width: 30; }
    #stats-status { height: 1; padding: 0 1; color: $text-muted; }
    #stats-status.-error { color: $error; text-style: bold; }
    #stats-body { height: 1fr; overflow: auto auto; }
    #stats-body:focus { background-tint: $foreground 3%; }
    .stats-title { padding: 1 1 0 1; text-style: bold; color: $accent; width: 100%; }
    .stats-note { padding: 0 1; color: $text-muted; width: 100%; }
    .stats-section { height: auto; width: 100%; }
    .stats-chart { height: 14; width: 1fr; min-width: 36; }
    .stats-table { height: auto; max-height: 999; width: auto; margin: 0 1; }
    StatisticsScreen.-narrow .stats-section, .stats-section.-stacked { layout: vertical; }
    StatisticsScreen.-narrow .stats-chart, .stats-section.-stacked .stats-chart { width: 100%; }
    .stats-section.-table-only .stats-chart { display: none; }
    """

    BINDINGS = [
        Binding("escape", "back", "Terug", id="statistics.back"),
        Binding("f", "filters", "Filters", id="statistics.filters"),
        Binding("question_mark", "help", "Help", id="statistics.help"),
        Binding("f5,ctrl+r", "refresh", "Vernieuwen", show=False, id="statistics.refresh"),
        *(
            Binding(
                str(i + 1),
                f"jump('{name}')",
                f"Naar {REPORTS[name].split(':')[0]}",
                show=False,
                id=f"statistics.jump{i + 1}",
            )
            for i, name in enumerate(SECTIONS)
        ),
    ]

    def __init__(self, flt: ReportFilter | None = None) -> None:
        super().__init__()
        self.flt = flt
        self.tables: dict[str, ReportTable] = {}
        self.areas: dict[str, list[str]] = {}
        self.loaded = False
        self.loads = 0  # completed loads (tests wait on it)

    # --- layout ---------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield TopBar(id="topbar")
        with Horizontal(id="stats-filters"):
            yield Input(placeholder="van JJJJ-MM-DD", id="stats-from")
            yield Input(placeholder="t/m JJJJ-MM-DD", id="stats-to")
            yield Select([], prompt="regio: alle", id="stats-region")
            yield Select([], prompt="gemeente: alle", id="stats-municipality")
        yield Static(id="stats-status")
        with ScrollableContainer(id="stats-body", can_focus=True):
            for i, name in enumerate(SECTIONS):
                yield Static(
                    f"{i + 1}  {REPORTS[name][:1].upper()}{REPORTS[name][1:]}",
                    classes="stats-title",
                    id=f"title-{name}",
                )
                with Horizontal(classes="stats-section", id=f"section-{name}"):
                    yield Chart(classes="stats-chart", id=f"chart-{name}")
                    table = DataTable(
                        classes="stats-table",
                        id=f"table-{name}",
                        cursor_type="none",
                        zebra_stripes=True,
                    )
                    table.can_focus = False
                    yield table
                yield Static(classes="stats-note", id=f"note-{name}")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(TopBar).counts = "statistiek"
        self.query_one("#section-kruistabel").add_class("-table-only")
        for name in WIDE:
            self.query_one(f"#section-{name}").add_class("-stacked")
        for chart in self.query(Chart):
            chart.theme = "clear"  # the widget's own background: right in every theme
        if not self.may_view:
            self.set_status(NO_ACCESS, error=True)
            self.query_one("#stats-filters").display = False
            self.query_one("#stats-body").display = False
            return
        if self.flt is None:
            self.flt = last_months(context(self).clock.now().date(), 12)
        self.show_filter_inputs(self.flt)
        self.load()

    @property
    def may_view(self) -> bool:
        return allowed(context(self).actor.roles, Permission.VIEW_REPORTS)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action in ("refresh", "filters", "jump") and not self.may_view)

    def set_status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#stats-status", Static)
        status.update(glyph_text(context(self), text))
        status.set_class(error, "-error")

    def show_filter_inputs(self, flt: ReportFilter) -> None:
        self.query_one("#stats-from", Input).value = flt.start.isoformat() if flt.start else ""
        self.query_one("#stats-to", Input).value = flt.end.isoformat() if flt.end else ""

    # --- loading --------------------------------------------------------------------------------

    def load(self) -> None:
        self.set_status(f"{self.flt.describe()} · laden…")
        self._load(self.flt, need_areas=not self.areas)

    @work(thread=True, exclusive=True, group="statistics-load", exit_on_error=False)
    def _load(self, flt: ReportFilter, need_areas: bool) -> None:
        app = context(self)
        store = app.store
        try:
            areas = store.report_areas() if need_areas else None
            tables = store.reports(SECTIONS, flt)
        except StoreError as exc:  # also: an older API server without statistics (it says so)
            message = str(exc) if isinstance(exc, ConnectionLost) else f"fout: {exc}"
            self.post_message(LoadFailed(message))
            return
        self.post_message(ReportsLoaded(flt, tables, areas))

    @on(LoadFailed)
    def _load_failed(self, message: LoadFailed) -> None:
        self.load_failed(message.message)

    @on(ReportsLoaded)
    def _reports_loaded(self, message: ReportsLoaded) -> None:
        self.apply(message.flt, message.tables, message.areas)

    def load_failed(self, message: str) -> None:
        shown = "getoond is de laatst bekende stand" if self.tables else "nog geen gegevens"
        self.set_status(f"⚠ {message} · {shown} · F5 probeert opnieuw", error=True)

    def apply(
        self, flt: ReportFilter, tables: dict[str, ReportTable], areas: dict[str, list[str]] | None
    ) -> None:
        if flt != self.flt:
            return  # a newer filter is on its way
        if areas is not None:
            self.areas = areas
            self.fill_selects()
        self.tables = tables
        for name in SECTIONS:
            table = tables.get(name)
            if table is not None:
                self.show_table(table)
                self.show_chart(table)
                self.query_one(f"#note-{name}", Static).update(table.note)
        self.set_status(self.summary(tables))
        self.loaded = True
        self.loads += 1

    def summary(self, tables: dict[str, ReportTable]) -> str:
        parts = [self.flt.describe()]
        munis = tables.get("per-gemeente")
        if munis is not None and munis.rows:
            total = munis.rows[-1]
            parts.append(_count(total[3], "screening", "screenings"))
            parts.append(_count(total[5], "huisverbod", "huisverboden"))
        return " · ".join(parts)

    def fill_selects(self) -> None:
        region = self.query_one("#stats-region", Select)
        options = [(name, name) for name in sorted(self.areas)]
        region.set_options(options)
        if self.flt.region in self.areas:
            region.value = self.flt.region
        self.fill_municipalities()

    def fill_municipalities(self) -> None:
        select = self.query_one("#stats-municipality", Select)
        if self.flt.region:
            names = self.areas.get(self.flt.region, [])
        else:
            names = sorted(m for ms in self.areas.values() for m in ms)
        with select.prevent(Select.Changed):
            select.set_options([(name, name) for name in names])
            if self.flt.municipality in names:
                select.value = self.flt.municipality

    # --- showing --------------------------------------------------------------------------------

    def show_table(self, report: ReportTable) -> None:
        table = self.query_one(f"#table-{report.name}", DataTable)
        table.clear(columns=True)
        for column in report.columns:
            justify = "right" if column.numeric else "left"
            table.add_column(Text(column.label, justify=justify), key=column.key)
        for row in report.rows:
            cells = []
            total = row[0] == "Totaal"
            for value, column in zip(row, report.columns, strict=False):
                text = Text(
                    glyph_text(context(self), display_value(value, column.decimals)),
                    justify="right" if column.numeric else "left",
                    style="bold" if total else "",
                )
                cells.append(text)
            table.add_row(*cells)
        if not report.rows:
            table.add_row(
                Text("geen gegevens", style="italic"), *([""] * (len(report.columns) - 1))
            )

    def colours(self) -> dict[str, Any]:
        variables = self.app.theme_variables
        return {
            "primary": plot_color(variables.get("primary"), 4),
            "warning": plot_color(variables.get("warning"), 3),
            "error": plot_color(variables.get("error"), 1),
            "accent": plot_color(variables.get("accent"), 6),
        }

    def show_chart(self, report: ReportTable) -> None:
        chart = self.query_one(f"#chart-{report.name}", Chart)
        n = len(report.labels)
        heights = {
            "per-gemeente": max(14, min(2 * n + 4, 70)),
            "doorlooptijden": max(14, 3 * n + 4),
            "te-laat": max(14, min(2 * n + 4, 60)),
        }
        if report.name in heights:
            chart.styles.height = heights[report.name]
        colours = self.colours()
        chart.draw = lambda plt, width, height: draw_chart(plt, report, colours, width, height)
        chart.refresh()

    # --- filters --------------------------------------------------------------------------------

    def apply_filter(self, **changes: Any) -> None:
        values = {
            "start": self.flt.start,
            "end": self.flt.end,
            "region": self.flt.region,
            "municipality": self.flt.municipality,
            **changes,
        }
        try:
            flt = ReportFilter(**values)
        except DomainError as exc:
            self.set_status(exc.message, error=True)
            return
        if flt == self.flt:
            return
        self.flt = flt
        self.load()

    @on(Input.Submitted, "#stats-from, #stats-to")
    def date_submitted(self, event: Input.Submitted) -> None:
        which = "start" if event.input.id == "stats-from" else "end"
        text = event.value.strip()
        try:
            day = (
                parse_date(text, "begindatum" if which == "start" else "einddatum")
                if text
                else None
            )
        except DomainError as exc:
            self.set_status(exc.message, error=True)
            return
        self.apply_filter(**{which: day})

    @on(Select.Changed, "#stats-region")
    def region_changed(self, event: Select.Changed) -> None:
        region = None if event.value is Select.NULL else str(event.value)
        if region == self.flt.region:
            return
        municipality = self.flt.municipality
        if region and municipality not in self.areas.get(region, []):
            municipality = None
        self.apply_filter(region=region, municipality=municipality)
        self.fill_municipalities()

    @on(Select.Changed, "#stats-municipality")
    def municipality_changed(self, event: Select.Changed) -> None:
        municipality = None if event.value is Select.NULL else str(event.value)
        if municipality != self.flt.municipality:
            self.apply_filter(municipality=municipality)

    # --- actions --------------------------------------------------------------------------------

    def action_back(self) -> None:
        focused = self.focused
        if focused is not None and focused.id in (
            "stats-from",
            "stats-to",
            "stats-region",
            "stats-municipality",
        ):
            self.query_one("#stats-body").focus()
            return
        self.app.pop_screen()

    def action_filters(self) -> None:
        self.query_one("#stats-from", Input).focus()

    def action_refresh(self) -> None:
        self.load()

    def action_jump(self, name: str) -> None:
        body = self.query_one("#stats-body", ScrollableContainer)
        body.focus()
        body.scroll_to_widget(self.query_one(f"#title-{name}"), top=True, animate=False)

    def action_help(self) -> None:
        keys = ascii_keys if context(self).ascii else str
        self.app.push_screen(
            HelpScreen(
                binding_rows(self)
                + [
                    ("tab", "naar het volgende filter of de rapporten"),
                    ("enter (in een datum)", "de datum toepassen (JJJJ-MM-DD of DD-MM-JJJJ)"),
                    (keys("↑ ↓ pgup pgdn"), "de rapporten schuiven"),
                    (keys("← →"), "brede tabellen opzij schuiven"),
                ],
                [],
            )
        )


def _count(n: int, one: str, many: str) -> str:
    return f"{display_value(n)} {one if n == 1 else many}"


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


__all__ = ["Chart", "StatisticsScreen", "draw_chart", "plot_color"]
