"""Embargo: when an approved release may become public (Code of Practice T3).

Orderly release means a pre-announced time and no early release. The
scheduled time of a release is, in order of precedence:

1. the manifest's ``catalogue.release_date`` (from the spec's
   ``release.next_release``: pre-announced), or the time the release calendar
   moved it to (a change with a reason, in the audit log);
2. otherwise a time the champion chose when approving (``release_at``);
3. otherwise the first working day's 09:30 UK time at or after the approval
   (no weekends, no UK bank holidays).

A release is due when ``now >= scheduled`` — never one second earlier; one
approved after its time is due at once. Time always comes from an injectable
clock so the rule is tested without sleeping.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from pipelines.contracts.manifest import Manifest

UK = ZoneInfo("Europe/London")
DEFAULT_RELEASE_TIME = time(9, 30)

#: A clock: returns an aware "now". Tests pass a lambda returning a fixed time.
Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    return value


def default_release_time(after: datetime, holidays: str = "england-and-wales") -> datetime:
    """The first working day's 09:30 UK time at or after ``after`` (DST-correct).

    Working days skip weekends and the UK bank holidays of ``holidays``
    (England and Wales unless the spec says otherwise).
    """
    from pipelines.release_calendar.workdays import first_release_time

    return first_release_time(_aware(after), holidays, DEFAULT_RELEASE_TIME)


def parse_time(value: str | None) -> datetime | None:
    """An ISO 8601 time; a naive one is UK local time."""
    if not value:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UK)


def announced_time(manifest: Manifest) -> datetime | None:
    """The pre-announced release time in the manifest, if any."""
    return parse_time(manifest["catalogue"].get("release_date"))


def scheduled_time(manifest: Manifest, approved_at: datetime,
                   release_at: datetime | None = None,
                   moved_to: datetime | None = None) -> datetime:
    """When an approved release becomes due (see the module docstring).

    ``moved_to``: the release calendar's new time for the pre-announced date,
    when that date was changed (with a reason) after the release was staged.
    """
    announced = announced_time(manifest)
    if announced is not None:
        return _aware(moved_to) if moved_to is not None else announced
    if release_at is not None:
        return _aware(release_at)
    return default_release_time(approved_at)


def is_due(scheduled: datetime, now: datetime) -> bool:
    """True from the scheduled instant on; False for every earlier instant."""
    return _aware(now) >= _aware(scheduled)
