"""How big a run is, told before it runs: the tags the run queue limits by.

The queued run coordinator (``deploy/dagster/distributed.yaml``) limits runs
by tag: ``fivestar/operation=publish`` (uploads to CKAN; and one at a time
per dataset, by ``fivestar/publishing=<dataset>``) and
``fivestar/size=large`` (staging runs of extracts with at least
``FIVESTAR_LARGE_EXTRACT_ROWS`` rows, default 500 000, which hold gigabytes
while they convert). Publication runs also carry Dagster's ``dagster/priority``
above the default: an approved release due at its announced time takes the
next free place in the queue ahead of staging runs queued before it (on a
release day, fifty staging runs queued at once would otherwise hold every
place until the last of them started). The row count is estimated without reading the data:
Parquet from its footer, CSV by counting line ends, Excel from the sheet's
dimension; a SQL source is counted by nobody and so is never "large".
"""

from __future__ import annotations

import os
from pathlib import Path

from pipelines.spec import DatasetSpec, SourceFormat

OPERATION_TAG = "fivestar/operation"
SIZE_TAG = "fivestar/size"
ROWS_TAG = "fivestar/estimated_rows"
PUBLISHING_TAG = "fivestar/publishing"
#: Dagster's queue priority tag (``dagster._core.storage.tags.PRIORITY_TAG``; higher first).
PRIORITY_TAG = "dagster/priority"
PUBLICATION_PRIORITY = "1"
LARGE_ROWS_ENV = "FIVESTAR_LARGE_EXTRACT_ROWS"
DEFAULT_LARGE_ROWS = 500_000


def _csv_rows(path: Path) -> int:
    lines = 0
    last = b"\n"
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 22), b""):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    if last != b"\n":
        lines += 1
    return max(lines - 1, 0)  # the header


def _parquet_rows(path: Path) -> int:
    import pyarrow.parquet as pq

    return pq.ParquetFile(path).metadata.num_rows


def _xlsx_rows(path: Path) -> int:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    try:
        return max((wb.worksheets[0].max_row or 1) - 1, 0)
    finally:
        wb.close()


def estimated_rows(spec: DatasetSpec) -> int | None:
    """Rows in the extract's files (before partition filtering), or None if unknown."""
    reader = {SourceFormat.csv: _csv_rows, SourceFormat.parquet: _parquet_rows,
              SourceFormat.xlsx: _xlsx_rows}.get(spec.source.format)
    if reader is None:
        return None
    try:
        return sum(reader(p) for p in spec.source_paths())
    except (OSError, ValueError):
        return None  # the extract stage reports what is wrong with the files


def large_threshold() -> int:
    return int(os.environ.get(LARGE_ROWS_ENV, DEFAULT_LARGE_ROWS))


def staging_tags(spec: DatasetSpec) -> dict[str, str]:
    rows = estimated_rows(spec)
    large = rows is not None and rows >= large_threshold()
    tags = {OPERATION_TAG: "stage", SIZE_TAG: "large" if large else "regular"}
    if rows is not None:
        tags[ROWS_TAG] = str(rows)
    return tags


def publication_tags(dataset_id: str) -> dict[str, str]:
    """Publication runs: limited in number, one at a time per dataset (the sensor
    and ``fivestar publish`` may both ask for the same release), and ahead of queued
    staging runs."""
    return {OPERATION_TAG: "publish", PUBLISHING_TAG: dataset_id,
            PRIORITY_TAG: PUBLICATION_PRIORITY}
