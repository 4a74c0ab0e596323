"""The audit log's integrity (issue 9): checking every case's hash chain, and the one sanctioned
rewrite of events, by the retention purge.

The chain (see ``store.chain``): each event of a case carries ``prev_hash`` (the hash of the
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

The events without a case (logins, failed logins, password changes, account administration,
signing keys) form one more chain, the account log, checked the same way (without retention
rewrites: nothing rewrites them).

Heads. Every chain's end is anchored in ``event_head`` (the last event's id and hash, and the
count), updated in the transaction of each append. A chain whose links hold but whose last event or
count differs from its head lost its tail (or gained events outside hvo); a chain with events but
no head, or a head whose chain is gone, is reported too (``check_end``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.engine import Connection, Engine

from hvo_tui.domain.retention import redact_details

from .chain import ACCOUNT_CHAIN, E, H, event_hash
from .database import Repository
from .models import Account, Case, Event

C = Case.__table__.c
A = Account.__table__.c
ET = Event.__table__

REWRITES_KEY = "herschreven"


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """What is wrong with one chain: its first broken link, or (``at_end``) an end that does not
    match its head. ``case_id`` None: the account log. The event named is the broken one, or for
    a wrong end the last one left (None when none is left)."""

    case_id: int | None
    number: str | None
    event_id: int | None
    at: datetime | None
    action: str | None
    actor_name: str | None
    problem: str  # Dutch, what is wrong
    at_end: bool = False

    @property
    def chain(self) -> str:
        """The chain, in Dutch: ``zaak HV-2026-00042`` or ``het accountlogboek``."""
        if self.case_id is None:
            return "het accountlogboek"
        return f"zaak {self.number or f'#{self.case_id}'}"


@dataclass(frozen=True, slots=True)
class AuditReport:
    cases: int = 0
    events: int = 0  # events of the cases' chains
    account_events: int = 0  # events of the account log (without a case)
    rewritten: int = 0  # events rewritten by the retention purge (and accepted)
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


_COLUMNS = (
    E.id,
    E.case_id,
    E.account_id,
    E.actor_name,
    E.action,
    E.at,
    E.details,
    E.prev_hash,
    E.hash,
)


def _content_hash(row) -> str:
    return event_hash(
        case_id=row.case_id,
        account_id=row.account_id,
        actor_name=row.actor_name,
        action=row.action,
        at=row.at,
        details=row.details,
        prev_hash=row.prev_hash,
    )


def _rewrites(rows: list) -> dict[int, dict[str, Any]]:
    """event id -> rewrite record, from the events that list rewrites and are themselves intact
    (their content matches their hash). A record may only name an earlier event."""
    records: dict[int, dict[str, Any]] = {}
    for row in rows:
        listed = row.details.get(REWRITES_KEY) if isinstance(row.details, dict) else None
        if not listed or row.hash is None or _content_hash(row) != row.hash:
            continue
        for record in listed:
            if (
                isinstance(record, dict)
                and isinstance(record.get("event_id"), int)
                and record["event_id"] < row.id
            ):
                records[record["event_id"]] = record
    return records


def _links(row, records: dict[int, dict[str, Any]]) -> set[str | None]:
    """The hashes an event may be linked to as predecessor: its hash, and the one from before an
    accepted retention rewrite."""
    links = {row.hash}
    if row.id in records:
        links.add(records[row.id].get("hash_voor"))
    return links


def check_events(
    rows: list, *, rewrites: bool = True, first: str = "de zaak"
) -> tuple[Any | None, str | None, int]:
    """Check one chain's events (ordered by id): (first broken row, what is wrong, number of
    accepted retention rewrites). ``rewrites``: accept the retention purge's recorded rewrites
    (a case's chain; never the account log's). ``first``: whose first event, in the message."""
    records = _rewrites(rows) if rewrites else {}
    prev = None
    for row in rows:
        if row.hash is None:
            return row, "heeft geen hash: buiten hvo om toegevoegd", len(records)
        links = _links(prev, records) if prev is not None else {None}
        if row.prev_hash not in links:
            if prev is None:
                problem = (
                    f"is de eerste gebeurtenis van {first} maar verwijst naar een vorige: "
                    "er is een gebeurtenis verwijderd"
                )
            else:
                problem = (
                    f"sluit niet aan op de vorige gebeurtenis (#{prev.id}): er is een "
                    "gebeurtenis verwijderd, tussengevoegd of gewijzigd"
                )
            return row, problem, len(records)
        if _content_hash(row) != row.hash:
            return (
                row,
                "inhoud gewijzigd: de hash klopt niet meer met wie, wat, wanneer en details",
                len(records),
            )
        if row.id in records and row.hash != records[row.id].get("hash_na"):
            return row, "gewijzigd na het opschonen wegens de bewaartermijn", len(records)
        prev = row
    return None, None, len(records)


def _n(count: int) -> str:
    return f"{count} gebeurtenis" if count == 1 else f"{count} gebeurtenissen"


def check_end(rows: list, head, *, rewrites: dict[int, dict[str, Any]] | None = None) -> str | None:
    """What is wrong with the end of a chain whose links hold, compared with its head
    (``event_head`` row, or None when the chain has none); None when they agree. ``rows``: the
    chain's events in id order (may be empty)."""
    count = len(rows)
    if head is None:
        if not rows:
            return None
        return (
            f"de keten van {_n(count)} heeft geen kop (event_head): waar zij eindigt is niet "
            "vastgelegd, of die vastlegging is verwijderd"
        )
    if head.event_count == 0 and head.last_event_id is None:
        if not rows:
            return None
        return (
            f"volgens de kop is de keten leeg, maar zij telt {_n(count)}: de kop is "
            "teruggezet of de gebeurtenissen zijn buiten hvo om toegevoegd"
        )
    last = rows[-1] if rows else None
    expected = (
        f"de kop noemt gebeurtenis #{head.last_event_id} als laatste van {_n(head.event_count)}"
    )
    if last is None:
        return f"de keten is leeg maar {expected}: alle gebeurtenissen zijn verwijderd"
    if last.id < (head.last_event_id or 0) or count < head.event_count:
        missing = head.event_count - count
        gone = f"{_n(missing)} ontbreken" if missing > 1 else "1 gebeurtenis ontbreekt"
        if missing <= 0:
            gone = "de laatste gebeurtenissen ontbreken"
        return f"de keten eindigt bij #{last.id} maar {expected}: {gone} aan het einde (verwijderd)"
    if last.id != head.last_event_id or count != head.event_count:
        return (
            f"de keten eindigt bij #{last.id} met {_n(count)} maar {expected}: er is een "
            "gebeurtenis buiten hvo om toegevoegd of de kop is gewijzigd"
        )
    if head.last_hash not in _links(last, rewrites or {}):
        return (
            "de hash van de laatste gebeurtenis klopt niet met de kop: de gebeurtenis of de "
            "kop is gewijzigd"
        )
    return None


def _case_rows(
    conn: Connection, case_ids: Iterable[int] | None = None
) -> Iterator[tuple[int, list]]:
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


def verify_chain(conn: Connection, case_id: int) -> int | None:
    """The id of the first event of ``case_id`` whose chain link or content was altered (or that
    was inserted without a hash), or None when the whole chain holds. The check itself, which
    also accepts the retention purge's recorded rewrites, is ``store.audit``'s."""
    found = first_break(conn, case_id)
    return found[0] if found else None


def broken_chains(conn: Connection) -> dict[int, int]:
    """Every case whose chain is broken: case id -> id of its first broken event (for
    ``hvo audit verify``)."""
    broken: dict[int, int] = {}
    for case_id, rows in _case_rows(conn):
        bad, _, _ = check_events(rows)
        if bad is not None:
            broken[case_id] = bad.id
    return broken


def _check_chain(rows: list, head, *, case: bool) -> tuple[Any | None, str | None, bool, int]:
    """(row to name, problem, at the end?, accepted rewrites) of one chain; problem None: intact."""
    first = "de zaak" if case else "het accountlogboek"
    bad, problem, accepted = check_events(rows, rewrites=case, first=first)
    if bad is not None:
        return bad, problem, False, accepted
    problem = check_end(rows, head, rewrites=_rewrites(rows) if case and accepted else None)
    if problem is not None:
        return (rows[-1] if rows else None), problem, True, accepted
    return None, None, False, accepted


def verify_all(engine: Engine) -> AuditReport:
    """Check every case's chain and the account log: each chain's links, and its end against its
    head; name the first broken link (or the wrong end) of each broken chain."""
    cases = events = rewritten = 0
    found: list[tuple[int | None, Any | None, str, bool]] = []
    with engine.connect() as conn:
        heads = {
            h.chain_key: h
            for h in conn.execute(select(H.chain_key, H.last_event_id, H.last_hash, H.event_count))
        }
        seen: set[int] = set()
        for case_id, rows in _case_rows(conn):
            cases += 1
            events += len(rows)
            seen.add(case_id)
            bad, problem, at_end, accepted = _check_chain(rows, heads.get(case_id), case=True)
            rewritten += accepted
            if problem is not None:
                found.append((case_id, bad, problem, at_end))
        for key, head in heads.items():  # heads of chains whose every event is gone
            if key != ACCOUNT_CHAIN and key not in seen:
                _, problem, at_end, _ = _check_chain([], head, case=True)
                if problem is not None:
                    found.append((key, None, problem, at_end))
        account_rows = conn.execute(
            select(*_COLUMNS).where(E.case_id.is_(None)).order_by(E.id)
        ).all()
        bad, problem, at_end, _ = _check_chain(account_rows, heads.get(ACCOUNT_CHAIN), case=False)
        if problem is not None:
            found.append((None, bad, problem, at_end))
        case_ids = [case_id for case_id, *_ in found if case_id is not None]
        numbers = (
            dict(conn.execute(select(C.id, C.number).where(C.id.in_(case_ids))).all())
            if case_ids
            else {}
        )
    breaks = [
        ChainBreak(
            case_id=case_id,
            number=numbers.get(case_id) if case_id is not None else None,
            event_id=bad.id if bad is not None else None,
            at=bad.at if bad is not None else None,
            action=bad.action if bad is not None else None,
            actor_name=bad.actor_name if bad is not None else None,
            problem=problem,
            at_end=at_end,
        )
        for case_id, bad, problem, at_end in found
    ]
    # The account log first, then the cases by number.
    breaks.sort(key=lambda b: (b.case_id is not None, b.number or "", b.case_id or 0))
    return AuditReport(
        cases=cases,
        events=events,
        account_events=len(account_rows),
        rewritten=rewritten,
        breaks=breaks,
    )


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
            digest = event_hash(
                case_id=row.case_id,
                account_id=row.account_id,
                actor_name=row.actor_name,
                action=row.action,
                at=row.at,
                details=clean,
                prev_hash=row.prev_hash,
            )
            conn.execute(update(ET).where(E.id == row.id).values(details=clean, hash=digest))
            records.append(
                {"event_id": row.id, "hash_voor": row.hash, "hash_na": digest, "velden": paths}
            )
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
            .where(E.case_id == case_id)
            .order_by(E.at, E.id)
        ).all()
    return [
        LogEntry(
            id=r.id,
            at=r.at,
            actor_name=r.actor_name,
            action=r.action,
            number=number,
            details=dict(r.details or {}),
        )
        for r in rows
    ]


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
            .where(E.account_id == account_id)
            .order_by(E.at, E.id)
        ).all()
    return [
        LogEntry(
            id=r.id,
            at=r.at,
            actor_name=r.actor_name,
            action=r.action,
            number=r.number,
            details=dict(r.details or {}),
        )
        for r in rows
    ]


class Audit(Repository):
    """The audit log for ``hvo audit``: every chain checked, one case's or account's log."""

    def verify_all(self) -> AuditReport:
        return self._guard(verify_all, self.engine)

    def case_log(self, number: str) -> list[LogEntry] | None:
        return self._guard(case_log, self.engine, number)

    def account_log(self, username: str) -> list[LogEntry] | None:
        return self._guard(account_log, self.engine, username)
