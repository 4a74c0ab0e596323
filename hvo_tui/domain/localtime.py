"""Time as the users see it: the one place that knows the zone, the formats and how to read input.

Every moment is stored as UTC and shown in Europe/Amsterdam; every screen, command and the store
take "now" from a ``Clock`` handed to them (tests and snapshots freeze it). Input is read relative
to that clock's now (a moment without a year is this year), never the machine's wall clock.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pendulum

TZ_NAME = "Europe/Amsterdam"
TZ = pendulum.timezone(TZ_NAME)
ZONE = ZoneInfo(TZ_NAME)

MOMENT_FORMAT = "DD-MM-YYYY HH:mm"
SECONDS_FORMAT = "DD-MM-YYYY HH:mm:ss"
DATE_FORMAT = "DD-MM-YYYY"
SHORT_FORMAT = "DD-MM HH:mm"
PLACEHOLDERS = {"moment": "dd-mm-jjjj uu:mm", "date": "dd-mm-jjjj"}
NONE_SHOWN = "–"  # what a screen shows where a moment is not known


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


WALL_CLOCK = Clock()


def local(moment: datetime) -> pendulum.DateTime:
    """``moment`` (timezone-aware) as a pendulum DateTime in Europe/Amsterdam."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("een moment zonder tijdzone is niet eenduidig")
    return pendulum.instance(moment).in_timezone(TZ)


def local_or_none(moment: datetime | None) -> pendulum.DateTime | None:
    """A stored (UTC) moment in Amsterdam time, or None."""
    return None if moment is None else local(moment)


def _format(moment: datetime | None, pattern: str, empty: str) -> str:
    return local(moment).format(pattern) if moment is not None else empty


def format_moment(moment: datetime | None, empty: str = "") -> str:
    """'29-11-2026 20:00' (Amsterdam time); ``empty`` when there is no moment."""
    return _format(moment, MOMENT_FORMAT, empty)


def format_seconds(moment: datetime | None, empty: str = "") -> str:
    """'29-11-2026 20:00:05' (audit listings)."""
    return _format(moment, SECONDS_FORMAT, empty)


def format_date(moment: datetime | date | None, empty: str = "") -> str:
    """'29-11-2026'; a date is shown as it is, a moment in Amsterdam time."""
    if moment is None:
        return empty
    if not isinstance(moment, datetime):
        return f"{moment:%d-%m-%Y}"
    return local(moment).format(DATE_FORMAT)


def format_short(moment: datetime | None, empty: str = "") -> str:
    """'29-11 20:00': day, month and clock time (deadline lists)."""
    return _format(moment, SHORT_FORMAT, empty)


def parse_moment(text: str, now: datetime) -> pendulum.DateTime:
    """'29-11-2026 20:00' (or '29-11 20:00' in ``now``'s year, or '29-11-2026') in Amsterdam time.

    Raises ValueError with a Dutch message a form shows beside the field.
    """
    text = " ".join(text.split())
    if not text:
        raise ValueError("vul een moment in, bv. 29-11-2026 20:00")
    date_part, _, time_part = text.partition(" ")
    pieces = date_part.replace("/", "-").split("-")
    try:
        if len(pieces) == 2:
            day, month, year = int(pieces[0]), int(pieces[1]), local(now).year
        elif len(pieces) == 3:
            day, month, year = int(pieces[0]), int(pieces[1]), int(pieces[2])
        else:
            raise ValueError
        hour, minute = 0, 0
        if time_part:
            h, _, m = time_part.replace(".", ":").partition(":")
            hour, minute = int(h), int(m or 0)
        return pendulum.datetime(year, month, day, hour, minute, tz=TZ)
    except ValueError:
        raise ValueError(f"'{text}' is geen geldig moment; schrijf dd-mm-jjjj uu:mm") from None


def parse_date(text: str) -> date:
    """'02-04-1988' (also with slashes or dots) as a date."""
    pieces = text.strip().replace("/", "-").replace(".", "-").split("-")
    try:
        if len(pieces) != 3 or len(pieces[2]) != 4:
            raise ValueError
        return date(int(pieces[2]), int(pieces[1]), int(pieces[0]))
    except ValueError:
        raise ValueError(f"'{text.strip()}' is geen geldige datum; schrijf dd-mm-jjjj") from None


def event_moment(moment: datetime) -> str:
    """A moment for event details: ISO 8601 in Europe/Amsterdam with its offset."""
    return local(moment).isoformat()
