"""The HTTP API's sessions in the database (table ``api_session``, see store/models.py).

``hvo serve`` keeps a copy of each session it has seen in memory and comes here when it meets a
token it does not know (another server process issued it, or this one restarted) and every few
seconds to learn whether a session was revoked elsewhere. Only the token's SHA-256 is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.engine import Connection, Engine

from .models import Account, ApiSession, Organisation

S = ApiSession.__table__.c
A = Account.__table__.c
O = Organisation.__table__.c  # noqa: E741

KEEP_ENDED = timedelta(days=1)  # ended sessions are removed a day after they ended


@dataclass(frozen=True, slots=True)
class StoredSession:
    token_hash: str
    account_id: int
    username: str
    expires_at: datetime
    must_change_password: bool
    organisation_id: int
    organisation: str


def insert_session(
    engine: Engine,
    token_hash: str,
    account_id: int,
    *,
    issued_at: datetime,
    expires_at: datetime,
    must_change_password: bool,
) -> None:
    with engine.begin() as conn:
        conn.execute(
            delete(ApiSession.__table__).where(
                or_(S.expires_at < issued_at - KEEP_ENDED, S.revoked_at < issued_at - KEEP_ENDED)
            )
        )
        conn.execute(
            insert(ApiSession.__table__).values(
                token_hash=token_hash,
                account_id=account_id,
                issued_at=issued_at,
                expires_at=expires_at,
                must_change_password=must_change_password,
            )
        )


def find_session(engine: Engine, token_hash: str, now: datetime) -> StoredSession | None:
    """The live session with this hash (not revoked, not expired, its account active)."""
    with engine.connect() as conn:
        row = conn.execute(
            select(
                S.token_hash,
                S.account_id,
                A.username,
                S.expires_at,
                S.must_change_password,
                A.organisation_id,
                O.name.label("organisation"),
            )
            .join(Account.__table__, A.id == S.account_id)
            .join(Organisation.__table__, O.id == A.organisation_id)
            .where(
                S.token_hash == token_hash,
                S.revoked_at.is_(None),
                S.expires_at > now,
                A.active.is_(True),
            )
        ).first()
    return None if row is None else StoredSession(**row._asdict())


def session_live(engine: Engine, token_hash: str, now: datetime) -> bool:
    with engine.connect() as conn:
        return (
            conn.execute(
                select(S.id).where(
                    S.token_hash == token_hash, S.revoked_at.is_(None), S.expires_at > now
                )
            ).first()
            is not None
        )


def revoke_session(engine: Engine, token_hash: str, now: datetime) -> bool:
    with engine.begin() as conn:
        return (
            conn.execute(
                update(ApiSession.__table__)
                .where(S.token_hash == token_hash, S.revoked_at.is_(None))
                .values(revoked_at=now)
            ).rowcount
            > 0
        )


def revoke_account_sessions(engine: Engine, account_id: int, now: datetime) -> int:
    with engine.begin() as conn:
        return end_sessions(conn, account_id, now)


def end_sessions(conn: Connection, account_id: int, now: datetime, keep: str | None = None) -> int:
    """End every live session of the account but ``keep`` (a token hash: the session that
    changed its own password stays), in the caller's transaction: a password change, a login
    reset or a deactivation ends them together with the change, for every server process (each
    rechecks its sessions within seconds: ``hvo_tui.api.sessions``)."""
    query = update(ApiSession.__table__).where(S.account_id == account_id, S.revoked_at.is_(None))
    if keep is not None:
        query = query.where(S.token_hash != keep)
    return conn.execute(query.values(revoked_at=now)).rowcount


def password_set(engine: Engine, token_hash: str) -> None:
    """The session's account chose its password: the session may do everything now."""
    with engine.begin() as conn:
        conn.execute(
            update(ApiSession.__table__)
            .where(S.token_hash == token_hash)
            .values(must_change_password=False)
        )


__all__ = [
    "StoredSession",
    "find_session",
    "insert_session",
    "password_set",
    "revoke_account_sessions",
    "revoke_session",
    "session_live",
]
