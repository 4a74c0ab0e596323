from __future__ import annotations

from dataclasses import replace

import pytest

from hvo_tui.domain import DeadlineKind, DeadlineState, RegionRules, case_deadlines
from hvo_tui.domain.vocab import CaseStatus, DocumentKind, DocumentStatus, Role

from .helpers import T0, at, case, doc, meeting, with_docs

K = DeadlineKind
S = DeadlineState


def by_kind(c, now, rules=RegionRules()):
    return {d.kind: d for d in case_deadlines(c, now, rules)}


def test_labels_are_dutch():
    assert K.BAN_END.label == "Einde huisverbod"
    assert K.EXTENSION_DECISION.label == "Besluit verlenging"
    assert K.REACHABLE_ADDRESS.label == "Bereikbaarheidsadres"
    assert K.MEETING_DAY3.label == "Overleg dag 3"
    assert [s.label for s in S] == ["open", "voldaan", "gemist"]


def test_running_ban_has_all_ban_deadlines_sorted_by_due():
    ds = case_deadlines(case(CaseStatus.RUNNING), T0.add(hours=1))
    kinds = {d.kind for d in ds}
    assert kinds == {
        K.HOUSEHOLD_INFORMED,
        K.VT_INFORMED,
        K.REACHABLE_ADDRESS,
        K.PROCES_VERBAAL,
        K.MEETING_DAY3,
        K.ZORGADVIES,
        K.BELEIDSADVIES,
        K.EXTENSION_DECISION,
        K.BAN_END,
        K.EXTENSION_LIMIT,
    }
    assert [d.due for d in ds] == sorted(d.due for d in ds)
    assert all(d.state is S.OPEN for d in ds)


def test_due_moments_role_and_basis():
    d = by_kind(case(CaseStatus.RUNNING), T0)
    assert d[K.BAN_END].due == at(2010, 4, 6, 20, 0)
    assert d[K.EXTENSION_DECISION].due == at(2010, 4, 6, 20, 0)
    assert d[K.EXTENSION_DECISION].role is Role.BESTUURDER
    assert d[K.EXTENSION_DECISION].basis == "Wth art. 9 lid 1"
    assert d[K.EXTENSION_LIMIT].due == at(2010, 4, 24, 20, 0)
    assert d[K.REACHABLE_ADDRESS].basis == "Wth art. 2 lid 6"
    # 24 elapsed hours across the DST night of 28 March 2010: 21:00 on the clock.
    assert d[K.REACHABLE_ADDRESS].due == at(2010, 3, 28, 21, 0)
    assert d[K.MEETING_DAY3].due == at(2010, 3, 30, 20, 0)
    assert d[K.MEETING_DAY3].role is Role.CASEMANAGER and not d[K.MEETING_DAY3].legal
    assert d[K.MEETING_DAY3].basis == "regionale afspraak (dag 3)"
    assert d[K.ZORGADVIES].due == at(2010, 4, 4, 20, 0)
    assert d[K.ZORGADVIES].warn_from == at(2010, 4, 3, 20, 0)
    assert d[K.BELEIDSADVIES].role is Role.BELEIDSMEDEWERKER
    assert d[K.PROCES_VERBAAL].role is Role.POLITIE and d[K.PROCES_VERBAAL].due == at(
        2010, 3, 28, 20, 0
    )


def test_regional_rules_move_regional_deadlines_only():
    rules = RegionRules(meeting_day=2, advice_day=6, advice_warn_day=5)
    d = by_kind(case(CaseStatus.RUNNING), T0, rules)
    assert d[K.MEETING_DAY3].due == at(2010, 3, 29, 20, 0)
    assert d[K.MEETING_DAY3].label == "Overleg dag 2"
    assert d[K.ZORGADVIES].due == at(2010, 4, 2, 20, 0)
    assert d[K.BAN_END].due == at(2010, 4, 6, 20, 0)


def test_missed_when_due_passed_without_the_fact():
    now = at(2010, 3, 31, 9, 0)
    d = by_kind(case(CaseStatus.RUNNING), now)
    assert d[K.REACHABLE_ADDRESS].state is S.MISSED
    assert d[K.MEETING_DAY3].state is S.MISSED
    assert d[K.ZORGADVIES].state is S.OPEN


def test_met_when_the_fact_is_set():
    now = at(2010, 4, 5, 9, 0)
    c = with_docs(
        case(
            CaseStatus.RUNNING,
            reachable_address_at=T0.add(hours=2),
            household_informed_at=T0,
            vt_informed_at=T0.add(hours=30),
            meetings=(meeting(),),
        ),
        doc(DocumentKind.PROCES_VERBAAL),
        doc(DocumentKind.ZORGADVIES, received_at=at(2010, 4, 4, 10)),
    )
    d = by_kind(c, now)
    for kind in (
        K.REACHABLE_ADDRESS,
        K.HOUSEHOLD_INFORMED,
        K.VT_INFORMED,
        K.MEETING_DAY3,
        K.PROCES_VERBAAL,
        K.ZORGADVIES,
    ):
        assert d[kind].state is S.MET, kind
    assert d[K.VT_INFORMED].met_late and not d[K.HOUSEHOLD_INFORMED].met_late
    assert d[K.BELEIDSADVIES].state is S.MISSED


def test_a_meeting_of_another_kind_does_not_meet_day3():
    c = case(CaseStatus.RUNNING, meetings=(meeting("mdo"),))
    assert by_kind(c, at(2010, 4, 1))[K.MEETING_DAY3].state is S.MISSED


def test_requested_document_due_overrides_the_rule():
    c = with_docs(
        case(CaseStatus.RUNNING),
        doc(DocumentKind.ZORGADVIES, DocumentStatus.REQUESTED, due_at=at(2010, 4, 2, 12, 0)),
    )
    z = by_kind(c, T0)[K.ZORGADVIES]
    assert z.due == at(2010, 4, 2, 12, 0)
    assert by_kind(c, at(2010, 4, 2, 12, 1))[K.ZORGADVIES].state is S.MISSED


def test_ban_end_is_not_an_action_open_until_it_passes_then_met():
    c = case(CaseStatus.RUNNING)
    assert by_kind(c, at(2010, 4, 6, 19, 59))[K.BAN_END].state is S.OPEN
    after = by_kind(c, at(2010, 4, 6, 20, 1))
    assert after[K.BAN_END].state is S.MET
    assert after[K.EXTENSION_DECISION].state is S.MISSED  # nobody decided: the actionable one


def test_extension_decision_met_by_decision():
    c = case(CaseStatus.ADVICE_RECEIVED, extension_decided_at=at(2010, 4, 5, 10))
    assert by_kind(c, at(2010, 4, 7))[K.EXTENSION_DECISION].state is S.MET


def test_extended_ban_end_is_the_extensions_end_and_decision_met():
    c = case(
        CaseStatus.EXTENDED, extended_until=at(2010, 4, 20, 20, 0), decided_at=at(2010, 4, 5, 9)
    )
    d = by_kind(c, at(2010, 4, 10))
    assert d[K.BAN_END].due == at(2010, 4, 20, 20, 0)
    assert d[K.BAN_END].state is S.OPEN
    assert d[K.EXTENSION_DECISION].state is S.MET
    assert d[K.EXTENSION_DECISION].met_at == at(2010, 4, 5, 9)


def test_hovj_imposed_adds_mayor_informed_child_abuse_adds_vt_consulted():
    c = case(
        CaseStatus.IMPOSED,
        imposed_by_hovj=True,
        child_abuse=True,
        vt_consulted_at=T0.subtract(hours=1),
    )
    d = by_kind(c, T0.add(hours=25))
    assert d[K.MAYOR_INFORMED].role is Role.HOVJ and d[K.MAYOR_INFORMED].state is S.MISSED
    assert d[K.VT_CONSULTED].state is S.MET and d[K.VT_CONSULTED].basis == "Wth art. 2 lid 3"
    plain = by_kind(case(CaseStatus.IMPOSED), T0)
    assert K.MAYOR_INFORMED not in plain and K.VT_CONSULTED not in plain


def test_informed_hours_are_configurable():
    d = by_kind(case(CaseStatus.RUNNING, imposed_by_hovj=True), T0, RegionRules(informed_hours=4))
    assert d[K.MAYOR_INFORMED].due == at(2010, 3, 28, 0, 0)


@pytest.mark.parametrize(
    "status",
    [
        CaseStatus.SCREENING,
        CaseStatus.NOT_IMPOSED,
        CaseStatus.WITHDRAWN,
        CaseStatus.EXPIRED,
        CaseStatus.CLOSED,
        CaseStatus.ARCHIVED,
        CaseStatus.DESTROYED,
    ],
)
def test_no_ban_deadlines_outside_a_running_ban(status):
    c = case(status) if status is not CaseStatus.SCREENING else case(status, t0=None)
    assert case_deadlines(c, at(2010, 4, 1)) == []


@pytest.mark.parametrize(
    "status",
    [
        CaseStatus.IMPOSED,
        CaseStatus.RUNNING,
        CaseStatus.ADVICE_DUE,
        CaseStatus.ADVICE_RECEIVED,
        CaseStatus.EXTENDED,
    ],
)
def test_ban_statuses_all_have_the_ban_deadlines(status):
    kinds = set(by_kind(case(status, extended_until=at(2010, 4, 10, 20)), T0))
    assert {K.BAN_END, K.EXTENSION_DECISION, K.REACHABLE_ADDRESS, K.ZORGADVIES} <= kinds


def test_appeal_hearing_within_three_days_and_pending_in_closed_case():
    requested = at(2010, 3, 29, 11, 0)
    c = case(CaseStatus.RUNNING, appeal_requested_at=requested)
    hearing = by_kind(c, requested)[K.APPEAL_HEARING]
    assert hearing.due == at(2010, 4, 1, 11, 0) and hearing.state is S.OPEN
    heard = replace(c, appeal_hearing_at=at(2010, 3, 31, 9))
    assert by_kind(heard, at(2010, 3, 31, 10))[K.APPEAL_HEARING].state is S.MET
    # Scheduled but not yet held: still open.
    assert by_kind(heard, at(2010, 3, 30, 10))[K.APPEAL_HEARING].state is S.OPEN
    closed = replace(c, status=CaseStatus.CLOSED)
    assert [d.kind for d in case_deadlines(closed, at(2010, 4, 2))] == [K.APPEAL_HEARING]
    decided = replace(closed, appeal_decided_at=at(2010, 4, 1))
    assert case_deadlines(decided, at(2010, 4, 2)) == []


def test_once_the_ban_has_ended_the_extension_limit_is_behind_us_too():
    """A ban extended by 10 days (to T0 + 20) whose end has passed cannot be extended again: the
    limit at T0 + 28 is no longer something to count down to (the queue showed "nog 8 d")."""
    from hvo_tui.domain.timeline import add_days
    from hvo_tui.domain.urgency import most_urgent

    extended = case(
        CaseStatus.EXTENDED, extended_until=add_days(T0, 20), extension_decided_at=T0.add(days=8)
    )
    now = add_days(T0, 20).add(hours=1)
    d = by_kind(extended, now)
    assert d[K.BAN_END].state is S.MET and d[K.BAN_END].due == add_days(T0, 20)
    assert d[K.EXTENSION_LIMIT].state is S.MET and d[K.EXTENSION_LIMIT].met_at == add_days(T0, 20)
    assert (
        most_urgent(extended, now) is None
        or most_urgent(extended, now).kind is not K.EXTENSION_LIMIT
    )
    # Before the end it still stands, open, as the latest moment an extension could reach.
    assert by_kind(extended, add_days(T0, 19))[K.EXTENSION_LIMIT].state is S.OPEN
    # A ban that ended after 10 days without extension: the same.
    ended = case(CaseStatus.RUNNING)
    assert by_kind(ended, add_days(T0, 11))[K.EXTENSION_LIMIT].state is S.MET
