"""Synthetic specs, code lists and tables for conversion tests and the benchmark.

Shaped like the bundled datasets (a crime-like cube with ONS-coded areas, an
offence code list and suppressed cells; a spend-like record log) but built
here, so tests and benchmarks do not depend on the bundled extracts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipelines.contracts import (
    FieldReport,
    Provenance,
    RedactionReport,
    SDCReport,
    ValidationReport,
)
from pipelines.errors import Problem
from pipelines.spec import DatasetSpec

DEF = "https://data.homeoffice.gov.uk/def"
ONS = "http://statistics.data.gov.uk/id/statistical-geography"
AREAS = [f"E2300{i:04d}" for i in range(1, 43)] + ["W15000001", "K04000001"]
OFFENCES = ["violence", "burglary", "robbery", "theft", "criminal-damage", "drugs",
            "public-order", "weapons", "fraud", "other", "all-offences"]


def write_codelists(vocab_dir: Path) -> Path:
    """``areas.ttl`` (with ONS exactMatch) and ``offences.ttl`` SKOS schemes."""
    vocab_dir.mkdir(parents=True, exist_ok=True)
    head = "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
    areas = [head, f"<{DEF}/test-areas> a skos:ConceptScheme ; "
             'skos:prefLabel "Test areas"@en .\n']
    for code in AREAS:
        areas.append(f'<{DEF}/test-areas/{code}> a skos:Concept ; skos:inScheme '
                     f'<{DEF}/test-areas> ; skos:notation "{code}" ; skos:prefLabel '
                     f'"Area {code}"@en ; skos:exactMatch <{ONS}/{code}> .\n')
    (vocab_dir / "test-areas.ttl").write_text("".join(areas), encoding="utf-8")
    offences = [head, f"<{DEF}/test-offences> a skos:ConceptScheme ; "
                'skos:prefLabel "Test offences"@en .\n']
    for code in OFFENCES:
        offences.append(f'<{DEF}/test-offences/{code}> a skos:Concept ; skos:inScheme '
                        f'<{DEF}/test-offences> ; skos:notation "{code}" ; skos:prefLabel '
                        f'"{code.replace("-", " ").capitalize()}"@en .\n')
    (vocab_dir / "test-offences.ttl").write_text("".join(offences), encoding="utf-8")
    return vocab_dir


def _base(id_: str, kind: str, fields: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "id": id_, "title": f"Synthetic {id_}", "description": "Synthetic test data.",
        "keywords": ["test"], "theme": "crime-and-justice", "kind": kind,
        "publisher": {"contact_name": "Open Data Team",
                      "contact_email": "opendata@example.gov.uk"},
        "release": {"frequency": "quarterly", "start": "2024-01-01",
                    "next_release": "2025-01-30"},
        "iar": {"asset_id": "IA-T", "information_asset_owner": "Owner",
                "protective_marking": "OFFICIAL", "retention": "none"},
        "source": {"format": "csv", "path": "x.csv"},
        "schema": {"fields": fields}, **extra,
    }


def cube_spec(**linked: Any) -> DatasetSpec:
    fields = [
        {"name": "period", "type": "string", "title": "Period"},
        {"name": "police_force_area", "type": "string", "codelist": "test-areas",
         "title": "Police force area"},
        {"name": "offence_group", "type": "string", "codelist": "test-offences",
         "title": "Offence group"},
        {"name": "count", "type": "integer", "title": "Number of offences"},
    ]
    mapping = {
        "spatial": f"{ONS}/K04000001", "spatial_label": "England and Wales",
        "fields": {
            "period": {"role": "dimension", "property": "fivestar:period", "values": "period"},
            "police_force_area": {"role": "dimension", "property": "fivestar:policeForceArea",
                                  "values": "codelist"},
            "offence_group": {"role": "dimension", "property": "fivestar:offenceGroup",
                              "values": "codelist"},
            "count": {"role": "measure", "property": "fivestar:count"},
        }, **linked,
    }
    return DatasetSpec.model_validate(_base(
        "test-crime", "aggregate", fields, linked_data=mapping,
        redaction={"sdc": {"measure": "count", "marker": "[c]",
                           "dimensions": {"period": {}, "police_force_area": {},
                                          "offence_group": {}}}}))


def cube_frame(rows: int, seed: int = 0, suppressed: float = 0.05) -> pd.DataFrame:
    """Crime-like counts: periods × areas × offences until ``rows``, some cells suppressed."""
    rng = np.random.default_rng(seed)
    per_period = len(AREAS) * len(OFFENCES)
    i = np.arange(rows)
    q = i // per_period
    periods = np.array([f"{2000 + k // 4}-Q{k % 4 + 1}" for k in range(q.max() + 1)])
    df = pd.DataFrame({
        "period": pd.array(periods[q], dtype="string"),
        "police_force_area": pd.array(np.array(AREAS)[i // len(OFFENCES) % len(AREAS)],
                                      dtype="string"),
        "offence_group": pd.array(np.array(OFFENCES)[i % len(OFFENCES)], dtype="string"),
        "count": pd.array(rng.integers(0, 5000, rows), dtype="Int64"),
    })
    r = rng.random(rows)
    status = np.where(r < suppressed, "C", np.where(r < suppressed * 1.4, "D", "F"))
    df.loc[status != "F", "count"] = pd.NA
    df["conf_status"] = pd.array(status, dtype="string")
    return df


def records_spec(**linked: Any) -> DatasetSpec:
    fields = [
        {"name": "transaction_id", "type": "string"},
        {"name": "payment_date", "type": "date"},
        {"name": "expense_type", "type": "string"},
        {"name": "supplier_name", "type": "string"},
        {"name": "supplier_postcode", "type": "string"},
        {"name": "amount", "type": "number"},
        {"name": "description", "type": "string"},
    ]
    mapping = {
        "class": "fivestar:Payment", "id_path": "payment", "temporal_field": "payment_date",
        "fields": {
            "transaction_id": {"property": "dcterms:identifier"},
            "payment_date": {"property": "dcterms:date"},
            "supplier_name": {"property": "fivestar:supplierName"},
            "supplier_postcode": {
                "values": "template",
                "template": "http://data.ordnancesurvey.co.uk/id/postcodedistrict/{value}"},
            "description": {"property": "dcterms:description"},
        }, **linked,
    }
    spec = _base("test-spend", "record", fields, linked_data=mapping)
    spec["schema"]["primaryKey"] = ["transaction_id"]
    spec["release"] = {"frequency": "monthly", "start": "2024-01-01"}
    return DatasetSpec.model_validate(spec)


def records_frame(rows: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    texts = np.array(['Office chairs, "ergonomic"', "=HYPERLINK(\"http://x\")", "-5",
                      "Line one\nline two", "@SUM(A1)", "Consultancy – phase 2", "+44 20",
                      "Back\\slash"], dtype=object)
    return pd.DataFrame({
        "transaction_id": pd.array([f"T{n:07d}" for n in range(rows)], dtype="string"),
        "payment_date": pd.to_datetime("2024-01-01") + pd.to_timedelta(
            rng.integers(0, 31, rows), unit="D"),
        "expense_type": pd.array(rng.choice(["IT", "Estates", "Travel"], rows), dtype="string"),
        "supplier_name": pd.array(rng.choice(["Acme Ltd", "Widgets plc"], rows),
                                  dtype="string"),
        "supplier_postcode": pd.array(rng.choice(["SW1A", "M1", "CF10"], rows), dtype="string"),
        "amount": rng.integers(2_500_000, 90_000_000, rows) / 100,
        "description": pd.array(texts[np.arange(rows) % len(texts)], dtype="string"),
    })


PROVENANCE = Provenance(
    dataset_id="test", activity_id="0123456789abcdef", extract_sha256="ab" * 32,
    spec_sha256="cd" * 32, pipeline_version="0.1.0+gtest", partition="2024-Q1",
    validation=ValidationReport(dataset="test", suite="test.json", rows=100,
                                warnings=[Problem("w", "a warning")]),
    redaction=RedactionReport(
        dataset="test", rows_in=100, rows_out=100,
        fields={"notes": FieldReport(rule="scrub", values_changed=3,
                                     scrubbed_by_type={"EMAIL": 3}),
                "name": FieldReport(rule="drop", dropped=True)},
        sdc=SDCReport(measure="count", threshold=10, zero="publish", marker="[c]",
                      primary_suppressed=5, secondary_suppressed=2)),
)
