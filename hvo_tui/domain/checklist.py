"""The document checklist of a case: which documents its phase needs, from whom, by when.

*received*: a document of the kind is on the case with status received/signed.
*missing*: required in the current phase and not received (its due moment not yet passed, or none).
*late*: required and not received, and its due moment has passed.
*not_needed*: not (yet) required in this phase.

Per status (stored status; the advice documents also become required from the warning day while
the ban runs, as ``effective_status`` shows such a case as "advies verwacht"):

=====================  ==========================================================================
screening              RiHG (no due moment yet: there is no T0)
not_imposed            RiHG (due at the decision not to impose, when known)
imposed, running       RiHG, beschikking, proces-verbaal; zorgadvies and beleidsadvies from the
                       advice warning day on
advice_due/_received   + zorgadvies, beleidsadvies
extended               + beschikking verlengen
withdrawn              + bevestiging hulpverlening, beschikking intrekken
expired                RiHG, beschikking, proces-verbaal, zorgadvies, beleidsadvies
closed, archived       as the facts show: with T0 as expired, plus beschikking verlengen when
                       extended; without T0 only the RiHG
destroyed              nothing (the file is gone): every queue document "not needed"
=====================  ==========================================================================

In every status with a decision a herstelbeschikking is required when the case carries the
herstel flag. A document of any other kind that is on the case (requested or received) is listed
too: requested means somebody needs it. The five queue documents are always listed first, in
``QUEUE_DOCUMENTS`` order, then the others that apply in ``DocumentKind`` order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import pendulum

from .common import document, require_aware
from .facts import CaseFacts, DocumentFacts
from .rules import RegionRules
from .timeline import add_days, ban_end
from .vocab import QUEUE_DOCUMENTS, CaseStatus, DocumentKind, Role


class DocumentState(StrEnum):
    RECEIVED = "received"
    MISSING = "missing"
    LATE = "late"
    NOT_NEEDED = "not_needed"

    @property
    def label(self) -> str:
        return _STATE_TEXT[self.value][0]

    @property
    def glyph(self) -> str:
        """One Unicode character for a compact queue column."""
        return _STATE_TEXT[self.value][1]

    @property
    def ascii(self) -> str:
        """One ASCII character for terminals without Unicode."""
        return _STATE_TEXT[self.value][2]


_STATE_TEXT = {
    "received": ("ontvangen", "✓", "+"),
    "missing": ("ontbreekt", "○", "o"),
    "late": ("te laat", "!", "!"),
    "not_needed": ("nog niet nodig", "·", "."),
}


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    kind: DocumentKind
    state: DocumentState
    required_from: Role
    due: pendulum.DateTime | None
    document: DocumentFacts | None
    label: str


_RUNNING = {CaseStatus.IMPOSED, CaseStatus.RUNNING}
_ADVICE = {CaseStatus.ADVICE_DUE, CaseStatus.ADVICE_RECEIVED}
_ENDED = {CaseStatus.WITHDRAWN, CaseStatus.EXPIRED, CaseStatus.CLOSED, CaseStatus.ARCHIVED}
_WITH_T0 = _RUNNING | _ADVICE | {CaseStatus.EXTENDED} | _ENDED
_BASE = (DocumentKind.RIHG, DocumentKind.BESCHIKKING, DocumentKind.PROCES_VERBAAL)
_ADVICE_DOCS = (DocumentKind.ZORGADVIES, DocumentKind.BELEIDSADVIES)


def _required(case: CaseFacts, now: datetime, rules: RegionRules) -> set[DocumentKind]:
    status = case.status
    if status is CaseStatus.DESTROYED:
        return set()
    if case.imposed_at is None or status in (CaseStatus.SCREENING, CaseStatus.NOT_IMPOSED):
        return {DocumentKind.RIHG}
    need = set(_BASE)
    if status in _RUNNING:
        if now >= add_days(case.imposed_at, rules.advice_warn_day):
            need |= set(_ADVICE_DOCS)
    elif status in _WITH_T0:
        need |= set(_ADVICE_DOCS)
    if status is CaseStatus.EXTENDED or (
        status in (CaseStatus.CLOSED, CaseStatus.ARCHIVED) and case.extended_until is not None
    ):
        need.add(DocumentKind.VERLENGING)
    if status is CaseStatus.WITHDRAWN:
        need |= {DocumentKind.HULPBEVESTIGING, DocumentKind.INTREKKING}
    if case.herstel:
        need.add(DocumentKind.HERSTEL)
    return need


def _rule(case: CaseFacts, kind: DocumentKind, rules: RegionRules) -> tuple[Role, datetime | None]:
    """Who makes a document and when it is due by the rules (None: no due moment known)."""
    t0 = case.imposed_at
    if kind is DocumentKind.RIHG:
        # Needed before the decision to impose: due at T0, or at the decision not to impose.
        due = (
            t0
            if t0 is not None
            else (case.decided_at if case.status is CaseStatus.NOT_IMPOSED else None)
        )
        return Role.POLITIE, due
    if kind is DocumentKind.BESCHIKKING:
        return (Role.HOVJ if case.imposed_by_hovj else Role.BESTUURDER), t0
    if t0 is None:
        return _ROLES[kind], None
    if kind is DocumentKind.PROCES_VERBAAL:
        return Role.POLITIE, add_days(t0, rules.proces_verbaal_day)
    if kind in _ADVICE_DOCS:
        return _ROLES[kind], add_days(t0, rules.advice_day)
    if kind is DocumentKind.VERLENGING:
        return Role.BESTUURDER, ban_end(t0)  # the extension must be decided while the ban runs
    if kind is DocumentKind.INTREKKING:
        return Role.BESTUURDER, case.decided_at if case.status is CaseStatus.WITHDRAWN else None
    if kind is DocumentKind.HULPBEVESTIGING:
        return Role.CASEMANAGER, case.decided_at if case.status is CaseStatus.WITHDRAWN else None
    return _ROLES[kind], None  # herstel: no legal term


_ROLES = {
    DocumentKind.RIHG: Role.POLITIE,
    DocumentKind.BESCHIKKING: Role.BESTUURDER,
    DocumentKind.PROCES_VERBAAL: Role.POLITIE,
    DocumentKind.ZORGADVIES: Role.CASEMANAGER,
    DocumentKind.BELEIDSADVIES: Role.BELEIDSMEDEWERKER,
    DocumentKind.HULPBEVESTIGING: Role.CASEMANAGER,
    DocumentKind.VERLENGING: Role.BESTUURDER,
    DocumentKind.INTREKKING: Role.BESTUURDER,
    DocumentKind.HERSTEL: Role.BESTUURDER,
}


def document_checklist(
    case: CaseFacts, now: datetime, rules: RegionRules = RegionRules()
) -> list[ChecklistItem]:
    """The checklist in fixed order: the queue documents first, then the others that apply."""
    now = require_aware(now, "now")
    required = _required(case, now, rules)
    items: list[ChecklistItem] = []
    for kind in DocumentKind:
        doc = document(case, kind) if case.status is not CaseStatus.DESTROYED else None
        if kind not in QUEUE_DOCUMENTS and kind not in required and doc is None:
            continue
        role, due = _rule(case, kind, rules)
        if doc is not None and doc.due_at is not None:
            due = doc.due_at  # a request's own due moment overrides the rule
        due = require_aware(due) if due is not None else None
        if doc is not None and doc.status.is_in:
            state = DocumentState.RECEIVED
        elif kind in required or (doc is not None and case.status is not CaseStatus.DESTROYED):
            state = DocumentState.LATE if due is not None and due < now else DocumentState.MISSING
        else:
            state = DocumentState.NOT_NEEDED
        items.append(
            ChecklistItem(
                kind=kind, state=state, required_from=role, due=due, document=doc, label=kind.label
            )
        )
    order = {kind: i for i, kind in enumerate(QUEUE_DOCUMENTS)}
    items.sort(key=lambda it: (order.get(it.kind, len(order)), list(DocumentKind).index(it.kind)))
    return items


def checklist_by_kind(
    case: CaseFacts, now: datetime, rules: RegionRules = RegionRules()
) -> dict[DocumentKind, ChecklistItem]:
    return {item.kind: item for item in document_checklist(case, now, rules)}
