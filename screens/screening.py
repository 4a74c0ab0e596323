"""A new screening from the queue: where, who, the RiHG in its three parts (20 signals) and the
decision to impose the ban or not. One form, saved in one transaction by the store
(``open_screening``); every problem lands next to its field and nothing typed is lost.

The household (issue 16): any number of persons, each with a role (uithuisgeplaatste,
achterblijver, kind, huisgenoot), names, birth date, BSN, and phone and e-mail for adults. The
form starts with two (the uithuisgeplaatste and an achterblijver); F3 adds a person after the
last, F4 removes the person the cursor is in. A person left entirely empty is not sent. Two
uithuisgeplaatsten give two linked cases, one ban each (store/screening.py). The store names a
person's field by the person's place in what was sent (``p1_birth_date``); the form maps that
back to the block it came from (``ActionForm.aliases``), so a refusal, such as a banned person
under 18 at T0 (Wth art. 2 lid 2), lands at that person's field.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from textual.binding import Binding
from textual.containers import VerticalScroll

from hvo_tui.domain import CaseAction, action_allowed
from hvo_tui.domain.standard_forms import RIHG_PARTS, RIHG_SIGNALS, SIGNAL_ANSWERS
from hvo_tui.domain.validation import valid_bsn
from hvo_tui.domain.vocab import PersonRole
from store.interface import Actor, MunicipalityChoice, NewCase

from .context import AppContext, context
from .forms import ActionForm, FieldSpec
from .widgets import glyph_text

NO_DECISION = "geen"
# What is typed of a person (besides the role); a block with all of these empty is not sent.
PERSON_TEXT = ("first_name", "last_name", "birth_date", "bsn", "phone", "email")
_PERSON_FIELD = re.compile(r"p(\d+)_(\w+)")


def _bsn(value: str) -> str | None:
    return None if valid_bsn(value) else "geen geldig BSN (9 cijfers en de elfproef)"


def person_fields(
    key: int, role: PersonRole, title: str, *, names_required: bool = False
) -> list[FieldSpec]:
    """The fields of one person of the household, named ``p<key>_...``. The names are needed
    for every person with anything typed (``ScreeningForm.parsed``); ``names_required`` marks
    them so from the start (the first person, the one the ban is about)."""
    p = f"p{key}_"
    return [
        FieldSpec(
            p + "role",
            "Rol",
            "select",
            default=role.value,
            options=[(r.label, r.value) for r in PersonRole],
            section=title,
        ),
        FieldSpec(p + "first_name", "Voornaam", required=names_required),
        FieldSpec(p + "last_name", "Achternaam", required=names_required),
        FieldSpec(p + "birth_date", "Geboortedatum", "date", required=False),
        FieldSpec(p + "bsn", "BSN", required=False, validate=_bsn),
        FieldSpec(p + "phone", "Telefoon (volwassene)", required=False, placeholder="06 12345678"),
        FieldSpec(p + "email", "E-mail (volwassene)", required=False),
    ]


def person_title(number: int) -> str:
    """A person's heading, with the keys (two uithuisgeplaatsten: two linked cases)."""
    return f"Persoon {number} · F3 persoon erbij, F4 deze eraf"


def screening_fields(
    actor: Actor, municipalities: list[MunicipalityChoice], now
) -> list[FieldSpec]:
    decisions = [("nog geen besluit (screening loopt)", NO_DECISION)]
    decisions += [
        (a.label, a.value)
        for a in (CaseAction.IMPOSE, CaseAction.NOT_IMPOSE)
        if action_allowed(actor.roles, a)
    ]
    only = municipalities[0].id if len(municipalities) == 1 else None
    fields = [
        FieldSpec(
            "municipality_id",
            "Gemeente",
            "select",
            default=only,
            options=[(f"{m.name} ({m.region})", m.id) for m in municipalities],
            section="Waar en wanneer",
        ),
        FieldSpec("opened_at", "Begin van de screening", "moment", default=now),
        FieldSpec("street", "Straat (de woning)"),
        FieldSpec("house_number", "Huisnummer"),
        FieldSpec("postcode", "Postcode", placeholder="1234 AB"),
        FieldSpec("city", "Plaats"),
        *person_fields(0, PersonRole.UITHUISGEPLAATSTE, person_title(1), names_required=True),
        *person_fields(1, PersonRole.ACHTERBLIJVER, person_title(2)),
    ]
    titles = dict(RIHG_PARTS)
    seen: set[str] = set()
    for signal in RIHG_SIGNALS:
        section = ""
        if signal.part not in seen:
            seen.add(signal.part)
            section = f"RiHG · {titles[signal.part]}"
        fields.append(
            FieldSpec(
                signal.name, signal.label, "select", options=list(SIGNAL_ANSWERS), section=section
            )
        )
    fields += [
        FieldSpec(
            "toelichting", "Toelichting bij de RiHG", required=False, section="RiHG · conclusie"
        ),
        FieldSpec(
            "conclusie",
            "Conclusie",
            "select",
            options=[("huisverbod geïndiceerd", "opleggen"), ("geen huisverbod", "niet_opleggen")],
        ),
        FieldSpec("rihg_author", "Afgenomen door", default=actor.name),
        FieldSpec(
            "decision",
            "Besluit",
            "select",
            default=NO_DECISION,
            options=decisions,
            section="Besluit",
        ),
        FieldSpec(
            "imposed_at", "Opgelegd op (T0, bij opleggen)", "moment", required=False, default=now
        ),
        FieldSpec("reason", "Reden (bij niet opleggen)", required=False),
    ]
    return fields


def person_keys(values: dict[str, Any]) -> list[int]:
    """The keys of the person blocks in ``values``, in form order."""
    keys: list[int] = []
    for name in values:
        m = _PERSON_FIELD.fullmatch(name)
        if m and m.group(2) == "role" and int(m.group(1)) not in keys:
            keys.append(int(m.group(1)))
    return keys


def _typed(values: dict[str, Any], key: int) -> bool:
    return any(values.get(f"p{key}_{name}") not in (None, "") for name in PERSON_TEXT)


def sent_persons(values: dict[str, Any]) -> list[int]:
    """The keys of the person blocks that are sent (something typed), in form order: the store
    knows them by their place in this list."""
    return [key for key in person_keys(values) if _typed(values, key)]


def screening_values(values: dict[str, Any]) -> dict[str, Any]:
    """The form's values as ``open_screening`` arguments."""
    persons = []
    for key in sent_persons(values):
        person = {"role": values[f"p{key}_role"]}
        person.update({name: values.get(f"p{key}_{name}") for name in PERSON_TEXT})
        persons.append(person)
    rihg = {s.name: values[s.name] for s in RIHG_SIGNALS}
    rihg["conclusie"] = values["conclusie"]
    if values["toelichting"]:
        rihg["samenvatting"] = values["toelichting"]
    decision = None if values["decision"] in (None, NO_DECISION) else values["decision"]
    return dict(
        municipality_id=values["municipality_id"],
        opened_at=values["opened_at"],
        address={k: values[k] for k in ("street", "house_number", "postcode", "city")},
        persons=persons,
        rihg=rihg,
        rihg_author=values["rihg_author"],
        decision=decision,
        imposed_at=values["imposed_at"] if decision == CaseAction.IMPOSE.value else None,
        reason=values["reason"],
    )


class ScreeningForm(ActionForm):
    """The whole screening in one scrolling form; Tab walks the fields, F2 saves, F3 adds a
    person, F4 removes the person the cursor is in."""

    BINDINGS = [
        Binding("f3", "add_person", "Persoon toevoegen", id="screening.add_person", priority=True),
        Binding(
            "f4",
            "remove_person",
            "Persoon verwijderen",
            id="screening.remove_person",
            priority=True,
        ),
    ]

    start_field = "street"  # the moment is prefilled: start at the address

    def __init__(self, *args, **kw) -> None:
        super().__init__(*args, **kw)
        self.next_key = 1 + max(person_keys({spec.name: None for spec in self.specs}), default=-1)

    # --- the household's blocks ------------------------------------------------------------------

    def keys(self) -> list[int]:
        return person_keys({spec.name: None for spec in self.specs})

    def _block(self, key: int) -> list[FieldSpec]:
        return [s for s in self.specs if s.name.startswith(f"p{key}_")]

    def _renumber(self) -> None:
        for number, key in enumerate(self.keys(), start=1):
            spec = self._block(key)[0]
            spec.section = person_title(number)
            for title in self.query(f"#s-{spec.name}"):
                title.update(glyph_text(context(self), spec.section))

    async def action_add_person(self) -> None:
        """A new person (role kind) after the last one; the cursor goes to its first name."""
        key, self.next_key = self.next_key, self.next_key + 1
        last = self._block(self.keys()[-1])[-1]
        at = self.specs.index(last) + 1
        anchor_spec = self.specs[at]
        anchor = self.query_one(
            f"#s-{anchor_spec.name}" if anchor_spec.section else f"#l-{anchor_spec.name}"
        )
        block = person_fields(key, PersonRole.KIND, person_title(len(self.keys()) + 1))
        self.specs[at:at] = block
        widgets = [w for spec in block for w in self.field_widgets(spec, spec.default)]
        await self.query_one("#form-fields", VerticalScroll).mount_all(widgets, before=anchor)
        self.call_after_refresh(self._focus, f"#f-p{key}_first_name")

    def action_remove_person(self) -> None:
        """Take away the person the cursor is in (else the last); one person always stays."""
        keys = self.keys()
        if len(keys) <= 1:
            self.set_status("Er blijft minstens één persoon op het formulier.")
            return
        focused = self.focused.id if self.focused is not None and self.focused.id else ""
        m = _PERSON_FIELD.fullmatch(focused.removeprefix("f-"))
        key = int(m.group(1)) if m and int(m.group(1)) in keys else keys[-1]
        position = keys.index(key)
        for spec in self._block(key):
            for prefix in ("s", "l", "f", "e"):
                for widget in self.query(f"#{prefix}-{spec.name}"):
                    widget.remove()
            self.specs.remove(spec)
            self.stash.pop(spec.name, None)
        self._renumber()
        keys = self.keys()
        target = keys[min(position, len(keys) - 1)]
        self.call_after_refresh(self._focus, f"#f-p{target}_first_name")

    def _focus(self, selector: str) -> None:
        """Focus the widget and bring it (its person's heading first) into view once laid out."""
        found = self.query(selector)
        if not found:
            return
        widget = found.first()
        widget.focus(scroll_visible=False)
        container = self.query_one("#form-fields", VerticalScroll)
        key = selector.removeprefix("#f-").split("_", 1)[0]
        heading = self.query(f"#s-{key}_role")
        target = heading.first() if heading else widget
        self.call_after_refresh(container.scroll_to_widget, target, animate=False, top=True)

    # --- checking and mapping the store's field names back ---------------------------------------

    def parsed(self) -> dict[str, Any] | None:
        """The base checks, then: a person with anything typed needs both names. The store's
        ``p<i>_...`` (the i-th person sent) maps to the block it came from."""
        self.aliases = {}  # (the form's own names, until the store answers)
        values = super().parsed()
        raw = self.raw_values()
        ok = values is not None
        for key in person_keys(raw):
            if not _typed(raw, key):
                continue
            for name in ("first_name", "last_name"):
                if not str(raw.get(f"p{key}_{name}") or "").strip():
                    self.set_error(f"p{key}_{name}", "verplicht")
                    ok = False
        if not ok:
            return None
        self.aliases = {
            f"p{index}_{name}": f"p{key}_{name}"
            for index, key in enumerate(sent_persons(values))
            for name in ("role", *PERSON_TEXT)
        }
        return values


def build_screening_form(
    app: AppContext, municipalities: list[MunicipalityChoice], on_saved: Callable[[NewCase], None]
) -> ScreeningForm:
    """The new-screening form. ``on_saved(new)`` is called in the save's worker thread: it
    should post a message (thread-safe), not touch a widget."""
    store, actor = app.store, app.actor

    def save(values: dict[str, Any]) -> None:
        on_saved(store.open_screening(actor, **screening_values(values)))

    return ScreeningForm(
        "Nieuwe screening",
        screening_fields(actor, municipalities, app.clock.now()),
        save,
        intro="De RiHG: per signaal ja, nee of onbekend. Opleggen zet T0 en vraagt de "
        "beschikking, het proces-verbaal en beide adviezen op.",
    )


__all__ = ["ScreeningForm", "build_screening_form", "screening_fields", "screening_values"]
