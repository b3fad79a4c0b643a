"""The pictures of one staged release, for the review page (and their SVG bytes)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipelines.charts.changes import Comparison, compare, render_svg
from pipelines.charts.suppression import SuppressionView, suppression_view
from pipelines.contracts.manifest import Manifest
from pipelines.release.manifest import data_file, load_manifest
from pipelines.spec import DatasetSpec


@dataclass
class ReleasePictures:
    charts: list[Comparison]
    suppression: SuppressionView | None
    before_label: str
    after_label: str


def _csv(release_dir: Path, manifest: Manifest) -> Path | None:
    entry = data_file(manifest)
    return release_dir / entry["path"] if entry else None


def release_pictures(spec: DatasetSpec, release_dir: Path, manifest: Manifest,
                     baseline_dir: Path | None) -> ReleasePictures | None:
    """Charts against ``baseline_dir`` (the last published release, or None) and the grid."""
    new_csv = _csv(release_dir, manifest)
    if new_csv is None or not new_csv.is_file():
        return None
    old_csv = None
    before = "last published release: none"
    if baseline_dir is not None and (baseline_dir / "manifest.json").is_file():
        old_manifest, old_id = load_manifest(baseline_dir)
        old_csv = _csv(baseline_dir, old_manifest)
        before = f"last published release ({old_manifest['period'] or old_id[:12]})"
    after = f"this release ({manifest['period'] or 'unpartitioned'})"
    return ReleasePictures(charts=compare(spec, new_csv, old_csv),
                           suppression=suppression_view(spec, new_csv),
                           before_label=before, after_label=after)


def chart_svg(pictures: ReleasePictures, index: int) -> bytes | None:
    if not 0 <= index < len(pictures.charts):
        return None
    return render_svg(pictures.charts[index], before_label=pictures.before_label,
                      after_label=pictures.after_label)
