"""Small synthetic releases for the governance tests (unit, review app, browser).

Governance does not care how files were converted, only about their bytes,
so tests build a spec, a ``converted/`` folder and reports by hand here
instead of running the whole pipeline.
"""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from pipelines.release.audit import AuditStore
from pipelines.release.stage import StagedRelease, stage_release
from pipelines.spec import DatasetSpec

STARS = {"rating": 5, "evidence": {"1": "OGL-UK-3.0 licence", "2": "CSV present",
                                   "3": "non-proprietary formats", "4": "HTTP URIs for things",
                                   "5": "links to ONS geography URIs"}}


def make_spec(dataset_id: str = "asylum-claims", *, title: str = "Asylum claims",
              next_release: str | None = None, primary_key: list[str] | None = None) -> DatasetSpec:
    """A valid spec for a small aggregate dataset."""
    data: dict[str, Any] = {
        "id": dataset_id,
        "title": title,
        "description": "Synthetic test dataset.",
        "keywords": ["test"],
        "theme": "crime-and-justice",
        "publisher": {"contact_name": "Statistics team", "contact_email": "stats@example.org"},
        "iar": {"asset_id": "IA-1", "information_asset_owner": "Head of Stats",
                "protective_marking": "OFFICIAL", "retention": "7 years"},
        "source": {"format": "csv", "path": "extract.csv"},
        "schema": {"fields": [{"name": "area", "type": "string"},
                              {"name": "quarter", "type": "string"},
                              {"name": "claims", "type": "integer"}],
                   "primaryKey": primary_key if primary_key is not None else ["area", "quarter"]},
        "release": {"next_release": next_release} if next_release else {},
    }
    spec = DatasetSpec.model_validate(data)
    spec.spec_sha256 = "a" * 64
    return spec


def write_converted(out_dir: Path, rows: list[tuple[str, str, int | str]], *,
                    dataset_id: str = "asylum-claims") -> Path:
    """A converted folder: the CSV, a CSVW metadata file and a Turtle file."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with (out_dir / f"{dataset_id}.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(["area", "quarter", "claims"])
        writer.writerows(rows)
    (out_dir / f"{dataset_id}.csv-metadata.json").write_text(json.dumps(
        {"@context": "http://www.w3.org/ns/csvw", "url": f"{dataset_id}.csv"}), encoding="utf-8")
    (out_dir / f"{dataset_id}.ttl").write_text(
        "@prefix qb: <http://purl.org/linked-data/cube#> .\n", encoding="utf-8")
    return out_dir


def write_reports(reports_dir: Path) -> dict[str, Path]:
    reports_dir.mkdir(parents=True, exist_ok=True)
    validation = reports_dir / "validation.json"
    validation.write_text(json.dumps({"passed": True, "errors": [], "warnings": [
        {"code": "w1", "message": "column `claims` has an outlier", "field": "claims"}],
        "rows": 3}), encoding="utf-8")
    redaction = reports_dir / "redaction.json"
    redaction.write_text(json.dumps({"suppressed_primary": 1, "suppressed_secondary": 1,
                                     "fields_dropped": ["name"]}), encoding="utf-8")
    return {"validation": validation, "redaction": redaction}


DEFAULT_ROWS: list[tuple[str, str, int | str]] = [
    ("E23000001", "2024-Q4", 120), ("E23000002", "2024-Q4", "[c]"), ("W15000001", "2024-Q4", 87)]


def stage_synthetic(base: Path, store: AuditStore, *, spec: DatasetSpec | None = None,
                    rows: list[tuple[str, str, int | str]] | None = None,
                    user: str = "stats.demo", releases_root: Path | None = None,
                    stars: dict[str, Any] | None = None, now: datetime | None = None,
                    work: str = "work") -> StagedRelease:
    """Stage a synthetic release under ``base`` (converted files in ``base/work``)."""
    spec = spec or make_spec()
    work_dir = base / work / spec.id
    converted = write_converted(work_dir / "converted", rows or DEFAULT_ROWS,
                                dataset_id=spec.id)
    reports = write_reports(work_dir / "reports")
    return stage_release(
        spec, converted, reports, extract_sha256="b" * 64, period="2024-Q4",
        stars=stars or STARS, catalogue={}, files_meta=[
            {"path": f"{spec.id}.csv", "title": f"{spec.title} (CSV)",
             "description": "One row per area and quarter."}],
        row_counts={"extract": len(rows or DEFAULT_ROWS)},
        releases_root=releases_root or base / "releases", user=user, store=store, now=now,
        pipeline_version="0.1.0+test",
    )
