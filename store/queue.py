"""Cases and the queue: the set-based reads of the open queue, one case's row, the change feed.

Reads are Core row queries, not ORM objects (see performance-notes: building ORM objects costs
more than the query). The open queue is read in a handful of set-based queries, never per case.
Every read keeps to the store's scope and masks person data for support staff (``Database``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import replace

from sqlalchemy import and_, select, text
from sqlalchemy.exc import DBAPIError, OperationalError

from hvo_tui.domain import mask_person
from hvo_tui.domain.facts import CaseFacts, DocumentFacts, MeetingFacts, PersonFacts
from hvo_tui.domain.vocab import (
    OPEN_STATUSES,
    CaseKind,
    CaseStatus,
    DocumentKind,
    DocumentStatus,
    PartnerRole,
    PersonRole,
)

from .database import CONNECTION_LOST, Repository, format_address
from .earlier import earlier_pairs
from .feed import PostgresChangeFeed, SqliteChangeFeed
from .interface import Actor, ChangeFeed, ConnectionLost, PartnerContact, QueueRow
from .models import (
    Account,
    AccountRegion,
    AccountRole,
    Case,
    CasePartner,
    CasePerson,
    Document,
    Meeting,
    Municipality,
    Organisation,
    Region,
)
from .scope import case_scope_clause
from .servings import first_served

C = Case.__table__.c
M = Municipality.__table__.c
R = Region.__table__.c
D = Document.__table__.c
MT = Meeting.__table__.c
P = CasePerson.__table__.c
CP = CasePartner.__table__.c
A = Account.__table__.c
AR = AccountRole.__table__.c
AGt = AccountRegion.__table__
ORG = Organisation.__table__.c

OPEN = sorted(s.value for s in OPEN_STATUSES)


class CaseQueue(Repository):
    """The queue's reads: rows of open cases (or of given ids), versions, earlier cases."""

    def change_feed(self) -> ChangeFeed:
        url = self.engine.url
        if url.get_backend_name() == "sqlite":
            return SqliteChangeFeed(url.database or ":memory:")
        try:
            with self.engine.connect() as conn:
                schema = conn.execute(text("select current_schema()")).scalar_one()
        except (OperationalError, DBAPIError) as exc:
            raise ConnectionLost(CONNECTION_LOST) from exc
        return PostgresChangeFeed(url, schema)

    def queue_rows(
        self, ids: Collection[int] | None = None, *, first: int | None = None
    ) -> list[QueueRow]:
        if ids is None and first is not None:
            soonest = (
                select(C.id)
                .where(C.status.in_(OPEN))
                .order_by(C.ends_at.is_(None), C.ends_at, C.id)
                .limit(first)
            )
            return self._guard(self.rows_where, C.id.in_(soonest.scalar_subquery()))
        if ids is None:
            return self._guard(self.rows_where, C.status.in_(OPEN))
        if not ids:
            return []
        return self._guard(self.rows_where, C.id.in_(list(ids)))

    def visible_case_ids(self, ids: Collection[int]) -> set[int]:
        """Which of ``ids`` this store's account may see (its scope, as in the queue); unknown
        ids are left out. The API answers 404 for the rest before anything is written."""
        if not ids:
            return set()
        query = select(C.id).where(C.id.in_(list(ids)))
        if self.scope is not None:
            query = query.where(case_scope_clause(self.scope))
        return self._read(lambda conn: set(conn.execute(query).scalars()))

    def open_case_versions(
        self, first: int | None = None, ids: Collection[int] | None = None
    ) -> list[tuple[int, int]]:
        """(id, version) of the open cases this account sees; with ``first`` only the ``first``
        whose ban ends soonest; with ``ids`` those of ``ids`` it sees, whatever their status."""
        query = select(C.id, C.version).where(
            C.status.in_(OPEN) if ids is None else C.id.in_(list(ids))
        )
        if self.scope is not None:
            query = query.where(case_scope_clause(self.scope))
        if first is not None:
            query = query.order_by(C.ends_at.is_(None), C.ends_at, C.id).limit(first)
        return self._read(lambda conn: [(row.id, row.version) for row in conn.execute(query)])

    def ping(self) -> str:
        """One round trip to the database; its dialect's name. ConnectionLost when unreachable."""
        self._read(lambda conn: conn.execute(text("select 1")))
        return self.engine.url.get_backend_name()

    def actor_for(self, username: str) -> Actor | None:
        """The active account ``username`` as an actor with its roles; None when unknown."""
        return self._guard(self._actor_for, username)

    def _actor_for(self, username: str) -> Actor | None:
        with self.engine.connect() as conn:
            account = conn.execute(
                select(A.id, A.username, A.full_name).where(
                    A.username == username, A.active.is_(True)
                )
            ).first()
            if account is None:
                return None
            roles = conn.execute(select(AR.role).where(AR.account_id == account.id)).scalars().all()
            regions = (
                conn.execute(
                    select(R.name)
                    .join(AGt, AGt.c.region_id == R.id)
                    .where(AGt.c.account_id == account.id)
                    .order_by(R.name)
                )
                .scalars()
                .all()
            )
        return Actor(
            name=account.full_name,
            roles=frozenset(roles),
            account_id=account.id,
            username=account.username,
            regions=tuple(regions),
        )

    def case_by_number(self, number: str) -> QueueRow | None:
        rows = self._guard(self.rows_where, C.number == number)
        return rows[0] if rows else None

    def earlier_counts(self, ids: Collection[int]) -> dict[int, int]:
        if not ids:
            return {}
        return self._guard(self._earlier_counts, list(ids))

    def _earlier_counts(self, ids: list[int]) -> dict[int, int]:
        with self.engine.connect() as conn:
            return {case_id: len(found) for case_id, found in earlier_pairs(conn, ids).items()}

    def rows_where(self, is_open) -> list[QueueRow]:
        if self.scope is not None:
            is_open = and_(is_open, case_scope_clause(self.scope))
        with self.engine.connect() as conn:
            cases = conn.execute(
                select(
                    C.id,
                    C.number,
                    C.kind,
                    C.status,
                    C.opened_at,
                    C.imposed_at,
                    C.extended_until,
                    C.imposed_by_hovj,
                    C.child_abuse,
                    C.vt_consulted_at,
                    C.mayor_informed_at,
                    C.household_informed_at,
                    C.vt_informed_at,
                    C.reachable_address_at,
                    C.reachable_address,
                    C.extension_decided_at,
                    C.decided_at,
                    C.appeal_requested_at,
                    C.appeal_hearing_at,
                    C.appeal_decided_at,
                    C.violation_count,
                    C.herstel,
                    C.closed_at,
                    C.street,
                    C.house_number,
                    C.postcode,
                    C.city,
                    C.version,
                    M.name.label("municipality"),
                    R.name.label("region"),
                )
                .join(Municipality.__table__, M.id == C.municipality_id)
                .join(Region.__table__, R.id == M.region_id)
                .where(is_open)
            ).all()
            # The parts of the cases just read, by their ids: index probes on case_id, where a
            # join on the status made PostgreSQL hash the whole document table (100k cases).
            ids = [c.id for c in cases]
            if not ids:
                return []
            docs = conn.execute(
                select(
                    D.case_id,
                    D.id,
                    D.kind,
                    D.status,
                    D.requested_at,
                    D.due_at,
                    D.received_at,
                    first_served(D.id).label("served_at"),  # a decision: when it was served
                )
                .where(D.case_id.in_(ids))
                .order_by(D.case_id, D.id)
            ).all()
            meetings = conn.execute(
                select(MT.case_id, MT.kind, MT.held_at).where(MT.case_id.in_(ids))
            ).all()
            persons = conn.execute(
                select(P.case_id, P.role, P.first_name, P.last_name, P.birth_date, P.bsn)
                .where(P.case_id.in_(ids))
                .order_by(P.case_id, P.id)
            ).all()
            partners = conn.execute(
                select(
                    CP.case_id,
                    CP.role,
                    CP.external_name,
                    CP.external_organisation,
                    CP.external_phone,
                    CP.external_email,
                    A.full_name,
                    A.username,
                    A.phone,
                    A.email,
                    ORG.name.label("organisation"),
                )
                .outerjoin(Account.__table__, A.id == CP.account_id)
                .outerjoin(Organisation.__table__, ORG.id == A.organisation_id)
                .where(CP.case_id.in_(ids), CP.ended_at.is_(None))
                .order_by(CP.case_id, CP.id)
            ).all()
        rows = build_queue_rows(cases, docs, meetings, persons, partners)
        return [mask_row(row) for row in rows] if self.mask_persons else rows


def mask_row(row: QueueRow) -> QueueRow:
    """Person data reduced to initials: no names, BSN, birth dates or addresses (the persons'
    nor the incident address, which is their home)."""
    persons = tuple(
        replace(p, name=mask_person(p.name), bsn=None, birth_date=None, address=None)
        for p in row.facts.persons
    )
    # The incident address is the household's home address: person data too; so is the address
    # where the banned person can be reached.
    facts = replace(row.facts, persons=persons, address=None, reachable_address=None)
    return replace(row, address="", facts=facts)


def _group(rows: Iterable) -> dict[int, list]:
    grouped: dict[int, list] = defaultdict(list)
    for row in rows:
        grouped[row.case_id].append(row)
    return grouped


def build_queue_rows(cases, docs, meetings, persons, partners) -> list[QueueRow]:
    docs_by = _group(docs)
    meetings_by = _group(meetings)
    persons_by = _group(persons)
    contacts_by: dict[int, list[PartnerContact]] = defaultdict(list)
    partner_names: dict[tuple[int, str], str] = {}
    for row in partners:
        contact = PartnerContact(
            role=row.role,
            name=row.full_name or row.external_name or "?",
            organisation=row.organisation or row.external_organisation,
            phone=row.phone or row.external_phone,
            email=row.email or row.external_email,
            username=row.username,
        )
        contacts_by[row.case_id].append(contact)
        partner_names.setdefault((row.case_id, row.role), contact.name)
    result = []
    for c in cases:
        facts = CaseFacts(
            number=c.number,
            kind=CaseKind(c.kind),
            status=CaseStatus(c.status),
            opened_at=c.opened_at,
            imposed_at=c.imposed_at,
            extended_until=c.extended_until,
            imposed_by_hovj=c.imposed_by_hovj,
            child_abuse=c.child_abuse,
            vt_consulted_at=c.vt_consulted_at,
            mayor_informed_at=c.mayor_informed_at,
            household_informed_at=c.household_informed_at,
            vt_informed_at=c.vt_informed_at,
            reachable_address_at=c.reachable_address_at,
            reachable_address=c.reachable_address,
            extension_decided_at=c.extension_decided_at,
            decided_at=c.decided_at,
            appeal_requested_at=c.appeal_requested_at,
            appeal_hearing_at=c.appeal_hearing_at,
            appeal_decided_at=c.appeal_decided_at,
            violation_count=c.violation_count,
            herstel=c.herstel,
            closed_at=c.closed_at,
            address=format_address(c.street, c.house_number, c.postcode, c.city) or None,
            documents=tuple(
                DocumentFacts(
                    kind=DocumentKind(d.kind),
                    status=DocumentStatus(d.status),
                    requested_at=d.requested_at,
                    due_at=d.due_at,
                    received_at=d.received_at,
                    id=d.id,
                    served_at=getattr(d, "served_at", None),
                )
                for d in docs_by.get(c.id, ())
            ),
            meetings=tuple(
                MeetingFacts(kind=m.kind, held_at=m.held_at) for m in meetings_by.get(c.id, ())
            ),
            persons=tuple(
                PersonFacts(
                    role=PersonRole(p.role),
                    name=f"{p.first_name} {p.last_name}",
                    birth_date=p.birth_date,
                    bsn=p.bsn,
                )
                for p in persons_by.get(c.id, ())
            ),
        )
        result.append(
            QueueRow(
                case_id=c.id,
                number=c.number,
                region=c.region,
                municipality=c.municipality,
                address=format_address(c.street, c.house_number, c.postcode, c.city),
                facts=facts,
                casemanager=partner_names.get((c.id, PartnerRole.CASEMANAGER.value)),
                procesmanager=partner_names.get((c.id, PartnerRole.PROCESMANAGER.value)),
                version=c.version,
                partners=tuple(contacts_by.get(c.id, ())),
            )
        )
    return result
