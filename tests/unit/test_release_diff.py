"""The diff against the last published release."""

import json
from datetime import UTC, datetime

import pytest

from pipelines.contracts import Stars
from pipelines.release.approvals import approve
from pipelines.release.audit import AuditStore, Decision
from pipelines.release.testing import STARS, make_spec, stage_synthetic
from pipelines.release.users import Role, User

CHAMPION = User("champion.demo", frozenset({Role.transparency_champion}))


@pytest.fixture
def store(tmp_path):
    return AuditStore(f"sqlite:///{tmp_path / 'audit.sqlite'}")


def _publish(store, staged):
    approve(store, staged.path, CHAMPION, "ok", now=datetime(2025, 1, 1, tzinfo=UTC))
    store.record(actor="p", role="system", dataset_id=staged.manifest["dataset_id"],
                 release_id=staged.id, decision=Decision.published)


def _diff(staged):
    return json.loads((staged.path / "reports" / "diff.json").read_text())


def test_first_release_has_no_baseline(tmp_path, store):
    diff = _diff(stage_synthetic(tmp_path, store))
    assert diff["first_release"] and diff["baseline"] is None


def test_rows_added_removed_changed_by_primary_key(tmp_path, store):
    first = stage_synthetic(tmp_path, store)
    _publish(store, first)
    second = stage_synthetic(tmp_path, store, work="w2", rows=[
        ("E23000001", "2024-Q4", 125),      # changed
        ("E23000002", "2024-Q4", "[c]"),    # unchanged
        ("W15000002", "2024-Q4", 4),        # added; W15000001 removed
    ], stars=Stars(rating=4, evidence={}, passed={}))
    diff = _diff(second)
    assert diff["baseline"]["release_id"] == first.id
    rows = diff["rows"]
    assert (rows["added"], rows["removed"], rows["changed"], rows["unchanged"]) == (1, 1, 1, 1)
    assert rows["examples"]["changed"] == [["E23000001", "2024-Q4"]]
    assert diff["stars"] == {"from": 5, "to": 4, "changed": True}
    assert diff["files"]["changed"] == ["asylum-claims.csv"]
    assert diff["schema"] == {"columns_added": [], "columns_removed": [], "order_changed": False}


def test_only_published_releases_are_baselines(tmp_path, store):
    stage_synthetic(tmp_path, store)  # staged, never published
    second = stage_synthetic(tmp_path, store, work="w2", rows=[("A", "2024-Q4", 1)])
    assert _diff(second)["baseline"] is None


def test_whole_row_comparison_without_primary_key(tmp_path, store):
    spec = make_spec(primary_key=[])
    first = stage_synthetic(tmp_path, store, spec=spec)
    _publish(store, first)
    second = stage_synthetic(tmp_path, store, spec=spec, work="w2", stars=STARS,
                             rows=[("E23000001", "2024-Q4", 120), ("X", "2024-Q4", 2)])
    rows = _diff(second)["rows"]
    assert rows["compared_by"] == "whole rows"
    assert (rows["added"], rows["removed"], rows["changed"]) == (1, 2, None)


def test_schema_change_is_reported(tmp_path, store):
    first = stage_synthetic(tmp_path, store)
    _publish(store, first)
    spec = make_spec()
    work = tmp_path / "w2" / spec.id
    second = stage_synthetic(tmp_path, store, work="w2")  # same bytes: same release
    assert second.id == first.id
    from pipelines.release.stage import stage_release
    from pipelines.release.testing import (
        DEFAULT_ROWS,
        converted_files,
        synthetic_reports,
        write_converted,
    )

    # staging moved the files into the release: convert again, then change the CSV
    converted = write_converted(work / "converted", DEFAULT_ROWS)
    csv_path = converted / "asylum-claims.csv"
    csv_path.write_text("area,claims,quarter,unit\r\nE23000001,120,2024-Q4,count\r\n")

    third = stage_release(spec, converted, converted_files(), synthetic_reports(),
                          extract_sha256="b" * 64, period="2024-Q4", stars=STARS,
                          releases_root=tmp_path / "releases", store=store, user="s")
    diff = _diff(third)
    assert diff["schema"] == {"columns_added": ["unit"], "columns_removed": [],
                              "order_changed": True}
    assert diff["rows"]["removed"] == 2 and diff["rows"]["changed"] == 1
