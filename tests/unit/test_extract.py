"""Extract readers and bad input: one clear error naming file, row and field, never the value."""

from __future__ import annotations

import sqlite3
from datetime import date

import pandas as pd
import pytest
import yaml

from pipelines.errors import ExtractError
from pipelines.extract import extract_sha256, filter_partition, read_extract
from pipelines.spec import load_spec

SECRET = "jane.doe@example.org"  # a planted personal value: must never appear in errors

SCHEMA = {
    "fields": [
        {"name": "case_id", "type": "string", "constraints": {"required": True,
                                                              "pattern": "^C-[0-9]{3}$"}},
        {"name": "received", "type": "date", "constraints": {"required": True}},
        {"name": "email", "type": "string"},
        {"name": "count", "type": "integer", "constraints": {"minimum": 0}},
        {"name": "amount", "type": "number"},
        {"name": "period", "type": "string"},
    ],
    "primaryKey": ["case_id"],
}
HEADER = "case_id,received,email,count,amount,period"
GOOD_ROWS = [
    f"C-001,2024-01-05,{SECRET},3,10.5,2024-Q1",
    "C-002,2024-04-09,someone@example.org,0,7,2024-Q2",
    "C-003,2024-07-01,,12,1e3,2024-Q3",
]


def make_spec(tmp_path, content: bytes | None = None, *, fmt: str = "csv",
              path: str = "extract.csv", **source):
    folder = tmp_path / "cases"
    folder.mkdir(exist_ok=True)
    if content is not None:
        (folder / path).write_bytes(content)
    spec = {
        "id": "cases", "title": "Cases", "description": "Test cases.", "theme": "government",
        "publisher": {"contact_name": "Team", "contact_email": "team@example.gov.uk"},
        "release": {"frequency": "quarterly", "start": "2024-01-01", "period_field": "period"},
        "iar": {"asset_id": "IAR-1", "information_asset_owner": "Owner",
                "protective_marking": "OFFICIAL-SENSITIVE", "retention": "3 years"},
        "source": {"format": fmt, **({"path": path} if fmt != "sql" else {}), **source},
        "schema": SCHEMA,
    }
    (folder / "dataset.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    return load_spec(folder / "dataset.yaml")


def csv_bytes(rows=GOOD_ROWS, header=HEADER, sep="\n") -> bytes:
    return (sep.join([header, *rows]) + sep).encode("utf-8")


def problems_of(spec):
    with pytest.raises(ExtractError) as exc:
        read_extract(spec)
    text = str(exc.value)
    assert SECRET not in text, "an error message leaked a cell value"
    assert "extract" in text or "cases" in text
    return exc.value.problems


def test_good_csv_is_typed_by_the_schema(tmp_path):
    df = read_extract(make_spec(tmp_path, csv_bytes()))
    assert list(df.columns) == [f["name"] for f in SCHEMA["fields"]]
    assert str(df["count"].dtype) == "Int64"
    assert str(df["amount"].dtype) == "float64"
    assert str(df["received"].dtype) == "datetime64[ns]"
    assert str(df["email"].dtype) == "string"
    assert df["email"].isna().sum() == 1  # empty cell is a missing value
    assert df["amount"].iloc[2] == 1000.0


def test_utf8_bom_is_tolerated_and_header_clean(tmp_path):
    df = read_extract(make_spec(tmp_path, b"\xef\xbb\xbf" + csv_bytes()))
    assert df.columns[0] == "case_id"
    assert len(df) == 3


def test_crlf_line_endings(tmp_path):
    assert len(read_extract(make_spec(tmp_path, csv_bytes(sep="\r\n")))) == 3


def test_wrong_encoding_names_row_and_field(tmp_path):
    rows = list(GOOD_ROWS)
    rows[1] = "C-002,2024-04-09,Jos\xe9@example.org,0,7,2024-Q2"
    content = csv_bytes(rows=[]).decode() + "\n".join(rows) + "\n"
    raw = content.encode("utf-8").replace("Jos\xe9".encode(), b"Jos\xe9")
    (p,) = problems_of(make_spec(tmp_path, raw))
    assert p.code == "encoding" and p.location.row == 2 and p.location.field == "email"
    assert "cases/extract.csv" in str(p)


def test_latin1_declared_encoding_reads(tmp_path):
    raw = csv_bytes().decode().replace("someone", "Jos\xe9").encode("latin-1")
    df = read_extract(make_spec(tmp_path, raw, encoding="latin-1"))
    assert df["email"].iloc[1].startswith("Jos\xe9")


def test_ragged_rows_name_the_row(tmp_path):
    rows = list(GOOD_ROWS)
    rows[1] = rows[1] + ",extra"
    problems = problems_of(make_spec(tmp_path, csv_bytes(rows=rows)))
    assert [(p.code, p.location.row) for p in problems] == [("ragged-row", 2)]
    assert "7 cells, expected 6" in problems[0].message


def _many_rows(n: int) -> list[str]:
    return [f"C-{i % 1000:03d},2024-01-05,x{i}@example.org,{i},1.5,2024-Q1" for i in range(n)]


def test_csv_streams_in_blocks_with_the_rows_of_one_read(tmp_path, monkeypatch):
    """Read a few hundred bytes at a time (Arrow's blocks) and typed in batches of 7 rows:
    the same frame as one read, lines still exact."""
    from pipelines import extract

    rows = _many_rows(300)
    rows[5] = 'C-005,2024-01-05,"two\nlines",5,1.5,2024-Q1'  # a quoted newline
    spec = make_spec(tmp_path, csv_bytes(rows=rows))
    whole = pd.concat(list(extract.typed_batches(spec, None, batch_rows=1000)))
    monkeypatch.setattr(extract, "_CSV_BLOCK", 256)
    (file,) = extract.check_source(spec, batch_rows=7)
    parts = list(extract.typed_batches(spec, None, batch_rows=7))
    assert [len(b) for b in parts] == [7] * 42 + [6]
    pd.testing.assert_frame_equal(pd.concat(parts), whole)
    assert file.rows == 300 and not file.lines_exact  # the quoted newline: two lines


def test_ragged_row_in_a_late_block_is_reported_alone(tmp_path, monkeypatch):
    """Rows typed before a ragged row further on was read: their problems are withdrawn
    and the ragged row reported alone, as when the whole file is read at once."""
    from pipelines import extract

    rows = _many_rows(200)
    rows[3] = rows[3].replace(",3,", ",-3,")  # breaks `minimum` in an early batch
    rows[190] = rows[190] + ",extra"
    monkeypatch.setattr(extract, "_CSV_BLOCK", 256)
    spec = make_spec(tmp_path, csv_bytes(rows=rows))
    with pytest.raises(ExtractError) as exc:
        extract.check_source(spec, batch_rows=10)
    assert [(p.code, p.location.row) for p in exc.value.problems] == [("ragged-row", 191)]


def test_bad_encoding_late_in_a_large_file_names_its_row(tmp_path, monkeypatch):
    from pipelines import extract

    rows = _many_rows(200)
    rows[150] = rows[150].replace("x150", "Jos\xe9")
    raw = csv_bytes(rows=rows).replace("Jos\xe9".encode(), b"Jos\xe9")
    monkeypatch.setattr(extract, "_CSV_BLOCK", 256)
    (p,) = problems_of(make_spec(tmp_path, raw))
    assert p.code == "encoding" and p.location.row == 151 and p.location.field == "email"


@pytest.mark.parametrize(("sep", "said"), [(";", "is the delimiter `;`?"),
                                          ("\t", "is the delimiter a tab?")])
def test_wrong_delimiter_is_one_problem_that_names_the_likely_one(tmp_path, sep, said):
    raw = csv_bytes().decode().replace(",", sep).encode()
    (p,) = problems_of(make_spec(tmp_path, raw))  # one problem, not one per ragged row
    assert p.code == "delimiter" and said in p.message and "source.delimiter is `,`" in p.message


def test_wrong_delimiter_with_the_configured_one_in_free_text(tmp_path):
    rows = [r.replace(",", ";") for r in GOOD_ROWS]
    rows[0] = rows[0].replace(SECRET, "Smith, J.")  # a comma in a value: ragged on `,` too
    raw = csv_bytes(rows=rows, header=HEADER.replace(",", ";"))
    (p,) = problems_of(make_spec(tmp_path, raw))  # not a ragged-row problem per row
    assert p.code == "delimiter" and "is the delimiter `;`?" in p.message


def test_wrong_delimiter_without_a_likely_one(tmp_path):
    raw = csv_bytes().decode().replace(",", " ").encode()
    (p,) = problems_of(make_spec(tmp_path, raw))
    assert p.code == "delimiter" and "check the delimiter" in p.message


def test_missing_or_renamed_column_names_both(tmp_path):
    raw = csv_bytes(header=HEADER.replace("count", "cnt"))
    (p,) = problems_of(make_spec(tmp_path, raw))
    assert p.code == "missing-column" and p.location.field == "count"
    assert "cnt" in p.message


def test_wrong_types_name_row_and_field(tmp_path):
    rows = list(GOOD_ROWS)
    rows[0] = rows[0].replace(",3,", ",three,")
    rows[2] = rows[2].replace("2024-07-01", "01/07/2024")
    problems = problems_of(make_spec(tmp_path, csv_bytes(rows=rows)))
    found = {(p.code, p.location.row, p.location.field) for p in problems}
    assert ("type", 1, "count") in found
    assert ("type", 3, "received") in found


def test_constraints(tmp_path):
    rows = list(GOOD_ROWS)
    rows[0] = rows[0].replace(",3,", ",-1,")
    rows[1] = rows[1].replace("C-002", "X-2")
    rows[2] = rows[2].replace("2024-07-01", "")
    problems = problems_of(make_spec(tmp_path, csv_bytes(rows=rows)))
    found = {(p.code, p.location.row, p.location.field) for p in problems}
    assert {("minimum", 1, "count"), ("pattern", 2, "case_id"),
            ("required", 3, "received")} <= found


def test_empty_file(tmp_path):
    (p,) = problems_of(make_spec(tmp_path, b""))
    assert p.code == "empty-file"


def test_duplicate_primary_keys_name_both_rows(tmp_path):
    rows = [*GOOD_ROWS, GOOD_ROWS[0].replace("2024-01-05", "2024-02-05")]
    (p,) = problems_of(make_spec(tmp_path, csv_bytes(rows=rows)))
    assert p.code == "primary-key" and "rows 1 and 4" in p.message


def test_unreadable_xlsx(tmp_path):
    (p,) = problems_of(make_spec(tmp_path, b"this is not a workbook", fmt="xlsx",
                                 path="extract.xlsx"))
    assert p.code == "xlsx-unreadable" and p.location.file.endswith("extract.xlsx")


def _frame():
    return pd.DataFrame({
        "case_id": ["C-001", "C-002"], "received": [date(2024, 1, 5), date(2024, 4, 9)],
        "email": [SECRET, None], "count": [3, 0], "amount": [10.5, 7.0],
        "period": ["2024-Q1", "2024-Q2"],
    })


def test_xlsx_reader_with_native_types(tmp_path):
    spec = make_spec(tmp_path, fmt="xlsx", path="extract.xlsx")
    _frame().to_excel(spec.folder / "extract.xlsx", index=False)
    df = read_extract(spec)
    assert df["count"].tolist() == [3, 0] and str(df["received"].dtype) == "datetime64[ns]"


def test_xlsx_wrong_type_names_row(tmp_path):
    spec = make_spec(tmp_path, fmt="xlsx", path="extract.xlsx")
    frame = _frame().astype({"count": object})
    frame.loc[1, "count"] = "lots"
    frame.to_excel(spec.folder / "extract.xlsx", index=False)
    (p,) = problems_of(spec)
    assert (p.code, p.location.row, p.location.field) == ("type", 2, "count")


def test_parquet_reader(tmp_path):
    spec = make_spec(tmp_path, fmt="parquet", path="extract.parquet")
    _frame().to_parquet(spec.folder / "extract.parquet")
    df = read_extract(spec)
    assert len(df) == 2 and str(df["count"].dtype) == "Int64"


def test_unreadable_parquet(tmp_path):
    (p,) = problems_of(make_spec(tmp_path, b"PAR1 nonsense", fmt="parquet",
                                 path="extract.parquet"))
    assert p.code == "parquet-unreadable"


def test_sql_reader(tmp_path, monkeypatch):
    db = tmp_path / "cases.sqlite"
    with sqlite3.connect(db) as conn:
        frame = _frame()
        frame["received"] = frame["received"].astype(str)
        frame.to_sql("cases", conn, index=False)
    monkeypatch.setenv("CASES_DB_URL", f"sqlite:///{db}")
    spec = make_spec(tmp_path, fmt="sql", query="SELECT * FROM cases",
                     connection_env="CASES_DB_URL")
    df = read_extract(spec)
    assert len(df) == 2 and df["case_id"].tolist() == ["C-001", "C-002"]
    assert len(extract_sha256(spec)) == 64


def test_sql_without_connection_variable(tmp_path, monkeypatch):
    monkeypatch.delenv("CASES_DB_URL", raising=False)
    spec = make_spec(tmp_path, fmt="sql", query="SELECT 1", connection_env="CASES_DB_URL")
    with pytest.raises(ExtractError, match="CASES_DB_URL"):
        read_extract(spec)


def test_glob_concatenates_and_checks_keys_across_files(tmp_path):
    spec = make_spec(tmp_path, fmt="csv", path="part-*.csv")
    (spec.folder / "part-1.csv").write_bytes(csv_bytes(rows=GOOD_ROWS[:2]))
    (spec.folder / "part-2.csv").write_bytes(csv_bytes(rows=GOOD_ROWS[2:]))
    assert len(read_extract(spec)) == 3
    (spec.folder / "part-3.csv").write_bytes(csv_bytes(rows=GOOD_ROWS[:1]))
    with pytest.raises(ExtractError, match="primary key"):
        read_extract(spec)


def test_glob_matching_nothing(tmp_path):
    with pytest.raises(ExtractError, match="matches no files"):
        read_extract(make_spec(tmp_path, fmt="csv", path="none-*.csv"))


def test_partition_keeps_periods_up_to_it(tmp_path):
    spec = make_spec(tmp_path, csv_bytes())
    df = read_extract(spec, "2024-Q2")
    assert df["period"].tolist() == ["2024-Q1", "2024-Q2"]
    # row numbers still point at the file after filtering
    assert list(df.index) == [0, 1]
    assert len(filter_partition(read_extract(spec), spec, None)) == 3


def test_extract_hash_changes_with_bytes(tmp_path):
    spec = make_spec(tmp_path, csv_bytes())
    first = extract_sha256(spec)
    (spec.folder / "extract.csv").write_bytes(csv_bytes(rows=GOOD_ROWS[:2]))
    assert extract_sha256(spec) != first


def test_batches_check_every_row_and_keep_positions(tmp_path):
    from pipelines.extract import check_source, typed_batches

    rows = [f"C-{i:03d},2024-01-05,,{i},1,2024-Q1" for i in range(7)]
    spec = make_spec(tmp_path, fmt="parquet", path="extract.parquet")
    frame = pd.read_csv(pd.io.common.StringIO("\n".join([HEADER, *rows])), dtype=str)
    frame.to_parquet(spec.folder / "extract.parquet")
    (f,) = check_source(spec, batch_rows=2)
    assert f.rows == 7
    parts = list(typed_batches(spec, batch_rows=3))
    assert [len(p) for p in parts] == [3, 3, 1]
    assert pd.concat(parts).index.tolist() == list(range(7))
    assert pd.concat(parts).equals(read_extract(spec))
    # a repeat in different batches (rows 2 and 6) is found, exactly and with both rows
    frame.loc[5, "case_id"] = "C-001"
    frame.loc[3, "count"] = "-4"
    frame.to_parquet(spec.folder / "extract.parquet")
    with pytest.raises(ExtractError) as err:
        check_source(spec, batch_rows=2)
    found = {(p.code, p.location.row, p.location.field) for p in err.value.problems}
    assert ("minimum", 4, "count") in found
    frame.loc[3, "count"] = "4"
    frame.to_parquet(spec.folder / "extract.parquet")
    with pytest.raises(ExtractError) as err:
        check_source(spec, batch_rows=2)
    (p,) = err.value.problems
    assert p.code == "primary-key" and "rows 2 and 6" in p.message


def test_key_candidates_are_every_present_row_whose_hash_repeats():
    """The sorted-hash search names exactly the rows a table of every hash would:
    repeats within and across batches, three-way repeats, absent rows left out."""
    import numpy as np

    from pipelines.extract import _Keys

    rng = np.random.default_rng(7)
    keys = _Keys(["id"])
    values = rng.integers(0, 40, 500).astype(str)  # many repeats among 500 rows
    present = rng.random(500) > 0.2
    for start in range(0, 500, 64):
        frame = pd.DataFrame({"id": values[start:start + 64]})
        keys.add(frame, present[start:start + 64])
    hashes = pd.util.hash_pandas_object(pd.DataFrame({"id": values}), index=False).to_numpy()
    at = np.flatnonzero(present)
    expected = at[pd.Series(hashes[at]).duplicated(keep=False).to_numpy()]
    assert len(expected) > 100
    assert keys.candidates().tolist() == expected.tolist()
    lone = _Keys(["id"])
    lone.add(pd.DataFrame({"id": ["a", "b", "a"]}), np.array([True, True, False]))
    assert lone.candidates().tolist() == []
