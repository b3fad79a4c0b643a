"""The governance CLI: a client of the review service, whatever its environment says."""

import sqlite3

import pytest
import yaml
from typer.testing import CliRunner

from fivestar_dev.demo_accounts import DEMO_USERS
from fivestar_dev.synthetic_release import stage_synthetic
from pipelines.release.approvals import release_status
from pipelines.release.audit import Decision
from pipelines.release.cli import commands, visible
from pipelines.release.users import hash_password


@pytest.fixture
def env(tmp_path, service):
    authority, _ = service
    staged = stage_synthetic(tmp_path, authority, user="stats.demo")
    return authority, staged


def _as(username, password=None, **extra):
    return {"FIVESTAR_USER": username,
            "FIVESTAR_PASSWORD": password or DEMO_USERS[username][2], "COLUMNS": "250", **extra}


def run(args, env=None):
    return CliRunner().invoke(commands, args, env=env or {"COLUMNS": "250"})


def test_releases_lists_awaiting(env):
    _, staged = env
    result = run(["releases", "--user", "stats.demo"], _as("stats.demo"))
    assert result.exit_code == 0, result.output
    assert staged.id[:16] in result.output and "stats.demo" in result.output


def test_not_signed_in_is_refused(env):
    result = run(["releases"])
    assert result.exit_code == 3 and "fivestar login" in result.output


def test_login_keeps_a_token_then_logout_revokes_it(env, tmp_path):
    authority, staged = env
    result = run(["login", "champion.demo"], {"FIVESTAR_PASSWORD": "champion-demo-password"})
    assert result.exit_code == 0, result.output
    token = (tmp_path / "cli-token").read_text().strip()
    assert oct((tmp_path / "cli-token").stat().st_mode & 0o777) == "0o600"
    assert authority.user_for_token(token).username == "champion.demo"
    assert run(["approve", staged.id[:10], "--comment", "ok"]).exit_code == 0
    assert run(["logout"]).exit_code == 0
    assert authority.user_for_token(token) is None


def test_login_takes_user_as_every_other_command_does(env, tmp_path):
    authority, _ = env
    result = run(["login", "--user", "champion.demo"],
                 {"FIVESTAR_PASSWORD": "champion-demo-password"})
    assert result.exit_code == 0, result.output
    token = (tmp_path / "cli-token").read_text().strip()
    assert authority.user_for_token(token).username == "champion.demo"


def test_champion_approves_by_prefix(env):
    authority, staged = env
    result = run(["approve", staged.id[:10], "--comment", "ok"], _as("champion.demo"))
    assert result.exit_code == 0, result.output
    assert release_status(authority.store, staged.id).state == "approved"


def test_wrong_password_is_refused(env):
    authority, staged = env
    result = run(["approve", staged.id, "--comment", "ok"],
                 _as("champion.demo", "not-the-password"))
    assert result.exit_code == 3
    assert release_status(authority.store, staged.id).state == "awaiting_approval"


def test_statistician_cannot_approve_and_reject_needs_comment(env):
    _, staged = env
    result = run(["approve", staged.id], _as("stats.demo"))
    assert result.exit_code == 3 and "Transparency Champion" in result.output
    result = run(["reject", staged.id, "--comment", " "], _as("champion.demo"))
    assert result.exit_code == 1


def test_attack_a_users_file_of_ones_own_changes_nothing(env, tmp_path):
    """Finding 3: FIVESTAR_USERS_FILE pointed at a new file let anyone create a champion."""
    authority, staged = env
    evil = tmp_path / "evil-users.yaml"
    evil.write_text(yaml.safe_dump({"users": {"mallory": {
        "roles": ["transparency_champion"], "password_hash": hash_password("mallory-password")}}}))
    extra = {"FIVESTAR_USERS_FILE": str(evil), "FIVESTAR_NEW_PASSWORD": "mallory-password"}
    result = run(["users", "add", "mallory", "--role", "transparency_champion"],
                 _as("mallory", "mallory-password", **extra))
    assert result.exit_code == 3
    result = run(["approve", staged.id, "--comment", "mine"],
                 _as("mallory", "mallory-password", **extra))
    assert result.exit_code == 3
    assert authority.user("mallory") is None
    assert release_status(authority.store, staged.id).state == "awaiting_approval"


def test_attack_an_audit_database_of_ones_own_changes_nothing(env, tmp_path):
    """Finding 3: FIVESTAR_AUDIT_DB_URL was trusted the same way."""
    authority, staged = env
    evil = tmp_path / "evil-audit.sqlite"
    con = sqlite3.connect(evil)
    con.execute("CREATE TABLE audit_log (id INTEGER, decision TEXT)")
    con.execute("INSERT INTO audit_log VALUES (1, 'approved')")
    con.commit()
    con.close()
    result = run(["releases", "--all"],
                 _as("stats.demo", FIVESTAR_AUDIT_DB_URL=f"sqlite:///{evil}"))
    assert result.exit_code == 0 and "awaiting_approval" in result.output
    assert authority.release(staged.id).status.state == "awaiting_approval"


def test_withdraw_without_catalogue_records_decision(env):
    authority, staged = env
    result = run(["withdraw", "asylum-claims", "--reason", "recalled", "--no-catalogue"],
                 _as("stats.demo"))
    assert result.exit_code == 0, result.output
    assert release_status(authority.store, staged.id).state == "withdrawn"


def test_users_add_needs_an_admin(env):
    authority, _ = env
    result = run(["users", "add", "new.person", "--role", "statistician"],
                 _as("stats.demo", FIVESTAR_NEW_PASSWORD="a-long-password"))
    assert result.exit_code == 3
    result = run(["users", "add", "new.person", "--role", "statistician"],
                 _as("admin.demo", FIVESTAR_NEW_PASSWORD="a-long-password"))
    assert result.exit_code == 0, result.output
    assert authority.user("new.person").roles == {"statistician"}
    listing = run(["users", "list"], _as("admin.demo"))
    assert "new.person" in listing.output and "$argon2" not in listing.output


def test_audit_shows_entries_and_verifies(env):
    result = run(["audit"], _as("stats.demo"))
    assert result.exit_code == 0, result.output
    assert "staged" in result.output and "audit log verified" in result.output


def test_attack_audit_verify_fails_loudly_on_a_truncated_log(env, tmp_path):
    """Finding 4: `fivestar audit` reported the chain intact after rows were deleted."""
    authority, staged = env
    authority.approve(authority.user("champion.demo"), staged.id, "ok")
    con = sqlite3.connect(tmp_path / "review" / "audit.sqlite", isolation_level=None)
    con.execute("DROP TRIGGER audit_log_no_delete")
    con.execute("DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)")
    con.close()
    result = run(["audit", "--verify"], _as("stats.demo"))
    assert result.exit_code == 1
    assert "AUDIT LOG BROKEN" in result.output and "anchor-missing" in result.output


def test_attack_control_characters_and_markup_reach_the_terminal_as_text(env):
    """Finding 10: reasons and comments were printed as rich markup, escapes and all."""
    authority, staged = env
    nasty = "[bold red]APPROVED[/] \x1b[2J\x1b]0;owned\x07 back\rover \u202eevil"
    authority.reject(authority.user("champion.demo"), staged.id, nasty)
    result = run(["audit"], _as("stats.demo"))
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "\r" not in result.output and "\u202e" not in result.output
    assert "[bold red]APPROVED[/]" in result.output  # shown literally, not as markup
    assert "\\x1b[2J" in result.output and "\\u202e" in result.output
    assert visible("a\x00b").plain == "a\\x00b"


def test_entries_carry_authenticated_identities(env):
    authority, staged = env
    run(["approve", staged.id, "--comment", "ok"], _as("champion.demo"))
    entries = {e.decision: e for e in authority.store.entries()}
    assert (entries[Decision.staged].actor, entries[Decision.staged].role) == (
        "stats.demo", "statistician")
    assert (entries[Decision.approved].actor, entries[Decision.approved].role) == (
        "champion.demo", "transparency_champion")
    import pipelines.release.cli as cli_module

    # The CLI has no way to open a users file or an audit database itself.
    assert not {"UserDirectory", "AuditStore", "Authority"} & set(vars(cli_module))
