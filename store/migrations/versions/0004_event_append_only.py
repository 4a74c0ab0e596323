"""PostgreSQL: the audit log (table ``event``) is append-only.

A BEFORE UPDATE OR DELETE trigger refuses every change to an existing event with a Dutch message
(SQLSTATE 42501, insufficient_privilege). Inserting events is unaffected.

The one exception is the retention purge (``hvo archive purge``, and the beheerder's "vernietigen"
of a case, both via ``CaseWrites._destroy``). Event details hold no personal data of the persons on
a case by design, but a few keys carry free text that a user typed (``reden`` of closing,
``appeal_outcome``, a document's ``auteur``) and may name people. When a case is destroyed after
its retention term, those values are replaced by a marker. To do that, the purge sets the
transaction-local setting ``hvo.retention = 'on'`` (``set_config('hvo.retention', 'on', true)``)
and the trigger then allows an UPDATE that changes only ``details`` and ``hash`` of an event that
belongs to a case: id, case, account, actor, action, moment and ``prev_hash`` must stay as they
were. DELETE is always refused. The purge records every rewritten event (id, hash before, hash
after) in the chained ``destroy`` event, so ``hvo audit verify`` accepts exactly those rewrites
and still detects any other change (see store/audit.py).

The trigger is a safeguard against mistakes and naive tampering, not a security boundary: a role
that may run arbitrary SQL can set the same setting, and a superuser can disable triggers
(``session_replication_role = replica``). The hash chain is what detects such changes. TRUNCATE
is not refused: ``hvo demo --reset`` wipes a whole database with it; withhold the TRUNCATE
privilege from the application's role on a production database.

SQLite has no such trigger: there ``hvo audit verify`` is the only check.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FUNCTION = """
CREATE OR REPLACE FUNCTION hvo_event_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND coalesce(current_setting('hvo.retention', true), '') = 'on'
       AND OLD.case_id IS NOT NULL
       AND NEW.id = OLD.id
       AND NEW.case_id IS NOT DISTINCT FROM OLD.case_id
       AND NEW.account_id IS NOT DISTINCT FROM OLD.account_id
       AND NEW.actor_name = OLD.actor_name
       AND NEW.action = OLD.action
       AND NEW.at = OLD.at
       AND NEW.prev_hash IS NOT DISTINCT FROM OLD.prev_hash THEN
        RETURN NEW;  -- the retention purge rewrites free text out of the details
    END IF;
    RAISE EXCEPTION 'het auditlog is alleen aan te vullen: % van gebeurtenis % geweigerd',
        TG_OP, OLD.id
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'gebeurtenissen in de tabel event kunnen niet worden gewijzigd of verwijderd';
END
$$;
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(FUNCTION)
    op.execute(
        "CREATE TRIGGER hvo_event_append_only BEFORE UPDATE OR DELETE ON event "
        "FOR EACH ROW EXECUTE FUNCTION hvo_event_append_only()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS hvo_event_append_only ON event")
    op.execute("DROP FUNCTION IF EXISTS hvo_event_append_only()")
