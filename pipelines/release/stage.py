"""Staging: turn conversion outputs into an immutable, content-addressed release.

``releases/<dataset>/<release-id>/`` holds every public file, ``manifest.json``
(release id = its sha256) and ``reports/`` (validation, redaction, diff).

* Deterministic: the manifest is built only from the inputs (file bytes,
  spec and extract hashes, spec metadata), never from the clock, so restaging
  unchanged inputs yields the same id and finds the existing folder.
* One copy: each public file is *moved* (renamed) from the converted folder
  into the temporary folder and re-hashed there; if staging fails the files
  are moved back. An identical existing release is reused and the converted
  files are left where they are.
* Immutable: built in a temporary folder, re-hashed after moving, moved into
  place atomically, then its files are made read-only. An existing folder whose files no
  longer match its manifest is never overwritten or reused: staging fails.
* Reports bound: the reports (validation, redaction, diff) are listed in the
  manifest with their sha256, so they are part of the release id.
* Registered, not recorded here: the pipeline host cannot write the audit
  log. ``pipelines.release.stage_and_register`` hands the manifest and reports
  to the review service with the stager's signed ticket; the service records
  the ``staged`` entry under the ticket's user and role.
"""

from __future__ import annotations

import os
import shutil
import stat
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pipelines import paths
from pipelines.contracts.catalogue import CatalogueRecord
from pipelines.contracts.conversion import (
    ConversionResult,
    FileInfo,
    FileRole,
    Stars,
    TemporalCoverage,
)
from pipelines.contracts.provenance import Revision, version_uri
from pipelines.errors import FivestarError, Location, Problem
from pipelines.periods import period_bounds
from pipelines.prerelease.access import access_list
from pipelines.prerelease.statement import write_statement
from pipelines.release.diff import diff_releases
from pipelines.release.manifest import (
    MANIFEST_NAME,
    REPORTS_DIR,
    Manifest,
    ReportEntry,
    build_manifest,
    canonical_json,
    file_entry,
    load_manifest,
    manifest_id,
    report_entry,
    verify_files,
    write_manifest,
)
from pipelines.reports import ReportFile, redaction_files, validation_files
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


def catalogue_record(spec: DatasetSpec, period: str | None, stars: Stars, *,
                     extract_sha256: str = "", dataset_uri: str | None = None,
                     temporal: TemporalCoverage | None = None) -> CatalogueRecord:
    """The CKAN dataset record, from the spec and what conversion measured.

    Only input-derived values: the release date is the spec's pre-announced
    ``next_release``, the version is the period (or the extract hash), the
    temporal coverage is conversion's, else the period's bounds.
    """
    if temporal is None or not (temporal.start or temporal.end):
        start, end = period_bounds(period)
        temporal = TemporalCoverage(start=start, end=end)
    nxt = spec.release.next_release
    return CatalogueRecord(
        name=spec.id, title=spec.title, notes=spec.description, tags=list(spec.keywords),
        theme=spec.theme, license_id=CKAN_LICENCES.get(spec.licence, spec.licence),
        publisher_name=spec.publisher.name, publisher_uri=spec.publisher.uri,
        contact_name=spec.publisher.contact_name, contact_email=spec.publisher.contact_email,
        frequency=spec.release.frequency.value,
        temporal_start=temporal.start, temporal_end=temporal.end,
        spatial=spec.linked_data.spatial_label, spatial_uri=spec.linked_data.spatial,
        uri=dataset_uri,
        version=period or (extract_sha256[:12] if extract_sha256 else None),
        release_date=nxt.isoformat() if nxt else None,
        five_star_rating=stars.rating, five_star_evidence=stars.evidence)


def _public_files(converted_dir: Path) -> list[str]:
    out = []
    for path in sorted(converted_dir.rglob("*")):
        rel = path.relative_to(converted_dir)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if path.is_symlink():
            raise StagingError(Problem("symlink", "public files must be regular files",
                                       Location(file=rel.as_posix())))
        if path.is_file():
            out.append(rel.as_posix())
    return out


def _make_read_only(root: Path) -> None:
    """Files 0400: the release is not to be edited in place, and (like everything
    in the state folder, see ``pipelines.state``) not readable by other users.

    Folders stay writable by the owner (0700) so the state folder can still be
    wiped with one ``rm -rf``; an added file is caught anyway, since
    ``verify_files`` refuses any file the manifest does not list.
    """
    from pipelines import state

    for path in root.rglob("*"):
        if path.is_file():
            path.chmod(stat.S_IRUSR)
    state.share_release(root)  # the review service re-hashes and shows it (its group only)


def _move(src: Path, dest: Path) -> None:
    """Rename (one copy of the bytes); copy then delete only across filesystems."""
    try:
        os.replace(src, dest)
    except OSError:
        shutil.copyfile(src, dest)
        src.unlink()


def _remove_tree(path: Path) -> None:
    """Remove a half-built staging folder (restoring write permission first)."""
    if not path.exists():
        return
    for p in [path, *path.rglob("*")]:
        if p.is_dir():
            p.chmod(0o700)
    shutil.rmtree(path, ignore_errors=True)


def stage_release(
    spec: DatasetSpec,
    converted_dir: Path,
    files: list[FileInfo],
    reports: Mapping[str, ReportFile],
    *,
    extract_sha256: str,
    period: str | None,
    stars: Stars,
    catalogue: CatalogueRecord | None = None,
    row_counts: dict[str, int] | None = None,
    releases_root: Path | None = None,
    baseline: Path | None = None,
    pipeline_version: str | None = None,
    revision: Revision | None = None,
) -> StagedRelease:
    """Stage ``converted_dir`` as an immutable release; see the module docstring.

    ``files`` describes every public file in ``converted_dir`` (a file nobody
    described is refused, never guessed at); size, hash and CSV row counts are
    measured here. ``reports`` maps a report's manifest name (``validation``,
    ``redaction``, …) to its file; the diff against ``baseline`` (the folder of
    the dataset's last published release, if any) is computed here.
    ``revision`` makes it a correction: a new version with notes, and no
    pre-announced date.
    """
    converted_dir = Path(converted_dir)
    if not converted_dir.is_dir():
        raise StagingError("converted files folder is missing", file=converted_dir.name)
    rels = _public_files(converted_dir)
    if not rels:
        raise StagingError("no public files to stage", file=converted_dir.name)
    described = {f.path: f for f in files}
    problems = [Problem("file-missing", "described by conversion but not present",
                        Location(file=p)) for p in sorted(set(described) - set(rels))]
    problems += [Problem("file-undescribed", "in the converted folder but not described by "
                         "conversion", Location(file=p)) for p in rels if p not in described]
    if problems:
        raise StagingError(problems)
    entries = [file_entry(converted_dir, described[rel]) for rel in rels]

    report_paths = {name: f"{REPORTS_DIR}/{r.filename}" for name, r in sorted(reports.items())}
    report_paths["diff"] = f"{REPORTS_DIR}/diff.json"
    if len(set(report_paths.values())) != len(report_paths):
        raise StagingError("two reports share a file name")

    counts = dict(row_counts or {})
    if "published" not in counts:
        data = [e for e in entries if e["role"] == FileRole.data and "rows" in e]
        if data:
            counts["published"] = data[0]["rows"]
    if pipeline_version is None:
        from pipelines.version import pipeline_version as current_version

        pipeline_version = current_version()
    record = catalogue or catalogue_record(spec, period, stars, extract_sha256=extract_sha256)
    if revision is not None:  # a correction is not the pre-announced release: no date
        record = record.model_copy(update={
            "release_date": None, "version": revision.version,
            "version_notes": revision.notes,
            "previous_version": version_uri(record.uri, revision.previous_version)
            if record.uri else None})
    root = Path(releases_root) if releases_root else paths.releases_dir()
    dataset_dir = root / spec.id
    dataset_dir.mkdir(parents=True, exist_ok=True)

    def manifest_with(report_entries: dict[str, ReportEntry]) -> Manifest:
        manifest = build_manifest(
            dataset_id=spec.id, period=period, spec_sha256=spec.spec_sha256,
            extract_sha256=extract_sha256, pipeline_version=pipeline_version, files=entries,
            catalogue=record.manifest_json(), stars=stars.model_dump(mode="json"),
            reports=report_entries, row_counts=counts,
        )
        if revision is not None:
            manifest["revision"] = revision.model_dump(mode="json")
        return manifest

    tmp = dataset_dir / f".staging-{uuid.uuid4().hex}"
    moved: list[str] = []
    try:
        # Reports first (small): the release id covers them, so it is known only now.
        (tmp / REPORTS_DIR).mkdir(parents=True)
        for report in reports.values():
            report.write(tmp / REPORTS_DIR)
        diff = diff_releases(converted_dir, manifest_with({}), baseline,
                             spec.table_schema.primary_key)
        (tmp / report_paths["diff"]).write_text(diff.to_json(), encoding="utf-8")
        manifest = manifest_with({name: report_entry(tmp, rel)
                                  for name, rel in report_paths.items()})
        rid = manifest_id(manifest)
        final = dataset_dir / rid
        if final.exists():
            _remove_tree(tmp)
            return _reuse(final, rid, spec)
        for rel in rels:  # one copy: moved (renamed) in, given back if staging fails
            dest = tmp / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            _move(converted_dir / rel, dest)
            moved.append(rel)
        problems = verify_files(tmp, manifest)
        if problems:  # the converted folder changed while we were copying it
            raise StagingError([Problem("changed-during-staging",
                                        "converted files changed while staging"), *problems])
        if write_manifest(tmp, manifest) != rid:
            raise StagingError("manifest bytes changed while writing")
        try:
            os.rename(tmp, final)
        except OSError:
            if final.exists():  # staged concurrently by another run: same bytes, same id
                _remove_tree(tmp)
                return _reuse(final, rid, spec)
            raise
    except BaseException:
        for rel in moved:  # the converted folder gets its files back
            if (tmp / rel).exists():
                (converted_dir / rel).parent.mkdir(parents=True, exist_ok=True)
                _move(tmp / rel, converted_dir / rel)
        _remove_tree(tmp)
        raise
    _make_read_only(final)
    return StagedRelease(id=rid, path=final, manifest=manifest, created=True)


def _reuse(final: Path, rid: str, spec: DatasetSpec) -> StagedRelease:
    """Return an already staged identical release, after proving it is intact."""
    existing, existing_id = load_manifest(final)
    problems = verify_files(final, existing)
    if existing_id != rid or problems:
        raise StagingError([Problem(
            "release-tampered", "an existing release folder with this id no longer matches "
            "its manifest; investigate before restaging", Location(file=f"{spec.id}/{rid}")),
            *problems])
    return StagedRelease(id=rid, path=final, manifest=existing, created=False)


def release_payload(staged: StagedRelease) -> tuple[bytes, dict[str, bytes]]:
    """What the review service receives at registration: manifest bytes and reports."""
    reports = {name: (staged.path / entry["path"]).read_bytes()
               for name, entry in (staged.manifest.get("reports") or {}).items()}
    return canonical_json(staged.manifest), reports


def stage_conversion(spec: DatasetSpec, result: ConversionResult, *,
                     baseline: Path | None = None,
                     releases_root: Path | None = None) -> StagedRelease:
    """Stage what conversion wrote, with the reports its provenance carries."""
    prov = result.provenance
    reports: dict[str, ReportFile] = {}
    if prov.validation is not None:
        reports.update(validation_files(prov.validation))
    if prov.redaction is not None:
        reports.update(redaction_files(prov.redaction))
    counts = {"published": result.rows_published}
    if prov.validation is not None:
        counts["extract"] = prov.validation.rows
    record = catalogue_record(spec, prov.partition, result.stars,
                              extract_sha256=prov.extract_sha256,
                              dataset_uri=result.dataset_uri, temporal=result.temporal)
    # published with the release: who may see it before publication (GOV.UK practice)
    statement = write_statement(access_list(spec), result.out_dir)
    return stage_release(
        spec, result.out_dir, [*result.files, statement], reports,
        extract_sha256=prov.extract_sha256, period=prov.partition, stars=result.stars,
        catalogue=record, row_counts=counts, releases_root=releases_root, baseline=baseline,
        pipeline_version=prov.pipeline_version, revision=prov.revision)


__all__ = ["StagedRelease", "StagingError", "catalogue_record", "release_payload",
           "stage_conversion", "stage_release", "MANIFEST_NAME"]
