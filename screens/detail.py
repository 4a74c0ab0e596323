"""The detail pane of the queue: persons, partner contacts, deadlines and documents of one case.

The case and the partner columns are Rich Text rendered from a store row and its derived rules
(no I/O). The deadlines are a list the user can move in and tick (``DeadlineList``): Tab from
the queue puts the cursor on the most urgent deadline, up/down (j/k) move, Enter (or x, space)
opens the form that records what meets the highlighted deadline, its moment prefilled to now;
Esc or Tab goes back to the queue. Who may not record it is not offered the tick.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from rich.text import Text
from textual.binding import Binding
from textual.widgets import Static

from hvo_tui.domain import (
    Deadline,
    DeadlineState,
    DocumentState,
    ban_end,
    earlier_label,
    extension_limit,
)
from hvo_tui.domain.localtime import NONE_SHOWN, format_short
from hvo_tui.domain.localtime import local_or_none as local
from hvo_tui.domain.vocab import PartnerRole, PersonRole
from store.interface import QueueRow

from .context import context
from .messages import DeadlineTicked
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
    return format_short(value, NONE_SHOWN)


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
) -> tuple[Text, Text]:
    """The case column and the partners-and-documents column (the deadlines: ``DeadlineList``)."""
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

    return case, partners


# --- the deadlines ------------------------------------------------------------------------------

# What still needs doing first (missed, then open, by due), what was done after.
_RANK = {DeadlineState.MISSED: 0, DeadlineState.OPEN: 1, DeadlineState.MET: 2}


def sorted_deadlines(derived: Derived) -> list[Deadline]:
    return sorted(derived.deadlines, key=lambda d: (_RANK[d.state], d.due))


def deadline_line(deadline: Deadline, *, style: Callable[[str], str], ascii_only: bool) -> Text:
    """One deadline: its state's glyph (coloured), due moment, label and legal basis (muted)."""
    g = ASCII_GLYPHS if ascii_only else GLYPHS
    line = Text(no_wrap=True, overflow="ellipsis")
    line.append(f"{g[STATE_GLYPH[deadline.state]]} ", style=style(STATE_STYLE[deadline.state]))
    line.append(f"{moment(deadline.due)} {deadline.label}")
    line.append(f" ({deadline.basis})", style=style("hvo-muted"))
    return line


@dataclass(frozen=True)
class DeadlineItem:
    kind: str  # the DeadlineKind value
    state: DeadlineState
    line: Text  # as shown
    tickable: bool  # this user can record what meets it: one key opens its form


class DeadlineList(Static, can_focus=True):
    """The highlighted case's deadlines, most urgent first, as a list to move in and tick.

    Unfocused it reads like the other columns (no cursor, the top of the list). Focused (Tab
    from the queue) a cursor marks one deadline, in reverse video and with a glyph so it shows
    in 16 colours and without colour; the list scrolls to keep it in view. Ticking posts
    ``DeadlineTicked`` to the screen, which opens the form. After a save the cursor stays where
    it was: on the same deadline, or, when that one moved down as met, on the one that took its
    place (so the next missed step is one key away)."""

    BINDINGS = [
        Binding("down,j", "move(1)", "Omlaag", show=False, id="deadlines.down"),
        Binding("up,k", "move(-1)", "Omhoog", show=False, id="deadlines.up"),
        Binding("home", "move_to(0)", "Eerste", show=False, id="deadlines.first"),
        Binding("end", "move_to(-1)", "Laatste", show=False, id="deadlines.last"),
        Binding("enter,x,space", "tick", "Afvinken", id="deadlines.tick"),
        Binding("escape,tab,shift+tab", "leave", "Terug", id="deadlines.back"),
    ]

    def __init__(
        self, *, back_to: str, id: str = "detail-deadlines", classes: str = "detail-col"
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.back_to = back_to  # the selector of the widget Esc goes back to
        self.case_id: int | None = None
        self.items: list[DeadlineItem] = []
        self.cursor = 0
        self.style: Callable[[str], str] = lambda name: ""

    # --- what it shows ------------------------------------------------------------------------

    def show(
        self, case_id: int | None, items: list[DeadlineItem], style: Callable[[str], str]
    ) -> None:
        """The deadlines of ``case_id`` (None: no case). The cursor goes to the top for another
        case; for the same case it stays on its deadline unless that one's state changed."""
        before = self.current
        if case_id != self.case_id:
            self.cursor = 0
        elif before is not None:
            same = [i for i, item in enumerate(items) if item.kind == before.kind]
            if same and items[same[0]].state is before.state:
                self.cursor = same[0]
        self.case_id = case_id
        self.items = items
        self.style = style
        self.cursor = max(0, min(self.cursor, len(items) - 1))
        self.draw()
        self.refresh_bindings()

    @property
    def current(self) -> DeadlineItem | None:
        return self.items[self.cursor] if 0 <= self.cursor < len(self.items) else None

    def draw(self) -> None:
        ascii_only = context(self).ascii
        text = Text(no_wrap=True, overflow="ellipsis")
        if self.case_id is None:
            self.update(text)
            return
        text.append("Termijnen", style="underline")
        hint = self.hint()
        if hint:
            text.append(f" {'|' if ascii_only else '·'} {hint}", style=self.style("hvo-muted"))
        text.append("\n")
        if not self.items:
            text.append("geen\n", style=self.style("hvo-muted"))
            self.update(text)
            return
        focused = self.has_focus
        rows = max(1, self.content_size.height - 1) if self.content_size.height else len(self.items)
        top = 0
        if focused and self.cursor >= rows:
            top = self.cursor - rows + 1
        mark = ">" if ascii_only else "▸"
        for index in range(top, min(len(self.items), top + rows)):
            item = self.items[index]
            line = item.line.copy()
            if focused:
                here = index == self.cursor
                line = Text(f"{mark if here else ' '} ", no_wrap=True, overflow="ellipsis") + line
                if here:
                    line.stylize("reverse")
            text.append_text(line)
            text.append("\n")
        self.update(text)

    def hint(self) -> str:
        """The keys that matter here, as the user's keymap has them."""
        keys: dict[str, str] = {}
        for active in self.screen.active_bindings.values():  # the first key of each action
            keys.setdefault(active.binding.action, self.app.get_key_display(active.binding))
        if self.has_focus:
            tick = keys.get("tick") if self.check_action("tick", ()) else None
            back = keys.get("leave", "esc")
            return f"{tick}: afvinken, {back}: terug" if tick else f"{back}: terug"
        if any(item.tickable for item in self.items) and "focus_deadlines" in keys:
            return f"{keys['focus_deadlines']}: afvinken"
        return ""

    def on_focus(self) -> None:
        self.call_after_refresh(self.draw)  # has_focus is set once the event is handled

    def on_blur(self) -> None:
        self.call_after_refresh(self.draw)

    def on_resize(self) -> None:
        self.draw()

    # --- keys -----------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "tick":
            if not any(item.tickable for item in self.items):
                return False  # nothing this user may record here: not offered at all
            current = self.current
            return True if current is not None and current.tickable else None
        return True

    def action_move(self, step: int) -> None:
        if self.items:
            self.cursor = max(0, min(len(self.items) - 1, self.cursor + step))
            self.draw()
            self.refresh_bindings()

    def action_move_to(self, index: int) -> None:
        if self.items:
            self.cursor = index % len(self.items)
            self.draw()
            self.refresh_bindings()

    def action_tick(self) -> None:
        current = self.current
        if current is not None and current.tickable and self.case_id is not None:
            self.post_message(DeadlineTicked(self.case_id, current.kind))

    def action_leave(self) -> None:
        self.screen.query_one(self.back_to).focus()
