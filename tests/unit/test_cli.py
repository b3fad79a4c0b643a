"""The `fivestar` command: lists specs, stages datasets, fails with non-zero codes."""

from __future__ import annotations

import shutil

import pytest
import yaml
from typer.testing import CliRunner

from pipelines import paths
from pipelines.cli import app

runner = CliRunner()


def test_datasets_lists_every_bundled_spec():
    result = runner.invoke(app, ["datasets"], terminal_width=200)
    assert result.exit_code == 0, result.output
    for dataset in ("police-recorded-crime", "entry-clearance-visas", "foi-requests",
                    "spend-over-25k"):
        assert dataset in result.output


def test_datasets_fails_on_a_broken_spec_but_lists_the_rest(tmp_path):
    shutil.copytree(paths.DATASETS_DIR / "police-recorded-crime",
                    tmp_path / "police-recorded-crime")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "dataset.yaml").write_text(yaml.safe_dump({"id": "broken", "title": "x"}))
    result = runner.invoke(app, ["datasets", "--datasets-dir", str(tmp_path)],
                           terminal_width=200)
    assert result.exit_code == 1
    assert "police-recorded-crime" in result.output
    assert "broken/dataset.yaml" in result.output


def test_stage_unknown_dataset_is_a_usage_error():
    result = runner.invoke(app, ["stage", "no-such-dataset"])
    assert result.exit_code == 2


def test_stage_needs_a_dataset_or_all():
    assert runner.invoke(app, ["stage"]).exit_code == 2


@pytest.fixture
def demo_users(monkeypatch):
    from pipelines.release.users import create_demo_users

    monkeypatch.setenv("FIVESTAR_USERS_FILE", str(paths.STATE_DIR / "users.yaml"))
    monkeypatch.delenv("FIVESTAR_USER", raising=False)
    create_demo_users()


@pytest.mark.parametrize("dataset", ["police-recorded-crime"])
def test_stage_runs_the_graph_to_a_staged_release(dataset, monkeypatch, demo_users):
    from pipelines.release.audit import AuditStore

    monkeypatch.setenv("FIVESTAR_PSEUDONYMISATION_KEY", "test-key-0123456789abcdef")
    monkeypatch.setenv("FIVESTAR_PASSWORD", "stats-demo-password")
    result = runner.invoke(app, ["stage", dataset, "--user", "stats.demo"],
                           terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "staged release" in result.output
    releases = list((paths.STATE_DIR / "releases" / dataset).iterdir())
    assert len(releases) == 1 and (releases[0] / "manifest.json").exists()
    staged = AuditStore().entries(release_id=releases[0].name)
    assert [(e.actor, e.role) for e in staged] == [("stats.demo", "statistician")]


def test_stage_needs_a_signed_in_statistician(monkeypatch, demo_users):
    monkeypatch.setenv("FIVESTAR_PASSWORD", "wrong")
    result = runner.invoke(app, ["stage", "police-recorded-crime", "--user", "stats.demo"])
    assert result.exit_code == 3
    assert runner.invoke(app, ["stage", "police-recorded-crime"]).exit_code == 2
    monkeypatch.setenv("FIVESTAR_PASSWORD", "champion-demo-password")
    result = runner.invoke(app, ["stage", "police-recorded-crime", "--user", "champion.demo"])
    assert result.exit_code == 3 and "not a statistician" in result.output
    assert not (paths.STATE_DIR / "releases").exists()
