"""The governance CLI: authenticated like the web app, same rules."""

import pytest
from typer.testing import CliRunner

from pipelines import paths
from pipelines.release.approvals import release_status
from pipelines.release.audit import AuditStore
from pipelines.release.cli import commands
from pipelines.release.testing import stage_synthetic
from pipelines.release.users import DEMO_USERS, create_demo_users


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "STATE_DIR", tmp_path)
    monkeypatch.setenv("FIVESTAR_AUDIT_DB_URL", f"sqlite:///{tmp_path / 'audit.sqlite'}")
    monkeypatch.setenv("FIVESTAR_USERS_FILE", str(tmp_path / "users.yaml"))
    for var in ("FIVESTAR_USER", "FIVESTAR_PASSWORD"):
        monkeypatch.delenv(var, raising=False)
    create_demo_users()
    store = AuditStore()
    staged = stage_synthetic(tmp_path, store, user="stats.demo")
    return store, staged


def _as(username, password=None):
    return {"FIVESTAR_USER": username,
            "FIVESTAR_PASSWORD": password or DEMO_USERS[username][2]}


def test_releases_lists_awaiting(env):
    _, staged = env
    result = CliRunner().invoke(commands, ["releases"], env={"COLUMNS": "250"})
    assert result.exit_code == 0 and staged.id[:16] in result.output


def test_champion_approves_by_prefix(env):
    store, staged = env
    result = CliRunner().invoke(commands, ["approve", staged.id[:10], "--comment", "ok"],
                                env=_as("champion.demo"))
    assert result.exit_code == 0, result.output
    assert release_status(store, staged.id).state == "approved"


def test_wrong_password_is_refused(env):
    store, staged = env
    result = CliRunner().invoke(commands, ["approve", staged.id, "--comment", "ok"],
                                env=_as("champion.demo", "not-the-password"))
    assert result.exit_code == 3
    assert release_status(store, staged.id).state == "awaiting_approval"


def test_statistician_cannot_approve_and_reject_needs_comment(env):
    store, staged = env
    result = CliRunner().invoke(commands, ["approve", staged.id], env=_as("stats.demo"))
    assert result.exit_code == 3 and "Transparency Champion" in result.output
    result = CliRunner().invoke(commands, ["reject", staged.id, "--comment", " "],
                                env=_as("champion.demo"))
    assert result.exit_code == 1
    assert release_status(store, staged.id).state == "awaiting_approval"


def test_withdraw_without_catalogue_records_decision(env):
    store, staged = env
    result = CliRunner().invoke(
        commands, ["withdraw", "asylum-claims", "--reason", "recalled", "--no-catalogue"],
        env=_as("stats.demo"))
    assert result.exit_code == 0, result.output
    assert release_status(store, staged.id).state == "withdrawn"


def test_users_add_needs_an_admin_once_one_exists(env):
    runner = CliRunner()
    result = runner.invoke(commands, ["users", "add", "new.person", "--role", "statistician"],
                           env={**_as("champion.demo"), "FIVESTAR_NEW_PASSWORD": "x" * 14})
    assert result.exit_code == 3
    result = runner.invoke(commands, ["users", "add", "new.person", "--role", "statistician"],
                           env={**_as("admin.demo"), "FIVESTAR_NEW_PASSWORD": "x" * 14})
    assert result.exit_code == 0, result.output
    listed = runner.invoke(commands, ["users", "list"])
    assert "new.person" in listed.output and "argon2" not in listed.output


def test_audit_command_shows_entries(env):
    result = CliRunner().invoke(commands, ["audit"], env={"COLUMNS": "250"})
    assert result.exit_code == 0 and "stats.demo" in result.output
