"""The diff against the last published release."""

import json
from datetime import UTC, datetime

import pytest

from fivestar_dev.synthetic_release import STARS, make_authority, make_spec
from fivestar_dev.synthetic_release import stage_synthetic as _stage
from pipelines.contracts import Stars


@pytest.fixture
def store(tmp_path):
    """The review service's core; ``stage_synthetic`` asks it for the baseline."""
    return make_authority(tmp_path, clock=lambda: datetime(2025, 1, 1, tzinfo=UTC))


def stage_synthetic(base, authority, **kw):
    published = authority.last_published(kw.get("spec", make_spec()).id)
    baseline = base / "releases" / "asylum-claims" / published if published else None
    return _stage(base, authority, baseline=baseline, **kw)


def _publish(authority, staged):
    authority.approve(authority.user("champion.demo"), staged.id, "ok",
                      release_at=datetime(2025, 1, 1, tzinfo=UTC))
    publisher = authority.user("fivestar-publisher")
    authority.begin_publication(publisher, staged.id)
    authority.record_published(publisher, staged.id, "http://ckan/x")


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
    # Same public bytes, but its diff (now against the published first) is a different
    # report, and reports are part of the release id.
    second = stage_synthetic(tmp_path, store, work="w2")
    assert second.id != first.id
    assert _diff(second)["rows"]["changed"] == 0
    from fivestar_dev.synthetic_release import (
        DEFAULT_ROWS,
        converted_files,
        synthetic_reports,
        write_converted,
    )
    from pipelines.release.stage import stage_release

    # staging moved the files into the release: convert again, then change the CSV
    converted = write_converted(work / "converted", DEFAULT_ROWS)
    csv_path = converted / "asylum-claims.csv"
    csv_path.write_text("area,claims,quarter,unit\r\nE23000001,120,2024-Q4,count\r\n")

    third = stage_release(spec, converted, converted_files(), synthetic_reports(),
                          extract_sha256="b" * 64, period="2024-Q4", stars=STARS,
                          releases_root=tmp_path / "releases", baseline=first.path)
    diff = _diff(third)
    assert diff["schema"] == {"columns_added": ["unit"], "columns_removed": [],
                              "order_changed": True}
    assert diff["rows"]["removed"] == 2 and diff["rows"]["changed"] == 1
