"""Idempotency keys of applied writes (issue 9): ``write_key``.

A form sends a key with its save (``store.write_key``); the write records it in its own
transaction together with the case and the version it produced. When the answer is lost (the
connection dropped after the server committed) and the form saves again with the same key, the
store finds the key and answers with the recorded result instead of writing a second time. The
key is unique: of two attempts racing with one key, only one can record it.

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "write_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["hvo_case.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_index("ix_write_key_case_id", "write_key", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_write_key_case_id", table_name="write_key")
    op.drop_table("write_key")
