"""The household: only an adult can be banned (Wth art. 2 lid 2), counted on the local date at
T0; what is recorded of a person; one ban per banned person (issue 16)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from hvo_tui.domain import CaseAction, DomainError, transition
from hvo_tui.domain.facts import PersonFacts
from hvo_tui.domain.household import (
    NAME_LENGTH,
    age_on,
    age_text,
    check_household,
    check_person,
    children,
    is_child,
    one_case_per_ban,
)
from hvo_tui.domain.vocab import CaseStatus, PersonRole, Role

from .helpers import T0, at, case

BANNED = PersonFacts(
    role=PersonRole.UITHUISGEPLAATSTE,
    name="J. de Vries",
    birth_date=date(1992, 3, 27),
    bsn="111222333",
    address="Markt 1, 6211 CK Maastricht",
)


def impose(birth: date, t0=T0):
    screening = replace(
        case(CaseStatus.SCREENING, t0=None, opened_at=t0.subtract(hours=2)),
        persons=(replace(BANNED, birth_date=birth),),
    )
    return transition(screening, CaseAction.IMPOSE, {Role.HOVJ}, t0, imposed_at=t0)


def test_eighteen_on_the_day_of_imposing_is_an_adult():
    # T0 is 27-03-2010 20:00 local: born 27-03-1992 is 18 that day, born 28-03-1992 is 17.
    assert impose(date(1992, 3, 27)).status is CaseStatus.IMPOSED
    with pytest.raises(DomainError) as refused:
        impose(date(1992, 3, 28))
    assert refused.value.field == "birth_date"
    assert "17 jaar" in refused.value.message and "Wth art. 2 lid 2" in refused.value.message


def test_age_counts_the_local_date_not_utc():
    # 23:30 local on 26 March is 22:30 UTC: still the day before the 18th birthday locally.
    t0 = at(2010, 3, 26, 23, 30)
    with pytest.raises(DomainError):
        impose(date(1992, 3, 27), t0)
    assert impose(date(1992, 3, 27), at(2010, 3, 27, 0, 0)).status is CaseStatus.IMPOSED


def test_born_on_29_february_becomes_a_year_older_on_1_march():
    assert age_on(date(1992, 2, 29), at(2010, 2, 28, 23, 59)) == 17
    assert age_on(date(1992, 2, 29), at(2010, 3, 1, 0, 0)) == 18
    assert age_on(date(1992, 2, 29), at(2012, 2, 29, 0, 0)) == 20  # a leap year: the day itself


def test_a_fifteen_year_old_is_refused_and_a_birth_date_after_t0_too():
    with pytest.raises(DomainError, match="15 jaar"):
        impose(date(1994, 6, 1))
    with pytest.raises(DomainError) as refused:
        impose(date(2010, 3, 28))
    assert refused.value.field == "birth_date"


def test_an_unknown_birth_date_does_not_block_imposing():
    assert impose(None).imposed_at == T0  # the police may not know it yet; the form asks for it


def test_children_are_the_kind_role_or_anyone_under_eighteen_but_the_banned():
    kid = PersonFacts(PersonRole.KIND, "A", date(2001, 1, 1))
    teen = PersonFacts(PersonRole.ACHTERBLIJVER, "B", date(1992, 3, 28))
    adult = PersonFacts(PersonRole.ACHTERBLIJVER, "C", date(1992, 3, 27))
    young_banned = PersonFacts(PersonRole.UITHUISGEPLAATSTE, "D", date(2000, 1, 1))
    assert children((kid, teen, adult, young_banned), T0) == [kid, teen]


# --- what is recorded of a person (issue 16) ------------------------------------------------

NOW = at(2026, 11, 23, 8, 30)


def typed(**over):
    person = {"role": "achterblijver", "first_name": " Sanne ", "last_name": "de  Vries"}
    person.update(over)
    return person


def refused_field(person) -> str | None:
    with pytest.raises(DomainError) as refused:
        check_person(person, NOW)
    return refused.value.field


def test_a_person_is_checked_and_normalised():
    clean = check_person(typed(bsn=" 111222333 ", phone="06 1234 5678", email="s@example.nl"), NOW)
    assert clean == {
        "role": "achterblijver",
        "first_name": "Sanne",
        "last_name": "de Vries",
        "birth_date": None,
        "bsn": "111222333",
        "phone": "+31612345678",
        "email": "s@example.nl",
    }


@pytest.mark.parametrize(
    "over, field",
    [
        ({"role": "buurman"}, "role"),
        ({"role": None}, "role"),
        ({"first_name": "  "}, "first_name"),
        ({"last_name": None}, "last_name"),
        ({"first_name": "x" * (NAME_LENGTH + 1)}, "first_name"),
        ({"last_name": "x" * 10_000}, "last_name"),
        ({"bsn": "123456789"}, "bsn"),
        ({"phone": "12345"}, "phone"),
        ({"email": "geen-adres"}, "email"),
        ({"birth_date": date(2026, 11, 24)}, "birth_date"),  # tomorrow
        ({"birth_date": date(1905, 1, 1)}, "birth_date"),  # over 120 years back
        ({"birth_date": "2001-01-01"}, "birth_date"),
    ],
)
def test_bad_input_is_refused_at_its_field(over, field):
    assert refused_field(typed(**over)) == field


def test_a_name_of_exactly_the_column_width_is_accepted_and_today_is_a_birth_date():
    clean = check_person(typed(first_name="x" * NAME_LENGTH, birth_date=date(2026, 11, 23)), NOW)
    assert len(clean["first_name"]) == NAME_LENGTH and clean["birth_date"] == date(2026, 11, 23)


def test_contact_details_of_adults_only():
    # 18 on the local date of now: an adult, reachable directly; a day short: a child.
    adult = check_person(typed(birth_date=date(2008, 11, 23), phone="0612345678"), NOW)
    assert adult["phone"] == "+31612345678"
    assert refused_field(typed(birth_date=date(2008, 11, 24), phone="0612345678")) == "phone"
    assert refused_field(typed(role="kind", email="kind@example.nl")) == "email"
    assert check_person(typed(role="kind"), NOW)["role"] == "kind"


def test_is_child_and_age_text():
    assert is_child(PersonFacts(PersonRole.KIND, "A"), NOW)
    assert is_child(PersonFacts(PersonRole.HUISGENOOT, "B", date(2008, 11, 24)), NOW)
    assert not is_child(PersonFacts(PersonRole.HUISGENOOT, "B", date(2008, 11, 23)), NOW)
    assert not is_child(PersonFacts(PersonRole.UITHUISGEPLAATSTE, "C", date(2010, 1, 1)), NOW)
    assert age_text(date(2017, 11, 24), NOW) == "8 jaar"
    assert age_text(date(2017, 11, 23), NOW) == "9 jaar"
    assert age_text(None, NOW) == ""


def test_two_banned_persons_give_two_households_each_with_the_other_as_huisgenoot():
    persons = [
        {"role": "uithuisgeplaatste", "first_name": "Kevin"},
        {"role": "achterblijver", "first_name": "Sanne"},
        {"role": "uithuisgeplaatste", "first_name": "Ruud"},
        {"role": "kind", "first_name": "Mila"},
    ]
    first, second = one_case_per_ban(persons)
    assert [p["role"] for p in first] == [
        "uithuisgeplaatste",
        "achterblijver",
        "huisgenoot",
        "kind",
    ]
    assert [p["role"] for p in second] == [
        "huisgenoot",
        "achterblijver",
        "uithuisgeplaatste",
        "kind",
    ]
    assert persons[2]["role"] == "uithuisgeplaatste"  # the input is not changed
    assert one_case_per_ban(persons[:2]) == [persons[:2]]


def test_a_case_keeps_its_one_banned_person():
    kevin = PersonFacts(PersonRole.UITHUISGEPLAATSTE, "Kevin", date(1988, 4, 2))
    sanne = PersonFacts(PersonRole.ACHTERBLIJVER, "Sanne")
    check_household([kevin], [kevin, sanne], T0)  # adding an achterblijver
    with pytest.raises(DomainError, match="eigen zaak") as second:
        check_household(
            [kevin, sanne], [kevin, replace(sanne, role=PersonRole.UITHUISGEPLAATSTE)], T0
        )
    assert second.value.field == "role"
    with pytest.raises(DomainError, match="blijft uithuisgeplaatste"):
        check_household([kevin], [replace(kevin, role=PersonRole.HUISGENOOT)], None)
    check_household([sanne], [sanne, kevin], None)  # a case from before issue 16 gets one
    # Correcting the banned person's birth date: an adult at T0 still (18 that day), not 17.
    check_household([kevin], [replace(kevin, birth_date=date(1992, 3, 27))], T0)
    with pytest.raises(DomainError, match="Wth art. 2 lid 2"):
        check_household([kevin], [replace(kevin, birth_date=date(1992, 3, 28))], T0)
    check_household([kevin], [replace(kevin, birth_date=date(2000, 1, 1))], None)  # screening


def test_the_contact_ban_covers_achterblijvers_and_children_not_a_huisgenoot_by_default():
    from hvo_tui.domain.decisions import contact_ban_default

    household = (
        PersonFacts(PersonRole.UITHUISGEPLAATSTE, "Kevin Peeters"),
        PersonFacts(PersonRole.ACHTERBLIJVER, "Sanne Peeters"),
        PersonFacts(PersonRole.HUISGENOOT, "Ruud Peeters"),  # the other banned person
        PersonFacts(PersonRole.KIND, "Mila Peeters"),
    )
    assert contact_ban_default(household) == ["Sanne Peeters", "Mila Peeters"]
