"""Streaming, vectorised N-Triples and Turtle writer for large tables.

Never builds an rdflib Graph for the rows (that costs ~21 s and ~900 MB per
100 k rows). Instead, for each chunk of rows it gathers whole N-Triples lines
and Turtle blocks from their pieces with one Arrow ``take``
(:mod:`pipelines.convert.splice`) and writes the resulting contiguous UTF-8
buffer straight to the file. The small header (dataset, structure
definition, term definitions) is an rdflib Graph serialised in front.
"""

from __future__ import annotations

import hashlib
import os
import queue
import re
import threading
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from rdflib import Graph

from pipelines.convert.splice import Splicer, write_text
from pipelines.convert.terms import RDF_TYPE, Plan, arrow_text, object_pieces, subject_terms
from pipelines.spec.linked_data import PREFIXES

#: Rows per chunk. Small on purpose: a chunk's text (~25 MB) is then recycled by
#: the allocator instead of being page-faulted in afresh, which dominated at 100 k rows.
CHUNK_ROWS = 16_384
#: Chunks built concurrently (bounded: memory is ~WORKERS + 2 chunks of text).
WORKERS = max(1, min(4, os.cpu_count() or 1))
_PN_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


@dataclass
class RdfCounts:
    rows: int = 0
    triples: int = 0
    header_triples: int = 0
    #: file name → (bytes, sha256) of what was written, hashed on the way out
    digests: dict[str, tuple[int, str]] = field(default_factory=dict)


class _HashingFile:
    """A binary file that hashes (sha256) and counts what is written to it.

    Hashing on the way out saves reading the gigabytes back; hashlib releases
    the GIL for large buffers, so it runs alongside the chunk builders.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh = open(path, "wb")  # noqa: SIM115 (closed in __exit__)
        self._hash = hashlib.sha256()
        self.size = 0

    def __enter__(self) -> _HashingFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self._fh.close()

    def write(self, data: bytes | memoryview) -> int:
        self._hash.update(data)
        self.size += len(data)
        return self._fh.write(data)

    def digest(self) -> tuple[int, str]:
        return self.size, self._hash.hexdigest()


def curie(uri: str) -> str:
    """A Turtle prefixed name for ``uri`` when one of our prefixes fits, else ``<uri>``."""
    for prefix, ns in PREFIXES.items():
        if uri.startswith(ns) and _PN_LOCAL.match(uri[len(ns):]):
            return f"{prefix}:{uri[len(ns):]}"
    return f"<{uri}>"


def turtle_prefixes() -> str:
    return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items())


def _chunks(df: pd.DataFrame, rows: int) -> Iterator[tuple[int, pd.DataFrame]]:
    for start in range(0, len(df), rows):
        yield start, df.iloc[start:start + rows]


def body_lines(plan: Plan, chunk: pd.DataFrame, offset: int,
               dataset_link: tuple[str, str] | None,
               turtle: bool = True) -> tuple[pa.Array, pa.Array | None, int]:
    """N-Triples lines and Turtle blocks for one chunk, and its triple count.

    Each is one :class:`~pipelines.convert.splice.Splicer` gather: per row, the
    subject and the predicate/object pieces of its triples, with the slots of
    a missing value left out.
    """
    m = len(chunk)
    subj = subject_terms(plan, chunk, offset)
    nt = Splicer(m)
    ttl = Splicer(m)
    nt.column(subj)
    nt.const(f" <{RDF_TYPE}> <{plan.row_class}> .\n")
    ttl.column(subj)
    ttl.const(f" a {curie(plan.row_class)}")
    triples = m
    if dataset_link is not None:
        pred, dataset_uri = dataset_link
        nt.column(subj)
        nt.const(f" <{pred}> <{dataset_uri}> .\n")
        ttl.const(f" ;\n    {curie(pred)} <{dataset_uri}>")
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
        pred_ttl = f" ;\n    {curie(col.property)} "
        nt.column(subj, mask)
        if obj.is_iri:
            assert obj.terms is not None and obj.indices is not None
            idx = np.where(valid, obj.indices, 0)
            nt.lookup([pred_nt + t + " .\n" for t in obj.terms], idx, mask)
            ttl.lookup([pred_ttl + t for t in obj.terms], idx, mask)
            continue
        lex = obj.lexical if mask is None else pc.fill_null(obj.lexical, "")
        nt_tail = '"' if obj.datatype is None else f'"^^<{obj.datatype}>'
        ttl_tail = '"' if obj.datatype is None else f'"^^{curie(obj.datatype)}'
        nt.const(pred_nt + '"', mask)
        nt.column(lex, mask)
        nt.const(nt_tail + " .\n", mask)
        ttl.const(pred_ttl + '"', mask)
        ttl.column(lex, mask)
        ttl.const(ttl_tail, mask)
    ttl.const(" .\n")
    return nt.gather(), (ttl.gather() if turtle else None), triples


def write_rdf(plan: Plan, df: pd.DataFrame, header: Graph, nt_path: Path, ttl_path: Path,
              *, dataset_link: tuple[str, str] | None, chunk_rows: int = CHUNK_ROWS,
              turtle: bool = True) -> RdfCounts:
    """Write the header graph then every row, chunk by chunk, as N-Triples and Turtle."""
    counts = RdfCounts(rows=len(df), header_triples=len(header))
    df = arrow_text(df, [*plan.key, *(c.source for c in plan.columns
                                      if c.kind == "iri" or c.datatype in (None, "string"))])
    header_nt = header.serialize(format="nt", encoding="utf-8")
    # Sorted header lines: the same inputs always give the same bytes.
    header_nt = b"".join(sorted(set(header_nt.splitlines(keepends=True))))
    for prefix, ns in PREFIXES.items():
        header.bind(prefix, ns, override=True)
    with _HashingFile(nt_path) as nt_fh, \
            (_HashingFile(ttl_path) if turtle else _Null()) as ttl_fh:
        nt_fh.write(header_nt)
        if turtle:
            ttl_fh.write(header.serialize(format="turtle", encoding="utf-8"))
            ttl_fh.write(("\n" + turtle_prefixes() + "\n").encode())
        # File writes and hashing release the GIL: one writer thread per file
        # overlaps I/O and sha256 with building the next chunks. Each queue
        # holds at most a few chunks (memory bound).
        failure: list[BaseException] = []
        queues: list[queue.Queue[pa.Array | None]] = []
        writers: list[threading.Thread] = []
        for fh in (nt_fh, ttl_fh) if turtle else (nt_fh,):
            q: queue.Queue[pa.Array | None] = queue.Queue(maxsize=4)

            def drain(q: queue.Queue[pa.Array | None] = q, fh: Any = fh) -> None:
                while (item := q.get()) is not None:
                    if failure:
                        continue
                    try:
                        write_text(fh, item)
                    except BaseException as exc:  # re-raised in the caller
                        failure.append(exc)

            queues.append(q)
            writers.append(threading.Thread(target=drain, name="rdf-writer", daemon=True))
        for w in writers:
            w.start()

        def hand_over(nt: pa.Array, ttl: pa.Array | None) -> None:
            queues[0].put(nt)
            if ttl is not None and len(queues) > 1:
                queues[1].put(ttl)

        # pyarrow kernels release the GIL too: build up to WORKERS chunks at once,
        # handing them to the writers in order.
        try:
            with ThreadPoolExecutor(max_workers=WORKERS) as pool:
                futures: deque[Future[tuple[pa.Array, pa.Array | None, int]]] = deque()
                for offset, chunk in _chunks(df, chunk_rows):
                    if failure:
                        break
                    futures.append(pool.submit(body_lines, plan, chunk, offset,
                                               dataset_link, turtle))
                    if len(futures) >= WORKERS:
                        nt, ttl, n = futures.popleft().result()
                        counts.triples += n
                        hand_over(nt, ttl)
                while futures:
                    nt, ttl, n = futures.popleft().result()
                    counts.triples += n
                    hand_over(nt, ttl)
        finally:
            for q in queues:
                q.put(None)
            for w in writers:
                w.join()
        if failure:
            raise failure[0]
    counts.digests[Path(nt_path).name] = nt_fh.digest()
    if isinstance(ttl_fh, _HashingFile):
        counts.digests[Path(ttl_path).name] = ttl_fh.digest()
    counts.triples += counts.header_triples
    return counts


class _Null:
    """A do-nothing file, so N-Triples can be written alone (benchmark)."""

    def __enter__(self) -> _Null:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def write(self, data: bytes) -> int:
        return len(data)
