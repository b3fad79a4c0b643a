"""Reading the few columns a picture needs from a release's public CSV (Arrow, all text)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from pipelines.spec import DatasetSpec

NUMERIC = ("integer", "number")


def read_columns(path: Path, columns: list[str]) -> pa.Table:
    """The named columns of a public CSV as strings (markers such as ``[c]`` stay text)."""
    header = pacsv.open_csv(path).schema.names
    wanted = [c for c in columns if c in header]
    return pacsv.read_csv(
        path, convert_options=pacsv.ConvertOptions(
            include_columns=wanted, column_types={c: pa.string() for c in wanted},
            strings_can_be_null=False))


def measure_field(spec: DatasetSpec) -> str | None:
    """The first numeric field that is not part of the key (an aggregate's count)."""
    key = set(spec.table_schema.primary_key)
    for f in spec.table_schema.fields:
        if f.get("type") in NUMERIC and f["name"] not in key:
            return f["name"]
    return None


def dimensions(spec: DatasetSpec) -> list[str]:
    """The key's fields (an aggregate's dimensions), period last."""
    key = [k for k in spec.table_schema.primary_key if k != spec.release.period_field]
    period = spec.release.period_field
    return key + ([period] if period and period in spec.table_schema.primary_key else [])
