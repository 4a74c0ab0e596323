"""Case writes: reading one case (logged) and every process-management action.

``CaseWrites`` is a repository over the store's ``Database``; it reads case rows through the
queue's repository (``CaseQueue.rows_where``). Every write follows the pattern of store/writes.py
(``CaseWriter``): in ONE transaction the version claim with the actor's scope (``_bump``), the
change, one hash-chained event (store/chain.py).

Event details are JSON: ``voor``/``na`` (before/after) of what changed, moments as ISO strings in
Europe/Amsterdam. They never hold personal data of the persons on the case (no note text, no form
fields, no names of uithuisgeplaatste or achterblijvers): events are kept when a case is destroyed
after its retention term, so only professionals' names and codes go in. The little free text that
does go in (a closing reason, the court's ruling, a document's author) is replaced by a marker when
the case is destroyed (``_destroy``, ``store.audit``).

The hash chain's functions live in store/chain.py and its checks in store/audit.py; the names
below (``append_event``, ``event_hash``, ``verify_chain`` ...) are imported here for the callers
that know them from this module.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.engine import Connection

from hvo_tui.domain import CaseAction, DomainError, ban_end, mask_person, transition
from hvo_tui.domain.facts import CaseFacts
from hvo_tui.domain.localtime import format_moment, format_short
from hvo_tui.domain.permissions import Permission
from hvo_tui.domain.retention import redact_details
from hvo_tui.domain.standard_forms import check_fields
from hvo_tui.domain.validation import normalise_phone, valid_email
from hvo_tui.domain.vocab import (
    CaseStatus,
    DocumentKind,
    DocumentStatus,
    PartnerRole,
    Role,
)

from .audit import broken_chains, redact_case_events, verify_chain
from .chain import (
    ACCOUNT_CHAIN,
    E,
    H,
    append_event,
    applied_key,
    chain_key,
    event_hash,
    jsonable,
    record_key,
)
from .database import Database, format_address, region_rules
from .earlier import earlier_pairs
from .household import mask_person_events
from .interface import (
    AccountChoice,
    Actor,
    CaseDetail,
    Conflict,
    DocumentRow,
    EarlierCase,
    EventRow,
    MeetingRow,
    NoteRow,
    NotFound,
    PersonRow,
    Refused,
)
from .models import (
    Account,
    AccountRegion,
    AccountRole,
    Case,
    CasePartner,
    CasePerson,
    DecisionServing,
    Document,
    Meeting,
    Municipality,
    Note,
    Organisation,
    Outbox,
    Region,
    metadata,
)
from .queue import CaseQueue
from .screening import impose_requests
from .servings import content_problems, servings_of
from .writes import CONFLICT_MESSAGE, NOT_FOUND_MESSAGE, CaseWriter

CT = Case.__table__
C = CT.c
M = Municipality.__table__.c
R = Region.__table__.c
A = Account.__table__.c
ORG = Organisation.__table__.c
D = Document.__table__.c
P = CasePerson.__table__.c
CP = CasePartner.__table__.c
MT = Meeting.__table__.c
N = Note.__table__.c
AR = AccountRole.__table__.c
AG = AccountRegion.__table__.c

# Which account roles can fill a partner role on a case.
PARTNER_ACCOUNT_ROLES: dict[str, frozenset[str]] = {
    PartnerRole.PROCESMANAGER.value: frozenset({Role.PROCESMANAGER.value}),
    PartnerRole.CASEMANAGER.value: frozenset({Role.CASEMANAGER.value}),
    PartnerRole.POLITIE.value: frozenset({Role.POLITIE.value, Role.HOVJ.value}),
    PartnerRole.HOVJ.value: frozenset({Role.HOVJ.value}),
    PartnerRole.GEMEENTE.value: frozenset({Role.BELEIDSMEDEWERKER.value}),
    PartnerRole.BESTUURDER.value: frozenset({Role.BESTUURDER.value}),
    PartnerRole.VEILIG_THUIS.value: frozenset({Role.VEILIG_THUIS.value}),
}
MEETING_KINDS = ("overleg_dag3", "mdo", "other")
NOTE_KINDS = ("note", "contact")
RECEIVE_STATUSES = (
    DocumentStatus.RECEIVED.value,
    DocumentStatus.SIGNED.value,
    DocumentStatus.DRAFT.value,
)
# How far ahead a due moment may lie: beyond this it is a typing error, not a plan.
MAX_DUE_AHEAD = timedelta(days=366)

# CaseFacts fields that are not hvo_case columns (or not written back by a life-cycle action).
_NOT_COLUMNS = frozenset({"number", "opened_at", "documents", "meetings", "persons", "address"})
_FACT_COLUMNS = tuple(f.name for f in dataclasses.fields(CaseFacts) if f.name not in _NOT_COLUMNS)
_ROLE_VALUES = frozenset(r.value for r in Role)


# --- small helpers ------------------------------------------------------------------------------


def _fmt(moment: datetime) -> str:
    return format_moment(moment)


def _aware(value: Any, field: str) -> datetime:
    if not isinstance(value, datetime):
        raise Refused("Vul een geldig moment in (dag en tijd).", field)
    if value.tzinfo is None or value.utcoffset() is None:
        raise Refused("Een moment zonder tijdzone is niet eenduidig.", field)
    return value


def _enum(enum_type: type[Enum], value: Any, field: str, unknown: str) -> str:
    try:
        return enum_type(value).value
    except ValueError:
        raise Refused(f"{unknown}: {value!r}.", field) from None


def _column_value(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


class CaseWrites(CaseWriter):
    """One case (logged) and the process-management writes; ``accounts_for_role`` for the
    assign form."""

    def __init__(self, db: Database, queue: CaseQueue) -> None:
        super().__init__(db)
        self.queue = queue

    # --- reading one case (logged) ---------------------------------------------------------------

    def case_detail(self, case_id: int, actor: Actor) -> CaseDetail:
        """One case with everything on it; opening it is logged (``case_opened``). A case outside
        the actor's scope is ``NotFound`` and nothing is logged. Person data as initials for who
        may not see them (``Database.mask_persons``)."""
        detail = self._guard(self._case_detail, case_id, actor)
        return _masked(detail) if self.mask_persons else detail

    def _lock_for_log(self, conn: Connection, case_id: int, actor: Actor) -> None:
        """Serialise the opening's event with the case's writers without bumping the version:
        a row lock on PostgreSQL, the database write lock on SQLite; then the actor's scope (a
        case outside it is not there: ``NotFound``, and the transaction writes nothing)."""
        if conn.dialect.name == "sqlite":
            # A write that changes nothing takes SQLite's write lock as the first statement of the
            # transaction (so the busy timeout applies); SQLite has no triggers to fire here.
            conn.execute(update(CT).where(C.id == case_id).values(version=C.version))
        else:
            # Not the no-op UPDATE: on PostgreSQL it would fire the change-notify trigger and make
            # every open queue reread this case. FOR UPDATE waits for, and blocks, its writers.
            conn.execute(select(C.id).where(C.id == case_id).with_for_update())
        in_scope = self._scope_clauses(conn, actor)
        if conn.execute(select(C.id).where(C.id == case_id, *in_scope)).scalar() is None:
            raise NotFound(NOT_FOUND_MESSAGE)

    def _case_detail(self, case_id: int, actor: Actor) -> CaseDetail:
        now = self.now()
        with self.engine.begin() as conn:
            self._lock_for_log(conn, case_id, actor)
            self._event(conn, case_id, actor, "case_opened", now, {})
        rows = self.queue.rows_where(C.id == case_id)
        if not rows:
            raise NotFound(NOT_FOUND_MESSAGE)
        row = rows[0]
        with self.engine.connect() as conn:
            persons = tuple(
                PersonRow(
                    id=p.id,
                    role=p.role,
                    first_name=p.first_name,
                    last_name=p.last_name,
                    birth_date=p.birth_date,
                    bsn=p.bsn,
                    address=format_address(p.street, p.house_number, p.postcode, p.city),
                    phone=p.phone,
                    email=p.email,
                )
                for p in conn.execute(
                    select(CasePerson.__table__).where(P.case_id == case_id).order_by(P.id)
                )
            )
            documents = tuple(
                DocumentRow(
                    id=d.id,
                    kind=d.kind,
                    status=d.status,
                    requested_from_role=d.requested_from_role,
                    requested_from=d.full_name,
                    requested_at=d.requested_at,
                    due_at=d.due_at,
                    received_at=d.received_at,
                    author_name=d.author_name,
                    fields=dict(d.fields or {}),
                )
                for d in conn.execute(
                    select(
                        D.id,
                        D.kind,
                        D.status,
                        D.requested_from_role,
                        D.requested_at,
                        D.due_at,
                        D.received_at,
                        D.author_name,
                        D.fields,
                        A.full_name,
                    )
                    .outerjoin(Account.__table__, A.id == D.requested_from_account_id)
                    .where(D.case_id == case_id)
                    .order_by(D.id)
                )
            )
            event_rows = conn.execute(
                select(E.id, E.at, E.actor_name, E.action, E.details)
                .where(E.case_id == case_id)
                .order_by(E.at.desc(), E.id.desc())
            ).all()
            note_authors = {
                e.details.get("note_id"): e.actor_name
                for e in event_rows
                if e.action == "note_added" and isinstance(e.details, dict)
            }
            notes = tuple(
                NoteRow(
                    at=n.at,
                    author=n.full_name or note_authors.get(n.id) or "?",
                    kind=n.kind,
                    text=n.text,
                )
                for n in conn.execute(
                    select(N.id, N.at, N.kind, N.text, A.full_name)
                    .outerjoin(Account.__table__, A.id == N.account_id)
                    .where(N.case_id == case_id)
                    .order_by(N.at.desc(), N.id.desc())
                )
            )
            meetings = tuple(
                MeetingRow(
                    kind=m.kind,
                    held_at=m.held_at,
                    participants=m.participants or "",
                    outcome=m.outcome or "",
                )
                for m in conn.execute(
                    select(MT.kind, MT.held_at, MT.participants, MT.outcome)
                    .where(MT.case_id == case_id)
                    .order_by(MT.held_at, MT.id)
                )
            )
            earlier = self._earlier_cases(conn, case_id)
            servings = servings_of(conn, case_id)
        events = tuple(
            EventRow(
                at=e.at, actor_name=e.actor_name, action=e.action, details=dict(e.details or {})
            )
            for e in event_rows
        )
        return CaseDetail(
            row=row,
            persons=persons,
            documents=documents,
            events=events,
            notes=notes,
            meetings=meetings,
            earlier=earlier,
            servings=servings,
        )

    @staticmethod
    def _earlier_cases(conn: Connection, case_id: int) -> tuple[EarlierCase, ...]:
        """The earlier cases ``earlier_counts`` counts (same rules, so the list and the queue's
        count agree): the banned person by BSN or by name and birth date, or the incident address
        by postcode and house number; only cases with a ban, opened before this one."""
        match = earlier_pairs(conn, [case_id]).get(case_id, {})
        if not match:
            return ()
        found = conn.execute(
            select(C.id, C.number, C.status, C.opened_at, M.name.label("municipality"))
            .join(Municipality.__table__, M.id == C.municipality_id)
            .where(C.id.in_(list(match)))
            .order_by(C.opened_at.desc(), C.number.desc())
        ).all()
        return tuple(
            EarlierCase(
                number=c.number,
                status=c.status,
                opened_at=c.opened_at,
                municipality=c.municipality,
                match=match[c.id],
            )
            for c in found
        )

    # --- life-cycle actions ----------------------------------------------------------------------

    def apply_action(
        self, case_id: int, version: int, action: str, actor: Actor, **params: Any
    ) -> int:
        # Who may take which life-cycle action is the domain's state machine's rule (ACTION_ROLES,
        # which the permission matrix contains: a test guards that): transition() refuses, with
        # the Dutch reason, inside _apply_action.
        return self._keyed(
            case_id, actor, self._apply_action, case_id, version, action, actor, dict(params)
        )

    def _read_facts(self, case_id: int):
        """The case's facts as the domain sees them, plus the columns the queue does not read.
        Both reads must see the same version (a write may land between them: then read again)."""
        for _ in range(5):
            with self.engine.connect() as conn:
                extra = conn.execute(
                    select(C.version, C.appeal_outcome, C.reachable_address, R.rules_toml)
                    .join(Municipality.__table__, M.id == C.municipality_id)
                    .join(Region.__table__, R.id == M.region_id)
                    .where(C.id == case_id)
                ).one_or_none()
            if extra is None:
                raise NotFound(NOT_FOUND_MESSAGE)
            rows = self.queue.rows_where(C.id == case_id)
            if not rows:
                raise NotFound(NOT_FOUND_MESSAGE)
            row = rows[0]
            if row.version == extra.version:
                facts = dataclasses.replace(
                    row.facts,
                    appeal_outcome=extra.appeal_outcome,
                    reachable_address=extra.reachable_address,
                )
                return row, facts, region_rules(extra.rules_toml)
        raise Conflict(CONFLICT_MESSAGE, row.version)

    def _apply_action(
        self, case_id: int, version: int, action: str, actor: Actor, params: dict[str, Any]
    ) -> int:
        try:
            act = CaseAction(action)
        except ValueError:
            raise Refused(f"Onbekende actie: {action!r}.", "action") from None
        reason = params.pop("reason", None)
        reason = (str(reason).strip() or None) if reason is not None else None
        row, facts, rules = self._read_facts(case_id)
        if row.version != version:
            raise Conflict(CONFLICT_MESSAGE, row.version)
        roles = {Role(r) for r in actor.roles if r in _ROLE_VALUES}
        now = self.now()
        try:
            new = transition(facts, act, roles, now, rules=rules, **params)
        except DomainError as exc:
            raise Refused(exc.message, exc.field) from None

        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        values: dict[str, Any] = {}
        for name in _FACT_COLUMNS:
            old_value, new_value = getattr(facts, name), getattr(new, name)
            if old_value != new_value:
                before[name], after[name] = old_value, new_value
                values[name] = _column_value(new_value)
        if new.imposed_at is not None:
            values["ends_at"] = ban_end(new.imposed_at, new.extended_until)
        if new.status is CaseStatus.ARCHIVED and facts.status is not CaseStatus.ARCHIVED:
            values["archived_at"] = now
        if act is CaseAction.CLOSE:
            values["close_reason"] = reason
        if act is CaseAction.REOPEN:
            values["archived_at"] = None
            values["close_reason"] = None
        details: dict[str, Any] = {"voor": before, "na": after}
        if reason:
            details["reden"] = reason

        with self.engine.begin() as conn:
            self._bump(conn, case_id, version, now, actor)
            if act is CaseAction.DESTROY:
                removed, rewritten = self._destroy(conn, case_id)
                # the ruling's old text must not move into this event ("reden" is the destroyer's)
                details["voor"], _ = redact_details(details["voor"])
                details["verwijderd"] = removed
                if rewritten:
                    details["herschreven"] = rewritten
                values.update(
                    street=None,
                    house_number=None,
                    postcode=None,
                    city=None,
                    close_reason=None,
                    appeal_outcome=None,
                    reachable_address=None,
                )
            if values:
                conn.execute(update(CT).where(C.id == case_id).values(**values))
            self._event(conn, case_id, actor, act.value, now, details)
            if act is CaseAction.IMPOSE:  # the documents the ban needs, requested at once
                impose_requests(
                    conn,
                    case_id,
                    new,
                    rules,
                    now,
                    lambda c, action, d: self._event(c, case_id, actor, action, now, d),
                )
        return version + 1

    @staticmethod
    def _destroy(conn: Connection, case_id: int) -> tuple[dict[str, int], list[dict[str, Any]]]:
        """Remove the personal data and documents of a case past retention (issue 9): persons and
        notes go; documents keep only kind, status, who was asked and the moments (their fields
        and author's name go, and with them any signature over their content), meetings only
        kind and moment, reminders only recipient and subject; free text in event details is
        replaced by a marker (``audit.redact_case_events``). What stays is anonymous and feeds
        the statistics. Returns (rows cleared per kind, event rewrites)."""

        def clear(table, **values) -> int:
            return conn.execute(
                update(table).where(table.c.case_id == case_id).values(**values)
            ).rowcount

        def drop(table) -> int:
            return conn.execute(delete(table).where(table.c.case_id == case_id)).rowcount

        removed = {
            "personen": drop(CasePerson.__table__),
            "documenten": clear(Document.__table__, fields={}, author_name=None),
            "overleggen": clear(Meeting.__table__, participants="", outcome=""),
            "notities": drop(Note.__table__),
            "berichten": clear(Outbox.__table__, body=""),
        }
        servings = drop(DecisionServing.__table__)  # who received a decision, when (issue 16)
        if servings:
            removed["uitreikingen"] = servings
        # A signature's payload is the signed document's content (issue 10's table, when present).
        signatures = metadata.tables.get("decision_signature")
        if signatures is not None:
            dropped = drop(signatures)
            if dropped:
                removed["handtekeningen"] = dropped
        return removed, redact_case_events(conn, case_id)

    # --- partners --------------------------------------------------------------------------------

    def assign_partner(
        self,
        case_id: int,
        version: int,
        role: str,
        actor: Actor,
        *,
        account_id: int | None = None,
        external: dict[str, str] | None = None,
    ) -> int:
        return self._keyed(
            case_id,
            actor,
            self._assign_partner,
            case_id,
            version,
            role,
            actor,
            account_id,
            external,
        )

    def _assign_partner(self, case_id, version, role, actor, account_id, external) -> int:
        self._check_actor(actor)
        role = _enum(PartnerRole, role, "role", "Onbekende rol")
        if (account_id is None) == (not external):
            raise Refused(
                "Kies een account of vul een externe contactpersoon in (niet allebei).",
                "account_id",
            )
        contact: dict[str, Any] = {}
        if external:
            name = (external.get("name") or "").strip()
            if not name:
                raise Refused("Vul de naam van de contactpersoon in.", "name")
            email = (external.get("email") or "").strip() or None
            if email is not None and not valid_email(email):
                raise Refused(f"Geen geldig e-mailadres: '{email}'.", "email")
            phone = (external.get("phone") or "").strip() or None
            if phone is not None:
                try:
                    phone = normalise_phone(phone)
                except DomainError as exc:
                    raise Refused(exc.message, "phone") from None
            contact = dict(
                external_name=name,
                external_organisation=(external.get("organisation") or "").strip() or None,
                external_phone=phone,
                external_email=email,
            )
        now = self.now()
        with self.engine.begin() as conn:
            case = self._bump(conn, case_id, version, now, actor)
            self._writable(case)
            if account_id is not None:
                account = conn.execute(
                    select(A.id, A.full_name, A.active).where(A.id == account_id)
                ).one_or_none()
                if account is None or not account.active:
                    raise Refused("Dit account bestaat niet of is niet meer actief.", "account_id")
                roles = set(
                    conn.execute(select(AR.role).where(AR.account_id == account_id)).scalars()
                )
                if not roles & PARTNER_ACCOUNT_ROLES[role]:
                    raise Refused(
                        f"{account.full_name} heeft geen rol die past bij "
                        f"{PartnerRole(role).label}.",
                        "account_id",
                    )
                new_name = account.full_name
            else:
                new_name = contact["external_name"]
            current = conn.execute(
                select(CP.id, CP.account_id, CP.external_name, A.full_name)
                .outerjoin(Account.__table__, A.id == CP.account_id)
                .where(CP.case_id == case_id, CP.role == role, CP.ended_at.is_(None))
                .order_by(CP.id)
            ).all()
            if account_id is not None and any(p.account_id == account_id for p in current):
                raise Refused(
                    f"{new_name} staat al als {PartnerRole(role).label} op deze zaak.", "account_id"
                )
            if current:
                conn.execute(
                    update(CasePartner.__table__)
                    .where(CP.id.in_([p.id for p in current]))
                    .values(ended_at=now)
                )
            partner_id = conn.execute(
                insert(CasePartner.__table__).values(
                    case_id=case_id, role=role, account_id=account_id, assigned_at=now, **contact
                )
            ).inserted_primary_key[0]
            self._event(
                conn,
                case_id,
                actor,
                "assign_partner",
                now,
                {
                    "rol": role,
                    "voor": [p.full_name or p.external_name for p in current],
                    "na": new_name,
                    "account_id": account_id,
                    "extern": account_id is None,
                    "partner_id": partner_id,
                },
            )
        return version + 1

    def accounts_for_role(self, role: str, region: str | None = None) -> list[AccountChoice]:
        return self._guard(self._accounts_for_role, role, region)

    def _accounts_for_role(self, role: str, region: str | None) -> list[AccountChoice]:
        wanted = PARTNER_ACCOUNT_ROLES.get(role) or (
            frozenset({role}) if role in _ROLE_VALUES else None
        )
        if not wanted:
            return []
        query = (
            select(A.id, A.username, A.full_name, A.phone, A.email, ORG.name.label("organisation"))
            .join(Organisation.__table__, ORG.id == A.organisation_id)
            .where(
                A.active.is_(True),
                A.id.in_(select(AR.account_id).where(AR.role.in_(sorted(wanted)))),
            )
            .order_by(A.full_name, A.id)
        )
        # Only the regions the caller works in (issue 18 row 9): another region's staff, with
        # their phones and e-mail, is not the caller's business. A region outside the scope
        # gives nobody; no region asked gives the caller's own regions (all for a national one).
        visible = self.scope.regions if self.scope is not None else None
        if region is not None and visible is not None and region not in visible:
            return []
        regions = [region] if region is not None else visible
        if regions is not None:
            region_ids = select(R.id).where(R.name.in_(sorted(regions)))
            query = query.where(
                or_(
                    A.id.in_(select(AG.account_id).where(AG.region_id.in_(region_ids))),
                    ORG.region_id.in_(region_ids),
                    ORG.municipality_id.in_(select(M.id).where(M.region_id.in_(region_ids))),
                )
            )
        with self.engine.connect() as conn:
            accounts = conn.execute(query).all()
            roles: dict[int, list[str]] = {}
            if accounts:
                for account_id, r in conn.execute(
                    select(AR.account_id, AR.role).where(
                        AR.account_id.in_([a.id for a in accounts])
                    )
                ):
                    roles.setdefault(account_id, []).append(r)
        return [
            AccountChoice(
                id=a.id,
                username=a.username,
                full_name=a.full_name,
                organisation=a.organisation,
                roles=tuple(sorted(roles.get(a.id, ()))),
                phone=a.phone,
                email=a.email,
            )
            for a in accounts
        ]

    # --- documents -------------------------------------------------------------------------------

    def request_document(
        self,
        case_id: int,
        version: int,
        kind: str,
        actor: Actor,
        *,
        from_role: str,
        due_at: datetime,
        from_account_id: int | None = None,
    ) -> int:
        return self._keyed(
            case_id,
            actor,
            self._request_document,
            case_id,
            version,
            kind,
            actor,
            from_role,
            due_at,
            from_account_id,
        )

    def _request_document(
        self, case_id, version, kind, actor, from_role, due_at, from_account_id
    ) -> int:
        self._check_actor(actor)
        kind = _enum(DocumentKind, kind, "kind", "Onbekend document")
        from_role = _enum(PartnerRole, from_role, "from_role", "Onbekende rol")
        due_at = _aware(due_at, "due_at")
        now = self.now()
        if due_at < now:
            raise Refused(f"De termijn ligt in het verleden ({_fmt(due_at)}).", "due_at")
        if due_at > now + MAX_DUE_AHEAD:
            raise Refused(f"De termijn ligt te ver in de toekomst ({_fmt(due_at)}).", "due_at")
        with self.engine.begin() as conn:
            case = self._bump(conn, case_id, version, now, actor)
            self._writable(case)
            if from_account_id is not None:
                active = conn.execute(select(A.active).where(A.id == from_account_id)).scalar()
                if not active:
                    raise Refused(
                        "Dit account bestaat niet of is niet meer actief.", "from_account_id"
                    )
            else:  # the partner now in that role, when it is an account
                from_account_id = conn.execute(
                    select(CP.account_id)
                    .where(CP.case_id == case_id, CP.role == from_role, CP.ended_at.is_(None))
                    .order_by(CP.id.desc())
                    .limit(1)
                ).scalar()
            document_id = conn.execute(
                insert(Document.__table__).values(
                    case_id=case_id,
                    kind=kind,
                    status=DocumentStatus.REQUESTED.value,
                    requested_from_role=from_role,
                    requested_from_account_id=from_account_id,
                    requested_at=now,
                    due_at=due_at,
                    fields={},
                    created_at=now,
                    updated_at=now,
                )
            ).inserted_primary_key[0]
            self._event(
                conn,
                case_id,
                actor,
                "document_requested",
                now,
                {
                    "document_id": document_id,
                    "soort": kind,
                    "bij_rol": from_role,
                    "account_id": from_account_id,
                    "uiterlijk": due_at,
                },
            )
        return version + 1

    def receive_document(
        self,
        case_id: int,
        version: int,
        kind: str,
        actor: Actor,
        *,
        received_at: datetime,
        author_name: str,
        fields: dict[str, Any],
        status: str = "received",
    ) -> int:
        return self._keyed(
            case_id,
            actor,
            self._receive_document,
            case_id,
            version,
            kind,
            actor,
            received_at,
            author_name,
            fields,
            status,
        )

    def _receive_document(
        self, case_id, version, kind, actor, received_at, author_name, fields, status
    ) -> int:
        self._check_actor(actor, Permission.SUBMIT_DOCUMENT, Permission.EDIT_CASE)
        kind = _enum(DocumentKind, kind, "kind", "Onbekend document")
        if status not in RECEIVE_STATUSES:
            raise Refused(f"Ongeldige status voor een ontvangen document: {status!r}.", "status")
        received_at = _aware(received_at, "received_at")
        now = self.now()
        if received_at > now:
            raise Refused(
                f"Het moment van ontvangst ligt in de toekomst ({_fmt(received_at)}).",
                "received_at",
            )
        author = (author_name or "").strip()
        if not author:
            raise Refused("Vul in wie het document heeft opgesteld.", "author_name")
        if not isinstance(fields, Mapping):
            raise Refused("De velden van het formulier zijn ongeldig.", "fields")
        checked, problems = check_fields(kind, fields)
        if problems:  # the standard form's own rules (standard_forms.py)
            name, message = next(iter(problems.items()))
            raise Refused(message[0].upper() + message[1:] + ".", name)
        clean_fields = json.loads(json.dumps(jsonable(checked)))
        with self.engine.begin() as conn:
            case = self._bump(conn, case_id, version, now, actor)
            self._writable(case)
            if received_at < case.opened_at:
                raise Refused(
                    "Het moment van ontvangst ligt vóór het begin van de zaak "
                    f"({_fmt(case.opened_at)}).",
                    "received_at",
                )
            target = conn.execute(
                select(D.id, D.status)
                .where(
                    D.case_id == case_id,
                    D.kind == kind,
                    D.status.in_([DocumentStatus.REQUESTED.value, DocumentStatus.DRAFT.value]),
                )
                .order_by(D.id.desc())
                .limit(1)
            ).one_or_none()
            if target is None:
                newest = conn.execute(
                    select(D.status)
                    .where(D.case_id == case_id, D.kind == kind)
                    .order_by(D.id.desc())
                    .limit(1)
                ).scalar()
                if newest == DocumentStatus.SIGNED.value:
                    raise Refused(
                        f"De {DocumentKind(kind).label} is ondertekend en kan niet meer worden "
                        "gewijzigd; vraag een nieuwe op of neem een herstelbeschikking.",
                        "status",
                    )
            if status != DocumentStatus.DRAFT.value:
                # A decision in force holds what the law requires of it (Wth art. 2 lid 4, art.
                # 9); a draft may be incomplete, and is not signed until it is complete.
                problems = content_problems(conn, case_id, kind, clean_fields)
                if problems:
                    name, message = next(iter(problems.items()))
                    raise Refused(message, name)
            values = dict(
                status=status,
                received_at=received_at,
                author_name=author,
                fields=clean_fields,
                updated_at=now,
            )
            if target is not None:
                conn.execute(update(Document.__table__).where(D.id == target.id).values(**values))
                document_id, old_status = target.id, target.status
            else:
                document_id = conn.execute(
                    insert(Document.__table__).values(
                        case_id=case_id, kind=kind, created_at=now, **values
                    )
                ).inserted_primary_key[0]
                old_status = None
            self._event(
                conn,
                case_id,
                actor,
                "document_received",
                now,
                {
                    "document_id": document_id,
                    "soort": kind,
                    "voor": {"status": old_status},
                    "na": {"status": status, "ontvangen": received_at, "auteur": author},
                },
            )
        return version + 1

    def remind_document(self, case_id: int, version: int, document_id: int, actor: Actor) -> int:
        return self._keyed(
            case_id, actor, self._remind_document, case_id, version, document_id, actor
        )

    def _remind_document(self, case_id, version, document_id, actor) -> int:
        self._check_actor(actor)
        now = self.now()
        with self.engine.begin() as conn:
            case = self._bump(conn, case_id, version, now, actor)
            self._writable(case)
            doc = conn.execute(
                select(
                    D.id,
                    D.kind,
                    D.status,
                    D.requested_from_role,
                    D.requested_from_account_id,
                    D.requested_at,
                    D.due_at,
                ).where(D.id == document_id, D.case_id == case_id)
            ).one_or_none()
            if doc is None:
                raise Refused("Dit document hoort niet bij deze zaak.", "document_id")
            if DocumentStatus(doc.status).is_in:
                raise Refused(
                    "Dit document is al ontvangen; een herinnering is niet nodig.", "document_id"
                )
            name, email = self._reminder_recipient(conn, case_id, doc)
            if not email:
                raise Refused(
                    "Geen e-mailadres bekend van de partner bij wie dit document is opgevraagd.",
                    "document_id",
                )
            label = DocumentKind(doc.kind).label
            subject = f"Herinnering: {label} voor {case.number}"
            if doc.due_at is not None:
                subject += f" (uiterlijk {format_short(doc.due_at)})"
            body = _reminder_body(case, doc, label, name, actor.name, now)
            outbox_id = conn.execute(
                insert(Outbox.__table__).values(
                    case_id=case_id, recipient=email, subject=subject, body=body, created_at=now
                )
            ).inserted_primary_key[0]
            self._event(
                conn,
                case_id,
                actor,
                "reminder_sent",
                now,
                {
                    "document_id": doc.id,
                    "soort": doc.kind,
                    "aan": email,
                    "outbox_id": outbox_id,
                    "uiterlijk": doc.due_at,
                },
            )
        return version + 1

    @staticmethod
    def _reminder_recipient(conn: Connection, case_id: int, doc) -> tuple[str | None, str | None]:
        """(name, e-mail) of whom the document was asked from: the account, else the partner now
        in the requested role (account or external contact)."""
        if doc.requested_from_account_id is not None:
            account = conn.execute(
                select(A.full_name, A.email).where(A.id == doc.requested_from_account_id)
            ).one_or_none()
            if account is not None and account.email:
                return account.full_name, account.email
        if doc.requested_from_role:
            partner = conn.execute(
                select(A.full_name, A.email, CP.external_name, CP.external_email)
                .select_from(CasePartner.__table__)
                .outerjoin(Account.__table__, A.id == CP.account_id)
                .where(
                    CP.case_id == case_id, CP.role == doc.requested_from_role, CP.ended_at.is_(None)
                )
                .order_by(CP.id.desc())
                .limit(1)
            ).one_or_none()
            if partner is not None:
                if partner.email:
                    return partner.full_name, partner.email
                if partner.external_email:
                    return partner.external_name, partner.external_email
        return None, None

    # --- meetings and notes ----------------------------------------------------------------------

    def record_meeting(
        self,
        case_id: int,
        version: int,
        actor: Actor,
        *,
        kind: str,
        held_at: datetime,
        participants: str,
        outcome: str,
    ) -> int:
        return self._keyed(
            case_id,
            actor,
            self._record_meeting,
            case_id,
            version,
            actor,
            kind,
            held_at,
            participants,
            outcome,
        )

    def _record_meeting(self, case_id, version, actor, kind, held_at, participants, outcome) -> int:
        self._check_actor(actor)
        if kind not in MEETING_KINDS:
            raise Refused(f"Onbekend soort overleg: {kind!r}.", "kind")
        held_at = _aware(held_at, "held_at")
        now = self.now()
        if held_at > now:
            raise Refused(
                f"Het overleg ligt in de toekomst ({_fmt(held_at)}); leg het achteraf vast.",
                "held_at",
            )
        with self.engine.begin() as conn:
            case = self._bump(conn, case_id, version, now, actor)
            self._writable(case)
            if held_at < case.opened_at:
                raise Refused(
                    f"Het overleg ligt vóór het begin van de zaak ({_fmt(case.opened_at)}).",
                    "held_at",
                )
            meeting_id = conn.execute(
                insert(Meeting.__table__).values(
                    case_id=case_id,
                    kind=kind,
                    held_at=held_at,
                    participants=(participants or "").strip(),
                    outcome=(outcome or "").strip(),
                    account_id=actor.account_id,
                )
            ).inserted_primary_key[0]
            self._event(
                conn,
                case_id,
                actor,
                "meeting_recorded",
                now,
                {"meeting_id": meeting_id, "soort": kind, "gehouden": held_at},
            )
        return version + 1

    def add_note(
        self, case_id: int, version: int, actor: Actor, *, text: str, kind: str = "note"
    ) -> int:
        return self._keyed(case_id, actor, self._add_note, case_id, version, actor, text, kind)

    def _add_note(self, case_id, version, actor, text, kind) -> int:
        self._check_actor(actor)
        body = (text or "").strip()
        if not body:
            raise Refused("Vul een tekst in.", "text")
        if kind not in NOTE_KINDS:
            raise Refused(f"Onbekend soort notitie: {kind!r}.", "kind")
        now = self.now()
        with self.engine.begin() as conn:
            case = self._bump(conn, case_id, version, now, actor)
            self._writable(case)
            note_id = conn.execute(
                insert(Note.__table__).values(
                    case_id=case_id, account_id=actor.account_id, kind=kind, at=now, text=body
                )
            ).inserted_primary_key[0]
            # The text stays out of the event: events outlive the case's personal data.
            self._event(
                conn, case_id, actor, "note_added", now, {"note_id": note_id, "soort": kind}
            )
        return version + 1


def _masked(detail: CaseDetail) -> CaseDetail:
    """``detail`` with its persons reduced to initials: no BSN, birth date, address, phone or
    e-mail; the same for the person data in the household's events."""
    persons = tuple(
        replace(
            p,
            first_name=mask_person(f"{p.first_name} {p.last_name}"),
            last_name="",
            birth_date=None,
            bsn=None,
            address="",
            phone=None,
            email=None,
        )
        for p in detail.persons
    )
    return replace(detail, persons=persons, events=mask_person_events(detail.events))


def _reminder_body(
    case, doc, label: str, recipient_name: str | None, sender: str, now: datetime
) -> str:
    """The reminder's text: the case number and municipality, the document and its term, the
    sender. No names of the persons involved: e-mail is not a safe channel for them."""
    lines = [f"Beste {recipient_name or 'collega'},", ""]
    asked = f"op {_fmt(doc.requested_at)} " if doc.requested_at else ""
    due = f", uiterlijk {_fmt(doc.due_at)}" if doc.due_at else ""
    lines.append(
        f"Voor zaak {case.number} (gemeente {case.municipality}) is {asked}het document "
        f"'{label}' bij u opgevraagd{due}."
    )
    if doc.due_at is not None and doc.due_at < now:
        lines.append("Die termijn is verstreken en wij hebben het document nog niet ontvangen.")
    else:
        lines.append("Wij hebben het document nog niet ontvangen.")
    lines += [
        "Wilt u het zo spoedig mogelijk aanleveren?",
        "",
        "Met vriendelijke groet,",
        sender,
        "",
        "(Dit bericht is verstuurd vanuit hvo; de gegevens van de zaak vindt u in hvo zelf.)",
    ]
    return "\n".join(lines) + "\n"


__all__ = [
    "ACCOUNT_CHAIN",
    "CONFLICT_MESSAGE",
    "NOT_FOUND_MESSAGE",
    "PARTNER_ACCOUNT_ROLES",
    "CaseWrites",
    "E",
    "H",
    "append_event",
    "applied_key",
    "broken_chains",
    "chain_key",
    "event_hash",
    "jsonable",
    "record_key",
    "verify_chain",
]
