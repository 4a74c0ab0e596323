"""Small widgets and helpers shared by the screens."""

from __future__ import annotations

from textual.reactive import reactive
from textual.widgets import Static

from .context import AppContext, context

# Every colour on screen has a glyph beside it, so 16 colours, NO_COLOR and colour-blind users
# get the meaning too; ASCII mode (terminals without UTF-8) has its own spelling of each, as wide
# in cells wherever the glyph stands in a column. One table for all screens: glyphs(app)[key].
GLYPHS = {
    "missed": "✖",
    "today": "▲",
    "soon": "●",
    "later": "○",
    "changed": "◆",
    "none": "–",
    "off": "·",  # no deadline / no such person; a flag that is not set
    "open": "○",
    "met": "✓",  # a deadline still open / met
    "yes": "✓",
    "no": "✗",  # a check that passed / failed
    "sep": "·",
    "warn": "⚠",
    "arrow": "→",
    "more": "…",  # in running text
    "cut": "…",  # where a text was cut to fit a column: one cell
    "descending": " ↓",  # after the sort order in the top bar
    "euro": "€",
}
ASCII_GLYPHS = {
    "missed": "X",
    "today": "!",
    "soon": "*",
    "later": "-",
    "changed": ">",
    "none": "-",
    "off": ".",
    "open": "o",
    "met": "+",
    "yes": "+",
    "no": "x",
    "sep": "|",
    "warn": "!",
    "arrow": "->",
    "more": "...",
    "cut": "~",
    "descending": " aflopend",
    "euro": "EUR",
}
# Running text of our own (hints, titles, banners, the top bar) spells these in ASCII mode.
_IN_TEXT = ("sep", "warn", "arrow", "more", "none", "yes", "no", "missed", "euro")


def glyphs(app: AppContext) -> dict[str, str]:
    """The glyph table for ``app``: ASCII_GLYPHS in ASCII mode, else GLYPHS."""
    return ASCII_GLYPHS if app.ascii else GLYPHS


def glyph_text(app: AppContext, text: str) -> str:
    """Our own running text, with its glyphs spelled in ASCII in ASCII mode (" · " becomes
    " | ", "→" "->", "…" "...", "⚠" "!"); unchanged otherwise."""
    if not app.ascii:
        return text
    for key in _IN_TEXT:
        text = text.replace(GLYPHS[key], ASCII_GLYPHS[key])
    return text


# Textual shows some keys as arrows and symbols (textual.keys.KEY_DISPLAY_ALIASES).
ASCII_KEYS = {"↑": "up", "↓": "down", "←": "left", "→": "right", "⏎": "enter", "⌫": "backspace"}


def ascii_keys(shown: str) -> str:
    """A key as Textual shows it, with its arrows and symbols spelled out."""
    for glyph, name in ASCII_KEYS.items():
        shown = shown.replace(glyph, name)
    return shown


class TopBar(Static):
    """Always-visible context: backend, account, counts, connection state, help."""

    counts: reactive[str] = reactive("")
    stale: reactive[bool] = reactive(False)

    def __init__(self, *, source: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        # Where the data lives: not on a login screen, which (in a browser, under `hvo web`)
        # anyone who finds the page sees before proving who they are.
        self.source = source

    def render(self) -> str:
        # Most important first, so a narrow terminal cuts off the least: the counts, a lost
        # connection, who you are, then where the data lives.
        app = context(self)
        info = app.store.info
        parts = ["hvo"]
        if self.stale:
            parts.append("VERBINDING VERBROKEN")
        if self.counts:
            parts.append(self.counts)
        if app.account_label:
            parts.append(app.account_label)
        if self.source:
            parts.append(f"{info.kind}: {info.short}")
        parts.append("? help")
        return glyph_text(app, " · ".join(parts))

    def watch_stale(self, stale: bool) -> None:
        self.set_class(stale, "stale")
