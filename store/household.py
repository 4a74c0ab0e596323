"""The household of a case after its screening: persons added and corrected, the linked cases.

``Households`` is a repository over the store's ``Database``. Its writes follow store/writes.py
(``CaseWriter``): in ONE transaction the version claim with the actor's scope (``_bump``), the
change, one hash-chained event. Who may: whoever may register a screening (police, HOvJ,
procesmanager) or work on a case (casemanager, Veilig Thuis); support only reads.

The rules are the domain's (hvo_tui/domain/household.py): ``check_person`` for what is recorded
of a person, ``check_household`` for the case as a whole (one banned person per case, who stays
so; an adult at T0 once the ban is imposed).

Events, and their personal data: ``person_added`` and ``person_corrected`` hold the person's id,
role and, for a correction, the names of the fields that changed (``velden``); the values before
and after sit under the key ``persoon`` (``voor.persoon``, ``na.persoon``). That key is in
``hvo_tui.domain.retention.FREE_TEXT_KEYS``: when the case is destroyed after its retention term
the whole value is replaced by the marker (``audit.redact_case_events``), as other personal data
in events is. A reader who may not see person data (support) gets those values as initials
(``mask_person_events``), as the persons themselves.

The linked cases (``household_cases``): when a screening banned more than one person from one
home, each got a case of their own, all sharing ``hvo_case.household_id`` (store/screening.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from hvo_tui.domain import DomainError, mask_person
from hvo_tui.domain.facts import PersonFacts
from hvo_tui.domain.household import PERSON_FIELDS, check_household, check_person
from hvo_tui.domain.permissions import Permission
from hvo_tui.domain.vocab import PersonRole

from .interface import Actor, EventRow, LinkedCase, Refused
from .models import Case, CasePerson
from .scope import case_scope_clause
from .writes import CaseWriter

C = Case.__table__.c
P = CasePerson.__table__.c
PERSON_EVENTS = ("person_added", "person_corrected")
PERSON_KEY = "persoon"  # under voor/na: the person's data (redacted after retention)
# Who may change a household: who registers screenings, and who works on the case.
HOUSEHOLD_PERMISSIONS = (Permission.EDIT_CASE, Permission.CREATE_CASE)


def _facts(person: Mapping[str, Any]) -> PersonFacts:
    return PersonFacts(
        role=PersonRole(person["role"]),
        name=f"{person['first_name']} {person['last_name']}",
        birth_date=person.get("birth_date"),
        bsn=person.get("bsn"),
    )


def _refused(exc: DomainError) -> Refused:
    return Refused(exc.message, exc.field)


def mask_person_events(events: Iterable[EventRow]) -> tuple[EventRow, ...]:
    """``events`` with the person data in household events reduced to initials (names) and
    nothing (birth date, BSN, phone, e-mail), for a reader who may not see person data."""

    def masked(data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        out = {}
        for key, value in data.items():
            if key in ("first_name", "last_name"):
                out[key] = mask_person(str(value)) if value else value
            elif key in ("birth_date", "bsn", "phone", "email"):
                out[key] = None
            else:
                out[key] = value
        return out

    result = []
    for event in events:
        if event.action not in PERSON_EVENTS:
            result.append(event)
            continue
        details = dict(event.details)
        for side in ("voor", "na"):
            part = details.get(side)
            if isinstance(part, Mapping) and PERSON_KEY in part:
                details[side] = {**part, PERSON_KEY: masked(part[PERSON_KEY])}
        result.append(replace(event, details=details))
    return tuple(result)


class Households(CaseWriter):
    """Persons added to and corrected on a case (each a case write with its event), and the
    other cases of the same household."""

    # --- writes ----------------------------------------------------------------------------------

    def add_person(
        self, case_id: int, version: int, actor: Actor, *, person: Mapping[str, Any]
    ) -> int:
        """A person joins the household of the case (role, names, birth date, BSN, and for an
        adult phone and e-mail). Returns the new version."""
        return self._keyed(
            case_id, actor, self._add_person, case_id, version, actor, dict(person or {})
        )

    def _add_person(self, case_id: int, version: int, actor: Actor, person: dict) -> int:
        self._check_actor(actor, *HOUSEHOLD_PERMISSIONS)
        now = self.now()
        try:
            clean = check_person(person, now)
        except DomainError as exc:
            raise _refused(exc) from None
        with self.engine.begin() as conn:
            case = self._bump(conn, case_id, version, now, actor)
            self._writable(case)
            before = self._household(conn, case_id)
            try:
                check_household(
                    [_facts(p) for p in before.values()],
                    [*(_facts(p) for p in before.values()), _facts(clean)],
                    case.imposed_at,
                )
            except DomainError as exc:
                raise _refused(exc) from None
            person_id = conn.execute(
                insert(CasePerson.__table__).values(case_id=case_id, **clean)
            ).inserted_primary_key[0]
            self._event(
                conn,
                case_id,
                actor,
                "person_added",
                now,
                {
                    "persoon_id": person_id,
                    "rol": clean["role"],
                    "na": {PERSON_KEY: clean},
                },
            )
        return version + 1

    def correct_person(
        self,
        case_id: int,
        version: int,
        person_id: int,
        actor: Actor,
        *,
        changes: Mapping[str, Any],
    ) -> int:
        """Correct a person of the household: the fields in ``changes`` (of role, first_name,
        last_name, birth_date, bsn, phone, email; None or "" clears an optional one) replace the
        recorded ones. Refused when nothing changes. Returns the new version."""
        return self._keyed(
            case_id,
            actor,
            self._correct_person,
            case_id,
            version,
            person_id,
            actor,
            dict(changes or {}),
        )

    def _correct_person(
        self, case_id: int, version: int, person_id: int, actor: Actor, changes: dict
    ) -> int:
        self._check_actor(actor, *HOUSEHOLD_PERMISSIONS)
        unknown = sorted(set(changes) - set(PERSON_FIELDS))
        if unknown:
            raise Refused(f"Een persoon heeft geen gegeven '{unknown[0][:40]}'.", unknown[0][:40])
        now = self.now()
        with self.engine.begin() as conn:
            case = self._bump(conn, case_id, version, now, actor)
            self._writable(case)
            before = self._household(conn, case_id)
            current = before.get(person_id)
            if current is None:
                raise Refused("Deze persoon hoort niet bij deze zaak.", "person_id")
            try:
                clean = check_person({**current, **changes}, now)
                after = {**before, person_id: clean}
                check_household(
                    [_facts(p) for p in before.values()],
                    [_facts(p) for p in after.values()],
                    case.imposed_at,
                )
            except DomainError as exc:
                raise _refused(exc) from None
            changed = [name for name in PERSON_FIELDS if clean[name] != current[name]]
            if not changed:
                raise Refused("Er is niets gewijzigd aan deze persoon.")
            conn.execute(
                update(CasePerson.__table__)
                .where(P.id == person_id, P.case_id == case_id)
                .values(**{name: clean[name] for name in changed})
            )
            self._event(
                conn,
                case_id,
                actor,
                "person_corrected",
                now,
                {
                    "persoon_id": person_id,
                    "rol": clean["role"],
                    "velden": changed,
                    "voor": {PERSON_KEY: {name: current[name] for name in changed}},
                    "na": {PERSON_KEY: {name: clean[name] for name in changed}},
                },
            )
        return version + 1

    @staticmethod
    def _household(conn: Connection, case_id: int) -> dict[int, dict[str, Any]]:
        """The persons of the case as recorded, by id, in the order they were added."""
        rows = conn.execute(
            select(P.id, *(getattr(P, name) for name in PERSON_FIELDS))
            .where(P.case_id == case_id)
            .order_by(P.id)
        ).all()
        return {row.id: {name: getattr(row, name) for name in PERSON_FIELDS} for row in rows}

    # --- the linked cases ------------------------------------------------------------------------

    def household_cases(self, case_id: int) -> list[LinkedCase]:
        """The other cases of this case's household (another banned person from the same home),
        by number; empty for a case that stands alone. Only cases the reader may see; no person
        data (the other banned person is a huisgenoot in this case's own household)."""
        return self._guard(self._household_cases, case_id)

    def _household_cases(self, case_id: int) -> list[LinkedCase]:
        own = select(C.household_id).where(C.id == case_id)
        if self.scope is not None:
            own = own.where(case_scope_clause(self.scope))
        query = select(C.id, C.number, C.status, C.imposed_at, C.ends_at).where(
            C.household_id == own.scalar_subquery(), C.id != case_id
        )
        if self.scope is not None:
            query = query.where(case_scope_clause(self.scope))
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(C.number)).all()
        return [
            LinkedCase(
                case_id=r.id,
                number=r.number,
                status=r.status,
                imposed_at=r.imposed_at,
                ends_at=r.ends_at,
            )
            for r in rows
        ]


__all__ = ["HOUSEHOLD_PERMISSIONS", "Households", "PERSON_EVENTS", "mask_person_events"]
