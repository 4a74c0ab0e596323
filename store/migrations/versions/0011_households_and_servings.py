"""One ban per banned person, linked as one household; the serving of decisions (issue 16).

``hvo_case.household_id``: when more than one person is banned from the same home, each gets a
case of their own (own T0, end, extension, appeal, documents); the cases share this key, the id of
the first of them. Existing cases keep NULL (they stand alone).

``decision_serving``: a decision document handed to someone: served to the banned person
(uitgereikt), announced orally (Wth art. 2 lid 7, with ``written_at`` once put in writing), or a
copy (afschrift) sent to a party. Removed with its document (on delete cascade), like signatures.

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("hvo_case", sa.Column("household_id", sa.Integer(), nullable=True))
    op.create_index("ix_hvo_case_household_id", "hvo_case", ["household_id"])
    op.create_table(
        "decision_serving",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=40), nullable=False),
        sa.Column("manner", sa.String(length=20), nullable=False),
        sa.Column("served_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("served_by_name", sa.String(length=200), nullable=False),
        sa.Column("served_by_account_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["case_id"], ["hvo_case.id"]),
        sa.ForeignKeyConstraint(["served_by_account_id"], ["account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_decision_serving_document_id", "decision_serving", ["document_id"])
    op.create_index("ix_decision_serving_case_id", "decision_serving", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_decision_serving_case_id", table_name="decision_serving")
    op.drop_index("ix_decision_serving_document_id", table_name="decision_serving")
    op.drop_table("decision_serving")
    op.drop_index("ix_hvo_case_household_id", table_name="hvo_case")
    # Plain DROP COLUMN (SQLite 3.35+): a batch rebuild would drop a table others point at.
    op.execute("ALTER TABLE hvo_case DROP COLUMN household_id")
