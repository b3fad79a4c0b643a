"""Pre-release access: the rule, the record of every access, the published statement."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
import yaml
from fastapi.testclient import TestClient

from fivestar_dev.demo_accounts import DEMO_USERS, create_demo_users
from fivestar_dev.synthetic_release import make_authority, make_spec, stage_synthetic
from pipelines.prerelease.access import access_list, decide, department_list
from pipelines.prerelease.statement import FILENAME, statement_csv
from pipelines.release.users import Role, User
from pipelines.review.access_log import AccessLog
from pipelines.review.app import create_app
from pipelines.spec import PreReleaseAccess

NOW = datetime(2025, 1, 21, 10, 0, tzinfo=UTC)
RELEASE = datetime(2025, 1, 30, 9, 30, tzinfo=UTC)
PRESS = User("press.office", frozenset({Role.admin}))
LIST = [PreReleaseAccess(role="Head of News", name="A. Person", user="press.office"),
        PreReleaseAccess(role="Home Secretary")]


def test_the_rule():
    stats = User("stats.demo", frozenset({Role.statistician}))
    assert decide(stats, [], published=False, scheduled=None, now=NOW).allowed
    refused = decide(User("admin.demo", frozenset({Role.admin})), LIST, published=False,
                     scheduled=RELEASE, now=NOW)
    assert not refused.allowed and refused.basis == "not on the pre-release access list"
    assert not decide(PRESS, LIST, published=False, scheduled=None, now=NOW).allowed
    early = decide(PRESS, LIST, published=False, scheduled=RELEASE,
                   now=RELEASE - timedelta(hours=24, seconds=1))
    assert not early.allowed and "24 hours" in early.basis
    inside = decide(PRESS, LIST, published=False, scheduled=RELEASE,
                    now=RELEASE - timedelta(hours=24))
    assert inside.allowed and inside.basis == "pre-release access list: Head of News"
    assert decide(PRESS, [], published=True, scheduled=RELEASE, now=NOW).allowed


def test_department_list_and_spec_list_combine(tmp_path):
    path = tmp_path / "list.yaml"
    path.write_text(yaml.safe_dump({"access": [{"role": "Permanent Secretary"},
                                               {"role": "Home Secretary"}]}))
    spec = make_spec().model_copy(update={"release": make_spec().release.model_copy(
        update={"pre_release_access": LIST})})
    assert [e.role for e in access_list(spec, path)] == [
        "Head of News", "Home Secretary", "Permanent Secretary"]
    path.write_text(yaml.safe_dump({"access": [{"name": "no role"}]}))
    with pytest.raises(Exception, match="access.0.role"):
        department_list(path)


def test_statement_lists_roles_and_names_never_accounts():
    text = statement_csv(LIST).decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["role", "name", "access"]
    assert rows[1][0].startswith("Production team")
    assert rows[2] == ["Head of News", "A. Person", "up to 24 hours before release"]
    assert "press.office" not in text
    assert statement_csv(LIST) == statement_csv(list(LIST))


@pytest.fixture(scope="module")
def demo_users(tmp_path_factory):
    return create_demo_users(tmp_path_factory.mktemp("users") / "users.yaml").read_bytes()


def _login(client, username):
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = client.post("/login", data={"username": username, "password": DEMO_USERS[username][2],
                                    "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    return client


def test_review_app_records_every_access_and_refuses_off_list(tmp_path, monkeypatch):
    monkeypatch.setenv("FIVESTAR_PRE_RELEASE_ACCESS_FILE", str(tmp_path / "none.yaml"))
    clock = {"now": NOW}
    authority = make_authority(tmp_path, clock=lambda: clock["now"])
    store = authority.store
    spec = make_spec(next_release="2025-01-30")
    staged = stage_synthetic(tmp_path, authority, spec=spec, user="stats.demo")
    app = create_app(authority, specs=lambda: [spec], failure_seconds=0)
    url = f"/releases/{staged.id}"

    champion = _login(TestClient(app), "champion.demo")
    assert champion.get(url).status_code == 200
    admin = _login(TestClient(app), "admin.demo")
    refused = admin.get(url)
    assert refused.status_code == 403 and "not on the pre-release access list" in refused.text
    assert admin.get(f"{url}/charts/0.svg").status_code == 403
    log = AccessLog(store).entries(staged.id)
    assert [(a["actor"], a["what"], a["allowed"]) for a in reversed(log)] == [
        ("champion.demo", "page", True), ("admin.demo", "page", False),
        ("admin.demo", "chart", False)]
    page = champion.get(url)
    assert "admin.demo" in page.text and "refused" in page.text  # the champion sees who tried
    # every access is an entry of the keyed chain; none of them changes the release's state
    refused_entries = store.entries(release_id=staged.id, decision="release_view_refused")
    assert [(e.actor, e.role, e.detail["what"]) for e in refused_entries] == [
        ("admin.demo", "admin", "page"), ("admin.demo", "admin", "chart")]
    assert authority.verify().ok
    assert authority.release(staged.id).status.state == "awaiting_approval"
    assert [e.decision for e in authority.release(staged.id).status.entries] == ["staged"]

    # on the list (by account): allowed only in the 24 hours before the release
    listed = spec.model_copy(update={"release": spec.release.model_copy(update={
        "pre_release_access": [PreReleaseAccess(role="Head of News", user="admin.demo")]})})
    app2 = create_app(authority, specs=lambda: [listed], failure_seconds=0)
    admin2 = _login(TestClient(app2), "admin.demo")
    assert "not approved" in admin2.get(url).text
    authority.approve(authority.user("champion.demo"), staged.id, "ok")
    assert "opens 24 hours" in admin2.get(url).text
    clock["now"] = datetime(2025, 1, 29, 9, 30, tzinfo=UTC)
    assert admin2.get(url).status_code == 200
    assert AccessLog(store).entries(staged.id)[0]["basis"] == \
        "pre-release access list: Head of News"


def test_the_statement_is_published_with_the_release(monkeypatch, service):
    """Staged through the real graph: the list is one of the release's public files."""
    import json

    from pipelines import paths
    from pipelines.assets import STAGING_STAGES
    from pipelines.release.client import ReviewServiceClient
    from pipelines.runner import run_stages
    from pipelines.runs import TICKET_ENV
    from pipelines.spec import load_spec

    monkeypatch.setenv("FIVESTAR_PSEUDONYMISATION_KEY", "test-key-0123456789abcdef")
    spec = load_spec(paths.DATASETS_DIR / "police-recorded-crime" / "dataset.yaml")
    stats = ReviewServiceClient(service[1])
    stats.login("stats.demo", DEMO_USERS["stats.demo"][2])
    monkeypatch.setenv(TICKET_ENV, stats.ticket(spec.id)["ticket"])
    outcome = run_stages(spec, STAGING_STAGES)
    assert outcome.ok, outcome.failures
    release = paths.STATE_DIR / "releases" / spec.id / outcome.outputs[
        "staged_release"].release_id
    manifest = json.loads((release / "manifest.json").read_text())
    entry = next(f for f in manifest["files"] if f["path"] == FILENAME)
    assert entry["role"] == "documentation" and entry["title"] == "Pre-release access list"
    text = (release / FILENAME).read_text()
    assert "Minister of State for Policing" in text and "Home Secretary" in text


def test_attack_deleting_an_access_record_is_detected(tmp_path, monkeypatch):
    """Who saw a release early cannot be erased: the gap breaks the keyed chain."""
    import sqlite3

    from pipelines.release.gate import PublicationRefused

    monkeypatch.setenv("FIVESTAR_PRE_RELEASE_ACCESS_FILE", str(tmp_path / "none.yaml"))
    authority = make_authority(tmp_path, clock=lambda: NOW)
    spec = make_spec(next_release="2025-01-30")
    staged = stage_synthetic(tmp_path, authority, spec=spec, user="stats.demo")
    app = create_app(authority, specs=lambda: [spec], failure_seconds=0)
    assert _login(TestClient(app), "admin.demo").get(f"/releases/{staged.id}").status_code == 403
    authority.approve(authority.user("champion.demo"), staged.id, "ok")
    con = sqlite3.connect(tmp_path / "review" / "audit.sqlite", isolation_level=None)
    con.execute("DROP TRIGGER audit_log_no_delete")
    con.execute("DELETE FROM audit_log WHERE decision = 'release_view_refused'")
    con.close()
    report = authority.verify()
    assert not report.ok
    with pytest.raises(PublicationRefused, match="audit log does not verify"):
        authority.begin_publication(authority.user("fivestar-publisher"), staged.id)
