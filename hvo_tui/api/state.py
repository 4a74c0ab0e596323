"""What every request of one API application shares: the engine, the sessions, the clock, the
change feed and the cache of encoded queue rows.

Every request runs as its token's account, never as anything the client claims: ``store()`` gives
each request a fresh ``SqlStore`` with that account's scope and masking (so one user's scope can
never leak into another's concurrent request), and the store's permission matrix judges every
write. The account, its roles and its scope are reread from the database at most every
``recheck_seconds`` (a deactivated account loses its sessions at the next check).
"""

from __future__ import annotations

import dataclasses
import threading
import time

from hvo_tui.domain.permissions import Permission, allowed
from store.sql import SqlStore

from .broadcaster import Broadcaster
from .errors import SESSION_REQUIRED, SessionInvalid
from .sessions import DEFAULT_TOKEN_HOURS, RECHECK_SECONDS, Session, Sessions


class RowCache:
    """Encoded queue rows by (case id, masked?), valid for the case's version and at most ``ttl``
    seconds. Every case write bumps the version, so a changed case is never served from here;
    what a version does not cover (a partner's new phone number, changed outside this server)
    lasts at most ``ttl``; account changes through this server clear the cache. A queue read
    then costs one query for the visible cases' ids and versions plus the rows that changed."""

    def __init__(self, *, ttl: float = 30.0, size: int = 100_000) -> None:
        self.ttl = ttl
        self.size = size
        self._entries: dict[tuple[int, bool], tuple[int, float, bytes]] = {}
        self._lock = threading.Lock()

    def lookup(
        self, pairs: list[tuple[int, int]], masked: bool
    ) -> tuple[dict[int, bytes], list[int]]:
        found: dict[int, bytes] = {}
        missing: list[int] = []
        oldest = time.monotonic() - self.ttl
        with self._lock:
            for case_id, version in pairs:
                entry = self._entries.get((case_id, masked))
                if entry is not None and entry[0] == version and entry[1] >= oldest:
                    found[case_id] = entry[2]
                else:
                    missing.append(case_id)
        return found, missing

    def put(self, case_id: int, masked: bool, version: int, body: bytes) -> None:
        with self._lock:
            if len(self._entries) >= self.size:
                self._entries.clear()
            self._entries[(case_id, masked)] = (version, time.monotonic(), body)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class ApiState:
    """What the endpoints share: the engine, the sessions, the clock and the change feed."""

    def __init__(
        self,
        engine,
        *,
        clock=None,
        token_hours: float = DEFAULT_TOKEN_HOURS,
        recheck_seconds: float = RECHECK_SECONDS,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.sessions = Sessions(engine, token_hours, recheck_seconds)
        self.broadcaster = Broadcaster(engine)
        self.rows = RowCache()
        self.closing = False

    def store(self, session: Session | None = None) -> SqlStore:
        """A store for one request: its own scope and masking, never shared between requests."""
        store = SqlStore(self.engine)
        store.clock = self.clock
        if session is not None:
            store.scope = session.scope
            store.mask_persons = session.mask
        return store

    def refresh(self, session: Session) -> None:
        """Reread the session (revoked by another process?) and the account behind it (active?
        roles, regions, scope)."""
        if not self.sessions.live(session):
            raise SessionInvalid(SESSION_REQUIRED)
        store = self.store()
        actor = store.actor_for(session.logged_in.username or "")
        if actor is None or actor.account_id != session.account_id:
            self.sessions.revoke_account(session.account_id)
            raise SessionInvalid("dit account is niet (meer) actief")
        session.scope = store.account_scope(session.account_id)
        session.mask = not allowed(actor.roles, Permission.VIEW_PERSON_DATA)
        session.logged_in = dataclasses.replace(
            session.logged_in, name=actor.name, roles=actor.roles, regions=actor.regions
        )
        session.checked = time.monotonic()
