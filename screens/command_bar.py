"""The queue's command bar: ``:`` opens it, Enter runs what was typed, Esc closes it.

``parse_command`` turns a line into a typed command (or a Dutch message saying what is wrong);
the queue screen carries it out. The bar itself only opens, closes and shows a refusal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from textual.suggester import SuggestFromList
from textual.widgets import Input

from hvo_tui.domain.vocab import CaseStatus

from .context import context
from .queue_model import SORTS, QueueModel, fold
from .widgets import glyph_text

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


# --- what a line asks for -------------------------------------------------------------------------


@dataclass(frozen=True)
class JumpTo:
    """Go to the case with this number (as typed)."""

    number: str


@dataclass(frozen=True)
class SetFilters:
    """Change these filters (a field set to None clears it)."""

    changes: dict = field(default_factory=dict)


@dataclass(frozen=True)
class RunAction:
    """Run the screen's action of this name (the toggles ``mijn`` and ``urgent``)."""

    action: str


@dataclass(frozen=True)
class SortBy:
    key: str


@dataclass(frozen=True)
class ClearFilters:
    pass


Command = JumpTo | SetFilters | RunAction | SortBy | ClearFilters


def _by_name(field_name: str, typed: str, names: set[str], what: str) -> Command | str:
    if not typed:
        return SetFilters({field_name: None})
    exact = [n for n in names if fold(n) == fold(typed)]
    starts = [n for n in names if fold(n).startswith(fold(typed))]
    found = exact or starts
    if len(found) == 1:
        return SetFilters({field_name: found[0]})
    if not found:
        return f"geen open zaken in {what} '{typed}'"
    return f"'{typed}' past op meer dan één {what}: {', '.join(sorted(found)[:5])}"


def parse_command(line: str, model: QueueModel) -> Command | str | None:
    """What a ':' line asks for; a Dutch message when it cannot be done; None for nothing."""
    word, _, rest = line.strip().partition(" ")
    word, rest = word.lower(), rest.strip()
    if not word:
        return None
    if word == "zaak":
        return JumpTo(rest)
    if word == "gemeente":
        names = {r.municipality for r in model.rows.values()}
        return _by_name("municipality", rest, names, "gemeente")
    if word == "regio":
        return _by_name("region", rest, {r.region for r in model.rows.values()}, "regio")
    if word == "status":
        if not rest:
            return SetFilters({"status": None})
        for status in CaseStatus:
            if status.is_open and fold(status.label).startswith(fold(rest)):
                return SetFilters({"status": status})
        labels = ", ".join(s.label for s in CaseStatus if s.is_open)
        return f"onbekende status '{rest}'; kies uit: {labels}"
    if word in ("mijn", "urgent"):
        return RunAction("toggle_mine" if word == "mijn" else "toggle_urgent")
    if word in ("sorteer", "sort"):
        for key, label in SORTS.items():
            if fold(label).startswith(fold(rest or "urgentie")):
                return SortBy(key)
        choices = ", ".join(s.lower() for s in SORTS.values())
        return f"onbekende kolom '{rest}'; kies uit: {choices}"
    if word in ("alles", "wis"):
        return ClearFilters()
    if word.upper().startswith("HV-"):
        return JumpTo(word)
    return f"onbekende opdracht '{word}'; ? toont de opdrachten"


# --- the bar --------------------------------------------------------------------------------------


class CommandBar(Input):
    """The ':' line, with the commands' first words as suggestions; hidden until opened."""

    def __init__(self, *, id: str = "command-input") -> None:
        super().__init__(
            placeholder=glyph_text(
                context(self), "zaak HV-2026-00042 · gemeente Roermond · status lopend · alles"
            ),
            id=id,
            suggester=SuggestFromList(
                [c.split()[0] + " " for c, _ in COMMANDS], case_sensitive=False
            ),
        )

    def open(self) -> None:
        self.value = ""
        self.add_class("visible")
        self.focus()

    def close(self) -> None:
        self.remove_class("visible", "-invalid")

    def refuse(self) -> None:
        """What was typed cannot be done: it stays, marked, so it can be corrected."""
        self.add_class("-invalid")
