"""Small widgets shared by the screens."""

from __future__ import annotations

from textual.reactive import reactive
from textual.widgets import Static


class TopBar(Static):
    """Always-visible context: backend, account, counts, help."""

    counts: reactive[str] = reactive("")

    def render(self) -> str:
        app = self.app
        info = app.store.info
        where = f"{info.kind}: {info.location}"
        who = getattr(app, "account_label", "") or ""
        parts = ["hvo", where]
        if who:
            parts.append(who)
        if self.counts:
            parts.append(self.counts)
        parts.append("? help")
        return " · ".join(parts)
