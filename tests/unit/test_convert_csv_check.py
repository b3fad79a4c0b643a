"""Every CSV row against its CSVW metadata (Arrow's reader), and the bounded slice copy."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from pipelines.convert.csv_check import check_csv, write_slice

META = {
    "@context": "http://www.w3.org/ns/csvw", "url": "t.csv",
    "tableSchema": {
        "columns": [
            {"name": "id", "titles": "id", "datatype": "string", "required": True},
            {"name": "day", "titles": "day", "datatype": "date"},
            {"name": "n", "titles": "n", "datatype": "integer", "null": ["", "[c]"]},
            {"name": "share", "titles": "share", "datatype": "decimal"},
            {"name": "row_type", "virtual": True, "propertyUrl": "rdf:type",
             "valueUrl": "http://example.org/T"},
        ],
        "primaryKey": ["id"],
    },
}
GOOD = [["a1", "2024-01-31", "5", "0.5"], ["a2", "2024-02-29", "[c]", ""],
        ["a3", "", "", "-1.25"]]


def _files(tmp_path: Path, rows: list[list[str]], header: list[str] | None = None,
           meta: dict | None = None) -> tuple[Path, Path]:
    csv_path = tmp_path / "t.csv"
    with open(csv_path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\r\n")
        w.writerow(header or ["id", "day", "n", "share"])
        w.writerows(rows)
    meta_path = tmp_path / "t.csv-metadata.json"
    meta_path.write_text(json.dumps(meta or META), encoding="utf-8")
    return csv_path, meta_path


def test_valid_file_passes_and_is_measured(tmp_path):
    report = check_csv(*_files(tmp_path, GOOD))
    assert report.problems == [] and report.rows == 3 and report.columns == 4


@pytest.mark.parametrize("row, code, field", [
    (["a9", "2024-02-30", "1", "1"], "csvw-datatype", "day"),      # no 30 February
    (["a9", "24-01-01", "1", "1"], "csvw-datatype", "day"),
    (["a9", "2024-01-01", "1.5", "1"], "csvw-datatype", "n"),
    (["a9", "2024-01-01", "SECRET", "1"], "csvw-datatype", "n"),
    (["a9", "2024-01-01", "1", "1e3"], "csvw-datatype", "share"),  # not an xsd:decimal
    (["", "2024-01-01", "1", "1"], "csvw-required", "id"),
    (["a1", "2024-01-01", "1", "1"], "csvw-primary-key", "id"),
])
def test_bad_cell_is_found_with_its_row_and_never_its_value(tmp_path, row, code, field):
    report = check_csv(*_files(tmp_path, [*GOOD, row]))
    found = [p for p in report.problems if p.code == code]
    assert found and found[0].location.row == 4 and found[0].location.field == field
    assert all("SECRET" not in str(p) for p in report.problems)


def test_ragged_row_and_wrong_header_are_refused(tmp_path):
    csv_path, meta = _files(tmp_path, GOOD)
    with open(csv_path, "a", encoding="utf-8") as fh:
        fh.write("a4,2024-01-01\r\n")
    assert {p.code for p in check_csv(csv_path, meta).problems} == {"csv-ragged"}
    report = check_csv(*_files(tmp_path, GOOD, header=["id", "day", "count", "share"]))
    assert [p.code for p in report.problems] == ["csv-header"]


def test_counts_are_exact_when_many_rows_fail(tmp_path):
    rows = [[f"b{i}", "2024-13-01", "1", "1"] for i in range(40)]
    report = check_csv(*_files(tmp_path, rows))
    summary = [p for p in report.problems if p.location.row is None]
    assert len(report.problems) == 6 and "(40 rows in all)" in summary[0].message


def test_slice_keeps_whole_records_byte_for_byte(tmp_path):
    rows = [["c1", "2024-01-01", "1", "1"], ["c2 \"quoted\"\r\nand a new line", "", "", ""],
            ["c3", "", "", ""]]
    csv_path, _ = _files(tmp_path, rows)
    out = tmp_path / "slice.csv"
    assert write_slice(csv_path, out, 2) == 2
    text = out.read_bytes()
    assert csv_path.read_bytes().startswith(text) and text.endswith(b"\r\n")
    assert len(list(csv.reader(text.decode().splitlines(keepends=True)))) == 3
