"""What changes for the public: a release compared with the last published one.

The champion approves a change, not just a file, so the review page shows:
rows added / removed / changed (by the Table Schema's primary key, or whole
rows when there is none), schema changes (columns added, removed, reordered),
public files added / removed / changed, and the star-rating change.

Rows are compared by streaming both CSVs and keeping a hash per key, so a
million-row release costs tens of MB, not a copy of the table. The diff holds
a few example keys; they come from the public CSV, so they are public data.
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

from pipelines.contracts.diff import (
    Baseline,
    FilesChange,
    ReleaseDiff,
    RowExamples,
    RowsChange,
    SchemaChange,
    StarsChange,
)
from pipelines.release.manifest import Manifest, data_file, load_manifest

EXAMPLES = 10


def _read_rows(path: Path, key: list[str]) -> tuple[list[str], dict[tuple, bytes], int]:
    """Header, {key: row hash}, and a count of rows whose key repeats."""
    rows: dict[tuple, bytes] = {}
    duplicates = 0
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader, [])
        idx = [header.index(k) for k in key if k in header]
        use_key = len(idx) == len(key) and bool(key)
        for n, row in enumerate(reader):
            digest = hashlib.blake2b("\x1f".join(row).encode("utf-8"), digest_size=16).digest()
            k = tuple(row[i] if i < len(row) else "" for i in idx) if use_key else (digest, n)
            if k in rows:
                duplicates += 1
            rows[k] = digest
    return header, rows, duplicates


def _whole_row_counts(old: dict, new: dict) -> tuple[int, int]:
    """Added/removed as multisets of rows (no key to pair them up)."""
    from collections import Counter

    a, b = Counter(old.values()), Counter(new.values())
    return sum((b - a).values()), sum((a - b).values())


def _key_text(k: tuple) -> list[str]:
    return [str(v) for v in k]


def diff_releases(new_dir: Path, new_manifest: Manifest, baseline_dir: Path | None,
                  primary_key: list[str]) -> ReleaseDiff:
    """Compare a release (folder + manifest) with a published baseline folder."""
    new_stars = new_manifest["stars"]["rating"]
    if baseline_dir is None:
        return ReleaseDiff(baseline=None, first_release=True,
                           stars=StarsChange(from_=None, to=new_stars, changed=False))
    old_manifest, old_id = load_manifest(baseline_dir)
    old_stars = old_manifest["stars"]["rating"]
    stars = StarsChange(from_=old_stars, to=new_stars, changed=old_stars != new_stars)
    old_files = {f["path"]: f["sha256"] for f in old_manifest["files"]}
    new_files = {f["path"]: f["sha256"] for f in new_manifest["files"]}
    files = FilesChange(
        added=sorted(set(new_files) - set(old_files)),
        removed=sorted(set(old_files) - set(new_files)),
        changed=sorted(p for p in set(new_files) & set(old_files)
                       if new_files[p] != old_files[p]))
    baseline = Baseline(release_id=old_id, period=old_manifest["period"])
    old_data, new_data = data_file(old_manifest), data_file(new_manifest)
    if old_data is None or new_data is None:
        return ReleaseDiff(baseline=baseline, first_release=False, stars=stars, files=files)
    old_header, old_rows, old_dups = _read_rows(baseline_dir / old_data["path"], primary_key)
    new_header, new_rows, new_dups = _read_rows(new_dir / new_data["path"], primary_key)
    if old_dups or new_dups:  # the key does not identify rows: compare whole rows instead
        old_header, old_rows, _ = _read_rows(baseline_dir / old_data["path"], [])
        new_header, new_rows, _ = _read_rows(new_dir / new_data["path"], [])
    schema = SchemaChange(
        columns_added=[c for c in new_header if c not in old_header],
        columns_removed=[c for c in old_header if c not in new_header],
        order_changed=[c for c in new_header if c in old_header]
        != [c for c in old_header if c in new_header])
    by_key = bool(primary_key) and all(k in old_header and k in new_header for k in primary_key)
    if by_key and not old_dups and not new_dups:
        added = [k for k in new_rows if k not in old_rows]
        removed = [k for k in old_rows if k not in new_rows]
        changed = [k for k in new_rows if k in old_rows and new_rows[k] != old_rows[k]]
        rows = RowsChange(
            compared_by="primary key", key=primary_key,
            before=len(old_rows), after=len(new_rows),
            added=len(added), removed=len(removed), changed=len(changed),
            unchanged=len(new_rows) - len(added) - len(changed),
            examples=RowExamples(added=[_key_text(k) for k in added[:EXAMPLES]],
                                 removed=[_key_text(k) for k in removed[:EXAMPLES]],
                                 changed=[_key_text(k) for k in changed[:EXAMPLES]]))
    else:
        n_added, n_removed = _whole_row_counts(old_rows, new_rows)
        rows = RowsChange(
            compared_by="whole rows", key=[], before=len(old_rows), after=len(new_rows),
            added=n_added, removed=n_removed, changed=None,
            unchanged=len(new_rows) - n_added, examples=None)
    return ReleaseDiff(baseline=baseline, first_release=False, stars=stars, rows=rows,
                       schema_=schema, files=files)
