"""Staging: content-addressed, reproducible, immutable release folders."""

import hashlib
import json
import stat

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fivestar_dev.synthetic_release import STARS, make_spec, stage_synthetic
from pipelines.release.manifest import (
    ManifestError,
    canonical_json,
    load_manifest,
    manifest_id,
    verify_files,
)
from pipelines.release.stage import StagingError, period_bounds


@pytest.fixture
def store():
    """Staging itself records nothing: registration with the service is separate."""
    return None


def test_release_id_is_sha256_of_canonical_manifest_bytes(tmp_path, store):
    staged = stage_synthetic(tmp_path, store)
    data = (staged.path / "manifest.json").read_bytes()
    assert hashlib.sha256(data).hexdigest() == staged.id == staged.path.name
    m = json.loads(data)
    assert data == json.dumps(m, sort_keys=True, separators=(",", ":"),
                              ensure_ascii=False).encode()
    assert manifest_id(m) == staged.id


def staged_path(m, tmp_path):
    return next((tmp_path / "releases" / m["dataset_id"]).iterdir())


def test_manifest_follows_the_documented_shape(tmp_path, store):
    m = stage_synthetic(tmp_path, store).manifest
    assert set(m) == {"manifest_version", "dataset_id", "period", "spec_sha256",
                      "extract_sha256", "pipeline_version", "files", "catalogue", "stars",
                      "reports", "row_counts"}
    assert [f["path"] for f in m["files"]] == sorted(f["path"] for f in m["files"])
    csv_entry = next(f for f in m["files"] if f["path"].endswith(".csv"))
    assert csv_entry["role"] == "data" and csv_entry["media_type"] == "text/csv"
    assert csv_entry["rows"] == 3 and csv_entry["title"] == "Asylum claims (CSV)"
    csvw = next(f for f in m["files"] if f["path"].endswith("-metadata.json"))
    assert csvw["role"] == "csvw"
    assert {n: r["path"] for n, r in m["reports"].items()} == {
        "diff": "reports/diff.json", "redaction": "reports/redaction.json",
        "validation": "reports/validation.json", "validation_html": "reports/validation.html"}
    for name, r in m["reports"].items():  # reports are bound to the release id
        data = (staged_path(m, tmp_path) / r["path"]).read_bytes()
        assert r["sha256"] == hashlib.sha256(data).hexdigest() and r["bytes"] == len(data), name
    assert m["catalogue"]["temporal_start"] == "2024-10-01"
    assert m["catalogue"]["temporal_end"] == "2024-12-31"
    assert m["catalogue"]["five_star_rating"] == 5
    assert m["row_counts"] == {"extract": 3, "published": 3}


def test_restaging_unchanged_inputs_gives_the_same_id(tmp_path, store):
    first = stage_synthetic(tmp_path, store)
    again = stage_synthetic(tmp_path, store, work="work2")
    assert again.id == first.id and again.path == first.path and not again.created


def test_a_changed_report_is_a_different_release(tmp_path, store):
    from fivestar_dev.synthetic_release import synthetic_reports
    from pipelines.contracts import RedactionReport
    from pipelines.reports import redaction_files

    first = stage_synthetic(tmp_path, store)
    assert stage_synthetic(tmp_path, store, work="w2").id == first.id
    forged = {**synthetic_reports(), **redaction_files(
        RedactionReport(dataset="asylum-claims", rows_in=3, rows_out=2))}
    assert stage_synthetic(tmp_path, store, work="w3", reports=forged).id != first.id


def test_symlinks_are_refused_when_staging_and_verifying(tmp_path, store):
    staged = stage_synthetic(tmp_path, store)
    converted = tmp_path / "work" / "asylum-claims" / "converted"
    (converted / "link.csv").symlink_to(converted / "asylum-claims.csv")
    with pytest.raises(StagingError, match="regular files"):
        stage_synthetic(tmp_path, store)
    staged.path.chmod(0o755)
    ttl = staged.path / "asylum-claims.ttl"
    ttl.chmod(0o644)
    target = tmp_path / "same-bytes.ttl"
    target.write_bytes(ttl.read_bytes())
    ttl.unlink()
    ttl.symlink_to(target)
    assert [(p.code, p.location.file) for p in verify_files(staged.path, staged.manifest)] == [
        ("symlink", "asylum-claims.ttl")]
    (staged.path / "reports" / "evil").symlink_to("/etc/passwd")
    assert ("symlink", "reports/evil") in {(p.code, p.location.file)
                                           for p in verify_files(staged.path, staged.manifest)}


def test_changed_bytes_give_a_new_release(tmp_path, store):
    first = stage_synthetic(tmp_path, store)
    second = stage_synthetic(tmp_path, store, rows=[("E23000001", "2024-Q4", 121)])
    assert second.id != first.id
    assert first.path.exists() and second.path.exists()


def test_release_files_are_read_only(tmp_path, store):
    staged = stage_synthetic(tmp_path, store)
    files = [p for p in staged.path.rglob("*") if p.is_file()]
    assert len(files) == 8  # 3 public files, manifest, 4 reports
    for path in files:
        mode = path.stat().st_mode
        assert not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH), path


def test_tampered_existing_release_is_not_reused(tmp_path, store):
    staged = stage_synthetic(tmp_path, store)
    csv_path = staged.path / "asylum-claims.csv"
    csv_path.chmod(0o644)
    csv_path.write_text("area,quarter,claims\r\nX,2024-Q4,1\r\n")
    with pytest.raises(StagingError, match="no longer matches"):
        stage_synthetic(tmp_path, store, work="again")


def test_verify_files_names_missing_changed_and_extra_files(tmp_path, store):
    staged = stage_synthetic(tmp_path, store)
    staged.path.chmod(0o755)
    (staged.path / "asylum-claims.ttl").chmod(0o644)
    (staged.path / "asylum-claims.ttl").write_text("# changed\n")
    (staged.path / "asylum-claims.csv-metadata.json").chmod(0o644)
    (staged.path / "asylum-claims.csv-metadata.json").unlink()
    (staged.path / "extra.csv").write_text("a\n")
    codes = {(p.code, p.location.file) for p in verify_files(staged.path, staged.manifest)}
    assert codes == {("size-mismatch", "asylum-claims.ttl"),
                     ("file-missing", "asylum-claims.csv-metadata.json"),
                     ("file-unlisted", "extra.csv")}


def test_same_size_change_is_caught_by_hash(tmp_path, store):
    staged = stage_synthetic(tmp_path, store)
    path = staged.path / "asylum-claims.csv"
    path.chmod(0o644)
    path.write_bytes(path.read_bytes().replace(b"120", b"130"))
    assert [p.code for p in verify_files(staged.path, staged.manifest)] == ["sha256-mismatch"]


def test_non_canonical_manifest_is_refused(tmp_path, store):
    staged = stage_synthetic(tmp_path, store)
    path = staged.path / "manifest.json"
    path.chmod(0o644)
    path.write_text(json.dumps(staged.manifest, indent=2))
    with pytest.raises(ManifestError, match="canonical"):
        load_manifest(staged.path)


def test_canonical_json_keeps_unicode():
    assert canonical_json({"b": "é", "a": 1}) == '{"a":1,"b":"é"}'.encode()


def test_staging_refuses_an_empty_folder(tmp_path, store):
    from pipelines.release.stage import stage_release

    (tmp_path / "converted").mkdir()
    with pytest.raises(StagingError, match="no public files"):
        stage_release(make_spec(), tmp_path / "converted", [], {}, extract_sha256="b" * 64,
                      period=None, stars=STARS, releases_root=tmp_path / "r")


def test_period_bounds():
    assert period_bounds("2024-Q4") == ("2024-10-01", "2024-12-31")
    assert period_bounds("2024-02") == ("2024-02-01", "2024-02-29")
    assert period_bounds("2024-12") == ("2024-12-01", "2024-12-31")
    assert period_bounds("2023") == ("2023-01-01", "2023-12-31")
    assert period_bounds(None) == (None, None)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                               max_size=3),
    max_leaves=12)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.text(max_size=6), _json, max_size=6))
def test_manifest_id_ignores_key_order_and_roundtrips(m):
    reordered = dict(reversed(list(m.items())))
    assert manifest_id(m) == manifest_id(reordered)
    assert canonical_json(json.loads(canonical_json(m))) == canonical_json(m)


def test_public_files_are_moved_into_the_release_not_copied(tmp_path, store):
    converted = tmp_path / "work" / "asylum-claims" / "converted"
    staged = stage_synthetic(tmp_path, store)
    assert not list(converted.iterdir())  # one copy: the release's
    for entry in staged.manifest["files"]:
        assert (staged.path / entry["path"]).stat().st_nlink == 1


def test_failed_staging_gives_the_files_back(tmp_path, store, monkeypatch):
    import pipelines.release.stage as stage_module

    def broken(*args, **kwargs):
        raise RuntimeError("diff failed")

    monkeypatch.setattr(stage_module, "diff_releases", broken)
    with pytest.raises(RuntimeError):
        stage_synthetic(tmp_path, store)
    converted = tmp_path / "work" / "asylum-claims" / "converted"
    assert sorted(p.name for p in converted.iterdir()) == [
        "asylum-claims.csv", "asylum-claims.csv-metadata.json", "asylum-claims.ttl"]
    assert not list((tmp_path / "releases" / "asylum-claims").glob(".staging-*"))
