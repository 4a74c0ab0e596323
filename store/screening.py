"""A new case: the screening with its RiHG, and the decision to impose the ban or not.

``open_screening`` writes the case, its persons, the RiHG as a received document and, when the
decision is taken at once, the decision with its document requests: one transaction, one event per
step (``case_created``, ``document_received``, ``impose`` / ``not_impose``, ``document_requested``),
all on the case's hash chain.

One ban per banned person (issue 16): a screening that names two (or more) uithuisgeplaatsten
gives one case per banned person, in the same transaction (all or none), numbered one after the
other. Each holds the whole household, the other banned persons as ``huisgenoot`` (in the home,
not under this case's ban: ``household.one_case_per_ban``), its own copy of the RiHG, its own
decision, T0, end and document requests; later each has its own extension, appeal and documents.
The cases share ``hvo_case.household_id`` (the first case's id) and name each other in their
``case_created`` event (``gekoppeld``). A write key maps to the first case; ``NewCase.linked``
names the others. ``impose_requests`` is also what ``apply_action`` uses when a
screening is imposed later, so both ways create the same requests.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import pendulum
from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from hvo_tui.domain import CaseAction, DomainError, RegionRules, ban_end, transition
from hvo_tui.domain.checklist import document_checklist
from hvo_tui.domain.facts import CaseFacts, PersonFacts
from hvo_tui.domain.household import check_adult, check_person, one_case_per_ban
from hvo_tui.domain.localtime import format_moment, local
from hvo_tui.domain.permissions import Permission, action_allowed, registering_partner_role
from hvo_tui.domain.standard_forms import check_fields
from hvo_tui.domain.validation import normalise_postcode
from hvo_tui.domain.vocab import (
    CaseKind,
    CaseStatus,
    DocumentKind,
    DocumentStatus,
    PersonRole,
    Role,
)

from . import idempotency
from .chain import applied_key, record_key
from .database import region_rules
from .interface import Actor, MunicipalityChoice, NewCase, NotFound, Refused
from .models import Case, CasePartner, CasePerson, Document, Municipality, Region
from .writes import CaseWriter

CT = Case.__table__
C = CT.c
M = Municipality.__table__.c
R = Region.__table__.c

# The documents an imposed ban needs, requested at once with their due moments by the rules.
IMPOSE_REQUESTS = (
    DocumentKind.BESCHIKKING,
    DocumentKind.PROCES_VERBAAL,
    DocumentKind.ZORGADVIES,
    DocumentKind.BELEIDSADVIES,
)
# Who is asked for each (a partner role on the case).
_REQUEST_FROM = {
    DocumentKind.BESCHIKKING: "bestuurder",
    DocumentKind.PROCES_VERBAAL: "politie",
    DocumentKind.ZORGADVIES: "casemanager",
    DocumentKind.BELEIDSADVIES: "gemeente",
}
# A screening is registered while or shortly after it happens: older is a typing error.
MAX_OPENED_AGO = timedelta(days=7)
FUTURE_SLACK = timedelta(minutes=5)


def _fmt(moment: datetime) -> str:
    return format_moment(moment)


def _person_facts(person: Mapping[str, Any]) -> PersonFacts:
    return PersonFacts(
        role=PersonRole(person["role"]),
        name=f"{person['first_name']} {person['last_name']}",
        birth_date=person["birth_date"],
        bsn=person["bsn"],
    )


def _aware(value: Any, field: str) -> pendulum.DateTime:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise Refused("Geef een moment met datum en tijd.", field)
    return pendulum.instance(value)


def impose_requests(
    conn: Connection, case_id: int, facts: CaseFacts, rules: RegionRules, now: datetime, append: Any
) -> list[int]:
    """Request every document in ``IMPOSE_REQUESTS`` the case does not hold yet, due when the
    checklist says (the region's rules); ``append(conn, action, details)`` writes the event."""
    D = Document.__table__.c
    have = set(conn.execute(select(D.kind).where(D.case_id == case_id)).scalars())
    due_by_kind = {item.kind: item.due for item in document_checklist(facts, now, rules)}
    created = []
    for kind in IMPOSE_REQUESTS:
        if kind.value in have:
            continue
        due = due_by_kind.get(kind)
        if due is None:
            continue
        document_id = conn.execute(
            insert(Document.__table__).values(
                case_id=case_id,
                kind=kind.value,
                status=DocumentStatus.REQUESTED.value,
                requested_from_role=_REQUEST_FROM[kind],
                requested_at=now,
                due_at=due,
                fields={},
                created_at=now,
                updated_at=now,
            )
        ).inserted_primary_key[0]
        append(
            conn,
            "document_requested",
            {
                "document_id": document_id,
                "soort": kind.value,
                "bij_rol": _REQUEST_FROM[kind],
                "account_id": None,
                "uiterlijk": due,
                "bij_opleggen": True,
            },
        )
        created.append(document_id)
    return created


class Screenings(CaseWriter):
    """New screenings (``open_screening``) and the municipalities they may be registered in."""

    def municipalities(self) -> list[MunicipalityChoice]:
        """The municipalities a new screening may be registered in: those of the reader's regions
        (every one when the scope is not limited to regions), by name."""
        return self._guard(self._municipalities)

    def _municipalities(self) -> list[MunicipalityChoice]:
        query = (
            select(M.id, M.name, R.name.label("region"))
            .join(Region.__table__, R.id == M.region_id)
            .order_by(M.name)
        )
        regions = None if self.scope is None else self.scope.regions
        if regions is not None:
            query = query.where(R.name.in_(sorted(regions)))
        with self.engine.connect() as conn:
            return [MunicipalityChoice(r.id, r.name, r.region) for r in conn.execute(query)]

    def open_screening(
        self,
        actor: Actor,
        *,
        municipality_id: int,
        opened_at: datetime,
        address: Mapping[str, Any],
        persons: Sequence[Mapping[str, Any]],
        rihg: Mapping[str, Any],
        rihg_author: str,
        decision: str | None = None,
        imposed_at: datetime | None = None,
        reason: str | None = None,
    ) -> NewCase:
        """Register a new screening and, with ``decision`` "impose" or "not_impose", decide it.

        ``address``: street, house_number, postcode, city of the home. ``persons``: dicts with
        role (uithuisgeplaatste, achterblijver, kind, huisgenoot), first_name, last_name and
        optional birth_date (date), bsn, and for adults phone and email
        (``household.check_person``). ``rihg``: the RiHG's fields (standard_forms.RIHG_FIELDS).
        Every problem is a ``Refused`` naming its field (a person's as ``p<index>_<field>``, e.g.
        ``p0_birth_date`` for a banned person under 18 at T0, Wth art. 2 lid 2); nothing is
        written then. Two or more uithuisgeplaatsten give as many linked cases (module
        docstring); the answer is the first, with the others' numbers in ``linked``.

        Under a write key (``store.write_key``) the key maps to the new case: a repeat returns
        the case the first attempt created instead of registering a second one."""
        args = (
            actor,
            municipality_id,
            opened_at,
            dict(address),
            [dict(p) for p in persons],
            dict(rihg),
            rihg_author,
            decision,
            imposed_at,
            reason,
        )
        key = idempotency.take_write_key()
        if key is None:
            return self._guard(self._open_screening, *args)
        done = self._guard(self._screening_applied, key)
        if done is not None:
            return done
        try:
            with idempotency.recording(key):
                return self._guard(self._open_screening, *args)
        except (Refused, NotFound, IntegrityError):
            done = self._guard(self._screening_applied, key)  # a racing attempt won
            if done is None:
                raise
            return done

    def _screening_applied(self, key: str) -> NewCase | None:
        with self.engine.connect() as conn:
            done = applied_key(conn, key)
            if done is None:
                return None
            number, household = conn.execute(
                select(C.number, C.household_id).where(C.id == done.case_id)
            ).one()
            linked = ()
            if household is not None:
                linked = tuple(
                    conn.execute(
                        select(C.number)
                        .where(C.household_id == household, C.id != done.case_id)
                        .order_by(C.number)
                    ).scalars()
                )
        return NewCase(case_id=done.case_id, number=number, version=done.version, linked=linked)

    def _open_screening(
        self,
        actor,
        municipality_id,
        opened_at,
        address,
        persons,
        rihg,
        rihg_author,
        decision,
        imposed_at,
        reason,
    ) -> NewCase:
        self._check_actor(actor, Permission.CREATE_CASE)
        now = pendulum.instance(self.now())
        opened_at = _aware(opened_at, "opened_at")
        if opened_at > now + FUTURE_SLACK:
            raise Refused(
                f"Het begin van de screening ligt in de toekomst ({_fmt(opened_at)}).", "opened_at"
            )
        if opened_at < now - MAX_OPENED_AGO:
            raise Refused(
                f"Het begin van de screening ligt meer dan 7 dagen terug ({_fmt(opened_at)}).",
                "opened_at",
            )
        home = self._check_address(address)
        people = [self._check_person(i, p, now) for i, p in enumerate(persons)]
        if not any(p["role"] == PersonRole.UITHUISGEPLAATSTE.value for p in people):
            raise Refused("Vul de uithuisgeplaatste in.", "p0_last_name")
        rihg_fields, problems = check_fields(DocumentKind.RIHG, rihg, complete=True)
        if problems:
            name, message = next(iter(problems.items()))
            raise Refused(message[0].upper() + message[1:] + ".", name)
        author = (rihg_author or "").strip()
        if not author:
            raise Refused("Vul in wie de RiHG heeft afgenomen.", "rihg_author")

        with self.engine.connect() as conn:
            place = conn.execute(
                select(M.id, M.name, R.name.label("region"), R.rules_toml)
                .join(Region.__table__, R.id == M.region_id)
                .where(M.id == municipality_id)
            ).one_or_none()
        if place is None:
            raise Refused("Kies een gemeente.", "municipality_id")
        regions = None if self.scope is None else self.scope.regions
        if regions is not None and place.region not in regions:
            raise Refused(f"{place.name} valt buiten uw regio.", "municipality_id")
        rules = region_rules(place.rules_toml)
        facts = CaseFacts(
            number="",
            status=CaseStatus.SCREENING,
            kind=CaseKind.SCREENING,
            opened_at=opened_at,
            # the household as the domain judges it (Wth art. 2 lid 2: only an adult is banned)
            persons=tuple(_person_facts(p) for p in people),
        )
        decided = None
        if decision:
            try:
                act = CaseAction(decision)
            except ValueError:
                raise Refused(f"Onbekend besluit: {decision!r}.", "decision") from None
            if act not in (CaseAction.IMPOSE, CaseAction.NOT_IMPOSE):
                raise Refused("Kies opleggen of niet opleggen.", "decision")
            if not action_allowed(actor.roles, act):
                raise Refused(f"Uw rol mag niet besluiten over opleggen ({act.label}).", "decision")
            params = {}
            if act is CaseAction.IMPOSE:
                if imposed_at is None:
                    raise Refused("Vul het moment van opleggen (T0) in.", "imposed_at")
                params["imposed_at"] = t0 = _aware(imposed_at, "imposed_at")
                for index, person in enumerate(people):  # each banned person, at its own field
                    if person["role"] == PersonRole.UITHUISGEPLAATSTE.value:
                        try:
                            check_adult(_person_facts(person), t0)
                        except DomainError as exc:
                            raise Refused(exc.message, f"p{index}_{exc.field}") from None
            roles = {Role(r) for r in actor.roles if r in Role._value2member_map_}
            try:
                decided = transition(facts, act, roles, now, rules=rules, **params)
            except DomainError as exc:
                raise Refused(exc.message, exc.field or "decision") from None

        for attempt in range(5):
            try:
                return self._insert_screening(
                    actor,
                    place,
                    opened_at,
                    home,
                    people,
                    rihg_fields,
                    author,
                    facts,
                    decided,
                    decision,
                    reason,
                    rules,
                    now,
                )
            except IntegrityError:  # two new cases took the same number: take the next one
                key = idempotency.recording_key()
                if attempt == 4 or (key is not None and self._screening_applied(key) is not None):
                    raise  # (or a racing attempt with this write's key registered it)
        raise AssertionError("unreachable")

    @staticmethod
    def _check_address(address: Mapping[str, Any]) -> dict[str, str]:
        street = str(address.get("street") or "").strip()
        number = str(address.get("house_number") or "").strip()
        city = str(address.get("city") or "").strip()
        if not street:
            raise Refused("Vul de straat in.", "street")
        if not number:
            raise Refused("Vul het huisnummer in.", "house_number")
        if not number[0].isdigit():
            raise Refused(f"Een huisnummer begint met een cijfer, niet '{number}'.", "house_number")
        try:
            postcode = normalise_postcode(str(address.get("postcode") or ""))
        except DomainError as exc:
            raise Refused(exc.message, "postcode") from None
        if not city:
            raise Refused("Vul de plaats in.", "city")
        return {"street": street, "house_number": number, "postcode": postcode, "city": city}

    @staticmethod
    def _check_person(
        index: int, person: Mapping[str, Any], now: pendulum.DateTime
    ) -> dict[str, Any]:
        """One person of the form (``household.check_person``), refused at ``p<index>_<field>``."""
        try:
            return check_person(person, now)
        except DomainError as exc:
            raise Refused(exc.message, f"p{index}_{exc.field}") from None

    def _insert_screening(
        self,
        actor,
        place,
        opened_at,
        home,
        people,
        rihg_fields,
        author,
        facts,
        decided: CaseFacts | None,
        decision,
        reason,
        rules,
        now,
    ) -> NewCase:
        """The case (or, with more than one banned person, the linked cases: one per ban) in one
        transaction; the write key, if any, maps to the first."""
        households = one_case_per_ban(people)
        year = local(opened_at).year
        prefix = f"HV-{year}-"
        with self.engine.begin() as conn:
            numbers = conn.execute(select(C.number).where(C.number.like(prefix + "%"))).scalars()
            highest = max(
                (int(n[len(prefix) :]) for n in numbers if n[len(prefix) :].isdigit()), default=0
            )
            all_numbers = [f"{prefix}{highest + 1 + i:05d}" for i in range(len(households))]
            created: list[tuple[int, int]] = []  # (case id, version)
            household_id = None
            for number, household in zip(all_numbers, households, strict=True):
                linked = [n for n in all_numbers if n != number]
                case_id, version = self._insert_case(
                    conn,
                    actor,
                    place,
                    number,
                    linked,
                    opened_at,
                    home,
                    household,
                    rihg_fields,
                    author,
                    decided,
                    decision,
                    reason,
                    rules,
                    now,
                )
                if len(households) > 1:
                    household_id = household_id or case_id
                    conn.execute(
                        update(CT).where(C.id == case_id).values(household_id=household_id)
                    )
                created.append((case_id, version))
            first_id, first_version = created[0]
            record_key(conn, first_id, first_version, now)
        return NewCase(
            case_id=first_id,
            number=all_numbers[0],
            version=first_version,
            linked=tuple(all_numbers[1:]),
        )

    def _insert_case(
        self,
        conn: Connection,
        actor,
        place,
        number: str,
        linked: list[str],
        opened_at,
        home,
        people,
        rihg_fields,
        author,
        decided: CaseFacts | None,
        decision,
        reason,
        rules,
        now,
    ) -> tuple[int, int]:
        """One case of the screening with its household, RiHG and decision; (id, version)."""
        case_id = conn.execute(
            insert(CT).values(
                number=number,
                kind=CaseKind.SCREENING.value,
                status=CaseStatus.SCREENING.value,
                municipality_id=place.id,
                opened_at=opened_at,
                created_at=now,
                updated_at=now,
                version=1,
                **home,
            )
        ).inserted_primary_key[0]
        for person in people:
            conn.execute(insert(CasePerson.__table__).values(case_id=case_id, **person))

        def append(c: Connection, action: str, details: dict[str, Any]) -> None:
            self._event(c, case_id, actor, action, now, details)

        created = {
            "nummer": number,
            "gemeente": place.name,
            "begin": opened_at,
            "personen": len(people),
            "adres": f"{home['street']} {home['house_number']}",
        }
        if linked:  # one ban per banned person: the other cases of this household
            created["gekoppeld"] = linked
        append(conn, "case_created", created)
        own_role = registering_partner_role(actor.roles)
        if own_role is not None and actor.account_id is not None:
            partner_id = conn.execute(
                insert(CasePartner.__table__).values(
                    case_id=case_id,
                    role=own_role.value,
                    account_id=actor.account_id,
                    assigned_at=now,
                )
            ).inserted_primary_key[0]
            append(
                conn,
                "assign_partner",
                {
                    "rol": own_role.value,
                    "voor": [],
                    "na": actor.name,
                    "account_id": actor.account_id,
                    "extern": False,
                    "partner_id": partner_id,
                    "bij_registratie": True,
                },
            )
        document_id = conn.execute(
            insert(Document.__table__).values(
                case_id=case_id,
                kind=DocumentKind.RIHG.value,
                status=DocumentStatus.RECEIVED.value,
                requested_from_role="politie",
                received_at=now,
                author_account_id=actor.account_id,
                author_name=author,
                fields=rihg_fields,
                created_at=now,
                updated_at=now,
            )
        ).inserted_primary_key[0]
        append(
            conn,
            "document_received",
            {
                "document_id": document_id,
                "soort": DocumentKind.RIHG.value,
                "voor": {"status": None},
                "na": {"status": "received", "auteur": author},
            },
        )
        if decided is None:
            return case_id, 1
        values: dict[str, Any] = {
            "status": decided.status.value,
            "kind": decided.kind.value,
            "decided_at": decided.decided_at,
            "version": 2,
        }
        details: dict[str, Any] = {
            "voor": {"status": CaseStatus.SCREENING.value},
            "na": {"status": decided.status.value},
        }
        if decided.imposed_at is not None:
            values.update(
                imposed_at=decided.imposed_at,
                imposed_by_hovj=decided.imposed_by_hovj,
                ends_at=ban_end(decided.imposed_at),
            )
            details["na"]["imposed_at"] = decided.imposed_at
        if reason and reason.strip():
            details["reden"] = reason.strip()
        conn.execute(update(CT).where(C.id == case_id).values(**values))
        append(conn, CaseAction(decision).value, details)
        if decided.imposed_at is not None:
            impose_requests(conn, case_id, decided, rules, now, append)
        return case_id, 2


__all__ = ["IMPOSE_REQUESTS", "MunicipalityChoice", "NewCase", "Screenings", "impose_requests"]
