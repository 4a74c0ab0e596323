"""Inline action forms: one typed modal per action, validated field by field, saved in a worker.

The form stays open until the save succeeded, so nothing typed is lost: bad input gets a Dutch
message next to its field; a refusal by the rules lands next to the field it concerns; a conflict
(someone else changed the case) is explained and the next Enter saves on top of the new state; a
lost connection says so and Enter tries again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pendulum
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static, TextArea

from store.interface import Conflict, ConnectionLost, Refused, StoreError

TZ = "Europe/Amsterdam"
MOMENT_FORMAT = "DD-MM-YYYY HH:mm"


def format_moment(value: datetime | None) -> str:
    return pendulum.instance(value).in_timezone(TZ).format(MOMENT_FORMAT) if value else ""


def parse_moment(text: str) -> datetime:
    """'29-11-2026 20:00' (or '29-11 20:00' this year, or '29-11-2026') in Amsterdam time."""
    text = " ".join(text.split())
    if not text:
        raise ValueError("vul een moment in, bv. 29-11-2026 20:00")
    date_part, _, time_part = text.partition(" ")
    pieces = date_part.replace("/", "-").split("-")
    try:
        if len(pieces) == 2:
            day, month, year = int(pieces[0]), int(pieces[1]), pendulum.now(TZ).year
        elif len(pieces) == 3:
            day, month, year = int(pieces[0]), int(pieces[1]), int(pieces[2])
        else:
            raise ValueError
        hour, minute = 0, 0
        if time_part:
            h, _, m = time_part.replace(".", ":").partition(":")
            hour, minute = int(h), int(m or 0)
        return pendulum.datetime(year, month, day, hour, minute, tz=TZ)
    except ValueError:
        raise ValueError(f"'{text}' is geen geldig moment; schrijf dd-mm-jjjj uu:mm") from None


@dataclass
class FieldSpec:
    name: str
    label: str
    kind: str = "text"  # text | moment | select | multiline
    required: bool = True
    default: Any = None
    options: list[tuple[str, Any]] = field(default_factory=list)  # (label, value) for select
    placeholder: str = ""
    validate: Callable[[Any], str | None] | None = None  # extra check: a Dutch message or None


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
        self.saving = False

    def compose(self) -> ComposeResult:
        with Vertical(id="form"):
            yield Static(self.form_title, id="form-title")
            if self.intro:
                yield Static(self.intro, id="form-intro")
            yield Static("", id="form-status")
            with VerticalScroll(id="form-fields"):
                for spec in self.specs:
                    yield Label(spec.label + ("" if spec.required else " (optioneel)"), classes="form-label")
                    if spec.kind == "select":
                        extra = {} if spec.default is None else {"value": spec.default}
                        yield Select(spec.options, id=f"f-{spec.name}", prompt="kies...",
                                     allow_blank=spec.default is None or not spec.required, **extra)
                    elif spec.kind == "multiline":
                        yield TextArea(str(spec.default or ""), id=f"f-{spec.name}", classes="form-area")
                    else:
                        default = spec.default
                        if isinstance(default, datetime):
                            default = format_moment(default)
                        yield Input(str(default or ""), id=f"f-{spec.name}",
                                    placeholder=spec.placeholder or ("dd-mm-jjjj uu:mm" if spec.kind == "moment" else ""))
                    yield Static("", id=f"e-{spec.name}", classes="form-error")
            yield Static("F2 of Ctrl+S: opslaan · Enter in een invoerregel: opslaan · Esc: annuleren", id="form-hint")

    def on_mount(self) -> None:
        self.initial = self.raw_values()
        # Start where typing is needed: the first text field (a Select is set with the arrows,
        # and most forms come prefilled there).
        typed = [w for w in self.query("Input, TextArea") if w.id and w.id.startswith("f-")]
        if typed:
            typed[0].focus()

    def raw_values(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for spec in self.specs:
            widget = self.query_one(f"#f-{spec.name}")
            if isinstance(widget, Select):
                values[spec.name] = None if widget.value is Select.NULL else widget.value
            elif isinstance(widget, TextArea):
                values[spec.name] = widget.text
            else:
                values[spec.name] = widget.value
        return values

    def set_error(self, name: str | None, message: str) -> None:
        target = f"#e-{name}" if name and self.query(f"#e-{name}") else "#form-status"
        widget = self.query_one(target, Static)
        widget.update(message)
        widget.set_class(bool(message), "visible")
        if name and self.query(f"#f-{name}") and message:
            self.query_one(f"#f-{name}").add_class("-invalid")

    def clear_errors(self) -> None:
        for widget in self.query(".form-error"):
            widget.update("")
            widget.remove_class("visible")
        for spec in self.specs:
            self.query_one(f"#f-{spec.name}").remove_class("-invalid")
        self.set_status("")

    def set_status(self, message: str, error: bool = True) -> None:
        status = self.query_one("#form-status", Static)
        status.update(message)
        status.set_class(bool(message), "visible")
        status.set_class(not error, "info")

    def parsed(self) -> dict[str, Any] | None:
        """The values converted and checked, or None after showing every problem at its field."""
        raw = self.raw_values()
        values: dict[str, Any] = {}
        ok = True
        for spec in self.specs:
            value = raw[spec.name]
            if isinstance(value, str):
                value = value.strip()
            if value in ("", None):
                if spec.required:
                    self.set_error(spec.name, "verplicht")
                    ok = False
                values[spec.name] = None
                continue
            if spec.kind == "moment":
                try:
                    value = parse_moment(value)
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

    @work(thread=True, exclusive=True, group="form-save", exit_on_error=False)
    def run_save(self, values: dict[str, Any]) -> None:
        try:
            self.save_fn(values)
        except Refused as exc:
            self.app.call_from_thread(self.saved_failed, exc.field, str(exc))
        except Conflict:
            note = ""
            if self.refresh_case is not None:
                try:
                    note = self.refresh_case()
                except StoreError:
                    note = ""
            self.app.call_from_thread(
                self.saved_failed, None,
                "Iemand anders heeft deze zaak intussen gewijzigd" + (f": {note}" if note else "")
                + ". Uw invoer staat er nog; Enter slaat hem op de nieuwe stand op.",
            )
        except ConnectionLost as exc:
            self.app.call_from_thread(
                self.saved_failed, None,
                f"{exc}. Er is niets opgeslagen; uw invoer staat er nog. Enter probeert opnieuw.",
            )
        except StoreError as exc:
            self.app.call_from_thread(self.saved_failed, None, str(exc))
        else:
            self.app.call_from_thread(self.saved_ok)

    def saved_failed(self, field_name: str | None, message: str) -> None:
        self.saving = False
        self.set_status("")
        self.set_error(field_name, message)

    def saved_ok(self) -> None:
        self.saving = False
        self.dismiss(True)

    def action_cancel(self) -> None:
        if self.raw_values() != self.initial and not getattr(self, "_confirm_cancel", False):
            self._confirm_cancel = True
            self.set_status("Er is ingevoerde tekst. Nogmaals Esc gooit die weg.")
            return
        self.dismiss(False)
