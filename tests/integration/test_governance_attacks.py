"""Issue 10's threat model, attacked on the real stack by an unprivileged OS user.

The attacker is a statistician or operator with a shell on the pipeline host
(``nobody`` here) but without the review service's secrets. The service runs
as ``fivestar-review`` with its home 0700, exactly as ``make demo`` starts it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from fivestar_dev.demo_accounts import DEMO_USERS
from pipelines import paths
from pipelines.release.users import hash_password
from pipelines.review.service import system_venv

pytestmark = pytest.mark.integration

ATTACKER = "nobody"


@pytest.fixture
def attacker_home():
    home = Path(tempfile.mkdtemp(prefix="fivestar-attacker-"))
    shutil.chown(home, ATTACKER)
    yield home
    shutil.rmtree(home, ignore_errors=True)


def as_attacker(args: list[str], home: Path, env: dict[str, str] | None = None,
                ) -> subprocess.CompletedProcess:
    """Run a command as the unprivileged attacker, with only what they could set."""
    clean = {"PATH": f"{system_venv() / 'bin'}:/usr/bin:/bin", "HOME": str(home),
             "PYTHONDONTWRITEBYTECODE": "1", "COLUMNS": "250",
             **{k: v for k, v in os.environ.items() if k.startswith("FIVESTAR_") and
                k not in ("FIVESTAR_REVIEW_TOKEN", "FIVESTAR_PASSWORD", "FIVESTAR_USER")},
             **(env or {})}
    return subprocess.run(args, user=ATTACKER, group="nogroup", extra_groups=[], env=clean,
                          cwd=home, capture_output=True, text=True, timeout=120)


def fivestar(*args: str) -> list[str]:
    return [str(system_venv() / "bin" / "fivestar"), *args]


def test_the_service_runs_as_its_own_user(review_service):
    status = Path(f"/proc/{review_service.proc.pid}/status").read_text()
    uid = next(line.split()[1] for line in status.splitlines() if line.startswith("Uid:"))
    import pwd

    assert pwd.getpwuid(int(uid)).pw_name == "fivestar-review"
    assert review_service.home.path.stat().st_mode & 0o077 == 0
    for path in review_service.home.path.rglob("*"):
        if path.is_file() and path.name != "signing.pub.pem":
            assert path.stat().st_mode & 0o077 == 0, path


def test_attack_the_attacker_cannot_read_any_of_the_services_secrets(review_service,
                                                                     attacker_home):
    """Finding 4: the audit database was world-readable."""
    review_service.client("stats.demo").withdraw("no-such-dataset", "an entry", catalogue=False)
    home = review_service.home
    for target in (home.users_path, home.path / "audit.sqlite", home.keys_dir / "audit-mac.key",
                   home.keys_dir / "signing.pem", home.anchors_path, home.ckan_token_path,
                   home.fuseki_password_path):
        assert target.exists(), target
        result = as_attacker(["cat", str(target)], attacker_home)
        assert result.returncode != 0 and "Permission denied" in result.stderr, target
    result = as_attacker(["ls", str(home.path)], attacker_home)
    assert result.returncode != 0


def test_attack_a_users_file_of_ones_own_makes_no_champion(review_service, attacker_home):
    """Finding 3: with FIVESTAR_USERS_FILE pointing at a new file, `fivestar users add`
    created a Transparency Champion, who then approved a release."""
    evil = attacker_home / "users.yaml"
    evil.write_text(yaml.safe_dump({"users": {"mallory": {
        "roles": ["transparency_champion", "admin"],
        "password_hash": hash_password("mallory-password")}}}))
    shutil.chown(evil, ATTACKER)
    env = {"FIVESTAR_USERS_FILE": str(evil), "FIVESTAR_NEW_PASSWORD": "mallory-password",
           "FIVESTAR_USER": "mallory", "FIVESTAR_PASSWORD": "mallory-password",
           "FIVESTAR_AUDIT_DB_URL": f"sqlite:///{attacker_home / 'audit.sqlite'}"}
    added = as_attacker(fivestar("users", "add", "mallory2", "--role",
                                 "transparency_champion"), attacker_home, env)
    assert added.returncode == 3, added.stdout + added.stderr
    who = as_attacker(fivestar("whoami"), attacker_home, env)
    assert who.returncode == 3
    admin = review_service.client("admin.demo")
    assert {u["username"] for u in admin.users()} >= {"champion.demo"}
    assert not {"mallory", "mallory2"} & {u["username"] for u in admin.users()}


def test_attack_the_attackers_own_audit_database_is_ignored(review_service, attacker_home):
    env = {"FIVESTAR_AUDIT_DB_URL": f"sqlite:///{review_service.home.path / 'audit.sqlite'}",
           "FIVESTAR_USER": "stats.demo", "FIVESTAR_PASSWORD": DEMO_USERS["stats.demo"][2]}
    result = as_attacker(fivestar("audit", "--verify"), attacker_home, env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "audit log verified" in result.stdout


def test_attack_staging_under_someone_elses_name_is_impossible(review_service, attacker_home):
    """Finding 2: `fivestar stage --user stats.demo` needed no password."""
    env = {"FIVESTAR_USER": "stats.demo", "FIVESTAR_PASSWORD": "a-guessed-password"}
    result = as_attacker(fivestar("ticket", "police-recorded-crime"), attacker_home, env)
    assert result.returncode == 3
    champion = {"FIVESTAR_USER": "champion.demo",
                "FIVESTAR_PASSWORD": DEMO_USERS["champion.demo"][2]}
    result = as_attacker(fivestar("ticket", "police-recorded-crime"), attacker_home, champion)
    assert result.returncode == 3 and "only a statistician" in result.stderr + result.stdout


def test_attack_a_free_dagster_user_tag_stages_nothing(review_service, dagster_instance):
    """Finding 2: a Dagster run tag `fivestar/user` set the stager."""
    from fivestar_dev.demo import ensure_demo_key
    from pipelines.assets import STAGING_STAGES
    from pipelines.runner import run_stages
    from pipelines.spec import load_all

    ensure_demo_key()
    spec = next(s for s in load_all(paths.DATASETS_DIR)[0] if s.id == "foi-requests")
    outcome = run_stages(spec, STAGING_STAGES, tags={"fivestar/user": "stats.demo"},
                         instance=dagster_instance)
    assert not outcome.ok and "no staging ticket" in " ".join(outcome.failures)
    assert review_service.client("admin.demo").audit() == []


def test_attack_a_stolen_used_ticket_cannot_stage_again(review_service, dagster_instance,
                                                         monkeypatch):
    from fivestar_dev.demo import ensure_demo_key
    from pipelines.assets import STAGING_STAGES
    from pipelines.runner import run_stages
    from pipelines.runs import TICKET_ENV
    from pipelines.spec import load_all

    ensure_demo_key()
    spec = next(s for s in load_all(paths.DATASETS_DIR)[0] if s.id == "foi-requests")
    ticket = review_service.client("stats.demo").ticket(spec.id)["ticket"]
    monkeypatch.setenv(TICKET_ENV, ticket)
    first = run_stages(spec, STAGING_STAGES, instance=dagster_instance)
    assert first.ok, first.failures
    replay = run_stages(spec, STAGING_STAGES, instance=dagster_instance)
    assert not replay.ok and "already been used" in " ".join(replay.failures)
    entries = review_service.client("admin.demo").audit()
    assert [(e["decision"], e["actor"]) for e in entries] == [("staged", "stats.demo")]


def test_attack_the_champion_approving_their_own_staging_is_refused(review_service, tmp_path):
    """Finding 2: the champion staged as stats.demo, then approved."""
    from fivestar_dev.synthetic_release import make_spec, stage_synthetic
    from pipelines.release.client import PermissionDenied
    from pipelines.release.stage import release_payload

    admin = review_service.client("admin.demo")
    admin.add_user("both.roles", ["statistician", "transparency_champion"],
                   "both-roles-password")
    both = review_service.client()
    both.login("both.roles", "both-roles-password")
    staged = stage_synthetic(paths.STATE_DIR, None, spec=make_spec(
        next_release=(datetime.now(UTC) - timedelta(minutes=1)).isoformat()),
        releases_root=paths.releases_dir())
    manifest, reports = release_payload(staged)
    both.register_staging(both.ticket(staged.manifest["dataset_id"])["ticket"], manifest,
                          reports)
    with pytest.raises(PermissionDenied, match="separation of duties"):
        both.approve(staged.id, "mine")
    [entry] = review_service.client("admin.demo").audit()
    assert (entry["actor"], entry["role"]) == ("both.roles", "statistician")
