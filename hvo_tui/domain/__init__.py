"""The rules of the Wet tijdelijk huisverbod, as pure code (no I/O, no Textual, no SQL).

Modules: timeline (ban end, extension limit), rules (regional rules), deadlines, checklist,
lifecycle (state machine), urgency (queue order, countdown), earlier (recidivism), validation.
"""

from .checklist import ChecklistItem, DocumentState, checklist_by_kind, document_checklist
from .deadlines import Deadline, DeadlineKind, DeadlineState, case_deadlines
from .earlier import address_key, earlier_label, find_earlier, person_keys
from .errors import DomainError
from .lifecycle import (
    ACTION_ROLES,
    CaseAction,
    allowed_actions,
    effective_status,
    refusal,
    retention_end,
    transition,
)
from .localtime import local
from .permissions import (
    ACTION_PERMISSION,
    MATRIX,
    Permission,
    Scope,
    action_allowed,
    allowed,
    display_name,
    mask_person,
    permissions,
    scope_for,
)
from .rules import RegionRules
from .timeline import add_days, ban_end, extension_limit
from .urgency import countdown_text, most_urgent, urgency_band, urgency_key
from .validation import (
    normalise_phone,
    normalise_postcode,
    parse_case_number,
    valid_bsn,
    valid_email,
)

__all__ = [
    "ACTION_PERMISSION",
    "MATRIX",
    "Permission",
    "Scope",
    "action_allowed",
    "allowed",
    "display_name",
    "mask_person",
    "permissions",
    "scope_for",
    "ACTION_ROLES",
    "CaseAction",
    "ChecklistItem",
    "Deadline",
    "DeadlineKind",
    "DeadlineState",
    "DocumentState",
    "DomainError",
    "RegionRules",
    "add_days",
    "address_key",
    "allowed_actions",
    "ban_end",
    "case_deadlines",
    "checklist_by_kind",
    "countdown_text",
    "document_checklist",
    "earlier_label",
    "effective_status",
    "extension_limit",
    "find_earlier",
    "local",
    "most_urgent",
    "normalise_phone",
    "normalise_postcode",
    "parse_case_number",
    "person_keys",
    "refusal",
    "retention_end",
    "transition",
    "urgency_band",
    "urgency_key",
    "valid_bsn",
    "valid_email",
]
