"""What the queue shows, computed from store rows and the domain rules; no Textual here.

The model keeps every open case the store gave it, derives per case what the columns need
(most urgent deadline, document states, flags) and caches it until the next moment at which one
of the case's deadlines changes state. Filtering and sorting produce the ordered list of visible
case ids; the screen diffs its table against that list.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from hvo_tui.domain import (
    ChecklistItem,
    Deadline,
    DeadlineState,
    DocumentState,
    RegionRules,
    case_deadlines,
    checklist_by_kind,
    countdown_text,
    effective_status,
    local,
    most_urgent,
    urgency_band,
    urgency_key,
)
from hvo_tui.domain.household import children
from hvo_tui.domain.vocab import QUEUE_DOCUMENTS, CaseStatus, DocumentKind, PartnerRole
from store.interface import QueueRow

BANDS = ("missed", "today", "soon", "later")
URGENT_BANDS = frozenset({"missed", "today"})


def fold(text: str) -> str:
    """Lower case without accents, for matching what people type."""
    if text.isascii():
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


@dataclass(slots=True)
class Derived:
    """Everything time-dependent about one case, valid until ``valid_until``."""

    status: CaseStatus
    deadlines: list[Deadline]
    urgent: Deadline | None
    urgency: tuple
    checklist: dict[DocumentKind, ChecklistItem]
    valid_until: datetime | None
    _due_date: object = None

    @property
    def due(self) -> datetime | None:
        return self.urgent.due if self.urgent else None

    @property
    def due_date(self):
        """The local date of the most urgent deadline (cached: the header asks every second)."""
        if self.urgent is None:
            return None
        cached = self._due_date
        if cached is None:
            cached = local(self.urgent.due).date()
            self._due_date = cached
        return cached


def derive(row: QueueRow, now: datetime, rules: RegionRules) -> Derived:
    facts = row.facts
    deadlines = case_deadlines(facts, now, rules)
    checklist = checklist_by_kind(facts, now, rules)
    # The next moment anything about this case changes by time alone: a deadline falls due (or
    # its warning starts), or a document becomes due.
    upcoming = [d.due for d in deadlines if d.due > now]
    upcoming += [d.warn_from for d in deadlines if d.warn_from is not None and d.warn_from > now]
    upcoming += [item.due for item in checklist.values() if item.due is not None and item.due > now]
    urgent = most_urgent(facts, now, rules, deadlines=deadlines)
    return Derived(
        status=effective_status(facts, now, rules),
        deadlines=deadlines,
        urgent=urgent,
        urgency=urgency_key(facts, now, rules, deadlines=deadlines),
        checklist=checklist,
        valid_until=min(upcoming) if upcoming else None,
    )


@dataclass(frozen=True, slots=True)
class Filters:
    text: str = ""
    region: str | None = None
    municipality: str | None = None
    status: CaseStatus | None = None
    mine: str | None = None  # a username: only cases where this account is a partner
    urgent_only: bool = False

    def describe(self) -> str:
        parts = []
        if self.text:
            parts.append(f"/{self.text}")
        if self.region:
            parts.append(f"regio {self.region}")
        if self.municipality:
            parts.append(f"gemeente {self.municipality}")
        if self.status:
            parts.append(f"status {self.status.label}")
        if self.mine:
            parts.append("mijn zaken")
        if self.urgent_only:
            parts.append("alleen urgent")
        return " · ".join(parts)


# Sort orders the user can choose, in the order `s` cycles through them.
SORTS: dict[str, str] = {
    "urgentie": "Urgentie",
    "number": "Zaak",
    "municipality": "Gemeente",
    "status": "Status",
    "t0": "Opgelegd",
    "casemanager": "Casemanager",
    "procesmanager": "Procesmanager",
}


@dataclass
class QueueModel:
    rules: RegionRules = field(default_factory=RegionRules)
    rows: dict[int, QueueRow] = field(default_factory=dict)
    derived: dict[int, Derived] = field(default_factory=dict)
    earlier: dict[int, int] = field(default_factory=dict)
    filters: Filters = field(default_factory=Filters)
    sort: str = "urgentie"
    reverse: bool = False
    _haystack: dict[int, str] = field(default_factory=dict)

    # --- data ------------------------------------------------------------------------------------

    def replace_all(
        self, rows: Iterable[QueueRow], now: datetime, derived: dict[int, Derived] | None = None
    ) -> None:
        """All rows anew; ``derived`` may hold their rules already applied (by a worker)."""
        self.rows = {}
        self.derived = {}
        self._haystack = {}
        self.update(rows, now, derived=derived)

    def update(
        self, rows: Iterable[QueueRow], now: datetime, derived: dict[int, Derived] | None = None
    ) -> tuple[set[int], set[int]]:
        """Take changed rows (as the store gives them by id); a case that is no longer open
        leaves. Returns (new ids, removed ids)."""
        new: set[int] = set()
        removed: set[int] = set()
        for row in rows:
            if not row.facts.status.is_open:
                if self.rows.pop(row.case_id, None) is not None:
                    removed.add(row.case_id)
                self.derived.pop(row.case_id, None)
                self._haystack.pop(row.case_id, None)
                continue
            if row.case_id not in self.rows:
                new.add(row.case_id)
            self.rows[row.case_id] = row
            known = derived.get(row.case_id) if derived else None
            self.derived[row.case_id] = known or derive(row, now, self.rules)
            self._haystack[row.case_id] = fold(
                " ".join(
                    [row.number, row.municipality, row.region, row.address]
                    + [p.name for p in row.facts.persons]
                    + [p.name for p in row.partners]
                )
            )
        return new, removed

    def forget(self, ids: Iterable[int]) -> None:
        for case_id in ids:
            self.rows.pop(case_id, None)
            self.derived.pop(case_id, None)
            self._haystack.pop(case_id, None)

    def tick(self, now: datetime) -> set[int]:
        """Recompute the cases whose cached rules ran out; returns their ids."""
        expired = [
            cid
            for cid, d in self.derived.items()
            if d.valid_until is not None and d.valid_until <= now
        ]
        for cid in expired:
            self.derived[cid] = derive(self.rows[cid], now, self.rules)
        return set(expired)

    # --- what is shown ------------------------------------------------------------------------

    def band(self, case_id: int, now: datetime) -> str | None:
        derived = self.derived[case_id]
        if derived.urgent is None:
            return None
        if derived.urgent.state is DeadlineState.MISSED:
            return "missed"
        return urgency_band(derived.urgent.due, now)

    def countdown(self, case_id: int, now: datetime) -> str:
        derived = self.derived[case_id]
        return countdown_text(derived.urgent.due, now) if derived.urgent else ""

    def document_state(self, case_id: int, kind: DocumentKind) -> DocumentState:
        item = self.derived[case_id].checklist.get(kind)
        return item.state if item else DocumentState.NOT_NEEDED

    def flags(self, case_id: int, now: datetime | None = None) -> dict[str, bool]:
        """The flag letters of a case, each on or off: B beroep, O overtreding, K
        kindermishandeling (or k: children in the household, when there is no child abuse; the
        same column, so it fits), E eerdere zaken."""
        facts = self.rows[case_id].facts
        kids = self.has_children(case_id, now)
        return {
            "B": facts.appeal_requested_at is not None and facts.appeal_decided_at is None,
            "O": facts.violation_count > 0,
            ("K" if facts.child_abuse or not kids else "k"): facts.child_abuse or kids,
            "E": self.earlier.get(case_id, 0) > 0,
        }

    def has_children(self, case_id: int, now: datetime | None = None) -> bool:
        """A child in the household (role kind, or under 18 at ``now``; default: T0 or the
        opening): Veilig Thuis must be informed (Wth; hvo_tui.domain.household)."""
        facts = self.rows[case_id].facts
        at = now or facts.imposed_at or facts.opened_at
        return bool(children(facts.persons, at))

    def matches(self, case_id: int, now: datetime) -> bool:
        f = self.filters
        row = self.rows[case_id]
        if f.text and not all(word in self._haystack[case_id] for word in fold(f.text).split()):
            return False
        if f.region and row.region != f.region:
            return False
        if f.municipality and row.municipality != f.municipality:
            return False
        if f.status and self.derived[case_id].status is not f.status:
            return False
        if f.mine and not any(p.username == f.mine for p in row.partners):
            return False
        return not (f.urgent_only and self.band(case_id, now) not in URGENT_BANDS)

    def _sort_key(self, case_id: int):
        row = self.rows[case_id]
        derived = self.derived[case_id]
        if self.sort == "urgentie":
            return derived.urgency
        t0 = row.facts.imposed_at or row.facts.opened_at
        value = {
            "number": row.number,
            "municipality": fold(row.municipality),
            "status": derived.status.label,
            "t0": t0.timestamp(),
            "casemanager": fold(row.casemanager or "\uffff"),
            "procesmanager": fold(row.procesmanager or "\uffff"),
        }[self.sort]
        return (value, derived.urgency)

    def visible(self, now: datetime) -> list[int]:
        ids = [cid for cid in self.rows if self.matches(cid, now)]
        ids.sort(key=self._sort_key, reverse=self.reverse)
        return ids

    def counts(self, now: datetime) -> dict[str, int]:
        """Over all open cases (not only the filtered ones): what the header shows."""
        result = {"open": len(self.rows), "missed": 0, "today": 0}
        today = local(now).date()
        for cid in self.rows:
            band = self.band(cid, now)
            if band == "missed":
                result["missed"] += 1
            elif band is not None and self.derived[cid].due_date == today:
                result["today"] += 1  # due later today: "vandaag", as people say it
        return result

    def partner(self, case_id: int, role: PartnerRole) -> str:
        row = self.rows[case_id]
        if role is PartnerRole.CASEMANAGER:
            return row.casemanager or ""
        if role is PartnerRole.PROCESMANAGER:
            return row.procesmanager or ""
        return next((p.name for p in row.partners if p.role == role.value), "")


__all__ = [
    "BANDS",
    "Derived",
    "Filters",
    "QueueModel",
    "SORTS",
    "QUEUE_DOCUMENTS",
    "derive",
    "fold",
]
