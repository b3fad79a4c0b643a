"""Every row of the published CSV checked against its CSVW metadata, streaming.

The ``csvw`` package is a complete CSVW processor but pure Python: about
6,000 rows a second, so minutes for a million-row file. It stays in the gate
for what it judges best, the metadata and a bounded slice of rows
(:func:`write_slice`); the whole file is checked here instead, in one pass
with Arrow's multi-threaded C++ CSV reader, against what the metadata
*document* says (read as JSON here, not taken from the code that wrote it):

* the header is exactly the non-virtual columns' titles, in order;
* every row has as many fields as the header (RFC 4180 parse, UTF-8);
* each cell is null (the column's ``null`` values, ``""`` by default) or
  a lexically valid value of the column's datatype (integer, decimal, double,
  boolean, date, dateTime, gYear, gYearMonth; calendar dates really exist);
* ``required`` columns have no nulls;
* the ``primaryKey`` never repeats (64-bit hashes of the key over all rows; a
  collision could only report a repeat that is not there, never hide one).

Findings name the file, the 1-based data row and the column, never the cell.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from pipelines.errors import Location, Problem

#: Rows reported per column and kind of finding (counts are always exact).
MAX_ROWS = 5
#: Bytes of CSV Arrow parses per block. The reader reads ahead and holds a few blocks
#: and their columns at once: on a 1 M-row FOI CSV the check's peak was +320 MB with
#: 16 MiB blocks, +220 MB with 4 MiB and +140 MB with 2 MiB, for the same CPU seconds.
CSV_BLOCK_BYTES = 2 << 20
_TZ = r"(Z|[+-]\d{2}:\d{2})?"
#: XSD lexical forms (XML Schema 1.1 part 2), as RE2 patterns.
LEXICAL = {
    "integer": r"^[+-]?\d+$",
    "decimal": r"^[+-]?(\d+(\.\d*)?|\.\d+)$",
    "double": r"^([+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?INF|NaN)$",
    "boolean": r"^(true|false|1|0)$",
    "date": rf"^-?\d{{4,}}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]){_TZ}$",
    "datetime": rf"^-?\d{{4,}}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T"
                rf"([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?{_TZ}$",
    "gYear": rf"^-?\d{{4,}}{_TZ}$",
    "gYearMonth": rf"^-?\d{{4,}}-(0[1-9]|1[0-2]){_TZ}$",
}
_ALIASES = {"int": "integer", "long": "integer", "number": "double", "float": "double",
            "dateTime": "datetime", "datetimeStamp": "datetime", "bool": "boolean"}


@dataclass
class CsvReport:
    rows: int = 0
    columns: int = 0
    problems: list[Problem] = field(default_factory=list)


@dataclass
class _Column:
    name: str
    title: str
    datatype: str
    nulls: list[str]
    required: bool


def _columns(meta: dict[str, Any]) -> list[_Column]:
    cols = []
    for c in (meta.get("tableSchema") or {}).get("columns", []):
        if c.get("virtual"):
            continue
        dt = c.get("datatype", "string")
        if isinstance(dt, dict):
            dt = dt.get("base", "string")
        dt = _ALIASES.get(str(dt), str(dt))
        nulls = c.get("null", "")
        titles = c.get("titles", c.get("name"))
        if isinstance(titles, list):
            titles = titles[0] if titles else c.get("name")
        if isinstance(titles, dict):  # language map
            titles = next(iter(titles.values()), c.get("name"))
        cols.append(_Column(c.get("name"), str(titles), dt,
                            nulls if isinstance(nulls, list) else [nulls],
                            bool(c.get("required"))))
    return cols


def _rows(mask: np.ndarray, offset: int) -> list[int]:
    return [int(i) + offset + 1 for i in np.flatnonzero(mask)[:MAX_ROWS]]


class _Findings:
    """Counts and first rows per (code, column), turned into problems at the end."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.found: dict[tuple[str, str | None, str], tuple[int, list[int]]] = {}

    def add(self, code: str, message: str, column: str | None, mask: np.ndarray,
            offset: int) -> None:
        n = int(np.count_nonzero(mask))
        if not n:
            return
        count, rows = self.found.get((code, column, message), (0, []))
        self.found[(code, column, message)] = (count + n, (rows + _rows(mask, offset))[:MAX_ROWS])

    def problems(self) -> list[Problem]:
        out = []
        for (code, column, message), (count, rows) in self.found.items():
            for r in rows:
                out.append(Problem(code, message, Location(self.file, r, column)))
            if count > len(rows):
                out.append(Problem(code, f"{message} ({count} rows in all)",
                                   Location(self.file, None, column)))
        return out


def _valid_values(col: pa.Array, datatype: str) -> np.ndarray:
    """True where a non-null cell is a valid lexical value of ``datatype``."""
    pattern = LEXICAL.get(datatype)
    if pattern is None:
        return np.ones(len(col), dtype=bool)
    ok = pc.fill_null(pc.match_substring_regex(col, pattern), True)
    if datatype in ("date", "datetime"):  # the pattern allows 31 February
        # strptime rolls 2024-02-30 over to 1 March: a real day formats back unchanged
        day = pc.utf8_slice_codeunits(col, 0, 10)
        parsed = pc.strptime(day, format="%Y-%m-%d", unit="s", error_is_null=True)
        same = pc.equal(pc.strftime(parsed, format="%Y-%m-%d"), day)
        ok = pc.and_(ok, pc.or_(pc.fill_null(same, False), pc.is_null(col)))
    return ok.to_numpy(zero_copy_only=False)


def check_csv(csv_path: Path, meta_path: Path) -> CsvReport:
    """Check every row of ``csv_path`` against the CSVW metadata (module docstring)."""
    report = CsvReport()
    name = csv_path.name
    findings = _Findings(name)
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        report.problems.append(Problem("csvw", "CSVW metadata is not readable JSON",
                                       Location(meta_path.name)))
        return report
    cols = _columns(meta)
    dialect = meta.get("dialect") or {}
    delimiter = dialect.get("delimiter", ",")
    with open(csv_path, newline="", encoding="utf-8", errors="replace") as fh:
        header = next(csv.reader(fh, delimiter=delimiter), [])
    report.columns = len(header)
    if header != [c.title for c in cols]:
        report.problems.append(Problem(
            "csv-header", "header row does not match the CSVW column titles",
            Location(name)))
        return report
    ragged: list[int | None] = []

    def on_bad(row: pacsv.InvalidRow) -> str:
        ragged.append(row.number)
        return "skip"

    reader = pacsv.open_csv(
        csv_path,
        read_options=pacsv.ReadOptions(block_size=CSV_BLOCK_BYTES),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                                         invalid_row_handler=on_bad),
        convert_options=pacsv.ConvertOptions(
            column_types={c.title: pa.string() for c in cols},
            strings_can_be_null=False, quoted_strings_can_be_null=False))
    keys = (meta.get("tableSchema") or {}).get("primaryKey")
    keys = [keys] if isinstance(keys, str) else list(keys or [])
    by_name = {c.name: c for c in cols}
    key_hashes: list[np.ndarray] = []
    offset = 0
    try:
        for batch in reader:
            n = batch.num_rows
            for i, c in enumerate(cols):
                arr = batch.column(i)
                is_null = pc.is_in(arr, value_set=pa.array(c.nulls, pa.string()))
                null_np = is_null.to_numpy(zero_copy_only=False)
                if c.required:
                    findings.add("csvw-required", "required value is missing", c.name,
                                 null_np, offset)
                values = pc.if_else(is_null, pa.scalar(None, pa.string()), arr)
                bad = ~_valid_values(values, c.datatype)
                findings.add("csvw-datatype", f"is not a valid {c.datatype}", c.name, bad,
                             offset)
            if keys and all(k in by_name for k in keys):
                parts = [batch.column(cols.index(by_name[k])) for k in keys]
                joined = parts[0] if len(parts) == 1 else \
                    pc.binary_join_element_wise(*parts, "\x1f")
                key_hashes.append(pd.util.hash_array(
                    joined.to_numpy(zero_copy_only=False)).astype(np.uint64))
            offset += n
    except pa.ArrowInvalid as exc:  # Arrow quotes the offending text: keep our words only
        kind = "not valid UTF-8" if "UTF8" in str(exc) or "utf8" in str(exc) else \
            "not parseable as RFC 4180 CSV"
        report.problems.append(Problem("csv-unreadable", f"the file is {kind} (after data row "
                                       f"{offset})", Location(name, offset + 1)))
    report.rows = offset
    for r in ragged[:MAX_ROWS]:
        report.problems.append(Problem("csv-ragged", "row does not have one field per column",
                                       Location(name, (r - 1) if r else None)))
    if len(ragged) > MAX_ROWS:
        report.problems.append(Problem("csv-ragged", f"{len(ragged)} rows in all do not "
                                       "have one field per column", Location(name)))
    if key_hashes:
        h = np.concatenate(key_hashes)
        order = np.argsort(h, kind="stable")
        rep = np.flatnonzero(h[order][1:] == h[order][:-1]) + 1
        if len(rep):
            rows = sorted(int(order[i]) + 1 for i in rep)
            mask = np.zeros(len(h), dtype=bool)
            mask[[r - 1 for r in rows]] = True
            findings.add("csvw-primary-key", "repeats the primary key of an earlier row",
                         ",".join(keys), mask, 0)
    report.problems += findings.problems()
    return report


def write_slice(csv_path: Path, out: Path, rows: int) -> int:
    """Copy the header and the first ``rows`` records to ``out``, byte for byte.

    A record ends at a line break outside quotes (RFC 4180: quotes inside a
    field are doubled, so an even count of ``"`` so far means "outside").
    """
    written = -1
    quotes = 0
    with open(csv_path, "rb") as src, open(out, "wb") as dst:
        for line in src:
            dst.write(line)
            quotes += line.count(b'"')
            if quotes % 2 == 0:
                written += 1
                if written >= rows:
                    break
    return max(written, 0)
