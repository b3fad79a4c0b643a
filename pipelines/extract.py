"""Read an internal extract into a DataFrame typed by its Frictionless Table Schema.

Formats: CSV, XLSX, Parquet and SQL (a query against a database whose URL is
in an environment variable). Every problem is reported with the file, the
1-based **data row** (the header is not counted; in a CSV, file line = data
row + 1) and the field, and never with the cell's value, which may be
personal data. All problems found are reported together (up to a cap), so a
statistician can fix a file in one pass.

Why vectorised, not row by row: extracts reach millions of rows. Frictionless
validates the Table Schema descriptor itself, and its type and constraint
semantics (missingValues, required, unique, minimum/maximum, pattern, enum,
length) are applied here column-wise with pandas, which is two orders of
magnitude faster than streaming rows through Python.

A UTF-8 byte-order mark (common in CSVs saved by Excel) is accepted silently
and removed, so the first header is never corrupted.
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pipelines import source_lines
from pipelines.contracts.source import SourceFile
from pipelines.errors import ExtractError, Location, Problem
from pipelines.spec import DatasetSpec, SourceFormat

#: Stop collecting after this many problems: enough to fix a file, bounded output.
MAX_PROBLEMS = 100
#: Row numbers listed per problem kind before summarising.
MAX_ROWS_LISTED = 10


class _Collector:
    """Gathers located problems; raises once at the end if there were any."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []
        #: Set by a reader that knows file line = data row + 1.
        self.lines_exact = False

    def add(self, code: str, message: str, row: int | None = None, field: str | None = None):
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(code, message, Location(self.file, row, field)))

    def rows(self, code: str, message: str, rows: np.ndarray, field: str | None = None):
        """One problem per offending row, up to a few, then a summary."""
        rows = np.asarray(rows)
        for r in rows[:MAX_ROWS_LISTED]:
            self.add(code, message, int(r), field)
        if len(rows) > MAX_ROWS_LISTED:
            self.add(code, f"{message} (and {len(rows) - MAX_ROWS_LISTED} more rows)",
                     None, field)

    def raise_if_any(self) -> None:
        if self.problems:
            raise ExtractError(self.problems)


def _display(path: Path) -> str:
    from pipelines.paths import ROOT

    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


# -- raw readers: every cell as text (or native), columns as found ------------


def _read_csv(path: Path, spec: DatasetSpec, out: _Collector) -> pd.DataFrame | None:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    raw = path.read_bytes()
    if not raw.strip():
        out.add("empty-file", "file is empty: expected a header row and data rows")
        return None
    encoding = spec.source.encoding.lower().replace("_", "-")
    try:
        text = raw.decode("utf-8-sig" if encoding in ("utf-8", "utf8") else encoding)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        start = raw.rfind(b"\n", 0, exc.start) + 1
        col = raw[start: exc.start].count(spec.source.delimiter.encode())
        header = raw.split(b"\n", 1)[0].decode("utf-8", "replace").strip("\ufeff\r")
        names = header.split(spec.source.delimiter)
        field = names[col] if line > 1 and col < len(names) else None
        out.add("encoding", f"bytes are not valid {spec.source.encoding} "
                f"(check source.encoding; file line {line})",
                row=line - 1 if line > 1 else None, field=field)
        return None
    except LookupError:
        out.add("encoding", f"unknown encoding `{spec.source.encoding}` in source.encoding")
        return None

    bad_rows: list[tuple[int | None, int, int]] = []

    def on_bad(row) -> str:
        bad_rows.append((row.number, row.expected_columns, row.actual_columns))
        return "skip"

    try:
        table = pacsv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            read_options=pacsv.ReadOptions(use_threads=False, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=spec.source.delimiter,
                                             invalid_row_handler=on_bad,
                                             newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types=_all_string_types(text, spec.source.delimiter),
                strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except pa.ArrowInvalid as exc:
        # Arrow's messages can quote a row's content: keep only our own words.
        kind = "empty" if "Empty CSV" in str(exc) else "unparseable"
        out.add("csv-parse", f"cannot parse as CSV ({kind}); check source.delimiter and quoting")
        return None
    if bad_rows and _one_column(table.column_names, spec, out):
        return None
    for number, expected, actual in bad_rows:
        data_row = number - 1 if number else None
        out.add("ragged-row", f"has {actual} cells, expected {expected}", row=data_row)
    if bad_rows:
        return None
    # one physical line per record (and the header), a final newline or not
    out.lines_exact = text.count("\n") in (table.num_rows, table.num_rows + 1)
    return _to_pandas(table, spec)


def _all_string_types(text: str, delimiter: str) -> dict:
    """Read every column as text: types come from the Table Schema, not from guessing."""
    import csv

    import pyarrow as pa

    first = text.split("\n", 1)[0].rstrip("\r")
    header = next(csv.reader([first], delimiter=delimiter), [])
    return {name: pa.string() for name in header}


def _read_xlsx(path: Path, spec: DatasetSpec, out: _Collector) -> pd.DataFrame | None:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        out.add("xlsx-unreadable", "not a readable XLSX workbook (corrupt, encrypted or "
                "another format)")
        return None
    try:
        sheet_ref = spec.source.sheet
        if sheet_ref is None:
            ws = wb.worksheets[0]
        elif isinstance(sheet_ref, int):
            ws = wb.worksheets[sheet_ref] if sheet_ref < len(wb.worksheets) else None
        else:
            ws = wb[sheet_ref] if sheet_ref in wb.sheetnames else None
        if ws is None:
            out.add("xlsx-sheet", f"no sheet `{sheet_ref}` (sheets: {', '.join(wb.sheetnames)})")
            return None
        rows = list(ws.iter_rows(values_only=True))
    finally:
        wb.close()
    if not rows or all(v is None for v in rows[0]):
        out.add("empty-file", "sheet is empty: expected a header row and data rows")
        return None
    header = [str(h).strip() if h is not None else "" for h in rows[0]]
    while header and header[-1] == "":
        header.pop()
    width = len(header)
    body = []
    for i, r in enumerate(rows[1:], start=1):
        cells = list(r)
        if all(v is None for v in cells):
            continue  # trailing blank rows are common in spreadsheets
        extra = [v for v in cells[width:] if v is not None]
        if extra:
            out.add("ragged-row", f"has cells beyond the {width} header columns", row=i)
        body.append([_cell_text(v) for v in cells[:width]] + [""] * (width - len(cells)))
    if not body:
        out.add("empty-file", "sheet has a header but no data rows")
        return None
    return pd.DataFrame(body, columns=header, dtype="string")


def _cell_text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if hasattr(v, "isoformat"):
        text = v.isoformat()
        return text[:10] if text.endswith("T00:00:00") else text
    return str(v)


def _read_parquet(path: Path, spec: DatasetSpec, out: _Collector) -> pd.DataFrame | None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError):
        out.add("parquet-unreadable", "not a readable Parquet file")
        return None
    if table.num_rows == 0:
        out.add("empty-file", "Parquet file has no rows")
        return None
    return _to_pandas(table, spec)


def _to_pandas(table, spec: DatasetSpec) -> pd.DataFrame:
    """Arrow to pandas, text as pandas ``string`` and dates as datetime64 straight away.

    Why: converting text to Python objects and then casting them to ``string``
    (once per check) cost most of the extract step (~10 s per million rows);
    a date column typed date or datetime by the Table Schema is cast by Arrow
    (vectorised) instead of being parsed back from ``datetime.date`` objects.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    types = {f["name"]: f.get("type", "string") for f in spec.table_schema.fields}
    for i, fld in enumerate(table.schema):
        if types.get(fld.name) in ("date", "datetime") and (
                pa.types.is_date(fld.type) or pa.types.is_timestamp(fld.type)) \
                and getattr(fld.type, "tz", None) is None:
            table = table.set_column(i, fld.name, pc.cast(table.column(i), pa.timestamp("ns")))
    # Text stays in Arrow storage (one contiguous chunk per column): Python string
    # objects cost several times the bytes (1.3 GB for a million FOI rows, 0.5 GB here).
    text = {pa.string(): pd.StringDtype("pyarrow"), pa.large_string(): pd.StringDtype("pyarrow")}
    return table.combine_chunks().to_pandas(types_mapper=text.get)


def _read_sql(spec: DatasetSpec, out: _Collector) -> pd.DataFrame | None:
    import sqlalchemy as sa

    url = os.environ.get(spec.source.connection_env or "")
    if not url:
        out.add("sql-connection", f"environment variable `{spec.source.connection_env}` "
                "(source.connection_env) is not set")
        return None
    try:
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            df = pd.read_sql_query(sa.text(spec.source.query), conn)
    except sa.exc.SQLAlchemyError as exc:
        # Never echo the URL (it may hold a password) or parameters.
        out.add("sql-error", f"query failed: {type(exc).__name__}")
        return None
    if df.empty:
        out.add("empty-file", "query returned no rows")
        return None
    return df


# -- typing and constraints -----------------------------------------------------


def _missing(s: pd.Series, missing_values: list[str]) -> pd.Series:
    if s.dtype == object or str(s.dtype).startswith("string"):
        text = s if isinstance(s.dtype, pd.StringDtype) else s.astype("string")
        return text.isna() | text.isin(missing_values)
    return s.isna()


def _cast(s: pd.Series, field: dict, missing: pd.Series, out: _Collector) -> pd.Series:
    """Cast one column to its Table Schema type; report rows that do not fit."""
    name, ftype = field["name"], field.get("type", "string")
    rows = np.arange(1, len(s) + 1)
    if ftype in ("integer", "year"):
        num = pd.to_numeric(s.where(~missing), errors="coerce")
        bad = ~missing & (num.isna() | (num.notna() & (num != np.floor(num.fillna(0)))))
        if bad.any():
            out.rows("type", f"expected {ftype}", rows[bad.to_numpy()], name)
        return num.where(~bad).astype("Int64")
    if ftype == "number":
        num = pd.to_numeric(s.where(~missing), errors="coerce")
        bad = ~missing & num.isna()
        if bad.any():
            out.rows("type", "expected number", rows[bad.to_numpy()], name)
        return num.astype("float64")
    if ftype in ("date", "datetime"):
        if pd.api.types.is_datetime64_any_dtype(s):
            values = pd.to_datetime(s)
            if getattr(values.dt, "tz", None) is not None:
                values = values.dt.tz_convert("UTC").dt.tz_localize(None)
            return values.astype("datetime64[ns]")
        fmt = field.get("format", "default")
        text = s.astype("string").where(~missing)
        if ftype == "date":
            pattern = "%Y-%m-%d" if fmt in ("default", "any", None) else fmt
            values = pd.to_datetime(text, format=pattern, errors="coerce")
        else:
            values = pd.to_datetime(text, format="ISO8601", errors="coerce", utc=True)
            values = values.dt.tz_localize(None)
        bad = ~missing & values.isna()
        if bad.any():
            out.rows("type", f"expected {ftype} (ISO 8601)", rows[bad.to_numpy()], name)
        return values.astype("datetime64[ns]")
    if ftype == "boolean":
        true_values = set(field.get("trueValues", ["true", "True", "TRUE", "1"]))
        false_values = set(field.get("falseValues", ["false", "False", "FALSE", "0"]))
        text = s.astype("string")
        result = pd.Series(pd.NA, index=s.index, dtype="boolean")
        result[text.isin(true_values)] = True
        result[text.isin(false_values)] = False
        bad = ~missing & result.isna()
        if bad.any():
            out.rows("type", "expected boolean", rows[bad.to_numpy()], name)
        return result
    # string and anything else kept as text
    text = s if isinstance(s.dtype, pd.StringDtype) else s.astype("string")
    return text.where(~missing, pd.NA)


def _constraints(col: pd.Series, field: dict, missing: pd.Series, out: _Collector) -> None:
    name = field["name"]
    c = field.get("constraints") or {}
    rows = np.arange(1, len(col) + 1)
    present = col.notna().to_numpy()
    if c.get("required") and missing.any():
        out.rows("required", "is required but empty", rows[missing.to_numpy()], name)
    if "minimum" in c and col.dtype != "string":
        low = present & (col < c["minimum"]).fillna(False).to_numpy()
        if low.any():
            out.rows("minimum", f"is below the minimum {c['minimum']}", rows[low], name)
    if "maximum" in c and col.dtype != "string":
        high = present & (col > c["maximum"]).fillna(False).to_numpy()
        if high.any():
            out.rows("maximum", f"is above the maximum {c['maximum']}", rows[high], name)
    text = col if col.dtype == "string" else None
    if text is not None and "pattern" in c:
        # Python's re, whatever the storage: Arrow's RE2 differs on some patterns
        ok = text.astype("string[python]").str.fullmatch(c["pattern"]) \
            .fillna(True).to_numpy(dtype=bool)
        if (~ok).any():
            out.rows("pattern", "does not match the field's pattern", rows[~ok], name)
    if text is not None and "enum" in c:
        allowed = [str(v) for v in c["enum"]]
        bad = present & ~text.isin(allowed).fillna(True).to_numpy(dtype=bool)
        if bad.any():
            out.rows("enum", "is not one of the allowed values", rows[bad], name)
    if text is not None and ("minLength" in c or "maxLength" in c):
        lengths = text.str.len()
        bad = np.zeros(len(col), dtype=bool)
        if "minLength" in c:
            bad |= (lengths < c["minLength"]).fillna(False).to_numpy(dtype=bool)
        if "maxLength" in c:
            bad |= (lengths > c["maxLength"]).fillna(False).to_numpy(dtype=bool)
        if bad.any():
            out.rows("length", "has a length outside the allowed range", rows[bad], name)
    if c.get("unique"):
        dup = present & col.duplicated(keep=False).to_numpy()
        if dup.any():
            out.rows("unique", "repeats a value that must be unique", rows[dup], name)


#: Delimiters an extract is likely to use, for the wrong-delimiter hint.
_DELIMITERS = (",", ";", "\t", "|")


def _guess_delimiter(header: str, expected: list[str], current: str) -> str | None:
    """The delimiter that splits ``header`` into the expected columns, if one does."""
    for d in _DELIMITERS:
        if d != current and [c.strip().strip('"') for c in header.split(d)] == expected:
            return d
    counts = {d: header.count(d) for d in _DELIMITERS if d != current}
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] + 1 == len(expected) else None


def _one_column(found: list[str], spec: DatasetSpec, out: _Collector) -> bool:
    """A header of one column where the schema has several: the delimiter is wrong.

    Said once, with the likely delimiter, instead of a problem per ragged row
    (free text with the configured delimiter in it splits unevenly) and per
    missing column.
    """
    expected = spec.table_schema.field_names
    if len(found) != 1 or len(expected) < 2:
        return False
    guess = _guess_delimiter(found[0], expected, spec.source.delimiter)
    shown = "a tab" if guess == "\t" else f"`{guess}`"
    hint = f"is the delimiter {shown}? " if guess else "check the delimiter "
    out.add("delimiter", f"found 1 column where {len(expected)} were expected: {hint}"
            f"(source.delimiter is `{spec.source.delimiter}`)")
    return True


def _check_header(found: list[str], spec: DatasetSpec, out: _Collector) -> bool:
    expected = spec.table_schema.field_names
    if _one_column(found, spec, out):
        return False
    missing = [n for n in expected if n not in found]
    extra = [n for n in found if n not in expected]
    for n in missing:
        hint = f" (found unexpected columns: {', '.join(extra)})" if extra else ""
        out.add("missing-column", f"column is missing from the header{hint}", field=n)
    if not missing:
        for n in extra:
            out.add("extra-column", "column is not in the Table Schema", field=n)
    dupes = sorted({n for n in found if found.count(n) > 1})
    for n in dupes:
        out.add("duplicate-column", "column appears more than once in the header", field=n)
    return not (missing or extra or dupes)


def _type_frame(raw: pd.DataFrame, spec: DatasetSpec, out: _Collector) -> pd.DataFrame | None:
    found = [str(c).strip("\ufeff").strip() for c in raw.columns]
    raw.columns = found
    if not _check_header(found, spec, out):
        return None
    raw = raw.reset_index(drop=True)
    typed = {}
    missing_values = spec.table_schema.missingValues
    for field in spec.table_schema.fields:
        s = raw[field["name"]]
        missing = _missing(s, missing_values).fillna(True).astype(bool)
        col = _cast(s, field, missing, out)
        _constraints(col, field, missing, out)
        typed[field["name"]] = col
    df = pd.DataFrame(typed)
    pk = spec.table_schema.primary_key
    if pk and len(out.problems) == 0:
        dup = df.duplicated(subset=pk, keep=False).to_numpy()
        if dup.any():
            groups = df[dup].groupby(pk, dropna=False, sort=False).indices
            for _, positions in list(groups.items())[:MAX_ROWS_LISTED]:
                listed = " and ".join(str(p + 1) for p in sorted(
                    np.flatnonzero(dup)[positions])[:5])
                out.add("primary-key", f"rows {listed} share a primary key "
                        f"({', '.join(pk)})", row=int(np.flatnonzero(dup)[positions][0]) + 1)
    return df


# -- public API -----------------------------------------------------------------


@dataclass
class SourceRead:
    """A typed extract and the files it came from.

    ``df``'s index is each row's position in the matched files taken in order
    (kept through the partition filter), so a row number found by any later
    stage can be traced back to its file and row (:meth:`locate`).
    """

    df: pd.DataFrame
    files: list[SourceFile]


def read_extract(spec: DatasetSpec, partition: str | None = None) -> pd.DataFrame:
    """The extract as a DataFrame typed by the Table Schema (see module docstring)."""
    return read_source(spec, partition).df


def read_source(spec: DatasetSpec, partition: str | None = None) -> SourceRead:
    """The typed extract with a description of each file (see :class:`SourceRead`)."""
    _check_schema_descriptor(spec)
    if spec.source.format == SourceFormat.sql:
        out = _Collector(f"{spec.id} (SQL source)")
        raw = _read_sql(spec, out)
        out.raise_if_any()
        frames = [(out, raw)]
    else:
        paths = spec.source_paths()
        if not paths:
            raise ExtractError(Problem("no-files", f"source.path `{spec.source.path}` matches "
                                       "no files", Location(file=_display(spec.folder))))
        frames = []
        for path in paths:
            out = _Collector(_display(path))
            if not path.is_file():
                out.add("missing-file", "file does not exist")
                out.raise_if_any()
            reader = {SourceFormat.csv: _read_csv, SourceFormat.xlsx: _read_xlsx,
                      SourceFormat.parquet: _read_parquet}[spec.source.format]
            frames.append((out, reader(path, spec, out)))
    typed = []
    problems: list[Problem] = []
    files: list[SourceFile] = []
    file_paths = spec.source_paths() if spec.source.format != SourceFormat.sql else []
    for i, (out, raw) in enumerate(frames):
        if raw is not None:
            df = _type_frame(raw, spec, out)
            if df is not None:
                typed.append(df)
                path = str(file_paths[i].resolve()) if file_paths else ""
                files.append(SourceFile(path=path, shown=out.file, rows=len(df),
                                        lines_exact=out.lines_exact))
        if out.problems and spec.source.format == SourceFormat.csv:
            out.problems = source_lines.with_lines(
                out.problems, str(file_paths[i]), lines_exact=out.lines_exact,
                delimiter=spec.source.delimiter, encoding=spec.source.encoding)
        problems.extend(out.problems)
    if problems:
        raise ExtractError(problems[:MAX_PROBLEMS])
    df = pd.concat(typed, ignore_index=True) if len(typed) > 1 else typed[0]
    if len(typed) > 1 and spec.table_schema.primary_key:
        _check_pk_across_files(df, spec)
    return SourceRead(df=filter_partition(df, spec, partition), files=files)


def _check_pk_across_files(df: pd.DataFrame, spec: DatasetSpec) -> None:
    pk = spec.table_schema.primary_key
    dup = np.flatnonzero(df.duplicated(subset=pk, keep=False).to_numpy())
    if len(dup):
        raise ExtractError(Problem("primary-key", f"{len(dup)} rows across the matched files "
                                   f"share a primary key ({', '.join(pk)})",
                                   Location(file=spec.source.path, row=int(dup[0]) + 1)))


def _check_schema_descriptor(spec: DatasetSpec) -> None:
    """Let Frictionless judge the Table Schema itself (types, constraint names)."""
    from frictionless import FrictionlessException, Schema

    descriptor = spec.table_schema.descriptor()
    descriptor["fields"] = [{k: v for k, v in f.items() if k != "codelist"}
                            for f in descriptor["fields"]]
    try:
        Schema.from_descriptor(descriptor)
    except FrictionlessException as exc:
        raise ExtractError(Problem("schema", f"invalid Table Schema: {exc.error.message}",
                                   Location(file=f"datasets/{spec.id}/dataset.yaml",
                                            field="schema"))) from None


def filter_partition(df: pd.DataFrame, spec: DatasetSpec, partition: str | None) -> pd.DataFrame:
    """Keep rows whose period is at or before ``partition``.

    A release for a period holds all data up to and including it (the usual
    shape of a statistical time series). Without a period field or a
    partition, the whole extract is the release.
    """
    from pipelines.periods import next_period, period_start

    field = spec.release.period_field
    if not partition or not field:
        return df
    col = df[field]
    if pd.api.types.is_datetime64_any_dtype(col):
        end = pd.Timestamp(period_start(next_period(partition, spec.release.frequency)))
        keep = (col < end).fillna(False).to_numpy(dtype=bool)
    else:
        limit = period_start(partition)
        starts = {v: period_start(v) for v in col.dropna().unique()}
        keep = col.map(lambda v: v in starts and starts[v] <= limit).to_numpy(dtype=bool)
    # Keep the original index: row numbers in later reports still point at the file.
    return df[keep]


def extract_sha256(spec: DatasetSpec) -> str:
    """Identify the extract by its bytes (all matched files, in order, with their names)."""
    digest = hashlib.sha256()
    if spec.source.format == SourceFormat.sql:
        df = read_extract(spec)
        digest.update(df.to_csv(index=False).encode("utf-8"))
        return digest.hexdigest()
    paths = spec.source_paths()
    if len(paths) == 1:
        with paths[0].open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
        return digest.hexdigest()
    for path in paths:
        digest.update(path.name.encode() + b"\0")
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()
