"""The household after the screening: a person added, or one corrected (issue 16).

One action, "Huishouden", key h. Its first field chooses the person: "nieuwe persoon" or one of
the case's persons, read when the form opens (``case_detail``, so the opening is logged like any
reading of person data); choosing a person fills the fields with what is recorded. The rules are
the store's (hvo_tui/domain/household.py): the names, a birth date not in the future, the BSN's
elfproef, phone and e-mail of adults only, one banned person per case who stays so, an adult at
T0. Every refusal lands at its field; nothing typed is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import on, work
from textual.widgets import Input, Select

from hvo_tui.domain import Permission
from hvo_tui.domain.household import age_text
from hvo_tui.domain.localtime import format_date
from hvo_tui.domain.validation import valid_bsn
from hvo_tui.domain.vocab import PersonRole
from store.interface import PersonRow, Store, StoreError

from ..forms import ActionForm, FieldSpec
from ..messages import CaseLoaded, LoadFailed
from .base import CaseActionSpec, OnCase

NEW = 0  # the person select's value for "a new person" (person ids start at 1)
TEXT_FIELDS = ("first_name", "last_name", "birth_date", "bsn", "phone", "email")


def _bsn(value: str) -> str | None:
    return None if valid_bsn(value) else "geen geldig BSN (9 cijfers en de elfproef)"


def person_label(person: PersonRow, now) -> str:
    """ "kind: Mila Peeters (9 jaar)" as the person select shows it."""
    role = (
        PersonRole(person.role).label
        if person.role in PersonRole._value2member_map_
        else person.role
    )
    years = age_text(person.birth_date, now)
    return f"{role}: {person.first_name} {person.last_name}" + (f" ({years})" if years else "")


class HouseholdForm(ActionForm):
    """Reads the case's persons when it opens; choosing one fills the fields."""

    def __init__(self, *args, store: Store, on_case: OnCase, **kw) -> None:
        super().__init__(*args, **kw)
        self.store = store
        self.on_case = on_case
        self.persons: dict[int, PersonRow] = {}
        self.chosen: Any = NEW  # the person the fields show

    def on_mount(self) -> None:
        super().on_mount()
        self.load_persons()

    @work(thread=True, exclusive=True, group="household", exit_on_error=False)
    def load_persons(self) -> None:
        case = self.on_case
        try:
            detail = self.store.case_detail(case.row.case_id, case.actor)
        except StoreError as exc:
            self.post_message(LoadFailed(f"De personen zijn niet te lezen: {exc}"))
            return
        self.post_message(CaseLoaded(case.row.case_id, detail, []))

    @on(LoadFailed)
    def _load_failed(self, message: LoadFailed) -> None:
        self.set_status(message.message)

    @on(CaseLoaded)
    def _persons_loaded(self, message: CaseLoaded) -> None:
        self.persons = {p.id: p for p in message.detail.persons}
        select = self.query_one("#f-person", Select)
        chosen = select.value
        select.set_options(
            [("nieuwe persoon toevoegen", NEW)]
            + [(person_label(p, self.on_case.now), p.id) for p in self.persons.values()]
        )
        select.value = chosen if chosen in self.persons else NEW
        self.initial = self.raw_values()

    @on(Select.Changed, "#f-person")
    def _person_chosen(self, event: Select.Changed) -> None:
        if event.value == self.chosen:  # (the options were set anew): keep what is typed
            return
        self.chosen = event.value
        person = self.persons.get(event.value) if event.value is not Select.NULL else None
        values = {
            "first_name": person.first_name if person else "",
            "last_name": person.last_name if person else "",
            "birth_date": format_date(person.birth_date) if person else "",
            "bsn": (person.bsn or "") if person else "",
            "phone": (person.phone or "") if person else "",
            "email": (person.email or "") if person else "",
        }
        for name, value in values.items():
            found = self.query(f"#f-{name}")
            if found:
                found.first(Input).value = value
        role = self.query_one("#f-role", Select)
        role.value = person.role if person else PersonRole.KIND.value
        self.clear_errors()
        self.initial = self.raw_values()


class EditHousehold(CaseActionSpec):
    id = "household"
    key = "h"
    label = "Huishouden"
    description = (
        "Een persoon aan het huishouden toevoegen (bijvoorbeeld een kind) of de gegevens van "
        "een persoon corrigeren: rol, naam, geboortedatum, BSN, telefoon en e-mail."
    )
    # As the store (store/household.py HOUSEHOLD_PERMISSIONS; a test keeps them equal).
    permissions = (Permission.EDIT_CASE, Permission.CREATE_CASE)
    title = "Huishouden"
    aliases = {"person_id": "person"}

    def intro_for(self, on: OnCase) -> str:
        return (
            "Kies nieuwe persoon of een persoon om te corrigeren. Een tweede uithuisgeplaatste "
            "krijgt een eigen zaak; telefoon en e-mail alleen van volwassenen."
        )

    def fields(self, on: OnCase) -> list[FieldSpec]:
        return [
            FieldSpec("person", "Persoon", "select", options=[("nieuwe persoon toevoegen", NEW)]),
            FieldSpec("role", "Rol", "select", options=[(r.label, r.value) for r in PersonRole]),
            FieldSpec("first_name", "Voornaam"),
            FieldSpec("last_name", "Achternaam"),
            FieldSpec("birth_date", "Geboortedatum", "date", required=False),
            FieldSpec("bsn", "BSN", required=False, validate=_bsn),
            FieldSpec("phone", "Telefoon (volwassene)", required=False, placeholder="06 12345678"),
            FieldSpec("email", "E-mail (volwassene)", required=False),
        ]

    def prefill(self, on: OnCase) -> dict[str, Any]:
        return {"person": NEW, "role": PersonRole.KIND.value}

    def save(self, on: OnCase, values: dict[str, Any], version: int) -> int:
        person = {name: values[name] for name in ("role", *TEXT_FIELDS)}
        if not values["person"]:
            return on.store.add_person(on.row.case_id, version, on.actor, person=person)
        return on.store.correct_person(
            on.row.case_id, version, values["person"], on.actor, changes=person
        )

    def make_form(
        self,
        on: OnCase,
        fields: list[FieldSpec],
        save: Callable[[dict[str, Any]], None],
        refresh: Callable[[], str],
    ) -> ActionForm:
        return HouseholdForm(
            f"{self.title} · {on.row.number}",
            fields,
            save,
            refresh,
            intro=self.intro_for(on),
            store=on.store,
            on_case=on,
        )
