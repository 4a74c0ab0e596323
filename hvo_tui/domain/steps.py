"""The process steps around a ban that someone must take and hvo must be able to record.

Each step is a case action (``lifecycle.CaseAction``) that sets one fact of the case at the
moment it happened (default: now; never in the future) and so meets one deadline
(``deadlines.DeadlineKind``). The deadline list of the case and the queue's detail pane offer the
step of a highlighted deadline: a missed step is one key away from being recorded.

* Burgemeester geïnformeerd: when the HOvJ imposed the ban under the mayor's mandate (Wth art. 3),
  the mayor is told without delay. Only for a ban the HOvJ imposed.
* Huisgenoten geïnformeerd, Veilig Thuis geïnformeerd: without delay after imposing (the Wth's
  "onverwijld"; domain.md "The timeline"). The bases are the same texts the deadlines show.
* Bereikbaarheidsadres: the banned person gives an address where they can be reached, within 24
  hours (Wth art. 2 lid 6).
* Veilig Thuis geraadpleegd: for child abuse, *before* imposing (Wth art. 2 lid 3); recording it
  also marks the case as one of (suspected) child abuse.

Who may record a step: the partner who takes it and the procesmanager, who guards the process and
records what a partner reports by phone [choice]. A step may be recorded again to correct its
moment; the case's timeline keeps both (the event holds before and after).
"""

from __future__ import annotations

from dataclasses import dataclass

from .vocab import Role


@dataclass(frozen=True, slots=True)
class ProcessStep:
    action: str  # the CaseAction value
    fact: str  # the CaseFacts field it sets
    deadline: str  # the DeadlineKind value it meets
    label: str  # Dutch, as the action list shows it
    article: str
    roles: frozenset[Role]
    before_imposition: bool = False  # a step that must happen before T0 (not after)


_TELLERS = frozenset({Role.HOVJ, Role.BESTUURDER, Role.POLITIE, Role.PROCESMANAGER})

STEPS: tuple[ProcessStep, ...] = (
    ProcessStep(
        "consult_vt",
        "vt_consulted_at",
        "vt_consulted",
        "Veilig Thuis geraadpleegd (kindermishandeling)",
        "Wth art. 2 lid 3",
        frozenset({Role.HOVJ, Role.BESTUURDER, Role.POLITIE, Role.PROCESMANAGER}),
        before_imposition=True,
    ),
    ProcessStep(
        "inform_mayor",
        "mayor_informed_at",
        "mayor_informed",
        "burgemeester geïnformeerd",
        "Wth, onverwijld (mandaat HOvJ)",
        frozenset({Role.HOVJ, Role.BESTUURDER, Role.PROCESMANAGER}),
    ),
    ProcessStep(
        "inform_household",
        "household_informed_at",
        "household_informed",
        "huisgenoten geïnformeerd",
        "Wth, onverwijld",
        _TELLERS,
    ),
    ProcessStep(
        "inform_vt",
        "vt_informed_at",
        "vt_informed",
        "Veilig Thuis geïnformeerd",
        "Wth, onverwijld",
        _TELLERS,
    ),
    ProcessStep(
        "record_reachable_address",
        "reachable_address_at",
        "reachable_address",
        "bereikbaarheidsadres vastgelegd",
        "Wth art. 2 lid 6",
        _TELLERS,
    ),
)

STEP_BY_ACTION: dict[str, ProcessStep] = {step.action: step for step in STEPS}
STEP_BY_DEADLINE: dict[str, ProcessStep] = {step.deadline: step for step in STEPS}
