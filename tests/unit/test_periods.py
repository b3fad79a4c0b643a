from datetime import date

import pytest

from pipelines.periods import next_period, period_of, period_start, release_periods
from pipelines.spec import Frequency


@pytest.mark.parametrize(
    ("day", "freq", "key"),
    [
        (date(2024, 3, 31), Frequency.quarterly, "2024-Q1"),
        (date(2024, 4, 1), Frequency.quarterly, "2024-Q2"),
        (date(2024, 12, 5), Frequency.monthly, "2024-12"),
        (date(2024, 12, 5), Frequency.annual, "2024"),
    ],
)
def test_period_of(day, freq, key):
    assert period_of(day, freq) == key
    assert period_start(key) <= day


def test_next_period_rolls_over_years():
    assert next_period("2024-Q4", Frequency.quarterly) == "2025-Q1"
    assert next_period("2024-12", Frequency.monthly) == "2025-01"
    assert next_period("2024", Frequency.annual) == "2025"


def test_release_periods_run_from_start_to_today(tmp_path):
    from pipelines.spec import load_spec
    from tests.unit.test_spec import GOOD, write

    spec = load_spec(write(tmp_path, GOOD))
    keys = release_periods(spec, until=date(2025, 2, 1))
    assert keys[0] == "2024-Q1" and keys[-1] == "2025-Q1" and len(keys) == 5
