"""Serving a decision (issue 16): the moment a decision reached the banned person (served,
uitgereikt, or announced orally, mondeling, with the moment that was put in writing), and the
copies (afschrift) sent to other parties; by whom.

``Servings`` is a repository like the case writes (store/writes.py): the version claim with the
actor's scope, the change, one event, in one transaction, under the write key. The rules are the
domain's (``hvo_tui.domain.decisions``: ``check_serving``, ``decision_moment``); this module keeps
the rows (``decision_serving``, migration 0011) and answers with them.

* Only a decision (beschikking, verlenging, intrekking, herstel) that exists as a decision is
  served: received (a paper decision registered) or signed. A draft is no decision yet, a
  requested one has no content, a rejected one is not served.
* The serving moment lies between the decision (``decision_moment``: T0 for the beschikking, the
  signature for a later decision signed in hvo, else the case's decision or the registration) and
  now; an oral announcement's written moment between it and now.
* Putting an oral announcement in writing later: the same serving recorded again (same document,
  recipient, "mondeling", the same moment to the minute) with ``written_at`` completes the row
  that lacked it; the event keeps before and after. Recording the very same serving twice is
  refused.
* Who may record: the roles that record the process steps (``Permission.PROGRESS``: the
  procesmanager, the police, the HOvJ, the bestuurder); support reads only. ``served_by`` is who
  handed it over (free text: often a police officer without an account); when it is the actor's
  own name the row also keeps the actor's account.

The event (``decision_served``) holds codes and moments, and the name of the professional who
served it under ``uitgereikt_door``, which the retention code redacts with the other free text
when the case is destroyed (``hvo_tui.domain.retention.FREE_TEXT_KEYS``); the rows themselves go
with the case (store/case_writes.py ``_destroy``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection

from hvo_tui.domain import DomainError
from hvo_tui.domain import decisions as dec
from hvo_tui.domain.facts import PersonFacts
from hvo_tui.domain.permissions import Permission
from hvo_tui.domain.signing import is_decision
from hvo_tui.domain.vocab import DocumentKind, DocumentStatus, PersonRole

from .interface import Actor, Refused, ServingRow
from .models import Case, CasePerson, DecisionServing, DecisionSignature, Document
from .types import UTCDateTime
from .writes import CaseWriter

C = Case.__table__.c
D = Document.__table__.c
P = CasePerson.__table__.c
SIG = DecisionSignature.__table__.c
SVT = DecisionServing.__table__
SV = SVT.c

SERVED_EVENT = "decision_served"
_SAME_MINUTE = timedelta(minutes=1)


def _aware(value: Any, field: str, *, optional: bool = False) -> datetime | None:
    if value is None and optional:
        return None
    if not isinstance(value, datetime):
        raise Refused("Vul een geldig moment in (dag en tijd).", field)
    if value.tzinfo is None or value.utcoffset() is None:
        raise Refused("Een moment zonder tijdzone is niet eenduidig.", field)
    return value


def _code(value: Any, field: str) -> str:
    """A recipient or manner code as given (the domain says whether it is known)."""
    if not isinstance(value, str):
        raise Refused("Kies een waarde uit de lijst.", field)
    return value.strip()


def servings_of(conn: Connection, case_id: int) -> tuple[ServingRow, ...]:
    """Every serving and copy of the case's decisions, in the order they happened."""
    return tuple(
        ServingRow(
            id=r.id,
            document_id=r.document_id,
            kind=r.kind,
            recipient=r.recipient,
            manner=r.manner,
            served_at=r.served_at,
            written_at=r.written_at,
            served_by=r.served_by_name,
        )
        for r in conn.execute(
            select(
                SV.id,
                SV.document_id,
                D.kind,
                SV.recipient,
                SV.manner,
                SV.served_at,
                SV.written_at,
                SV.served_by_name,
            )
            .join(Document.__table__, D.id == SV.document_id)
            .where(SV.case_id == case_id)
            .order_by(SV.served_at, SV.id)
        )
    )


def first_served(document_id):
    """A scalar subquery for the document whose id is the column ``document_id``: the first
    moment the decision reached the banned person (served or announced orally; copies do not
    count), or NULL. One index probe per document (``decision_serving.document_id``)."""
    return (
        select(func.min(SV.served_at, type_=UTCDateTime()))
        .where(
            SV.document_id == document_id,
            SV.recipient == dec.BANNED,
            SV.manner.in_([dec.SERVED, dec.ORAL]),
        )
        .scalar_subquery()
    )


def content_problems(
    conn: Connection, case_id: int, kind: str, fields: dict[str, Any]
) -> dict[str, str]:
    """{field: Dutch message} for what the decision document of ``kind`` lacks that the law
    requires (``decisions.content_problems``), with the case's T0 and household; empty for a
    document that is no decision, or a complete one."""
    if not is_decision(kind):
        return {}
    imposed_at = conn.execute(select(C.imposed_at).where(C.id == case_id)).scalar()
    household = tuple(
        PersonFacts(role=PersonRole(p.role), name=f"{p.first_name} {p.last_name}")
        for p in conn.execute(
            select(P.role, P.first_name, P.last_name).where(P.case_id == case_id).order_by(P.id)
        )
        if p.role in PersonRole._value2member_map_
    )
    return dec.content_problems(kind, fields, imposed_at=imposed_at, household=household)


class Servings(CaseWriter):
    """Recording that a decision was served, announced orally, or sent as a copy."""

    def record_serving(
        self,
        case_id: int,
        version: int,
        actor: Actor,
        *,
        document_id: int,
        recipient: str,
        manner: str,
        served_at: datetime,
        served_by: str,
        written_at: datetime | None = None,
    ) -> int:
        return self._keyed(
            case_id,
            actor,
            self._record_serving,
            case_id,
            version,
            actor,
            document_id,
            recipient,
            manner,
            served_at,
            served_by,
            written_at,
        )

    def _record_serving(
        self,
        case_id: int,
        version: int,
        actor: Actor,
        document_id: Any,
        recipient: Any,
        manner: Any,
        served_at: Any,
        served_by: Any,
        written_at: Any,
    ) -> int:
        self._check_actor(actor, Permission.PROGRESS)
        if isinstance(document_id, bool) or not isinstance(document_id, int):
            raise Refused("Kies het besluit dat is uitgereikt.", "document_id")
        recipient = _code(recipient, "recipient")
        manner = _code(manner, "manner")
        served_at = _aware(served_at, "served_at")
        written_at = _aware(written_at, "written_at", optional=True)
        if not isinstance(served_by, str):
            raise Refused("Vul in wie het besluit uitreikte of bekendmaakte.", "served_by")
        name = " ".join(served_by.split())
        now = self.now()
        with self.engine.begin() as conn:
            case = self._bump(conn, case_id, version, now, actor)
            self._writable(case)
            doc = self._decision(conn, case_id, document_id)
            decided = self._decided_at(conn, case_id, doc)
            try:
                dec.check_serving(
                    dec.Serving(
                        kind=DocumentKind(doc.kind),
                        decided_at=decided,
                        served_at=served_at,
                        served_by=name,
                        written_at=written_at,
                        recipient=recipient,
                        manner=manner,
                    ),
                    now,
                )
            except DomainError as exc:
                raise Refused(exc.message, exc.field) from None
            same = [
                r
                for r in conn.execute(
                    select(SV.id, SV.served_at, SV.written_at).where(
                        SV.document_id == doc.id, SV.recipient == recipient, SV.manner == manner
                    )
                )
                if abs(r.served_at - served_at) < _SAME_MINUTE
            ]
            completes = next(
                (r for r in same if r.written_at is None and written_at is not None), None
            )
            if completes is None and same:
                raise Refused(
                    "Deze uitreiking is al vastgelegd (zelfde besluit, ontvanger, wijze en "
                    "moment).",
                    "served_at",
                )
            details: dict[str, Any] = {
                "document_id": doc.id,
                "soort": doc.kind,
                "ontvanger": recipient,
                "wijze": manner,
                "uitgereikt": served_at,
                "uitgereikt_door": name,
            }
            if completes is not None:
                conn.execute(update(SVT).where(SV.id == completes.id).values(written_at=written_at))
                serving_id = completes.id
                details["voor"] = {"op_schrift": None}
                details["na"] = {"op_schrift": written_at}
            else:
                own = actor.account_id if name.casefold() == actor.name.strip().casefold() else None
                serving_id = conn.execute(
                    insert(SVT).values(
                        document_id=doc.id,
                        case_id=case_id,
                        recipient=recipient,
                        manner=manner,
                        served_at=served_at,
                        written_at=written_at,
                        served_by_name=name,
                        served_by_account_id=own,
                        created_at=now,
                    )
                ).inserted_primary_key[0]
                if written_at is not None:
                    details["op_schrift"] = written_at
            details["uitreiking_id"] = serving_id
            self._event(conn, case_id, actor, SERVED_EVENT, now, details)
        return version + 1

    @staticmethod
    def _decision(conn: Connection, case_id: int, document_id: int):
        """The decision document, if it exists as a decision on this case; Refused otherwise."""
        doc = conn.execute(
            select(D.id, D.case_id, D.kind, D.status, D.received_at).where(D.id == document_id)
        ).one_or_none()
        if doc is None or doc.case_id != case_id:
            raise Refused("Dit document hoort niet bij deze zaak.", "document_id")
        label = DocumentKind(doc.kind).label if doc.kind in DocumentKind._value2member_map_ else ""
        if not is_decision(doc.kind):
            raise Refused(f"Een {label} is geen besluit om uit te reiken.", "document_id")
        status = DocumentStatus(doc.status)
        if status is DocumentStatus.DRAFT:
            raise Refused(
                f"Deze {label} is nog een concept: een besluit wordt uitgereikt na ondertekening.",
                "document_id",
            )
        if status is DocumentStatus.REJECTED:
            raise Refused(f"Deze {label} is afgewezen en wordt niet uitgereikt.", "document_id")
        if not status.is_in:
            raise Refused(
                f"Deze {label} is nog niet vastgelegd; leg het besluit eerst vast (document "
                "ontvangen), dan de uitreiking.",
                "document_id",
            )
        return doc

    @staticmethod
    def _decided_at(conn: Connection, case_id: int, doc) -> datetime:
        facts = conn.execute(
            select(C.imposed_at, C.extension_decided_at, C.decided_at).where(C.id == case_id)
        ).one()
        signed_at = conn.execute(
            select(func.min(SIG.signed_at, type_=UTCDateTime())).where(SIG.document_id == doc.id)
        ).scalar()
        kind = DocumentKind(doc.kind)
        case_moment = (
            facts.extension_decided_at if kind is DocumentKind.VERLENGING else facts.decided_at
        )
        decided = dec.decision_moment(
            kind,
            imposed_at=facts.imposed_at,
            signed_at=signed_at,
            received_at=doc.received_at,
            decided_at=case_moment,
        )
        if decided is None:
            raise Refused(
                "Het moment van dit besluit is niet bekend (nog niet opgelegd): uitreiken kan "
                "nog niet.",
                "document_id",
            )
        return decided


__all__ = ["SERVED_EVENT", "Servings", "content_problems", "first_served", "servings_of"]
