"""Every stage's located problems name the source extract's file and data row.

A stage counts rows of the frame it is handed (after the partition filter and
the multi-file merge); the gates map them back, so a statistician can open
the file named and find the row, whichever stage found the problem.
"""

from __future__ import annotations

import re

import great_expectations as gx

from pipelines import gates, handles
from pipelines.handles import RedactedTable, ValidatedExtract, open_source
from pipelines.validate import validate
from tests.unit.test_extract import GOOD_ROWS, HEADER, SECRET, make_spec
from tests.unit.test_validate import write_suite

E = gx.expectations
KEY = b"positions-test-key-0123456789abcdef"


def _names(shown: str | None) -> str:
    """The file names in a location (the folder is the test's temporary one)."""
    return re.sub(r"\S*/", "", shown or "")


def _two_files(tmp_path, first: list[str], second: list[str]):
    spec = make_spec(tmp_path, path="part-*.csv")
    for name, rows in (("part-1.csv", first), ("part-2.csv", second)):
        (spec.folder / name).write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return spec


def test_a_data_problem_names_the_extract_never_the_suite(tmp_path):
    spec = _two_files(tmp_path, GOOD_ROWS[:1], GOOD_ROWS[1:])
    suite = write_suite(tmp_path / "expectations", [
        E.ExpectColumnValuesToBeBetween(column="count", min_value=1),  # row 2 of the extract
        E.ExpectTableRowCountToBeBetween(max_value=1)])                 # the whole table
    source = open_source(spec, None)
    df = source.to_pandas()
    report = gates.bind_validation(validate(df, spec, suite), source, df.index)
    where = {(p.code, _names(p.location.file), p.location.row, p.location.field)
             for p in report.errors}
    assert where == {
        ("expect_column_values_to_be_between", "part-2.csv", 1, "count"),
        ("expect_table_row_count_to_be_between", "part-1.csv … part-2.csv (2 files)", None, None)}
    assert not any("expectations" in str(p) for p in report.errors)


def test_a_missing_suite_names_the_suite(tmp_path):
    spec = make_spec(tmp_path, "\n".join([HEADER, *GOOD_ROWS]).encode() + b"\n")
    source = open_source(spec, None)
    df = source.to_pandas()
    report = gates.bind_validation(validate(df, spec, tmp_path / "none"), source, df.index)
    assert [(p.code, p.location.file) for p in report.errors] == [
        ("suite-missing", "expectations/cases.json")]


def test_redaction_findings_name_the_source_row_after_the_partition_filter(tmp_path):
    # the Q3 row sits between the Q1 and Q2 rows; the 2024-Q2 release filters it out
    rows = [GOOD_ROWS[0], GOOD_ROWS[2], GOOD_ROWS[1]]
    spec = make_spec(tmp_path, "\n".join([HEADER, *rows]).encode() + b"\n")
    source = open_source(spec, "2024-Q2")
    df = source.to_pandas()
    suite = write_suite(tmp_path / "expectations", [])
    validated = ValidatedExtract(
        source=source, report=gates.bind_validation(validate(df, spec, suite), source, df.index))
    result = gates.redact(validated, spec, KEY)  # no rules: the emails stay, unredacted
    table = handles.write_arrow(result.df, tmp_path / "redacted.arrow")
    redacted = RedactedTable(table=table, source=source, validation=validated.report,
                             report=result.report)
    found = {(_names(p.location.file), p.location.row)
             for p in gates.redaction_findings(redacted, spec)
             if p.code == "personal-data" and p.location.field == "email"}
    assert found == {("extract.csv", 1), ("extract.csv", 3)}  # rows 1 and 3 of the file, not 2
    assert SECRET not in str(found)
