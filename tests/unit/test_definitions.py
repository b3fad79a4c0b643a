"""The Dagster shell: the code location loads and the graph runs in-process."""

from __future__ import annotations

import shutil

import pytest
import yaml

from pipelines import assets as graph
from pipelines import paths
from pipelines.definitions import build_definitions
from pipelines.runner import run_stages
from pipelines.spec import load_all, load_spec

BUNDLED, BUNDLED_ERRORS = load_all(paths.DATASETS_DIR)


def test_bundled_specs_all_load():
    assert not BUNDLED_ERRORS, [str(e) for e in BUNDLED_ERRORS]
    assert {s.id for s in BUNDLED} >= {
        "police-recorded-crime", "entry-clearance-visas", "foi-requests", "spend-over-25k"}


def test_definitions_hold_a_group_per_dataset():
    defs = build_definitions()
    keys = {k for a in defs.assets for k in a.keys}
    for spec in BUNDLED:
        for stage in graph.STAGES:
            assert graph.key(spec, stage) in keys, (spec.id, stage)
    check_names = {ck.name for c in defs.asset_checks for ck in c.check_keys}
    assert {"expectations", "expectations_warnings", "redaction_verified",
            "conversion_verified"} <= check_names


def test_code_location_module_loads():
    """The module Dagster loads (workspace.yaml, the code server, Celery workers) gives a
    repository with every bundled dataset's assets, built on load, not on import."""
    from dagster._core.code_pointer import CodePointer
    from dagster._core.definitions.reconstruct import initialize_repository_def_from_pointer

    repo = initialize_repository_def_from_pointer(
        CodePointer.from_module("pipelines.definitions", "defs", working_directory=None))
    keys = {k.path[0] for k in repo.asset_graph.get_all_asset_keys()}
    assert {s.asset_key_prefix for s in BUNDLED} <= keys


def test_code_location_rebuilt_only_when_its_folders_change(tmp_path, monkeypatch):
    """A Celery worker loads the code location for every step: the same folders give the
    same definitions; a dataset added (or a spec edited) gives new ones that hold it."""
    from pipelines import definitions

    datasets, suites = tmp_path / "datasets", tmp_path / "expectations"
    bundled, bundled_suites = paths.DATASETS_DIR, paths.EXPECTATIONS_DIR
    shutil.copytree(bundled / "police-recorded-crime", datasets / "police-recorded-crime")
    suites.mkdir()
    shutil.copy(bundled_suites / "police-recorded-crime.json", suites)
    monkeypatch.setattr(paths, "DATASETS_DIR", datasets)
    monkeypatch.setattr(paths, "EXPECTATIONS_DIR", suites)
    monkeypatch.setattr(paths, "STATE_DIR", tmp_path / "state")
    monkeypatch.setattr(definitions, "_built", None)
    first = definitions.defs()
    assert definitions.defs() is first
    shutil.copytree(bundled / "foi-requests", datasets / "foi-requests")
    shutil.copy(bundled_suites / "foi-requests.json", suites)
    second = definitions.defs()
    assert second is not first
    foi = load_spec(datasets / "foi-requests" / "dataset.yaml")
    assert graph.key(foi, "extract") in {k for a in second.assets for k in a.keys}
    spec_file = datasets / "foi-requests" / "dataset.yaml"
    spec_file.write_text(spec_file.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert definitions.defs() is not second


@pytest.mark.parametrize("spec", BUNDLED, ids=lambda s: s.id)
def test_extract_and_validated_materialise(spec, dagster_instance):
    outcome = run_stages(spec, ("extract", "validated"), instance=dagster_instance)
    assert outcome.ok, outcome.failures + [c.name for c in outcome.blocked]
    assert outcome.materialized == ["extract", "validated"]
    assert any(c.name == "expectations" and c.passed for c in outcome.checks)
    validated = outcome.outputs["validated"]
    assert validated.source.rows > 0 and validated.report.passed
    report = paths.run_dir(spec.id, outcome.partition) / "reports" / "validation.json"
    assert report.exists()


def _copy_dataset(tmp_path, dataset_id: str):
    src = paths.DATASETS_DIR / dataset_id
    dst = tmp_path / "datasets" / dataset_id
    shutil.copytree(src, dst)
    return dst


def test_blocking_expectation_stops_downstream(tmp_path, dagster_instance, monkeypatch):
    """An ERROR expectation failure stops the run at `validated`: nothing is redacted."""
    folder = _copy_dataset(tmp_path, "police-recorded-crime")
    spec = load_spec(folder / "dataset.yaml")
    extract = spec.source_paths()[0]
    lines = extract.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    count_col = header.index("count")
    row = lines[1].split(",")
    row[count_col] = "-5"  # counts are never negative: an ERROR expectation
    lines[1] = ",".join(row)
    extract.write_text("\n".join(lines) + "\n", encoding="utf-8")
    schema = yaml.safe_load((folder / "dataset.yaml").read_text())
    # let the schema accept it so the GX suite, not the extract reader, catches it
    for f in schema["schema"]["fields"]:
        if f["name"] == "count":
            f.get("constraints", {}).pop("minimum", None)
    (folder / "dataset.yaml").write_text(yaml.safe_dump(schema, sort_keys=False))
    spec = load_spec(folder / "dataset.yaml")
    outcome = run_stages(spec, ("extract", "validated", "redacted"), instance=dagster_instance)
    assert not outcome.ok
    assert outcome.materialized == ["extract", "validated"]
    assert any(c.name == "expectations" and not c.passed for c in outcome.checks)


def test_bad_extract_materialises_nothing(tmp_path, dagster_instance):
    folder = _copy_dataset(tmp_path, "police-recorded-crime")
    spec = load_spec(folder / "dataset.yaml")
    spec.source_paths()[0].write_text("", encoding="utf-8")
    outcome = run_stages(spec, ("extract", "validated"), instance=dagster_instance)
    assert not outcome.ok
    assert outcome.materialized == []
    assert any("extract" in f for f in outcome.failures)


def test_workspace_loads_as_dagster_dev_would(isolated_state):
    """`dagster dev -w workspace.yaml` loads this code location without errors."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    dagster = Path(sys.executable).parent / "dagster"
    (isolated_state / "dagster").mkdir(exist_ok=True)
    proc = subprocess.run(
        [str(dagster), "definitions", "validate", "-w", "workspace.yaml"],
        cwd=paths.ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "DAGSTER_HOME": str(isolated_state / "dagster")},
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
