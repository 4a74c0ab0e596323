"""The steps every case write shares, whichever repository writes (case writes, signing).

Every write follows the same pattern, in ONE transaction:

1. ``UPDATE hvo_case SET version = version + 1 ... WHERE id = :id AND version = :expected`` and,
   in the same transaction, the check that the case lies in the actor's scope
   (``CaseWriter._bump``): a case outside it is not there for this actor (``NotFound``, the same
   answer as the API's 404); no row updated means someone else changed it (``Conflict`` with the
   current version). Either way nothing is written. On PostgreSQL the UPDATE also takes the row
   lock that serialises writers of one case; SQLite serialises all writers.
2. the change itself (refusals raise ``Refused`` and roll everything back);
3. one ``event`` row, hash-chained to the previous event of the same case (store/chain.py).

The scope is checked here, in the store, so every door (the TUI on the database, the API, the
shell) gets the same answer: the scope of the actor's account (``scope.account_scope``) and, when
the store itself reads for an account (``SqlStore.act_as``, an API session), the store's scope as
well; a write never reaches further than either.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement

from hvo_tui.domain.permissions import Permission, allowed
from hvo_tui.domain.vocab import CaseStatus, Role

from . import idempotency
from .chain import append_event, applied_key, record_key
from .database import Repository
from .interface import Actor, Conflict, NotFound, Refused
from .models import Case, Municipality
from .scope import account_scope, case_scope_clause

CT = Case.__table__
C = CT.c
M = Municipality.__table__.c

CONFLICT_MESSAGE = "iemand anders heeft deze zaak intussen gewijzigd"
NOT_FOUND_MESSAGE = "zaak bestaat niet"
_CLOSED = (CaseStatus.CLOSED.value, CaseStatus.ARCHIVED.value)


def read_only(actor: Actor) -> bool:
    """Support staff only read (domain.md); an actor without roles is not judged here."""
    return bool(actor.roles) and set(actor.roles) <= {Role.SUPPORT.value}


class CaseWriter(Repository):
    """Base of the repositories that write to a case: the version claim with the scope check,
    the permission check, the event, and the write key (store/idempotency.py)."""

    # --- scope ------------------------------------------------------------------------------------

    def _scope_clauses(self, conn: Connection, actor: Actor) -> list[ColumnElement[bool]]:
        """WHERE clauses on ``hvo_case`` for the cases ``actor`` may write to: its account's scope
        (an actor without an account, the shell's or a test's, has none of its own) and the
        store's scope when the store reads for an account."""
        clauses = []
        if actor.account_id is not None:
            clauses.append(case_scope_clause(account_scope(conn, actor.account_id)))
        if self.scope is not None:
            clauses.append(case_scope_clause(self.scope))
        return clauses

    def _check_in_scope(self, case_id: int, actor: Actor) -> None:
        """``NotFound`` when the case does not exist or lies outside the actor's scope; checked
        before a write validates its input, so an outsider learns nothing from the refusals.
        ``_bump`` checks again, in the write's own transaction."""
        with self.engine.connect() as conn:
            found = conn.execute(
                select(C.id).where(C.id == case_id, *self._scope_clauses(conn, actor))
            ).scalar()
        if found is None:
            raise NotFound(NOT_FOUND_MESSAGE)

    # --- shared steps of every write -------------------------------------------------------------

    def _bump(self, conn: Connection, case_id: int, expected: int, now: datetime, actor: Actor):
        """Step 1 of every write: claim the case at ``expected`` if it lies in the actor's scope
        and bump its version, and record the write's idempotency key (if it has one, see
        ``_keyed``) in the same transaction. Returns the case's basics (after the bump).

        The UPDATE comes first (on SQLite it takes the write lock; a read before it could meet a
        newer snapshot), the scope check right after it: outside the scope ``NotFound`` rolls the
        bump back, so nothing is written."""
        result = conn.execute(
            update(CT)
            .where(C.id == case_id, C.version == expected)
            .values(version=C.version + 1, updated_at=now)
        )
        in_scope = self._scope_clauses(conn, actor)
        current = conn.execute(select(C.version).where(C.id == case_id, *in_scope)).scalar()
        if current is None:
            raise NotFound(NOT_FOUND_MESSAGE)
        if result.rowcount == 0:
            raise Conflict(CONFLICT_MESSAGE, current)
        record_key(conn, case_id, expected + 1, now)
        return conn.execute(
            select(
                C.id,
                C.number,
                C.status,
                C.version,
                C.opened_at,
                C.imposed_at,
                M.name.label("municipality"),
            )
            .join(Municipality.__table__, M.id == C.municipality_id)
            .where(C.id == case_id)
        ).one()

    @staticmethod
    def _writable(case) -> None:
        """Documents, partners, meetings and notes change only on a case that is still open."""
        status = CaseStatus(case.status)
        if status is CaseStatus.DESTROYED:
            raise Refused("Deze zaak is vernietigd en kan niet meer worden gewijzigd.")
        if status.value in _CLOSED:
            raise Refused(
                f"Deze zaak is {status.label}; alleen een functioneel beheerder kan haar heropenen."
            )

    @staticmethod
    def _check_actor(actor: Actor, *needed: Permission) -> None:
        """The permission matrix, enforced here (not only by hiding keys on screen)."""
        if read_only(actor):
            raise Refused("Met de rol support kunt u zaken inzien, niet wijzigen.")
        needed = needed or (Permission.EDIT_CASE,)
        if not any(allowed(actor.roles, p) for p in needed):
            raise Refused(f"Uw rol mag dit niet: {needed[0].label}.")

    @staticmethod
    def _event(
        conn: Connection,
        case_id: int,
        actor: Actor,
        action: str,
        at: datetime,
        details: dict[str, Any],
    ) -> int:
        return append_event(
            conn,
            case_id=case_id,
            account_id=actor.account_id,
            actor_name=actor.name,
            action=action,
            at=at,
            details=details,
        )

    # --- idempotency keys (store/idempotency.py) -------------------------------------------------

    @staticmethod
    def write_key(key: str | None):
        """``with store.write_key(key): store.add_note(...)``: the write inside happens at most
        once per key; repeated, it returns the recorded version without writing again."""
        return idempotency.write_key(key)

    def _applied(self, key: str):
        with self.engine.connect() as conn:
            return applied_key(conn, key)

    def _keyed(self, case_id: int, actor: Actor, fn, *args) -> int:
        """Run the case write ``fn(*args)`` (which calls ``_bump``) for ``actor`` under the
        pending write key. The key is looked up before anything else (a repeat must not meet the
        checks the first attempt's own write now fails: the version, a signed draft, the state
        machine); a new write then checks the actor's scope before it validates anything (outside
        it the case is not there for the actor); after a failure the key is looked up again,
        since a racing attempt with the same key may have won."""
        key = idempotency.take_write_key()
        done = None if key is None else self._guard(self._applied, key)
        if done is None:
            self._guard(self._check_in_scope, case_id, actor)
            if key is None:
                return self._guard(fn, *args)
            try:
                with idempotency.recording(key):
                    return self._guard(fn, *args)
            except (Conflict, Refused, NotFound, IntegrityError):
                done = self._guard(self._applied, key)
                if done is None:
                    raise
        if done.case_id != case_id:
            raise Refused("Deze opslagsleutel is al gebruikt voor een andere zaak.")
        return done.version
