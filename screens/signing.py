"""The mayor's signing screen (issue 10): draft decisions of the own municipality awaiting a
signature, the most urgent case first; the RiHG and the draft beschikking side by side; ``o``
signs with the password typed again, ``w`` refuses with a reason, Enter opens the case.

A draft that lacks what the law requires of the decision (the beschikking's place, facts and
circumstances and contact-ban names, Wth art. 2 lid 4; a verlenging's new end and grounds, art. 9;
an intrekking's reason; what a herstel corrects) says so under the draft, and ``o`` then asks no
password but says why (the store refuses it too). A beschikking's duration is shown, computed.

Reached from the queue with ``T`` (and the palette), only for roles with ``sign_decision``. The
case's content is read through ``case_detail`` when a decision is highlighted, which logs the
opening (once per case per visit), like opening the case screen does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from hvo_tui.domain import (
    Permission,
    RegionRules,
    allowed,
    ban_end,
    countdown_text,
    most_urgent,
    urgency_band,
    urgency_key,
)
from hvo_tui.domain.decisions import content_problems
from hvo_tui.domain.localtime import NONE_SHOWN, format_moment
from hvo_tui.domain.vocab import DocumentKind, DocumentStatus
from store.interface import CaseDetail, DocumentRow, PendingDecision, StoreError

from .case import CaseScreen
from .context import context
from .forms import ActionForm, FieldSpec
from .help import HelpScreen, binding_rows
from .messages import CaseLoaded, DecisionWritten, LoadFailed, PendingLoaded
from .widgets import GLYPHS, TopBar, glyph_text, glyphs


def moment(value) -> str:
    return format_moment(value, empty=NONE_SHOWN)


def _labels(kind: str) -> dict[str, str]:
    """The standard form's field labels, when the form is known (else the field names)."""
    try:
        from hvo_tui.domain.standard_forms import form_fields
    except ImportError:  # pragma: no cover - older checkouts without the standard forms
        return {}
    try:
        return {f.name: f.label for f in form_fields(kind)}
    except (KeyError, ValueError):
        return {}


def _kind_label(kind: str) -> str:
    return DocumentKind(kind).label if kind in DocumentKind._value2member_map_ else kind


def _rihg_summary(fields: Mapping[str, Any]) -> str | None:
    try:
        from hvo_tui.domain.standard_forms import rihg_summary
    except ImportError:  # pragma: no cover - older checkouts without the standard forms
        return None
    return rihg_summary(fields)


def render_document(title: str, doc: DocumentRow | None, marks: dict[str, str] = GLYPHS) -> Text:
    """A document's form fields, one "label: value" per line, labelled as on the standard form
    (wraps in a narrow pane without losing the label); ``marks``: the glyph table."""
    text = Text()
    text.append(title, style="bold underline")
    if doc is None:
        text.append("\nniet aanwezig", style="italic")
        return text
    status = (
        DocumentStatus(doc.status).label
        if doc.status in DocumentStatus._value2member_map_
        else doc.status
    )
    text.append(
        f"\n{status} {moment(doc.received_at)} {marks['sep']} {doc.author_name or marks['none']}",
        style="italic",
    )
    fields: Mapping[str, Any] = doc.fields or {}
    if not fields:
        text.append("\ngeen formulierinhoud (papieren formulier)", style="italic")
        return text
    if doc.kind == DocumentKind.RIHG.value:
        summary = _rihg_summary(fields)
        if summary:
            text.append(f"\n{summary}", style="bold")
    labels = _labels(doc.kind)
    ordered = [name for name in labels if name in fields] + sorted(
        n for n in fields if n not in labels
    )
    for name in ordered:
        text.append("\n")
        text.append(labels.get(name, name.replace("_", " ")) + ": ", style="bold")
        text.append(str(fields[name]))
    return text


class PasswordForm(ActionForm):
    """An ActionForm whose ``password`` field hides what is typed."""

    def on_mount(self) -> None:
        super().on_mount()
        for widget in self.query("#f-password").results(Input):
            widget.password = True


class SigningScreen(Screen):
    AUTO_FOCUS = "#sign-table"
    DEFAULT_CSS = """
    SigningScreen #sign-header { height: 1; padding: 0 1; color: $text-muted; }
    SigningScreen #sign-table { height: auto; max-height: 8; }
    SigningScreen #sign-read { height: 1fr; border-top: solid $panel; }
    SigningScreen .sign-pane { width: 1fr; height: 100%; padding: 0 1; }
    SigningScreen .sign-pane:focus { background: $boost; }
    SigningScreen #sign-empty {
        height: 1fr; content-align: center middle; color: $text-muted; display: none;
    }
    SigningScreen #sign-empty.visible { display: block; }
    """

    BINDINGS = [
        Binding("escape", "back", "Terug", id="signing.back"),
        Binding("o", "sign", "Ondertekenen", id="signing.sign"),
        Binding("w", "refuse", "Weigeren", id="signing.refuse"),
        Binding("enter", "open_case", "Zaak openen", id="signing.open"),
        Binding("f5,ctrl+r", "reload", "Vernieuwen", show=False, id="signing.reload"),
        Binding("question_mark", "help", "Help", id="signing.help"),
    ]

    def __init__(self, rules: RegionRules | None = None) -> None:
        super().__init__()
        self.rules = rules or RegionRules()
        self.pending: list[PendingDecision] = []
        self.details: dict[int, CaseDetail] = {}  # case id -> read (and logged) this visit
        self.loading: set[int] = set()
        self.loaded = False

    def compose(self) -> ComposeResult:
        yield TopBar(id="topbar")
        yield Static(id="banner")
        yield Static(glyph_text(context(self), "Te ondertekenen · laden..."), id="sign-header")
        yield DataTable(id="sign-table", cursor_type="row", zebra_stripes=True)
        yield Static("Er wachten geen besluiten op uw handtekening.", id="sign-empty")
        with Horizontal(id="sign-read"):
            with VerticalScroll(id="sign-rihg-pane", classes="sign-pane"):
                yield Static(id="sign-rihg")
            with VerticalScroll(id="sign-draft-pane", classes="sign-pane"):
                yield Static(id="sign-draft")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key, label in (
            ("number", "Zaak"),
            ("due", "Termijn"),
            ("decision", "Besluit"),
            ("municipality", "Gemeente"),
            ("author", "Opgesteld door"),
        ):
            table.add_column(label, key=key)
        self.query_one(TopBar).counts = "ondertekenen"
        self.reload()

    # --- loading ----------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="signing-load", exit_on_error=False)
    def reload(self) -> None:
        try:
            pending = context(self).store.decisions_awaiting_signature(context(self).actor)
        except StoreError as exc:
            self.post_message(LoadFailed(f"⚠ {exc}"))
            return
        self.post_message(PendingLoaded(pending))

    @on(LoadFailed)
    def _load_failed(self, message: LoadFailed) -> None:
        self.show_banner(message.message)

    @on(PendingLoaded)
    def _pending_loaded(self, message: PendingLoaded) -> None:
        self.show_pending(message.pending)

    def show_banner(self, message: str) -> None:
        banner = self.query_one("#banner", Static)
        banner.update(glyph_text(context(self), message))
        banner.add_class("visible")

    def show_pending(self, pending: list[PendingDecision]) -> None:
        self.query_one("#banner").remove_class("visible")
        now = context(self).clock.now()
        self.pending = sorted(
            pending, key=lambda p: (urgency_key(p.row.facts, now, self.rules), p.document.id)
        )
        table = self.query_one(DataTable)
        keep = self.selected()
        marks = glyphs(context(self))
        table.clear()
        for p in self.pending:
            urgent = most_urgent(p.row.facts, now, self.rules)
            due = (
                f"{marks[urgency_band(urgent.due, now)]} {countdown_text(urgent.due, now)}"
                if urgent
                else marks["none"]
            )
            table.add_row(
                p.row.number,
                due,
                _kind_label(p.document.kind),
                p.row.municipality,
                p.document.author_name or marks["none"],
                key=str(p.document.id),
            )
        count = len(self.pending)
        self.query_one("#sign-header", Static).update(
            f"Te ondertekenen: {count} besluit{'en' if count != 1 else ''}, meest urgent bovenaan"
        )
        self.query_one("#sign-empty").set_class(count == 0, "visible")
        table.display = count > 0
        self.query_one("#sign-read").display = count > 0
        if keep is not None:
            ids = [p.document.id for p in self.pending]
            if keep.document.id in ids:
                table.move_cursor(row=ids.index(keep.document.id))
        self.loaded = True
        self.show_reading()
        self.refresh_bindings()

    def selected(self) -> PendingDecision | None:
        table = self.query_one(DataTable)
        if not self.pending or table.row_count == 0:
            return None
        row = min(max(table.cursor_row, 0), len(self.pending) - 1)
        return self.pending[row]

    @on(DataTable.RowHighlighted, "#sign-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_reading()

    @on(DataTable.RowSelected, "#sign-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        self.action_open_case()

    def show_reading(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        detail = self.details.get(chosen.row.case_id)
        if detail is None:
            self.query_one("#sign-rihg", Static).update("RiHG laden...")
            self.query_one("#sign-draft", Static).update("Concept laden...")
            if chosen.row.case_id not in self.loading:
                self.loading.add(chosen.row.case_id)
                self.load_detail(chosen.row.case_id)
            return
        rihg = [
            d
            for d in detail.documents
            if d.kind == DocumentKind.RIHG.value and DocumentStatus(d.status).is_in
        ] or [d for d in detail.documents if d.kind == DocumentKind.RIHG.value]
        draft = next((d for d in detail.documents if d.id == chosen.document.id), None)
        marks = glyphs(context(self))
        self.query_one("#sign-rihg", Static).update(
            render_document(
                f"RiHG {marks['sep']} {chosen.row.number}", rihg[-1] if rihg else None, marks
            )
        )
        reading = render_document(f"Concept: {_kind_label(chosen.document.kind)}", draft, marks)
        duration = self.duration(chosen)
        if duration:
            reading.append(f"\nDuur: {duration}", style="italic")
        problems = self.problems(chosen, draft)
        if problems:
            reading.append(f"\n\n{marks['missed']} Kan nog niet worden ondertekend:", style="bold")
            for message in problems.values():
                reading.append(f"\n{marks['sep']} {message}")
        self.query_one("#sign-draft", Static).update(reading)

    @staticmethod
    def duration(chosen: PendingDecision) -> str | None:
        """A beschikking's duration: T0 and its end, computed (Wth art. 2 lid 4)."""
        t0 = chosen.row.facts.imposed_at
        if chosen.document.kind != DocumentKind.BESCHIKKING.value or t0 is None:
            return None
        return f"{moment(t0)} tot {moment(ban_end(t0))} (berekend uit het opleggen)"

    @staticmethod
    def problems(chosen: PendingDecision, draft: DocumentRow | None) -> dict[str, str]:
        """What the draft lacks that the law requires (the store refuses to sign it too)."""
        if draft is None:
            return {}
        facts = chosen.row.facts
        return content_problems(
            draft.kind, draft.fields or {}, imposed_at=facts.imposed_at, household=facts.persons
        )

    @work(thread=True, group="signing-detail", exit_on_error=False)
    def load_detail(self, case_id: int) -> None:
        try:
            detail = context(self).store.case_detail(case_id, context(self).actor)
        except StoreError as exc:
            self.loading.discard(case_id)
            self.post_message(LoadFailed(f"⚠ {exc}"))
            return
        self.post_message(CaseLoaded(case_id, detail, []))

    @on(CaseLoaded)
    def _case_loaded(self, message: CaseLoaded) -> None:
        self._detail_loaded(message.case_id, message.detail)

    def _detail_loaded(self, case_id: int, detail: CaseDetail) -> None:
        self.loading.discard(case_id)
        self.details[case_id] = detail
        self.show_reading()

    # --- actions ----------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("sign", "refuse"):
            if not allowed(context(self).actor.roles, Permission.SIGN_DECISION):
                return False
            return True if self.selected() is not None else None
        if action == "open_case":
            return True if self.selected() is not None else None
        return True

    def _version(self, chosen: PendingDecision) -> dict[str, int]:
        own = context(self).own_versions
        return {"v": max(chosen.row.version, own.get(chosen.row.case_id, 0))}

    def _form(
        self,
        chosen: PendingDecision,
        title: str,
        fields: list[FieldSpec],
        write,
        intro: str,
        done: str,
        form_class=ActionForm,
    ) -> ActionForm:
        app = context(self)
        store = app.store
        version = self._version(chosen)

        def save(values: dict[str, Any]) -> None:
            version["v"] = write(values, version["v"])
            app.own_versions[chosen.row.case_id] = version["v"]
            self.post_message(DecisionWritten(done))

        def refresh_case() -> str:
            fresh = store.queue_rows({chosen.row.case_id})
            if not fresh:
                return "de zaak is gesloten"
            before, version["v"] = version["v"], fresh[0].version
            return f"versie {before} → {fresh[0].version}; zie de tijdlijn"

        return form_class(title, fields, save, refresh_case, intro=intro)

    def action_sign(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        detail = self.details.get(chosen.row.case_id)
        draft = (
            next((d for d in detail.documents if d.id == chosen.document.id), None)
            if detail
            else None
        )
        problems = self.problems(chosen, draft)
        if problems:  # no password asked for a decision that cannot be signed
            self.notify(
                "Kan nog niet worden ondertekend: " + " ".join(problems.values()),
                severity="warning",
                timeout=8,
            )
            return
        store, actor = context(self).store, context(self).actor
        label = _kind_label(chosen.document.kind)
        form = self._form(
            chosen,
            f"Ondertekenen · {label} · {chosen.row.number}",
            [FieldSpec("password", "Uw wachtwoord (bevestigt de handtekening)")],
            lambda v, ver: store.sign_decision(
                chosen.row.case_id, ver, chosen.document.id, actor, password=v["password"]
            ),
            intro=(
                f"U ondertekent de {label} voor {chosen.row.number} ({chosen.row.municipality}), "
                f"opgesteld door {chosen.document.author_name or '–'}. Daarna kan het besluit "
                "niet meer worden gewijzigd; een correctie wordt een herstelbeschikking."
            ),
            done=f"Ondertekend: {label} {chosen.row.number}.",
            form_class=PasswordForm,
        )
        self.app.push_screen(form)

    def action_refuse(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        store, actor = context(self).store, context(self).actor
        label = _kind_label(chosen.document.kind)
        form = self._form(
            chosen,
            f"Niet ondertekenen · {label} · {chosen.row.number}",
            [FieldSpec("reason", "Reden (komt op de tijdlijn van de zaak)", "multiline")],
            lambda v, ver: store.refuse_decision(
                chosen.row.case_id, ver, chosen.document.id, actor, reason=v["reason"]
            ),
            intro="Het concept wordt afgewezen; de opsteller kan een nieuw concept aanleveren.",
            done=f"Geweigerd: {label} {chosen.row.number}.",
        )
        self.app.push_screen(form)

    @on(DecisionWritten)
    def _decision_written(self, message: DecisionWritten) -> None:
        self._written(message.done)

    def _written(self, message: str) -> None:
        self.notify(message, timeout=4)
        self.details.clear()  # the next reading shows the new state (and logs it)
        self.reload()

    def action_open_case(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        self.app.push_screen(CaseScreen(chosen.row.case_id, chosen.row.number, self.rules))

    def action_reload(self) -> None:
        self.details.clear()
        self.reload()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(binding_rows(self), []))


__all__ = ["SigningScreen", "render_document"]
