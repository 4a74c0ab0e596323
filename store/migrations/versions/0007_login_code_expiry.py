"""One-time login codes expire; a TOTP code is accepted once (issue 6, hardening).

``account.login_code_expires_at``: a login code handed out by the beheerder (new account, reset)
works until this moment; codes already handed out when this migration runs get the same term
from now. ``account.totp_last_step``: the 30-second time step of the last accepted TOTP code, so
the same code (or an older one) cannot be replayed within its window.

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CODE_DAYS = 7  # hvo_tui.domain.permissions.LOGIN_CODE_DAYS when this migration was written


def upgrade() -> None:
    op.add_column(
        "account", sa.Column("login_code_expires_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("account", sa.Column("totp_last_step", sa.BigInteger(), nullable=True))
    account = sa.table(
        "account",
        sa.column("login_code_hash", sa.String),
        sa.column("login_code_expires_at", sa.DateTime(timezone=True)),
    )
    until = datetime.now(UTC) + timedelta(days=CODE_DAYS)
    if op.get_context().dialect.name == "sqlite":  # as store.types.UTCDateTime writes it
        until = until.replace(tzinfo=None)
    op.execute(
        account.update()
        .where(account.c.login_code_hash.is_not(None))
        .values(login_code_expires_at=until)
    )


def downgrade() -> None:
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): a batch rebuild of ``account`` would drop
    # a table that other tables' foreign keys point at.
    op.execute("ALTER TABLE account DROP COLUMN totp_last_step")
    op.execute("ALTER TABLE account DROP COLUMN login_code_expires_at")
