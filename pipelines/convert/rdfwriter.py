"""Streaming, vectorised N-Triples writer for large tables, gzip-compressed as published.

Never builds an rdflib Graph for the rows (that costs ~21 s and ~900 MB per
100 k rows). Instead, for each chunk of rows it gathers whole N-Triples lines
from their pieces with one Arrow ``take`` (:mod:`pipelines.convert.splice`)
and hands the contiguous UTF-8 buffer to a writer thread, which counts the
star-rating facts in it (:class:`~pipelines.convert.stars.NTriplesScanner`),
compresses it and hashes what it writes (zlib and hashlib release the GIL,
so this overlaps with building the next chunks). The small header (dataset,
structure definition, term definitions) is an rdflib Graph serialised in
front, its lines sorted so the same inputs give the same bytes.

Why gzip, and N-Triples only: a million rows are 1.5-2 GB of N-Triples that
compress 20-50 times; the public downloads (and the catalogue stores, and the
gate hashes) a file of tens of megabytes, which any RDF tool reads as it is,
and a line-based format streams and splits where Turtle does not. A Turtle
copy of the same triples would double the bytes, the writing and the
checking for no reader's benefit: people read the CSV or a resource's page
(the linked-data front serves Turtle per resource). The gzip stream is
deterministic (no name, no time in its header), so restaging the same
inputs gives the same bytes and the same release id.
"""

from __future__ import annotations

import hashlib
import os
import queue
import threading
import zlib
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from rdflib import Graph

from pipelines.convert.frames import Frames, chunks, frames_of
from pipelines.convert.splice import Splicer, text_bytes
from pipelines.convert.stars import NTriplesScanner
from pipelines.convert.terms import RDF_TYPE, Plan, arrow_text, object_pieces, subject_terms

#: Rows per chunk. Small on purpose: a chunk's text (~25 MB) is then recycled by
#: the allocator instead of being page-faulted in afresh, which dominated at 100 k rows.
CHUNK_ROWS = 16_384
#: Chunks built concurrently (bounded: memory is ~WORKERS + 2 chunks of text).
WORKERS = max(1, min(4, os.cpu_count() or 1))
#: zlib level: within a quarter of level 6's size at about twice its speed.
GZIP_LEVEL = 3


@dataclass
class RdfCounts:
    rows: int = 0
    triples: int = 0
    header_triples: int = 0
    #: file name → (bytes, sha256) of what was written, hashed on the way out
    digests: dict[str, tuple[int, str]] = field(default_factory=dict)
    #: star-rating facts counted in the lines as they were written
    facts: dict[str, Any] = field(default_factory=dict)


class _HashingFile:
    """A binary file that hashes (sha256) and counts the bytes it stores.

    Hashing on the way out saves reading the file back; with ``gzip`` the data
    is compressed first (a gzip stream with no name and no time in its
    header) and the hash and size are those of the compressed bytes, the
    ones published. zlib and hashlib release the GIL for large buffers.
    """

    def __init__(self, path: Path, gzip: bool = False) -> None:
        self.path = path
        self._fh = open(path, "wb")  # noqa: SIM115 (closed in __exit__)
        self._hash = hashlib.sha256()
        self._zip = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31) if gzip else None
        self.size = 0

    def __enter__(self) -> _HashingFile:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        try:
            if self._zip is not None and exc_type is None:
                self._store(self._zip.flush())
        finally:
            self._fh.close()

    def _store(self, data: bytes | memoryview) -> None:
        self._hash.update(data)
        self.size += len(data)
        self._fh.write(data)

    def write(self, data: bytes | memoryview) -> int:
        self._store(self._zip.compress(data) if self._zip is not None else data)
        return len(data)

    def digest(self) -> tuple[int, str]:
        return self.size, self._hash.hexdigest()


def body_lines(plan: Plan, chunk: pd.DataFrame, offset: int,
               dataset_link: tuple[str, str] | None) -> tuple[pa.Array, int]:
    """N-Triples lines for one chunk, and its triple count.

    One :class:`~pipelines.convert.splice.Splicer` gather: per row, the subject
    and the predicate/object pieces of its triples, with the slots of a
    missing value left out.
    """
    m = len(chunk)
    subj = subject_terms(plan, chunk, offset)
    nt = Splicer(m)
    nt.column(subj)
    nt.const(f" <{RDF_TYPE}> <{plan.row_class}> .\n")
    triples = m
    if dataset_link is not None:
        pred, dataset_uri = dataset_link
        nt.column(subj)
        nt.const(f" <{pred}> <{dataset_uri}> .\n")
        triples += m
    for col in plan.columns:
        obj = object_pieces(col, chunk[col.source])
        valid = obj.valid()
        present = int(np.count_nonzero(valid))
        triples += present
        if present == 0:
            continue
        mask = None if present == m else valid
        pred_nt = f" <{col.property}> "
        nt.column(subj, mask)
        if obj.is_iri:
            assert obj.terms is not None and obj.indices is not None
            idx = np.where(valid, obj.indices, 0)
            nt.lookup([pred_nt + t + " .\n" for t in obj.terms], idx, mask)
            continue
        lex = obj.lexical if mask is None else pc.fill_null(obj.lexical, "")
        nt_tail = '"' if obj.datatype is None else f'"^^<{obj.datatype}>'
        nt.const(pred_nt + '"', mask)
        nt.column(lex, mask)
        nt.const(nt_tail + " .\n", mask)
    return nt.gather(), triples


def write_rdf(plan: Plan, data: pd.DataFrame | Frames, header: Graph, nt_path: Path | None, *,
              dataset_link: tuple[str, str] | None,
              chunk_rows: int = CHUNK_ROWS) -> RdfCounts:
    """Write the header graph then every row, chunk by chunk (frame by frame for a
    streamed table), as N-Triples.

    ``nt_path`` ending in ``.gz`` is written gzip-compressed; ``None`` builds
    and counts everything but stores nothing (to measure the writer alone).
    """
    counts = RdfCounts(header_triples=len(header))
    text_columns = [*plan.key, *(c.source for c in plan.columns
                                 if c.kind == "iri" or c.datatype in (None, "string"))]
    header_nt = header.serialize(format="nt", encoding="utf-8")
    # Sorted header lines: the same inputs always give the same bytes.
    header_nt = b"".join(sorted(set(header_nt.splitlines(keepends=True))))
    scanner = NTriplesScanner(plan.row_class, plan.uris.base)
    scratch = bytearray()

    def scan(text: memoryview | bytes) -> None:
        """Count the facts in a whole number of lines (copied: the scanner reads 8 past)."""
        n = len(text)
        if len(scratch) < n + 8:
            scratch.extend(bytes(n + 8 - len(scratch)))
        scratch[:n] = text
        scratch[n:n + 8] = bytes(8)
        scanner.feed(scratch, n)

    with (_HashingFile(nt_path, gzip=nt_path.suffix == ".gz") if nt_path is not None
          else _Null()) as nt_fh:
        scan(header_nt)
        nt_fh.write(header_nt)
        # The writer thread counts, compresses, hashes and writes while the pool
        # builds the next chunks; its queue holds at most a few (memory bound).
        failure: list[BaseException] = []
        q: queue.Queue[pa.Array | None] = queue.Queue(maxsize=4)

        def drain() -> None:
            while (item := q.get()) is not None:
                if failure:
                    continue
                try:
                    text = text_bytes(item)
                    scan(text)
                    nt_fh.write(text)
                except BaseException as exc:  # re-raised in the caller
                    failure.append(exc)

        writer = threading.Thread(target=drain, name="rdf-writer", daemon=True)
        writer.start()
        # pyarrow kernels release the GIL too: build up to WORKERS chunks at once,
        # handing them to the writer in order.
        try:
            with ThreadPoolExecutor(max_workers=WORKERS) as pool:
                futures: deque[Future[tuple[pa.Array, int]]] = deque()
                for offset, chunk in chunks(frames_of(data)(), chunk_rows):
                    if failure:
                        break
                    counts.rows += len(chunk)
                    futures.append(pool.submit(body_lines, plan, arrow_text(chunk, text_columns),
                                               offset, dataset_link))
                    if len(futures) >= WORKERS:
                        nt, n = futures.popleft().result()
                        counts.triples += n
                        q.put(nt)
                while futures:
                    nt, n = futures.popleft().result()
                    counts.triples += n
                    q.put(nt)
        finally:
            q.put(None)
            writer.join()
        if failure:
            raise failure[0]
    if isinstance(nt_fh, _HashingFile):
        assert nt_path is not None
        counts.digests[nt_path.name] = nt_fh.digest()
    counts.triples += counts.header_triples
    counts.facts = scanner.facts()
    return counts


class _Null:
    """A do-nothing file, so the writer can be measured without storing anything."""

    def __enter__(self) -> _Null:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def write(self, data: bytes | memoryview) -> int:
        return len(data)
