"""One source of "now" for every screen, so tests and snapshots can freeze time."""

from __future__ import annotations

from datetime import datetime

import pendulum

TZ = "Europe/Amsterdam"


class Clock:
    """The wall clock, in Europe/Amsterdam."""

    def now(self) -> pendulum.DateTime:
        return pendulum.now(TZ)


class FrozenClock(Clock):
    """A clock that stands still (tests, snapshots) until moved."""

    def __init__(self, at: datetime) -> None:
        self.at = pendulum.instance(at).in_timezone(TZ)

    def now(self) -> pendulum.DateTime:
        return self.at

    def advance(self, **kw) -> None:
        self.at = self.at.add(**kw)


def local(moment: datetime | None) -> pendulum.DateTime | None:
    """A stored (UTC) moment in Amsterdam time, for display."""
    return None if moment is None else pendulum.instance(moment).in_timezone(TZ)
