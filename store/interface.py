"""The contract between the screens and any backend (SQL today, HTTP later).

Screens import these types and call a ``Store``; they never see SQL. Everything returned is plain,
immutable data: domain facts plus what the screens show beside them (names, contacts).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple, Protocol

from hvo_tui.domain.facts import CaseFacts
from hvo_tui.domain.permissions import Scope
from hvo_tui.domain.statistics import ReportFilter, ReportTable


class StoreError(Exception):
    """A backend failure, as a Dutch message for the user."""


class ConnectionLost(StoreError):
    """The database or API cannot be reached (now); the caller may retry."""


class Conflict(StoreError):
    """Someone else changed the case since it was read (optimistic locking): nothing was written.
    ``current_version`` is the version now in the database."""

    def __init__(self, message: str, current_version: int) -> None:
        super().__init__(message)
        self.current_version = current_version


class Refused(StoreError):
    """The rules refuse the change (a DomainError's Dutch message, and the field it concerns)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFound(StoreError):
    """No such case (or not visible to this account)."""


class UnknownReport(StoreError):
    """No report of that name (the message lists the names)."""


@dataclass(frozen=True, slots=True)
class Actor:
    """Who does something: every write and every opening of a case is logged with it."""

    name: str
    roles: frozenset[str] = frozenset()  # Role values
    account_id: int | None = None
    username: str | None = None
    regions: tuple[str, ...] = ()  # the account's regions, for the top bar


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
class PersonRow:
    id: int
    role: str  # PersonRole value
    first_name: str
    last_name: str
    birth_date: date | None = None
    bsn: str | None = None
    address: str = ""
    phone: str | None = None
    email: str | None = None  # adults only (issue 16)


@dataclass(frozen=True, slots=True)
class LinkedCase:
    """Another case of the same household: a second person banned from the same home gets a case
    of their own (issue 16, store/household.py). No person data."""

    case_id: int
    number: str
    status: str  # CaseStatus value
    imposed_at: datetime | None = None
    ends_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class DocumentRow:
    id: int
    kind: str  # DocumentKind value
    status: str  # DocumentStatus value
    requested_from_role: str | None = None
    requested_from: str | None = None  # the account's name
    requested_at: datetime | None = None
    due_at: datetime | None = None
    received_at: datetime | None = None
    author_name: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ServingRow:
    """A decision served, announced orally or sent as a copy (issue 16, store/servings.py)."""

    id: int
    document_id: int
    kind: str  # DocumentKind value of the decision
    recipient: str  # decisions.RECIPIENTS code
    manner: str  # decisions.MANNERS code: uitgereikt | mondeling | afschrift
    served_at: datetime
    written_at: datetime | None = None  # an oral announcement put in writing
    served_by: str = ""


@dataclass(frozen=True, slots=True)
class EventRow:
    at: datetime
    actor_name: str
    action: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class NoteRow:
    at: datetime
    author: str
    kind: str  # note | contact
    text: str


@dataclass(frozen=True, slots=True)
class MeetingRow:
    kind: str  # overleg_dag3 | mdo | other
    held_at: datetime
    participants: str = ""
    outcome: str = ""


@dataclass(frozen=True, slots=True)
class EarlierCase:
    number: str
    status: str
    opened_at: datetime
    municipality: str
    match: str  # "persoon" | "adres"


@dataclass(frozen=True, slots=True)
class CaseDetail:
    row: QueueRow
    persons: tuple[PersonRow, ...] = ()
    documents: tuple[DocumentRow, ...] = ()
    events: tuple[EventRow, ...] = ()  # newest first
    notes: tuple[NoteRow, ...] = ()  # newest first
    meetings: tuple[MeetingRow, ...] = ()
    earlier: tuple[EarlierCase, ...] = ()
    servings: tuple[ServingRow, ...] = ()  # oldest first


@dataclass(frozen=True, slots=True)
class SignatureCheck:
    """One digital signature under a decision document, verified when read (store/signing.py).
    ``problem`` says in Dutch why it is not valid (None when it is)."""

    signature_id: int | None
    document_id: int | None
    kind: str  # DocumentKind value
    signer_name: str
    signed_at: datetime | None
    valid: bool
    problem: str | None = None
    key_fingerprint: str = ""


@dataclass(frozen=True, slots=True)
class PendingDecision:
    """A draft decision awaiting the mayor's signature, with its case (as in the queue)."""

    row: QueueRow
    document: DocumentRow  # without fields: read those through case_detail (which logs the opening)


@dataclass(frozen=True, slots=True)
class MunicipalityChoice:
    """A municipality a new screening can be registered in (store/screening.py)."""

    id: int
    name: str
    region: str


@dataclass(frozen=True, slots=True)
class NewCase:
    case_id: int
    number: str
    version: int
    # The other cases the same screening gave: one ban per banned person (issue 16), by number.
    linked: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AccountChoice:
    id: int
    username: str
    full_name: str
    organisation: str
    roles: tuple[str, ...] = ()
    phone: str | None = None
    email: str | None = None


# --- accounts (store/accounts.py) -----------------------------------------------------------


class LoginError(StoreError):
    """A refused login or password change, as a Dutch message. ``locked_until`` is set when the
    account is locked; ``second_factor`` when the TOTP code is missing or wrong."""

    def __init__(
        self, message: str, *, locked_until: datetime | None = None, second_factor: bool = False
    ) -> None:
        super().__init__(message)
        self.locked_until = locked_until
        self.second_factor = second_factor


@dataclass(frozen=True, slots=True)
class LoggedIn(Actor):
    """A successful login: an ``Actor`` plus what the session needs to know about the account."""

    must_change_password: bool = False
    organisation_id: int | None = None
    organisation: str | None = None
    # ``regions`` comes from Actor


@dataclass(frozen=True, slots=True)
class AccountRow:
    id: int
    username: str
    full_name: str
    organisation: str
    organisation_id: int
    roles: tuple[str, ...]  # Role values, sorted
    regions: tuple[str, ...]  # region names, sorted
    phone: str | None
    email: str | None
    active: bool
    bestuurlijk: bool
    locked: bool
    must_change_password: bool
    totp: bool = False  # a second factor is set up


class OrganisationCount(NamedTuple):
    organisation: str
    active: int  # active accounts
    bestuurlijk: int  # active bestuurlijke accounts


@dataclass(frozen=True, slots=True)
class ImportLine:
    line: int  # line number in the file (the header is line 1)
    username: str
    status: str  # "nieuw" | "bestaat al" | "fout"
    errors: tuple[str, ...] = ()
    code: str | None = None  # the one-time login code, once created
    account_id: int | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def text(self) -> str:
        who = f" ({self.username})" if self.username else ""
        what = "; ".join(self.errors) if self.errors else self.status
        return f"regel {self.line}{who}: {what}"


@dataclass(frozen=True, slots=True)
class ImportReport:
    lines: tuple[ImportLine, ...]
    dry_run: bool
    applied: bool  # accounts were created
    message: str

    @property
    def errors(self) -> tuple[ImportLine, ...]:
        return tuple(line for line in self.lines if not line.ok)

    @property
    def codes(self) -> dict[str, str]:
        """username -> one-time login code of every account created."""
        return {line.username: line.code for line in self.lines if line.code}


# --- the store -----------------------------------------------------------------------------------


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


# --- the store, by concern ---------------------------------------------------------------------


class QueueStore(Protocol):
    """The queue: open cases as rows, one case's row by number, the change feed (screens/queue.py,
    screens/change_feed.py)."""

    info: StoreInfo

    def queue_rows(
        self, ids: Collection[int] | None = None, *, first: int | None = None
    ) -> list[QueueRow]:
        """Every open case (``ids`` None), or exactly the cases ``ids`` whatever their status
        (after a change: a case no longer open leaves the queue). In no particular order, except
        with ``first``: only the ``first`` open cases whose ban ends soonest (fast first paint)."""
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


class CaseStore(Protocol):
    """One case: reading it (logged) and every process-management action (screens/case.py,
    screens/case_actions/).

    Every write takes the version the caller read; when the case changed since, it raises
    Conflict and writes nothing. A case outside the actor's scope is NotFound, and nothing is
    written or logged. A write runs the domain's rules (Refused with the Dutch reason), bumps the
    version, and appends an event, in one transaction. Writes return the new version."""

    def case_detail(self, case_id: int, actor: Actor) -> CaseDetail:
        """Everything about one case; logs that ``actor`` opened it."""
        ...

    def apply_action(
        self, case_id: int, version: int, action: str, actor: Actor, **params: Any
    ) -> int:
        """A life-cycle action (domain CaseAction value) through the domain's state machine."""
        ...

    def assign_partner(
        self,
        case_id: int,
        version: int,
        role: str,
        actor: Actor,
        *,
        account_id: int | None = None,
        external: dict[str, str] | None = None,
    ) -> int:
        """Put an account (or an external contact: name, organisation, phone, email) on the case
        in ``role``; a partner already in that role is ended (kept in history), not deleted."""
        ...

    def request_document(
        self,
        case_id: int,
        version: int,
        kind: str,
        actor: Actor,
        *,
        from_role: str,
        due_at: datetime,
        from_account_id: int | None = None,
    ) -> int: ...

    def receive_document(
        self,
        case_id: int,
        version: int,
        kind: str,
        actor: Actor,
        *,
        received_at: datetime,
        author_name: str,
        fields: dict[str, Any],
        status: str = "received",
    ) -> int: ...

    def remind_document(self, case_id: int, version: int, document_id: int, actor: Actor) -> int:
        """Record a reminder on the timeline and write it to the outbox for the mail gateway."""
        ...

    def record_meeting(
        self,
        case_id: int,
        version: int,
        actor: Actor,
        *,
        kind: str,
        held_at: datetime,
        participants: str,
        outcome: str,
    ) -> int: ...

    def add_note(
        self, case_id: int, version: int, actor: Actor, *, text: str, kind: str = "note"
    ) -> int: ...

    def record_serving(
        self,
        case_id: int,
        version: int,
        actor: Actor,
        *,
        document_id: int,
        recipient: str,
        manner: str,
        served_at: datetime,
        served_by: str,
        written_at: datetime | None = None,
    ) -> int:
        """A decision served on (``uitgereikt``) or announced to (``mondeling``, with the moment
        it was put in writing) the banned person, or a copy (``afschrift``) sent to another
        party (store/servings.py; the rules: ``hvo_tui.domain.decisions``)."""
        ...

    def write_key(self, key: str | None) -> AbstractContextManager[None]:
        """``with store.write_key(key): store.add_note(...)``: an idempotency key (1-80 printable
        ASCII characters) for the first write inside, in this thread only. That write happens at
        most once per key: repeated (the answer was lost with the connection), it is not written
        again and returns the recorded result (the new version; for ``open_screening`` the case
        it created). Every case write and ``open_screening`` honour it (store/idempotency.py)."""
        ...

    def accounts_for_role(self, role: str, region: str | None = None) -> list[AccountChoice]:
        """Active accounts that can fill a partner role (for the assign form)."""
        ...


class HouseholdStore(Protocol):
    """The household of a case after its screening, and its linked cases (store/household.py;
    screens/case_actions/household.py, screens/case.py). Writes as ``CaseStore``'s: version and
    scope checked, one event each, Refused(field) for bad input."""

    def add_person(
        self, case_id: int, version: int, actor: Actor, *, person: dict[str, Any]
    ) -> int:
        """A person joins the household: role, first_name, last_name, birth_date, bsn, and for
        an adult phone and email."""
        ...

    def correct_person(
        self, case_id: int, version: int, person_id: int, actor: Actor, *, changes: dict[str, Any]
    ) -> int:
        """The fields in ``changes`` replace the person's recorded ones (None clears one)."""
        ...

    def household_cases(self, case_id: int) -> list[LinkedCase]:
        """The other cases of the household (other persons banned from the same home)."""
        ...


class ScreeningStore(Protocol):
    """A new case (store/screening.py; screens/screening.py)."""

    def municipalities(self) -> list[MunicipalityChoice]:
        """Where the reader may register a new screening (its regions' municipalities)."""
        ...

    def open_screening(
        self,
        actor: Actor,
        *,
        municipality_id: int,
        opened_at: datetime,
        address: dict[str, Any],
        persons: list[dict[str, Any]],
        rihg: dict[str, Any],
        rihg_author: str,
        decision: str | None = None,
        imposed_at: datetime | None = None,
        reason: str | None = None,
    ) -> NewCase:
        """A new screening with its persons and RiHG; with ``decision`` ("impose" /
        "not_impose") decided at once, imposing sets T0 and requests the documents the ban
        needs. One transaction; Refused(field) for bad input, nothing written then."""
        ...


class AccountStore(Protocol):
    """Accounts: login, passwords, the second factor and their administration (issue 6;
    screens/login.py, screens/accounts.py, ``hvo accounts``). Administration is refused without
    ``Permission.MANAGE_ACCOUNTS``."""

    def authenticate(
        self, username: str, password: str, *, totp_code: str | None = None, now: datetime
    ) -> LoggedIn:
        """The account as a logged-in actor; ``LoginError`` (in Dutch) when refused."""
        ...

    def set_password(
        self, account_id: int, old_or_code: str, new_password: str, *, now: datetime | None = None
    ) -> None:
        """A new password, with the current one or the one-time login code."""
        ...

    def act_as(self, actor: Actor) -> None:
        """Read as ``actor`` from now on: its scope of cases and whether it sees person data."""
        ...

    def list_accounts(
        self,
        *,
        organisation_id: int | None = None,
        role: str | None = None,
        region: str | None = None,
        active: bool | None = None,
        text: str | None = None,
        now: datetime | None = None,
    ) -> list[AccountRow]: ...

    def account(self, account_id: int, *, now: datetime | None = None) -> AccountRow: ...

    def organisation_counts(self) -> list[OrganisationCount]: ...

    def organisations(self) -> list[tuple[int, str]]: ...

    def organisation_id(self, name: str) -> int | None: ...

    def account_activity(self, account_id: int, *, limit: int = 200) -> list[EventRow]: ...

    def create_account(
        self,
        actor: Actor,
        *,
        username: str,
        full_name: str,
        organisation_id: int,
        roles: Iterable[Any],
        regions: Iterable[Any] = (),
        phone: str | None = None,
        email: str | None = None,
        bestuurlijk: bool = False,
    ) -> tuple[int, str]:
        """A new account; returns (its id, its one-time login code)."""
        ...

    def update_account(self, actor: Actor, account_id: int, **changes: Any) -> None: ...

    def deactivate(self, actor: Actor, account_id: int) -> None: ...

    def reactivate(self, actor: Actor, account_id: int) -> None: ...

    def reset_login(self, actor: Actor, account_id: int, *, reset_totp: bool = False) -> str:
        """A new one-time login code (the password goes); returns the code."""
        ...

    def enable_totp(self, actor: Actor, account_id: int) -> str: ...

    def disable_totp(self, actor: Actor, account_id: int) -> None: ...

    def import_accounts_csv(self, actor: Actor, text: str, *, dry_run: bool) -> ImportReport: ...


class ReportStore(Protocol):
    """Statistics (issue 8; hvo_tui.domain.statistics holds the rules; screens/statistics.py,
    ``hvo report``)."""

    def report(self, name: str, flt: ReportFilter) -> ReportTable:
        """One report by its name (``statistics.REPORTS``); ``UnknownReport`` for another."""
        ...

    def reports(self, names: Collection[str], flt: ReportFilter) -> dict[str, ReportTable]:
        """The named reports (``statistics.REPORTS``) over the cases ``flt`` selects, within the
        account's scope."""
        ...

    def report_areas(self) -> dict[str, list[str]]:
        """Region -> its municipalities, for the report filters."""
        ...


class BillingStore(Protocol):
    """The use per region for the invoice (screens/invoice.py)."""

    def billing_regions(self, actor: Actor) -> list[str]:
        """The names of all regions (for the invoice screen; ``Permission.INVOICE``)."""
        ...

    def billing_usage(self, actor: Actor, region: str, period: Any) -> Any:
        """A ``billing.RegionUsage``: what ``region`` used in the ``billing.Period`` (issue 8;
        ``hvo_tui.domain.billing`` computes the invoice from it). Refused without
        ``Permission.INVOICE``."""
        ...


class SigningStore(Protocol):
    """The mayor's signature (issue 10, store/signing.py; screens/signing.py)."""

    def decisions_awaiting_signature(self, actor: Actor) -> list[PendingDecision]:
        """Draft decisions on open cases of the municipality of ``actor``'s organisation."""
        ...

    def sign_decision(
        self, case_id: int, version: int, document_id: int, actor: Actor, *, password: str
    ) -> int:
        """Sign a draft decision with the account's key, opened with ``password``; only a
        bestuurder of the case's municipality. The document is then immutable."""
        ...

    def refuse_decision(
        self, case_id: int, version: int, document_id: int, actor: Actor, *, reason: str
    ) -> int:
        """Refuse to sign a draft decision, with a reason (the document becomes 'afgewezen')."""
        ...

    def decision_signatures(self, case_id: int) -> list[SignatureCheck]:
        """Every digital signature on the case, verified now (oldest first)."""
        ...


class ServerStore(Protocol):
    """What the API (``hvo serve``) and the shell call on the SQL store besides: the scope
    questions asked before a write, the account behind a session, the one clock."""

    scope: Scope | None
    mask_persons: bool

    def now(self) -> datetime:
        """The store's one clock (the app's or the server's; None: the wall clock)."""
        ...

    def ping(self) -> str: ...

    def actor_for(self, username: str) -> Actor | None: ...

    def account_scope(self, account_id: int) -> Scope: ...

    def ensure_organisation(self, name: str, kind: str = "veiligheidshuis") -> int: ...

    def visible_case_ids(self, ids: Collection[int]) -> set[int]: ...

    def open_case_versions(
        self, first: int | None = None, ids: Collection[int] | None = None
    ) -> list[tuple[int, int]]: ...


class Store(
    QueueStore,
    CaseStore,
    HouseholdStore,
    ScreeningStore,
    AccountStore,
    ReportStore,
    BillingStore,
    SigningStore,
    Protocol,
):
    """Everything a screen may call: what both the SQL store and the HTTP store offer."""
