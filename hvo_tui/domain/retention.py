"""Retention (issue 9): which cases are past their retention term, and what of an event's details
is free text that must go when a case is destroyed.

The decision file is kept ``RegionRules.retention_years`` years (5 by default, the legal minimum)
after the last decision: the latest of the mayor's decision, the extension decision and the
court's ruling on appeal; without any decision, the closing moment, else the opening of the case.
Only closed and archived cases are purged: an open case past its term is still being handled and
is reported instead (``overdue_open``), never destroyed unseen.

Pure: no I/O, no SQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import pendulum

from .common import require_aware
from .facts import CaseFacts
from .localtime import local
from .rules import RegionRules
from .vocab import CaseStatus

# The statuses a purge may destroy (a closed case is archived first, then destroyed).
PURGEABLE_STATUSES = frozenset({CaseStatus.CLOSED, CaseStatus.ARCHIVED})

# Keys of event details whose value is text a user typed (and may name the persons on a case):
# the reason given when closing, the court's ruling, a document's author; and the data of a
# household member added or corrected (a whole mapping, replaced by the marker as one). Everything
# else in event details is codes, moments, ids and professionals' names (store/case_writes.py).
FREE_TEXT_KEYS = frozenset(
    {
        "reden",
        "close_reason",
        "appeal_outcome",
        "auteur",
        "outcome",
        "participants",
        "text",
        "tekst",
        "reachable_address",  # where the banned person stays (Wth art. 2 lid 6)
        "uitgereikt_door",  # who served a decision: often a name typed in (issue 16)
        "persoon",  # a household member's data in person_added / person_corrected (issue 16)
    }
)
REDACTED = "[verwijderd na bewaartermijn]"
# No region keeps a file shorter (RegionRules refuses less): only cases opened this long ago can be
# past their term, which lets the store narrow its search.
MIN_RETENTION_YEARS = 5


def last_decision(case: CaseFacts) -> datetime:
    """The moment the retention term counts from: the last decision (mayor, extension, appeal);
    without one, the closing moment, else the opening of the case [open in domain.md]."""
    decisions = [
        m for m in (case.decided_at, case.extension_decided_at, case.appeal_decided_at) if m
    ]
    return max(decisions) if decisions else (case.closed_at or case.opened_at)


def retention_end(case: CaseFacts, rules: RegionRules = RegionRules()) -> pendulum.DateTime:
    """When the file may be destroyed: ``rules.retention_years`` after the last decision, on the
    local calendar (a decision on 29 February ends on 28 February)."""
    return local(last_decision(case)).add(years=rules.retention_years)


def past_retention(case: CaseFacts, rules: RegionRules, now: datetime) -> bool:
    """The retention term has passed at ``now`` (whatever the status)."""
    require_aware(now, "now")
    return case.status is not CaseStatus.DESTROYED and now >= retention_end(case, rules)


def purgeable(case: CaseFacts, rules: RegionRules, now: datetime) -> bool:
    """``hvo archive purge`` destroys this case now: closed or archived, and past its term."""
    return case.status in PURGEABLE_STATUSES and past_retention(case, rules, now)


def overdue_open(case: CaseFacts, rules: RegionRules, now: datetime) -> bool:
    """Past its term but still open: the purge leaves it alone and names it, to be closed first."""
    return case.status not in PURGEABLE_STATUSES and past_retention(case, rules, now)


def redact_details(details: Any) -> tuple[Any, list[str]]:
    """``details`` with every non-empty free-text value replaced by ``REDACTED``, and the paths
    (``na.auteur``) that changed. Nested mappings and lists are searched; the input is not
    changed. Already redacted values count as unchanged, so redacting twice changes nothing."""
    changed: list[str] = []

    def walk(value: Any, path: str) -> Any:
        if isinstance(value, Mapping):
            out = {}
            for key, item in value.items():
                where = f"{path}.{key}" if path else str(key)
                if (
                    key in FREE_TEXT_KEYS
                    and item not in (None, "", REDACTED)
                    and not isinstance(item, (bool, int, float))
                ):
                    out[key] = REDACTED
                    changed.append(where)
                else:
                    out[key] = walk(item, where)
            return out
        if isinstance(value, list):
            return [walk(item, f"{path}[{i}]") for i, item in enumerate(value)]
        return value

    return walk(details, ""), changed
