"""What the Dagster assets hand each other: small typed handles, never the data.

An asset value is a contract that names data on disk and carries the reports
about it; the data itself is read, batch by batch or whole, where it is used:

* :class:`SourceTable` (``extract``): the source extract itself (paths, sha256,
  partition, the typed columns of the Table Schema, row counts per file). The
  source is the one place personal data may be on disk; nothing before the
  redaction gate is ever copied under the state folder.
* :class:`ValidatedExtract` (``validated``): that handle plus its
  :class:`~pipelines.contracts.ValidationReport`.
* :class:`RedactedTable` (``redacted``): an Arrow IPC file of the redacted
  table in the run's work folder (0600), with the reports; the
  ``redaction_verified`` gate deletes it if it finds anything.
* ``converted`` passes a :class:`~pipelines.contracts.ConversionResult`;
  ``staged_release`` a :class:`StagedReleaseRef`.

Every table handle offers ``batches(columns=None, batch_rows=…)`` (Arrow record
batches) and ``to_pandas()``, and checks the sha256 of what it reads against the
one recorded when the handle was made, so a step never works on bytes other than
the ones the previous step judged. Handles hold paths, never objects, so steps
can run in different processes (or on workers sharing the state volume).
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import pandas as pd
import pyarrow as pa
from pydantic import Field

from pipelines import extract, source_lines
from pipelines.contracts import RedactionReport, ValidationReport
from pipelines.contracts.base import Contract
from pipelines.contracts.source import Column, SourceFile
from pipelines.errors import ExtractError, FivestarError, Location, Problem
from pipelines.spec import SPEC_FILENAME, DatasetSpec, SourceFormat, load_spec

#: Rows per Arrow record batch unless the reader asks for another size.
BATCH_ROWS = 65_536
#: Rows a streaming stage holds at a time (redaction, its verifier, conversion): large
#: enough that the name detectors' per-batch work on distinct candidates stays small,
#: small enough that memory is bounded by a batch, not by the table.
STREAM_ROWS = 262_144
#: The column of a stored table holding each row's position in the source extract.
SOURCE_ROW = "_source_row"

#: Table Schema type -> Arrow type of the typed column.
_ARROW_TYPES = {"integer": pa.int64(), "year": pa.int64(), "number": pa.float64(),
                "boolean": pa.bool_(), "date": pa.timestamp("ns"),
                "datetime": pa.timestamp("ns")}


class SourceTable(Contract):
    """The source extract of one release period, typed by its Table Schema."""

    kind: Literal["source"] = "source"
    dataset_id: str
    spec_path: str
    spec_sha256: str
    extract_sha256: str
    partition: str | None = None
    files: list[SourceFile] = Field(default_factory=list)
    columns: list[Column]
    #: Rows after the partition filter.
    rows: int

    @property
    def key(self) -> str:
        """Identity of the data: a report bound to this key judged exactly these rows."""
        return hashlib.sha256(f"{self.extract_sha256}:{self.spec_sha256}:{self.partition}"
                              .encode()).hexdigest()

    def arrow_schema(self) -> pa.Schema:
        return pa.schema([(c.name, _ARROW_TYPES.get(c.type, pa.string())) for c in self.columns])

    def to_pandas(self) -> pd.DataFrame:
        """The typed rows; the index is each row's position in the merged source files.

        Read again from the source, after checking the extract and the spec still
        hash to what the ``extract`` step saw. Memory grows with the rows: the
        record path streams (:meth:`frames`); an aggregate's disclosure control
        needs its whole table of cells.
        """
        frames = list(self.frames())
        return pd.concat(frames) if len(frames) > 1 else frames[0]

    def frames(self, batch_rows: int | None = None,
               columns: list[str] | None = None) -> Iterator[pd.DataFrame]:
        """The typed rows a batch at a time (about ``batch_rows`` rows, default
        :data:`STREAM_ROWS`; index as :meth:`to_pandas`), read from the source after
        the same check; memory is bounded by a batch, not by the extract."""
        spec = _checked_spec(self.spec_path, self.spec_sha256, self.extract_sha256)
        yield from extract.typed_batches(spec, self.partition, batch_rows or STREAM_ROWS,
                                         columns)
        # and after: bytes changed while they were read would not be the ones judged
        _checked_spec(self.spec_path, self.spec_sha256, self.extract_sha256)

    def batches(self, columns: list[str] | None = None,
                batch_rows: int = BATCH_ROWS) -> Iterator[pa.RecordBatch]:
        for df in self.frames(batch_rows, columns):
            yield from pa.Table.from_pandas(df, preserve_index=False).to_batches(
                max_chunksize=batch_rows)

    def locate(self, position: int, field: str | None = None) -> Location:
        """Where row ``position`` (0-based, in the merged files) is in its source file."""
        start = 0
        for f in self.files:
            if position < start + f.rows:
                row = position - start + 1
                return Location(file=f.shown, row=row, field=field, line=self._line(f, row))
            start += f.rows
        return Location(file=self.dataset_id, row=position + 1, field=field)

    def _line(self, file: SourceFile, row: int) -> int | None:
        """The line where the record starts (only a CSV has lines)."""
        dialect = _csv_dialect(self.spec_path, self.spec_sha256)
        if dialect is None:
            return None
        return source_lines.record_line(file.path, row, lines_exact=file.lines_exact,
                                        delimiter=dialect[0], encoding=dialect[1])


@functools.lru_cache(maxsize=8)
def _csv_dialect(spec_path: str, spec_sha256: str) -> tuple[str, str] | None:
    """The delimiter and encoding of a CSV source (None for other formats); read
    once per spec version, since a failing run locates many rows."""
    del spec_sha256
    source = load_spec(Path(spec_path)).source
    return (source.delimiter, source.encoding) if source.format == SourceFormat.csv else None


#: Text read back in Arrow storage (as the extract reads it), not as Python objects.
_ARROW_TEXT = {pa.string(): pd.StringDtype("pyarrow"), pa.large_string(): pd.StringDtype("pyarrow")}


class ArrowTable(Contract):
    """A table stored as an Arrow IPC file (written 0600), with its sha256."""

    kind: Literal["arrow"] = "arrow"
    path: str
    sha256: str
    rows: int
    columns: list[str]

    def check(self) -> None:
        """Raise unless the file is there and still hashes to what was written."""
        path = Path(self.path)
        if not path.is_file():
            raise FivestarError(Problem("table-missing", "the stored table is gone (deleted "
                                        "by a failed gate or a clean-up); run the stage again",
                                        Location(file=path.name)))
        if _sha256(path) != self.sha256:
            raise FivestarError(Problem("table-changed", "the stored table changed after it "
                                        "was written; refusing to use it",
                                        Location(file=path.name)))

    def _open(self) -> pa.ipc.RecordBatchFileReader:
        self.check()
        # read, not memory-mapped: a batch is in memory while it is used, and the pages
        # of a mapped file would stay in the resident set until the file is closed
        return pa.ipc.open_file(pa.OSFile(str(self.path)))

    def batches(self, columns: list[str] | None = None,
                batch_rows: int = BATCH_ROWS) -> Iterator[pa.RecordBatch]:
        reader = self._open()
        for i in range(reader.num_record_batches):
            batch = reader.get_batch(i)
            batch = batch.select(columns) if columns else batch.drop_columns([SOURCE_ROW])
            for start in range(0, batch.num_rows, batch_rows):
                yield batch.slice(start, batch_rows)

    def to_pandas(self) -> pd.DataFrame:
        """The table; the index is each row's position in the source extract."""
        df = self._open().read_all().to_pandas(types_mapper=_ARROW_TEXT.get)
        return df.set_index(SOURCE_ROW).rename_axis(None)

    def frames(self, batch_rows: int | None = None) -> Iterator[pd.DataFrame]:
        """The table as pandas frames of about ``batch_rows`` rows (default
        :data:`STREAM_ROWS`; index as :meth:`to_pandas`); memory is bounded by a
        batch, not by the table."""
        batch_rows = batch_rows or STREAM_ROWS
        reader = self._open()
        if reader.num_record_batches == 0:  # an empty table: one empty frame
            empty = reader.schema.empty_table().to_pandas(types_mapper=_ARROW_TEXT.get)
            yield empty.set_index(SOURCE_ROW).rename_axis(None)
            return
        pending: list[pa.RecordBatch] = []
        held = 0
        for i in range(reader.num_record_batches):
            batch = reader.get_batch(i)
            pending.append(batch)
            held += batch.num_rows
            if held >= batch_rows or i == reader.num_record_batches - 1:
                yield _frame(pending)
                pending, held = [], 0

    def spans(self, batch_rows: int | None = None) -> list[tuple[int, int]]:
        """The stored batches ``[lo, hi)`` that make up each frame of :meth:`frames`, so
        other processes can read the same frames (:func:`read_frame`). Only the batches'
        headers are read (the file is mapped, no data page is touched); the file is not
        hashed: a caller checks it (:meth:`check`) before and after the frames are read."""
        batch_rows = batch_rows or STREAM_ROWS
        with pa.memory_map(self.path) as mapped:
            reader = pa.ipc.open_file(mapped)
            sizes = [reader.get_batch(i).num_rows for i in range(reader.num_record_batches)]
        out: list[tuple[int, int]] = []
        lo = held = 0
        for i, n in enumerate(sizes):
            held += n
            if held >= batch_rows or i == len(sizes) - 1:
                out.append((lo, i + 1))
                lo, held = i + 1, 0
        return out

    def discard(self) -> None:
        Path(self.path).unlink(missing_ok=True)


def _frame(batches: list[pa.RecordBatch]) -> pd.DataFrame:
    df = pa.Table.from_batches(batches).to_pandas(types_mapper=_ARROW_TEXT.get)
    return df.set_index(SOURCE_ROW).rename_axis(None)


def read_frame(path: str, span: tuple[int, int]) -> pd.DataFrame:
    """The frame of a stored table made of its batches ``span`` (:meth:`ArrowTable.spans`),
    as :meth:`ArrowTable.frames` gives it. Not hashed here: see :meth:`ArrowTable.spans`."""
    with pa.OSFile(path) as fh:
        reader = pa.ipc.open_file(fh)
        return _frame([reader.get_batch(i) for i in range(*span)])


def write_arrow(df: pd.DataFrame, path: Path, batch_rows: int = BATCH_ROWS) -> ArrowTable:
    """Write ``df`` (its index: positions in the source) as an Arrow IPC file, 0600."""
    with ArrowWriter(path, batch_rows) as writer:
        writer.write(df)
    return writer.table


class ArrowWriter:
    """Writes frames in turn into one Arrow IPC file (0600), each row with its source
    position (the frame's index), so a stage can stream its output batch by batch.

    The first frame fixes the schema; later frames are cast to it. ``table`` is the
    handle, once the writer is closed. If the block raises, the partial file is removed
    (half a table is never left for a later step to find).
    """

    def __init__(self, path: Path, batch_rows: int = BATCH_ROWS) -> None:
        self.path, self.batch_rows = path, batch_rows
        self.rows = 0
        self._columns: list[str] | None = None
        self._schema: pa.Schema | None = None
        self._writer: pa.ipc.RecordBatchFileWriter | None = None
        self._fh = None
        self.table: ArrowTable | None = None

    def __enter__(self) -> ArrowWriter:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        self._fh = os.fdopen(fd, "wb")
        return self

    def write(self, df: pd.DataFrame) -> None:
        table = pa.Table.from_pandas(df, preserve_index=False)
        table = table.append_column(SOURCE_ROW, pa.array(df.index.to_numpy(), type=pa.int64()))
        if self._writer is None:
            self._schema, self._columns = table.schema, list(df.columns)
            self._writer = pa.ipc.new_file(self._fh, self._schema)
        elif table.schema != self._schema:
            table = table.cast(self._schema)
        for batch in table.to_batches(max_chunksize=self.batch_rows):
            self._writer.write_batch(batch)
        self.rows += len(df)

    def __exit__(self, exc_type: object, *rest: object) -> None:
        try:
            if self._writer is not None:
                self._writer.close()
        finally:
            self._fh.close()
        if exc_type is not None:
            self.path.unlink(missing_ok=True)
            return
        if self._writer is None:
            raise ValueError("an Arrow table needs at least one frame (an empty one will do)")
        self.table = ArrowTable(path=str(self.path), sha256=_sha256(self.path), rows=self.rows,
                                columns=self._columns or [])


class ValidatedExtract(Contract):
    """The source extract with the validation report about exactly its rows."""

    source: SourceTable
    report: ValidationReport


class RedactedTable(Contract):
    """The redacted table, and every report the release will carry."""

    table: ArrowTable
    source: SourceTable
    validation: ValidationReport
    report: RedactionReport
    #: disclosure control's moves (cells and signs, no value) for the gate's audit to
    #: check; checked there, never trusted (see pipelines/redaction/audit.py)
    certificate: ArrowTable | None = None


class StagedReleaseRef(Contract):
    """A staged release: its id (the manifest's sha256) and folder."""

    release_id: str
    path: str
    created: bool = True
    stars: int | None = None
    #: Who the review service recorded as the stager (from the staging ticket).
    staged_by: str | None = None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def open_source(spec: DatasetSpec, partition: str | None) -> SourceTable:
    """Read and check the whole extract (batch by batch); a handle to ``partition``'s rows
    (raises ``ExtractError``). Nothing of the extract is kept: later steps read it again."""
    sha = extract.extract_sha256(spec)
    files = extract.check_source(spec)
    rows = sum(len(f) for f in extract.typed_batches(
        spec, partition, columns=[spec.release.period_field]
        if partition and spec.release.period_field else spec.extract_field_names[:1]))
    if extract.extract_sha256(spec) != sha:
        raise ExtractError(Problem("extract-changed", "the extract changed while it was read; "
                                   "stage again", Location(file=spec.source.path)))
    return SourceTable(
        dataset_id=spec.id, spec_path=str(spec.folder / SPEC_FILENAME),
        spec_sha256=spec.spec_sha256, extract_sha256=sha, partition=partition, files=files,
        rows=rows, columns=[Column(name=f["name"], type=f.get("type", "string"))
                            for f in spec.extract_fields])


def release_memory() -> None:
    """Give back what Arrow's allocator holds for reuse (mimalloc keeps freed pages),
    so one step's peak does not carry into the next step's."""
    pa.default_memory_pool().release_unused()


def _checked_spec(spec_path: str, spec_sha256: str, extract_sha256: str) -> DatasetSpec:
    """The spec the handle names, after checking it and its extract still hash the same."""
    spec = load_spec(Path(spec_path))
    if spec.spec_sha256 != spec_sha256:
        raise FivestarError(Problem("spec-changed", "dataset.yaml changed during the run; "
                                    "stage again", Location(file=spec_path)))
    if extract.extract_sha256(spec) != extract_sha256:
        raise ExtractError(Problem("extract-changed", "the extract changed during the run; "
                                   "stage again", Location(file=spec.source.path)))
    return spec
