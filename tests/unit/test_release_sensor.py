"""The publication sensor: run requests only for due releases, and again after a failure."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from dagster import AssetKey, RunRequest, SkipReason, build_sensor_context

from fivestar_dev.synthetic_release import make_authority, make_spec, stage_synthetic
from pipelines.release.sensor import RETRY_CAP, backoff
from pipelines.runs import RELEASE_TAG
from pipelines.sensors import build_publication_sensor

ANNOUNCED = datetime(2025, 1, 30, 9, 30, tzinfo=ZoneInfo("Europe/London"))


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


class DirectClient:
    """The service's answer without HTTP (the API is covered in test_review_app)."""

    def __init__(self, authority):
        self.authority = authority

    def due(self):
        return [d.to_dict() for d in self.authority.due()]


@pytest.fixture
def setup(tmp_path):
    clock = Clock(datetime(2025, 1, 20, tzinfo=UTC))
    authority = make_authority(tmp_path, clock=clock)
    staged = stage_synthetic(tmp_path, authority, spec=make_spec(next_release="2025-01-30"))
    authority.approve(authority.user("champion.demo"), staged.id, "ok")
    return authority, staged, clock


def _evaluate(authority):
    target = AssetKey(["asylum_claims", "published"])
    sensor_def = build_publication_sensor(
        {"asylum-claims": target}, partitioned={"asylum-claims"},
        client_factory=lambda: DirectClient(authority))
    return sensor_def(build_sensor_context()), target


def test_sensor_waits_for_the_embargo(setup):
    authority, _, clock = setup
    clock.now = ANNOUNCED - timedelta(seconds=1)
    result, _ = _evaluate(authority)
    assert isinstance(result, SkipReason)


def test_sensor_requests_the_publication_run_at_the_time(setup):
    authority, staged, clock = setup
    clock.now = ANNOUNCED
    result, target = _evaluate(authority)
    [request] = result
    assert isinstance(request, RunRequest)
    assert request.asset_selection == [target]
    assert request.partition_key == "2024-Q4"
    assert request.tags[RELEASE_TAG] == staged.id
    assert "fivestar/user" not in request.tags  # no free identity tag
    assert staged.id in request.run_key


def test_attack_a_failed_publication_is_requested_again_after_backoff(setup):
    """Finding 5: the run key was fixed per approval, so a failed run never came back."""
    authority, staged, clock = setup
    clock.now = ANNOUNCED
    [first], _ = _evaluate(authority)
    authority.record_failure(authority.user("fivestar-publisher"), staged.id, ["CKAN down"])
    assert isinstance(_evaluate(authority)[0], SkipReason)  # backing off
    clock.now = ANNOUNCED + backoff(1)
    [second], _ = _evaluate(authority)
    assert second.run_key != first.run_key
    authority.record_failure(authority.user("fivestar-publisher"), staged.id, ["CKAN down"])
    clock.now = ANNOUNCED + backoff(1) + backoff(2)
    [third], _ = _evaluate(authority)
    assert len({first.run_key, second.run_key, third.run_key}) == 3


def test_backoff_doubles_and_is_capped():
    assert backoff(0) == timedelta(0)
    assert [backoff(n) for n in (1, 2, 3)] == [timedelta(minutes=m) for m in (1, 2, 4)]
    assert backoff(50) == RETRY_CAP


def test_sensor_loads_in_definitions_with_a_partitioned_published_asset(setup):
    from dagster import Definitions, StaticPartitionsDefinition, asset

    authority, staged, clock = setup
    clock.now = ANNOUNCED

    @asset(key=AssetKey(["asylum_claims", "published"]),
           partitions_def=StaticPartitionsDefinition(["2024-Q3", "2024-Q4"]))
    def published():
        return None

    sensor_def = build_publication_sensor(
        {"asylum-claims": published.key}, partitioned={"asylum-claims"},
        client_factory=lambda: DirectClient(authority))
    defs = Definitions(assets=[published], sensors=[sensor_def])
    Definitions.validate_loadable(defs)
    data = sensor_def.evaluate_tick(build_sensor_context(definitions=defs))
    [request] = data.run_requests
    assert request.partition_key == "2024-Q4" and request.tags[RELEASE_TAG] == staged.id


def test_published_asset_retries_with_backoff():
    from dagster import Backoff

    from pipelines import paths
    from pipelines.assets import build_dataset_assets, key
    from pipelines.spec import load_all

    spec = load_all(paths.DATASETS_DIR)[0][0]
    assets, _ = build_dataset_assets(spec)
    [published] = [a for a in assets if key(spec, "published") in a.keys]
    policy = published.op.retry_policy
    assert policy.max_retries >= 1 and policy.backoff == Backoff.EXPONENTIAL
