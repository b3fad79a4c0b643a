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


#: Three records; the first and second hold line breaks inside quoted values, and a
#: blank line sits before the third: its data row is 3, its line 8.
_SPANNING = (f'{HEADER}\r\n"C-001",2024-01-05,"{SECRET}\nsecond line",3,10.5,2024-Q1\n'
             '"C-002",2024-04-09,"a\r\nb\nc",0,7,2024-Q2\n\nC-003,2024-07-01,,-4,1e3,2024-Q3\n')


def test_a_record_spanning_lines_is_named_by_its_row_and_its_line(tmp_path):
    from pipelines.errors import ExtractError

    spec = make_spec(tmp_path, _SPANNING.encode())
    try:
        open_source(spec, None).to_pandas()
    except ExtractError as exc:
        found = [(p.location.row, p.location.line, p.location.field) for p in exc.problems]
        text = str(exc)
    else:
        raise AssertionError("a negative count must be refused")
    assert found == [(3, 8, "count")]
    assert "row 3 (line 8), field `count`" in text and SECRET not in text


def test_a_later_stage_names_the_line_through_the_partition_filter(tmp_path):
    spec = make_spec(tmp_path, _SPANNING.replace(",-4,", ",4,").encode())
    source = open_source(spec, "2024-Q3")  # only the third record
    df = source.to_pandas()
    suite = write_suite(tmp_path / "expectations",
                        [E.ExpectColumnValuesToBeBetween(column="count", max_value=3)])
    report = gates.bind_validation(validate(df, spec, suite), source, df.index)
    [problem] = report.errors
    assert (problem.location.row, problem.location.line) == (3, 8)
    assert problem.to_dict()["line"] == 8


def test_one_line_per_record_prints_the_row_alone(tmp_path):
    spec = _two_files(tmp_path, GOOD_ROWS[:1], GOOD_ROWS[1:])
    source = open_source(spec, None)
    where = source.locate(2, "count")  # the second row of part-2.csv
    assert (where.row, where.line) == (2, 3)
    assert str(where).endswith("part-2.csv, row 2, field `count`")
