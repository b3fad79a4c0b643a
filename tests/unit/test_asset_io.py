"""What travels between assets: typed JSON handles, no pickle, no personal data at rest.

The source extract is the one place personal data may be on disk. After a
staging run, no value of a field the spec drops may appear in any file under
the state folder, and every asset value there is JSON readable only by its
owner. A multiprocess run proves the handles work across processes.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pandas as pd
import pytest
from dagster import AssetSelection, Definitions, define_asset_job, execute_job, reconstructable

from pipelines import assets as graph
from pipelines import gates, handles, paths
from pipelines.definitions import build_definitions
from pipelines.errors import FivestarError
from pipelines.io_manager import VALUE_TYPES, ContractIOManager
from pipelines.runner import default_partition, run_stages
from pipelines.runs import TICKET_TAG
from pipelines.spec import load_spec

KEY = "fivestar-asset-io-test-key-0123456789"
FOI = paths.DATASETS_DIR / "foi-requests" / "dataset.yaml"


def _personal_values(spec) -> set[str]:
    """Every value of the fields the spec drops (names, emails, postcodes)."""
    df = handles.open_source(spec, None).to_pandas()
    values: set[str] = set()
    for field in spec.redaction.dropped():
        values |= {v for v in df[field].dropna().astype(str) if len(v) >= 6}
    return values


def _ticket(service, spec) -> dict[str, str]:
    """A staging run's identity: the review service's single-use ticket for stats.demo."""
    from fivestar_dev.demo_accounts import DEMO_USERS
    from pipelines.release.client import ReviewServiceClient

    client = ReviewServiceClient(service[1])
    client.login("stats.demo", DEMO_USERS["stats.demo"][2])
    return {TICKET_TAG: client.ticket(spec.id)["ticket"]}


def _state_files(state: Path) -> list[Path]:
    return [p for p in state.rglob("*") if p.is_file() and "dagster" not in p.parts]


def test_a_staging_run_leaves_no_personal_data_and_no_pickle(service, monkeypatch,
                                                           dagster_instance):
    monkeypatch.setenv("FIVESTAR_PSEUDONYMISATION_KEY", KEY)
    isolated_state = paths.STATE_DIR  # the service fixture's (its home is in it too)
    spec = load_spec(FOI)
    outcome = run_stages(spec, graph.STAGING_STAGES, tags=_ticket(service, spec),
                         instance=dagster_instance)
    assert outcome.ok, outcome.failures
    planted = _personal_values(spec)
    assert len(planted) > 100
    storage = isolated_state / "storage"
    values = sorted(storage.rglob("*.json"))
    assert {p.parent.name for p in values} >= set(graph.STAGING_STAGES)
    for path in values:
        data = json.loads(path.read_bytes())  # JSON, so never a pickle
        assert data["type"] in VALUE_TYPES
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE(storage.stat().st_mode) == 0o700
    redacted = outcome.outputs["redacted"].table
    assert stat.S_IMODE(Path(redacted.path).stat().st_mode) == 0o600
    for path in _state_files(isolated_state):
        text = path.read_bytes().decode("utf-8", "replace")
        leaked = [v for v in planted if v in text]
        assert not leaked, f"{path.relative_to(isolated_state)} holds {len(leaked)} values"


def test_the_io_manager_refuses_anything_but_a_contract(tmp_path):
    from dagster import build_output_context

    manager = ContractIOManager(base_dir=str(tmp_path))
    context = build_output_context(asset_key=["x", "extract"])
    with pytest.raises(TypeError, match="asset values must be one of"):
        manager.handle_output(context, pd.DataFrame({"a": [1]}))


def test_a_stored_table_round_trips_and_refuses_changed_bytes(tmp_path):
    df = pd.DataFrame({"n": pd.array([1, None, 3], dtype="Int64"),
                       "s": pd.array(["a", None, "c"], dtype="string")}, index=[4, 7, 9])
    table = handles.write_arrow(df, tmp_path / "t.arrow", batch_rows=2)
    back = table.to_pandas()
    # text comes back in Arrow storage (as the extract reads it), values and index unchanged
    assert back["s"].dtype == pd.StringDtype("pyarrow")
    pd.testing.assert_frame_equal(back, df.astype({"s": "string[pyarrow]"}),
                                  check_index_type=False)
    assert [b.num_rows for b in table.batches(batch_rows=1)] == [1, 1, 1]
    assert [b.schema.names for b in table.batches(columns=["s"])] == [["s"], ["s"]]
    with Path(table.path).open("ab") as fh:
        fh.write(b"x")
    with pytest.raises(FivestarError, match="changed after it was written"):
        table.to_pandas()


def test_a_redacted_table_that_fails_verification_is_deleted(tmp_path, monkeypatch):
    monkeypatch.setenv("FIVESTAR_PSEUDONYMISATION_KEY", KEY)
    spec = load_spec(FOI)
    source = handles.open_source(spec, None)
    df = source.to_pandas()  # unredacted: the verifier must find personal data
    table = handles.write_arrow(df, tmp_path / "redacted.arrow")
    value = handles.RedactedTable(
        table=table, source=source,
        validation=gates.bind_validation(
            __import__("pipelines.validate").validate.validate(df, spec), source, df.index),
        report=__import__("pipelines.redaction").redaction.redact(df, spec, KEY.encode()).report)
    problems = gates.redaction_findings(value, spec)
    assert problems and not Path(table.path).exists()
    rows = [p.location.row for p in problems if p.location.row]
    assert rows and all(p.location.file.endswith("foi-requests.csv")
                        for p in problems if p.location.row)


def staging_job():
    """The staging job for the spec named by FIVESTAR_TEST_SPEC (rebuilt in each process)."""
    spec = load_spec(Path(os.environ["FIVESTAR_TEST_SPEC"]))
    defs = build_definitions([spec])
    keys = [graph.key(spec, s) for s in graph.STAGING_STAGES]
    job = define_asset_job("stage", selection=AssetSelection.assets(*keys),
                           partitions_def=graph.partitions_for(spec))
    return Definitions(assets=defs.assets, asset_checks=defs.asset_checks,
                       resources=defs.resources, jobs=[job]).resolve_job_def("stage")


def test_staging_runs_with_the_multiprocess_executor(service, monkeypatch):
    from pipelines.instance import get_instance

    monkeypatch.setenv("FIVESTAR_PSEUDONYMISATION_KEY", KEY)
    monkeypatch.setenv("FIVESTAR_TEST_SPEC", str(FOI))
    monkeypatch.setenv("DAGSTER_HOME", str(paths.STATE_DIR / "dagster"))
    isolated_state = paths.STATE_DIR
    spec = load_spec(FOI)
    tags = _ticket(service, spec)
    partition = default_partition(spec)
    if partition:
        tags["dagster/partition"] = partition
    config = {"execution": {"config": {"multiprocess": {"max_concurrent": 2}}}}
    with get_instance() as instance, execute_job(
            reconstructable(staging_job), instance=instance, tags=tags,
            run_config=config) as result:
        assert result.success
        done = {e.asset_key.path[-1] for e in result.get_asset_materialization_events()}
        pids = {e.pid for e in result.all_events if e.is_step_start}
    assert done == set(graph.STAGING_STAGES)
    assert len(pids) >= len(graph.STAGING_STAGES)  # each step in its own process
    releases = list((isolated_state / "releases" / spec.id).glob("*/manifest.json"))
    assert len(releases) == 1
