"""The release manifest: canonical JSON whose sha256 *is* the release id.

Everything downstream (the champion's approval, the publication gate, the
publisher) trusts a release only through its manifest, so the manifest must
be reproducible byte for byte: keys sorted, compact separators, UTF-8, no
timestamps that are not derived from the inputs. The bytes written to
``manifest.json`` are exactly the canonical bytes, so
``sha256sum manifest.json`` prints the release id.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from pipelines.contracts.conversion import FileInfo, FileRole
from pipelines.contracts.manifest import (
    Manifest,
    ManifestCatalogue,
    ManifestFile,
    ManifestStars,
    ReportEntry,
    manifest_shape_errors,
)
from pipelines.errors import FivestarError, Location, Problem

MANIFEST_NAME = "manifest.json"
#: 2: reports are listed with their size and sha256 (bound to the release id).
MANIFEST_VERSION = 2
#: Folder inside a release holding the reports (not public files).
REPORTS_DIR = "reports"

_RELEASE_ID = re.compile(r"^[0-9a-f]{64}$")
_CHUNK = 1024 * 1024


class ManifestError(FivestarError):
    """A manifest is missing, malformed, or does not match the files beside it."""


def canonical_json(manifest: Manifest) -> bytes:
    """The one byte representation of a manifest (the contract in ARCHITECTURE.md)."""
    return json.dumps(
        manifest, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def manifest_id(manifest: Manifest) -> str:
    """The release id: sha256 of the canonical manifest bytes."""
    return hashlib.sha256(canonical_json(manifest)).hexdigest()


def is_release_id(value: str) -> bool:
    """True for a full lowercase sha256 hex digest."""
    return bool(_RELEASE_ID.fullmatch(value))


def sha256_file(path: Path) -> str:
    """Stream a file through sha256 (releases can hold files of hundreds of MB)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def count_csv_rows(path: Path) -> int:
    """Data rows of a CSV (header excluded), counting records, not physical lines."""
    import csv

    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader, None)
        return sum(1 for _ in reader)


def file_entry(root: Path, info: FileInfo) -> ManifestFile:
    """A manifest ``files`` entry: as the writer described it, with size and hash measured.

    Measured facts always win over declared ones; a data CSV whose writer did
    not count its rows is counted here.
    """
    path = root / info.path
    entry: ManifestFile = {
        **info.model_dump(mode="json", exclude_none=True),
        "bytes": path.stat().st_size,
        "sha256": sha256_file(path),
    }
    if info.role == FileRole.data and info.media_type == "text/csv" and info.rows is None:
        entry["rows"] = count_csv_rows(path)
    return entry


def build_manifest(
    *,
    dataset_id: str,
    period: str | None,
    spec_sha256: str,
    extract_sha256: str,
    pipeline_version: str,
    files: list[ManifestFile],
    catalogue: ManifestCatalogue,
    stars: ManifestStars,
    reports: dict[str, ReportEntry],
    row_counts: dict[str, int],
) -> Manifest:
    """Assemble a manifest in the documented shape (files sorted by path).

    ``reports`` maps a report name to ``{"path", "bytes", "sha256"}``: the
    reports the champion reads are bound to the release id exactly like the
    public files, so a forged diff or redaction figure is a different release.
    """
    paths = [f["path"] for f in files]
    if len(set(paths)) != len(paths):
        raise ManifestError("two public files share a path")
    return {
        "manifest_version": MANIFEST_VERSION,
        "dataset_id": dataset_id,
        "period": period,
        "spec_sha256": spec_sha256,
        "extract_sha256": extract_sha256,
        "pipeline_version": pipeline_version,
        "files": sorted(files, key=lambda f: f["path"]),
        "catalogue": catalogue,
        "stars": stars,
        "reports": dict(sorted(reports.items())),
        "row_counts": row_counts,
    }


def write_manifest(release_dir: Path, manifest: Manifest) -> str:
    """Write the canonical bytes; return the release id."""
    data = canonical_json(manifest)
    (release_dir / MANIFEST_NAME).write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def report_entry(root: Path, rel_path: str) -> ReportEntry:
    """A manifest ``reports`` entry: path, measured size and sha256."""
    path = root / rel_path
    return {"path": rel_path, "bytes": path.stat().st_size, "sha256": sha256_file(path)}


def load_manifest(release_dir: Path) -> tuple[Manifest, str]:
    """Read a release's manifest and its id (sha256 of the bytes on disk).

    Refuses a manifest whose bytes are not canonical: the id must be
    reproducible from the content, so a hand-edited, re-indented manifest is
    a different (unapproved) release, not the same one. A symlinked manifest
    is refused too: a release folder holds regular files only.
    """
    path = Path(release_dir) / MANIFEST_NAME
    shown = str(path)
    if path.is_symlink() or Path(release_dir).is_symlink():
        raise ManifestError(Problem("symlink", "manifest.json or its folder is a symlink",
                                    Location(file=shown)))
    try:
        data = path.read_bytes()
    except OSError:
        raise ManifestError(Problem("manifest-missing", "no readable manifest.json",
                                    Location(file=shown))) from None
    return parse_manifest(data, shown)


def parse_manifest(data: bytes, shown: str = MANIFEST_NAME) -> tuple[Manifest, str]:
    """A manifest and its id from its bytes: canonical form, version and shape checked.

    The shape check is closed and strict (:func:`manifest_shape_errors`): what
    the gate, the service and the publisher read from a manifest is there, with
    its type, or nothing trusts it.
    """
    try:
        manifest = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ManifestError(Problem("manifest-malformed", "manifest.json is not valid JSON",
                                    Location(file=shown))) from None
    if not isinstance(manifest, dict) or canonical_json(manifest) != data:
        raise ManifestError(Problem("manifest-not-canonical",
                                    "manifest.json is not in canonical form",
                                    Location(file=shown)))
    if manifest.get("manifest_version") != MANIFEST_VERSION:
        raise ManifestError(Problem("manifest-version", "unsupported manifest_version",
                                    Location(file=shown, field="manifest_version")))
    shape = manifest_shape_errors(manifest)
    if shape:
        raise ManifestError([Problem("manifest-shape", f"manifest.json: {message}",
                                     Location(file=shown, field=key or None))
                             for key, message in shape])
    return manifest, hashlib.sha256(data).hexdigest()


def _safe_rel(rel: str) -> bool:
    parts = Path(rel).parts
    return bool(parts) and not Path(rel).is_absolute() and ".." not in parts


def _listed(manifest: Manifest) -> list[ManifestFile | ReportEntry]:
    """Every file the manifest binds: public files, then reports."""
    return [*manifest["files"], *manifest["reports"].values()]


def verify_files(release_dir: Path, manifest: Manifest) -> list[Problem]:
    """Re-hash every public file and report against the manifest.

    A problem for each file that is missing, has a different size or hash,
    is a symlink (never followed: it could point anywhere on the host), or is
    present in the release folder without being listed (an extra file could
    otherwise ride along with an approved release).
    """
    release_dir = Path(release_dir)
    problems: list[Problem] = []
    listed: set[str] = set()
    if release_dir.is_symlink():
        return [Problem("symlink", "the release folder is a symlink",
                        Location(file=release_dir.name))]
    for entry in _listed(manifest):
        rel = entry["path"]
        listed.add(rel)
        loc = Location(file=rel)
        if not _safe_rel(rel):
            problems.append(Problem("bad-path", "file path escapes the release folder", loc))
            continue
        path = release_dir / rel
        if any(p.is_symlink() for p in (path, *list(path.parents)[:len(Path(rel).parts) - 1])):
            problems.append(Problem("symlink", "a symlink in the release; only regular files "
                                    "are published", loc))
            continue
        if not path.is_file():
            problems.append(Problem("file-missing", "listed in the manifest but missing", loc))
            continue
        if path.stat().st_size != entry["bytes"]:
            problems.append(Problem("size-mismatch", "size differs from the manifest", loc))
            continue
        if sha256_file(path) != entry["sha256"]:
            problems.append(Problem("sha256-mismatch", "sha256 differs from the manifest", loc))
    for path in sorted(release_dir.rglob("*")):
        rel = path.relative_to(release_dir).as_posix()
        if path.is_symlink():
            if rel not in listed:
                problems.append(Problem("symlink", "a symlink in the release; only regular "
                                        "files are published", Location(file=rel)))
            continue
        if not path.is_file() or rel == MANIFEST_NAME or rel in listed:
            continue
        problems.append(Problem("file-unlisted", "file in the release is not in the manifest",
                                Location(file=rel)))
    return problems


def data_file(manifest: Manifest) -> ManifestFile | None:
    """The main public CSV (first ``data`` file with a CSV media type), if any."""
    for entry in manifest["files"]:
        if entry["role"] == FileRole.data and entry["media_type"] == "text/csv":
            return entry
    return None
