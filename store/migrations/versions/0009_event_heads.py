"""The audit log's chains get heads, and the events without a case get a chain (issue 9).

``event_head``: one row per hash chain of the audit log, telling where it ends (the last event's id
and hash) and how many events it holds, updated in the transaction of every append. Each case is a
chain (``chain_key`` = the case id); the events without a case (logins, failed logins, password
changes, account administration, signing keys) are one chain too, the account log
(``chain_key`` 0). Without a head, deleting the last events of a chain left a shorter chain that
still verified.

Upgrading backfills the heads from the events that exist and hashes the events without a case in
id order (until now they had no hash), exactly as ``store.case_writes.event_hash`` does; the hash
function is frozen here as it was at this revision. On PostgreSQL the append-only trigger (0004)
refuses that UPDATE, so it is switched off and on again inside this migration's transaction
(ALTER TABLE is transactional: if the upgrade fails, the trigger stays on). Downgrading drops the
heads and leaves the hashes on the events without a case: older versions ignore them.

Revision ID: 0009
Revises: 0008
"""

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACCOUNT_CHAIN = 0  # store.case_writes.ACCOUNT_CHAIN


def _event_hash(row, prev_hash: str | None) -> str:
    """store.case_writes.event_hash as of this revision."""
    at = row.at if row.at.tzinfo is not None else row.at.replace(tzinfo=UTC)
    u = at.astimezone(UTC)
    at = datetime(u.year, u.month, u.day, u.hour, u.minute, u.second, u.microsecond, tzinfo=UTC)
    payload = {
        "case_id": row.case_id,
        "account_id": row.account_id,
        "actor_name": row.actor_name,
        "action": row.action,
        "at": at.isoformat(),
        "details": row.details,
        "prev_hash": prev_hash,
    }
    blob = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def upgrade() -> None:
    op.create_table(
        "event_head",
        sa.Column("chain_key", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_event_id", sa.Integer(), nullable=True),
        sa.Column("last_hash", sa.String(length=64), nullable=True),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("chain_key"),
    )
    bind = op.get_bind()
    event = sa.table(
        "event",
        sa.column("id", sa.Integer),
        sa.column("case_id", sa.Integer),
        sa.column("account_id", sa.Integer),
        sa.column("actor_name", sa.String),
        sa.column("action", sa.String),
        sa.column("at", sa.DateTime(timezone=True)),
        sa.column("details", sa.JSON),
        sa.column("prev_hash", sa.String),
        sa.column("hash", sa.String),
    )
    head = sa.table(
        "event_head",
        sa.column("chain_key", sa.Integer),
        sa.column("last_event_id", sa.Integer),
        sa.column("last_hash", sa.String),
        sa.column("event_count", sa.Integer),
    )
    e = event.c

    # The case chains' heads: the last event of each case, its hash and the count.
    op.execute(
        head.insert().from_select(
            ["chain_key", "last_event_id", "event_count"],
            sa.select(e.case_id, sa.func.max(e.id), sa.func.count())
            .where(e.case_id.is_not(None))
            .group_by(e.case_id),
        )
    )
    last = sa.select(e.hash).where(e.id == head.c.last_event_id).scalar_subquery()
    op.execute(head.update().where(head.c.chain_key != ACCOUNT_CHAIN).values(last_hash=last))

    # The account log: chain the events without a case in id order.
    rows = bind.execute(
        sa.select(
            e.id,
            e.case_id,
            e.account_id,
            e.actor_name,
            e.action,
            e.at,
            e.details,
            e.prev_hash,
            e.hash,
        )
        .where(e.case_id.is_(None))
        .order_by(e.id)
    ).all()
    changes, prev, last_id = [], None, None
    for row in rows:
        digest = _event_hash(row, prev)
        if (row.prev_hash, row.hash) != (prev, digest):
            changes.append({"event_id": row.id, "prev_hash": prev, "hash": digest})
        prev, last_id = digest, row.id
    if changes:
        postgres = bind.dialect.name == "postgresql"
        if postgres:  # the append-only trigger (0004) would refuse these UPDATEs
            op.execute("ALTER TABLE event DISABLE TRIGGER hvo_event_append_only")
        bind.execute(
            event.update()
            .where(e.id == sa.bindparam("event_id"))
            .values(prev_hash=sa.bindparam("prev_hash"), hash=sa.bindparam("hash")),
            changes,
        )
        if postgres:
            op.execute("ALTER TABLE event ENABLE TRIGGER hvo_event_append_only")
    op.execute(
        head.insert().values(
            chain_key=ACCOUNT_CHAIN, last_event_id=last_id, last_hash=prev, event_count=len(rows)
        )
    )


def downgrade() -> None:
    op.drop_table("event_head")
