"""The queue's order and the Dutch countdown of a deadline.

``urgency_key`` is a total order over cases (case numbers are unique): first cases with a missed
deadline, the one missed longest first; then cases by their nearest open deadline; then cases
without any open or missed deadline; ties by case number (as a string).

A missed deadline that only prepared the mayor's decision on extension (the day-3 meeting, the
zorgadvies and the beleidsadvies) stops driving the order once that decision is taken: it stays
missed in the case's deadlines (and in the reports), but it is no longer something anyone can
still do, and an old miss must not keep a settled case above cases that need action today.
"""

from __future__ import annotations

from datetime import datetime

from .common import micros, require_aware
from .deadlines import KIND_ORDER, Deadline, DeadlineKind, DeadlineState, case_deadlines
from .facts import CaseFacts
from .rules import RegionRules

MISSED, OPEN, NOTHING = 0, 1, 2
DECISION_PREPARATION = frozenset(
    {DeadlineKind.MEETING_DAY3, DeadlineKind.ZORGADVIES, DeadlineKind.BELEIDSADVIES}
)


def _still_actionable(case: CaseFacts, deadline: Deadline) -> bool:
    return not (deadline.kind in DECISION_PREPARATION and case.extension_decided_at is not None)


def most_urgent(
    case: CaseFacts,
    now: datetime,
    rules: RegionRules = RegionRules(),
    *,
    deadlines: list[Deadline] | None = None,
) -> Deadline | None:
    """The missed deadline missed longest, else the nearest open one, else None.
    ``deadlines``: the case's deadlines at ``now`` when the caller has them already."""
    if deadlines is None:
        deadlines = case_deadlines(case, now, rules)
    deadlines = [d for d in deadlines if _still_actionable(case, d)]
    for state in (DeadlineState.MISSED, DeadlineState.OPEN):
        candidates = [d for d in deadlines if d.state is state]
        if candidates:
            return min(candidates, key=lambda d: (micros(d.due), KIND_ORDER[d.kind]))
    return None


def urgency_key(
    case: CaseFacts,
    now: datetime,
    rules: RegionRules = RegionRules(),
    *,
    deadlines: list[Deadline] | None = None,
) -> tuple:
    """Sort key for the queue: (band, due in microseconds, deadline kind order, case number)."""
    deadline = most_urgent(case, now, rules, deadlines=deadlines)
    if deadline is None:
        return (NOTHING, 0, 0, case.number)
    band = MISSED if deadline.state is DeadlineState.MISSED else OPEN
    return (band, micros(deadline.due), KIND_ORDER[deadline.kind], case.number)


def _hm(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def countdown_text(due: datetime, now: datetime) -> str:
    """Dutch countdown: "nog 2 d 04:13", "nog 05:12", "vandaag 17:00", "25 min te laat",
    "3 u te laat", "4 d te laat". Remaining and overdue time are elapsed time, rounded down."""
    due = require_aware(due, "due")
    now = require_aware(now, "now")
    seconds = int((due - now).total_seconds())
    if due < now:
        late = int((now - due).total_seconds())
        if late < 3600:
            return f"{max(1, late // 60)} min te laat"
        if late < 48 * 3600:
            return f"{late // 3600} u te laat"
        return f"{late // 86400} d te laat"
    if due.date() == now.date():
        return f"vandaag {due.format('HH:mm')}"
    if seconds < 86400:
        return f"nog {_hm(seconds)}"
    return f"nog {seconds // 86400} d {_hm(seconds % 86400)}"


def urgency_band(due: datetime, now: datetime) -> str:
    """ "missed" (passed), "today" (within 24 h), "soon" (within 72 h) or "later"."""
    for moment, name in ((due, "due"), (now, "now")):
        if not isinstance(moment, datetime) or moment.tzinfo is None or moment.utcoffset() is None:
            require_aware(moment, name)  # raises the domain's message
    left = due.timestamp() - now.timestamp()  # plain floats: this runs for every row every second
    if left < 0:
        return "missed"
    if left < 24 * 3600:
        return "today"
    if left < 72 * 3600:
        return "soon"
    return "later"
