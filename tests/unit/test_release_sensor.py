"""The Dagster publication sensor: run requests only for due, approved releases."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from dagster import AssetKey, RunRequest, SkipReason, build_sensor_context

from pipelines.release.approvals import approve
from pipelines.release.audit import AuditStore
from pipelines.release.testing import make_spec, stage_synthetic
from pipelines.release.users import Role, User
from pipelines.runs import RELEASE_TAG
from pipelines.sensors import build_publication_sensor

CHAMPION = User("champion.demo", frozenset({Role.transparency_champion}))
ANNOUNCED = datetime(2025, 1, 30, 9, 30, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture
def setup(tmp_path):
    store = AuditStore(f"sqlite:///{tmp_path / 'audit.sqlite'}")
    staged = stage_synthetic(tmp_path, store, spec=make_spec(next_release="2025-01-30"))
    approve(store, staged.path, CHAMPION, "ok", now=datetime(2025, 1, 20, tzinfo=UTC))
    return store, staged, tmp_path / "releases"


def _evaluate(store, root, now):
    target = AssetKey(["asylum_claims", "published"])
    sensor_def = build_publication_sensor(
        {"asylum-claims": target}, partitioned={"asylum-claims"},
        store_factory=lambda: store, clock=lambda: now, releases_root=root)
    return sensor_def(build_sensor_context()), target


def test_sensor_waits_for_the_embargo(setup):
    store, _, root = setup
    result, _ = _evaluate(store, root, ANNOUNCED - timedelta(seconds=1))
    assert isinstance(result, SkipReason)


def test_sensor_requests_the_publication_run_at_the_time(setup):
    store, staged, root = setup
    result, target = _evaluate(store, root, ANNOUNCED)
    [request] = result
    assert isinstance(request, RunRequest)
    assert request.asset_selection == [target]
    assert request.partition_key == "2024-Q4"
    assert request.tags[RELEASE_TAG] == staged.id
    assert staged.id in request.run_key


def test_sensor_loads_in_definitions_with_a_partitioned_published_asset(setup):
    from dagster import Definitions, StaticPartitionsDefinition, asset

    store, staged, root = setup

    @asset(key=AssetKey(["asylum_claims", "published"]),
           partitions_def=StaticPartitionsDefinition(["2024-Q3", "2024-Q4"]))
    def published():
        return None

    sensor_def = build_publication_sensor(
        {"asylum-claims": published.key}, partitioned={"asylum-claims"},
        store_factory=lambda: store, clock=lambda: ANNOUNCED, releases_root=root)
    defs = Definitions(assets=[published], sensors=[sensor_def])
    Definitions.validate_loadable(defs)
    data = sensor_def.evaluate_tick(build_sensor_context(definitions=defs))
    [request] = data.run_requests
    assert request.partition_key == "2024-Q4" and request.tags[RELEASE_TAG] == staged.id
