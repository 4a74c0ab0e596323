"""What a decision must hold before it can be signed, and its serving (uitreiking).

Content (Wth art. 2 lid 4, and what the later decisions need):

* **beschikking** (imposing): the place (the home's address), the duration (T0 and the end,
  computed from T0: ``timeline.ban_end``, never typed), the facts and circumstances the ban rests
  on, and the names of the persons the contact ban covers. By default the contact ban covers every
  achterblijver and every child of the household (``contact_ban_default``); the form lets the
  user choose.
* **verlenging** (Wth art. 9): the new end (after the current end, at most T0 + 28 days) and the
  facts and circumstances that make the danger continue.
* **intrekking**: the reason (the danger is gone, the household moved, ...).
* **herstelbeschikking**: which decision it corrects and what.
A decision missing its required content cannot be signed: ``content_problems`` says per field
what is missing, in Dutch.

Serving (Wth art. 2 lid 7; Awb 3:40, a decision works once it is announced): every decision is
served (uitgereikt) or announced orally, at a moment, by someone. An oral announcement is put in
writing as soon as possible (lid 7): its written moment is recorded too. The serving moment lies
between the decision and now. An extension counts only once served: one not served before the
ban's end is a missed deadline with that reason (``extension_served_in_time``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .errors import DomainError
from .facts import PersonFacts
from .localtime import format_moment
from .timeline import ban_end
from .vocab import DocumentKind, PersonRole

FACTS_FIELD = "feiten"  # "feiten en omstandigheden"
CONTACT_BAN_FIELD = "contactverbod"  # the names the contact ban covers, one per line or comma

# (field, Dutch name, basis) the law requires per decision kind, beyond what the case holds.
REQUIRED_CONTENT: dict[DocumentKind, tuple[tuple[str, str, str], ...]] = {
    DocumentKind.BESCHIKKING: (
        ("woning", "de plaats (het adres van de woning)", "Wth art. 2 lid 4"),
        (FACTS_FIELD, "de feiten en omstandigheden", "Wth art. 2 lid 4"),
        (CONTACT_BAN_FIELD, "de namen onder het contactverbod", "Wth art. 2 lid 4"),
    ),
    DocumentKind.VERLENGING: (
        ("verlengd_tot", "het nieuwe einde", "Wth art. 9 lid 1"),
        ("motivering", "de feiten en omstandigheden van het voortduren", "Wth art. 9 lid 1"),
    ),
    DocumentKind.INTREKKING: (("reden", "de reden van intrekking", "Wth art. 2"),),
    DocumentKind.HERSTEL: (("reden", "wat wordt hersteld", "Awb 6:19"),),
}


def contact_ban_default(persons: Iterable[PersonFacts]) -> list[str]:
    """The names the contact ban covers unless the user chooses otherwise: every achterblijver
    and child (everyone in the household but the banned person)."""
    return [
        p.name for p in persons if p.role is not PersonRole.UITHUISGEPLAATSTE and p.name.strip()
    ]


def contact_ban_names(value: Any) -> list[str]:
    """The names in a contact-ban field: a list, or text with one name per line or comma."""
    if isinstance(value, list | tuple):
        parts = [str(v) for v in value]
    else:
        parts = str(value or "").replace("\n", ",").split(",")
    return [part.strip() for part in parts if part.strip()]


def content_problems(
    kind: DocumentKind | str,
    fields: Mapping[str, Any],
    *,
    imposed_at: datetime | None = None,
    household: Iterable[PersonFacts] = (),
) -> dict[str, str]:
    """{field: Dutch message} for every required part the decision lacks; empty when complete.

    The duration of a beschikking is the case's T0 and end: without T0 it cannot be stated. The
    names under a contact ban must be persons of the household when the household is known."""
    kind = DocumentKind(kind)
    problems: dict[str, str] = {}
    for name, what, basis in REQUIRED_CONTENT.get(kind, ()):
        value = fields.get(name)
        empty = (
            not contact_ban_names(value)
            if name == CONTACT_BAN_FIELD
            else not str(value or "").strip()
        )
        if empty:
            problems[name] = f"De beschikking mist {what} ({basis})."
    if kind is DocumentKind.BESCHIKKING:
        if imposed_at is None:
            problems["duur"] = (
                "De duur ontbreekt: zonder moment van opleggen is het einde niet te berekenen "
                "(Wth art. 2 lid 4)."
            )
        known = {p.name.strip().casefold() for p in household if p.name.strip()}
        names = contact_ban_names(fields.get(CONTACT_BAN_FIELD))
        strangers = [n for n in names if known and n.casefold() not in known]
        if strangers and CONTACT_BAN_FIELD not in problems:
            problems[CONTACT_BAN_FIELD] = (
                "Niet in het huishouden van deze zaak: " + ", ".join(strangers) + "."
            )
    return problems


# --- serving -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Serving:
    """How a decision reached the person: served (uitgereikt) or announced orally."""

    kind: DocumentKind  # the decision: beschikking, verlenging, intrekking, herstel
    decided_at: datetime  # when it was decided (signed, or imposed)
    served_at: datetime | None = None
    served_by: str | None = None
    oral: bool = False  # announced orally (Wth art. 2 lid 7)
    written_at: datetime | None = None  # the oral announcement put in writing


def check_serving(serving: Serving, now: datetime) -> None:
    """DomainError naming the field when the serving's moments do not fit: served between the
    decision and now; an oral announcement put in writing after it and not in the future."""
    if serving.served_at is None:
        raise DomainError("Vul het moment van uitreiken of mondeling bekendmaken in.", "served_at")
    if serving.served_at < serving.decided_at:
        raise DomainError(
            f"Uitgereikt vóór het besluit ({format_moment(serving.decided_at)}): dat kan niet.",
            "served_at",
        )
    if serving.served_at > now:
        raise DomainError(
            f"Dit moment ligt in de toekomst ({format_moment(serving.served_at)}).", "served_at"
        )
    if not (serving.served_by or "").strip():
        raise DomainError("Vul in wie het besluit uitreikte of bekendmaakte.", "served_by")
    if serving.written_at is not None:
        if not serving.oral:
            raise DomainError(
                "Alleen een mondelinge bekendmaking wordt later op schrift gesteld.", "written_at"
            )
        if serving.written_at < serving.served_at:
            raise DomainError("Op schrift gesteld vóór de mondelinge bekendmaking.", "written_at")
        if serving.written_at > now:
            raise DomainError(
                f"Dit moment ligt in de toekomst ({format_moment(serving.written_at)}).",
                "written_at",
            )


def extension_served_in_time(imposed_at: datetime, serving: Serving | None) -> bool:
    """An extension works only when served before the ban it extends has ended (T0 + 10 days):
    after that there is no ban left to extend (Wth art. 9 lid 1; art. 2 lid 7)."""
    return (
        serving is not None
        and serving.served_at is not None
        and serving.served_at < ban_end(imposed_at)
    )
