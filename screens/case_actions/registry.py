"""The one list of case actions: the queue's and the case screen's bindings (and so the footer,
the ``?`` help and the palette) come from it, and ``build_form`` looks the action up in it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.binding import Binding

from hvo_tui.domain import RegionRules
from store.interface import Actor, QueueRow

from ..forms import ActionForm
from .base import CaseActionSpec, OnCase
from .decisions import LifeCycle, MayorDecision
from .documents import ReceiveDocument, RemindDocument, RequestDocument
from .household import EditHousehold
from .partners import AssignPartner
from .records import AddNote, RecordMeeting
from .serving import ServeDecision
from .steps import RecordStep

if TYPE_CHECKING:
    from textual.screen import Screen

# In this order in the help and the palette. A new action: its class, and one line here.
CASE_ACTIONS: tuple[CaseActionSpec, ...] = (
    AssignPartner(),
    RequestDocument(),
    ReceiveDocument(),
    RemindDocument(),
    RecordMeeting(),
    AddNote(),
    MayorDecision(),
    LifeCycle(),
    RecordStep(),
    EditHousehold(),
    ServeDecision(),
)

BY_ID: dict[str, CaseActionSpec] = {spec.id: spec for spec in CASE_ACTIONS}


def may(actor: Actor, spec: CaseActionSpec) -> bool:
    """The permission matrix decides what is offered (footer, help, palette), as the store does."""
    return spec.offered_to(actor)


def build_form(
    spec_id: str,
    screen: Screen,
    row: QueueRow,
    rules: RegionRules | None = None,
    choice: str | None = None,
) -> ActionForm | str:
    """The form for action ``spec_id`` on ``row`` (opened on ``choice``, see ``OnCase``), or a
    Dutch reason why it cannot be done. A save that goes through posts
    ``messages.CaseActionSaved`` to ``screen``."""
    return BY_ID[spec_id].form(OnCase.of(screen, row, rules, choice))


def action_bindings(prefix: str, *, show: bool = True) -> list[Binding]:
    """One binding per case action, id ``<prefix>.<action id>`` (what a user's keymap names),
    running the screen's ``case_action('<id>')``; the description goes to the palette."""
    return [
        Binding(
            spec.key,
            f"case_action('{spec.id}')",
            spec.label,
            show=show,
            id=f"{prefix}.{spec.id}",
            tooltip=spec.description,
        )
        for spec in CASE_ACTIONS
    ]
