"""The audit log's integrity (issue 9): checking every case's hash chain, and the one sanctioned
rewrite of events, by the retention purge.

The chain (see ``case_writes``): each event of a case carries ``prev_hash`` (the hash of the
case's previous event) and ``hash`` (SHA-256 of its own content and ``prev_hash``). An event whose
content changed no longer matches its hash; a deleted or inserted event breaks the link of the
next one. On PostgreSQL a trigger (migration 0004) refuses UPDATE and DELETE besides.

Retention rewrites. When a case is destroyed after its retention term, free text that a user typed
into event details (``domain.retention.FREE_TEXT_KEYS``) is replaced by a marker. Each such event
gets a new ``hash`` over its redacted content and its unchanged ``prev_hash``; the events after it
keep their ``prev_hash`` (the hash from before). The ``destroy`` event that is appended in the same
transaction lists every rewrite in ``details["herschreven"]``: ``{"event_id", "hash_voor",
"hash_na", "velden"}``. ``first_break`` accepts a link to ``hash_voor`` of a listed event and
requires the listed event to hold exactly ``hash_na`` now. Anything else that changed an event, or
a rewrite that the chained destroy event does not list, still shows as a broken link. (Whoever can
recompute the hashes of the whole tail of a chain can forge it, as with any hash chain kept in the
same database; the PostgreSQL trigger and the database's privileges are the guard against that.)

Events without a case (account administration, logins) are not chained; the report counts them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.engine import Connection, Engine

from hvo_tui.domain.retention import redact_details

from .case_writes import E, event_hash
from .models import Account, Case, Event

C = Case.__table__.c
A = Account.__table__.c
ET = Event.__table__

REWRITES_KEY = "herschreven"


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """The first broken link of one case's chain."""

    case_id: int
    number: str | None
    event_id: int
    at: datetime
    action: str
    actor_name: str
    problem: str  # Dutch, what is wrong


@dataclass(frozen=True, slots=True)
class AuditReport:
    cases: int = 0
    events: int = 0
    rewritten: int = 0  # events rewritten by the retention purge (and accepted)
    unchained: int = 0  # events without a case: not chained
    breaks: list[ChainBreak] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.breaks


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One line of ``hvo audit log``."""

    id: int
    at: datetime
    actor_name: str
    action: str
    number: str | None
    details: dict[str, Any]


_COLUMNS = (E.id, E.case_id, E.account_id, E.actor_name, E.action, E.at, E.details, E.prev_hash,
            E.hash)


def _content_hash(row) -> str:
    return event_hash(case_id=row.case_id, account_id=row.account_id, actor_name=row.actor_name,
                      action=row.action, at=row.at, details=row.details, prev_hash=row.prev_hash)


def _rewrites(rows: list) -> dict[int, dict[str, Any]]:
    """event id -> rewrite record, from the events that list rewrites and are themselves intact
    (their content matches their hash). A record may only name an earlier event."""
    records: dict[int, dict[str, Any]] = {}
    for row in rows:
        listed = row.details.get(REWRITES_KEY) if isinstance(row.details, dict) else None
        if not listed or row.hash is None or _content_hash(row) != row.hash:
            continue
        for record in listed:
            if isinstance(record, dict) and isinstance(record.get("event_id"), int) \
                    and record["event_id"] < row.id:
                records[record["event_id"]] = record
    return records


def check_events(rows: list) -> tuple[Any | None, str | None, int]:
    """Check one case's events (ordered by id): (first broken row, what is wrong, number of
    accepted retention rewrites)."""
    records = _rewrites(rows)
    prev = None
    for row in rows:
        if row.hash is None:
            return row, "heeft geen hash: buiten hvo om toegevoegd", len(records)
        links = {prev.hash} if prev is not None else {None}
        if prev is not None and prev.id in records:
            links.add(records[prev.id].get("hash_voor"))
        if row.prev_hash not in links:
            if prev is None:
                problem = "is de eerste gebeurtenis van de zaak maar verwijst naar een vorige: " \
                          "er is een gebeurtenis verwijderd"
            else:
                problem = (f"sluit niet aan op de vorige gebeurtenis (#{prev.id}): er is een "
                           "gebeurtenis verwijderd, tussengevoegd of gewijzigd")
            return row, problem, len(records)
        if _content_hash(row) != row.hash:
            return row, "inhoud gewijzigd: de hash klopt niet meer met wie, wat, wanneer en details", \
                len(records)
        if row.id in records and row.hash != records[row.id].get("hash_na"):
            return row, "gewijzigd na het opschonen wegens de bewaartermijn", len(records)
        prev = row
    return None, None, len(records)


def _case_rows(conn: Connection, case_ids: Iterable[int] | None = None) -> Iterator[tuple[int, list]]:
    """(case id, its events in id order) for every case with events, streamed."""
    query = select(*_COLUMNS).where(E.case_id.is_not(None)).order_by(E.case_id, E.id)
    if case_ids is not None:
        query = query.where(E.case_id.in_(list(case_ids)))
    current: int | None = None
    rows: list = []
    for row in conn.execute(query.execution_options(yield_per=2000)):
        if row.case_id != current:
            if rows:
                yield current, rows
            current, rows = row.case_id, []
        rows.append(row)
    if rows:
        yield current, rows


def first_break(conn: Connection, case_id: int) -> tuple[int, str] | None:
    """(event id, what is wrong) of the first broken link of ``case_id``'s chain, or None."""
    for _, rows in _case_rows(conn, [case_id]):
        bad, problem, _ = check_events(rows)
        if bad is not None:
            return bad.id, problem
    return None


def verify_all(engine: Engine) -> AuditReport:
    """Check every case's chain; name the first broken link of each broken one."""
    cases = events = rewritten = 0
    found: list[tuple[Any, str]] = []
    with engine.connect() as conn:
        for _, rows in _case_rows(conn):
            cases += 1
            events += len(rows)
            bad, problem, accepted = check_events(rows)
            rewritten += accepted
            if bad is not None:
                found.append((bad, problem))
        unchained = conn.execute(select(func.count()).select_from(ET).where(E.case_id.is_(None))
                                 ).scalar_one()
        numbers = dict(conn.execute(
            select(C.id, C.number).where(C.id.in_([bad.case_id for bad, _ in found]))
        ).all()) if found else {}
    breaks = [
        ChainBreak(case_id=bad.case_id, number=numbers.get(bad.case_id), event_id=bad.id,
                   at=bad.at, action=bad.action, actor_name=bad.actor_name, problem=problem)
        for bad, problem in found
    ]
    breaks.sort(key=lambda b: (b.number or "", b.case_id))
    return AuditReport(cases=cases, events=events, rewritten=rewritten, unchained=unchained,
                       breaks=breaks)


# --- the retention purge's rewrite ---------------------------------------------------------------


def redact_case_events(conn: Connection, case_id: int) -> list[dict[str, Any]]:
    """Replace free text in the details of ``case_id``'s events by the marker and re-hash those
    events (their ``prev_hash`` stays). Returns the rewrite records for the destroy event. Call it
    inside the destroying transaction, which holds the case's lock."""
    rows = conn.execute(select(*_COLUMNS).where(E.case_id == case_id).order_by(E.id)).all()
    changes = []
    for row in rows:
        clean, paths = redact_details(row.details)
        if paths:
            changes.append((row, clean, paths))
    if not changes:
        return []
    postgres = conn.dialect.name == "postgresql"
    if postgres:  # the append-only trigger lets only this transaction's purge through
        conn.execute(text("SELECT set_config('hvo.retention', 'on', true)"))
    records = []
    try:
        for row, clean, paths in changes:
            digest = event_hash(case_id=row.case_id, account_id=row.account_id,
                                actor_name=row.actor_name, action=row.action, at=row.at,
                                details=clean, prev_hash=row.prev_hash)
            conn.execute(update(ET).where(E.id == row.id).values(details=clean, hash=digest))
            records.append({"event_id": row.id, "hash_voor": row.hash, "hash_na": digest,
                            "velden": paths})
    finally:
        if postgres:
            conn.execute(text("SELECT set_config('hvo.retention', 'off', true)"))
    return records


# --- reading the log ------------------------------------------------------------------------------


def case_log(engine: Engine, number: str) -> list[LogEntry] | None:
    """Every event of the case ``number`` (openings included), oldest first; None: no such case."""
    with engine.connect() as conn:
        case_id = conn.execute(select(C.id).where(C.number == number)).scalar()
        if case_id is None:
            return None
        rows = conn.execute(
            select(E.id, E.at, E.actor_name, E.action, E.details)
            .where(E.case_id == case_id).order_by(E.at, E.id)
        ).all()
    return [LogEntry(id=r.id, at=r.at, actor_name=r.actor_name, action=r.action, number=number,
                     details=dict(r.details or {})) for r in rows]


def account_log(engine: Engine, username: str) -> list[LogEntry] | None:
    """Every event done by the account ``username`` (cases opened and changed, administration),
    oldest first; None: no such account."""
    with engine.connect() as conn:
        account_id = conn.execute(select(A.id).where(A.username == username)).scalar()
        if account_id is None:
            return None
        rows = conn.execute(
            select(E.id, E.at, E.actor_name, E.action, E.details, C.number)
            .select_from(ET.outerjoin(Case.__table__, C.id == E.case_id))
            .where(E.account_id == account_id).order_by(E.at, E.id)
        ).all()
    return [LogEntry(id=r.id, at=r.at, actor_name=r.actor_name, action=r.action, number=r.number,
                     details=dict(r.details or {})) for r in rows]
