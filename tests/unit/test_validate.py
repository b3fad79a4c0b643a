"""Validation: ERROR blocks, WARN records; reports carry row numbers, never values."""

from __future__ import annotations

import json

import great_expectations as gx
import pandas as pd
import pytest

from pipelines import paths
from pipelines.extract import read_extract
from pipelines.gates import bind_validation
from pipelines.handles import open_source
from pipelines.reports import write_validation
from pipelines.spec import load_all
from pipelines.validate import validate
from tests.unit.test_extract import SECRET, csv_bytes, make_spec

E = gx.expectations


def write_suite(directory, expectations):
    suite = gx.ExpectationSuite(name="cases", expectations=expectations).to_json_dict()
    suite.pop("id", None)
    directory.mkdir(exist_ok=True)
    (directory / "cases.json").write_text(json.dumps(suite))
    return directory


@pytest.fixture
def cases(tmp_path):
    spec = make_spec(tmp_path, csv_bytes())
    return spec, read_extract(spec), tmp_path / "expectations"


def test_error_severity_blocks(cases):
    spec, df, d = cases
    write_suite(d, [E.ExpectColumnValuesToBeBetween(column="count", max_value=5)])
    result = validate(df, spec, d)
    assert not result.passed
    (problem,) = result.errors
    assert (problem.location.row, problem.location.field) == (3, "count")


def test_warning_severity_is_recorded_not_blocking(cases):
    spec, df, d = cases
    write_suite(d, [E.ExpectColumnValuesToBeBetween(column="count", max_value=5,
                                                    severity="warning"),
                    E.ExpectColumnValuesToNotBeNull(column="case_id")])
    result = validate(df, spec, d)
    assert result.passed
    assert [p.location.row for p in result.warnings] == [3]
    assert result.model_dump()["statistics"] == {"evaluated": 2, "successful": 1, "errors": 0,
                                              "warnings": 1}


def test_missing_suite_fails_closed(cases):
    spec, df, d = cases
    result = validate(df, spec, d)
    assert not result.passed and result.errors[0].code == "suite-missing"


def test_report_has_rows_but_no_values(cases, tmp_path):
    spec, df, d = cases
    write_suite(d, [E.ExpectColumnValuesToNotMatchRegex(column="email", regex="@example")])
    result = validate(df, spec, d)
    files = write_validation(result, tmp_path / "report")
    for path in files.values():
        text = path.read_text()
        assert SECRET not in text and "someone@" not in text
    report = json.loads(files["json"].read_text())
    (exp,) = [e for e in report["expectations"] if e["type"].endswith("regex")]
    assert exp["rows"] == [1, 2] and exp["unexpected_count"] == 2
    assert "Failed." in files["html"].read_text()


def test_row_numbers_survive_partition_filtering(tmp_path):
    spec = make_spec(tmp_path, csv_bytes())
    source = open_source(spec, "2024-Q2")
    df = source.to_pandas().iloc[1:]  # only file row 2 is left
    d = write_suite(tmp_path / "expectations",
                    [E.ExpectColumnValuesToBeBetween(column="count", min_value=1)])
    result = validate(df, spec, d)
    assert [p.location.row for p in result.errors] == [1]  # the first row validated
    bound = bind_validation(result, source, df.index)
    assert [p.location.row for p in bound.errors] == [2]  # row 2 of the file
    assert bound.errors[0].location.file.endswith(".csv") and bound.subject == source.key


def test_value_outside_code_list_is_an_error():
    specs, _ = load_all(paths.DATASETS_DIR)
    spec = next(s for s in specs if s.id == "police-recorded-crime")
    df = read_extract(spec)
    df.loc[4, "offence_group"] = "made-up-offence"
    result = validate(df, spec)
    assert not result.passed
    assert any(p.code == "codelist" and p.location.row == 5 and
               p.location.field == "offence_group" for p in result.errors)


@pytest.mark.parametrize("spec", load_all(paths.DATASETS_DIR)[0], ids=lambda s: s.id)
def test_bundled_datasets_pass_their_suites(spec):
    result = validate(read_extract(spec), spec)
    assert result.passed, [str(p) for p in result.errors]


def test_datetime_and_nullable_columns_are_supported(cases):
    spec, df, d = cases
    write_suite(d, [E.ExpectColumnValuesToNotBeNull(column="received"),
                    E.ExpectColumnMinToBeBetween(column="count", min_value=0)])
    assert validate(df.assign(count=pd.array([1, None, 2], dtype="Int64")), spec, d).passed


def test_gx_sees_numpy_numbers_unless_the_suite_inspects_the_type():
    from pipelines.validate import gx_view

    df = pd.DataFrame({"n": pd.array([1, None, 3], dtype="Int64"),
                       "m": pd.array([1, 2, 3], dtype="Int64"),
                       "s": pd.array(["a", None, "c"], dtype="string")})
    plain = gx.ExpectationSuite(name="x", expectations=[
        E.ExpectColumnValuesToNotBeNull(column=c) for c in ("n", "m", "s")])
    view = gx_view(df, plain)
    assert str(view["n"].dtype) == "float64" and view["n"].isna().tolist() == [False, True, False]
    assert str(view["m"].dtype) == "int64" and view["s"].dtype == df["s"].dtype
    typed = gx.ExpectationSuite(name="y", expectations=[E.ExpectColumnValuesToBeOfType(
        column="n", type_="Int64")])
    assert gx_view(df, typed)["n"].dtype == df["n"].dtype


def test_gx_sees_only_the_columns_its_expectations_read():
    from pipelines.validate import columns_read, gx_view

    df = pd.DataFrame({"a": pd.array(["x", None], dtype="string"),
                       "b": pd.array(["private", "text"], dtype="string"), "c": [1, 2]})
    suite = gx.ExpectationSuite(name="x", expectations=[
        E.ExpectTableColumnsToMatchOrderedList(column_list=["a", "b", "c"]),
        E.ExpectColumnValuesToNotBeNull(column="a"),
        E.ExpectColumnPairValuesAToBeGreaterThanB(column_A="c", column_B="c", or_equal=True)])
    # the column list of a names-only expectation reads no values
    assert columns_read(suite) == {"a", "c"}
    narrow = gx.ExpectationSuite(name="y", expectations=[
        E.ExpectTableRowCountToBeBetween(min_value=1),
        E.ExpectColumnValuesToNotBeNull(column="a")])
    assert columns_read(narrow) == {"a"}
    view = gx_view(df, narrow)
    assert list(view.columns) == ["a", "b", "c"] and view["b"].nbytes == 2
    assert view["a"].isna().tolist() == [False, True]
    conditional = gx.ExpectationSuite(name="z", expectations=[E.ExpectColumnValuesToNotBeNull(
        column="a", row_condition='c>1', condition_parser="pandas")])
    assert columns_read(conditional) is None and gx_view(df, conditional)["b"].equals(df["b"])


def test_a_narrowed_view_still_fails_what_it_should(cases):
    spec, df, d = cases
    write_suite(d, [E.ExpectColumnValuesToBeBetween(column="count", max_value=0)])
    result = validate(df, spec, d)
    assert not result.passed and result.expectations[0].unexpected_count


def test_rows_are_reported_for_a_failure_that_mostly_lets_pass(cases):
    spec, df, d = cases
    write_suite(d, [E.ExpectColumnValuesToBeBetween(column="count", max_value=5, mostly=0.5)])
    result = validate(df, spec, d)
    (summary,) = result.expectations
    assert result.passed and summary.success and summary.rows == [3]
    assert summary.unexpected_count == 1


def _in_batches(df: pd.DataFrame, size: int):
    """``validate_batches``' reader over ``df`` in frames of ``size`` rows (index: position)."""
    whole = df.reset_index(drop=True)

    def read(columns):
        for start in range(0, len(whole), size):
            part = whole.iloc[start:start + size]
            yield part if columns is None else part[columns]
    return read


def test_batches_give_what_gx_gives_over_the_whole_frame(cases):
    """Counts, percentages, verdicts and rows of every kind of expectation, validated in
    frames of 2 rows, are what one GX run over the whole frame reports."""
    from pipelines.validate import _context, _run, _validated_runs, load_suite, validate_batches

    spec, df, d = cases
    n = 12
    df = pd.DataFrame({
        "case_id": pd.array([f"C-{i:03d}" for i in range(n)], dtype="string"),
        "received": pd.to_datetime(["2024-01-05"] * n),
        "email": pd.array([None] * n, dtype="string"),
        "count": pd.array([1, 9, None, 2, 3, 8, 1, None, 7, 2, 2, 1], dtype="Int64"),
        "amount": [float(i) for i in range(n)],
        "period": pd.array(["2024-Q1"] * n, dtype="string")})
    df.loc[9, "case_id"] = "C-001"  # repeats a value three frames earlier
    df.loc[10, "case_id"] = None
    write_suite(d, [
        E.ExpectTableColumnsToMatchOrderedList(column_list=list(df.columns)),
        E.ExpectTableRowCountToBeBetween(min_value=1, max_value=10),  # each frame has 2
        E.ExpectColumnValuesToBeUnique(column="case_id"),
        E.ExpectColumnValuesToBeBetween(column="count", max_value=5),
        # one frame (9, None) fails alone; over all rows 7 of 10 pass
        E.ExpectColumnValuesToBeBetween(column="count", max_value=5, mostly=0.7),
        E.ExpectColumnValuesToBeBetween(column="count", max_value=5, mostly=0.75),
        E.ExpectColumnValuesToNotBeNull(column="count", mostly=0.5),
        E.ExpectColumnPairValuesAToBeGreaterThanB(column_A="amount", column_B="count",
                                                  ignore_row_if="either_value_is_missing"),
        E.ExpectColumnMeanToBeBetween(column="amount", min_value=6),  # judged whole
    ])
    batched = validate_batches(_in_batches(df, 2), spec, d)
    suite, _ = load_suite(spec, d)
    _, definition = _context()
    whole = _validated_runs(definition, df, suite)
    assert batched.rows == n
    assert [o.success for o in batched.expectations] == \
        [True, False, False, False, True, False, True, False, False]
    for outcome, r in zip(batched.expectations, whole, strict=True):
        res = r.result or {}
        assert outcome.success == r.success, outcome.type
        assert outcome.unexpected_count == res.get("unexpected_count"), outcome.type
        if res.get("unexpected_percent") is not None:
            assert outcome.unexpected_percent == round(res["unexpected_percent"], 4)
        wanted = sorted(i + 1 for i in res.get("partial_unexpected_index_list") or [])
        assert outcome.rows == wanted[:len(outcome.rows)] and len(outcome.rows) == len(wanted)
    unique = batched.expectations[2]
    assert unique.rows == [2, 10] and unique.unexpected_count == 2
    assert _run(definition, df.iloc[:0], suite, rows=False)  # the context is still usable


def test_code_lists_are_counted_over_batches():
    from pipelines.validate import validate_batches

    specs, _ = load_all(paths.DATASETS_DIR)
    spec = next(s for s in specs if s.id == "police-recorded-crime")
    df = read_extract(spec)
    df.loc[[4, len(df) - 1], "offence_group"] = "made-up-offence"
    whole = validate(df, spec)
    batched = validate_batches(_in_batches(df, len(df) // 3 + 1), spec)  # 3 frames
    assert batched.model_dump() == whole.model_dump()
    (codes,) = [o for o in batched.expectations if o.type == "value_in_code_list"
                and o.column == "offence_group"]
    assert codes.rows == [5, len(df)] and codes.unexpected_count == 2
