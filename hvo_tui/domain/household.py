"""The household of a case: who is in it, how old, and what follows from that.

* Only an adult can be banned (Wth art. 2 lid 2): the uithuisgeplaatste must be 18 at T0.
  Age is counted in whole years on the local (Europe/Amsterdam) date of the moment. Someone born
  on 29 February turns a year older on 1 March in a year without that day (the conservative
  reading: nobody is treated as an adult a day early). [choice; the Wth is silent]
* A child in the household (a person with the role ``kind``, or anyone under 18) makes informing
  Veilig Thuis part of the process (Wth art. 3; domain.md "The timeline").
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from .errors import DomainError
from .facts import PersonFacts
from .localtime import format_date, local
from .vocab import PersonRole

ADULT_AGE = 18  # Wth art. 2 lid 2: "een meerderjarige"


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
