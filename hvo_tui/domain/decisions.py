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
writing as soon as possible (lid 7: "De burgemeester draagt alsnog zorg voor spoedige vastlegging
op schrift en uitreiking van de beschikking"): its written moment is recorded too. The serving
moment lies between the decision (``decision_moment``) and now. An extension counts only once
served: one not served before the ban's end is a missed deadline with that reason
(``extension_served_in_time``; served exactly at the end is too late: at that moment the ban has
ended, as ``lifecycle`` counts it, and there is nothing left to extend, Wth art. 9 lid 1).

Copies (afschrift): a copy of a decision sent to another party is a serving with manner
``afschrift``. The text of the Wth and the Besluit tijdelijk huisverbod at hand (art. 2 lid 1-7,
the Besluit's art. 2) names no recipients of copies; regions send them by agreement. So which
copies a region sends is a region rule (``RegionRules.copy_recipients``), by default the
achterblijvers (they are protected by the contact ban, art. 2 lid 4 sub c, and must know its
terms) and the officier van justitie (a violation is a crime, Wth art. 11). [choice: the law at
hand is silent; configurable per region]. A missing copy is shown, not counted as a missed
deadline.
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
    and child. Not a huisgenoot: someone else in the home, or in a linked case the other banned
    person (issue 16), is named only when the user chooses so."""
    chosen = (PersonRole.ACHTERBLIJVER, PersonRole.KIND)
    return [p.name for p in persons if p.role in chosen and p.name.strip()]


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
    names under a contact ban must be persons of the household (not the banned person) when the
    household is known (any person on the case); without one, any name is taken as given."""
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
        household = [p for p in household if p.name.strip()]
        banned = {
            p.name.strip().casefold() for p in household if p.role is PersonRole.UITHUISGEPLAATSTE
        }
        protected = {
            p.name.strip().casefold()
            for p in household
            if p.role is not PersonRole.UITHUISGEPLAATSTE
        }
        names = contact_ban_names(fields.get(CONTACT_BAN_FIELD))
        if household and CONTACT_BAN_FIELD not in problems:
            himself = [n for n in names if n.casefold() in banned - protected]
            strangers = [n for n in names if n.casefold() not in protected | banned]
            if strangers:
                problems[CONTACT_BAN_FIELD] = (
                    "Niet in het huishouden van deze zaak: " + ", ".join(strangers) + "."
                )
            elif himself:
                problems[CONTACT_BAN_FIELD] = (
                    "Het contactverbod beschermt de anderen in het huishouden, niet de "
                    "uithuisgeplaatste: " + ", ".join(himself) + "."
                )
    return problems


# --- serving -----------------------------------------------------------------------------------

BANNED = PersonRole.UITHUISGEPLAATSTE.value  # the one a decision is served on
SERVED, ORAL, COPY = "uitgereikt", "mondeling", "afschrift"

# How a decision reached someone (the stored code -> Dutch).
MANNERS: dict[str, str] = {
    SERVED: "uitgereikt",
    ORAL: "mondeling aangezegd",  # Wth art. 2 lid 7
    COPY: "afschrift verstrekt",
}
# Who received it (the stored code -> Dutch). The banned person is served; the others get a copy.
RECIPIENTS: dict[str, str] = {
    BANNED: "uithuisgeplaatste",
    "achterblijver": "achterblijver(s)",
    "officier_van_justitie": "officier van justitie",
    "veilig_thuis": "Veilig Thuis",
    "hulpverlening": "hulpverlening (casemanager)",
    "politie": "politie",
    "burgemeester": "burgemeester",
    "advocaat": "advocaat van de uithuisgeplaatste",
}
COPY_RECIPIENTS = tuple(r for r in RECIPIENTS if r != BANNED)
MAX_NAME = 200  # who served it: a name as the database keeps it


@dataclass(frozen=True, slots=True)
class Serving:
    """How a decision reached someone: served (uitgereikt) to or announced orally (mondeling) to
    the banned person, or a copy (afschrift) to another party."""

    kind: DocumentKind  # the decision: beschikking, verlenging, intrekking, herstel
    decided_at: datetime  # when it was decided (``decision_moment``)
    served_at: datetime | None = None
    served_by: str | None = None
    oral: bool = False  # announced orally (Wth art. 2 lid 7); same as manner="mondeling"
    written_at: datetime | None = None  # the oral announcement put in writing
    recipient: str = BANNED
    manner: str | None = None  # None: "mondeling" when ``oral``, else "uitgereikt"

    @property
    def how(self) -> str:
        return self.manner or (ORAL if self.oral else SERVED)


def check_serving(serving: Serving, now: datetime) -> None:
    """DomainError naming the field when the serving does not fit: a known recipient and manner
    (the banned person is served or told orally, anyone else gets a copy); served between the
    decision and now, by someone; an oral announcement put in writing after it, not in the
    future."""
    if serving.recipient not in RECIPIENTS:
        raise DomainError(
            f"Onbekende ontvanger: {str(serving.recipient)[:40]!r}; kies uit "
            + ", ".join(RECIPIENTS.values())
            + ".",
            "recipient",
        )
    how = serving.how
    if how not in MANNERS:
        raise DomainError(
            f"Onbekende wijze van uitreiken: {str(how)[:40]!r}; kies uit "
            + ", ".join(MANNERS)
            + ".",
            "manner",
        )
    if (serving.recipient == BANNED) == (how == COPY):
        raise DomainError(
            "De uithuisgeplaatste krijgt het besluit uitgereikt of mondeling aangezegd; een "
            "ander krijgt een afschrift.",
            "manner",
        )
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
    who = " ".join((serving.served_by or "").split())
    if not who:
        raise DomainError("Vul in wie het besluit uitreikte of bekendmaakte.", "served_by")
    if len(who) > MAX_NAME:
        raise DomainError(f"De naam is te lang (hoogstens {MAX_NAME} tekens).", "served_by")
    if serving.written_at is not None:
        if how != ORAL:
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


def decision_moment(
    kind: DocumentKind | str,
    *,
    imposed_at: datetime | None,
    signed_at: datetime | None = None,
    received_at: datetime | None = None,
    decided_at: datetime | None = None,
) -> datetime | None:
    """The moment a decision was taken: the earliest moment it can have been served.

    * beschikking: T0. The ban is imposed (and announced) at T0, also when the written
      beschikking follows (lid 7) or is signed by the mayor later in hvo.
    * a later decision signed in hvo: the moment of its signature (a draft is no decision yet).
    * a later decision registered on paper: the case's moment of that decision (the extension
      decided, the withdrawal, the herstel) when that came before registering the paper, else the
      moment the paper was registered."""
    if DocumentKind(kind) is DocumentKind.BESCHIKKING:
        return imposed_at
    if signed_at is not None:
        return signed_at
    known = [m for m in (decided_at, received_at) if m is not None]
    return min(known) if known else None


def served_moment(servings: Iterable[Serving]) -> datetime | None:
    """When the decision reached the banned person (served or announced orally): the earliest
    such serving, or None. Copies do not count (Awb 3:41: the decision is announced to whom it
    concerns)."""
    moments = [
        s.served_at
        for s in servings
        if s.recipient == BANNED and s.how in (SERVED, ORAL) and s.served_at is not None
    ]
    return min(moments) if moments else None


def missing_copies(required: Iterable[str], servings: Iterable[Any]) -> list[str]:
    """The recipients in ``required`` (a region's ``copy_recipients``) without a copy yet;
    ``servings``: ``Serving``s, or rows with ``recipient`` and ``manner`` (the store's)."""
    sent = {
        s.recipient for s in servings if (s.how if isinstance(s, Serving) else s.manner) == COPY
    }
    return [r for r in required if r not in sent]


def extension_served_in_time(imposed_at: datetime, serving: Serving | None) -> bool:
    """An extension works only when served before the ban it extends has ended (T0 + 10 days):
    after that there is no ban left to extend (Wth art. 9 lid 1; art. 2 lid 7)."""
    return (
        serving is not None
        and serving.served_at is not None
        and serving.served_at < ban_end(imposed_at)
    )


def describe_serving(
    kind: str,
    recipient: str,
    manner: str,
    served_at: datetime,
    served_by: str,
    written_at: datetime | None = None,
) -> str:
    """One Dutch line: "beschikking opleggen: uitgereikt aan uithuisgeplaatste op 21-11-2026
    08:30 door Hoofdagent De Wit" (an oral one says whether it was put in writing)."""
    label = DocumentKind(kind).label if kind in DocumentKind._value2member_map_ else kind
    text = (
        f"{label}: {MANNERS.get(manner, manner)} aan {RECIPIENTS.get(recipient, recipient)} op "
        f"{format_moment(served_at)} door {served_by}"
    )
    if manner == ORAL:
        text += (
            f", op schrift {format_moment(written_at)}" if written_at else ", nog niet op schrift"
        )
    return text


def serving_summary(
    decisions: Iterable[tuple[int, str]], servings: Iterable[Any], required: Iterable[str]
) -> list[tuple[str, str]]:
    """(state, Dutch line) per serving and per gap, for a case's decisions in force
    (``decisions``: (document id, kind) of the received or signed ones; ``servings``: the
    store's rows, with ``document_id``, ``kind``, ``recipient``, ``manner``, ``served_at``,
    ``served_by``, ``written_at``; ``required``: the region's copy recipients). State "met" for
    a serving, "missed" for a decision not yet served on the banned person, "warn" for copies
    the region sends that are not sent yet."""
    servings = list(servings)
    required = list(required)
    lines = [
        (
            "met",
            describe_serving(s.kind, s.recipient, s.manner, s.served_at, s.served_by, s.written_at),
        )
        for s in servings
    ]
    for document_id, kind in decisions:
        label = DocumentKind(kind).label if kind in DocumentKind._value2member_map_ else kind
        mine = [s for s in servings if s.document_id == document_id]
        if not any(s.recipient == BANNED and s.manner in (SERVED, ORAL) for s in mine):
            lines.append(("missed", f"{label}: nog niet uitgereikt aan de uithuisgeplaatste"))
        missing = missing_copies(required, mine)
        if missing:
            names = ", ".join(RECIPIENTS.get(r, r) for r in missing)
            lines.append(("warn", f"{label}: nog geen afschrift aan {names}"))
    return lines
