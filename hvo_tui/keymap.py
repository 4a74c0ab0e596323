"""The user's keys: the ``[keymap]`` table of config.toml over every binding's stable id.

Each binding of the app and its screens has an ``id`` ("queue.filter", "form.save", ...); the
keymap maps an id to other keys ("ctrl+f" or "f,ctrl+f") through Textual's ``App.set_keymap``, so
the footer, the ``?`` help and the bindings themselves follow. ``hvo info`` lists the effective
keys. An id that no binding has is refused with a suggestion, as an unknown setting is.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from textual.binding import Binding

from screens.accounts import AccountsScreen, CodeScreen, ConfirmScreen, ImportScreen
from screens.case import CaseScreen
from screens.forms import ActionForm
from screens.help import HelpScreen
from screens.invoice import ExportScreen, InvoiceScreen
from screens.login import ChangePasswordScreen, LockScreen, LoginScreen
from screens.queue import QueueScreen
from screens.screening import ScreeningForm
from screens.signing import SigningScreen
from screens.statistics import StatisticsScreen

from .app import HvoApp
from .config import ConfigError

# Every class whose bindings a user can remap, in the order `hvo info` lists them.
BOUND = (
    HvoApp,
    QueueScreen,
    CaseScreen,
    ActionForm,
    ScreeningForm,
    HelpScreen,
    AccountsScreen,
    ConfirmScreen,
    CodeScreen,
    ImportScreen,
    StatisticsScreen,
    InvoiceScreen,
    ExportScreen,
    SigningScreen,
    LoginScreen,
    ChangePasswordScreen,
    LockScreen,
)

# A key as Textual names it: letters, digits, names such as "question_mark", modifiers with "+".
_KEY = re.compile(r"^[a-z0-9_]+(\+[a-z0-9_]+)*$")


@dataclass(frozen=True)
class KeyBinding:
    id: str
    keys: str  # effective, comma separated as Textual writes them
    default: str
    description: str

    @property
    def changed(self) -> bool:
        return self.keys != self.default


def bindings() -> dict[str, Binding]:
    """Every binding with an id, by id (the first class that declares it wins)."""
    found: dict[str, Binding] = {}
    for cls in BOUND:
        for item in getattr(cls, "BINDINGS", []):
            if isinstance(item, Binding) and item.id and item.id not in found:
                found[item.id] = item
    return found


def check_keymap(keymap: dict[str, str], where: str = "[keymap]") -> dict[str, str]:
    """The keymap as Textual takes it, or ConfigError naming the first bad entry in Dutch."""
    known = bindings()
    checked: dict[str, str] = {}
    for binding_id, keys in keymap.items():
        if binding_id not in known:
            close = difflib.get_close_matches(binding_id, known, n=1)
            hint = f"; bedoelde u '{close[0]}'?" if close else "; 'hvo info' toont alle toetsen"
            raise ConfigError(f"{where}: onbekende toets-id '{binding_id}'{hint}")
        if not isinstance(keys, str):
            raise ConfigError(f"{where}: '{binding_id}' verwacht tekst, bv. \"ctrl+f\"")
        parts = [part.strip().lower() for part in keys.split(",")]
        if not all(_KEY.match(part) for part in parts):
            raise ConfigError(
                f"{where}: '{binding_id}' = {keys!r} is geen geldige toets; "
                'schrijf bv. "f" of "ctrl+f" (meerdere met een komma)'
            )
        checked[binding_id] = ",".join(parts)
    return checked


def effective_keys(keymap: dict[str, str]) -> list[KeyBinding]:
    """Every remappable binding with its effective keys (the keymap over the default)."""
    return [
        KeyBinding(
            id=binding_id,
            keys=keymap.get(binding_id, binding.key),
            default=binding.key,
            description=binding.description or binding.tooltip or "",
        )
        for binding_id, binding in bindings().items()
    ]
