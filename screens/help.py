"""`?`: every key binding of the screen underneath, generated from its bindings (one registry)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


def binding_rows(screen) -> list[tuple[str, str]]:
    """(keys, description) for every binding the screen and the app offer right now."""
    rows: dict[str, list[str]] = {}
    for _key, active in screen.active_bindings.items():
        binding = active.binding
        if not binding.description:
            continue
        if active.enabled is False:
            continue
        shown = screen.app.get_key_display(binding)
        rows.setdefault(binding.description, [])
        if shown not in rows[binding.description]:
            rows[binding.description].append(shown)
    return [(" / ".join(keys), description) for description, keys in rows.items()]


class HelpScreen(ModalScreen[None]):
    """Lists the bindings and, when given, the ':' commands of the screen that opened it."""

    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Sluiten", id="help.close"),
    ]

    def __init__(self, bindings: list[tuple[str, str]], commands: list[tuple[str, str]]) -> None:
        super().__init__()
        self.bindings_shown = bindings
        self.commands_shown = commands

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold")
        table.add_column()
        table.add_row(Text("Toetsen", style="underline"), "")
        for keys, description in self.bindings_shown:
            table.add_row(keys, description)
        if self.commands_shown:
            table.add_row("", "")
            table.add_row(Text("Opdrachten na :", style="underline"), "")
            for command, description in self.commands_shown:
                table.add_row(command, description)
        table.add_row("", "")
        table.add_row("ctrl+p", "opdrachtenpalet: elke actie en elke zaak")
        with VerticalScroll(id="help-body"):
            yield Static(table)
        yield Static("Esc of ? sluit", id="help-hint")

    def action_dismiss(self) -> None:
        self.dismiss(None)
