"""`hvo status HV-2026-00042`: the queue's detail of one case as plain tables, for support staff
who answer "what is the state of case X?" without opening the TUI."""

from __future__ import annotations

from datetime import datetime

from tabulate import tabulate

from hvo_tui.domain import (
    RegionRules,
    ban_end,
    case_deadlines,
    countdown_text,
    document_checklist,
    earlier_label,
    effective_status,
    extension_limit,
    most_urgent,
)
from hvo_tui.domain.localtime import NONE_SHOWN, format_moment
from hvo_tui.domain.vocab import PartnerRole
from store.interface import QueueRow


def _moment(value) -> str:
    return format_moment(value, empty=NONE_SHOWN)


def render_status(
    row: QueueRow, earlier: int, now: datetime, rules: RegionRules | None = None
) -> str:
    rules = rules or RegionRules()
    facts = row.facts
    urgent = most_urgent(facts, now, rules)
    summary = [
        ("Zaak", row.number),
        ("Status", effective_status(facts, now, rules).label),
        ("Gemeente", f"{row.municipality} ({row.region})"),
        ("Adres", row.address or "–"),
        ("Screening sinds", _moment(facts.opened_at)),
    ]
    if facts.imposed_at:
        summary += [
            ("Opgelegd (T0)", _moment(facts.imposed_at)),
            ("Einde", _moment(ban_end(facts.imposed_at, facts.extended_until))),
            ("Uiterlijk (28 dagen)", _moment(extension_limit(facts.imposed_at))),
        ]
    if urgent:
        summary.append(
            ("Eerstvolgende termijn", f"{urgent.label}: {countdown_text(urgent.due, now)}")
        )
    if earlier:
        summary.append(("Eerdere zaken", earlier_label(earlier)))
    parts = [tabulate(summary, tablefmt="plain")]

    if facts.persons:
        persons = [
            (p.role.label, p.name, p.birth_date.strftime("%d-%m-%Y") if p.birth_date else "")
            for p in facts.persons
        ]
        parts.append("Personen\n" + tabulate(persons, headers=["rol", "naam", "geboren"]))
    partners = [
        (
            PartnerRole(p.role).label if p.role in PartnerRole._value2member_map_ else p.role,
            p.name,
            p.organisation or "",
            p.phone or "",
            p.email or "",
        )
        for p in row.partners
    ]
    parts.append(
        "Partners\n"
        + (
            tabulate(partners, headers=["rol", "naam", "organisatie", "telefoon", "e-mail"])
            if partners
            else "geen"
        )
    )
    deadlines = [
        (
            d.label,
            _moment(d.due),
            d.state.label,
            d.role.label if hasattr(d.role, "label") else str(d.role),
            d.basis,
        )
        for d in case_deadlines(facts, now, rules)
    ]
    parts.append(
        "Termijnen\n"
        + (
            tabulate(deadlines, headers=["termijn", "uiterlijk", "stand", "wie", "grondslag"])
            if deadlines
            else "geen"
        )
    )
    documents = [
        (
            item.kind.label,
            item.state.label,
            _moment(item.due) if item.due else "",
            item.required_from.label
            if hasattr(item.required_from, "label")
            else str(item.required_from),
        )
        for item in document_checklist(facts, now, rules)
    ]
    parts.append(
        "Documenten\n" + tabulate(documents, headers=["document", "stand", "uiterlijk", "van"])
    )
    return "\n\n".join(parts)
