"""A new screening from the queue: where, who, the RiHG in its three parts (20 signals) and the
decision to impose the ban or not. One form, saved in one transaction by the store
(``open_screening``); every problem lands next to its field and nothing typed is lost."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hvo_tui.domain import CaseAction, action_allowed
from hvo_tui.domain.standard_forms import RIHG_PARTS, RIHG_SIGNALS, SIGNAL_ANSWERS
from hvo_tui.domain.validation import valid_bsn
from store.interface import Actor, MunicipalityChoice, NewCase

from .context import AppContext
from .forms import ActionForm, FieldSpec

NO_DECISION = "geen"


def _bsn(value: str) -> str | None:
    return None if valid_bsn(value) else "geen geldig BSN (9 cijfers en de elfproef)"


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
        FieldSpec("p0_first_name", "Voornaam", section="Uithuisgeplaatste"),
        FieldSpec("p0_last_name", "Achternaam"),
        FieldSpec("p0_birth_date", "Geboortedatum", "date", required=False),
        FieldSpec("p0_bsn", "BSN", required=False, validate=_bsn),
        FieldSpec("p1_first_name", "Voornaam", required=False, section="Achterblijver"),
        FieldSpec("p1_last_name", "Achternaam", required=False),
        FieldSpec("p1_birth_date", "Geboortedatum", "date", required=False),
        FieldSpec("p1_phone", "Telefoon", required=False, placeholder="06 12345678"),
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


def screening_values(values: dict[str, Any]) -> dict[str, Any]:
    """The form's values as ``open_screening`` arguments."""
    persons = [
        {
            "role": "uithuisgeplaatste",
            "first_name": values["p0_first_name"],
            "last_name": values["p0_last_name"],
            "birth_date": values["p0_birth_date"],
            "bsn": values["p0_bsn"],
        }
    ]
    if values["p1_first_name"] or values["p1_last_name"]:
        persons.append(
            {
                "role": "achterblijver",
                "first_name": values["p1_first_name"],
                "last_name": values["p1_last_name"],
                "birth_date": values["p1_birth_date"],
                "phone": values["p1_phone"],
            }
        )
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
    """The whole screening in one scrolling form; Tab walks the fields, F2 saves."""

    start_field = "street"  # the moment is prefilled: start at the address


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
