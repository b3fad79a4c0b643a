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


@pytest.mark.parametrize("dataset", ["police-recorded-crime"])
def test_stage_runs_the_graph_to_a_staged_release(dataset, monkeypatch, service):
    authority, _ = service
    authority.releases_root = paths.STATE_DIR / "releases"
    monkeypatch.setenv("FIVESTAR_PSEUDONYMISATION_KEY", "test-key-0123456789abcdef")
    monkeypatch.setenv("FIVESTAR_PASSWORD", "stats-demo-password")
    result = runner.invoke(app, ["stage", dataset, "--user", "stats.demo"],
                           terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "staged release" in result.output
    releases = list((paths.STATE_DIR / "releases" / dataset).iterdir())
    assert len(releases) == 1 and (releases[0] / "manifest.json").exists()
    info = authority.release(releases[0].name)
    assert info.status.stagers == {"stats.demo"}


def test_attack_stage_with_a_user_name_but_no_password_is_refused(monkeypatch, service):
    """Finding 2: `fivestar stage --user` took a name without a password."""
    authority, _ = service
    monkeypatch.setenv("FIVESTAR_PASSWORD", "not-the-password")
    result = runner.invoke(app, ["stage", "police-recorded-crime", "--user", "stats.demo"],
                           terminal_width=200)
    assert result.exit_code == 3
    monkeypatch.setenv("FIVESTAR_PASSWORD", "champion-demo-password")
    result = runner.invoke(app, ["stage", "police-recorded-crime", "--user", "champion.demo"],
                           terminal_width=200)
    assert result.exit_code == 3 and "only a statistician" in result.output
    assert authority.store.entries() == []
    assert not (paths.STATE_DIR / "releases").exists()


def test_publish_with_nothing_due(service, monkeypatch):
    monkeypatch.setenv("FIVESTAR_PASSWORD", "ops-demo-password")
    result = runner.invoke(app, ["publish", "--user", "ops.demo"], terminal_width=200)
    assert result.exit_code == 0 and "nothing is approved and due" in result.output
