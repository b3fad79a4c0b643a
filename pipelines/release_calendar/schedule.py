"""The coming releases of a dataset, computed from its spec's ``release:`` section.

``next_release`` is the pre-announced (confirmed) date. Later releases follow
it by the dataset's frequency (monthly, quarterly, annual) on the same weekday
of the month (the 4th Thursday stays the 4th Thursday) or the same day of the
month (``repeat``), moved to the next working day when that is a weekend or a
bank holiday, at the spec's release ``time`` UK time. They are provisional
until they become the next release. A ``next_release`` that has passed
without the spec being updated rolls forward the same way, so the calendar
never goes blank.
"""

from __future__ import annotations

import calendar as stdlib_calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from pipelines.release_calendar.workdays import UK, next_working_day, release_time_on
from pipelines.spec import DatasetSpec, Frequency

#: Months between releases, by frequency.
STEP_MONTHS = {Frequency.monthly: 1, Frequency.quarterly: 3, Frequency.annual: 12}
#: How far ahead the calendar looks by default (Code of Practice T3 asks for at least 4 weeks).
DEFAULT_HORIZON = timedelta(days=366)
MIN_NOTICE = timedelta(weeks=4)


@dataclass(frozen=True)
class Slot:
    """One scheduled release: ``slot`` (its date as first computed) identifies it."""

    dataset_id: str
    title: str
    slot: date
    release_at: datetime
    confirmed: bool


def _add_months(day: date, months: int) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 + months
    return index // 12, index % 12 + 1


def _same_weekday(anchor: date, year: int, month: int) -> date:
    """The anchor's weekday-of-month (e.g. 4th Thursday; 5th means the last) in a month."""
    nth = (anchor.day - 1) // 7 + 1
    days = stdlib_calendar.monthrange(year, month)[1]
    matching = [d for d in range(1, days + 1) if date(year, month, d).weekday()
                == anchor.weekday()]
    return date(year, month, matching[min(nth, len(matching)) - 1])


def _same_day(anchor: date, year: int, month: int) -> date:
    return date(year, month, min(anchor.day, stdlib_calendar.monthrange(year, month)[1]))


def occurrence(spec: DatasetSpec, k: int) -> date:
    """The date of the k-th release after the anchor (k=0 is ``next_release`` itself)."""
    release = spec.release
    anchor = release.next_release.astimezone(UK).date()
    if k == 0:
        return anchor
    year, month = _add_months(anchor, k * STEP_MONTHS[release.frequency])
    pick = _same_day if release.repeat == "same_day" else _same_weekday
    return next_working_day(pick(anchor, year, month), release.holidays)


def coming_releases(spec: DatasetSpec, now: datetime,
                    horizon: timedelta = DEFAULT_HORIZON) -> list[Slot]:
    """The dataset's releases from ``now`` to ``now + horizon``, earliest first."""
    release = spec.release
    if release.next_release is None:
        return []
    repeats = release.frequency in STEP_MONTHS and release.repeat != "none"
    anchor_at = release.next_release.astimezone(UK)
    out: list[Slot] = []
    k = 0
    while True:
        day = occurrence(spec, k)
        at = anchor_at if k == 0 else release_time_on(day, release.time)
        if at > now + horizon:
            break
        if at >= now:
            out.append(Slot(dataset_id=spec.id, title=spec.title, slot=day, release_at=at,
                            confirmed=k == 0))
        if not repeats:
            break
        k += 1
    return out
