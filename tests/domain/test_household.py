"""Only an adult can be banned (Wth art. 2 lid 2), counted on the local date at T0."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from hvo_tui.domain import CaseAction, DomainError, transition
from hvo_tui.domain.facts import PersonFacts
from hvo_tui.domain.household import age_on, children
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
