"""The bestuurder's signing keys: made, re-sealed and retired with the account's password.

Called by store/accounts.py inside its transactions (``set_password``, ``reset_login``) and by
store/signing.py (a first signature makes the key). Below both, so each imports it at the top.
See store/signing.py for how keys are sealed and what a signature holds.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from hvo_tui.domain import signing as sig
from hvo_tui.domain.permissions import Permission, allowed

from .chain import append_event
from .models import Account, AccountRole, SigningKey

A = Account.__table__.c
AR = AccountRole.__table__.c
KT = SigningKey.__table__
K = KT.c


def active_key(conn: Connection, account_id: int):
    return conn.execute(
        select(K.id, K.public_key, K.sealed_private_key)
        .where(K.account_id == account_id, K.retired_at.is_(None))
        .order_by(K.id.desc())
        .limit(1)
    ).one_or_none()


def key_event(
    conn: Connection, account_id: int, action: str, at: datetime, details: dict[str, Any]
) -> None:
    name = conn.execute(select(A.full_name).where(A.id == account_id)).scalar() or "?"
    append_event(
        conn,
        case_id=None,
        account_id=account_id,
        actor_name=name,
        action=action,
        at=at,
        details={"account_id": account_id, **details},
    )


def insert_key(
    conn: Connection, account_id: int, public_key: str, sealed: str, now: datetime
) -> int:
    key_id = conn.execute(
        insert(KT).values(
            account_id=account_id,
            algorithm=sig.ALGORITHM,
            public_key=public_key,
            sealed_private_key=sealed,
            created_at=now,
        )
    ).inserted_primary_key[0]
    key_event(
        conn,
        account_id,
        "signing_key_created",
        now,
        {"sleutel_id": key_id, "vingerafdruk": sig.fingerprint(public_key)},
    )
    return key_id


def retire_signing_keys(conn: Connection, account_id: int, now: datetime, reason: str) -> int:
    """Retire every active key of the account: the sealed private key is erased, the public key
    stays for verifying. Returns how many keys were retired."""
    keys = conn.execute(
        select(K.id, K.public_key).where(K.account_id == account_id, K.retired_at.is_(None))
    ).all()
    for key in keys:
        conn.execute(
            update(KT)
            .where(K.id == key.id)
            .values(retired_at=now, retired_reason=reason[:200], sealed_private_key=None)
        )
        key_event(
            conn,
            account_id,
            "signing_key_retired",
            now,
            {
                "sleutel_id": key.id,
                "vingerafdruk": sig.fingerprint(key.public_key),
                "reden": reason,
            },
        )
    return len(keys)


def may_sign(conn: Connection, account_id: int) -> bool:
    roles = conn.execute(select(AR.role).where(AR.account_id == account_id)).scalars().all()
    return allowed(roles, Permission.SIGN_DECISION)


def rekey_after_password_change(
    conn: Connection, account_id: int, *, old_password: str | None, new_password: str, now: datetime
) -> None:
    """Inside ``set_password``'s transaction: re-seal the active key under the new password, or,
    when the old one cannot open it (a login code was used after a reset), retire it; a bestuurder
    without a usable key gets a new key pair sealed under the new password."""
    key = active_key(conn, account_id)
    if key is not None and key.sealed_private_key and old_password is not None:
        try:
            resealed = sig.reseal(
                key.sealed_private_key, key.public_key, old_password, new_password
            )
        except sig.WrongPassword:
            pass
        else:
            conn.execute(update(KT).where(K.id == key.id).values(sealed_private_key=resealed))
            return
    if key is not None:
        retire_signing_keys(
            conn, account_id, now, "nieuw wachtwoord; de oude sleutel is niet meer te openen"
        )
    if may_sign(conn, account_id):
        public_key, sealed = sig.new_key(new_password)
        insert_key(conn, account_id, public_key, sealed, now)


__all__ = [
    "active_key",
    "insert_key",
    "key_event",
    "may_sign",
    "rekey_after_password_change",
    "retire_signing_keys",
]
