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
import os
import zipfile
from collections.abc import Iterator
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


#: Bytes read at a time from a CSV file (the encoding check and Arrow's blocks). Arrow's
#: reader reads up to 32 blocks ahead of a slow consumer, so this bounds the memory the
#: reading holds (~128 MiB); a record must fit in one block (Excel's own cell limit is
#: 32,767 characters).
_CSV_BLOCK = 1 << 22


def _read_csv(path: Path, spec: DatasetSpec, out: _Collector, batch_rows: int,
              columns: list[str] | None = None) -> Iterator[pd.DataFrame] | None:
    """A CSV file's rows in batches of ``batch_rows``, every cell as text (only
    ``columns`` if given: the file is still parsed whole, the others not converted).

    Streamed (Arrow's incremental reader, a block of the file in memory at a
    time): first one pass over the bytes checks the encoding, that the file is
    not blank and counts its lines (so an encoding error is reported before any
    row is handed on); then the rows are parsed block by block. A ragged row
    anywhere makes the file unreadable: the problems of batches already typed
    are then withdrawn and the ragged rows reported alone, as when the whole
    file was read at once. ``None`` when the file cannot be read at all.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    encoding = spec.source.encoding.lower().replace("_", "-")
    utf8 = encoding in ("utf-8", "utf8")
    checked = _check_text(path, "utf-8-sig" if utf8 else encoding, spec, out)
    if checked is None:
        return None
    newlines, header = checked
    bad_rows: list[tuple[int | None, int, int]] = []

    def on_bad(row) -> str:
        bad_rows.append((row.number, row.expected_columns, row.actual_columns))
        return "skip"

    try:
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(use_threads=False, block_size=_CSV_BLOCK,
                                           encoding="utf8" if utf8 else encoding),
            parse_options=pacsv.ParseOptions(delimiter=spec.source.delimiter,
                                             invalid_row_handler=on_bad,
                                             newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types=_all_string_types(header, spec.source.delimiter),
                include_columns=columns or [],
                strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except pa.ArrowInvalid as exc:
        _unparseable(exc, out)
        return None

    schema = reader.schema

    def batches() -> Iterator[pd.DataFrame]:
        mark = len(out.problems)
        pending: list[pa.Table] = []
        held = rows = 0
        try:
            for batch in reader:
                if bad_rows:
                    continue  # the file is unreadable: only its ragged rows are reported
                pending.append(pa.Table.from_batches([batch]))
                held += batch.num_rows
                while held >= batch_rows:
                    table = pa.concat_tables(pending)
                    pending, held = [table.slice(batch_rows)], held - batch_rows
                    rows += batch_rows
                    yield _to_pandas(table.slice(0, batch_rows), spec)
        except pa.ArrowInvalid as exc:
            del out.problems[mark:]
            _unparseable(exc, out)
            return
        finally:
            reader.close()
        if bad_rows:
            del out.problems[mark:]
            if not _one_column(schema.names, spec, out):
                for number, expected, actual in bad_rows:
                    data_row = number - 1 if number else None
                    out.add("ragged-row", f"has {actual} cells, expected {expected}",
                            row=data_row)
            return
        if held or not rows:
            rows += held
            yield _to_pandas(pa.concat_tables(pending) if pending else schema.empty_table(),
                             spec)
        # one physical line per record (and the header), a final newline or not
        out.lines_exact = newlines in (rows, rows + 1)

    return batches()


def _unparseable(exc: Exception, out: _Collector) -> None:
    # Arrow's messages can quote a row's content: keep only our own words.
    if "straddl" in str(exc):
        out.add("csv-parse", f"cannot parse as CSV: a record is longer than "
                f"{_CSV_BLOCK >> 20} MiB, or a quote is never closed; check the quoting")
        return
    kind = "empty" if "Empty CSV" in str(exc) else "unparseable"
    out.add("csv-parse", f"cannot parse as CSV ({kind}); check source.delimiter and quoting")


def _check_text(path: Path, encoding: str, spec: DatasetSpec,
                out: _Collector) -> tuple[int, str] | None:
    """(newlines in the text, its first line) after decoding the whole file a block at a
    time; ``None`` (the problem in ``out``) if it is blank or not in ``encoding``."""
    import codecs

    try:
        decoder = codecs.getincrementaldecoder(encoding)()
    except LookupError:
        out.add("encoding", f"unknown encoding `{spec.source.encoding}` in source.encoding")
        return None
    newlines, blank, first = 0, True, ""
    with path.open("rb") as fh:
        while True:
            chunk = fh.read(_CSV_BLOCK)
            try:
                text = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError:
                _encoding_problem(path.read_bytes(), spec, out)
                return None
            blank = blank and not chunk.strip()
            if "\n" not in first:
                first += text
            newlines += text.count("\n")
            if not chunk:
                break
    if blank:
        out.add("empty-file", "file is empty: expected a header row and data rows")
        return None
    return newlines, first.split("\n", 1)[0]


def _encoding_problem(raw: bytes, spec: DatasetSpec, out: _Collector) -> None:
    """Where the bytes stop being valid in the declared encoding: line and field."""
    encoding = spec.source.encoding.lower().replace("_", "-")
    try:
        raw.decode("utf-8-sig" if encoding in ("utf-8", "utf8") else encoding)
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


def _all_string_types(first_line: str, delimiter: str) -> dict:
    """Read every column as text: types come from the Table Schema, not from guessing."""
    import csv

    import pyarrow as pa

    header = next(csv.reader([first_line.rstrip("\r")], delimiter=delimiter), [])
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


def _parquet_batches(path: Path, spec: DatasetSpec, out: _Collector, batch_rows: int,
                     columns: list[str] | None = None) -> Iterator[pd.DataFrame] | None:
    """A Parquet file's rows in batches (a batch in memory at a time: reading the whole
    table costs about four times the CPU of reading it batch by batch, and its memory)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        reader = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError):
        out.add("parquet-unreadable", "not a readable Parquet file")
        return None
    if reader.metadata.num_rows == 0:
        out.add("empty-file", "Parquet file has no rows")
        return None

    def batches() -> Iterator[pd.DataFrame]:
        try:
            for batch in reader.iter_batches(batch_size=batch_rows, columns=columns,
                                              use_threads=False):
                yield _to_pandas(pa.Table.from_batches([batch]), spec)
        except (pa.ArrowInvalid, OSError):
            out.add("parquet-unreadable", "not a readable Parquet file (a corrupt part)")
        finally:
            reader.close()

    return batches()


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


def _cast(s: pd.Series, field: dict, missing: pd.Series, out: _Collector,
          rows: np.ndarray) -> pd.Series:
    """Cast one column to its Table Schema type; report rows (1-based numbers in the file,
    ``rows``) that do not fit."""
    name, ftype = field["name"], field.get("type", "string")
    if ftype in ("integer", "number"):
        s = _number_text(s, field)
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
            shown = "ISO 8601" if ftype == "datetime" or fmt in ("default", "any", None) \
                else f"format `{fmt}`"
            out.rows("type", f"expected {ftype} ({shown})", rows[bad.to_numpy()], name)
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


def _spaced(bad: np.ndarray, stripped_ok: pd.Series) -> np.ndarray:
    """The ``bad`` rows that would pass without their leading or trailing spaces."""
    return bad & stripped_ok.fillna(False).to_numpy(dtype=bool)


def _by_spacing(out: _Collector, code: str, message: str, rows: np.ndarray, bad: np.ndarray,
                spaced: np.ndarray, name: str) -> None:
    """Report ``bad`` rows, saying so for those that only have spaces around the value
    (an export's padding: the fix is in the export, or ``missingValues``/the enum)."""
    if spaced.any():
        out.rows(code, f"{message} (it has spaces before or after it)", rows[spaced], name)
    if (bad & ~spaced).any():
        out.rows(code, message, rows[bad & ~spaced], name)


#: A number's text with ``bareNumber: false``: what may stand before and after it.
_NUMBER_AROUND = r"^[^\d+\-.]+|(?<=\d)[^\d]+$"


def _number_text(s: pd.Series, field: dict) -> pd.Series:
    """Number text as ``pd.to_numeric`` reads it, by the Table Schema's number keys.

    ``groupChar`` (``1,234,567.5``) is removed, ``decimalChar`` (``1.234,5`` with
    ``decimalChar: ","``) becomes a point, and ``bareNumber: false`` lets text
    stand around the number (``£1,250``, ``95%``), as Frictionless reads them.
    Native numbers (Parquet, XLSX) pass unchanged.
    """
    group, decimal = field.get("groupChar"), field.get("decimalChar", ".")
    bare = field.get("bareNumber", True)
    if (not group and decimal == "." and bare is not False) or not (
            s.dtype == object or isinstance(s.dtype, pd.StringDtype)):
        return s
    text = s.astype("string").str.strip()
    if bare is False:
        text = text.str.replace(_NUMBER_AROUND, "", regex=True)
    if group:
        text = text.str.replace(group, "", regex=False)
    if decimal != ".":
        text = text.str.replace(decimal, ".", regex=False)
    return text


def _constraints(col: pd.Series, field: dict, missing: pd.Series, out: _Collector,
                 rows: np.ndarray, keys: dict[str, _Keys]) -> None:
    """The field's constraints over one batch; ``unique`` is gathered in ``keys`` (it
    spans the batches) and judged when the file has been read."""
    name = field["name"]
    c = field.get("constraints") or {}
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
        plain = text.astype("string[python]")
        ok = plain.str.fullmatch(c["pattern"]).fillna(True).to_numpy(dtype=bool)
        if (~ok).any():
            spaced = _spaced(~ok, plain.str.strip().str.fullmatch(c["pattern"]))
            _by_spacing(out, "pattern", "does not match the field's pattern", rows, ~ok,
                        spaced, name)
    if text is not None and "enum" in c:
        allowed = [str(v) for v in c["enum"]]
        bad = present & ~text.isin(allowed).fillna(True).to_numpy(dtype=bool)
        if bad.any():
            spaced = _spaced(bad, text.str.strip().isin(allowed))
            _by_spacing(out, "enum", "is not one of the allowed values", rows, bad, spaced, name)
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
        keys.setdefault(name, _Keys([name])).add(col.to_frame(), present)


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
    expected = spec.extract_field_names
    if len(found) != 1 or len(expected) < 2:
        return False
    guess = _guess_delimiter(found[0], expected, spec.source.delimiter)
    shown = "a tab" if guess == "\t" else f"`{guess}`"
    hint = f"is the delimiter {shown}? " if guess else "check the delimiter "
    out.add("delimiter", f"found 1 column where {len(expected)} were expected: {hint}"
            f"(source.delimiter is `{spec.source.delimiter}`)")
    return True


def _check_header(found: list[str], spec: DatasetSpec, out: _Collector) -> bool:
    expected = spec.extract_field_names
    if _one_column(found, spec, out):
        return False
    missing = [n for n in expected if n not in found]
    extra = [n for n in found if n not in expected]
    for n in missing:
        hint = f" (found unexpected columns: {', '.join(extra)})" if extra else ""
        out.add("missing-column", f"column is missing from the header{hint}", field=n)
    if not missing:
        for n in extra:
            why = ("column is the measure fivestar counts (redaction.sdc.from_records: the "
                   "extract's rows are records): remove it" if n == spec.counted_measure
                   else "column is not in the Table Schema")
            out.add("extra-column", why, field=n)
    dupes = sorted({n for n in found if found.count(n) > 1})
    for n in dupes:
        out.add("duplicate-column", "column appears more than once in the header", field=n)
    return not (missing or extra or dupes)


class _Keys:
    """A uniqueness check spanning batches: a 64-bit hash per row, never the values.

    Memory is 9 bytes a row whatever the key's width. Rows whose hashes repeat
    are only candidates: :func:`_confirm_duplicates` re-reads those rows' values
    and compares them exactly, so a hash collision never makes a false error
    and a true repeat is never missed (equal values always hash equal).
    """

    def __init__(self, columns: list[str]) -> None:
        self.columns = columns
        self._hashes: list[np.ndarray] = []
        self._present: list[np.ndarray] = []

    def add(self, frame: pd.DataFrame, present: np.ndarray) -> None:
        self._hashes.append(pd.util.hash_pandas_object(frame[self.columns], index=False)
                            .to_numpy())
        self._present.append(np.asarray(present, dtype=bool))

    def candidates(self) -> np.ndarray:
        """0-based positions (in the rows added, in order) whose hash repeats.

        By sorting, not a hash table: one copy of the present rows' hashes, sorted in
        place, gives the repeated hashes; each batch is then looked up in those (few)
        alone. At 10 M rows this peaks ~80 MB over the stored hashes where a table
        of every hash (``duplicated``) took several times that.
        """
        total = sum(int(np.count_nonzero(p)) for p in self._present)
        flat = np.empty(total, dtype=np.uint64)
        at = 0
        for h, p in zip(self._hashes, self._present, strict=True):
            part = h[p]
            flat[at:at + len(part)] = part
            at += len(part)
        flat.sort()
        repeated = np.unique(flat[1:][flat[1:] == flat[:-1]])
        del flat
        if not len(repeated):
            return np.array([], dtype=np.int64)
        found, offset = [], 0
        for h, p in zip(self._hashes, self._present, strict=True):
            pos = np.flatnonzero(p)
            mine = h[pos]
            i = np.minimum(np.searchsorted(repeated, mine), len(repeated) - 1)
            found.append(pos[repeated[i] == mine] + offset)
            offset += len(h)
        return np.concatenate(found).astype(np.int64)


def _typed_batch(raw: pd.DataFrame, spec: DatasetSpec, out: _Collector, first_row: int,
                 keys: dict[str, _Keys] | None) -> pd.DataFrame:
    """One batch typed by the Table Schema; with ``keys``, its constraints checked too
    (``first_row``: the batch's first row, 1-based in its file)."""
    rows = np.arange(first_row, first_row + len(raw))
    typed = {}
    missing_values = spec.table_schema.missingValues
    for field in spec.table_schema.fields:
        if field["name"] not in raw.columns:  # a reader asked for some columns only
            continue
        s = raw[field["name"]].reset_index(drop=True)
        missing = _missing(s, missing_values).fillna(True).astype(bool)
        col = _cast(s, field, missing, out, rows)
        if keys is not None:
            _constraints(col, field, missing, out, rows, keys)
        typed[field["name"]] = col
    return pd.DataFrame(typed)


def _read_header(raw: pd.DataFrame, spec: DatasetSpec, out: _Collector) -> bool:
    raw.columns = [str(c).strip("\ufeff").strip() for c in raw.columns]
    return _check_header(list(raw.columns), spec, out)


# -- public API -----------------------------------------------------------------

#: Rows typed at a time when an extract is read in batches.
BATCH_ROWS = 262_144


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
    """The whole typed extract, checked, with a description of each file (see
    :class:`SourceRead`); :func:`check_source` and :func:`typed_batches` do the same
    a batch at a time."""
    files = check_source(spec)
    frames = list(typed_batches(spec, partition))
    df = pd.concat(frames) if len(frames) > 1 else frames[0]
    return SourceRead(df=df, files=files)


def check_source(spec: DatasetSpec, batch_rows: int = BATCH_ROWS) -> list[SourceFile]:
    """Read every row of the extract once, typing and checking it batch by batch; the
    files it is made of (raises ``ExtractError`` with every problem found).

    Memory is a batch, plus 9 bytes a row for each uniqueness check (the primary
    key, each ``unique`` field): nothing of the extract is kept.
    """
    _check_schema_descriptor(spec)
    problems: list[Problem] = []
    files: list[SourceFile] = []
    pk = spec.table_schema.primary_key
    for out, path, batches in _raw_files(spec, batch_rows):
        keys: dict[str, _Keys] = {}
        file_pk = _Keys(pk) if pk else None
        rows = 0
        ok = batches is not None
        header = False
        for raw in batches or ():
            if not header and not _read_header(raw, spec, out):
                ok = False
                break
            header = True
            raw.columns = [str(c).strip("\ufeff").strip() for c in raw.columns]
            typed = _typed_batch(raw, spec, out, rows + 1, keys)
            if file_pk is not None:
                file_pk.add(typed, np.ones(len(typed), dtype=bool))
            rows += len(typed)
        if ok and not out.problems:
            _judge_keys(spec, out, path, keys, file_pk)
        if ok and not out.problems:
            files.append(SourceFile(path=str(path.resolve()) if path else "", shown=out.file,
                                    rows=rows, lines_exact=out.lines_exact))
        if out.problems and spec.source.format == SourceFormat.csv and path is not None:
            out.problems = source_lines.with_lines(
                out.problems, str(path), lines_exact=out.lines_exact,
                delimiter=spec.source.delimiter, encoding=spec.source.encoding)
        problems.extend(out.problems)
    if problems:
        raise ExtractError(problems[:MAX_PROBLEMS])
    if pk and len(files) > 1:
        _check_pk_across_files(spec)
    return files


def _judge_keys(spec: DatasetSpec, out: _Collector, path: Path | None,
                keys: dict[str, _Keys], file_pk: _Keys | None) -> None:
    """Uniqueness within one file: candidates by hash, then an exact comparison."""
    for name, state in keys.items():
        dup = _confirm_duplicates(spec, path, state)
        if len(dup):
            out.rows("unique", "repeats a value that must be unique", dup + 1, name)
    if file_pk is None or out.problems:
        return
    dup = _confirm_duplicates(spec, path, file_pk)
    if not len(dup):
        return
    values = _rows_at(spec, path, dup, file_pk.columns)
    groups = values.groupby(file_pk.columns, dropna=False, sort=False).indices
    for _, at in list(groups.items())[:MAX_ROWS_LISTED]:
        rows = sorted(int(values.index[i]) + 1 for i in at)
        listed = " and ".join(str(r) for r in rows[:5])
        out.add("primary-key", f"rows {listed} share a primary key "
                f"({', '.join(file_pk.columns)})", row=rows[0])


def _confirm_duplicates(spec: DatasetSpec, path: Path | None, state: _Keys) -> np.ndarray:
    """0-based rows of the file whose key values truly repeat (sorted)."""
    candidates = state.candidates()
    if not len(candidates):
        return candidates
    values = _rows_at(spec, path, candidates, state.columns)
    return np.sort(values.index[values.duplicated(keep=False)].to_numpy())


def _rows_at(spec: DatasetSpec, path: Path | None, rows: np.ndarray,
             columns: list[str]) -> pd.DataFrame:
    """The typed ``columns`` of the file's rows ``rows`` (0-based), indexed by them."""
    wanted = np.asarray(rows)
    parts = []
    start = 0
    for out, p, batches in _raw_files(spec, BATCH_ROWS):
        if p != path:
            continue
        for raw in batches or ():
            raw.columns = [str(c).strip("\ufeff").strip() for c in raw.columns]
            typed = _typed_batch(raw, spec, out, start + 1, None)
            at = wanted[(wanted >= start) & (wanted < start + len(typed))]
            part = typed.iloc[at - start][columns]
            part.index = at
            parts.append(part)
            start += len(typed)
    return pd.concat(parts) if parts else pd.DataFrame(columns=columns)


def typed_batches(spec: DatasetSpec, partition: str | None = None,
                  batch_rows: int = BATCH_ROWS,
                  columns: list[str] | None = None) -> Iterator[pd.DataFrame]:
    """The extract :func:`check_source` passed, typed, a batch at a time; each frame's
    index is its rows' positions in the matched files taken in order, kept through the
    partition filter. At least one frame (maybe empty).

    Checks are not repeated here (the caller has checked the extract's sha256
    against the one :func:`check_source` judged); a problem found anyway raises.
    """
    start = 0
    yielded = False
    names = columns or spec.extract_field_names
    period = spec.release.period_field
    wanted = None if columns is None else list(dict.fromkeys(
        [*columns, *([period] if partition and period else [])]))
    for out, _, batches in _raw_files(spec, batch_rows, wanted):
        first = 1
        for raw in batches or ():
            raw.columns = [str(c).strip("\ufeff").strip() for c in raw.columns]
            typed = _typed_batch(raw, spec, out, first, None)
            out.raise_if_any()
            typed.index = pd.RangeIndex(start, start + len(typed))
            first += len(typed)
            start += len(typed)
            kept = filter_partition(typed, spec, partition)
            if len(kept) or not yielded:
                yielded = True
                yield kept[names]
        out.raise_if_any()
    if not yielded:
        empty = pd.DataFrame({n: pd.Series(dtype="object") for n in names})
        yield empty


def _raw_files(spec: DatasetSpec, batch_rows: int, columns: list[str] | None = None
               ) -> Iterator[tuple[_Collector, Path | None, Iterator[pd.DataFrame] | None]]:
    """Each source file (or the SQL query) with its raw rows in batches (None when
    unreadable; the problem is in the collector). Parquet and CSV files are read a
    batch at a time; XLSX and SQL are read whole, then handed on in batches."""
    if spec.source.format == SourceFormat.sql:
        out = _Collector(f"{spec.id} (SQL source)")
        raw = _read_sql(spec, out)
        yield out, None, None if raw is None else _slices(raw, batch_rows)
        return
    paths = spec.source_paths()
    if not paths:
        raise ExtractError(Problem("no-files", f"source.path `{spec.source.path}` matches "
                                   "no files", Location(file=_display(spec.folder))))
    for path in paths:
        out = _Collector(_display(path))
        if not path.is_file():
            out.add("missing-file", "file does not exist")
            out.raise_if_any()
        if spec.source.format == SourceFormat.parquet:
            yield out, path, _parquet_batches(path, spec, out, batch_rows, columns)
            continue
        if spec.source.format == SourceFormat.csv:
            yield out, path, _read_csv(path, spec, out, batch_rows, columns)
            continue
        raw = _read_xlsx(path, spec, out)
        yield out, path, None if raw is None else _slices(raw, batch_rows)


def _slices(df: pd.DataFrame, batch_rows: int) -> Iterator[pd.DataFrame]:
    for start in range(0, max(len(df), 1), batch_rows):
        yield df.iloc[start:start + batch_rows].copy(deep=False)


def _check_pk_across_files(spec: DatasetSpec) -> None:
    pk = spec.table_schema.primary_key
    state = _Keys(pk)
    for frame in typed_batches(spec, None, columns=pk):
        state.add(frame, np.ones(len(frame), dtype=bool))
    candidates = state.candidates()
    if not len(candidates):
        return
    values = pd.concat(f.loc[f.index.isin(candidates)] for f in typed_batches(spec, None,
                                                                              columns=pk))
    dup = np.sort(values.index[values.duplicated(keep=False)].to_numpy())
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
    from pipelines.periods import next_period, period_start, reads_as_financial_years

    field = spec.release.period_field
    if not partition or not field:
        return df
    col = df[field]
    if pd.api.types.is_datetime64_any_dtype(col):
        end = pd.Timestamp(period_start(next_period(partition, spec.release.frequency)))
        keep = (col < end).fillna(False).to_numpy(dtype=bool)
    else:
        limit = period_start(partition)
        values = [str(v) for v in col.dropna().unique()]
        fy = reads_as_financial_years(values, spec.release.frequency)
        starts = {}
        for v in values:
            try:
                starts[v] = period_start(v, fy)
            except ValueError:
                at = int(np.flatnonzero((col.astype("string") == v).fillna(False)
                                        .to_numpy(dtype=bool))[0])
                raise ExtractError(Problem(
                    "period", "is not a period (2024, 2024-Q1, 2024-01, 2024-01-31 or a "
                    "financial year 2023-24): the release period filter cannot place it",
                    Location(file=spec.source.path, row=int(col.index[at]) + 1,
                             field=field))) from None
        keep = col.map(lambda v: str(v) in starts and starts[str(v)] <= limit
                       ).to_numpy(dtype=bool)
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
