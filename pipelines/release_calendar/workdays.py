"""UK working days: weekdays that are not bank holidays, in UK local time.

Bank holidays come from the ``holidays`` package (kept up to date with each
year's proclamations, including substitute days and one-off holidays such as
coronations) rather than a hand-kept list. England and Wales share one set;
Scotland and Northern Ireland have their own.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

UK = ZoneInfo("Europe/London")
DEFAULT_RELEASE_TIME = time(9, 30)
#: The spec's ``release.holidays`` value → the ``holidays`` package's UK subdivision.
DIVISIONS = {"england-and-wales": "ENG", "scotland": "SCT", "northern-ireland": "NIR"}
NAMES = {"england-and-wales": "England and Wales", "scotland": "Scotland",
         "northern-ireland": "Northern Ireland"}


@cache
def _bank_holidays(division: str, year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("GB", subdiv=DIVISIONS[division], years=year)


def bank_holiday(day: date, division: str = "england-and-wales") -> str | None:
    """The bank holiday's name on ``day``, or None."""
    return _bank_holidays(division, day.year).get(day)


def is_working_day(day: date, division: str = "england-and-wales") -> bool:
    return day.weekday() < 5 and bank_holiday(day, division) is None


def next_working_day(day: date, division: str = "england-and-wales") -> date:
    """``day`` itself if it is a working day, else the first working day after it."""
    while not is_working_day(day, division):
        day += timedelta(days=1)
    return day


def release_time_on(day: date, at: time = DEFAULT_RELEASE_TIME) -> datetime:
    """``at`` UK wall-clock time on ``day`` (GMT or BST as that day has it)."""
    return datetime.combine(day, at, tzinfo=UK)


def first_release_time(after: datetime, division: str = "england-and-wales",
                       at: time = DEFAULT_RELEASE_TIME) -> datetime:
    """The first working day's ``at`` UK time at or after ``after`` (an aware time)."""
    if after.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    local = after.astimezone(UK)
    day = local.date()
    while True:
        day = next_working_day(day, division)
        candidate = release_time_on(day, at)
        if candidate >= local:
            return candidate
        day += timedelta(days=1)
