"""Release periods: the partition keys of a dataset with a release frequency.

Keys use the notation statisticians already write in extracts and that the
reference time-interval URI sets use (``2024-Q1``, ``2024-01``, ``2024``), so a
partition key can be compared with a row's period and turned into a URI
without translation.
"""

from __future__ import annotations

from datetime import date, timedelta

from pipelines.spec import DatasetSpec, Frequency


def period_of(day: date, frequency: Frequency) -> str:
    """The period key containing ``day``."""
    if frequency == Frequency.monthly:
        return f"{day.year}-{day.month:02d}"
    if frequency == Frequency.quarterly:
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    if frequency == Frequency.annual:
        return f"{day.year}"
    raise ValueError("ad hoc releases have no periods")


def period_start(key: str) -> date:
    """First day of a period key (``2024-Q2`` → 2024-04-01)."""
    if "-Q" in key:
        year, q = key.split("-Q")
        return date(int(year), (int(q) - 1) * 3 + 1, 1)
    if len(key) == 7:
        return date(int(key[:4]), int(key[5:7]), 1)
    if len(key) == 4:
        return date(int(key), 1, 1)
    return date.fromisoformat(key)


def next_period(key: str, frequency: Frequency) -> str:
    start = period_start(key)
    if frequency == Frequency.monthly:
        month = start.month % 12 + 1
        year = start.year + (start.month == 12)
        return period_of(date(year, month, 1), frequency)
    if frequency == Frequency.quarterly:
        month = start.month + 3
        year = start.year + (month > 12)
        return period_of(date(year, (month - 1) % 12 + 1, 1), frequency)
    return period_of(date(start.year + 1, 1, 1), frequency)


def release_periods(spec: DatasetSpec, until: date | None = None) -> list[str]:
    """Every period from the spec's start to the one containing ``until`` (today)."""
    freq = spec.release.frequency
    if freq == Frequency.adhoc or spec.release.start is None:
        return []
    until = until or date.today()
    last = period_of(until, freq)
    keys = [period_of(spec.release.start, freq)]
    while keys[-1] != last and period_start(keys[-1]) < until:
        keys.append(next_period(keys[-1], freq))
    return keys


def period_bounds(period: str | None) -> tuple[str | None, str | None]:
    """First and last day of a period key (``2024-Q4`` → 2024-10-01, 2024-12-31)."""
    if not period:
        return None, None
    start = period_start(period)
    if "-Q" in period:
        month = start.month + 3
        end = start.replace(year=start.year + (month > 12), month=(month - 1) % 12 + 1)
    elif len(period) == 7:
        end = start.replace(year=start.year + (start.month == 12), month=start.month % 12 + 1)
    elif len(period) == 4:
        end = start.replace(year=start.year + 1)
    else:
        return start.isoformat(), start.isoformat()
    return start.isoformat(), (end - timedelta(days=1)).isoformat()
