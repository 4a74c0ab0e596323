"""The case's documents: requesting one, receiving one (with its standard form), reminding about
a late one."""

from __future__ import annotations

from typing import Any

from hvo_tui.domain import ChecklistItem, DocumentState, Permission, ban_end
from hvo_tui.domain.decisions import CONTACT_BAN_FIELD, contact_ban_default
from hvo_tui.domain.localtime import format_moment
from hvo_tui.domain.standard_forms import RIHG_PARTS, form_fields
from hvo_tui.domain.vocab import DocumentKind, PartnerRole
from store.interface import QueueRow, Refused

from ..forms import FieldSpec
from ..widgets import glyph_text
from .base import CaseActionSpec, OnCase

# Which partner role delivers which document by default.
DOCUMENT_FROM = {
    DocumentKind.RIHG: PartnerRole.POLITIE,
    DocumentKind.BESCHIKKING: PartnerRole.HOVJ,
    DocumentKind.PROCES_VERBAAL: PartnerRole.POLITIE,
    DocumentKind.ZORGADVIES: PartnerRole.CASEMANAGER,
    DocumentKind.BELEIDSADVIES: PartnerRole.GEMEENTE,
    DocumentKind.HULPBEVESTIGING: PartnerRole.CASEMANAGER,
    DocumentKind.VERLENGING: PartnerRole.BESTUURDER,
    DocumentKind.INTREKKING: PartnerRole.BESTUURDER,
    DocumentKind.HERSTEL: PartnerRole.BESTUURDER,
}


class RequestDocument(CaseActionSpec):
    id = "request"
    key = "v"
    label = "Document opvragen"
    description = "Een document opvragen bij de rol die het levert, met een uiterste datum."
    permissions = (Permission.EDIT_CASE,)
    title = "Document opvragen"

    def fields(self, on: OnCase) -> list[FieldSpec]:
        return [
            FieldSpec("kind", "Document", "select", options=document_options()),
            FieldSpec(
                "from_role",
                "Bij (rol)",
                "select",
                options=[(r.label, r.value) for r in PartnerRole],
            ),
            FieldSpec("due_at", "Uiterlijk", "moment"),
        ]

    def prefill(self, on: OnCase) -> dict[str, Any]:
        """The first missing or late document, from its usual source, by the rules' due moment
        (or tomorrow when that has passed)."""
        open_kinds = [
            k
            for k, item in on.checklist.items()
            if item.state in (DocumentState.MISSING, DocumentState.LATE)
        ]
        kind = open_kinds[0] if open_kinds else DocumentKind.ZORGADVIES
        item = on.checklist.get(kind)
        due = item.due if item and item.due and item.due > on.now else on.now.add(days=1)
        return {"kind": kind.value, "from_role": DOCUMENT_FROM[kind].value, "due_at": due}

    def save(self, on: OnCase, values: dict[str, Any], version: int) -> int:
        return on.store.request_document(
            on.row.case_id,
            version,
            values["kind"],
            on.actor,
            from_role=values["from_role"],
            due_at=values["due_at"],
        )


class ReceiveDocument(CaseActionSpec):
    id = "receive"
    key = "o"
    label = "Document ontvangen"
    description = "Een ontvangen document vastleggen, met de velden van zijn standaardformulier."
    permissions = (Permission.SUBMIT_DOCUMENT, Permission.EDIT_CASE)
    title = "Document ontvangen"
    intro = "De velden van het standaardformulier van het gekozen document."

    def intro_for(self, on: OnCase) -> str:
        """The beschikking's duration is T0 and its end, computed (Wth art. 2 lid 4): shown."""
        t0 = on.facts.imposed_at
        if t0 is None:
            return self.intro
        return (
            f"{self.intro} Duur van de beschikking: {format_moment(t0)} tot "
            f"{format_moment(ban_end(t0))} (berekend uit het opleggen)."
        )

    def fields(self, on: OnCase) -> list[FieldSpec]:
        return [
            FieldSpec("kind", "Document", "select", options=document_options()),
            FieldSpec("received_at", "Ontvangen op", "moment"),
            FieldSpec("author", "Opgesteld door"),
            *standard_form_fields(),
        ]

    def prefill(self, on: OnCase) -> dict[str, Any]:
        """The document chosen (a deadline in the queue's list), else the first one still
        awaited; received now, by the partner in its usual source's role; its standard form
        filled from what the case holds."""
        waiting = [
            k
            for k, item in on.checklist.items()
            if item.state is not DocumentState.RECEIVED
            and item.state is not DocumentState.NOT_NEEDED
        ]
        if on.choice in DocumentKind._value2member_map_:
            kind = DocumentKind(on.choice)
        else:
            kind = waiting[0] if waiting else DocumentKind.ZORGADVIES
        author = next((p.name for p in on.row.partners if p.role == DOCUMENT_FROM[kind].value), "")
        return {
            "kind": kind.value,
            "received_at": on.now,
            "author": author,
            **standard_form_prefill(on.row),
        }

    def save(self, on: OnCase, values: dict[str, Any], version: int) -> int:
        prefix = f"{values['kind']}__"
        fields = {
            name[len(prefix) :]: value
            for name, value in values.items()
            if name.startswith(prefix) and value not in (None, "")
        }
        return on.store.receive_document(
            on.row.case_id,
            version,
            values["kind"],
            on.actor,
            received_at=values["received_at"],
            author_name=values["author"],
            fields=fields,
        )


class RemindDocument(CaseActionSpec):
    id = "remind"
    key = "r"
    label = "Herinneren"
    description = "Een herinnering sturen voor een opgevraagd document dat ontbreekt of te laat is."
    permissions = (Permission.EDIT_CASE,)
    title = "Herinnering sturen"
    intro = "De herinnering komt op de tijdlijn en in de uitgaande post (outbox)."

    @staticmethod
    def overdue(on: OnCase) -> list[tuple[DocumentKind, ChecklistItem]]:
        """The requested documents that are missing or late, the late ones first, by due."""
        late = [
            (k, item)
            for k, item in on.checklist.items()
            if item.state in (DocumentState.LATE, DocumentState.MISSING)
            and item.document is not None
        ]
        late.sort(key=lambda pair: (pair[1].state is not DocumentState.LATE, pair[1].due or on.now))
        return late

    def refusal(self, on: OnCase) -> str | None:
        if not self.overdue(on):
            return (
                "Er is geen opgevraagd document dat ontbreekt of te laat is; "
                "vraag het eerst op (v)."
            )
        return None

    def fields(self, on: OnCase) -> list[FieldSpec]:
        options = [
            (
                glyph_text(
                    on.app, f"{k.label} · {i.state.label} · uiterlijk {format_moment(i.due)}"
                ),
                k.value,
            )
            for k, i in self.overdue(on)
        ]
        return [FieldSpec("kind", "Document", "select", options=options)]

    def prefill(self, on: OnCase) -> dict[str, Any]:
        return {"kind": self.overdue(on)[0][0].value}

    def save(self, on: OnCase, values: dict[str, Any], version: int) -> int:
        # The document the choice reminds about comes from the row's facts: no logged read (a
        # case_detail would write a false "case_opened" to the audit log).
        doc = {k.value: i.document for k, i in self.overdue(on)}.get(values["kind"])
        if doc is None or doc.id is None:
            raise Refused(
                "Het opgevraagde document is niet te vinden in de gegevens van deze zaak; "
                "er is geen herinnering verstuurd. Vernieuw het overzicht en probeer het "
                "opnieuw.",
                "kind",
            )
        return on.store.remind_document(on.row.case_id, version, doc.id, on.actor)


def document_options() -> list[tuple[str, str]]:
    return [(k.label, k.value) for k in DocumentKind]


def standard_form_fields() -> list[FieldSpec]:
    """The fields of every document's standard form, each shown while that document is chosen
    (named ``<kind>__<field>``)."""
    specs: list[FieldSpec] = []
    for kind in DocumentKind:
        for i, field in enumerate(form_fields(kind)):
            kind_of_field = {"choice": "select", "multiline": "multiline"}.get(field.kind, "text")
            section = ""
            if i == 0:
                section = f"{kind.label}: standaardformulier"
            elif field.part and field.part != form_fields(kind)[i - 1].part:
                section = dict(RIHG_PARTS).get(field.part, "")
            specs.append(
                FieldSpec(
                    f"{kind.value}__{field.name}",
                    field.label,
                    kind_of_field,
                    required=field.required,
                    options=list(field.choices),
                    section=section,
                    when=("kind", kind.value),
                )
            )
    return specs


def standard_form_prefill(row: QueueRow) -> dict[str, Any]:
    """The standard forms' fields the case already knows the answer to."""
    facts = row.facts
    banned = next((p.name for p in facts.persons if p.role.value == "uithuisgeplaatste"), "")
    police = next((p.name for p in row.partners if p.role == PartnerRole.POLITIE.value), "")
    known = {
        (DocumentKind.BESCHIKKING, "uithuisgeplaatste"): banned,
        (DocumentKind.BESCHIKKING, "woning"): row.address,
        # Wth art. 2 lid 4: every achterblijver and child, one per line (the user may strike one).
        (DocumentKind.BESCHIKKING, CONTACT_BAN_FIELD): "\n".join(
            contact_ban_default(facts.persons)
        ),
        (DocumentKind.BESCHIKKING, "opgelegd_door"): "hovj"
        if facts.imposed_by_hovj
        else ("burgemeester" if facts.imposed_at else None),
        (DocumentKind.PROCES_VERBAAL, "verbalisant"): police,
        (DocumentKind.VERLENGING, "verlengd_tot"): format_moment(facts.extended_until),
    }
    return {f"{kind.value}__{name}": value for (kind, name), value in known.items() if value}
