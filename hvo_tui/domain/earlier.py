"""Earlier cases of the same person or address (recidivism matters when triaging).

Matching (choices where domain.md is silent):

* A person is the same when the BSN is the same (valid BSNs only), or when name and birth date are
  the same after normalising the name (lower case, accents stripped, punctuation as space,
  whitespace collapsed). Any person of the case against any person of the earlier case: roles
  change between incidents (a victim then may be the banned person now).
* An address is the same when the incident addresses (``CaseFacts.address``) give the same key:
  postcode + house number (with addition), or without a postcode street + number (+ city).
  Persons' own addresses are not compared: a shelter address would match unrelated cases.
* Earlier means opened strictly before the case; a case never matches itself (same number).
  By default only cases in which a ban was imposed count ("eerder huisverbod"); destroyed cases
  hold no persons and match only by address, so they are left out too.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime

from .facts import CaseFacts, PersonFacts
from .validation import valid_bsn
from .vocab import CaseStatus

_POSTCODE = re.compile(r"\b([1-9]\d{3})\s?([A-Za-z]{2})\b")
_NUMBER = re.compile(r"(\d+)(?:\s*-\s*(\d{1,4}|[a-z]{1,3})|\s*([a-z]{1,3}))?$")


def _fold(text: str, keep: str = "") -> str:
    """Lower case, no accents, punctuation (except ``keep``) as space, whitespace collapsed."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(rf"[^\w{re.escape(keep)}]+", " ", plain).split())


def _birth(value: object) -> str | None:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value.strip():
        try:
            return date.fromisoformat(value.strip()[:10]).isoformat()
        except ValueError:
            return None
    return None


def person_keys(person: PersonFacts) -> set[str]:
    keys: set[str] = set()
    if person.bsn and valid_bsn(person.bsn.strip()):
        keys.add(f"bsn:{person.bsn.strip()}")
    name = _fold(person.name or "")
    born = _birth(person.birth_date)
    if name and born:
        keys.add(f"naam:{name}|{born}")
    return keys


def address_key(address: str | None) -> str | None:
    """ "pc:1234AB|12-a" or "straat:kerkstraat|12|roermond"; None without a house number.

    ``address`` is "street number[addition], [postcode] city" as the store formats it."""
    if not address or not address.strip():
        return None
    parts = [p.strip() for p in address.split(",")]
    postcode = _POSTCODE.search(address)
    street_part = _fold(_POSTCODE.sub(" ", parts[0]), keep="-")
    num = _NUMBER.search(street_part)
    if not num:
        return None
    number = num.group(1).lstrip("0") or "0"
    addition = num.group(2) or num.group(3)
    if addition:
        number += "-" + addition
    if postcode:
        return f"pc:{postcode.group(1)}{postcode.group(2).upper()}|{number}"
    street = _fold(street_part[: num.start()])
    if not street:
        return None
    city = " ".join(_fold(p) for p in parts[1:] if _fold(p))
    return f"straat:{street}|{number}" + (f"|{city}" if city else "")


def _case_person_keys(case: CaseFacts) -> set[str]:
    keys: set[str] = set()
    for person in case.persons:
        keys |= person_keys(person)
    return keys


def find_earlier(
    case: CaseFacts, others: Iterable[CaseFacts], *, bans_only: bool = True
) -> list[CaseFacts]:
    """Earlier cases sharing a person or the incident address, most recent first."""
    mine = _case_person_keys(case)
    my_address = address_key(case.address)
    found = []
    for other in others:
        if other.number == case.number or other.opened_at >= case.opened_at:
            continue
        if other.status is CaseStatus.DESTROYED:
            continue
        if bans_only and other.imposed_at is None:
            continue
        same_person = bool(mine & _case_person_keys(other))
        same_address = my_address is not None and my_address == address_key(other.address)
        if same_person or same_address:
            found.append(other)
    found.sort(key=lambda c: (c.opened_at, c.number), reverse=True)
    return found


def earlier_label(n: int) -> str:
    if n <= 0:
        return ""
    if n == 1:
        return "eerder huisverbod"
    return f"eerder huisverbod ({n}x)"
