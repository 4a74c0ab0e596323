"""PostgreSQL: NOTIFY on every write to a case or its parts (the live queue's change feed).

Each row change sends ``pg_notify('hvo_changes', '<schema>:<case id>:<transaction id>')``. The
transaction id keeps payloads of different transactions distinct (PostgreSQL folds identical
payloads within one transaction, which is what we want for one case). SQLite has no NOTIFY: there
the app watches ``PRAGMA data_version`` instead, so this revision does nothing on SQLite.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHILD_TABLES = ("document", "case_partner", "case_person", "meeting", "note")

FUNCTION = """
CREATE OR REPLACE FUNCTION hvo_notify_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    cid bigint;
BEGIN
    IF TG_TABLE_NAME = 'hvo_case' THEN
        IF TG_OP = 'DELETE' THEN cid := OLD.id; ELSE cid := NEW.id; END IF;
    ELSE
        IF TG_OP = 'DELETE' THEN cid := OLD.case_id; ELSE cid := NEW.case_id; END IF;
    END IF;
    PERFORM pg_notify('hvo_changes', TG_TABLE_SCHEMA || ':' || cid || ':' || txid_current());
    RETURN NULL;
END
$$;
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(FUNCTION)
    for table in ("hvo_case", *CHILD_TABLES):
        op.execute(
            f"CREATE TRIGGER hvo_notify_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION hvo_notify_change()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in ("hvo_case", *CHILD_TABLES):
        op.execute(f"DROP TRIGGER IF EXISTS hvo_notify_{table} ON {table}")
    op.execute("DROP FUNCTION IF EXISTS hvo_notify_change()")
