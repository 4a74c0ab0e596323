"""Sessions of the HTTP API in the database (issue 7): ``api_session``.

``hvo serve`` kept its bearer tokens in memory: one process only, and a restart logged everyone
out. A row per token (its SHA-256, never the token) lets several server processes share the
sessions and lets them outlive a restart; logout, deactivation and a login reset set
``revoked_at``.

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("must_change_password", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_api_session_account_id", "api_session", ["account_id"])


def downgrade() -> None:
    op.drop_index("ix_api_session_account_id", table_name="api_session")
    op.drop_table("api_session")
