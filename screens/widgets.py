"""Small widgets and helpers shared by the screens."""

from __future__ import annotations

from textual.reactive import reactive
from textual.widgets import Static

# Every colour on screen has a glyph beside it, so 16 colours, NO_COLOR and colour-blind users
# get the meaning too; ASCII mode for terminals without UTF-8.
GLYPHS = {
    "missed": "✖", "today": "▲", "soon": "●", "later": "○", "changed": "◆",
    "none": "–", "off": "·",  # no deadline / no such person; a flag that is not set
}
ASCII_GLYPHS = {
    "missed": "X", "today": "!", "soon": "*", "later": "-", "changed": ">",
    "none": "-", "off": ".",
}


def glyphs(app) -> dict[str, str]:
    return ASCII_GLYPHS if getattr(app, "ascii", False) else GLYPHS


class TopBar(Static):
    """Always-visible context: backend, account, counts, connection state, help."""

    counts: reactive[str] = reactive("")
    stale: reactive[bool] = reactive(False)

    def render(self) -> str:
        # Most important first, so a narrow terminal cuts off the least: the counts, a lost
        # connection, who you are, then where the data lives.
        app = self.app
        info = app.store.info
        parts = ["hvo"]
        if self.stale:
            parts.append("VERBINDING VERBROKEN")
        if self.counts:
            parts.append(self.counts)
        who = getattr(app, "account_label", "") or ""
        if who:
            parts.append(who)
        parts.append(f"{info.kind}: {info.short}")
        parts.append("? help")
        return " · ".join(parts)

    def watch_stale(self, stale: bool) -> None:
        self.set_class(stale, "stale")
