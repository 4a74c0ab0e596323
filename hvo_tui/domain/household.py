"""The household of a case: who is in it, how old, and what follows from that.

* Only an adult can be banned (Wth art. 2 lid 2): the uithuisgeplaatste must be 18 at T0.
  Age is counted in whole years on the local (Europe/Amsterdam) date of the moment. Someone born
  on 29 February turns a year older on 1 March in a year without that day (the conservative
  reading: nobody is treated as an adult a day early). [choice; the Wth is silent]
* A child in the household (a person with the role ``kind``, or anyone under 18) makes informing
  Veilig Thuis part of the process (Wth art. 3; domain.md "The timeline"). That deadline applies to
  every ban already (deadlines.py, "Veilig Thuis geïnformeerd"); a child makes it the more
  pressing, and the case and the queue show it (``children``).
* One ban per banned person: a case bans exactly one person. When a screening names two (or more)
  uithuisgeplaatsten, each gets a case of their own, and in each the other banned persons appear
  as ``huisgenoot``: in the home, not under this case's ban (``one_case_per_ban``). A later change
  to the household keeps it so (``check_household``).
* What is recorded of a person (``check_person``): role, first and last name (at most 100
  characters each, the columns' width), birth date (not in the future, at most 120 years back),
  BSN (the elfproef), and contact details (phone, e-mail) of adults only: a child is reached
  through a parent or guardian, so no phone or e-mail of a child is kept (data minimisation, AVG
  art. 5 lid 1 c). [choice] A person's own address is not asked: the household's address is the
  case's (the home), and where the banned person can be reached is the reachable address, a
  process step with its own history (Wth art. 2 lid 6).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from .errors import DomainError
from .facts import PersonFacts
from .localtime import format_date, local
from .validation import normalise_phone, valid_bsn, valid_email
from .vocab import PersonRole

ADULT_AGE = 18  # Wth art. 2 lid 2: "een meerderjarige"
NAME_LENGTH = 100  # case_person.first_name / last_name
EMAIL_LENGTH = 200  # case_person.email
OLDEST_YEARS = 120  # a birth date further back is a typing error
PERSON_FIELDS = ("role", "first_name", "last_name", "birth_date", "bsn", "phone", "email")


def age_on(birth_date: date, moment: datetime) -> int:
    """Whole years from ``birth_date`` to the local date of ``moment``."""
    day = local(moment).date()
    had_birthday = (day.month, day.day) >= (birth_date.month, birth_date.day)
    return day.year - birth_date.year - (0 if had_birthday else 1)


def check_adult(person: PersonFacts, t0: datetime) -> None:
    """DomainError (field ``birth_date``) when ``person`` is under 18 at ``t0``."""
    if person.birth_date is None:
        return
    if person.birth_date > local(t0).date():
        raise DomainError(
            f"De geboortedatum van {person.name} ({format_date(person.birth_date)}) ligt na het "
            "opleggen.",
            field="birth_date",
        )
    age = age_on(person.birth_date, t0)
    if age < ADULT_AGE:
        raise DomainError(
            f"{person.name} is op het moment van opleggen {age} jaar: alleen een meerderjarige "
            "kan een huisverbod krijgen (Wth art. 2 lid 2).",
            field="birth_date",
        )


def banned_persons(persons: Iterable[PersonFacts]) -> list[PersonFacts]:
    return [p for p in persons if p.role is PersonRole.UITHUISGEPLAATSTE]


def children(persons: Iterable[PersonFacts], at: datetime) -> list[PersonFacts]:
    """The household's children at ``at``: role ``kind``, or anyone under 18 but the banned."""
    return [
        p
        for p in persons
        if p.role is PersonRole.KIND
        or (
            p.role is not PersonRole.UITHUISGEPLAATSTE
            and p.birth_date is not None
            and age_on(p.birth_date, at) < ADULT_AGE
        )
    ]


def is_child(person: PersonFacts, at: datetime) -> bool:
    """A child of the household at ``at``: role ``kind``, or under 18 (the banned person never)."""
    if person.role is PersonRole.KIND:
        return True
    return (
        person.role is not PersonRole.UITHUISGEPLAATSTE
        and person.birth_date is not None
        and age_on(person.birth_date, at) < ADULT_AGE
    )


def age_text(birth_date: date | None, at: datetime) -> str:
    """ "9 jaar" (the age at ``at``), or "" when the birth date is not known."""
    if birth_date is None:
        return ""
    years = age_on(birth_date, at)
    return f"{years} jaar" if years >= 0 else ""


def _text(person: Mapping[str, Any], field: str, what: str, limit: int) -> str:
    value = person.get(field)
    if value is not None and not isinstance(value, str):
        raise DomainError(f"Vul {what} in als tekst.", field=field)
    text = " ".join((value or "").split())
    if not text:
        raise DomainError(f"Vul {what} in.", field=field)
    if len(text) > limit:
        raise DomainError(
            f"{what[0].upper()}{what[1:]} is te lang: hoogstens {limit} tekens, niet {len(text)}.",
            field=field,
        )
    return text


def check_person(person: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """One person of a household as typed, checked and normalised at ``now``: a dict with the
    keys of ``PERSON_FIELDS`` (empty optional values None). A DomainError names the field of the
    first problem."""
    today = local(now).date()
    role = person.get("role")
    if role not in PersonRole._value2member_map_:
        raise DomainError(
            f"Onbekende rol voor een persoon: {str(role)[:40]!r}. Kies uit "
            + ", ".join(r.label for r in PersonRole)
            + ".",
            field="role",
        )
    first = _text(person, "first_name", "de voornaam", NAME_LENGTH)
    last = _text(person, "last_name", "de achternaam", NAME_LENGTH)
    birth = person.get("birth_date")
    if birth is not None:
        if not isinstance(birth, date) or isinstance(birth, datetime):
            raise DomainError("Geef de geboortedatum als datum (dd-mm-jjjj).", field="birth_date")
        if birth > today:
            raise DomainError(
                f"De geboortedatum ligt in de toekomst ({format_date(birth)}).", field="birth_date"
            )
        if birth.year < today.year - OLDEST_YEARS:
            raise DomainError(
                f"De geboortedatum ligt meer dan {OLDEST_YEARS} jaar terug ({format_date(birth)}).",
                field="birth_date",
            )
    bsn = _optional(person, "bsn")
    if bsn is not None and not valid_bsn(bsn):
        raise DomainError(
            f"'{bsn[:20]}' is geen geldig BSN (9 cijfers en de elfproef).", field="bsn"
        )
    phone = _optional(person, "phone")
    if phone is not None:
        try:
            phone = normalise_phone(phone[:40])
        except DomainError as exc:
            raise DomainError(exc.message, field="phone") from None
    email = _optional(person, "email")
    if email is not None and (len(email) > EMAIL_LENGTH or not valid_email(email)):
        raise DomainError(f"Geen geldig e-mailadres: '{email[:60]}'.", field="email")
    role = PersonRole(role)
    facts = PersonFacts(role=role, name=f"{first} {last}", birth_date=birth)
    if (phone or email) and is_child(facts, now):
        raise DomainError(
            "Van een kind worden geen telefoon of e-mail vastgelegd: bereik een kind via een "
            "ouder of verzorger.",
            field="phone" if phone else "email",
        )
    return {
        "role": role.value,
        "first_name": first,
        "last_name": last,
        "birth_date": birth,
        "bsn": bsn,
        "phone": phone,
        "email": email,
    }


def _optional(person: Mapping[str, Any], field: str) -> str | None:
    value = person.get(field)
    if value is None:
        return None
    if not isinstance(value, str):
        raise DomainError("Vul dit in als tekst.", field=field)
    return value.strip() or None


def one_case_per_ban(persons: Sequence[Mapping[str, Any]]) -> list[list[dict[str, Any]]]:
    """The households of the cases one screening gives: one per uithuisgeplaatste, in the order
    they were named; in each, the other banned persons appear as ``huisgenoot`` (in the home, not
    under this case's ban). Without any banned person: the one household as given."""
    banned = [i for i, p in enumerate(persons) if p.get("role") == PersonRole.UITHUISGEPLAATSTE]
    if len(banned) <= 1:
        return [[dict(p) for p in persons]]
    return [
        [
            dict(p, role=PersonRole.HUISGENOOT.value) if i in banned and i != own else dict(p)
            for i, p in enumerate(persons)
        ]
        for own in banned
    ]


def check_household(
    before: Sequence[PersonFacts], after: Sequence[PersonFacts], t0: datetime | None
) -> None:
    """A change of one case's household (a person added or corrected), judged on the persons
    before and after it. A case bans one person: a second uithuisgeplaatste gets a case of their
    own, and the banned person stays the banned person (a case without one, from before issue 16,
    may get one). With a ban imposed (``t0``), the banned person is an adult at T0."""
    banned_after = banned_persons(after)
    if len(banned_after) > 1:
        raise DomainError(
            "Deze zaak heeft al een uithuisgeplaatste. Eén huisverbod per persoon: een tweede "
            "uithuisgeplaatste krijgt een eigen zaak (nieuwe screening); hier is die persoon "
            "huisgenoot.",
            field="role",
        )
    if len(banned_after) < len(banned_persons(before)):
        raise DomainError(
            "De uithuisgeplaatste blijft uithuisgeplaatste: het huisverbod van deze zaak geldt "
            "voor die persoon. Corrigeer naam of gegevens, of trek het huisverbod in.",
            field="role",
        )
    if t0 is not None:
        for person in banned_after:
            check_adult(person, t0)
