"""The process steps around a ban (hvo_tui/domain/steps.py): the mayor, the household and Veilig
Thuis informed, Veilig Thuis consulted before imposing (child abuse), the banned person's
reachable address. One action, "Processtap vastleggen", with the step as its first field: keys
are scarce at 80x24, and the form offers only the steps the rules and the actor's roles allow on
this case now. The queue's deadline list opens it with the highlighted deadline's step chosen
(``OnCase.choice``); the palette has an entry per step.
"""

from __future__ import annotations

from typing import Any

from hvo_tui.domain import (
    DeadlineState,
    Permission,
    action_allowed,
    case_deadlines,
)
from hvo_tui.domain import refusal as rule_refusal
from hvo_tui.domain.localtime import format_moment
from hvo_tui.domain.steps import STEP_BY_ACTION, STEPS, ProcessStep
from store.interface import Actor

from ..forms import FieldSpec
from .base import CaseActionSpec, OnCase

ADDRESS = "record_reachable_address"
ADDRESS_MAX = 300  # as the rules: hvo_tui/domain/lifecycle.py, _apply_step


def step_label(step: ProcessStep) -> str:
    """The step's Dutch label with a capital, as a form or the palette shows it."""
    return step.label[:1].upper() + step.label[1:]


class RecordStep(CaseActionSpec):
    id = "step"
    key = "p"
    label = "Processtap vastleggen"
    description = (
        "Een processtap vastleggen met het moment waarop hij gebeurde: burgemeester, "
        "huisgenoten of Veilig Thuis geïnformeerd, Veilig Thuis geraadpleegd, "
        "bereikbaarheidsadres."
    )
    permissions = (Permission.PROGRESS,)
    title = "Processtap vastleggen"

    def offered_to(self, actor: Actor) -> bool:
        """Only to someone whose role may take one of the steps (the store checks the same)."""
        return any(action_allowed(actor.roles, step.action) for step in STEPS)

    def choices(self) -> list[tuple[str, str]]:
        """(value, Dutch name) of every step: the palette's entries."""
        return [(step.action, step_label(step)) for step in STEPS]

    def choice_offered(self, actor: Actor, choice: str) -> bool:
        return choice in STEP_BY_ACTION and action_allowed(actor.roles, choice)

    @staticmethod
    def possible(on: OnCase) -> list[ProcessStep]:
        """The steps the rules allow on this case now and the actor may take."""
        return [
            step
            for step in STEPS
            if action_allowed(on.actor.roles, step.action)
            and rule_refusal(on.facts, step.action, on.roles, on.now, on.rules) is None
        ]

    def refusal(self, on: OnCase) -> str | None:
        possible = self.possible(on)
        if not possible:
            return "Voor deze zaak is nu geen processtap vast te leggen met uw rol."
        if on.choice and on.choice not in {step.action for step in possible}:
            step = STEP_BY_ACTION.get(on.choice)
            if step is None:
                return f"Onbekende processtap: {on.choice}."
            reason = rule_refusal(on.facts, step.action, on.roles, on.now, on.rules)
            return reason or f"'{step_label(step)}' mag u bij deze zaak niet vastleggen."
        return None

    def _states(self, on: OnCase) -> dict[str, str]:
        """Per step's action: what its deadline says now (gemist, open until, vastgelegd)."""
        out: dict[str, str] = {}
        by_deadline = {step.deadline: step for step in STEPS}
        for deadline in case_deadlines(on.facts, on.now, on.rules):
            step = by_deadline.get(deadline.kind.value)
            if step is None:
                continue
            if deadline.state is DeadlineState.MET:
                out[step.action] = f"vastgelegd {format_moment(deadline.met_at)}"
            elif deadline.state is DeadlineState.MISSED:
                out[step.action] = f"gemist, uiterlijk {format_moment(deadline.due)}"
            else:
                out[step.action] = f"open, uiterlijk {format_moment(deadline.due)}"
        return out

    def fields(self, on: OnCase) -> list[FieldSpec]:
        states = self._states(on)
        options = [
            (
                f"{step_label(step)} · {states[step.action]}"
                if step.action in states
                else step_label(step),
                step.action,
            )
            for step in self.possible(on)
        ]
        return [
            FieldSpec("action", "Processtap", "select", options=options),
            FieldSpec("at", "Moment waarop het gebeurde", "moment"),
            FieldSpec(
                "address",
                "Adres waar de uithuisgeplaatste bereikbaar is",
                validate=lambda value: (
                    f"te lang: {len(value)} tekens, hoogstens {ADDRESS_MAX}"
                    if len(" ".join(str(value).split())) > ADDRESS_MAX
                    else None
                ),
                when=("action", ADDRESS),
            ),
        ]

    def prefill(self, on: OnCase) -> dict[str, Any]:
        """The chosen step (from the deadline list), else the first missed, else the first open
        one; the moment now; the reachable address as it is recorded."""
        possible = [step.action for step in self.possible(on)]
        states = self._states(on)
        missed = [a for a in possible if states.get(a, "").startswith("gemist")]
        still_open = [a for a in possible if not states.get(a, "").startswith("vastgelegd")]
        chosen = on.choice if on.choice in possible else (missed or still_open or possible)[0]
        return {"action": chosen, "at": on.now, "address": on.facts.reachable_address or ""}

    def intro_for(self, on: OnCase) -> str:
        t0 = on.facts.imposed_at
        when = f"T0 {format_moment(t0)} · " if t0 else ""
        return (
            f"{when}het moment waarop de stap gebeurde, niet in de toekomst; opnieuw "
            "vastleggen corrigeert het (de tijdlijn houdt beide)."
        )

    def save(self, on: OnCase, values: dict[str, Any], version: int) -> int:
        extra = {"address": values["address"]} if values["action"] == ADDRESS else {}
        return on.store.apply_action(
            on.row.case_id, version, values["action"], on.actor, at=values["at"], **extra
        )


# The queue's deadline list: which action records what meets a deadline (and the form's choice).
# The ban's end, the extension limit and the appeal hearing are not ticked: they pass, or the
# court sets them.
DEADLINE_ACTIONS: dict[str, tuple[str, str | None]] = {
    **{step.deadline: ("step", step.action) for step in STEPS},
    "proces_verbaal": ("receive", "proces_verbaal"),
    "zorgadvies": ("receive", "zorgadvies"),
    "beleidsadvies": ("receive", "beleidsadvies"),
    "meeting_day3": ("meeting", None),
    "extension_decision": ("decide", None),
    "extension_served": ("serve", "verlenging"),  # the extension served before the ban ends
}
