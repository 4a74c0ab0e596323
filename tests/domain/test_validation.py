from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hvo_tui.domain import (
    DomainError,
    normalise_phone,
    normalise_postcode,
    parse_case_number,
    valid_bsn,
    valid_email,
)


@pytest.mark.parametrize(
    "s, ok",
    [
        ("111222333", True),
        ("123456782", True),
        ("123456789", False),
        ("000000000", False),
        ("12345678", False),
        ("1234567820", False),
        ("12345678a", False),
        (None, False),
        (123456782, False),
    ],
)
def test_valid_bsn(s, ok):
    assert valid_bsn(s) is ok


@given(st.lists(st.integers(0, 9), min_size=8, max_size=8))
def test_bsn_elfproef_has_exactly_one_check_digit(first):
    passing = [d for d in range(10) if valid_bsn("".join(map(str, first + [d])))]
    assert len(passing) <= 1


@pytest.mark.parametrize(
    "s, out",
    [
        ("06 12345678", "+31612345678"),
        ("06-1234 5678", "+31612345678"),
        ("+31 6 12345678", "+31612345678"),
        ("+31 (0)6 12345678", "+31612345678"),
        ("0031612345678", "+31612345678"),
        ("(077) 123 45 67", "+31771234567"),
    ],
)
def test_normalise_phone(s, out):
    assert normalise_phone(s) == out


@pytest.mark.parametrize(
    "s", ["+32 470 12 34 56", "0612345", "061234567890", "0800 1234", "hallo", ""]
)
def test_non_dutch_phone_refused(s):
    with pytest.raises(DomainError) as err:
        normalise_phone(s)
    assert err.value.field == "phone" and "telefoonnummer" in err.value.message


@pytest.mark.parametrize(
    "s, ok",
    [
        ("a.b@gemeente.nl", True),
        ("piet+hv@vt-limburg.nl", True),
        ("no-at.nl", False),
        ("a@b", False),
        ("a b@c.nl", False),
        ("a@@c.nl", False),
        ("", False),
        (" a@b.nl", False),
    ],
)
def test_valid_email(s, ok):
    assert valid_email(s) is ok


@pytest.mark.parametrize(
    "s, out", [("1234ab", "1234 AB"), (" 6041 AB ", "6041 AB"), ("6041  ab", "6041 AB")]
)
def test_normalise_postcode(s, out):
    assert normalise_postcode(s) == out


@pytest.mark.parametrize("s", ["0123 AB", "12345", "1234 A", "1234 SS", "ABCD 12"])
def test_bad_postcode_refused(s):
    with pytest.raises(DomainError) as err:
        normalise_postcode(s)
    assert err.value.field == "postcode" and "postcode" in err.value.message


@pytest.mark.parametrize(
    "s, out",
    [
        ("HV-2026-00042", "HV-2026-00042"),
        ("hv-2026-42", "HV-2026-00042"),
        (" HV - 2026 - 7 ", "HV-2026-00007"),
    ],
)
def test_parse_case_number(s, out):
    assert parse_case_number(s) == out


@pytest.mark.parametrize("s", ["HV-26-42", "HV-2026-0", "XX-2026-42", "HV-2026-123456", ""])
def test_bad_case_number_refused(s):
    with pytest.raises(DomainError) as err:
        parse_case_number(s)
    assert err.value.field == "number" and "zaaknummer" in err.value.message
