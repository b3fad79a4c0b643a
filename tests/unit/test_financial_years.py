"""UK financial years (``2023-24``) as periods: read as such for a whole column, never
half as months, linked to the government-year URI set, and a period the release filter
cannot place is one located error, not a crash."""

from __future__ import annotations

from datetime import date

import pytest

from pipelines.convert.uris import period_kind, period_uri
from pipelines.errors import ExtractError
from pipelines.extract import read_extract
from pipelines.periods import (
    financial_year,
    period_bounds,
    period_start,
    reads_as_financial_years,
)
from pipelines.spec import Frequency
from tests.unit.test_extract import make_spec

REF = "http://reference.data.gov.uk/id/"


def test_financial_year_is_two_consecutive_years():
    assert financial_year("2023-24") == 2023
    assert financial_year("1999-00") == 1999
    assert financial_year("2023-25") is None
    assert financial_year("2023-Q1") is None
    assert financial_year("2023") is None


def test_an_unambiguous_value_makes_the_column_financial_years():
    assert reads_as_financial_years(["2011-12", "2012-13"], Frequency.quarterly)
    assert reads_as_financial_years(["2023-24", "2024-Q1", "2024-Q2"], Frequency.quarterly)
    # months that are not consecutive years: months
    assert not reads_as_financial_years(["2011-11", "2011-12"], Frequency.monthly)
    # every value could be either: the release frequency decides
    assert not reads_as_financial_years(["2010-11", "2011-12"], Frequency.monthly)
    assert reads_as_financial_years(["2010-11", "2011-12"], Frequency.annual)
    # a YYYY-YY value that is not a financial year: the column is not read as them
    assert not reads_as_financial_years(["2023-24", "2023-06"], Frequency.quarterly)


def test_period_start_and_bounds_of_a_financial_year():
    assert period_start("2023-24") == date(2023, 4, 1)
    assert period_bounds("2023-24") == ("2023-04-01", "2024-03-31")
    # ambiguous alone: a month unless the column reads as financial years
    assert period_bounds("2011-12") == ("2011-12-01", "2011-12-31")
    assert period_bounds("2011-12", financial_years=True) == ("2011-04-01", "2012-03-31")
    with pytest.raises(ValueError):
        period_start("2023-13x")


def test_financial_years_link_to_government_years():
    assert period_uri("2023-24") == REF + "government-year/2023-2024"
    assert period_uri("2011-12") == REF + "month/2011-12"
    assert period_uri("2011-12", financial_years=True) == REF + "government-year/2011-2012"
    assert period_uri("2024-Q1", financial_years=True) == REF + "quarter/2024-Q1"
    # the URI's segment is not the value: no one template for such a column
    assert period_kind(["2022-23", "2023-24"], financial_years=True) is None
    assert period_kind(["2024-01", "2024-02"], financial_years=False) == "month"


def _rows(periods: list[str]) -> bytes:
    header = "case_id,received,email,count,amount,period"
    rows = [f"C-{i:03d},2024-01-05,,1,1,{p}" for i, p in enumerate(periods, start=1)]
    return ("\n".join([header, *rows]) + "\n").encode()


def test_release_filter_places_financial_years(tmp_path):
    spec = make_spec(tmp_path, _rows(["2022-23", "2023-24", "2024-25", "2024-Q1"]))
    df = read_extract(spec, "2024-Q1")
    # 2024-25 starts on 1 April 2024, after the 2024-Q1 release period starts
    assert df["period"].tolist() == ["2022-23", "2023-24", "2024-Q1"]


def test_a_value_that_is_no_period_is_a_located_error(tmp_path):
    spec = make_spec(tmp_path, _rows(["2024-Q1", "2024-Q2", "Q3 2024"]))
    with pytest.raises(ExtractError) as exc:
        read_extract(spec, "2024-Q2")
    (problem,) = exc.value.problems
    assert (problem.code, problem.location.row, problem.location.field) == ("period", 3,
                                                                            "period")
    assert "Q3 2024" not in str(exc.value)
