"""A decision's required content (Wth art. 2 lid 4, art. 9) and its serving (art. 2 lid 7)."""

from __future__ import annotations

from datetime import date

import pytest

from hvo_tui.domain import DomainError
from hvo_tui.domain.decisions import (
    Serving,
    check_serving,
    contact_ban_default,
    content_problems,
    extension_served_in_time,
)
from hvo_tui.domain.facts import PersonFacts
from hvo_tui.domain.vocab import DocumentKind, PersonRole

from .helpers import T0, at

HOUSEHOLD = (
    PersonFacts(PersonRole.UITHUISGEPLAATSTE, "Jan de Vries", date(1980, 1, 1), "111222333"),
    PersonFacts(PersonRole.ACHTERBLIJVER, "Sanne de Vries", date(1982, 5, 5), "123456782"),
    PersonFacts(PersonRole.KIND, "Mila de Vries", date(2015, 9, 9), None),
)
COMPLETE = {
    "opgelegd_door": "hovj",
    "uithuisgeplaatste": "Jan de Vries",
    "woning": "Markt 1, 6211 CK Maastricht",
    "feiten": "Slaan en dreigen met een mes; twee kinderen getuige.",
    "contactverbod": "Sanne de Vries, Mila de Vries",
}


def test_the_contact_ban_covers_everyone_but_the_banned_by_default():
    assert contact_ban_default(HOUSEHOLD) == ["Sanne de Vries", "Mila de Vries"]


def test_a_complete_beschikking_has_no_problems():
    assert content_problems("beschikking", COMPLETE, imposed_at=T0, household=HOUSEHOLD) == {}


@pytest.mark.parametrize("missing", ["woning", "feiten", "contactverbod"])
def test_each_part_of_art_2_lid_4_is_required(missing):
    fields = {**COMPLETE, missing: "  "}
    problems = content_problems("beschikking", fields, imposed_at=T0, household=HOUSEHOLD)
    assert set(problems) == {missing}
    assert "Wth art. 2 lid 4" in problems[missing]


def test_without_t0_the_duration_cannot_be_stated():
    assert set(content_problems("beschikking", COMPLETE, household=HOUSEHOLD)) == {"duur"}


def test_a_name_outside_the_household_is_refused_and_a_list_is_read_too():
    fields = {**COMPLETE, "contactverbod": ["Sanne de Vries", "Piet Onbekend"]}
    problems = content_problems("beschikking", fields, imposed_at=T0, household=HOUSEHOLD)
    assert problems == {"contactverbod": "Niet in het huishouden van deze zaak: Piet Onbekend."}
    fields = {**COMPLETE, "contactverbod": "sanne de vries\nMILA DE VRIES"}  # lines, any case
    assert content_problems("beschikking", fields, imposed_at=T0, household=HOUSEHOLD) == {}


def test_later_decisions_need_their_own_content():
    assert set(content_problems("verlenging", {"verlengd_tot": "20-04-2010 20:00"})) == {
        "motivering"
    }
    assert set(content_problems("intrekking", {})) == {"reden"}
    assert content_problems("herstel", {"reden": "geboortedatum hersteld"}) == {}


DECIDED = at(2010, 4, 5, 10, 0)
NOW = at(2010, 4, 5, 16, 0)


def serving(**kw):
    values = {
        "kind": DocumentKind.VERLENGING,
        "decided_at": DECIDED,
        "served_at": DECIDED,
        "served_by": "agent K. Bos",
    }
    values.update(kw)
    return Serving(**values)


def test_served_exactly_at_the_decision_and_exactly_now_are_accepted():
    check_serving(serving(), NOW)
    check_serving(serving(served_at=NOW), NOW)
    check_serving(serving(oral=True, served_at=DECIDED, written_at=NOW), NOW)


@pytest.mark.parametrize(
    "kw, field",
    [
        ({"served_at": DECIDED.subtract(minutes=1)}, "served_at"),  # before the decision
        ({"served_at": NOW.add(minutes=1)}, "served_at"),  # in the future
        ({"served_at": None}, "served_at"),
        ({"served_by": " "}, "served_by"),
        ({"written_at": NOW}, "written_at"),  # not oral: nothing to put in writing
        ({"oral": True, "written_at": DECIDED.subtract(seconds=1)}, "written_at"),
        ({"oral": True, "written_at": NOW.add(seconds=1)}, "written_at"),
    ],
)
def test_a_serving_that_does_not_fit_names_its_field(kw, field):
    with pytest.raises(DomainError) as refused:
        check_serving(serving(**kw), NOW)
    assert refused.value.field == field


def test_an_extension_counts_only_when_served_before_the_ban_ends():
    end = at(2010, 4, 6, 20, 0)  # T0 27-03-2010 20:00 + 10 days
    assert extension_served_in_time(T0, serving(served_at=end.subtract(seconds=1)))
    assert not extension_served_in_time(T0, serving(served_at=end))
    assert not extension_served_in_time(T0, None)
    assert not extension_served_in_time(T0, serving(served_at=None))
