"""Plain, immutable facts about a case: what the rules need to know, nothing more.

The store maps its rows onto these; the rules (deadlines, checklist, life cycle, urgency) read
only these. All moments are timezone-aware datetimes (pendulum or stdlib).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from .vocab import CaseKind, CaseStatus, DocumentKind, DocumentStatus, PersonRole


@dataclass(frozen=True, slots=True)
class DocumentFacts:
    kind: DocumentKind
    status: DocumentStatus
    requested_at: datetime | None = None
    due_at: datetime | None = None
    received_at: datetime | None = None
    # The store's id of the document: an action on it (a reminder) needs no logged read to find it.
    id: int | None = None
    # A decision: when it reached the banned person (served or announced orally, the earliest;
    # decisions.served_moment). A decision counts from then (Wth art. 2 lid 7, Awb 3:40).
    served_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class MeetingFacts:
    kind: str  # "overleg_dag3", "mdo", ...
    held_at: datetime


@dataclass(frozen=True, slots=True)
class PersonFacts:
    role: PersonRole
    name: str
    birth_date: date | None = None
    bsn: str | None = None
    address: str | None = None  # normalised "street number, postcode city"


@dataclass(frozen=True, slots=True)
class CaseFacts:
    number: str
    kind: CaseKind
    status: CaseStatus
    opened_at: datetime  # start of the screening
    imposed_at: datetime | None = None  # T0
    extended_until: datetime | None = None
    imposed_by_hovj: bool = False
    child_abuse: bool = False
    vt_consulted_at: datetime | None = None  # Veilig Thuis consulted before imposing (child abuse)
    mayor_informed_at: datetime | None = None
    household_informed_at: datetime | None = None
    vt_informed_at: datetime | None = None
    reachable_address_at: datetime | None = None  # banned person gave an address
    reachable_address: str | None = None  # that address (Wth art. 2 lid 6); its history is events
    extension_decided_at: datetime | None = None
    decided_at: datetime | None = None  # moment of the last decision (any kind)
    appeal_requested_at: datetime | None = None
    appeal_hearing_at: datetime | None = None
    appeal_decided_at: datetime | None = None
    violation_count: int = 0
    herstel: bool = False
    closed_at: datetime | None = None
    documents: tuple[DocumentFacts, ...] = ()
    meetings: tuple[MeetingFacts, ...] = field(default=())
    persons: tuple[PersonFacts, ...] = field(default=())
    # Added for the domain rules (defaults keep older callers working):
    address: str | None = None  # incident address, "street number, postcode city" (earlier cases)
    appeal_outcome: str | None = None  # the court's ruling, free text
