"""Release periods: the partition keys of a dataset with a release frequency.

Keys use the notation statisticians already write in extracts and that the
reference time-interval URI sets use (``2024-Q1``, ``2024-01``, ``2024``), so a
partition key can be compared with a row's period and turned into a URI
without translation.

A row's period may also be a UK financial year, ``2023-24`` (1 April 2023 to
31 March 2024), as government tables write them. ``2011-12`` could be a month as
well: :func:`reads_as_financial_years` decides for a whole column, never value
by value, so one table is never read half one way and half the other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
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


_YEAR_DASH_TWO = re.compile(r"^(\d{4})-(\d{2})$")


def financial_year(key: str) -> int | None:
    """The first calendar year of a financial year ``2023-24`` (2023), else None."""
    m = _YEAR_DASH_TWO.match(key)
    if not m or int(m.group(2)) != (int(m.group(1)) + 1) % 100:
        return None
    return int(m.group(1))


def _is_month(key: str) -> bool:
    m = _YEAR_DASH_TWO.match(key)
    return bool(m) and 1 <= int(m.group(2)) <= 12


def reads_as_financial_years(values: Iterable[str], frequency: Frequency | None) -> bool:
    """Whether a column's ``YYYY-YY`` values are financial years rather than months.

    Yes when one of them can only be a financial year (``2023-24``) and each of the
    others is one too, or, when every such value could be a month as well
    (``2010-11``, ``2011-12``), when the release is annual (a monthly release's
    periods are months). Decided for the whole column, so ``2011-12`` beside
    ``2012-13`` is the financial year, never December 2011.
    """
    shaped = [v for v in values if _YEAR_DASH_TWO.match(v)]
    if not shaped or not all(financial_year(v) is not None for v in shaped):
        return False
    if any(not _is_month(v) for v in shaped):
        return True
    return frequency == Frequency.annual


def period_start(key: str, financial_years: bool = False) -> date:
    """First day of a period key (``2024-Q2`` → 2024-04-01; with ``financial_years``,
    ``2023-24`` → 2023-04-01). Raises ValueError for text that is no period."""
    if "-Q" in key:
        year, q = key.split("-Q")
        return date(int(year), (int(q) - 1) * 3 + 1, 1)
    fy = financial_year(key)
    if fy is not None and (financial_years or not _is_month(key)):
        return date(fy, 4, 1)
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


def period_bounds(period: str | None, financial_years: bool = False
                  ) -> tuple[str | None, str | None]:
    """First and last day of a period key (``2024-Q4`` → 2024-10-01, 2024-12-31;
    a financial year ``2023-24`` → 2023-04-01, 2024-03-31)."""
    if not period:
        return None, None
    start = period_start(period, financial_years)
    if financial_year(period) is not None and (financial_years or not _is_month(period)):
        end = start.replace(year=start.year + 1)
    elif "-Q" in period:
        month = start.month + 3
        end = start.replace(year=start.year + (month > 12), month=(month - 1) % 12 + 1)
    elif len(period) == 7:
        end = start.replace(year=start.year + (start.month == 12), month=start.month % 12 + 1)
    elif len(period) == 4:
        end = start.replace(year=start.year + 1)
    else:
        return start.isoformat(), start.isoformat()
    return start.isoformat(), (end - timedelta(days=1)).isoformat()
