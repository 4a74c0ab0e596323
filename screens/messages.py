"""What the workers report back: one typed Message per outcome.

A thread worker never touches a widget: it posts one of these to its screen (``post_message`` is
thread-safe in Textual) and the screen handles it with ``@on(...)`` on its own thread. The
messages are dataclasses (Textual's Message initialises itself in ``__post_init__``) and do not
bubble: each is meant for the screen that started the worker.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from store.interface import (
        Actor,
        CaseDetail,
        LinkedCase,
        MunicipalityChoice,
        NewCase,
        PendingDecision,
        QueueRow,
    )


class WorkerMessage(Message, bubble=False):
    """A worker's report to the screen that started it."""


# --- the queue and its change feed (screens/change_feed.py) -------------------------------------


@dataclass(eq=False)
class QueueLoaded(WorkerMessage, bubble=False):
    """The first load: ``rows`` with their rules already applied (``derived``); ``complete``
    once every open case is in, not only the first page."""

    rows: list[QueueRow]
    derived: dict[int, Any]
    complete: bool


@dataclass(eq=False)
class QueueReread(WorkerMessage, bubble=False):
    """Every open case read again: after a reconnect, a refresh, or a change the store cannot
    name (SQLite)."""

    rows: list[QueueRow]


@dataclass(eq=False)
class RowsChanged(WorkerMessage, bubble=False):
    """The cases ``ids`` changed; ``rows`` are those still open (a missing one is gone)."""

    ids: set[int]
    rows: list[QueueRow]
    go_to: str | None = None  # then move the cursor to this case (a new screening's)


@dataclass(eq=False)
class EarlierCounted(WorkerMessage, bubble=False):
    """How many earlier cases each case's people have (case id -> count)."""

    counts: dict[int, int]


@dataclass(eq=False)
class ConnectionDropped(WorkerMessage, bubble=False):
    """The store did not answer: ``message`` says why; the worker tries again in ``retry_in``
    seconds. The next QueueReread or QueueLoaded means it is back."""

    message: str
    retry_in: int


@dataclass(eq=False)
class ScreeningSaved(WorkerMessage, bubble=False):
    """A new screening was written: the new case."""

    case: NewCase


@dataclass(eq=False)
class Notice(WorkerMessage, bubble=False):
    """A worker has something to say in a toast (``severity`` as Textual's notify)."""

    text: str
    severity: str = "information"
    title: str = ""


@dataclass(eq=False)
class MunicipalitiesLoaded(WorkerMessage, bubble=False):
    """The municipalities a new screening may be in: open its form."""

    municipalities: list[MunicipalityChoice]


# --- the case actions (screens/case_actions/) -----------------------------------------------------


@dataclass(eq=False)
class CaseActionSaved(WorkerMessage, bubble=False):
    """A case action's form saved: the case ``case_id`` is now at ``version`` (this user's own
    write). The screen that opened the form says so and rereads what it shows."""

    case_id: int
    version: int


@dataclass(eq=False)
class PartnerAccountsLoaded(WorkerMessage, bubble=False):
    """The accounts that can fill the chosen partner role: (label, account id) per account."""

    options: list[tuple[str, int]]


@dataclass(eq=False)
class DeadlineTicked(Message):
    """The user ticked a deadline in the queue's deadline list (screens/detail.py): record what
    meets it on the case ``case_id`` (the deadline's ``kind``, a DeadlineKind value). Bubbles
    from the list to its screen."""

    case_id: int
    kind: str


# --- loading a screen's data ----------------------------------------------------------------------


@dataclass(eq=False)
class LoadFailed(WorkerMessage, bubble=False):
    """A screen's worker could not read or write: ``message`` for the banner or status line."""

    message: str


@dataclass(eq=False)
class CaseLoaded(WorkerMessage, bubble=False):
    """A case's detail (and, for the case screen, its decisions' signature checks)."""

    case_id: int
    detail: CaseDetail
    signatures: list[Any]


@dataclass(eq=False)
class HouseholdLoaded(WorkerMessage, bubble=False):
    """The other cases of a case's household (more than one person banned from the home)."""

    case_id: int
    linked: list[LinkedCase]


@dataclass(eq=False)
class PendingLoaded(WorkerMessage, bubble=False):
    """The decisions awaiting the mayor's signature (screens/signing.py)."""

    pending: list[PendingDecision]


@dataclass(eq=False)
class DecisionWritten(WorkerMessage, bubble=False):
    """A decision was signed or refused: ``done`` says which, for the toast."""

    done: str


@dataclass(eq=False)
class RegionsLoaded(WorkerMessage, bubble=False):
    """The regions an invoice can be made for (screens/invoice.py)."""

    names: list[str]


@dataclass(eq=False)
class InvoiceLoaded(WorkerMessage, bubble=False):
    """A region's invoice for a period, computed from its usage."""

    invoice: Any


@dataclass(eq=False)
class ReportsLoaded(WorkerMessage, bubble=False):
    """The statistics for ``flt`` (and the areas to filter on, when they were asked for)."""

    flt: Any
    tables: Any
    areas: Any


@dataclass(eq=False)
class AccountsLoaded(WorkerMessage, bubble=False):
    """The accounts, the number per organisation and the organisations (screens/accounts.py)."""

    rows: list[Any]
    counts: Any
    organisations: list[tuple[str, int]]


@dataclass(eq=False)
class AccountWritten(WorkerMessage, bubble=False):
    """An account was changed: the toast, and a new login code to show (for ``username``)."""

    message: str
    code: str | None
    username: str | None


@dataclass(eq=False)
class ImportChecked(WorkerMessage, bubble=False):
    """A CSV import ran (as a trial or for real): its report per line."""

    report: Any
    path: str
    text: str = field(repr=False)


@dataclass(eq=False)
class ImportFailed(WorkerMessage, bubble=False):
    """A CSV import could not run: ``at_path`` when the file itself is the problem."""

    message: str
    at_path: bool


# --- logging in (screens/login.py) ----------------------------------------------------------------


@dataclass(eq=False)
class AuthFailed(WorkerMessage, bubble=False):
    """The store refused the login, the password change or the unlock (or did not answer)."""

    error: Exception


@dataclass(eq=False)
class Authenticated(WorkerMessage, bubble=False):
    """The password (and code) were right: who logged in. ``secret`` is kept out of reprs."""

    actor: Actor | None
    secret: str = field(default="", repr=False)


@dataclass(eq=False)
class PasswordSaved(WorkerMessage, bubble=False):
    """The new password was stored."""


# --- saving a form (screens/forms.py) -------------------------------------------------------------


@dataclass(eq=False)
class SaveDone(WorkerMessage, bubble=False):
    """The form's save went through (``result``: what the save returned, if anything)."""

    result: Any = None


@dataclass(eq=False)
class SaveFailed(WorkerMessage, bubble=False):
    """The store refused the save: ``message`` at ``field`` (None: the whole form)."""

    field: str | None
    message: str


@dataclass(eq=False)
class SaveLost(WorkerMessage, bubble=False):
    """The answer to the save was lost: it may or may not have been written."""

    reason: str
