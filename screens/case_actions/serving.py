"""Serving a decision (issue 16): "Uitreiking vastleggen". The moment a decision (beschikking,
verlenging, intrekking, herstel) was served on (uitgereikt) or announced orally to (mondeling,
Wth art. 2 lid 7) the banned person, by whom, and for an oral announcement the moment it was put
in writing; or a copy (afschrift) sent to another party. A decision counts from its serving.

One select says to whom and how (the banned person is served or told orally, anyone else gets a
copy: no combination the rules refuse can be chosen); the region's copy recipients come first.
The moment is prefilled to now and the name to the user's; the first decision not yet served is
chosen (the newest first: an extension must reach the banned person before the ban ends). The
queue's deadline list opens it on the verlenging (``OnCase.choice`` is a decision kind). The
rules are the domain's (``hvo_tui.domain.decisions``) and the store checks them again.
"""

from __future__ import annotations

from typing import Any

from hvo_tui.domain import Permission
from hvo_tui.domain.decisions import BANNED, COPY, COPY_RECIPIENTS, ORAL, RECIPIENTS, SERVED
from hvo_tui.domain.facts import DocumentFacts
from hvo_tui.domain.localtime import format_short
from hvo_tui.domain.signing import DECISION_KINDS
from hvo_tui.domain.vocab import DocumentKind

from ..forms import FieldSpec
from .base import CaseActionSpec, OnCase

SEP = "/"  # the select's value: "<recipient>/<manner>"


def how_value(recipient: str, manner: str) -> str:
    return f"{recipient}{SEP}{manner}"


def decisions(on: OnCase) -> list[DocumentFacts]:
    """The case's decisions that exist as decisions (received or signed), newest first."""
    found = [
        d
        for d in on.facts.documents
        if d.kind in DECISION_KINDS and d.status.is_in and d.id is not None
    ]
    return list(reversed(found))


def decision_label(doc: DocumentFacts) -> str:
    served = f"uitgereikt {format_short(doc.served_at)}" if doc.served_at else "nog niet uitgereikt"
    when = f" {format_short(doc.received_at)}" if doc.received_at else ""
    return f"{doc.kind.label} · {doc.status.label}{when} · {served}"


class ServeDecision(CaseActionSpec):
    id = "serve"
    key = "i"
    label = "Uitreiking vastleggen"
    description = (
        "Vastleggen dat een besluit is uitgereikt of mondeling aangezegd aan de "
        "uithuisgeplaatste (met het moment van op schrift stellen), of dat een afschrift is "
        "verstrekt; door wie en wanneer."
    )
    permissions = (Permission.PROGRESS,)
    title = "Uitreiking vastleggen"
    aliases = {"recipient": "how", "manner": "how", "document_id": "document"}

    def choices(self) -> list[tuple[str, str]]:
        """A palette entry per decision kind: "Uitreiking vastleggen: beschikking verlengen"."""
        return [(kind.value, kind.label) for kind in DECISION_KINDS]

    def choice_offered(self, actor, choice: str) -> bool:
        return choice in {k.value for k in DECISION_KINDS} and self.offered_to(actor)

    def refusal(self, on: OnCase) -> str | None:
        found = decisions(on)
        if not found:
            return (
                "Er is nog geen besluit om uit te reiken: leg eerst het besluit vast "
                "(o: document ontvangen)."
            )
        if on.choice and not any(d.kind.value == on.choice for d in found):
            label = (
                DocumentKind(on.choice).label
                if on.choice in DocumentKind._value2member_map_
                else on.choice
            )
            return f"Er is geen {label} vastgelegd om uit te reiken; leg die eerst vast (o)."
        return None

    def fields(self, on: OnCase) -> list[FieldSpec]:
        copies = [r for r in on.rules.copy_recipients if r in RECIPIENTS]
        copies += [r for r in COPY_RECIPIENTS if r not in copies]
        how = [
            ("uitgereikt aan de uithuisgeplaatste", how_value(BANNED, SERVED)),
            ("mondeling aangezegd aan de uithuisgeplaatste", how_value(BANNED, ORAL)),
            *(
                (
                    f"afschrift aan {RECIPIENTS[r]}"
                    + (" (regionale afspraak)" if r in on.rules.copy_recipients else ""),
                    how_value(r, COPY),
                )
                for r in copies
            ),
        ]
        return [
            FieldSpec(
                "document",
                "Besluit",
                "select",
                options=[(decision_label(d), str(d.id)) for d in decisions(on)],
            ),
            FieldSpec("how", "Aan wie en hoe", "select", options=how),
            FieldSpec("served_at", "Moment (uitgereikt, aangezegd of verstuurd)", "moment"),
            FieldSpec("served_by", "Door (naam)"),
            FieldSpec(
                "written_at",
                "Op schrift uitgereikt op (later aan te vullen)",
                "moment",
                required=False,
                when=("how", how_value(BANNED, ORAL)),
            ),
        ]

    def prefill(self, on: OnCase) -> dict[str, Any]:
        """The decision asked for (a deadline's), else the newest not yet served, else the
        newest; served on the banned person when it is not yet, else a copy to the first of the
        region's copy recipients; now; by the user."""
        found = decisions(on)
        chosen = next((d for d in found if on.choice and d.kind.value == on.choice), None)
        chosen = chosen or next((d for d in found if d.served_at is None), found[0])
        copy_to = next(iter(on.rules.copy_recipients), COPY_RECIPIENTS[0])
        how = how_value(BANNED, SERVED) if chosen.served_at is None else how_value(copy_to, COPY)
        return {
            "document": str(chosen.id),
            "how": how,
            "served_at": on.now,
            "served_by": on.actor.name,
        }

    def intro_for(self, on: OnCase) -> str:
        copies = ", ".join(RECIPIENTS[r] for r in on.rules.copy_recipients if r in RECIPIENTS)
        line = "Een besluit werkt vanaf de uitreiking (Wth art. 2 lid 7)."
        return f"{line} Afschrift in deze regio aan: {copies}." if copies else line

    def save(self, on: OnCase, values: dict[str, Any], version: int) -> int:
        recipient, _, manner = str(values["how"]).partition(SEP)
        return on.store.record_serving(
            on.row.case_id,
            version,
            on.actor,
            document_id=int(values["document"]),
            recipient=recipient,
            manner=manner,
            served_at=values["served_at"],
            served_by=values["served_by"],
            written_at=values.get("written_at"),
        )
