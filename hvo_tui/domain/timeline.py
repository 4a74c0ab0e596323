"""The law's calendar: ban end and extension limit (Wth art. 2 and 9).

Calendar days at the same local clock time in Europe/Amsterdam; weekends and public holidays never
move a Wth deadline (art. 13 excludes the Algemene termijnenwet). Across a DST change the wall-clock
time stays the same, so the ban lasts 10 x 24 h plus or minus one hour.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

import pendulum

from .localtime import TZ, local
from .localtime import ZONE as _ZONE

BAN_DAYS = 10
LIMIT_DAYS = 28


@lru_cache(maxsize=65536)
def add_days(moment: datetime, days: int) -> pendulum.DateTime:
    """``days`` calendar days after ``moment`` at the same local clock time.

    A clock time that does not exist on the target day (the hour skipped in March) moves forward
    by that hour, as the clock on the wall does. A clock time that occurs twice (the hour repeated
    in October) is taken the first time: a deadline is never later than the law allows.
    """
    start = local(moment)
    day = start.date().add(days=days)
    wall = datetime(
        day.year,
        day.month,
        day.day,
        start.hour,
        start.minute,
        start.second,
        start.microsecond,
        tzinfo=_ZONE,
        fold=0,
    )
    # stdlib semantics: fold=0 reads a skipped time with the offset before the change (so it
    # lands an hour later on the clock) and a repeated time as its first occurrence.
    return pendulum.instance(wall.astimezone(UTC)).in_timezone(TZ)


def ban_end(imposed_at: datetime, extended_until: datetime | None = None) -> pendulum.DateTime:
    """When the ban ends: T0 + 10 days, or the extension's end (never beyond the 28-day limit)."""
    end = add_days(imposed_at, BAN_DAYS)
    if extended_until is not None:
        limit = extension_limit(imposed_at)
        end = min(max(end, local(extended_until)), limit)
    return end


def extension_limit(imposed_at: datetime) -> pendulum.DateTime:
    """The latest end of an extended ban: T0 + 28 days, same local clock time."""
    return add_days(imposed_at, LIMIT_DAYS)
