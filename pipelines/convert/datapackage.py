"""Frictionless ``datapackage.json`` describing the published files.

The CSV is a tabular resource with its Table Schema (types matching what was
written: a measure that may hold the suppression marker lists it in
``missingValues``); the other files are plain resources with media types,
byte sizes and sha256 hashes so a consumer can check what they downloaded.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipelines.convert.terms import CONF_COLUMN, Plan

_TS_TYPES = {"integer": "integer", "decimal": "number", "boolean": "boolean",
             "date": "date", "dateTime": "datetime", "gYear": "year",
             "gYearMonth": "yearmonth", "string": "string"}


def table_schema(plan: Plan, marker: str) -> dict[str, Any]:
    fields = []
    schema_fields = {f["name"]: f for f in plan.spec.table_schema.fields}
    for col in plan.table_columns:
        f: dict[str, Any] = {"name": col.name,
                             "type": "string" if col.kind == "iri"
                             else _TS_TYPES.get(col.datatype or "string", "string"),
                             "rdfType": col.property}
        sf = schema_fields.get(col.name, {})
        for k in ("title", "description"):
            if sf.get(k):
                f[k] = sf[k]
        if col.name == CONF_COLUMN:
            f["description"] = "SDMX confidentiality status: F free, C primary suppression, " \
                               "D secondary suppression"
            f["constraints"] = {"enum": ["F", "C", "D"]}
        if col.name in plan.key:
            f.setdefault("constraints", {})["required"] = True
        fields.append(f)
    out: dict[str, Any] = {"fields": fields, "missingValues": ["", marker]}
    if plan.key:
        out["primaryKey"] = list(plan.key)
    return out


def write_datapackage(plan: Plan, out_dir: Path, csv_name: str, marker: str,
                      others: list[dict[str, Any]], csv_file: Any = None) -> Path:
    """Write datapackage.json; ``others`` are non-CSV files (path, mediatype, title, …)."""
    spec = plan.spec
    resources: list[dict[str, Any]] = [{
        "name": spec.id, "path": csv_name, "profile": "tabular-data-resource",
        "title": spec.title, "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
        "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": True},
        "schema": table_schema(plan, marker),
    }]
    if csv_file is not None and csv_file.sha256:
        resources[0]["bytes"] = csv_file.bytes
        resources[0]["hash"] = f"sha256:{csv_file.sha256}"
    for o in others:
        resources.append({k: v for k, v in o.items() if v is not None})
    pkg = {
        "profile": "data-package",
        "name": spec.id,
        "id": plan.uris.dataset_uri,
        "title": spec.title,
        "description": spec.description,
        "keywords": list(spec.keywords),
        "licenses": [{"name": spec.licence, "path": spec.licence_url,
                      "title": spec.licence_title}],
        "contributors": [{"title": spec.publisher.name, "path": spec.publisher.uri,
                          "role": "publisher"}],
        "resources": resources,
    }
    path = out_dir / "datapackage.json"
    path.write_text(json.dumps(pkg, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
