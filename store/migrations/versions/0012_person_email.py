"""A household member's e-mail address (issue 16: contact details for adults).

``case_person.email``: besides the phone, how an adult of the household (an achterblijver, a
huisgenoot) can be reached by the casemanager. Children get no contact details of their own
(hvo_tui/domain/household.py). Existing persons keep NULL. Removed with the person when the case
is destroyed after its retention term.

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("case_person", sa.Column("email", sa.String(200), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+): a batch rebuild would drop a table others point at.
    op.execute("ALTER TABLE case_person DROP COLUMN email")
