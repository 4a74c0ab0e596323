"""The contract between the screens and any backend (SQL today, HTTP later).

Screens import these types and call a ``Store``; they never see SQL. Everything returned is plain,
immutable data: domain facts plus what the screens show beside them (names, contacts).
"""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Collection
from typing import Protocol

from hvo_tui.domain.facts import CaseFacts


class StoreError(Exception):
    """A backend failure, as a Dutch message for the user."""


class ConnectionLost(StoreError):
    """The database or API cannot be reached (now); the caller may retry."""


@dataclass(frozen=True, slots=True)
class PartnerContact:
    """A partner on a case: an account, or an external contact."""

    role: str  # PartnerRole value
    name: str
    organisation: str | None = None
    phone: str | None = None
    email: str | None = None
    username: str | None = None  # None for an external contact


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
    partners: tuple[PartnerContact, ...] = ()


@dataclass(frozen=True, slots=True)
class StoreInfo:
    """What the top bar shows about the backend."""

    kind: str  # "sqlite" | "postgresql" | "api"
    location: str  # file path or host, password masked

    @property
    def short(self) -> str:
        """For the top bar: a file's name, not its whole path."""
        if self.kind == "sqlite":
            return self.location.rsplit("/", 1)[-1]
        return self.location


class ChangeFeed(Protocol):
    """Tells which cases others changed; implementations in store.feed.

    ``wait(timeout)`` blocks up to ``timeout`` seconds and returns an empty set (nothing changed),
    a set of case ids (these changed) or ``None`` (something changed, not known what: reread all).
    It raises ``ConnectionLost`` when the database cannot be reached; after a backoff the caller
    calls ``reopen()`` and rereads everything, since changes may have been missed.
    """

    def wait(self, timeout: float) -> set[int] | None: ...

    def reopen(self) -> None: ...

    def close(self) -> None: ...


class Store(Protocol):
    info: StoreInfo

    def queue_rows(self, ids: Collection[int] | None = None) -> list[QueueRow]:
        """Every open case (``ids`` None), or exactly the cases ``ids`` whatever their status
        (after a change: a case no longer open leaves the queue). In no particular order."""
        ...

    def case_by_number(self, number: str) -> QueueRow | None:
        """One case by its number, whatever its status; None when there is no such case."""
        ...

    def earlier_counts(self, ids: Collection[int]) -> dict[int, int]:
        """Per case: how many earlier cases share its banned person (BSN, or name and birth
        date) or its incident address. Cases without earlier ones are left out."""
        ...

    def change_feed(self) -> ChangeFeed:
        """A feed that tells which cases others changed (see store.feed)."""
        ...

    def close(self) -> None: ...
