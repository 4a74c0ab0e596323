from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hvo_tui.domain import (
    CaseAction,
    DomainError,
    RegionRules,
    allowed_actions,
    effective_status,
    extension_limit,
    refusal,
    transition,
)
from hvo_tui.domain.vocab import CaseStatus, DocumentKind, DocumentStatus, Role

from .helpers import T0, at, case, doc, looks_dutch, with_docs

A = CaseAction
DURING = at(2010, 4, 1, 12, 0)  # day 5 of the ban
AFTER = at(2010, 4, 7, 12, 0)  # the 10-day end has passed
SCREEN = case(CaseStatus.SCREENING, t0=None)
RUNNING = case(CaseStatus.RUNNING)
HELP = doc(DocumentKind.HULPBEVESTIGING)
ADVICE = (doc(DocumentKind.ZORGADVIES), doc(DocumentKind.BELEIDSADVIES))
APPEALED = case(CaseStatus.RUNNING, appeal_requested_at=at(2010, 3, 29, 10))
CLOSED = case(CaseStatus.CLOSED, decided_at=at(2010, 4, 6, 20), closed_at=at(2010, 4, 8))
ARCHIVED = replace(CLOSED, status=CaseStatus.ARCHIVED)
BEST, HOVJ, PM, POL, BEH = (
    {Role.BESTUURDER},
    {Role.HOVJ},
    {Role.PROCESMANAGER},
    {Role.POLITIE},
    {Role.BEHEERDER},
)

# action -> (case, roles, now, params, check on the result)
ALLOWED = {
    A.IMPOSE: (
        SCREEN,
        HOVJ,
        T0,
        {"imposed_at": T0},
        lambda c: c.status is CaseStatus.IMPOSED and c.imposed_at == T0 and c.imposed_by_hovj,
    ),
    A.NOT_IMPOSE: (
        SCREEN,
        BEST,
        T0,
        {},
        lambda c: c.status is CaseStatus.NOT_IMPOSED and c.decided_at == T0,
    ),
    A.START_RUNNING: (
        case(CaseStatus.IMPOSED),
        PM,
        DURING,
        {},
        lambda c: c.status is CaseStatus.RUNNING,
    ),
    A.MARK_ADVICE_DUE: (RUNNING, PM, DURING, {}, lambda c: c.status is CaseStatus.ADVICE_DUE),
    A.RECEIVE_ADVICE: (
        with_docs(case(CaseStatus.ADVICE_DUE), *ADVICE),
        PM,
        DURING,
        {},
        lambda c: c.status is CaseStatus.ADVICE_RECEIVED,
    ),
    A.EXTEND: (
        RUNNING,
        BEST,
        DURING,
        {"extended_until": at(2010, 4, 20, 20)},
        lambda c: c.status is CaseStatus.EXTENDED and c.extension_decided_at == DURING,
    ),
    A.WITHDRAW: (
        with_docs(RUNNING, HELP),
        BEST,
        DURING,
        {},
        lambda c: c.status is CaseStatus.WITHDRAWN,
    ),
    A.LET_EXPIRE: (
        RUNNING,
        BEST,
        DURING,
        {},
        lambda c: c.status is CaseStatus.RUNNING and c.extension_decided_at == DURING,
    ),
    A.EXPIRE: (RUNNING, PM, AFTER, {}, lambda c: c.status is CaseStatus.EXPIRED),
    A.HERSTEL: (RUNNING, BEST, DURING, {}, lambda c: c.herstel and c.decided_at == DURING),
    A.REGISTER_APPEAL: (
        RUNNING,
        PM,
        DURING,
        {"hearing_at": at(2010, 4, 3, 10)},
        lambda c: c.appeal_requested_at == DURING and c.appeal_hearing_at == at(2010, 4, 3, 10),
    ),
    A.SCHEDULE_HEARING: (
        APPEALED,
        PM,
        DURING,
        {"hearing_at": at(2010, 4, 1, 14)},
        lambda c: c.appeal_hearing_at == at(2010, 4, 1, 14),
    ),
    A.DECIDE_APPEAL: (
        APPEALED,
        PM,
        DURING,
        {"outcome": "ongegrond"},
        lambda c: c.appeal_decided_at == DURING and c.appeal_outcome == "ongegrond",
    ),
    A.REPORT_VIOLATION: (RUNNING, POL, DURING, {}, lambda c: c.violation_count == 1),
    A.CLOSE: (
        case(CaseStatus.EXPIRED),
        PM,
        AFTER,
        {},
        lambda c: c.status is CaseStatus.CLOSED and c.closed_at == AFTER,
    ),
    A.ARCHIVE: (CLOSED, PM, AFTER, {}, lambda c: c.status is CaseStatus.ARCHIVED),
    A.REOPEN: (
        CLOSED,
        BEH,
        AFTER,
        {},
        lambda c: c.status is CaseStatus.EXPIRED and c.closed_at is None,
    ),
    A.DESTROY: (
        with_docs(ARCHIVED, HELP),
        BEH,
        at(2015, 4, 7, 0),
        {},
        lambda c: c.status is CaseStatus.DESTROYED and c.documents == () and c.persons == (),
    ),
    # The process steps (steps.py): the fact is the moment given, exactly.
    A.CONSULT_VT: (
        SCREEN,
        POL,
        T0,
        {"at": T0.subtract(minutes=30)},
        lambda c: c.child_abuse and c.vt_consulted_at == T0.subtract(minutes=30),
    ),
    A.INFORM_MAYOR: (
        replace(RUNNING, imposed_by_hovj=True),
        HOVJ,
        DURING,
        {"at": T0.add(minutes=20)},
        lambda c: c.mayor_informed_at == T0.add(minutes=20),
    ),
    A.INFORM_HOUSEHOLD: (
        RUNNING,
        POL,
        DURING,
        {"at": T0},
        lambda c: c.household_informed_at == T0 and c.status is CaseStatus.RUNNING,
    ),
    A.INFORM_VT: (RUNNING, PM, DURING, {}, lambda c: c.vt_informed_at == DURING),
    A.RECORD_REACHABLE_ADDRESS: (
        case(CaseStatus.EXTENDED, extended_until=at(2010, 4, 20, 20)),
        PM,
        DURING,
        {"at": DURING, "address": "  Kerkstraat 1,\n 5911 AB  Venlo "},
        lambda c: (
            c.reachable_address_at == DURING
            and c.reachable_address == "Kerkstraat 1, 5911 AB Venlo"
        ),
    ),
}

# action -> list of (case, roles, now, params, expected field or None)
REFUSED = {
    A.IMPOSE: [
        (RUNNING, HOVJ, DURING, {}, None),
        (SCREEN, PM, T0, {}, None),
        (replace(SCREEN, child_abuse=True), HOVJ, T0, {}, None),
        (SCREEN, HOVJ, T0, {"imposed_at": T0.add(hours=1)}, "imposed_at"),
        (SCREEN, HOVJ, T0, {"imposed_at": T0, "child_abuse": True}, "child_abuse"),
    ],
    A.NOT_IMPOSE: [(RUNNING, HOVJ, DURING, {}, None), (SCREEN, POL, T0, {}, None)],
    A.START_RUNNING: [
        (RUNNING, PM, DURING, {}, None),
        (case(CaseStatus.IMPOSED), PM, AFTER, {}, None),
        (case(CaseStatus.IMPOSED), {Role.SUPPORT}, DURING, {}, None),
    ],
    A.MARK_ADVICE_DUE: [
        (case(CaseStatus.EXTENDED), PM, DURING, {}, None),
        (RUNNING, BEST, DURING, {}, None),
    ],
    A.RECEIVE_ADVICE: [
        (case(CaseStatus.ADVICE_DUE), PM, DURING, {}, None),
        (with_docs(case(CaseStatus.ADVICE_DUE), ADVICE[0]), PM, DURING, {}, None),
    ],
    A.EXTEND: [
        (RUNNING, HOVJ, DURING, {"extended_until": at(2010, 4, 20, 20)}, None),
        (RUNNING, PM, DURING, {"extended_until": at(2010, 4, 20, 20)}, None),
        (RUNNING, BEST, AFTER, {"extended_until": at(2010, 4, 20, 20)}, None),
        (case(CaseStatus.WITHDRAWN), BEST, DURING, {"extended_until": at(2010, 4, 20, 20)}, None),
        (RUNNING, BEST, DURING, {"extended_until": at(2010, 4, 24, 20, 1)}, "extended_until"),
        (RUNNING, BEST, DURING, {"extended_until": at(2010, 4, 6, 20)}, "extended_until"),
        (RUNNING, BEST, DURING, {}, "extended_until"),
        (
            case(CaseStatus.EXTENDED, extended_until=at(2010, 4, 24, 20)),
            BEST,
            DURING,
            {"extended_until": at(2010, 4, 24, 20)},
            None,
        ),
    ],
    A.WITHDRAW: [
        (RUNNING, BEST, DURING, {}, None),
        (with_docs(RUNNING, HELP), HOVJ, DURING, {}, None),
        (
            with_docs(RUNNING, doc(DocumentKind.HULPBEVESTIGING, DocumentStatus.REQUESTED)),
            BEST,
            DURING,
            {},
            None,
        ),
        (with_docs(RUNNING, HELP), BEST, AFTER, {}, None),
    ],
    A.LET_EXPIRE: [
        (RUNNING, PM, DURING, {}, None),
        (RUNNING, BEST, AFTER, {}, None),
        (replace(RUNNING, extension_decided_at=DURING), BEST, DURING, {}, None),
    ],
    A.EXPIRE: [
        (RUNNING, PM, DURING, {}, None),
        (case(CaseStatus.WITHDRAWN), PM, AFTER, {}, None),
        (RUNNING, POL, AFTER, {}, None),
    ],
    A.HERSTEL: [(RUNNING, HOVJ, DURING, {}, None), (SCREEN, BEST, T0, {}, None)],
    A.REGISTER_APPEAL: [
        (SCREEN, PM, T0, {}, None),
        (APPEALED, PM, DURING, {}, None),
        (RUNNING, POL, DURING, {}, None),
    ],
    A.SCHEDULE_HEARING: [
        (RUNNING, PM, DURING, {"hearing_at": DURING}, None),
        (APPEALED, PM, DURING, {"hearing_at": at(2010, 3, 28)}, "hearing_at"),
        (APPEALED, PM, DURING, {}, "hearing_at"),
    ],
    A.DECIDE_APPEAL: [
        (RUNNING, PM, DURING, {}, None),
        (APPEALED, {Role.CASEMANAGER}, DURING, {}, None),
    ],
    A.REPORT_VIOLATION: [
        (RUNNING, POL, AFTER, {}, None),
        (case(CaseStatus.EXPIRED), POL, DURING, {}, None),
        (RUNNING, {Role.CASEMANAGER}, DURING, {}, None),
    ],
    A.CLOSE: [
        (RUNNING, PM, DURING, {}, None),
        (replace(APPEALED, status=CaseStatus.EXPIRED), PM, AFTER, {}, None),
        (case(CaseStatus.EXPIRED), BEST, AFTER, {}, None),
    ],
    A.ARCHIVE: [(case(CaseStatus.EXPIRED), PM, AFTER, {}, None), (CLOSED, BEST, AFTER, {}, None)],
    A.REOPEN: [
        (CLOSED, PM, AFTER, {}, None),
        (RUNNING, BEH, DURING, {}, None),
        (CLOSED, BEH, AFTER, {"status": "running"}, "status"),
    ],
    A.DESTROY: [
        (ARCHIVED, BEH, at(2015, 4, 5), {}, None),
        (CLOSED, BEH, at(2016, 1, 1), {}, None),
        (ARCHIVED, PM, at(2016, 1, 1), {}, None),
    ],
    A.CONSULT_VT: [
        (RUNNING, POL, DURING, {"at": T0.add(minutes=1)}, "at"),  # one minute after T0
        (SCREEN, POL, T0, {"at": T0.add(seconds=1)}, "at"),  # in the future
        (SCREEN, {Role.CASEMANAGER}, T0, {}, None),
        (case(CaseStatus.NOT_IMPOSED), POL, T0, {}, None),
    ],
    A.INFORM_MAYOR: [
        (RUNNING, HOVJ, DURING, {}, None),  # the mayor imposed: nobody to inform
        (replace(RUNNING, imposed_by_hovj=True), POL, DURING, {}, None),
        (
            replace(RUNNING, imposed_by_hovj=True),
            HOVJ,
            DURING,
            {"at": T0.subtract(minutes=1)},
            "at",
        ),
    ],
    A.INFORM_HOUSEHOLD: [
        (SCREEN, POL, T0, {}, None),
        (case(CaseStatus.EXPIRED), PM, AFTER, {}, None),
        (RUNNING, {Role.CASEMANAGER}, DURING, {}, None),
        (RUNNING, POL, DURING, {"at": DURING.add(seconds=1)}, "at"),
    ],
    A.INFORM_VT: [
        (SCREEN, PM, T0, {}, None),
        (RUNNING, {Role.SUPPORT}, DURING, {}, None),
        (RUNNING, PM, DURING, {"at": T0.subtract(seconds=1)}, "at"),
    ],
    A.RECORD_REACHABLE_ADDRESS: [
        (SCREEN, PM, T0, {}, None),
        (RUNNING, {Role.BELEIDSMEDEWERKER}, DURING, {}, None),
        (RUNNING, PM, DURING, {"at": T0.subtract(minutes=1), "address": "Markt 1"}, "at"),
        (RUNNING, PM, DURING, {"at": DURING}, "address"),
        (RUNNING, PM, DURING, {"address": " \t "}, "address"),
        (RUNNING, PM, DURING, {"address": "x" * 301}, "address"),
    ],
}


def test_every_action_is_covered_both_ways():
    assert set(ALLOWED) == set(A) == set(REFUSED)


@pytest.mark.parametrize("action", list(A))
def test_action_allowed(action):
    c, roles, now, params, check = ALLOWED[action]
    assert action in allowed_actions(c, roles, now)
    assert refusal(c, action, roles, now) is None
    after = transition(c, action, roles, now, **params)
    assert check(after), after
    assert after.number == c.number


@pytest.mark.parametrize("action, i", [(a, i) for a in A for i in range(len(REFUSED[a]))])
def test_action_refused_with_a_dutch_reason(action, i):
    c, roles, now, params, field = REFUSED[action][i]
    with pytest.raises(DomainError) as err:
        transition(c, action, roles, now, **params)
    assert looks_dutch(err.value.message), err.value.message
    assert err.value.field == field
    if field is None:  # refused before parameters are looked at
        assert action not in allowed_actions(c, roles, now)
        assert refusal(c, action, roles, now) == err.value.message


def test_closed_case_changes_only_by_reopen_of_a_beheerder():
    for action in A:
        if action in (A.REOPEN, A.ARCHIVE, A.DESTROY):
            continue
        with pytest.raises(DomainError) as err:
            transition(CLOSED, action, set(Role), AFTER)
        assert "heropenen" in err.value.message
    assert allowed_actions(CLOSED, set(Role), AFTER) == [A.ARCHIVE, A.REOPEN]


def test_destroyed_case_never_changes():
    gone = replace(ARCHIVED, status=CaseStatus.DESTROYED)
    assert allowed_actions(gone, set(Role), at(2030, 1, 1)) == []


def test_support_may_do_nothing():
    for c in (SCREEN, RUNNING, CLOSED, with_docs(RUNNING, HELP, *ADVICE)):
        assert allowed_actions(c, {Role.SUPPORT}, DURING) == []


def test_only_a_bestuurder_extends_withdraws_lets_expire_corrects():
    c = with_docs(RUNNING, HELP)
    for roles in (
        {Role.HOVJ},
        {Role.PROCESMANAGER},
        {Role.BEHEERDER},
        set(Role) - {Role.BESTUURDER},
    ):
        allowed = set(allowed_actions(c, roles, DURING))
        assert not allowed & {A.EXTEND, A.WITHDRAW, A.LET_EXPIRE, A.HERSTEL}
    assert {A.EXTEND, A.WITHDRAW, A.LET_EXPIRE, A.HERSTEL} <= set(allowed_actions(c, BEST, DURING))


def test_extension_can_be_extended_again_up_to_the_limit():
    once = transition(RUNNING, A.EXTEND, BEST, DURING, extended_until=at(2010, 4, 15, 20))
    twice = transition(once, A.EXTEND, BEST, at(2010, 4, 14), extended_until=extension_limit(T0))
    assert twice.extended_until == at(2010, 4, 24, 20)
    assert A.EXTEND not in allowed_actions(twice, BEST, at(2010, 4, 15))


def test_reopen_returns_to_withdrawn_when_an_intrekking_is_on_file():
    c = with_docs(CLOSED, doc(DocumentKind.INTREKKING))
    assert transition(c, A.REOPEN, BEH, AFTER).status is CaseStatus.WITHDRAWN
    screening = case(CaseStatus.CLOSED, t0=None)
    assert transition(screening, A.REOPEN, BEH, AFTER).status is CaseStatus.NOT_IMPOSED


def test_retention_counts_from_the_last_decision_and_is_configurable():
    c = replace(ARCHIVED, appeal_decided_at=at(2010, 6, 1, 12))
    with pytest.raises(DomainError):
        transition(c, A.DESTROY, BEH, at(2015, 5, 31))
    assert transition(c, A.DESTROY, BEH, at(2015, 6, 1, 12)).status is CaseStatus.DESTROYED
    with pytest.raises(DomainError) as err:
        transition(c, A.DESTROY, BEH, at(2015, 6, 1, 12), rules=RegionRules(retention_years=7))
    assert "7 jaar" in err.value.message


def test_action_labels_are_dutch_and_unknown_params_are_a_programming_error():
    assert A.EXTEND.label == "huisverbod verlengen"
    assert len({a.label for a in A}) == len(A)
    with pytest.raises(TypeError):
        transition(RUNNING, A.CLOSE, PM, AFTER, extended_until=AFTER)


@pytest.mark.parametrize(
    "c, now, expected",
    [
        (RUNNING, at(2010, 4, 3, 19, 59), CaseStatus.RUNNING),
        (RUNNING, at(2010, 4, 3, 20, 0), CaseStatus.ADVICE_DUE),  # from day 7
        (with_docs(RUNNING, *ADVICE), at(2010, 4, 4), CaseStatus.ADVICE_RECEIVED),
        (with_docs(case(CaseStatus.ADVICE_DUE), *ADVICE), DURING, CaseStatus.ADVICE_RECEIVED),
        (RUNNING, at(2010, 4, 6, 20, 0), CaseStatus.EXPIRED),  # the end passed without a decision
        (
            case(CaseStatus.EXTENDED, extended_until=at(2010, 4, 20, 20)),
            at(2010, 4, 10),
            CaseStatus.EXTENDED,
        ),
        (
            case(CaseStatus.EXTENDED, extended_until=at(2010, 4, 20, 20)),
            at(2010, 4, 20, 20),
            CaseStatus.EXPIRED,
        ),
        (case(CaseStatus.IMPOSED), DURING, CaseStatus.IMPOSED),
        (CLOSED, at(2030, 1, 1), CaseStatus.CLOSED),
        (SCREEN, at(2030, 1, 1), CaseStatus.SCREENING),
    ],
)
def test_effective_status(c, now, expected):
    before = c
    assert effective_status(c, now) is expected
    assert c == before  # pure


# allowed_actions agrees with transition (parameters aside), for generated cases, roles, moments.
STATUS_CASES = [
    SCREEN,
    case(CaseStatus.IMPOSED),
    RUNNING,
    case(CaseStatus.ADVICE_DUE),
    with_docs(case(CaseStatus.ADVICE_DUE), *ADVICE, HELP),
    APPEALED,
    case(CaseStatus.EXTENDED, extended_until=at(2010, 4, 20, 20)),
    case(CaseStatus.NOT_IMPOSED, t0=None),
    case(CaseStatus.WITHDRAWN),
    case(CaseStatus.EXPIRED),
    CLOSED,
    ARCHIVED,
    replace(ARCHIVED, status=CaseStatus.DESTROYED),
]
GOOD_PARAMS = {
    A.EXTEND: {"extended_until": extension_limit(T0)},
    A.SCHEDULE_HEARING: {"hearing_at": at(2010, 4, 2)},
}


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(STATUS_CASES),
    st.sets(st.sampled_from(list(Role)), max_size=3),
    st.sampled_from([T0, DURING, AFTER, at(2010, 4, 30), at(2016, 1, 1)]),
)
def test_allowed_actions_agrees_with_transition(c, roles, now):
    allowed = allowed_actions(c, roles, now)
    for action in A:
        try:
            transition(c, action, roles, now, **GOOD_PARAMS.get(action, {}))
            accepted = True
        except DomainError as err:
            assert looks_dutch(err.message), err.message
            # A refusal of a parameter (it names its field) comes after the preconditions held.
            accepted = err.field is not None
        assert accepted == (action in allowed), (action, c.status, roles, now)


def test_a_child_abuse_ban_needs_veilig_thuis_consulted_at_or_before_t0():
    """Wth art. 2 lid 3, at its edge: consulted exactly at T0 is in time, a second later is not;
    the flag stays on the ban (deadlines and the queue show it)."""
    early = T0.subtract(hours=1)
    for consulted, ok in ((early, True), (T0, True), (T0.add(seconds=1), False), (None, False)):
        screening = replace(SCREEN, vt_consulted_at=consulted)
        params = {"imposed_at": T0, "child_abuse": True}
        if ok:
            after = transition(screening, A.IMPOSE, HOVJ, T0.add(seconds=5), **params)
            assert after.child_abuse and after.status is CaseStatus.IMPOSED
        else:
            with pytest.raises(DomainError) as err:
                transition(screening, A.IMPOSE, HOVJ, T0.add(seconds=5), **params)
            assert err.value.field == "child_abuse" and "Wth art. 2 lid 3" in err.value.message
    # without the flag, no consult is needed, and the ban is not marked
    plain = transition(SCREEN, A.IMPOSE, HOVJ, T0, imposed_at=T0)
    assert not plain.child_abuse
