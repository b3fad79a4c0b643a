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

from fivestar_dev.demo_accounts import create_demo_users
from pipelines.contracts import FileInfo, FileRole, Stars
from pipelines.contracts.provenance import Revision
from pipelines.release.authority import Authority
from pipelines.release.embargo import Clock, system_clock
from pipelines.release.home import ServiceConfig, ServiceHome
from pipelines.release.stage import StagedRelease, release_payload, stage_release
from pipelines.reports import ReportFile
from pipelines.spec import DatasetSpec

STARS = Stars(rating=5, evidence={"1": "OGL-UK-3.0 licence", "2": "CSV present",
                                  "3": "non-proprietary formats", "4": "HTTP URIs for things",
                                  "5": "links to ONS geography URIs"},
              passed={str(n): True for n in range(1, 6)})


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


def converted_files(dataset_id: str = "asylum-claims", title: str = "Asylum claims",
                    extra: list[str] | None = None) -> list[FileInfo]:
    """How conversion would describe the files :func:`write_converted` writes.

    ``extra`` names further files in the folder, described as opaque downloads.
    """
    files = [
        FileInfo(path=f"{dataset_id}.csv", role=FileRole.data, media_type="text/csv",
                 format="CSV", title=f"{title} (CSV)", description="One row per area and "
                 "quarter."),
        FileInfo(path=f"{dataset_id}.csv-metadata.json", role=FileRole.csvw,
                 media_type="application/csvm+json", format="JSON",
                 title=f"{title} (CSVW metadata)", description="CSVW metadata."),
        FileInfo(path=f"{dataset_id}.ttl", role=FileRole.rdf, media_type="text/turtle",
                 format="RDF_TURTLE", title=f"{title} (Turtle)", description="Data cube."),
    ]
    files += [FileInfo(path=name, role=FileRole.metadata, media_type="application/octet-stream",
                       format="", title=name, description="") for name in extra or []]
    return files


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


def synthetic_reports() -> dict[str, ReportFile]:
    """A passing validation report with one warning, and a redaction report."""
    from pipelines.contracts import RedactionReport, ValidationReport
    from pipelines.errors import Location, Problem
    from pipelines.reports import redaction_files, validation_files

    validation = ValidationReport(dataset="asylum-claims", suite="asylum-claims.json", rows=3,
                                  warnings=[Problem("w1", "column `claims` has an outlier",
                                                    Location(field="claims"))])
    return {**validation_files(validation),
            **redaction_files(RedactionReport(dataset="asylum-claims", rows_in=3, rows_out=3))}


DEFAULT_ROWS: list[tuple[str, str, int | str]] = [
    ("E23000001", "2024-Q4", 120), ("E23000002", "2024-Q4", "[c]"), ("W15000001", "2024-Q4", 87)]


_DEMO_USERS_YAML: bytes | None = None


def make_authority(base: Path, *, clock: Clock = system_clock, ckan: Any = None,
                   db_url: str | None = None, releases_root: Path | None = None) -> Authority:
    """A review service home under ``base/review`` with the demo accounts, opened.

    The accounts are hashed once per process (argon2 is slow on purpose).
    """
    global _DEMO_USERS_YAML
    home = ServiceHome(base / "review")
    home.init(ServiceConfig(db_url=db_url,
                            releases_root=str(releases_root or base / "releases")))
    if _DEMO_USERS_YAML is None:
        _DEMO_USERS_YAML = create_demo_users(base / "demo-users.yaml").read_bytes()
    if not home.users_path.exists():
        home.users_path.write_bytes(_DEMO_USERS_YAML)
        home.users_path.chmod(0o600)
    return Authority(home, clock=clock, ckan=ckan)


def register(authority: Authority, staged: StagedRelease, user: str = "stats.demo",
             now: datetime | None = None):
    """Register a staged release as ``user`` would: a ticket, then the payload."""
    account = authority.user(user)
    if account is None:
        raise ValueError(f"no account {user}")
    saved = authority.clock
    if now is not None:
        authority.clock = lambda: now
    try:
        ticket, _ = authority.issue_ticket(account, staged.manifest["dataset_id"])
        manifest_bytes, reports = release_payload(staged)
        return authority.register_staging(ticket, manifest_bytes, reports)
    finally:
        authority.clock = saved


def stage_synthetic(base: Path, authority: Authority | None = None, *,
                    spec: DatasetSpec | None = None,
                    rows: list[tuple[str, str, int | str]] | None = None,
                    user: str = "stats.demo", releases_root: Path | None = None,
                    stars: Stars | None = None, now: datetime | None = None,
                    work: str = "work", baseline: Path | None = None,
                    reports: dict[str, ReportFile] | None = None,
                    revision: Revision | None = None) -> StagedRelease:
    """Stage a synthetic release under ``base`` (converted files in ``base/work``) and,
    given an ``authority``, register it as ``user``."""
    spec = spec or make_spec()
    work_dir = base / work / spec.id
    converted = write_converted(work_dir / "converted", rows or DEFAULT_ROWS,
                                dataset_id=spec.id)
    staged = stage_release(
        spec, converted, converted_files(spec.id, spec.title),
        synthetic_reports() if reports is None else reports,
        extract_sha256="b" * 64, period="2024-Q4", stars=stars or STARS,
        row_counts={"extract": len(rows or DEFAULT_ROWS)},
        releases_root=releases_root or base / "releases", baseline=baseline,
        pipeline_version="0.1.0+test", revision=revision,
    )
    if authority is not None:
        register(authority, staged, user, now)
    return staged
