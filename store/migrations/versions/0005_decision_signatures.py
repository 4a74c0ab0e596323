"""Digital signatures under the mayor's decisions (issue 10): signing keys and signatures.

``signing_key``: a bestuurder's Ed25519 key pair, the private key only sealed under a key derived
from the account's password (``sealed_private_key``; emptied when the key is retired, the public
key stays so old signatures remain verifiable). ``decision_signature``: the canonical JSON that
was signed and the signature, one row per signed decision document (removed with the document,
on delete cascade, when a case is destroyed after its retention term).

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "signing_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("algorithm", sa.String(length=20), nullable=False),
        sa.Column("public_key", sa.String(length=100), nullable=False),
        sa.Column("sealed_private_key", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("retired_reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_signing_key_account_id", "signing_key", ["account_id"])
    op.create_table(
        "decision_signature",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("signing_key_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("signer_name", sa.String(length=200), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("signature", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["case_id"], ["hvo_case.id"]),
        sa.ForeignKeyConstraint(["signing_key_id"], ["signing_key.id"]),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_decision_signature_document_id", "decision_signature", ["document_id"])
    op.create_index("ix_decision_signature_case_id", "decision_signature", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_decision_signature_case_id", table_name="decision_signature")
    op.drop_index("ix_decision_signature_document_id", table_name="decision_signature")
    op.drop_table("decision_signature")
    op.drop_index("ix_signing_key_account_id", table_name="signing_key")
    op.drop_table("signing_key")
