"""Inline action forms: one typed modal per action, validated field by field, saved in a worker.

The form stays open until the save succeeded, so nothing typed is lost: bad input gets a Dutch
message next to its field; a refusal by the rules lands next to the field it concerns; a conflict
(someone else changed the case) is explained and the next Enter saves on top of the new state; a
lost connection says so, and the form tries again by itself until the database answers (F2 at
once, Esc cancels).

Exactly once: every save goes with an idempotency key (``Store.write_key``), this form's own
random id plus a keyed digest of the values. When the connection drops after the database
committed but before the answer came back, it is not known whether the save happened; saving the
same input again sends the same key, and the store answers with the first attempt's result instead
of writing twice. Changed input is a new submission with a new key (and meets the usual conflict
check). The digest is keyed with a secret that never leaves the form, so a key reveals nothing of
what was typed (a password, say).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static, TextArea

from hvo_tui.domain.localtime import PLACEHOLDERS, format_moment, parse_date, parse_moment
from store.interface import Conflict, ConnectionLost, Refused, StoreError

from .context import context
from .messages import SaveDone, SaveFailed, SaveLost
from .widgets import glyph_text


@dataclass
class FieldSpec:
    name: str
    label: str
    kind: str = "text"  # text | moment | date | select | multiline
    required: bool = True
    default: Any = None
    options: list[tuple[str, Any]] = field(default_factory=list)  # (label, value) for select
    placeholder: str = ""
    validate: Callable[[Any], str | None] | None = None  # extra check: a Dutch message or None
    section: str = ""  # a heading shown above this field (long forms in parts)
    when: tuple[str, Any] | None = None  # shown (and checked) only while that select has that value


class ActionForm(ModalScreen[bool]):
    """``save(values)`` runs in a thread and may raise StoreError; ``refresh_case()`` (thread)
    rereads the case after a conflict and returns a Dutch line saying what changed."""

    BINDINGS = [
        Binding("escape", "cancel", "Annuleren", id="form.cancel", priority=True),
        Binding("ctrl+s,f2", "submit", "Opslaan", id="form.save", priority=True),
    ]

    def __init__(
        self,
        title: str,
        fields: list[FieldSpec],
        save: Callable[[dict[str, Any]], None],
        refresh_case: Callable[[], str] | None = None,
        intro: str = "",
    ) -> None:
        super().__init__()
        self.form_title = title
        self.specs = fields
        self.save_fn = save
        self.refresh_case = refresh_case
        self.intro = intro
        self.initial: dict[str, str] = {}
        self.stash: dict[str, Any] = {}  # typed values of fields not on the form at the moment
        self.aliases: dict[str, str] = {}  # the store's name of a field -> the form's
        self.saving = False
        self.lost_attempts = 0  # saves in a row that lost the connection
        self.retry_timer: Timer | None = None
        self.submission_id = secrets.token_hex(16)  # this form's saves, see write_key_for
        self._digest_secret = secrets.token_bytes(16)

    def compose(self) -> ComposeResult:
        initial = {spec.name: spec.default for spec in self.specs}
        with Vertical(id="form"):
            yield Static(glyph_text(context(self), self.form_title), id="form-title")
            if self.intro:
                yield Static(glyph_text(context(self), self.intro), id="form-intro")
            yield Static("", id="form-status")
            with VerticalScroll(id="form-fields"):
                for spec in self.specs:
                    if self.shown(spec, initial):
                        yield from self.field_widgets(spec, spec.default)
            yield Static(
                glyph_text(
                    context(self),
                    "F2 of Ctrl+S: opslaan · Enter in een invoerregel: opslaan · Esc: annuleren",
                ),
                id="form-hint",
            )

    def field_widgets(self, spec: FieldSpec, value: Any) -> list[Widget]:
        widgets: list[Widget] = []
        if spec.section:
            widgets.append(
                Static(
                    glyph_text(context(self), spec.section),
                    classes="form-section",
                    id=f"s-{spec.name}",
                )
            )
        widgets.append(
            Label(
                spec.label + ("" if spec.required else " (optioneel)"),
                classes="form-label",
                id=f"l-{spec.name}",
            )
        )
        if spec.kind == "select":
            extra = {} if value is None else {"value": value}
            widgets.append(
                Select(
                    spec.options,
                    id=f"f-{spec.name}",
                    prompt="kies...",
                    allow_blank=spec.default is None or not spec.required,
                    **extra,
                )
            )
        elif spec.kind == "multiline":
            widgets.append(TextArea(str(value or ""), id=f"f-{spec.name}", classes="form-area"))
        else:
            if isinstance(value, datetime):
                value = format_moment(value)
            widgets.append(
                Input(
                    str(value or ""),
                    id=f"f-{spec.name}",
                    placeholder=spec.placeholder or PLACEHOLDERS.get(spec.kind, ""),
                )
            )
        widgets.append(Static("", id=f"e-{spec.name}", classes="form-error"))
        return widgets

    def shown(self, spec: FieldSpec, raw: dict[str, Any] | None = None) -> bool:
        if spec.when is None:
            return True
        name, value = spec.when
        raw = self.raw_values() if raw is None else raw
        return raw.get(name) == value

    def show_conditional(self) -> None:
        """Mount the fields that belong to the form as it stands now and take away the others;
        what was typed in a field taken away comes back with it."""
        raw = self.raw_values()
        container = self.query_one("#form-fields", VerticalScroll)
        for spec in self.specs:
            if spec.when is None:
                continue
            mounted = bool(self.query(f"#f-{spec.name}"))
            if self.shown(spec, raw) and not mounted:
                value = self.stash.get(spec.name, spec.default)
                container.mount_all(self.field_widgets(spec, value))
            elif not self.shown(spec, raw) and mounted:
                self.stash[spec.name] = raw[spec.name]
                for prefix in ("s", "l", "f", "e"):
                    for widget in self.query(f"#{prefix}-{spec.name}"):
                        widget.remove()

    @on(Select.Changed)
    def _select_changed(self, event: Select.Changed) -> None:
        controls = {spec.when[0] for spec in self.specs if spec.when}
        if event.select.id and event.select.id[2:] in controls:
            self.show_conditional()

    # Where typing starts (a field name); None: the first text field.
    start_field: str | None = None

    def on_mount(self) -> None:
        self.initial = self.raw_values()
        # Start where typing is needed: the first text field (a Select is set with the arrows,
        # and most forms come prefilled there).
        typed = [w for w in self.query("Input, TextArea") if w.id and w.id.startswith("f-")]
        if self.start_field and self.query(f"#f-{self.start_field}"):
            self.query_one(f"#f-{self.start_field}").focus()
        elif typed:
            typed[0].focus()

    def raw_values(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for spec in self.specs:
            found = self.query(f"#f-{spec.name}")
            if not found:  # a field of another choice, not on the form now
                values[spec.name] = self.stash.get(spec.name, spec.default)
                continue
            widget = found.first()
            if isinstance(widget, Select):
                values[spec.name] = None if widget.value is Select.NULL else widget.value
            elif isinstance(widget, TextArea):
                values[spec.name] = widget.text
            else:
                values[spec.name] = widget.value
        return values

    def set_error(self, name: str | None, message: str) -> None:
        name = self.aliases.get(name, name) if name else name
        if name and not self.query(f"#e-{name}"):
            # The store names a standard form's field plainly ("feiten"); on a form with several
            # standard forms it is "<kind>__feiten", shown while that kind is chosen.
            shown = [s.name for s in self.specs if s.name.endswith(f"__{name}") and self.shown(s)]
            name = shown[0] if shown else name
        target = f"#e-{name}" if name and self.query(f"#e-{name}") else "#form-status"
        widget = self.query_one(target, Static)
        widget.update(glyph_text(context(self), message))
        widget.set_class(bool(message), "visible")
        if name and self.query(f"#f-{name}") and message:
            self.query_one(f"#f-{name}").add_class("-invalid")

    def clear_errors(self) -> None:
        for widget in self.query(".form-error"):
            widget.update("")
            widget.remove_class("visible")
        for widget in self.query(".-invalid"):
            widget.remove_class("-invalid")
        self.set_status("")

    def set_status(self, message: str, error: bool = True) -> None:
        status = self.query_one("#form-status", Static)
        status.update(glyph_text(context(self), message))
        status.set_class(bool(message), "visible")
        status.set_class(not error, "info")

    def parsed(self) -> dict[str, Any] | None:
        """The values converted and checked, or None after showing every problem at its field."""
        raw = self.raw_values()
        values: dict[str, Any] = {}
        ok = True
        for spec in self.specs:
            value = raw[spec.name]
            if not self.shown(spec, raw):
                values[spec.name] = None  # not part of the form as it stands
                continue
            if isinstance(value, str):
                value = value.strip()
            if value in ("", None):
                if spec.required:
                    self.set_error(spec.name, "verplicht")
                    ok = False
                values[spec.name] = None
                continue
            if spec.kind in ("moment", "date"):
                try:
                    value = (
                        parse_moment(value, context(self).clock.now())
                        if spec.kind == "moment"
                        else parse_date(value)
                    )
                except ValueError as exc:
                    self.set_error(spec.name, str(exc))
                    ok = False
                    continue
            if spec.validate:
                message = spec.validate(value)
                if message:
                    self.set_error(spec.name, message)
                    ok = False
                    continue
            values[spec.name] = value
        return values if ok else None

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_submit()

    def action_submit(self) -> None:
        if self.saving:
            return
        self.clear_errors()
        values = self.parsed()
        if values is None:
            return
        self.saving = True
        self.set_status("opslaan...", error=False)
        self.run_save(values)

    def write_key_for(self, values: dict[str, Any]) -> str:
        """The idempotency key of saving ``values`` from this form: the same input gives the same
        key (a retry is written at most once), other input another."""
        blob = json.dumps(values, sort_keys=True, default=str, ensure_ascii=False).encode("utf-8")
        digest = hashlib.blake2b(blob, key=self._digest_secret, digest_size=12).hexdigest()
        return f"{self.submission_id}-{digest}"

    def keyed(self, values: dict[str, Any]):
        """The store's write-key context for this save."""
        return context(self).store.write_key(self.write_key_for(values))

    @work(thread=True, exclusive=True, group="form-save", exit_on_error=False)
    def run_save(self, values: dict[str, Any]) -> None:
        try:
            with self.keyed(values):
                self.save_fn(values)
        except Refused as exc:
            self.post_message(SaveFailed(exc.field, str(exc)))
        except Conflict:
            note = ""
            if self.refresh_case is not None:
                try:
                    note = self.refresh_case()
                except StoreError:
                    note = ""
            self.post_message(
                SaveFailed(
                    None,
                    "Iemand anders heeft deze zaak intussen gewijzigd"
                    + (f": {note}" if note else "")
                    + ". Uw invoer staat er nog; Enter slaat hem op de nieuwe stand op.",
                )
            )
        except ConnectionLost as exc:
            # The answer was lost: the save may or may not have happened. The retry goes with the
            # same key, so it is written at most once either way.
            self.post_message(SaveLost(str(exc)))
        except StoreError as exc:
            self.post_message(SaveFailed(None, str(exc)))
        else:
            self.post_message(SaveDone())

    @on(SaveFailed)
    def _save_failed(self, message: SaveFailed) -> None:
        self.saved_failed(message.field, message.message)

    @on(SaveLost)
    def _save_lost(self, message: SaveLost) -> None:
        self.save_lost(message.reason)

    @on(SaveDone)
    def _save_done(self, message: SaveDone) -> None:
        self.saved_ok()

    def saved_failed(self, field_name: str | None, message: str) -> None:
        self.saving = False
        self.lost_attempts = 0
        self.set_status("")
        self.set_error(field_name, message)

    # After a lost connection the form saves again by itself, with backoff, until the database
    # answers (or the user cancels): the same input goes with the same key, so a save that did
    # reach the database before the connection dropped is not written a second time.
    RETRY_SECONDS = (1, 2, 4, 8, 15)

    def save_lost(self, reason: str) -> None:
        self.saving = False
        attempt = self.lost_attempts
        self.lost_attempts = attempt + 1
        wait = self.RETRY_SECONDS[min(attempt, len(self.RETRY_SECONDS) - 1)]
        self.set_status("")
        self.set_error(
            None,
            f"{reason[:1].upper()}{reason[1:]}: het is niet zeker of er is "
            f"opgeslagen. Uw invoer staat er nog; hvo probeert het over {wait} s "
            "opnieuw (F2 meteen), zonder iets dubbel op te slaan. Esc annuleert.",
        )
        if self.retry_timer is not None:
            self.retry_timer.stop()
        self.retry_timer = self.set_timer(wait, self._retry_after_loss)

    def _retry_after_loss(self) -> None:
        if self.is_attached and not self.saving and self.lost_attempts:
            self.action_submit()

    def saved_ok(self) -> None:
        self.saving = False
        self.lost_attempts = 0
        self.dismiss(True)

    def action_cancel(self) -> None:
        if self.raw_values() != self.initial and not getattr(self, "_confirm_cancel", False):
            self._confirm_cancel = True
            self.set_status("Er is ingevoerde tekst. Nogmaals Esc gooit die weg.")
            return
        self.dismiss(False)
