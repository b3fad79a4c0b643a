"""Shared builders for the redaction tests: real DatasetSpecs and small margin tables."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pipelines.spec import DatasetSpec


def make_spec(fields: list[str], redaction: dict[str, Any], kind: str = "record",
              dataset_id: str = "test-dataset") -> DatasetSpec:
    """A minimal but real, validated DatasetSpec."""
    return DatasetSpec.model_validate({
        "id": dataset_id, "title": "Test", "description": "Test data", "theme": "government",
        "kind": kind,
        "publisher": {"contact_name": "Team", "contact_email": "team@example.gov.uk"},
        "iar": {"asset_id": "IA-1", "information_asset_owner": "Owner",
                "protective_marking": "OFFICIAL", "retention": "7 years"},
        "source": {"format": "csv", "path": "x.csv"},
        "schema": {"fields": [{"name": f, "type": "string"} for f in fields]},
        "redaction": redaction,
    })


def margin_table(inner: np.ndarray, periods: int = 1) -> pd.DataFrame:
    """Rows×columns counts plus row totals, column totals and the grand total.

    Area total code ``T``, offence total code ``all``.
    """
    rows = []
    for p in range(periods):
        block = inner if periods == 1 else inner + p
        r, c = block.shape
        for i in range(r):
            for j in range(c):
                rows.append((f"P{p}", f"a{i}", f"o{j}", int(block[i, j])))
            rows.append((f"P{p}", f"a{i}", "all", int(block[i].sum())))
        for j in range(c):
            rows.append((f"P{p}", "T", f"o{j}", int(block[:, j].sum())))
        rows.append((f"P{p}", "T", "all", int(block.sum())))
    df = pd.DataFrame(rows, columns=["period", "area", "offence", "count"])
    for col in ("period", "area", "offence"):
        df[col] = df[col].astype("string")
    df["count"] = df["count"].astype("Int64")
    return df


SDC_RULES = {"sdc": {"measure": "count", "threshold": 10, "zero": "publish",
                     "dimensions": {"period": {}, "area": {"total": "T"},
                                    "offence": {"total": "all"}}}}


def sdc_spec(**overrides: Any) -> DatasetSpec:
    rules = {"sdc": {**SDC_RULES["sdc"], **overrides}}
    return make_spec(["period", "area", "offence", "count"], rules, kind="aggregate")
