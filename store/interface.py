"""The contract between the screens and any backend (SQL today, HTTP later).

Screens import these types and call a ``Store``; they never see SQL. Everything returned is plain,
immutable data: domain facts plus what the screens show beside them (names, contacts).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from hvo_tui.domain.facts import CaseFacts


class StoreError(Exception):
    """A backend failure, as a Dutch message for the user."""


class ConnectionLost(StoreError):
    """The database or API cannot be reached (now); the caller may retry."""


@dataclass(frozen=True, slots=True)
class QueueRow:
    case_id: int
    number: str
    region: str
    municipality: str
    address: str
    facts: CaseFacts
    casemanager: str | None
    procesmanager: str | None
    version: int


@dataclass(frozen=True, slots=True)
class StoreInfo:
    """What the top bar shows about the backend."""

    kind: str  # "sqlite" | "postgresql" | "api"
    location: str  # file path or host, password masked


class Store(Protocol):
    info: StoreInfo

    def open_cases(self) -> list[QueueRow]:
        """Every open case, in no particular order (the domain orders them)."""
        ...

    def close(self) -> None: ...
