"""The process-management actions on one case, shared by the queue (highlighted case) and the
case screen. Each action is one class (``base.CaseActionSpec``): its id, key, Dutch label and
description, the permission it needs, its form fields, their prefill from the case, and its save.
One registry (``CASE_ACTIONS``) feeds the bindings, footer, help and palette; ``build_form`` asks
the action for its form.

    partners.py   assign a partner
    documents.py  request, receive, remind
    records.py    meeting, note
    decisions.py  the mayor's decision, the other life-cycle steps
    steps.py      the process steps (mayor, household, Veilig Thuis informed, ...)
"""

from .base import CaseActionSpec, OnCase
from .registry import BY_ID, CASE_ACTIONS, action_bindings, build_form, may

__all__ = [
    "BY_ID",
    "CASE_ACTIONS",
    "CaseActionSpec",
    "OnCase",
    "action_bindings",
    "build_form",
    "may",
]
