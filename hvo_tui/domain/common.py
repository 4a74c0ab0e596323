"""Small shared readings of CaseFacts used by deadlines, checklist and life cycle."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime

import pendulum

from .errors import DomainError
from .facts import CaseFacts, DocumentFacts
from .localtime import local
from .timeline import ban_end
from .vocab import DocumentKind

MEETING_DAY3 = "overleg_dag3"  # MeetingFacts.kind of the casemanager's meeting around day 3
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def after_hours(moment: datetime, hours: int) -> pendulum.DateTime:
    """``hours`` elapsed hours after ``moment`` (absolute time, so 24 h across DST is 24 h)."""
    return local(pendulum.instance(moment).in_timezone("UTC").add(hours=hours))


def document(case: CaseFacts, kind: DocumentKind) -> DocumentFacts | None:
    """The document of ``kind`` that counts: the last received one, else the last one on file."""
    of_kind = [d for d in case.documents if d.kind == kind]
    received = [d for d in of_kind if d.status.is_in]
    if received:
        return received[-1]
    return of_kind[-1] if of_kind else None


def received(case: CaseFacts, kind: DocumentKind) -> DocumentFacts | None:
    doc = document(case, kind)
    return doc if doc is not None and doc.status.is_in else None


def current_end(case: CaseFacts) -> pendulum.DateTime | None:
    """When the ban (as extended) ends, or None without T0."""
    if case.imposed_at is None:
        return None
    return ban_end(case.imposed_at, case.extended_until)


def micros(moment: datetime) -> int:
    """An aware moment as integer microseconds since the epoch (exact, for sort keys)."""
    # Plain stdlib arithmetic: exact, and much cheaper than pendulum intervals in sort keys.
    return calendar.timegm(moment.utctimetuple()) * 1_000_000 + moment.microsecond


def require_aware(moment: datetime, field: str | None = None) -> pendulum.DateTime:
    if not isinstance(moment, datetime):
        raise DomainError(f"geen geldig moment: {moment!r}", field=field)
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise DomainError("een moment zonder tijdzone is niet eenduidig", field=field)
    return local(moment)
