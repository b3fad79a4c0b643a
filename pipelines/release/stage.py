"""Staging: turn conversion outputs into an immutable, content-addressed release.

``releases/<dataset>/<release-id>/`` holds every public file, ``manifest.json``
(release id = its sha256) and ``reports/`` (validation, redaction, diff).

* Deterministic: the manifest is built only from the inputs (file bytes,
  spec and extract hashes, spec metadata), never from the clock, so restaging
  unchanged inputs yields the same id and finds the existing folder.
* Immutable: built in a temporary folder, re-hashed after copying, moved into
  place atomically, then its files are made read-only. An existing folder whose files no
  longer match its manifest is never overwritten or reused: staging fails.
* Recorded: a ``staged`` audit entry names who staged it, which is what
  separation of duties checks at approval.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import stat
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pipelines import paths
from pipelines.errors import FivestarError, Location, Problem
from pipelines.periods import period_bounds
from pipelines.release.approvals import ANONYMOUS, last_published, record_staged
from pipelines.release.audit import AuditStore
from pipelines.release.diff import diff_releases
from pipelines.release.manifest import (
    MANIFEST_NAME,
    REPORTS_DIR,
    Manifest,
    build_manifest,
    file_entry,
    load_manifest,
    manifest_id,
    verify_files,
    write_manifest,
)
from pipelines.spec import DatasetSpec

#: Spec licence → CKAN licence id.
CKAN_LICENCES = {"OGL-UK-3.0": "uk-ogl", "CC-BY-4.0": "cc-by", "CC0-1.0": "cc-zero"}


class StagingError(FivestarError):
    """A release cannot be staged (missing inputs, or an existing release was altered)."""


@dataclass(frozen=True)
class StagedRelease:
    """A staged release: its id (manifest sha256), folder and manifest."""

    id: str
    path: Path
    manifest: Manifest
    #: False when an identical release was already staged (same id, same folder).
    created: bool = True


def build_catalogue(spec: DatasetSpec, period: str | None, stars: dict[str, Any],
                    extra: dict[str, Any] | None = None,
                    extract_sha256: str = "") -> dict[str, Any]:
    """The CKAN dataset metadata, from the spec; conversion's ``extra`` values win.

    Only input-derived values: the release date is the spec's pre-announced
    ``next_release``, the version is the period (or the extract hash).
    """
    start, end = period_bounds(period)
    nxt = spec.release.next_release
    catalogue: dict[str, Any] = {
        "name": spec.id,
        "title": spec.title,
        "notes": spec.description,
        "tags": list(spec.keywords),
        "theme": spec.theme,
        "license_id": CKAN_LICENCES.get(spec.licence, spec.licence),
        "publisher_name": spec.publisher.name,
        "publisher_uri": spec.publisher.uri,
        "contact_name": spec.publisher.contact_name,
        "contact_email": spec.publisher.contact_email,
        "frequency": spec.release.frequency.value,
        "temporal_start": start,
        "temporal_end": end,
        "version": period or (extract_sha256[:12] if extract_sha256 else None),
        "release_date": nxt.isoformat() if nxt else None,
        "five_star_rating": stars.get("rating"),
        "five_star_evidence": stars.get("evidence", {}),
    }
    for k, v in (extra or {}).items():
        if v is not None:
            catalogue[k] = v
    return {k: v for k, v in catalogue.items() if v is not None}


def _public_files(converted_dir: Path) -> list[str]:
    out = []
    for path in sorted(converted_dir.rglob("*")):
        rel = path.relative_to(converted_dir)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if path.is_file():
            out.append(rel.as_posix())
        elif path.is_symlink():
            raise StagingError(Problem("symlink", "public files must be regular files",
                                       Location(file=rel.as_posix())))
    return out


def _make_read_only(root: Path) -> None:
    """Files 0444: the release is not to be edited in place.

    Folders stay writable (0755) so the state folder can still be wiped with
    one ``rm -rf``; an added file is caught anyway, since ``verify_files``
    refuses any file the manifest does not list.
    """
    for path in root.rglob("*"):
        if path.is_file():
            path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)


def _remove_tree(path: Path) -> None:
    """Remove a half-built staging folder (restoring write permission first)."""
    if not path.exists():
        return
    for p in [path, *path.rglob("*")]:
        if p.is_dir():
            p.chmod(0o755)
    shutil.rmtree(path, ignore_errors=True)


def stage_release(
    spec: DatasetSpec,
    converted_dir: Path,
    reports: dict[str, Path],
    *,
    extract_sha256: str,
    period: str | None,
    stars: dict[str, Any],
    catalogue: dict[str, Any] | None = None,
    files_meta: list[dict[str, Any]] | None = None,
    row_counts: dict[str, Any] | None = None,
    releases_root: Path | None = None,
    user: str,
    store: AuditStore | None = None,
    now: datetime | None = None,
    pipeline_version: str | None = None,
) -> StagedRelease:
    """Stage ``converted_dir`` as an immutable release; see the module docstring.

    ``reports`` maps a report name (``validation``, ``redaction``, …) to a file
    that is copied into ``reports/``; the diff is computed here.
    ``files_meta`` entries (keyed by ``path``) describe files (title, role,
    media type…); size, hash and CSV row counts are always measured.
    """
    if (user or "").strip().lower() in ANONYMOUS:
        raise StagingError(Problem(
            "stager_unknown", "nobody is named as the stager; sign in (fivestar stage --user "
            "NAME) so separation of duties can be checked", Location(field="user")))
    converted_dir = Path(converted_dir)
    if not converted_dir.is_dir():
        raise StagingError("converted files folder is missing", file=converted_dir.name)
    rels = _public_files(converted_dir)
    if not rels:
        raise StagingError("no public files to stage", file=converted_dir.name)
    meta_by_path = {m["path"]: m for m in (files_meta or []) if m.get("path")}
    unknown = sorted(set(meta_by_path) - set(rels))
    if unknown:
        raise StagingError([Problem("file_missing", "described by conversion but not present",
                                    Location(file=p)) for p in unknown])
    entries = [file_entry(converted_dir, rel, meta_by_path.get(rel)) for rel in rels]

    report_paths: dict[str, str] = {}
    for name, src in sorted(reports.items()):
        if not Path(src).is_file():
            raise StagingError(f"report `{name}` is missing", file=Path(src).name)
        report_paths[name] = f"{REPORTS_DIR}/{Path(src).name}"
    report_paths["diff"] = f"{REPORTS_DIR}/diff.json"

    counts = dict(row_counts or {})
    if "published" not in counts:
        data = [e for e in entries if e["role"] == "data" and "rows" in e]
        if data:
            counts["published"] = data[0]["rows"]
    if pipeline_version is None:
        from pipelines.version import pipeline_version as current_version

        pipeline_version = current_version()
    manifest = build_manifest(
        dataset_id=spec.id, period=period, spec_sha256=spec.spec_sha256,
        extract_sha256=extract_sha256, pipeline_version=pipeline_version, files=entries,
        catalogue=build_catalogue(spec, period, stars, catalogue, extract_sha256),
        stars=stars, reports=report_paths, row_counts=counts,
    )
    store = store or AuditStore()
    root = Path(releases_root) if releases_root else paths.releases_dir()
    dataset_dir = root / spec.id
    dataset_dir.mkdir(parents=True, exist_ok=True)

    rid = manifest_id(manifest)
    final = dataset_dir / rid
    if final.exists():
        return _reuse(final, rid, spec, store, user, now)

    tmp = dataset_dir / f".staging-{uuid.uuid4().hex}"
    try:
        for rel in rels:
            dest = tmp / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(converted_dir / rel, dest)
        problems = verify_files(tmp, manifest)
        if problems:  # the converted folder changed while we were copying it
            raise StagingError([Problem("changed_during_staging",
                                        "converted files changed while staging"), *problems])
        (tmp / REPORTS_DIR).mkdir(exist_ok=True)
        for name, src in reports.items():
            shutil.copyfile(src, tmp / report_paths[name])
        baseline = last_published(store, spec.id, root)
        diff = diff_releases(tmp, manifest, baseline[1] if baseline else None,
                             spec.table_schema.primary_key)
        (tmp / report_paths["diff"]).write_text(
            json.dumps(diff, indent=2, sort_keys=True, ensure_ascii=False), encoding="utf-8")
        if write_manifest(tmp, manifest) != rid:
            raise StagingError("manifest bytes changed while writing")
        try:
            os.rename(tmp, final)
        except OSError:
            if final.exists():  # staged concurrently by another run: same bytes, same id
                _remove_tree(tmp)
                return _reuse(final, rid, spec, store, user, now)
            raise
    except BaseException:
        _remove_tree(tmp)
        raise
    _make_read_only(final)
    record_staged(store, manifest, rid, user, now=now)
    return StagedRelease(id=rid, path=final, manifest=manifest, created=True)


def _reuse(final: Path, rid: str, spec: DatasetSpec, store: AuditStore, user: str,
           now: datetime | None) -> StagedRelease:
    """Return an already staged identical release, after proving it is intact."""
    existing, existing_id = load_manifest(final)
    problems = verify_files(final, existing)
    if existing_id != rid or problems:
        raise StagingError([Problem(
            "release_tampered", "an existing release folder with this id no longer matches "
            "its manifest; investigate before restaging", Location(file=f"{spec.id}/{rid}")),
            *problems])
    record_staged(store, existing, rid, user, now=now, comment="restaged: identical release")
    return StagedRelease(id=rid, path=final, manifest=existing, created=False)


# -- adapter for the Dagster asset ------------------------------------------


def _as_dict(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if isinstance(value, dict):
        return dict(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    return {}


def _files_meta(files: Any, converted_dir: Path) -> list[dict[str, Any]]:
    """Conversion's file descriptions as manifest-shaped dicts (paths relative)."""
    if isinstance(files, dict):
        files = list(files.values())
    out = []
    for f in files or []:
        if isinstance(f, str | Path):
            continue  # a bare path: metadata is guessed from the name
        d = _as_dict(f)
        p = d.get("path")
        if p is None:
            continue
        p = Path(p)
        if p.is_absolute():
            try:
                p = p.relative_to(converted_dir)
            except ValueError:
                continue
        d["path"] = p.as_posix()
        out.append({k: (str(v) if isinstance(v, Path) else v) for k, v in d.items()})
    return out


def stage_from_conversion(spec: DatasetSpec, result: Any, sc: Any, *,
                          store: AuditStore | None = None,
                          releases_root: Path | None = None) -> StagedRelease:
    """Stage the output of the ``converted`` asset (what ``staged_release`` calls).

    ``sc`` is the asset's StageContext (spec, partition, user, work_dir,
    reports_dir). Reads from the conversion result what it offers (``files``,
    ``stars``, ``catalogue``, ``row_counts``) and measures the rest.
    """
    converted_dir = Path(getattr(result, "out_dir", None) or sc.work_dir / "converted")
    reports: dict[str, Path] = {}
    for name, filename in (("validation", "validation.json"),
                           ("validation_html", "validation.html"),
                           ("redaction", "redaction.json")):
        path = Path(sc.reports_dir) / filename
        if path.is_file():
            reports[name] = path
    stars = _as_dict(getattr(result, "stars", None))
    row_counts = _as_dict(getattr(result, "row_counts", None))
    if "extract" not in row_counts:
        validation = _read_json(reports.get("validation"))
        for k in ("rows", "row_count", "rows_checked"):
            if isinstance(validation.get(k), int):
                row_counts["extract"] = validation[k]
                break
    from pipelines.prerelease.access import access_list
    from pipelines.prerelease.statement import write_statement

    # published with the release: who may see it before publication (GOV.UK practice)
    files_meta = [*_files_meta(getattr(result, "files", None), converted_dir),
                  write_statement(access_list(spec), converted_dir)]
    provenance = _as_dict(getattr(result, "provenance", None))
    extract_sha = provenance.get("extract_sha256")
    if not extract_sha:
        from pipelines import extract as extract_stage

        extract_sha = extract_stage.extract_sha256(spec)
    return stage_release(
        spec, converted_dir, reports,
        extract_sha256=extract_sha,
        period=sc.partition,
        stars=stars,
        catalogue=_as_dict(getattr(result, "catalogue", None)),
        files_meta=files_meta,
        row_counts=row_counts,
        releases_root=releases_root,
        user=sc.user,
        store=store,
    )


def _read_json(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


__all__ = ["StagedRelease", "StagingError", "build_catalogue", "stage_from_conversion",
           "stage_release", "MANIFEST_NAME"]
