"""The banned person's reachable address itself, not only the moment it was given (issue 16).

``hvo_case.reachable_address``: the address where the uithuisgeplaatste can be reached (Wth art. 2
lid 6). Until now hvo kept only ``reachable_address_at``; the address lived on paper. A new
address replaces the old one; the case's events keep the history (before and after). Existing
cases keep NULL: their address was never recorded here.

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("hvo_case", sa.Column("reachable_address", sa.String(300), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+): a batch rebuild would drop a table others point at.
    op.execute("ALTER TABLE hvo_case DROP COLUMN reachable_address")
