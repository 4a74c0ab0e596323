"""Every deadline of a case at a moment ``now``: kind, due moment, who acts, state and basis.

Rules (see domain.md):

* Day numbers are calendar days after T0 at the same local clock time (``timeline.add_days``);
  hour numbers ("binnen 24 uur", "onverwijld") are elapsed hours. Nothing is ever moved for a
  weekend or public holiday (Wth art. 13 excludes the Algemene termijnenwet).
* A deadline is *met* when its fact is set (``met_at``), *missed* when its due moment has passed
  (``due < now``) without that fact, else *open*. A deadline met after its due moment stays met;
  ``Deadline.met_late`` tells.
* The ban's end and the extension limit are not actions: they are open until they pass and then
  met (the ban ended), never missed. The actionable deadline at the ban's end is the mayor's
  extension decision.

Which deadlines apply, by stored status (the facts, not ``effective_status``, so a ban whose end
passed without a decision keeps its missed extension decision until the expiry is registered):

* screening, not_imposed: none (no T0).
* imposed, running, advice_due, advice_received: all ban deadlines.
* extended: the same; the ban end is the extension's end and the extension decision is met. The
  extension must also reach the banned person before the ban it extends has ended (T0 + 10 days):
  a decision counts from its serving (Wth art. 2 lid 7, Awb 3:40), and once the ban has ended
  there is nothing left to extend (art. 9 lid 1). Served at that very moment is too late (the
  ban ends at its end, as the life cycle counts it). An extension not served in time is a missed
  deadline with that reason; one served after the end stays missed ("te laat uitgereikt").
* withdrawn, expired, closed, archived, destroyed: none; the ban is over and these cases must not
  crowd the queue. Their history (which deadline was met late) is for the reports, which can
  evaluate the same rules with the case's last running status.
* In every status but destroyed: a pending appeal gives the appeal-hearing deadline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import pendulum

from .common import MEETING_DAY3, after_hours, document, micros, require_aware
from .facts import CaseFacts
from .rules import RegionRules
from .timeline import add_days, ban_end, extension_limit
from .vocab import BAN_STATUSES, CaseStatus, DocumentKind, PartnerRole, Role


class DeadlineKind(StrEnum):
    VT_CONSULTED = "vt_consulted"
    MAYOR_INFORMED = "mayor_informed"
    HOUSEHOLD_INFORMED = "household_informed"
    VT_INFORMED = "vt_informed"
    REACHABLE_ADDRESS = "reachable_address"
    PROCES_VERBAAL = "proces_verbaal"
    MEETING_DAY3 = "meeting_day3"
    ZORGADVIES = "zorgadvies"
    BELEIDSADVIES = "beleidsadvies"
    EXTENSION_DECISION = "extension_decision"
    EXTENSION_SERVED = "extension_served"
    BAN_END = "ban_end"
    EXTENSION_LIMIT = "extension_limit"
    APPEAL_HEARING = "appeal_hearing"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self.value]


_KIND_LABELS = {
    "vt_consulted": "Veilig Thuis geraadpleegd",
    "mayor_informed": "Burgemeester geïnformeerd",
    "household_informed": "Huisgenoten geïnformeerd",
    "vt_informed": "Veilig Thuis geïnformeerd",
    "reachable_address": "Bereikbaarheidsadres",
    "proces_verbaal": "Proces-verbaal van bevindingen",
    "meeting_day3": "Overleg dag 3",
    "zorgadvies": "Zorgadvies",
    "beleidsadvies": "Beleidsadvies",
    "extension_decision": "Besluit verlenging",
    "extension_served": "Verlenging uitgereikt",
    "ban_end": "Einde huisverbod",
    "extension_limit": "Uiterste einde verlenging",
    "appeal_hearing": "Zitting beroep",
}

# A stable order for deadlines due at the same moment (process order).
KIND_ORDER = {kind: i for i, kind in enumerate(DeadlineKind)}

# Deadlines that are moments in the ban's life, not something anyone must do.
NOT_ACTIONABLE = frozenset({DeadlineKind.BAN_END, DeadlineKind.EXTENSION_LIMIT})


class DeadlineState(StrEnum):
    OPEN = "open"
    MET = "met"
    MISSED = "missed"

    @property
    def label(self) -> str:
        return {"open": "open", "met": "voldaan", "missed": "gemist"}[self.value]


@dataclass(frozen=True, slots=True)
class Deadline:
    kind: DeadlineKind
    due: pendulum.DateTime
    role: Role | PartnerRole
    state: DeadlineState
    basis: str
    label: str
    met_at: datetime | None = None
    warn_from: pendulum.DateTime | None = None
    legal: bool = True

    @property
    def actionable(self) -> bool:
        return self.kind not in NOT_ACTIONABLE

    @property
    def met_late(self) -> bool:
        return self.met_at is not None and self.met_at > self.due

    def warning(self, now: datetime) -> bool:
        """Open and inside its warning window (e.g. the advice from day 7)."""
        return (
            self.state is DeadlineState.OPEN
            and self.warn_from is not None
            and now >= self.warn_from
        )


def _state(due: datetime, met_at: datetime | None, now: datetime) -> DeadlineState:
    if met_at is not None:
        return DeadlineState.MET
    return DeadlineState.MISSED if due < now else DeadlineState.OPEN


def _make(
    kind, due, role, basis, met_at, now, *, label=None, warn_from=None, legal=True
) -> Deadline:
    if kind in NOT_ACTIONABLE and met_at is None:
        # Passing is what happens to these: met at their own moment, never missed.
        met_at = due if due <= now else None
    return Deadline(
        kind=kind,
        due=due,
        role=role,
        state=_state(due, met_at, now),
        basis=basis,
        label=label or kind.label,
        met_at=met_at,
        warn_from=warn_from,
        legal=legal,
    )


def _received_at(case: CaseFacts, kind: DocumentKind) -> datetime | None:
    doc = document(case, kind)
    if doc is None or not doc.status.is_in:
        return None
    # A received document without a timestamp still counts as received.
    return doc.received_at or doc.due_at or doc.requested_at or case.opened_at


def _doc_due(case: CaseFacts, kind: DocumentKind, rule_due: pendulum.DateTime) -> pendulum.DateTime:
    """A document's own due moment (from a request) overrides the rule's."""
    doc = document(case, kind)
    if doc is not None and doc.due_at is not None:
        return require_aware(doc.due_at)
    return rule_due


def _ban_deadlines(case: CaseFacts, now: datetime, rules: RegionRules) -> list[Deadline]:
    t0 = require_aware(case.imposed_at, "imposed_at")
    acting = Role.HOVJ if case.imposed_by_hovj else Role.BESTUURDER
    out: list[Deadline] = []
    if case.child_abuse:
        out.append(
            _make(
                DeadlineKind.VT_CONSULTED, t0, acting, "Wth art. 2 lid 3", case.vt_consulted_at, now
            )
        )
    informed = after_hours(t0, rules.informed_hours)
    if case.imposed_by_hovj:
        out.append(
            _make(
                DeadlineKind.MAYOR_INFORMED,
                informed,
                Role.HOVJ,
                "Wth, onverwijld (mandaat HOvJ)",
                case.mayor_informed_at,
                now,
            )
        )
    out.append(
        _make(
            DeadlineKind.HOUSEHOLD_INFORMED,
            informed,
            acting,
            "Wth, onverwijld",
            case.household_informed_at,
            now,
        )
    )
    out.append(
        _make(
            DeadlineKind.VT_INFORMED, informed, acting, "Wth, onverwijld", case.vt_informed_at, now
        )
    )
    out.append(
        _make(
            DeadlineKind.REACHABLE_ADDRESS,
            after_hours(t0, rules.reachable_hours),
            Role.BESTUURDER,
            "Wth art. 2 lid 6",
            case.reachable_address_at,
            now,
        )
    )
    pv_due = _doc_due(case, DocumentKind.PROCES_VERBAAL, add_days(t0, rules.proces_verbaal_day))
    out.append(
        _make(
            DeadlineKind.PROCES_VERBAAL,
            pv_due,
            Role.POLITIE,
            f"regionale afspraak (dag {rules.proces_verbaal_day})",
            _received_at(case, DocumentKind.PROCES_VERBAAL),
            now,
            legal=False,
        )
    )
    held = sorted(m.held_at for m in case.meetings if m.kind == MEETING_DAY3)
    out.append(
        _make(
            DeadlineKind.MEETING_DAY3,
            add_days(t0, rules.meeting_day),
            Role.CASEMANAGER,
            f"regionale afspraak (dag {rules.meeting_day})",
            held[0] if held else None,
            now,
            label=f"Overleg dag {rules.meeting_day}",
            legal=False,
        )
    )
    warn = add_days(t0, rules.advice_warn_day)
    for kind, role in (
        (DeadlineKind.ZORGADVIES, Role.CASEMANAGER),
        (DeadlineKind.BELEIDSADVIES, Role.BELEIDSMEDEWERKER),
    ):
        doc_kind = DocumentKind(kind.value)
        due = _doc_due(case, doc_kind, add_days(t0, rules.advice_day))
        out.append(
            _make(
                kind,
                due,
                role,
                f"regionale afspraak (dag {rules.advice_day})",
                _received_at(case, doc_kind),
                now,
                warn_from=min(warn, due),
                legal=False,
            )
        )
    decided = case.extension_decided_at
    if decided is None and case.status is CaseStatus.EXTENDED:
        decided = case.decided_at or case.imposed_at  # extended means decided; never "missed"
    out.append(
        _make(
            DeadlineKind.EXTENSION_DECISION,
            ban_end(t0),
            Role.BESTUURDER,
            "Wth art. 9 lid 1",
            decided,
            now,
        )
    )
    if case.extended_until is not None or case.status is CaseStatus.EXTENDED:
        out.append(_extension_served(case, t0, now))
    end = ban_end(t0, case.extended_until)
    label = "Einde verlengd huisverbod" if case.extended_until is not None else None
    out.append(
        _make(
            DeadlineKind.BAN_END,
            end,
            Role.BESTUURDER,
            "Wth art. 9 lid 1" if case.extended_until is not None else "Wth art. 2 lid 1",
            None,
            now,
            label=label,
        )
    )
    # Once the ban has ended it cannot be extended any more: the limit is then behind us too
    # (no countdown to T0 + 28 days on a ban that is over).
    out.append(
        _make(
            DeadlineKind.EXTENSION_LIMIT,
            extension_limit(t0),
            Role.BESTUURDER,
            "Wth art. 9 lid 1",
            end if end <= now else None,
            now,
        )
    )
    return out


def _extension_served(case: CaseFacts, t0: datetime, now: datetime) -> Deadline:
    """The extension served on (or announced to) the banned person before the original end."""
    end = ban_end(t0)
    served = [
        d.served_at
        for d in case.documents
        if d.kind is DocumentKind.VERLENGING and d.status.is_in and d.served_at is not None
    ]
    first = min(served) if served else None
    in_time = first if first is not None and first < end else None
    label = None
    if first is not None and in_time is None:
        label = "Verlenging te laat uitgereikt (na einde huisverbod)"
    return _make(
        DeadlineKind.EXTENSION_SERVED,
        end,
        Role.BESTUURDER,
        "Wth art. 9 lid 1, art. 2 lid 7: werkt pas na uitreiking",
        in_time,
        now,
        label=label,
    )


def _appeal_deadline(case: CaseFacts, now: datetime, rules: RegionRules) -> Deadline | None:
    """The court must hear the person within N days of the request (met once heard or decided).

    Shown while the appeal is pending in any status, and as history while the ban runs."""
    if case.appeal_requested_at is None:
        return None
    requested = require_aware(case.appeal_requested_at, "appeal_requested_at")
    decided = case.appeal_decided_at
    if decided is not None and decided < requested:
        decided = None  # that ruling belongs to an earlier appeal
    if decided is not None and case.status not in BAN_STATUSES:
        return None
    met = None
    if case.appeal_hearing_at is not None and case.appeal_hearing_at <= now:
        met = case.appeal_hearing_at
    elif decided is not None:
        met = decided
    days = rules.appeal_hearing_days
    return _make(
        DeadlineKind.APPEAL_HEARING,
        add_days(requested, days),
        Role.BELEIDSMEDEWERKER,
        f"Wth, horen binnen {days} dagen na het verzoek",
        met,
        now,
    )


def case_deadlines(
    case: CaseFacts, now: datetime, rules: RegionRules = RegionRules()
) -> list[Deadline]:
    """Every deadline that applies to the case's status and flags, sorted by due moment."""
    now = require_aware(now, "now")
    out: list[Deadline] = []
    if case.status in BAN_STATUSES and case.imposed_at is not None:
        out.extend(_ban_deadlines(case, now, rules))
    if case.status is not CaseStatus.DESTROYED:
        appeal = _appeal_deadline(case, now, rules)
        if appeal is not None:
            out.append(appeal)
    out.sort(key=lambda d: (micros(d.due), KIND_ORDER[d.kind]))
    return out
