"""A decision's required content (Wth art. 2 lid 4, art. 9) and its serving (art. 2 lid 7)."""

from __future__ import annotations

from datetime import date

import pytest

from hvo_tui.domain import DeadlineKind, DeadlineState, DomainError, RegionRules, case_deadlines
from hvo_tui.domain.decisions import (
    Serving,
    check_serving,
    contact_ban_default,
    content_problems,
    decision_moment,
    extension_served_in_time,
    missing_copies,
    served_moment,
)
from hvo_tui.domain.facts import DocumentFacts, PersonFacts
from hvo_tui.domain.vocab import CaseStatus, DocumentKind, DocumentStatus, PersonRole

from .helpers import T0, at, case, looks_dutch

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


def test_the_banned_person_is_not_under_his_own_contact_ban_and_without_household_any_name_goes():
    fields = {**COMPLETE, "contactverbod": "Sanne de Vries\nJan de Vries"}
    problems = content_problems("beschikking", fields, imposed_at=T0, household=HOUSEHOLD)
    assert problems == {
        "contactverbod": "Het contactverbod beschermt de anderen in het huishouden, niet de "
        "uithuisgeplaatste: Jan de Vries."
    }
    alone = HOUSEHOLD[:1]  # only the banned person recorded: nobody to name yet
    only = content_problems("beschikking", COMPLETE, imposed_at=T0, household=alone)
    assert only == {
        "contactverbod": "Niet in het huishouden van deze zaak: Sanne de Vries, Mila de Vries."
    }
    assert content_problems("beschikking", COMPLETE, imposed_at=T0) == {}


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


# --- who receives a decision, and how ----------------------------------------------------------


@pytest.mark.parametrize(
    "kw, field",
    [
        ({"recipient": "buurman"}, "recipient"),
        ({"manner": "per duif"}, "manner"),
        ({"manner": "afschrift"}, "manner"),  # the banned person is served, not sent a copy
        ({"recipient": "achterblijver", "manner": "uitgereikt"}, "manner"),
        ({"recipient": "achterblijver", "oral": True}, "manner"),
        ({"served_by": "x" * 201}, "served_by"),
        ({"served_by": "x" * 10_000}, "served_by"),
        (
            {"recipient": "officier_van_justitie", "manner": "afschrift", "written_at": NOW},
            "written_at",
        ),
    ],
)
def test_recipient_manner_and_name_are_checked(kw, field):
    with pytest.raises(DomainError) as refused:
        check_serving(serving(**kw), NOW)
    assert refused.value.field == field
    assert looks_dutch(refused.value.message)


def test_a_copy_goes_to_anyone_but_the_banned_person_and_a_name_of_200_fits():
    check_serving(serving(recipient="achterblijver", manner="afschrift"), NOW)
    check_serving(serving(recipient="veilig_thuis", manner="afschrift"), NOW)
    check_serving(serving(served_by="x" * 200), NOW)
    check_serving(serving(manner="mondeling", written_at=NOW), NOW)


def test_the_decision_moment_per_kind():
    signed, received, decided = at(2010, 4, 5, 12), at(2010, 4, 5, 15), at(2010, 4, 5, 10)
    # The beschikking: T0, whatever its paper or signature says.
    assert decision_moment("beschikking", imposed_at=T0, signed_at=signed) == T0
    # A later decision signed in hvo: the signature.
    assert decision_moment("verlenging", imposed_at=T0, signed_at=signed, decided_at=decided) == (
        signed
    )
    # On paper: the case's moment of the decision when it came first, else the registration.
    assert decision_moment(
        "verlenging", imposed_at=T0, received_at=received, decided_at=decided
    ) == (decided)
    assert decision_moment("intrekking", imposed_at=T0, received_at=received) == received
    assert decision_moment("herstel", imposed_at=T0, received_at=decided, decided_at=received) == (
        decided
    )
    assert decision_moment("herstel", imposed_at=T0) is None


def test_served_moment_is_the_first_to_the_banned_person_and_copies_do_not_count():
    copy = serving(recipient="achterblijver", manner="afschrift", served_at=DECIDED)
    oral = serving(oral=True, served_at=DECIDED.add(minutes=5))
    handed = serving(served_at=DECIDED.add(hours=1))
    assert served_moment([handed, copy, oral]) == DECIDED.add(minutes=5)
    assert served_moment([copy]) is None and served_moment([]) is None


def test_missing_copies_follow_the_region_rule():
    rules = RegionRules()
    assert rules.copy_recipients == ("achterblijver", "officier_van_justitie")
    sent = [serving(recipient="achterblijver", manner="afschrift")]
    assert missing_copies(rules.copy_recipients, sent) == ["officier_van_justitie"]
    other = RegionRules.from_toml('copy_recipients = ["veilig_thuis", "veilig_thuis"]\n')
    assert other.copy_recipients == ("veilig_thuis",)
    assert RegionRules.from_toml(other.to_toml()) == other


@pytest.mark.parametrize(
    "text",
    [
        'copy_recipients = "achterblijver"',
        'copy_recipients = ["uithuisgeplaatste"]',
        'copy_recipients = ["buren"]',
    ],
)
def test_a_wrong_copy_rule_is_refused_in_dutch(text):
    with pytest.raises(DomainError) as refused:
        RegionRules.from_toml(text)
    assert refused.value.field == "copy_recipients"


# --- the extension's serving as a deadline -----------------------------------------------------

END = at(2010, 4, 6, 20, 0)  # T0 + 10 days: the original end


def extended(served_at=None, status=DocumentStatus.SIGNED):
    verlenging = DocumentFacts(
        kind=DocumentKind.VERLENGING,
        status=status,
        received_at=at(2010, 4, 5, 9),
        served_at=served_at,
    )
    return case(
        CaseStatus.EXTENDED,
        extended_until=at(2010, 4, 20, 20, 0),
        extension_decided_at=at(2010, 4, 5, 9),
        decided_at=at(2010, 4, 5, 9),
        documents=(verlenging,),
    )


def served_deadline(c, now):
    (d,) = [d for d in case_deadlines(c, now) if d.kind is DeadlineKind.EXTENSION_SERVED]
    return d


def test_an_extension_served_one_second_before_the_end_counts():
    d = served_deadline(extended(END.subtract(seconds=1)), END.add(days=1))
    assert d.state is DeadlineState.MET and d.due == END
    assert d.met_at == END.subtract(seconds=1)


def test_an_extension_served_exactly_at_the_end_is_too_late_and_missed_with_that_reason():
    d = served_deadline(extended(END), END.add(seconds=1))
    assert d.state is DeadlineState.MISSED
    assert d.label == "Verlenging te laat uitgereikt (na einde huisverbod)"
    assert "art. 2 lid 7" in d.basis


def test_an_extension_not_served_is_open_until_the_end_then_missed():
    assert served_deadline(extended(), END).state is DeadlineState.OPEN
    missed = served_deadline(extended(), END.add(seconds=1))
    assert missed.state is DeadlineState.MISSED and missed.label == "Verlenging uitgereikt"
    # A draft is no decision: serving it does not count.
    draft = extended(END.subtract(hours=1), status=DocumentStatus.DRAFT)
    assert served_deadline(draft, END.add(seconds=1)).state is DeadlineState.MISSED


def test_a_ban_without_extension_has_no_serving_deadline():
    kinds = {d.kind for d in case_deadlines(case(CaseStatus.RUNNING), END.add(days=1))}
    assert DeadlineKind.EXTENSION_SERVED not in kinds


def test_a_serving_described_in_dutch_and_what_is_still_to_do():
    from types import SimpleNamespace

    from hvo_tui.domain.decisions import describe_serving, serving_summary

    assert describe_serving("beschikking", "uithuisgeplaatste", "uitgereikt", T0, "De Wit") == (
        "beschikking opleggen: uitgereikt aan uithuisgeplaatste op 27-03-2010 20:00 door De Wit"
    )
    assert describe_serving("verlenging", "uithuisgeplaatste", "mondeling", T0, "Bos").endswith(
        "door Bos, nog niet op schrift"
    )
    oral = SimpleNamespace(
        document_id=1,
        kind="beschikking",
        recipient="uithuisgeplaatste",
        manner="mondeling",
        served_at=T0,
        served_by="De Wit",
        written_at=T0.add(hours=1),
    )
    copy = SimpleNamespace(
        **{**vars(oral), "recipient": "achterblijver", "manner": "afschrift", "written_at": None}
    )
    lines = serving_summary(
        [(1, "beschikking"), (2, "verlenging")],
        [oral, copy],
        RegionRules().copy_recipients,
    )
    assert lines == [
        (
            "met",
            "beschikking opleggen: mondeling aangezegd aan uithuisgeplaatste op 27-03-2010 20:00 "
            "door De Wit, op schrift 27-03-2010 21:00",
        ),
        (
            "met",
            "beschikking opleggen: afschrift verstrekt aan achterblijver(s) op 27-03-2010 20:00 "
            "door De Wit",
        ),
        ("warn", "beschikking opleggen: nog geen afschrift aan officier van justitie"),
        ("missed", "beschikking verlengen: nog niet uitgereikt aan de uithuisgeplaatste"),
        (
            "warn",
            "beschikking verlengen: nog geen afschrift aan achterblijver(s), officier van justitie",
        ),
    ]
