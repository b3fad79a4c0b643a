"""The two Dagster instance profiles, their selection, and the run tags the queue limits."""

from __future__ import annotations

import pytest
import yaml
from dagster import DagsterInstance

from pipelines import instance as inst
from pipelines import paths, workload
from pipelines.errors import FivestarError
from pipelines.spec import load_all


def test_local_profile_is_the_default_and_uses_sqlite(tmp_path, monkeypatch):
    monkeypatch.delenv(inst.PROFILE_ENV, raising=False)
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    assert inst.profile() is inst.Profile.local
    home = inst.dagster_home()
    config = yaml.safe_load((home / "dagster.yaml").read_text())
    assert config["storage"] == {"sqlite": {"base_dir": str(tmp_path / "storage")}}
    with DagsterInstance.get() as instance:  # Dagster accepts what we wrote
        assert "Sqlite" in type(instance.run_storage).__name__


def test_distributed_profile_queues_limits_and_retries(tmp_path, monkeypatch):
    monkeypatch.setenv(inst.PROFILE_ENV, "distributed")
    config = inst.instance_config(tmp_path)
    assert config["storage"]["postgres"]["postgres_url"] == {"env": "DAGSTER_PG_URL"}
    assert config["run_coordinator"]["class"] == "QueuedRunCoordinator"
    assert inst.tag_limits(config)[("fivestar/operation", "publish")] == 2
    assert inst.tag_limits(config)[("fivestar/size", "large")] == 1
    assert config["run_retries"] == {"enabled": True, "max_retries": 2,
                                     "retry_on_asset_or_op_failure": False}


def test_limits_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(inst.PROFILE_ENV, "distributed")
    monkeypatch.setenv("FIVESTAR_MAX_CONCURRENT_PUBLICATIONS", "5")
    monkeypatch.setenv("FIVESTAR_MAX_CONCURRENT_LARGE", "3")
    monkeypatch.setenv("FIVESTAR_MAX_CONCURRENT_RUNS", "12")
    monkeypatch.setenv("FIVESTAR_RUN_RETRIES", "0")
    config = inst.instance_config(tmp_path)
    limits = inst.tag_limits(config)
    assert limits[("fivestar/operation", "publish")] == 5
    assert limits[("fivestar/size", "large")] == 3
    assert config["run_coordinator"]["config"]["max_concurrent_runs"] == 12
    assert config["run_retries"]["max_retries"] == 0


def test_a_bad_setting_is_named(monkeypatch, tmp_path):
    monkeypatch.setenv(inst.PROFILE_ENV, "cluster")
    with pytest.raises(FivestarError, match="FIVESTAR_DAGSTER_PROFILE"):
        inst.profile()
    monkeypatch.setenv(inst.PROFILE_ENV, "distributed")
    monkeypatch.setenv("FIVESTAR_MAX_CONCURRENT_LARGE", "two")
    with pytest.raises(FivestarError, match="FIVESTAR_MAX_CONCURRENT_LARGE"):
        inst.instance_config(tmp_path)


def test_distributed_profile_needs_a_database(monkeypatch, tmp_path):
    monkeypatch.setenv("FIVESTAR_CATALOGUE_STATE", str(tmp_path))
    with pytest.raises(FivestarError, match="DAGSTER_PG_URL"):
        inst.local_pg_url()
    (tmp_path / "dagster-pg-password").write_text("s3cret\n")
    monkeypatch.setenv("FIVESTAR_PG_PORT", "5999")
    assert inst.local_pg_url() == "postgresql+psycopg2://dagster:s3cret@127.0.0.1:5999/dagster"


def test_kubernetes_values_keep_the_tested_limits():
    """deploy/k8s is on paper; it must not drift from the profile the tests run."""
    tested = yaml.safe_load((paths.ROOT / "deploy/dagster/distributed.yaml").read_text())
    values = yaml.safe_load((paths.ROOT / "deploy/k8s/dagster-values.yaml").read_text())
    daemon = values["dagsterDaemon"]
    queued = daemon["runCoordinator"]["config"]["queuedRunCoordinator"]
    coordinator = tested["run_coordinator"]["config"]
    assert queued["maxConcurrentRuns"] == coordinator["max_concurrent_runs"]
    assert queued["tagConcurrencyLimits"] == coordinator["tag_concurrency_limits"]
    assert daemon["runRetries"] == {"enabled": True,
                                    "maxRetries": tested["run_retries"]["max_retries"],
                                    "retryOnAssetOrOpFailure": False}
    monitoring = tested["run_monitoring"]
    assert daemon["runMonitoring"]["maxRuntimeSeconds"] == monitoring["max_runtime_seconds"]
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    assert tested["compute_logs"]["class"] == values["computeLogManager"]["type"]


def test_run_tags_estimate_the_extract_without_reading_it(monkeypatch):
    specs = {s.id: s for s in load_all(paths.DATASETS_DIR)[0]}
    crime = specs["police-recorded-crime"]
    csv_rows = sum(1 for _ in crime.source_paths()[0].open()) - 1
    assert workload.estimated_rows(crime) == csv_rows
    import pyarrow.parquet as pq

    spend = specs["spend-over-25k"]
    assert workload.estimated_rows(spend) == pq.read_metadata(spend.source_paths()[0]).num_rows
    assert workload.staging_tags(crime)[workload.SIZE_TAG] == "regular"
    monkeypatch.setenv(workload.LARGE_ROWS_ENV, str(csv_rows))
    assert workload.staging_tags(crime) == {
        workload.OPERATION_TAG: "stage", workload.SIZE_TAG: "large",
        workload.ROWS_TAG: str(csv_rows)}
    assert workload.publication_tags("x") == {workload.OPERATION_TAG: "publish",
                                              workload.PUBLISHING_TAG: "x",
                                              workload.PRIORITY_TAG: "1"}
    from dagster._core.storage.tags import PRIORITY_TAG

    assert workload.PRIORITY_TAG == PRIORITY_TAG  # the tag the queue sorts by


def test_distributed_definitions_run_steps_on_celery(monkeypatch):
    from pipelines.definitions import build_definitions
    from pipelines.jobs import publish_job_name, stage_job_name

    specs = load_all(paths.DATASETS_DIR)[0]
    monkeypatch.setenv(inst.PROFILE_ENV, "distributed")
    repo = build_definitions(specs).get_repository_def()
    for spec in specs:
        assert repo.get_job(stage_job_name(spec)).executor_def.name == "celery"
        publish = repo.get_job(publish_job_name(spec))
        assert publish.tags[workload.OPERATION_TAG] == "publish"
    monkeypatch.setenv(inst.PROFILE_ENV, "local")
    repo = build_definitions(specs).get_repository_def()
    assert repo.get_job(stage_job_name(specs[0])).executor_def.name != "celery"
