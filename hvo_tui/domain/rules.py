"""Regional rules: the practice that varies per region, with the defaults of domain.md.

A region keeps its rules as a small TOML text (``region.rules_toml`` in the store), for example::

    meeting_day = 3
    advice_day = 8
    advice_warn_day = 7
    copy_recipients = ["achterblijver", "officier_van_justitie"]

Day numbers count like the law's days: T0 + N calendar days at the same local clock time
(``timeline.add_days``); hour numbers are elapsed hours. Unknown keys, wrong types and values
outside what the law allows are refused with a Dutch DomainError (with a "bedoelde u ...?" hint).
``copy_recipients`` is the one list: who gets a copy (afschrift) of every decision (see
``decisions``: the law at hand names none, so the region decides; default the achterblijvers and
the officier van justitie).
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from .decisions import COPY_RECIPIENTS, RECIPIENTS
from .errors import DomainError

# key -> (lowest, highest, Dutch description). Upper bounds that the law sets are marked.
_BOUNDS: dict[str, tuple[int, int, str]] = {
    "meeting_day": (0, 10, "de dag van het overleg met betrokkenen"),
    "advice_day": (1, 10, "de dag waarop zorgadvies en beleidsadvies binnen moeten zijn"),
    "advice_warn_day": (0, 10, "de dag vanaf welke het advies als verwacht wordt gemarkeerd"),
    "proces_verbaal_day": (0, 10, "de dag waarop het proces-verbaal binnen moet zijn"),
    # The decision file is kept 5 years [law]; a region may not destroy earlier.
    "retention_years": (5, 20, "de bewaartermijn in jaren (wettelijk minimaal 5)"),
    "informed_hours": (1, 72, "het aantal uren voor 'onverwijld' informeren"),
    # Art. 2 lid 6: within 24 hours; a region may be stricter, never looser.
    "reachable_hours": (
        1,
        24,
        "het aantal uren voor het bereikbaarheidsadres (wettelijk hoogstens 24)",
    ),
    # The court hears the person within 3 days of the request [law].
    "appeal_hearing_days": (
        1,
        3,
        "het aantal dagen voor de zitting na een beroep (wettelijk hoogstens 3)",
    ),
}


@dataclass(frozen=True, slots=True)
class RegionRules:
    """The per-region rules (all integers). Construct directly, or from TOML / a mapping."""

    meeting_day: int = 3
    advice_day: int = 8
    advice_warn_day: int = 7
    retention_years: int = 5
    informed_hours: int = 24
    reachable_hours: int = 24
    appeal_hearing_days: int = 3
    proces_verbaal_day: int = 1
    # Who gets a copy of every decision (decisions.RECIPIENTS codes; not the banned person).
    copy_recipients: tuple[str, ...] = ("achterblijver", "officier_van_justitie")

    def __post_init__(self) -> None:
        self._check_copy_recipients()
        for f in fields(self):
            if f.name not in _BOUNDS:
                continue
            value = getattr(self, f.name)
            low, high, what = _BOUNDS[f.name]
            if isinstance(value, bool) or not isinstance(value, int):
                raise DomainError(
                    f"'{f.name}' ({what}) moet een geheel getal zijn, niet {value!r}", field=f.name
                )
            if not low <= value <= high:
                raise DomainError(
                    f"'{f.name}' ({what}) moet tussen {low} en {high} liggen, niet {value}",
                    field=f.name,
                )
        if self.advice_warn_day > self.advice_day:
            raise DomainError(
                f"'advice_warn_day' ({self.advice_warn_day}) mag niet na 'advice_day' "
                f"({self.advice_day}) liggen",
                field="advice_warn_day",
            )

    def _check_copy_recipients(self) -> None:
        value = self.copy_recipients
        if isinstance(value, str) or not isinstance(value, (list, tuple)):
            raise DomainError(
                f"'copy_recipients' (wie een afschrift krijgt) moet een lijst zijn, niet {value!r}",
                field="copy_recipients",
            )
        for item in value:
            if item not in COPY_RECIPIENTS:
                hint = difflib.get_close_matches(str(item), COPY_RECIPIENTS, n=1, cutoff=0.6)
                suggestion = f"; bedoelde u '{hint[0]}'?" if hint else ""
                what = "krijgt het besluit zelf" if item in RECIPIENTS else "is onbekend"
                raise DomainError(
                    f"'copy_recipients': {item!r} {what}{suggestion} (bekend: "
                    f"{', '.join(COPY_RECIPIENTS)})",
                    field="copy_recipients",
                )
        # A list from TOML becomes a tuple: the rules stay hashable and compare equal.
        object.__setattr__(self, "copy_recipients", tuple(dict.fromkeys(value)))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> RegionRules:
        """Rules from a mapping; missing keys keep their default, unknown keys are refused."""
        known = [f.name for f in fields(cls)]
        for key in data:
            if key not in known:
                hint = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
                suggestion = f"; bedoelde u '{hint[0]}'?" if hint else ""
                raise DomainError(
                    f"onbekende regel '{key}'{suggestion} (bekend: {', '.join(known)})",
                    field=str(key),
                )
        return cls(**dict(data))

    @classmethod
    def from_toml(cls, text: str) -> RegionRules:
        """Rules from a region's TOML text (top-level keys only)."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise DomainError(f"de regionale regels zijn geen geldige TOML: {exc}") from exc
        return cls.from_mapping(data)

    def to_mapping(self) -> dict[str, Any]:
        return {
            f.name: list(value) if isinstance(value := getattr(self, f.name), tuple) else value
            for f in fields(self)
        }

    def to_toml(self) -> str:
        def toml(value: Any) -> str:
            if isinstance(value, list):
                return "[" + ", ".join(f'"{v}"' for v in value) + "]"
            return str(value)

        return "".join(f"{key} = {toml(value)}\n" for key, value in self.to_mapping().items())
