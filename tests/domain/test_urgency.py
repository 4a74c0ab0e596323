from __future__ import annotations

import functools
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hvo_tui.domain import (
    DeadlineKind,
    DeadlineState,
    countdown_text,
    most_urgent,
    urgency_band,
    urgency_key,
)
from hvo_tui.domain.vocab import CaseStatus

from .helpers import T0, at, case

NOW = at(2026, 11, 23, 8, 30)


@pytest.mark.parametrize(
    "due, text",
    [
        (NOW.add(days=2, hours=4, minutes=13), "nog 2 d 04:13"),
        (at(2026, 11, 24, 5, 12), "nog 20:42"),  # tomorrow, under a day
        (at(2026, 11, 23, 17, 0), "vandaag 17:00"),
        (NOW, "vandaag 08:30"),
        (NOW.subtract(minutes=25), "25 min te laat"),
        (NOW.subtract(seconds=10), "1 min te laat"),
        (NOW.subtract(hours=3, minutes=59), "3 u te laat"),
        (NOW.subtract(hours=47, minutes=59), "47 u te laat"),
        (NOW.subtract(days=4, hours=2), "4 d te laat"),
    ],
)
def test_countdown_texts(due, text):
    assert countdown_text(due, NOW) == text


def test_countdown_under_a_day_but_tomorrow():
    assert (
        countdown_text(at(2026, 11, 24, 5, 12), at(2026, 11, 24, 0, 0).subtract(minutes=1))
        == "nog 05:13"
    )
    assert countdown_text(at(2026, 11, 24, 5, 12), at(2026, 11, 23, 23, 30)) == "nog 05:42"


@pytest.mark.parametrize(
    "due, band",
    [
        (NOW.subtract(seconds=1), "missed"),
        (NOW, "today"),
        (NOW.add(hours=23, minutes=59), "today"),
        (NOW.add(hours=24), "soon"),
        (NOW.add(hours=71), "soon"),
        (NOW.add(hours=72), "later"),
    ],
)
def test_urgency_band(due, band):
    assert urgency_band(due, NOW) == band


def test_most_urgent_missed_longest_first_else_nearest_open():
    c = case(CaseStatus.RUNNING)
    d = most_urgent(c, at(2010, 3, 31, 9))
    assert (
        d.state is DeadlineState.MISSED and d.kind is DeadlineKind.PROCES_VERBAAL
    )  # day 1, before 24 h ones
    fresh = most_urgent(c, T0)
    # On the DST night day 1 at 20:00 comes before 24 elapsed hours (21:00 on the clock).
    assert fresh.state is DeadlineState.OPEN and fresh.kind is DeadlineKind.PROCES_VERBAAL
    assert fresh.due == at(2010, 3, 28, 20, 0)
    assert most_urgent(case(CaseStatus.CLOSED), T0) is None


# Random cases: T0 within a month before now, some facts set, unique numbers.
FACTS = ["reachable_address_at", "household_informed_at", "vt_informed_at", "extension_decided_at"]
REF = at(2010, 4, 10, 12, 0)


@st.composite
def cases(draw, number):
    status = draw(
        st.sampled_from(
            [
                CaseStatus.RUNNING,
                CaseStatus.ADVICE_DUE,
                CaseStatus.IMPOSED,
                CaseStatus.EXPIRED,
                CaseStatus.CLOSED,
            ]
        )
    )
    t0 = REF.subtract(minutes=draw(st.integers(0, 30 * 24 * 60)))
    kw = {f: t0.add(hours=1) for f in FACTS if draw(st.booleans())}
    return case(status, t0=t0, number=number, **kw)


@st.composite
def case_lists(draw):
    n = draw(st.integers(0, 12))
    numbers = draw(st.lists(st.integers(1, 99999), min_size=n, max_size=n, unique=True))
    return [draw(cases(f"HV-2010-{k:05d}")) for k in numbers]


def _cmp(a, b):
    return (a > b) - (a < b)


@settings(max_examples=120, deadline=None)
@given(case_lists(), st.randoms(use_true_random=False))
def test_urgency_order_is_a_total_order(cs, rnd):
    key = functools.partial(urgency_key, now=REF)
    ordered = [c.number for c in sorted(cs, key=key)]
    shuffled = list(cs)
    rnd.shuffle(shuffled)
    assert [c.number for c in sorted(shuffled, key=key)] == ordered  # stable under permutation
    keys = {c.number: key(c) for c in cs}
    assert keys == {c.number: key(c) for c in cs}  # deterministic
    for a in cs:
        for b in cs:
            ka, kb = keys[a.number], keys[b.number]
            assert _cmp(ka, kb) == -_cmp(kb, ka)  # antisymmetric
            if a is not b:
                assert ka != kb  # total: distinct cases never tie
            for c in cs:
                if ka <= kb <= keys[c.number]:
                    assert ka <= keys[c.number]  # transitive
    # A case with a missed deadline always precedes one without.
    states = [most_urgent(c, REF) for c in sorted(shuffled, key=key)]
    bands = [0 if d and d.state is DeadlineState.MISSED else 1 if d else 2 for d in states]
    assert bands == sorted(bands)


def test_missed_longest_first_then_nearest_then_none_then_number():
    missed_long = case(CaseStatus.RUNNING, t0=at(2010, 3, 20, 10), number="HV-2010-00009")
    missed_short = case(CaseStatus.RUNNING, t0=at(2010, 3, 30, 10), number="HV-2010-00001")
    open_all_met = dict(reachable_address_at=REF, household_informed_at=REF, vt_informed_at=REF)
    fresh = case(
        CaseStatus.RUNNING, t0=REF.subtract(hours=1), number="HV-2010-00003", **open_all_met
    )
    closed_b = case(CaseStatus.CLOSED, number="HV-2010-00008")
    closed_a = replace(closed_b, number="HV-2010-00002")
    ordered = sorted(
        [closed_b, fresh, missed_short, closed_a, missed_long], key=lambda c: urgency_key(c, REF)
    )
    assert [c.number for c in ordered] == [
        "HV-2010-00009",
        "HV-2010-00001",
        "HV-2010-00003",
        "HV-2010-00002",
        "HV-2010-00008",
    ]


def test_a_missed_preparation_deadline_stops_driving_urgency_after_the_decision():
    import dataclasses

    import pendulum

    from hvo_tui.domain import DeadlineKind, DeadlineState, case_deadlines, most_urgent
    from hvo_tui.domain.facts import CaseFacts
    from hvo_tui.domain.vocab import CaseKind, CaseStatus

    t0 = pendulum.datetime(2026, 11, 3, 19, 0, tz="Europe/Amsterdam")
    now = pendulum.datetime(2026, 11, 20, 9, 0, tz="Europe/Amsterdam")
    running = CaseFacts(
        number="HV-2026-00001",
        kind=CaseKind.HUISVERBOD,
        status=CaseStatus.ADVICE_RECEIVED,
        opened_at=t0.subtract(hours=1),
        imposed_at=t0,
        mayor_informed_at=t0,
        household_informed_at=t0,
        vt_informed_at=t0,
        reachable_address_at=t0,
    )
    # No day-3 meeting was held: before the decision it is the missed deadline on top.
    from hvo_tui.domain.facts import DocumentFacts
    from hvo_tui.domain.vocab import DocumentKind, DocumentStatus

    running = dataclasses.replace(
        running,
        documents=(
            DocumentFacts(
                DocumentKind.PROCES_VERBAAL, DocumentStatus.RECEIVED, received_at=t0.add(hours=5)
            ),
        ),
    )
    assert most_urgent(running, t0.add(days=5)).kind is DeadlineKind.MEETING_DAY3
    extended = dataclasses.replace(
        running,
        status=CaseStatus.EXTENDED,
        extended_until=t0.add(days=28),
        extension_decided_at=t0.add(days=9),
        decided_at=t0.add(days=9),
        # ... and served on the banned person the same day (else that is the miss on top).
        documents=(
            *running.documents,
            DocumentFacts(
                DocumentKind.VERLENGING,
                DocumentStatus.SIGNED,
                received_at=t0.add(days=9),
                served_at=t0.add(days=9, hours=2),
            ),
        ),
    )
    meeting = next(d for d in case_deadlines(extended, now) if d.kind is DeadlineKind.MEETING_DAY3)
    assert meeting.state is DeadlineState.MISSED  # history keeps the miss
    assert most_urgent(extended, now).kind is not DeadlineKind.MEETING_DAY3
    assert most_urgent(extended, now).state is DeadlineState.OPEN
