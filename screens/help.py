"""`?`: every key binding of the screen underneath, generated from its bindings (one registry)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

# Textual's own widgets describe their keys in English; the help speaks Dutch.
DUTCH = {
    "Cursor up": "Omhoog",
    "Cursor down": "Omlaag",
    "Cursor left": "Naar links",
    "Cursor right": "Naar rechts",
    "Home": "Begin",
    "End": "Einde",
    "Page up": "Pagina omhoog",
    "Page down": "Pagina omlaag",
    "Page Left": "Pagina naar links",
    "Page Right": "Pagina naar rechts",
    "Select": "Kiezen",
    "Top": "Bovenaan",
    "Bottom": "Onderaan",
    "Focus Next": "Volgend veld",
    "Focus Previous": "Vorig veld",
    "Copy selected text": "Geselecteerde tekst kopiëren",
}


def binding_rows(screen) -> list[tuple[str, str]]:
    """(keys, description) for every binding the screen and the app offer right now, in
    Dutch."""
    rows: dict[str, list[str]] = {}
    for _key, active in screen.active_bindings.items():
        binding = active.binding
        if not binding.description:
            continue
        if active.enabled is False:
            continue
        shown = screen.app.get_key_display(binding)
        description = DUTCH.get(binding.description, binding.description)
        rows.setdefault(description, [])
        if shown not in rows[description]:
            rows[description].append(shown)
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
