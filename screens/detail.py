"""The detail pane of the queue: persons, partner contacts, deadlines and documents of one case.

Pure rendering to Rich Text from a store row and its derived rules; no I/O.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from rich.text import Text

from hvo_tui.domain import DeadlineState, DocumentState, ban_end, earlier_label, extension_limit
from hvo_tui.domain.localtime import local_or_none as local
from hvo_tui.domain.vocab import PartnerRole, PersonRole
from store.interface import QueueRow

from .queue_model import Derived
from .widgets import ASCII_GLYPHS, GLYPHS

STATE_STYLE = {
    DeadlineState.MISSED: "hvo-missed",
    DeadlineState.OPEN: "hvo-soon",
    DeadlineState.MET: "hvo-later",
}
# The glyph of a deadline's state: keys of screens.widgets.GLYPHS (and ASCII_GLYPHS).
STATE_GLYPH = {DeadlineState.MISSED: "missed", DeadlineState.OPEN: "open", DeadlineState.MET: "met"}
DOC_STYLE = {
    DocumentState.RECEIVED: "hvo-later",
    DocumentState.MISSING: "hvo-today",
    DocumentState.LATE: "hvo-missed",
    DocumentState.NOT_NEEDED: "hvo-muted",
}


def moment(value) -> str:
    shown = local(value)
    return shown.format("DD-MM HH:mm") if shown else "–"


def age(birth: date | None, today: date) -> str:
    if birth is None:
        return ""
    years = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    return f"{years} jr"


def render_detail(
    row: QueueRow,
    derived: Derived,
    earlier: int,
    now,
    *,
    style: Callable[[str], str],
    ascii_only: bool = False,
) -> tuple[Text, Text, Text]:
    facts = row.facts
    g = ASCII_GLYPHS if ascii_only else GLYPHS
    sep = f" {g['sep']} "
    case = Text(no_wrap=True, overflow="ellipsis")
    case.append(f"{row.number}", style="bold")
    case.append(f"{sep}{derived.status.label}\n")
    case.append(f"{row.municipality} ({row.region})\n")
    if row.address:
        case.append(f"{row.address}\n", style=style("hvo-muted"))
    if facts.imposed_at:
        case.append(
            f"T0 {moment(facts.imposed_at)}{sep}einde "
            f"{moment(ban_end(facts.imposed_at, facts.extended_until))}\n"
        )
        case.append(
            f"uiterlijk {moment(extension_limit(facts.imposed_at))}\n", style=style("hvo-muted")
        )
    else:
        case.append(f"screening sinds {moment(facts.opened_at)}\n")
    flags = []
    if facts.imposed_by_hovj:
        flags.append("door HOvJ")
    if facts.child_abuse:
        flags.append("kindermishandeling")
    if facts.appeal_requested_at and not facts.appeal_decided_at:
        flags.append(
            "beroep"
            + (f" zitting {moment(facts.appeal_hearing_at)}" if facts.appeal_hearing_at else "")
        )
    if facts.violation_count:
        flags.append(f"overtreding ({facts.violation_count}x)")
    if facts.herstel:
        flags.append("herstelbeschikking")
    if earlier:
        flags.append(earlier_label(earlier))
    if flags:
        case.append(sep.join(flags) + "\n", style=style("hvo-today"))
    today = local(now).date()
    order = {PersonRole.UITHUISGEPLAATSTE: 0, PersonRole.ACHTERBLIJVER: 1, PersonRole.KIND: 2}
    for person in sorted(facts.persons, key=lambda p: order.get(p.role, 9)):
        years = age(person.birth_date, today)
        case.append(f"{person.role.label}: {person.name}{', ' + years if years else ''}\n")

    deadlines = Text(no_wrap=True, overflow="ellipsis")
    deadlines.append("Termijnen\n", style="underline")
    # What still needs doing first (missed, then open, by due), what was done after.
    rank = {DeadlineState.MISSED: 0, DeadlineState.OPEN: 1, DeadlineState.MET: 2}
    for deadline in sorted(derived.deadlines, key=lambda d: (rank[d.state], d.due)):
        glyph = g[STATE_GLYPH[deadline.state]]
        deadlines.append(f"{glyph} ", style=style(STATE_STYLE[deadline.state]))
        deadlines.append(f"{moment(deadline.due)} {deadline.label}")
        deadlines.append(f" ({deadline.basis})\n", style=style("hvo-muted"))
    if not derived.deadlines:
        deadlines.append("geen\n", style=style("hvo-muted"))

    partners = Text(no_wrap=True, overflow="ellipsis")
    partners.append("Partners\n", style="underline")
    shown_roles = set()
    for contact in row.partners:
        shown_roles.add(contact.role)
        role = (
            PartnerRole(contact.role).label
            if contact.role in PartnerRole._value2member_map_
            else contact.role
        )
        partners.append(f"{role}: ", style="bold")
        partners.append(f"{contact.name}\n")
        details = sep.join(x for x in (contact.phone, contact.email, contact.organisation) if x)
        if details:
            partners.append(f"  {details}\n", style=style("hvo-muted"))
    if PartnerRole.CASEMANAGER.value not in shown_roles:
        partners.append("casemanager: niet toegewezen\n", style=style("hvo-today"))
    partners.append("Documenten\n", style="underline")
    doc_rank = {
        DocumentState.LATE: 0,
        DocumentState.MISSING: 1,
        DocumentState.RECEIVED: 2,
        DocumentState.NOT_NEEDED: 3,
    }
    for item in sorted(derived.checklist.values(), key=lambda i: doc_rank[i.state]):
        if item.state is DocumentState.NOT_NEEDED and item.document is None:
            continue
        glyph = item.state.ascii if ascii_only else item.state.glyph
        partners.append(f"{glyph} ", style=style(DOC_STYLE[item.state]))
        partners.append(f"{item.kind.label}: {item.state.label}")
        if item.due and item.state is not DocumentState.RECEIVED:
            partners.append(f" (uiterlijk {moment(item.due)})", style=style("hvo-muted"))
        partners.append("\n")

    return case, deadlines, partners
