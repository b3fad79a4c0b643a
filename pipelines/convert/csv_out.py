"""The tidy CSV: UTF-8, RFC 4180 (CRLF, quoted where needed), ISO 8601 dates.

Formula injection is neutralised: a text cell starting with ``=``, ``+``,
``-``, ``@``, tab or CR is prefixed with an apostrophe, so a spreadsheet shows
it as text instead of running it (OWASP "CSV injection"), while a cell that is
a plain number such as ``-5`` or ``+3.2`` is left alone and stays a number.
Numeric columns are never touched. Suppressed measure cells (``conf_status``
C or D) carry the marker from the redaction rules (default ``[c]``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from pipelines.convert.frames import Frames, frames_of
from pipelines.convert.terms import CONF_COLUMN, Plan, lexical

#: Leading characters a spreadsheet treats as the start of a formula.
FORMULA_START = r"^[=+\-@\t\r]"
#: …unless the whole cell is a number (``-5``, ``+3.2``, ``-1e3``).
NUMBER = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"
CHUNK_ROWS = 200_000


def neutralise(arr: pa.Array) -> pa.Array:
    """Prefix formula-like text cells with ``'``; numbers and other text unchanged."""
    risky = pc.and_(pc.match_substring_regex(arr, FORMULA_START),
                    pc.invert(pc.match_substring_regex(arr, NUMBER)))
    return pc.if_else(risky, pc.binary_join_element_wise("'", arr, ""), arr)


def _column(plan: Plan, chunk: pd.DataFrame, name: str, marker: str) -> pa.Array:
    s = chunk[name]
    col = plan.column(name)
    if col.role == "measure" and CONF_COLUMN in chunk.columns:
        suppressed = chunk[CONF_COLUMN].isin(["C", "D"]).to_numpy()
        text = lexical(s, col.datatype or "decimal") if col.kind == "literal" else \
            lexical(s.astype("string"), "string")
        return pc.if_else(pa.array(suppressed & s.isna().to_numpy()), marker, text)
    if pd.api.types.is_datetime64_any_dtype(s):
        return lexical(s, col.datatype or "date")
    if pd.api.types.is_bool_dtype(s):
        return lexical(s, "boolean")
    if pd.api.types.is_integer_dtype(s):
        return pa.array(s.astype("Int64"), type=pa.int64())
    if pd.api.types.is_float_dtype(s):
        return lexical(s, "decimal")
    return neutralise(lexical(s, "string"))


def write_csv(plan: Plan, data: pd.DataFrame | Frames, path: Path, marker: str = "[c]") -> int:
    """Write the CSV in chunks, frame by frame; returns the number of data rows."""
    opts = pacsv.WriteOptions(include_header=True, eol="\r\n", quoting_style="needed")
    writer: pacsv.CSVWriter | None = None
    schema: pa.Schema | None = None
    rows = 0
    try:
        for frame in frames_of(data)():
            names = list(frame.columns)
            for start in range(0, max(len(frame), 1), CHUNK_ROWS):
                chunk = frame.iloc[start:start + CHUNK_ROWS]
                if writer is not None and not len(chunk):
                    continue
                table = pa.table({n: _column(plan, chunk, n, marker) for n in names})
                if writer is None:
                    schema = table.schema
                    writer = pacsv.CSVWriter(str(path), schema, write_options=opts)
                elif table.schema != schema:
                    table = table.cast(schema)
                writer.write_table(table)
                rows += len(chunk)
    finally:
        if writer is not None:
            writer.close()
    return rows
