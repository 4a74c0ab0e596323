"""Validation and normalisation of what users type: BSN, phone, e-mail, postcode, case number."""

from __future__ import annotations

import re

from .errors import DomainError

_BSN = re.compile(r"\d{9}")
_POSTCODE = re.compile(r"([1-9]\d{3})\s*([A-Za-z]{2})")
_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
_CASE_NUMBER = re.compile(r"HV\s*-\s*(\d{4})\s*-\s*(\d{1,5})", re.IGNORECASE)


def valid_bsn(s: object) -> bool:
    """Nine digits passing the elfproef (sum of d_i * (9..2) minus the last digit, mod 11 == 0)."""
    if not isinstance(s, str) or not _BSN.fullmatch(s.strip()):
        return False
    digits = [int(c) for c in s.strip()]
    if not any(digits):
        return False
    total = sum(d * w for d, w in zip(digits[:8], range(9, 1, -1), strict=False)) - digits[8]
    return total % 11 == 0


def normalise_phone(s: str) -> str:
    """A Dutch phone number as +31 followed by nine digits; DomainError for anything else.

    Accepts spaces, dashes, dots, parentheses and the "+31 (0)6" habit; 0800/0900 numbers and
    foreign numbers are refused."""
    raw = (s or "").strip()
    compact = re.sub(r"[\s\-.()/]", "", raw.replace("(0)", ""))
    if compact.startswith("+31"):
        national = compact[3:]
    elif compact.startswith("0031"):
        national = compact[4:]
    elif compact.startswith("0") and not compact.startswith("00"):
        national = compact[1:]
    else:
        raise DomainError(
            f"Geen Nederlands telefoonnummer: '{raw}' (verwacht bijv. 06 12345678).", field="phone"
        )
    if not re.fullmatch(r"[1-9]\d{8}", national):
        raise DomainError(
            f"Een Nederlands telefoonnummer heeft 10 cijfers (bijv. 06 12345678), niet '{raw}'.",
            field="phone",
        )
    return "+31" + national


def valid_email(s: object) -> bool:
    if not isinstance(s, str) or len(s) > 254:
        return False
    return _EMAIL.fullmatch(s.strip()) is not None and s.strip() == s


def normalise_postcode(s: str) -> str:
    """A Dutch postcode as "1234 AB"; DomainError for anything else."""
    raw = (s or "").strip()
    m = _POSTCODE.fullmatch(raw)
    if not m or m.group(2).upper() in ("SA", "SD", "SS"):  # letter pairs that are never issued
        raise DomainError(
            f"Geen geldige postcode: '{raw}' (verwacht bijv. 1234 AB).", field="postcode"
        )
    return f"{m.group(1)} {m.group(2).upper()}"


def parse_case_number(s: str) -> str:
    """The canonical case number "HV-2026-00042"; tolerant of case, spaces and missing zeros."""
    raw = (s or "").strip()
    m = _CASE_NUMBER.fullmatch(raw)
    if not m or int(m.group(2)) == 0 or not 2000 <= int(m.group(1)) <= 2099:
        raise DomainError(
            f"Geen geldig zaaknummer: '{raw}' (verwacht bijv. HV-2026-00042).", field="number"
        )
    return f"HV-{m.group(1)}-{int(m.group(2)):05d}"
