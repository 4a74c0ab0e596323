"""What happened around the case: a meeting held, a note or contact moment."""

from __future__ import annotations

from typing import Any

from hvo_tui.domain import Permission

from ..forms import FieldSpec
from .base import CaseActionSpec, OnCase


class RecordMeeting(CaseActionSpec):
    id = "meeting"
    key = "g"
    label = "Overleg vastleggen"
    description = "Een gehouden overleg (dag 3, MDO) vastleggen: deelnemers en uitkomst."
    permissions = (Permission.EDIT_CASE,)
    title = "Overleg vastleggen"

    def fields(self, on: OnCase) -> list[FieldSpec]:
        return [
            FieldSpec(
                "kind",
                "Soort",
                "select",
                default="overleg_dag3",
                options=[
                    ("overleg dag 3", "overleg_dag3"),
                    ("MDO", "mdo"),
                    ("ander overleg", "other"),
                ],
            ),
            FieldSpec("held_at", "Gehouden op", "moment"),
            FieldSpec("participants", "Deelnemers"),
            FieldSpec("outcome", "Uitkomst", "multiline"),
        ]

    def prefill(self, on: OnCase) -> dict[str, Any]:
        """Held now, with the case's partners."""
        return {
            "held_at": on.now,
            "participants": ", ".join(p.name for p in on.row.partners),
        }

    def save(self, on: OnCase, values: dict[str, Any], version: int) -> int:
        return on.store.record_meeting(
            on.row.case_id,
            version,
            on.actor,
            kind=values["kind"],
            held_at=values["held_at"],
            participants=values["participants"],
            outcome=values["outcome"],
        )


class AddNote(CaseActionSpec):
    id = "note"
    key = "n"
    label = "Notitie"
    description = "Een notitie of contactmoment bij de zaak schrijven."
    permissions = (Permission.EDIT_CASE,)
    title = "Notitie"

    def fields(self, on: OnCase) -> list[FieldSpec]:
        return [
            FieldSpec(
                "kind",
                "Soort",
                "select",
                default="note",
                options=[("notitie", "note"), ("contactmoment", "contact")],
            ),
            FieldSpec("text", "Tekst", "multiline"),
        ]

    def save(self, on: OnCase, values: dict[str, Any], version: int) -> int:
        return on.store.add_note(
            on.row.case_id, version, on.actor, text=values["text"], kind=values["kind"]
        )
