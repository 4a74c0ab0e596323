"""The API's bearer tokens: sessions kept in the database (table ``api_session``, through
``store.api_sessions``), so every ``hvo serve`` process knows every session and a restart logs
nobody out; each process keeps a copy in memory of the sessions it has seen.

Only the token's SHA-256 is stored. A session expires after ``token_hours`` and is revoked at
``POST /logout``, when its account is deactivated or its login reset through the API; a
revocation made by another process is noticed within ``recheck_seconds``. A session opened with a
one-time login code may only set its password (and log out) until it has.
"""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from hvo_tui.domain.permissions import Scope
from store import api_sessions
from store.accounts import LoggedIn
from store.database import guarded

DEFAULT_TOKEN_HOURS = 8.0
RECHECK_SECONDS = 5.0


@dataclasses.dataclass
class Session:
    key: str  # SHA-256 of the token: the token itself is not kept
    account_id: int
    expires_at: datetime
    logged_in: LoggedIn
    scope: Scope | None = None
    mask: bool = True
    checked: float = 0.0  # time.monotonic() of the last reread of the account
    live_checked: float = dataclasses.field(
        default_factory=time.monotonic
    )  # ... of the session row

    @property
    def must_change_password(self) -> bool:
        return self.logged_in.must_change_password


def _key(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class Sessions:
    """Bearer tokens, kept in the database (store/api_sessions.py: every server process knows
    every session, and a restart logs nobody out) with a copy in memory of the sessions this
    process has seen. A revocation made by another process is noticed here within
    ``recheck_seconds``. ``now`` (wall clock, UTC) is replaceable for tests."""

    def __init__(
        self, engine, hours: float = DEFAULT_TOKEN_HOURS, recheck_seconds: float = RECHECK_SECONDS
    ):
        self.engine = engine
        self.lifetime = timedelta(hours=hours)
        self.recheck_seconds = recheck_seconds
        self.now: Callable[[], datetime] = lambda: datetime.now(UTC)
        self._by_key: dict[str, Session] = {}
        self._lock = threading.Lock()
        self._guard = guarded  # database failures become ConnectionLost (503)

    def issue(self, logged_in: LoggedIn) -> tuple[str, Session]:
        token = secrets.token_urlsafe(32)
        now = self.now()
        session = Session(
            key=_key(token),
            account_id=logged_in.account_id,
            expires_at=now + self.lifetime,
            logged_in=logged_in,
        )
        self._guard(
            lambda: api_sessions.insert_session(
                self.engine,
                session.key,
                session.account_id,
                issued_at=now,
                expires_at=session.expires_at,
                must_change_password=logged_in.must_change_password,
            )
        )
        with self._lock:
            self._purge()
            self._by_key[session.key] = session
        return token, session

    def get(self, token: str | None) -> Session | None:
        """The session of ``token``; one this process has not seen yet comes from the database
        with ``checked`` 0, so the caller rereads its account (``ApiState.refresh``)."""
        if not token:
            return None
        key, now = _key(token), self.now()
        with self._lock:
            session = self._by_key.get(key)
            if session is not None and session.expires_at <= now:
                del self._by_key[key]
                return None
        if session is not None:
            return session
        stored = self._guard(lambda: api_sessions.find_session(self.engine, key, now))
        if stored is None:
            return None
        logged_in = LoggedIn(
            name=stored.username,
            account_id=stored.account_id,
            username=stored.username,
            must_change_password=stored.must_change_password,
            organisation_id=stored.organisation_id,
            organisation=stored.organisation,
        )
        session = Session(
            key=key,
            account_id=stored.account_id,
            expires_at=stored.expires_at,
            logged_in=logged_in,
            live_checked=time.monotonic(),
        )
        with self._lock:
            self._by_key[key] = session
        return session

    def live(self, session: Session) -> bool:
        """Not revoked by any process (asks the database at most every ``recheck_seconds``)."""
        if time.monotonic() - session.live_checked <= self.recheck_seconds:
            return True
        if self._guard(lambda: api_sessions.session_live(self.engine, session.key, self.now())):
            session.live_checked = time.monotonic()
            return True
        self._forget(lambda s: s.key == session.key)
        return False

    def still_valid(self, token: str) -> bool:
        session = self.get(token)
        return session is not None and self.live(session)

    def revoke(self, token: str) -> bool:
        key = _key(token)
        self._guard(lambda: api_sessions.revoke_session(self.engine, key, self.now()))
        return self._forget(lambda s: s.key == key) > 0

    def revoke_account(self, account_id: int) -> int:
        self._guard(
            lambda: api_sessions.revoke_account_sessions(self.engine, account_id, self.now())
        )
        return self._forget(lambda s: s.account_id == account_id)

    def forget_others(self, session: Session) -> int:
        """This process forgets the account's other sessions (the store ended them)."""
        return self._forget(lambda s: s.account_id == session.account_id and s.key != session.key)

    def password_set(self, session: Session) -> None:
        self._guard(lambda: api_sessions.password_set(self.engine, session.key))
        session.logged_in = dataclasses.replace(session.logged_in, must_change_password=False)

    def stale(self, account_id: int) -> None:
        """The account changed: recheck its sessions at their next request."""
        with self._lock:
            for session in self._by_key.values():
                if session.account_id == account_id:
                    session.checked = 0.0

    def __len__(self) -> int:
        with self._lock:
            return len(self._by_key)

    def _forget(self, which: Callable[[Session], bool]) -> int:
        with self._lock:
            gone = [k for k, s in self._by_key.items() if which(s)]
            for key in gone:
                del self._by_key[key]
        return len(gone)

    def _purge(self) -> None:
        now = self.now()
        for key in [k for k, s in self._by_key.items() if s.expires_at <= now]:
            del self._by_key[key]
