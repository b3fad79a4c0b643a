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


class CsvFile:
    """The CSV, written frame by frame as the caller reads the table (so one pass
    over a stored table can feed this and the RDF writer); ``rows`` counts the data
    rows written. The bytes do not depend on how the table is cut into frames."""

    def __init__(self, plan: Plan, path: Path, marker: str = "[c]") -> None:
        self.plan, self.path, self.marker = plan, path, marker
        self.rows = 0
        self._writer: pacsv.CSVWriter | None = None
        self._schema: pa.Schema | None = None

    def __enter__(self) -> CsvFile:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._writer is not None:
            self._writer.close()

    def write(self, frame: pd.DataFrame) -> None:
        """Append ``frame``'s rows (an empty first frame still writes the header)."""
        names = list(frame.columns)
        for start in range(0, max(len(frame), 1), CHUNK_ROWS):
            chunk = frame.iloc[start:start + CHUNK_ROWS]
            if self._writer is not None and not len(chunk):
                continue
            table = pa.table({n: _column(self.plan, chunk, n, self.marker) for n in names})
            if self._writer is None:
                self._schema = table.schema
                opts = pacsv.WriteOptions(include_header=True, eol="\r\n",
                                          quoting_style="needed")
                self._writer = pacsv.CSVWriter(str(self.path), self._schema,
                                               write_options=opts)
            elif table.schema != self._schema:
                table = table.cast(self._schema)
            self._writer.write_table(table)
            self.rows += len(chunk)
