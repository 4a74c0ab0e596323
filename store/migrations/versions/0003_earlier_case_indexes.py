"""Indexes for finding earlier cases of the same person or address.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_hvo_case_address", "hvo_case", ["postcode", "house_number"])
    op.create_index("ix_case_person_birth_date", "case_person", ["birth_date"])


def downgrade() -> None:
    op.drop_index("ix_case_person_birth_date", table_name="case_person")
    op.drop_index("ix_hvo_case_address", table_name="hvo_case")
