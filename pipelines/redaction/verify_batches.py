"""The redaction verifier over a stored record table, frame by frame, on every core.

Every check of :func:`pipelines.redaction.verify.verify` reads one record at a
time, so the frames of the table can be judged in any process and their findings
put together in frame order: the same findings, each row named by its position in
the source extract, as one pass in this process (unit-tested). The calling
process verifies frames itself while worker processes take the others
(:func:`pipelines.convert.workers.share`): on two cores the gate takes about half
the time, which at 10 M rows is ~50 s. The stored table is hashed before the
frames are read and again after: every worker read the bytes the handle names.
"""

from __future__ import annotations

import os
from typing import Any

from pipelines.convert.workers import serve_one, share
from pipelines.errors import Problem
from pipelines.handles import ArrowTable, read_frame
from pipelines.redaction.verify import verify


def workers() -> int:
    """Worker processes besides the caller: ``FIVESTAR_VERIFY_WORKERS`` (processes in
    all, as for the conversion gate) less one, or one per CPU but one."""
    env = os.environ.get("FIVESTAR_VERIFY_WORKERS")
    total = max(1, int(env)) if env and env.isdigit() else max(1, os.cpu_count() or 1)
    return total - 1


def span_findings(path: str, span: tuple[int, int], spec: Any) -> list[Problem]:
    """The verifier's findings on one frame, each row renamed to 1 + its source position."""
    df = read_frame(path, span)
    positions = df.index.to_numpy()
    out = []
    for p in verify(df, spec):
        row = p.location.row
        if row is not None and 1 <= row <= len(positions):
            p = p.model_copy(update={"location": p.location.model_copy(
                update={"row": int(positions[row - 1]) + 1})})
        out.append(p)
    return out


def findings(table: ArrowTable, spec: Any) -> list[Problem]:
    """Every frame's findings, in frame order (rows: 1 + the source position)."""
    table.check()
    spans = table.spans()
    if not spans:  # no rows: its columns are judged still (a field that was not dropped)
        return [p for frame in table.frames() for p in verify(frame, spec)]
    found = share(__name__, (table.path, spec), spans,
                  lambda span: span_findings(table.path, span, spec),
                  workers=workers())
    table.check()
    return [p for part in found for p in part]


def _handle(setup: tuple[str, Any], span: tuple[int, int]) -> list[Problem]:
    path, spec = setup
    return span_findings(path, span, spec)


def worker_main() -> None:
    """Entry point of a worker process (see :mod:`pipelines.convert.workers`)."""
    serve_one(_handle)
