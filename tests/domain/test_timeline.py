"""The law's calendar: the court's example, and properties over 2020-2035 including DST nights."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pendulum
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from hvo_tui.domain import (
    CaseAction,
    DomainError,
    RegionRules,
    ban_end,
    case_deadlines,
    extension_limit,
    transition,
)
from hvo_tui.domain.deadlines import DeadlineKind
from hvo_tui.domain.vocab import CaseStatus, Role

from .helpers import T0, at, case

AMS = ZoneInfo("Europe/Amsterdam")


def test_court_example_27_march_ends_6_april_same_clock_time():
    # 27 March 2010 20:00 (CET) to 6 April 2010 20:00 (CEST): across the DST change.
    assert ban_end(T0) == at(2010, 4, 6, 20, 0)
    assert ban_end(T0).format("DD-MM-YYYY HH:mm") == "06-04-2010 20:00"


def test_extension_by_18_days_reaches_the_28_day_limit_exactly():
    end = ban_end(T0)
    extended = end.add(days=18)
    assert extended == extension_limit(T0) == at(2010, 4, 24, 20, 0)
    running = case(CaseStatus.RUNNING)
    after = transition(
        running,
        CaseAction.EXTEND,
        {Role.BESTUURDER},
        at(2010, 4, 5, 10, 0),
        extended_until=extended,
    )
    assert after.status is CaseStatus.EXTENDED
    assert ban_end(after.imposed_at, after.extended_until) == at(2010, 4, 24, 20, 0)


def test_extension_beyond_the_limit_is_refused_naming_the_limit():
    running = case(CaseStatus.RUNNING)
    with pytest.raises(DomainError) as err:
        transition(
            running,
            CaseAction.EXTEND,
            {Role.BESTUURDER},
            at(2010, 4, 5, 10, 0),
            extended_until=at(2010, 4, 24, 20, 1),
        )
    assert err.value.field == "extended_until"
    assert "uiterlijk 24-04-2010 20:00" in err.value.message


def test_stdlib_datetimes_are_accepted_and_naive_refused():
    t0 = datetime(2010, 3, 27, 19, 0, tzinfo=UTC)  # 20:00 in Amsterdam
    assert ban_end(t0) == at(2010, 4, 6, 20, 0)
    with pytest.raises(ValueError):
        ban_end(datetime(2010, 3, 27, 20, 0))


# Explicit examples: the DST nights of 2024 and 2025, and year ends.
DST_AND_YEAR_END = [
    at(2024, 3, 30, 20, 0),
    at(2024, 3, 31, 1, 30),
    at(2024, 3, 31, 3, 30),
    at(2024, 10, 26, 22, 0),
    at(2024, 10, 27, 1, 30),
    at(2024, 10, 27, 3, 0),
    at(2025, 3, 21, 2, 30),
    at(2025, 10, 17, 2, 30),
    at(2024, 12, 31, 23, 59),
    at(2025, 1, 1, 0, 0),
    at(2025, 12, 22, 12, 0),
    at(2024, 2, 19, 10, 0),
]

moments = st.datetimes(
    min_value=datetime(2020, 1, 1),
    max_value=datetime(2035, 12, 31, 23, 59),
    timezones=st.just(AMS),
).map(lambda d: pendulum.instance(d.astimezone(UTC)).in_timezone("Europe/Amsterdam"))


def _skipped(day: date, hour: int, minute: int) -> bool:
    """The clock time does not exist on that day (the hour skipped in March)."""
    wall = datetime(day.year, day.month, day.day, hour, minute, tzinfo=AMS)
    return wall.astimezone(UTC).astimezone(AMS).replace(tzinfo=None) != wall.replace(tzinfo=None)


def _expected(t0: pendulum.DateTime, days: int) -> date:
    return t0.date() + timedelta(days=days)


def _check_calendar(t0: pendulum.DateTime, days: int, got: pendulum.DateTime) -> None:
    target = _expected(t0, days)
    assert got.date() == target
    assert got.isoweekday() == target.isoweekday()  # never moved for a weekend
    if _skipped(target, t0.hour, t0.minute):
        # 02:xx does not exist on the last Sunday of March: the wall clock says 03:xx.
        assert (got.hour, got.minute) == (t0.hour + 1, t0.minute)
    else:
        assert (got.hour, got.minute, got.second) == (t0.hour, t0.minute, t0.second)


@settings(max_examples=400, deadline=None)
@given(moments)
@example(at(2024, 3, 21, 2, 30))  # + 10 days = 31 March 2024 02:30, which does not exist
def test_end_is_ten_calendar_days_later_same_clock_time(t0):
    _check_calendar(t0, 10, ban_end(t0))
    _check_calendar(t0, 28, extension_limit(t0))
    assert extension_limit(t0) > ban_end(t0) > t0
    # 10 x 24 h, give or take the hour a DST change adds or takes.
    assert abs((ban_end(t0) - t0).total_seconds() - 10 * 86400) <= 3600


@pytest.mark.parametrize("t0", DST_AND_YEAR_END, ids=lambda d: d.isoformat())
def test_examples_on_dst_nights_and_year_ends(t0):
    _check_calendar(t0, 10, ban_end(t0))
    _check_calendar(t0, 28, extension_limit(t0))


def test_skipped_hour_documented_behaviour():
    # T0 21 March 2025 02:30; 31 March is not a DST day in 2025 (30 March is), so unaffected.
    assert ban_end(at(2025, 3, 21, 2, 30)) == at(2025, 3, 31, 2, 30)
    # T0 20 March 2025 02:30 + 10 = 30 March 02:30, skipped: the wall clock reads 03:30.
    assert ban_end(at(2025, 3, 20, 2, 30)).format("YYYY-MM-DD HH:mm") == "2025-03-30 03:30"


def test_repeated_hour_takes_the_first_occurrence():
    # 26 October 2025 02:30 occurs twice; the deadline is the earlier one (+02:00).
    end = ban_end(at(2025, 10, 16, 2, 30))
    assert end.format("YYYY-MM-DD HH:mm Z") == "2025-10-26 02:30 +02:00"


DAY_DEADLINES = {
    DeadlineKind.PROCES_VERBAAL: "proces_verbaal_day",
    DeadlineKind.MEETING_DAY3: "meeting_day",
    DeadlineKind.ZORGADVIES: "advice_day",
    DeadlineKind.BELEIDSADVIES: "advice_day",
}


@settings(max_examples=150, deadline=None)
@given(moments, st.integers(min_value=1, max_value=5), st.integers(min_value=5, max_value=10))
@example(at(2024, 3, 30, 20, 0), 1, 8)
@example(at(2024, 10, 26, 22, 0), 3, 8)
@example(at(2024, 12, 31, 23, 59), 1, 8)
def test_no_deadline_ever_moves_for_a_weekend(t0, meeting_day, advice_day):
    rules = RegionRules(
        meeting_day=meeting_day,
        advice_day=advice_day,
        advice_warn_day=advice_day - 1,
        proces_verbaal_day=1,
    )
    deadlines = case_deadlines(case(CaseStatus.RUNNING, t0=t0), t0, rules)
    by_kind = {d.kind: d for d in deadlines}
    for kind, attr in DAY_DEADLINES.items():
        _check_calendar(t0, getattr(rules, attr), by_kind[kind].due)
    _check_calendar(t0, 10, by_kind[DeadlineKind.EXTENSION_DECISION].due)
    _check_calendar(t0, 10, by_kind[DeadlineKind.BAN_END].due)
    _check_calendar(t0, 28, by_kind[DeadlineKind.EXTENSION_LIMIT].due)
    # Hour deadlines are elapsed hours: exactly 24 h, whatever the weekday or DST.
    for kind in (
        DeadlineKind.REACHABLE_ADDRESS,
        DeadlineKind.HOUSEHOLD_INFORMED,
        DeadlineKind.VT_INFORMED,
    ):
        assert (by_kind[kind].due - t0).total_seconds() == 24 * 3600
