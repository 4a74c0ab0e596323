"""The case screen (Enter from the queue, Esc back): overview, documents, deadlines, partners,
timeline and notes of one case, and every process-management action on it.

The overview lists the household (role, name, age, BSN, contact details of adults), says when
children live in it (Veilig Thuis must be informed), and names the linked cases: when more than
one person was banned from the home, each has a case of their own; ``z`` opens the next of them.
"""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Static, TabbedContent, TabPane

from hvo_tui.domain import (
    CaseAction,
    DeadlineState,
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
from hvo_tui.domain.decisions import serving_summary
from hvo_tui.domain.household import age_text, children
from hvo_tui.domain.localtime import NONE_SHOWN, format_date, format_moment
from hvo_tui.domain.retention import REDACTED
from hvo_tui.domain.signing import describe_signature, is_decision
from hvo_tui.domain.vocab import CaseStatus, DocumentKind, PartnerRole, PersonRole
from store.interface import CaseDetail, ConnectionLost, LinkedCase, StoreError

from .case_actions import CASE_ACTIONS, build_form, may
from .context import context
from .detail import STATE_GLYPH
from .help import HelpScreen, binding_rows
from .messages import CaseActionSaved, CaseLoaded, HouseholdLoaded, LoadFailed
from .widgets import TopBar, glyph_text, glyphs

EVENT_LABELS = {
    "case_opened": "zaak geopend",
    "assign_partner": "partner toegewezen",
    "document_requested": "document opgevraagd",
    "document_received": "document ontvangen",
    "reminder_sent": "herinnering verstuurd",
    "meeting_recorded": "overleg vastgelegd",
    "note_added": "notitie",
    "decision_signed": "besluit ondertekend",
    "decision_refused": "besluit niet ondertekend",
    "decision_served": "besluit uitgereikt",
    "created": "zaak aangemaakt",
    "case_created": "screening geregistreerd",
    "person_added": "persoon toegevoegd",
    "person_corrected": "persoon gecorrigeerd",
}
# The household's roles in the order the overview lists them.
ROLE_ORDER = {role.value: i for i, role in enumerate(PersonRole)}
# A person's data as the timeline names it (person_corrected's ``velden``).
PERSON_FIELD_LABELS = {
    "role": "rol",
    "first_name": "voornaam",
    "last_name": "achternaam",
    "birth_date": "geboortedatum",
    "bsn": "BSN",
    "phone": "telefoon",
    "email": "e-mail",
}


def event_label(action: str) -> str:
    """The Dutch name of an event: its own label, else the life-cycle action's."""
    if action in EVENT_LABELS:
        return EVENT_LABELS[action]
    return CaseAction(action).label if action in CaseAction._value2member_map_ else action


def moment(value) -> str:
    return format_moment(value, empty=NONE_SHOWN)


def _shown(name: str, value) -> str:
    if value in (None, ""):
        return "–"
    if name == "role":
        return _label(PersonRole, str(value))
    if name == "birth_date":
        return str(value)[8:10] + "-" + str(value)[5:7] + "-" + str(value)[:4]
    return str(value)


def person_event_text(action: str, details: dict) -> str:
    """A household event's details as the timeline says them: who joined, or what changed from
    what to what. After retention the person's data is a marker; for support, initials."""
    role = _label(PersonRole, str(details.get("rol") or ""))
    if action == "person_added":
        person = (details.get("na") or {}).get("persoon")
        if not isinstance(person, dict):
            return f"{role}: {person or REDACTED}"
        name = " ".join(str(person.get(k) or "") for k in ("first_name", "last_name")).strip()
        born = person.get("birth_date")
        return f"{role}: {name}" + (f", geboren {_shown('birth_date', born)}" if born else "")
    before = (details.get("voor") or {}).get("persoon")
    after = (details.get("na") or {}).get("persoon")
    fields = details.get("velden") or []
    if not isinstance(before, dict) or not isinstance(after, dict):
        names = ", ".join(PERSON_FIELD_LABELS.get(f, f) for f in fields)
        return f"{role}: {names} ({REDACTED})"
    return f"{role}: " + "; ".join(
        f"{PERSON_FIELD_LABELS.get(f, f)} {_shown(f, before.get(f))} → {_shown(f, after.get(f))}"
        for f in fields
    )


def _label(enum, value: str) -> str:
    return enum(value).label if value in enum._value2member_map_ else value


class CaseScreen(Screen):
    BINDINGS = [
        Binding("escape", "back", "Terug", id="case.back"),
        *(
            Binding(spec.key, f"case_action('{spec.id}')", spec.label, id=f"case.{spec.id}")
            for spec in CASE_ACTIONS
        ),
        Binding("z", "linked_case", "Gekoppelde zaak", show=False, id="case.linked"),
        Binding("f5,ctrl+r", "reload", "Vernieuwen", show=False, id="case.reload"),
        Binding("question_mark", "help", "Help", id="case.help"),
        Binding("right,l_tab", "next_tab", "Volgende tab", show=False, id="case.next_tab"),
        Binding("left", "previous_tab", "Vorige tab", show=False, id="case.previous_tab"),
    ]

    def __init__(self, case_id: int, number: str, rules: RegionRules | None = None) -> None:
        super().__init__()
        self.case_id = case_id
        self.number = number
        self.rules = rules or RegionRules()
        self.detail: CaseDetail | None = None
        self.linked: list[LinkedCase] = []  # the other cases of the household

    def compose(self) -> ComposeResult:
        yield TopBar(id="topbar")
        yield Static(id="banner")
        yield Static(glyph_text(context(self), f"{self.number} · laden..."), id="case-header")
        with TabbedContent(id="case-tabs"):
            for key, title in (
                ("overview", "Overzicht"),
                ("documents", "Documenten"),
                ("deadlines", "Termijnen"),
                ("partners", "Partners"),
                ("timeline", "Tijdlijn"),
                ("notes", "Notities"),
            ):
                with TabPane(title, id=f"tab-{key}"):
                    yield Static(id=f"case-{key}", classes="case-body")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(TopBar).counts = self.number
        self.reload()

    # --- loading ----------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="case-load", exit_on_error=False)
    def reload(self) -> None:
        try:
            detail = context(self).store.case_detail(self.case_id, context(self).actor)
        except ConnectionLost as exc:
            self.post_message(LoadFailed(f"⚠ {exc} · getoond is de laatst bekende stand"))
            return
        except StoreError as exc:
            self.post_message(LoadFailed(f"⚠ {exc}"))
            return
        try:  # the mayor's digital signatures, verified now (issue 10)
            signatures = context(self).store.decision_signatures(self.case_id)
        except StoreError:  # e.g. an older API server: the case without its signatures
            signatures = []
        try:  # the other cases of the household (issue 16)
            linked = context(self).store.household_cases(self.case_id)
        except StoreError:  # e.g. an older API server: no linked cases shown
            linked = []
        self.post_message(HouseholdLoaded(self.case_id, linked))
        self.post_message(CaseLoaded(self.case_id, detail, signatures))

    @on(LoadFailed)
    def _load_failed(self, message: LoadFailed) -> None:
        self.show_banner(message.message)

    @on(HouseholdLoaded)
    def _household_loaded(self, message: HouseholdLoaded) -> None:
        self.linked = list(message.linked)

    @on(CaseLoaded)
    def _case_loaded(self, message: CaseLoaded) -> None:
        self.show(message.detail, message.signatures)

    def show_banner(self, message: str) -> None:
        banner = self.query_one("#banner", Static)
        banner.update(glyph_text(context(self), message))
        banner.add_class("visible")

    def show(self, detail: CaseDetail, signatures=()) -> None:
        self.detail = detail
        self.signatures = list(signatures)
        self.query_one("#banner").remove_class("visible")
        now = context(self).clock.now()
        row = detail.row
        facts = row.facts
        status = effective_status(facts, now, self.rules)
        urgent = most_urgent(facts, now, self.rules)
        sep = f" {glyphs(context(self))['sep']} "
        header = Text()
        header.append(f"{row.number}", style="bold")
        header.append(f"{sep}{status.label}{sep}{row.municipality} ({row.region})")
        if urgent:
            header.append(f"{sep}{urgent.label}: {countdown_text(urgent.due, now)}")
        self.query_one("#case-header", Static).update(header)
        self.query_one("#case-overview", Static).update(self.overview(detail, now))
        self.query_one("#case-documents", Static).update(self.documents(detail, now))
        self.query_one("#case-deadlines", Static).update(self.deadlines(detail, now))
        self.query_one("#case-partners", Static).update(self.partners(detail))
        self.query_one("#case-timeline", Static).update(self.timeline(detail))
        self.query_one("#case-notes", Static).update(self.notes(detail))
        self.refresh_bindings()

    # --- rendering --------------------------------------------------------------------------------

    def overview(self, detail: CaseDetail, now) -> Table:
        row, facts = detail.row, detail.row.facts
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold")
        table.add_column()
        table.add_row("Status", effective_status(facts, now, self.rules).label)
        table.add_row("Adres", row.address or "–")
        table.add_row("Screening sinds", moment(facts.opened_at))
        if facts.imposed_at:
            table.add_row(
                "Opgelegd (T0)",
                moment(facts.imposed_at) + (" door de HOvJ" if facts.imposed_by_hovj else ""),
            )
            table.add_row("Einde", moment(ban_end(facts.imposed_at, facts.extended_until)))
            table.add_row("Uiterlijk (28 dagen)", moment(extension_limit(facts.imposed_at)))
        flags = []
        if facts.child_abuse:
            flags.append(
                "kindermishandeling"
                + (" (Veilig Thuis geraadpleegd)" if facts.vt_consulted_at else "")
            )
        if facts.appeal_requested_at and not facts.appeal_decided_at:
            flags.append(
                "beroep aangevraagd"
                + (
                    f", zitting {moment(facts.appeal_hearing_at)}"
                    if facts.appeal_hearing_at
                    else ""
                )
            )
        if facts.violation_count:
            flags.append(f"overtreding gemeld ({facts.violation_count}x)")
        if facts.herstel:
            flags.append("herstelbeschikking")
        kids = children(facts.persons, now)
        if kids:  # Veilig Thuis is informed of every ban; with children it is the more pressing
            flags.append(
                f"{len(kids)} {'kind' if len(kids) == 1 else 'kinderen'} in het huishouden "
                "(Veilig Thuis informeren)"
            )
        table.add_row("Kenmerken", ", ".join(flags) or "–")
        for person in sorted(detail.persons, key=lambda p: (ROLE_ORDER.get(p.role, 9), p.id)):
            name = " ".join(x for x in (person.first_name, person.last_name) if x)
            years = age_text(person.birth_date, now)
            born = (
                f", {years} (geboren {format_date(person.birth_date)})" if person.birth_date else ""
            )
            table.add_row(
                _label(PersonRole, person.role),
                f"{name}{born}"
                + (f", BSN {person.bsn}" if person.bsn else "")
                + (f", {person.address}" if person.address else "")
                + (f", tel. {person.phone}" if person.phone else "")
                + (f", {person.email}" if person.email else ""),
            )
        if self.linked:
            table.add_row(
                "Gekoppelde zaken",
                ", ".join(f"{c.number} ({_label(CaseStatus, c.status)})" for c in self.linked)
                + " · z opent",
            )
        if detail.earlier:
            table.add_row(
                "Eerdere zaken",
                earlier_label(len(detail.earlier))
                + ": "
                + ", ".join(f"{e.number} ({e.match}, {e.municipality})" for e in detail.earlier),
            )
        return table

    def documents(self, detail: CaseDetail, now) -> Table | Group:
        table = Table(box=None, padding=(0, 1), expand=True)
        for column in ("document", "stand", "uiterlijk", "van", "ontvangen", "auteur"):
            table.add_column(column)
        by_kind: dict[str, list] = {}
        for doc in detail.documents:
            by_kind.setdefault(doc.kind, []).append(doc)
        for item in document_checklist(detail.row.facts, now, self.rules):
            docs = by_kind.pop(item.kind.value, [])
            latest = docs[-1] if docs else None
            mark = item.state.ascii if context(self).ascii else item.state.glyph
            table.add_row(
                item.kind.label,
                f"{mark} {item.state.label}",
                moment(item.due) if item.due else "–",
                (latest.requested_from or _label(PartnerRole, latest.requested_from_role or ""))
                if latest and latest.requested_from_role
                else item.required_from.label,
                moment(latest.received_at) if latest and latest.received_at else "–",
                (latest.author_name or "") if latest else "",
            )
        for kind, docs in by_kind.items():
            for doc in docs:
                table.add_row(
                    _label(DocumentKind, kind),
                    doc.status,
                    moment(doc.due_at),
                    doc.requested_from or "",
                    moment(doc.received_at),
                    doc.author_name or "",
                )
        g = glyphs(context(self))
        lines = [
            Text(
                f"{g['met'] if c.valid else g['missed']} "
                + describe_signature(c.kind, c.signer_name, c.signed_at, c.valid, c.problem),
                style="" if c.valid else "bold",
            )
            for c in getattr(self, "signatures", ())
        ]
        # Served, announced orally, copies sent; what is not yet (issue 16, Wth art. 2 lid 7).
        in_force = [
            (d.id, d.kind)
            for d in detail.documents
            if is_decision(d.kind) and d.status in ("received", "signed")
        ]
        lines += [
            Text(f"{g[state]} {text}", style="bold" if state == "missed" else "")
            for state, text in serving_summary(
                in_force, detail.servings, self.rules.copy_recipients
            )
        ]
        return Group(table, Text(""), *lines) if lines else table

    def deadlines(self, detail: CaseDetail, now) -> Table:
        table = Table(box=None, padding=(0, 1), expand=True)
        for column in ("termijn", "uiterlijk", "stand", "wie", "grondslag"):
            table.add_column(column)
        g = glyphs(context(self))
        for d in case_deadlines(detail.row.facts, now, self.rules):
            state = f"{g[STATE_GLYPH[d.state]]} {d.state.label}"
            if d.state is not DeadlineState.MET:
                state += f" ({countdown_text(d.due, now)})"
            table.add_row(d.label, moment(d.due), state, d.role.label, d.basis)
        return table

    def partners(self, detail: CaseDetail) -> Table:
        table = Table(box=None, padding=(0, 1), expand=True)
        for column in ("rol", "naam", "organisatie", "telefoon", "e-mail"):
            table.add_column(column)
        for p in detail.row.partners:
            table.add_row(
                _label(PartnerRole, p.role),
                p.name,
                p.organisation or "",
                p.phone or "",
                p.email or "",
            )
        if not detail.row.partners:
            table.add_row("–", "nog geen partners; a wijst toe", "", "", "")
        return table

    def timeline(self, detail: CaseDetail) -> Table:
        table = Table(box=None, padding=(0, 1), expand=True)
        for column in ("moment", "wie", "wat", "details"):
            table.add_column(column)
        for event in detail.events:
            if event.action in ("person_added", "person_corrected"):
                details = person_event_text(event.action, event.details)
            else:
                details = ", ".join(
                    f"{k}: {v}" for k, v in event.details.items() if v not in (None, "", {})
                )
            table.add_row(moment(event.at), event.actor_name, event_label(event.action), details)
        return table

    def notes(self, detail: CaseDetail) -> Table:
        table = Table(box=None, padding=(0, 1), expand=True)
        for column in ("moment", "wie", "soort", "tekst"):
            table.add_column(column)
        for note in detail.notes:
            table.add_row(
                moment(note.at),
                note.author,
                "contactmoment" if note.kind == "contact" else "notitie",
                note.text,
            )
        for meeting in detail.meetings:
            table.add_row(
                moment(meeting.held_at), meeting.participants, meeting.kind, meeting.outcome
            )
        if not detail.notes and not detail.meetings:
            table.add_row("", "", "", "nog geen notities; n voegt er een toe")
        return table

    # --- actions ----------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "case_action":
            spec = next(s for s in CASE_ACTIONS if s.id == parameters[0])
            if not may(context(self).actor, spec):
                return False  # not this role's to do: absent from footer, help and palette
            return True if self.detail is not None else None  # shown, disabled until loaded
        return True

    def action_case_action(self, spec_id: str) -> None:
        if self.detail is None:
            return
        form = build_form(spec_id, self, self.detail.row, self.rules)
        if isinstance(form, str):
            self.notify(form, severity="warning")
            return
        self.app.push_screen(form)

    @on(CaseActionSaved)
    def saved(self, message: CaseActionSaved) -> None:
        self.notify("Opgeslagen.", timeout=3)
        self.reload()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_linked_case(self) -> None:
        """Open the next case of the household (by number, round), in place of this one."""
        if not self.linked:
            self.notify("Deze zaak heeft geen gekoppelde zaken.", timeout=3)
            return
        later = [c for c in self.linked if c.number > self.number]
        target = (later or self.linked)[0]
        self.app.switch_screen(CaseScreen(target.case_id, target.number, self.rules))

    def action_reload(self) -> None:
        self.reload()

    def action_next_tab(self) -> None:
        self._move_tab(1)

    def action_previous_tab(self) -> None:
        self._move_tab(-1)

    def _move_tab(self, step: int) -> None:
        tabs = self.query_one(TabbedContent)
        ids = [pane.id for pane in self.query(TabPane)]
        current = ids.index(tabs.active) if tabs.active in ids else 0
        tabs.active = ids[(current + step) % len(ids)]

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(binding_rows(self), []))
