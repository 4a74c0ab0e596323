"""The case's legal course: the mayor's decisions (extend, withdraw, let expire, herstel) and the
other life-cycle steps (status, appeal, violation, closing)."""

from __future__ import annotations

from typing import Any

from hvo_tui.domain import (
    ACTION_PERMISSION,
    CaseAction,
    Permission,
    action_allowed,
    allowed_actions,
    extension_limit,
)
from hvo_tui.domain import refusal as rule_refusal
from hvo_tui.domain.localtime import format_moment
from hvo_tui.domain.steps import STEPS
from store.interface import Actor

from ..forms import FieldSpec
from .base import CaseActionSpec, OnCase

DECISIONS = (CaseAction.EXTEND, CaseAction.WITHDRAW, CaseAction.LET_EXPIRE, CaseAction.HERSTEL)
# The process steps have their own form (steps.py): each takes the moment it happened.
STEP_ACTIONS = tuple(CaseAction(step.action) for step in STEPS)
# What the life-cycle form offers: every action but the mayor's decisions and the steps.
LIFE_CYCLE = tuple(a for a in CaseAction if a not in DECISIONS and a not in STEP_ACTIONS)


class MayorDecision(CaseActionSpec):
    id = "decide"
    key = "b"
    label = "Besluit burgemeester"
    description = "Het besluit van de burgemeester: verlengen, intrekken, laten aflopen of herstel."
    permissions = (Permission.DECIDE,)
    title = "Besluit burgemeester"

    @staticmethod
    def possible(on: OnCase) -> list[CaseAction]:
        """The decisions the rules allow on this case now and the actor may take."""
        return [
            a
            for a in DECISIONS
            if rule_refusal(on.facts, a, on.roles, on.now, on.rules) is None
            and action_allowed(on.actor.roles, a)
        ]

    def limit(self, on: OnCase):
        """The latest moment an extension may run to (28 days after T0)."""
        return extension_limit(on.facts.imposed_at) if on.facts.imposed_at else None

    def refusal(self, on: OnCase) -> str | None:
        if self.possible(on):
            return None
        reasons = {rule_refusal(on.facts, a, on.roles, on.now, on.rules) for a in DECISIONS}
        return "Geen besluit mogelijk: " + "; ".join(sorted(r for r in reasons if r))

    def fields(self, on: OnCase) -> list[FieldSpec]:
        return [
            FieldSpec(
                "action",
                "Besluit",
                "select",
                options=[(a.label, a.value) for a in self.possible(on)],
            ),
            FieldSpec(
                "extended_until", "Verlengen tot (alleen bij verlengen)", "moment", required=False
            ),
        ]

    def prefill(self, on: OnCase) -> dict[str, Any]:
        return {"action": self.possible(on)[0].value, "extended_until": self.limit(on)}

    def intro_for(self, on: OnCase) -> str:
        limit = self.limit(on)
        if not limit:
            return ""
        return (
            f"T0 {format_moment(on.facts.imposed_at)} · uiterlijk {format_moment(limit)} (28 dagen)"
        )

    def save(self, on: OnCase, values: dict[str, Any], version: int) -> int:
        extra = (
            {"extended_until": values["extended_until"]}
            if values["action"] == CaseAction.EXTEND.value
            else {}
        )
        return on.store.apply_action(on.row.case_id, version, values["action"], on.actor, **extra)


class LifeCycle(CaseActionSpec):
    id = "lifecycle"
    key = "l"
    label = "Status / beroep / sluiten"
    description = "De andere stappen in de levensloop: status, beroep, overtreding, sluiten."
    # Each life-cycle step is filed under one permission of the matrix; the role rule of the
    # step itself (``action_allowed``) decides what is offered, see ``offered_to``.
    permissions = tuple(
        dict.fromkeys(ACTION_PERMISSION[a] for a in LIFE_CYCLE if a in ACTION_PERMISSION)
    )
    title = "Status, beroep of sluiten"
    # The rules name the moment by what it is; on this form it is the one moment field.
    aliases = {
        name: "moment" for name in ("imposed_at", "requested_at", "hearing_at", "decided_at")
    } | {"reason": "outcome"}

    def offered_to(self, actor: Actor) -> bool:
        return any(action_allowed(actor.roles, a) for a in LIFE_CYCLE)

    @staticmethod
    def possible(on: OnCase) -> list[CaseAction]:
        return [
            a
            for a in allowed_actions(on.facts, on.roles, on.now, on.rules)
            if a in LIFE_CYCLE and action_allowed(on.actor.roles, a)
        ]

    def refusal(self, on: OnCase) -> str | None:
        if self.possible(on):
            return None
        return "Voor deze zaak is nu geen statuswijziging mogelijk met uw rol."

    def fields(self, on: OnCase) -> list[FieldSpec]:
        return [
            FieldSpec(
                "action",
                "Actie",
                "select",
                options=[(a.label, a.value) for a in self.possible(on)],
            ),
            FieldSpec(
                "moment",
                "Moment (opleggen, beroep, zitting, uitspraak)",
                "moment",
                required=False,
            ),
            FieldSpec("outcome", "Uitspraak / reden", required=False),
            # Wth art. 2 lid 3: a ban for child abuse only after Veilig Thuis was consulted
            FieldSpec(
                "child_abuse",
                "Kindermishandeling (vermoeden)?",
                "select",
                options=[("nee", "nee"), ("ja (Veilig Thuis vooraf geraadpleegd)", "ja")],
                when=("action", CaseAction.IMPOSE.value),
            ),
        ]

    def prefill(self, on: OnCase) -> dict[str, Any]:
        return {
            "action": self.possible(on)[0].value,
            "moment": on.now,
            "child_abuse": "ja" if on.facts.child_abuse else "nee",
        }

    def save(self, on: OnCase, values: dict[str, Any], version: int) -> int:
        return on.store.apply_action(
            on.row.case_id, version, values["action"], on.actor, **lifecycle_params(values)
        )


def lifecycle_params(values: dict[str, Any]) -> dict[str, Any]:
    """The store's parameters of a life-cycle step from the form's one moment and outcome."""
    action = CaseAction(values["action"])
    moment = values.get("moment")
    if action is CaseAction.IMPOSE:
        params = {"imposed_at": moment} if moment else {}
        if values.get("child_abuse") == "ja":
            params["child_abuse"] = True
        return params
    if action is CaseAction.REGISTER_APPEAL and moment:
        return {"requested_at": moment}
    if action is CaseAction.SCHEDULE_HEARING:
        return {"hearing_at": moment}
    if action is CaseAction.DECIDE_APPEAL:
        params: dict[str, Any] = {"outcome": values.get("outcome")}
        if moment:
            params["decided_at"] = moment
        return params
    return {}
