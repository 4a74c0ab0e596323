"""The event log's hash chain and the write keys: the lowest layer of every write.

Hash chain (issue 9): ``event.prev_hash`` is the ``hash`` of the case's previous event (None for
the first), ``event.hash`` the SHA-256 hex digest of the canonical JSON (sorted keys, no spaces) of
``{case_id, account_id, actor_name, action, at (ISO, UTC), details, prev_hash}``. The events
without a case (account log: logins, account administration) are one more chain, and every
chain's end is recorded in ``event_head`` (last event, its hash, the count) in the same
transaction (``append_event``), so ``hvo audit verify`` also sees a deleted tail (store/audit.py
checks the chains).

Write keys (store/idempotency.py): ``record_key`` and ``applied_key`` are the SQL side of a
write's idempotency key.

Every repository that writes (case writes, screenings, signing, accounts) imports this module;
it imports none of them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from hvo_tui.domain.localtime import local

from . import idempotency
from .models import Event, EventHead, WriteKey

E = Event.__table__.c
HT = EventHead.__table__
H = HT.c
WK = WriteKey.__table__.c


# --- JSON and the hash chain --------------------------------------------------------------------


def _utc(moment: datetime) -> datetime:
    """A plain stdlib datetime in UTC (pendulum subclasses datetime; the hash wants one form)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r}")
    u = moment.astimezone(UTC)
    return datetime(u.year, u.month, u.day, u.hour, u.minute, u.second, u.microsecond, tzinfo=UTC)


def _iso(moment: datetime | None) -> str | None:
    """A moment for event details: ISO 8601 in Europe/Amsterdam with its offset."""
    if moment is None:
        return None
    return local(moment).isoformat()


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON: enums as their code, moments as ISO strings, tuples as lists."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def event_hash(
    *,
    case_id: int | None,
    account_id: int | None,
    actor_name: str,
    action: str,
    at: datetime,
    details: dict[str, Any],
    prev_hash: str | None,
) -> str:
    payload = {
        "case_id": case_id,
        "account_id": account_id,
        "actor_name": actor_name,
        "action": action,
        "at": _utc(at).isoformat(),
        "details": details,
        "prev_hash": prev_hash,
    }
    blob = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


ACCOUNT_CHAIN = 0  # event_head.chain_key of the events without a case (the account log)


def chain_key(case_id: int | None) -> int:
    """The ``event_head`` key of the chain an event of ``case_id`` belongs to."""
    return ACCOUNT_CHAIN if case_id is None else case_id


def _claim_head(conn: Connection, key: int):
    """The chain's head row (``last_hash``), locked for this transaction; created empty when the
    chain has none yet. PostgreSQL: SELECT ... FOR UPDATE, so two transactions appending to one
    chain (two logins at once) take turns. SQLite: the INSERT OR IGNORE first takes the database's
    write lock (the driver only begins a transaction at the first write), so the read after it
    cannot be stale."""
    query = select(H.last_hash).where(H.chain_key == key)
    if conn.dialect.name == "sqlite":
        conn.execute(
            sqlite_insert(HT).values(chain_key=key, event_count=0).on_conflict_do_nothing()
        )
        return conn.execute(query).one()
    head = conn.execute(query.with_for_update()).one_or_none()
    if head is None:  # a new case, or the account log of an empty database
        conn.execute(
            pg_insert(HT)
            .values(chain_key=key, event_count=0)
            .on_conflict_do_nothing(index_elements=[H.chain_key])
        )
        head = conn.execute(query.with_for_update()).one()
    return head


def append_event(
    conn: Connection,
    *,
    case_id: int | None,
    account_id: int | None,
    actor_name: str,
    action: str,
    at: datetime,
    details: dict[str, Any] | None = None,
) -> int:
    """Insert one event, chained to the previous event of its chain (the case's; without a case
    the account log's) as the chain's head records it, and move the head to it. For a case, call
    it inside the transaction that holds the case's lock (after the version UPDATE); the head row's
    lock serialises the account log's appends (and guards a case's besides)."""
    clean = json.loads(json.dumps(jsonable(details or {})))  # exactly what the JSON column returns
    key = chain_key(case_id)
    prev = _claim_head(conn, key).last_hash
    digest = event_hash(
        case_id=case_id,
        account_id=account_id,
        actor_name=actor_name,
        action=action,
        at=at,
        details=clean,
        prev_hash=prev,
    )
    event_id = conn.execute(
        insert(Event.__table__).values(
            case_id=case_id,
            account_id=account_id,
            actor_name=actor_name,
            action=action,
            at=_utc(at),
            details=clean,
            prev_hash=prev,
            hash=digest,
        )
    ).inserted_primary_key[0]
    conn.execute(
        update(HT)
        .where(H.chain_key == key)
        .values(last_event_id=event_id, last_hash=digest, event_count=H.event_count + 1)
    )
    return event_id


# --- idempotency keys (store/idempotency.py) -----------------------------------------------------


def record_key(conn: Connection, case_id: int, version: int, at: datetime) -> None:
    """Inside a write's transaction: record the running write's key (if it has one) with the case
    and the version the write produces. A second attempt racing with the same key fails here
    (the key is unique) or before (the version moved) and then finds this row."""
    key = idempotency.recording_key()
    if key is not None:
        conn.execute(
            insert(WriteKey.__table__).values(
                key=key, case_id=case_id, version=version, at=_utc(at)
            )
        )


def applied_key(conn: Connection, key: str):
    """The recorded (case_id, version) of ``key``; None when no write with it was applied."""
    return conn.execute(select(WK.case_id, WK.version).where(WK.key == key)).one_or_none()
