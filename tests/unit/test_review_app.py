"""The review service over HTTP: sign-in, sessions, throttling, CSRF, roles, escaping, API."""

import re
import threading
import time
from datetime import UTC, datetime

import httpx
import pytest
from fastapi.testclient import TestClient

from fivestar_dev.demo_accounts import DEMO_USERS
from fivestar_dev.synthetic_release import make_authority, make_spec, stage_synthetic
from pipelines.release.approvals import release_status
from pipelines.release.audit import Decision
from pipelines.review.app import create_app
from pipelines.review.throttle import LoginThrottle
from tests.governance import serving
from tests.unit.fake_ckan import FakeCKAN

NOW = datetime(2025, 1, 21, 10, 0, tzinfo=UTC)


@pytest.fixture
def ckan():
    return FakeCKAN()


@pytest.fixture
def env(tmp_path, ckan):
    authority = make_authority(tmp_path, clock=lambda: NOW, ckan=lambda: ckan)
    staged = stage_synthetic(tmp_path, authority, user="stats.demo",
                             spec=make_spec(title="Claims <script>alert('x')</script> & co",
                                            next_release="2025-01-30"))
    app = create_app(authority, failure_seconds=0.01)
    return authority, staged, app


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _login(client, username, password=None):
    page = client.get("/login")
    r = client.post("/login", data={"username": username,
                                    "password": password or DEMO_USERS[username][2],
                                    "csrf_token": _token(page.text)}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return client


def test_pages_need_login(env):
    _, staged, app = env
    client = TestClient(app)
    for url in ("/", f"/releases/{staged.id}", "/audit", "/tokens"):
        r = client.get(url, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/login"


def test_wrong_password_then_throttled(env):
    client = TestClient(env[2])
    token = _token(client.get("/login").text)
    for _ in range(5):
        r = client.post("/login", data={"username": "champion.demo", "password": "nope-nope-no",
                                         "csrf_token": token})
        assert r.status_code == 401 and "Wrong user name or password" in r.text
    r = client.post("/login", data={"username": "champion.demo",
                                    "password": DEMO_USERS["champion.demo"][2],
                                    "csrf_token": token})
    assert r.status_code == 429


def test_attack_a_stranger_cannot_lock_the_champion_out(env):
    """Finding 7: five wrong passwords from anyone locked the champion out for 5 minutes."""
    _, _, app = env
    champion = _login(TestClient(app, client=("10.0.0.5", 50000)), "champion.demo")
    champion.post("/logout", data={"csrf_token": _token(champion.get("/").text)})
    for n in range(30):  # a stranger, from many addresses
        stranger = TestClient(app, client=(f"192.0.2.{n % 10}", 40000 + n))
        page = stranger.get("/login")
        stranger.post("/login", data={"username": "champion.demo", "password": "guess-guess",
                                      "csrf_token": _token(page.text)})
    # …the champion signs in again from their own browser (it holds their device cookie)
    _login(champion, "champion.demo")
    home = champion.get("/", follow_redirects=False)
    assert home.status_code == 200 and "Demo Transparency Champion" in home.text
    # …while the stranger's addresses are throttled and a fresh device is slowed down.
    fresh = TestClient(app, client=("198.51.100.7", 1234))
    page = fresh.get("/login")
    r = fresh.post("/login", data={"username": "champion.demo",
                                   "password": DEMO_USERS["champion.demo"][2],
                                   "csrf_token": _token(page.text)})
    assert r.status_code == 429


def test_throttle_memory_is_bounded():
    t = LoginThrottle(max_keys=100)
    for n in range(5000):
        t.failed(f"user{n}", f"10.0.{n // 256}.{n % 256}", trusted_device=False)
    assert t.size() <= 300


def test_throttle_windows_expire():
    now = [0.0]
    t = LoginThrottle(per_pair=2, window_seconds=60, clock=lambda: now[0])
    t.failed("a", "1.1.1.1", False)
    t.failed("a", "1.1.1.1", False)
    assert not t.allowed("a", "1.1.1.1", False)
    assert t.allowed("a", "2.2.2.2", False)
    now[0] = 61
    assert t.allowed("a", "1.1.1.1", False)


def test_every_failure_takes_the_same_minimum_time(tmp_path):
    authority = make_authority(tmp_path)
    client = TestClient(create_app(authority, failure_seconds=0.3))
    token = _token(client.get("/login").text)
    for username in ("champion.demo", "no-such-user"):
        started = time.monotonic()
        r = client.post("/login", data={"username": username, "password": "wrong-password",
                                        "csrf_token": token})
        assert r.status_code == 401 and time.monotonic() - started >= 0.3


def test_attack_argon2_runs_off_the_event_loop(tmp_path):
    """Finding 7: each failed login ran argon2 on the event loop, stalling every page."""
    authority = make_authority(tmp_path)
    release = threading.Event()
    entered = threading.Semaphore(0)
    slow = authority.authenticate

    def blocking_authenticate(username, password):
        entered.release()
        release.wait(20)  # a password check that takes as long as we like
        return slow(username, password)

    authority.authenticate = blocking_authenticate
    with serving(create_app(authority, failure_seconds=0)) as url:
        with httpx.Client(base_url=url) as c:
            token = _token(c.get("/login").text)
            cookies = dict(c.cookies)

        def attempt():
            with httpx.Client(base_url=url, cookies=cookies, timeout=30) as c:
                c.post("/login", data={"username": "champion.demo", "password": "x" * 12,
                                       "csrf_token": token})

        workers = [threading.Thread(target=attempt) for _ in range(4)]
        for w in workers:
            w.start()
        assert entered.acquire(timeout=10)  # password checks are running…
        r = httpx.get(f"{url}/healthz", timeout=5)  # …and the server still answers
        assert r.status_code == 200
        release.set()
        for w in workers:
            w.join(30)


def test_session_cookie_flags(env):
    authority = env[0]
    client2 = TestClient(env[2])
    page = client2.get("/login")
    r = client2.post("/login", data={"username": "champion.demo",
                                     "password": DEMO_USERS["champion.demo"][2],
                                     "csrf_token": _token(page.text)}, follow_redirects=False)
    cookie = [c for c in r.headers.get_list("set-cookie") if c.startswith("fivestar_review=")]
    low = cookie[0].lower()
    assert "httponly" in low and "samesite=strict" in low and "secure" not in low
    assert "script-src" not in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"
    secure = TestClient(create_app(authority, secure_cookies=True),
                        base_url="https://testserver")
    assert "secure" in secure.get("/login").headers["set-cookie"].lower()


def test_attack_a_replayed_cookie_after_logout_is_signed_out(env):
    """Finding 7: logout left the signed cookie valid for 8 h, CSRF token included."""
    _, staged, app = env
    client = _login(TestClient(app), "champion.demo")
    page = client.get(f"/releases/{staged.id}").text
    stolen_cookie, stolen_csrf = client.cookies.get("fivestar_review"), _token(page)
    client.post("/logout", data={"csrf_token": stolen_csrf})
    replay = TestClient(app)
    replay.cookies.set("fivestar_review", stolen_cookie)
    assert replay.get("/", follow_redirects=False).status_code == 303
    r = replay.post(f"/releases/{staged.id}/approve", data={"csrf_token": stolen_csrf})
    assert r.status_code == 403
    assert release_status(env[0].store, staged.id).state == "awaiting_approval"


def test_session_is_fresh_at_each_sign_in(env):
    client = TestClient(env[2], cookies={"fivestar_review": "attacker-chosen-session-id"})
    page = client.get("/login")
    r = client.post("/login", data={"username": "champion.demo",
                                    "password": DEMO_USERS["champion.demo"][2],
                                    "csrf_token": _token(page.text)}, follow_redirects=False)
    [cookie] = [c for c in r.headers.get_list("set-cookie") if c.startswith("fivestar_review=")]
    assert "attacker-chosen-session-id" not in cookie
    replay = TestClient(env[2], cookies={"fivestar_review": "attacker-chosen-session-id"})
    assert replay.get("/", follow_redirects=False).status_code == 303


def test_login_without_csrf_token_is_refused(env):
    client = TestClient(env[2])
    client.get("/login")
    r = client.post("/login", data={"username": "champion.demo",
                                    "password": DEMO_USERS["champion.demo"][2]})
    assert r.status_code == 403


def test_champion_sees_release_and_approves(env):
    authority, staged, app = env
    client = _login(TestClient(app), "champion.demo")
    assert staged.id in client.get("/").text
    page = client.get(f"/releases/{staged.id}")
    assert page.status_code == 200
    html = page.text
    assert "<script>" not in html
    assert "Claims &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co" in html
    assert "E23000001" in html and "[c]" in html  # preview
    assert "column `claims` has an outlier" in html  # validation warning
    assert "fields_dropped" in html  # redaction report
    assert "First release of this dataset" in html  # diff
    assert "Thursday 30 January 2025, 09:30:00 GMT" in html  # scheduled time
    assert 'data-testid="approve"' in html
    r = client.post(f"/releases/{staged.id}/approve",
                    data={"comment": "checked", "csrf_token": _token(html)},
                    follow_redirects=False)
    assert r.status_code == 303
    status = release_status(authority.store, staged.id)
    assert status.state == "approved" and status.approval.actor == "champion.demo"
    assert status.approval.comment == "checked"
    audit = client.get("/audit").text
    assert "champion.demo" in audit and "Keyed chain intact" in audit


def test_attack_the_champion_sees_the_staged_reports_not_a_forged_file(env):
    """Finding 8: a forged diff in the release folder was shown to the champion."""
    authority, staged, app = env
    diff = staged.path / "reports" / "diff.json"
    diff.chmod(0o644)
    diff.write_text('{"first_release": false, "baseline": {"release_id": "forged-forged"}}')
    client = _login(TestClient(app), "champion.demo")
    html = client.get(f"/releases/{staged.id}").text
    assert "forged-forged" not in html and "First release of this dataset" in html
    r = client.post(f"/releases/{staged.id}/approve", data={"csrf_token": _token(html)})
    assert r.status_code == 409 and "reports/diff.json" in r.text


def test_audit_page_shows_a_broken_chain(env, tmp_path):
    import sqlite3

    authority, _, app = env
    con = sqlite3.connect(tmp_path / "review" / "audit.sqlite", isolation_level=None)
    con.execute("DROP TRIGGER audit_log_no_update")
    con.execute("UPDATE audit_log SET actor = 'someone.else'")
    con.close()
    html = _login(TestClient(app), "stats.demo").get("/audit").text
    assert 'data-testid="chain-broken"' in html and "mac-mismatch" in html


def test_statistician_has_no_button_and_crafted_post_is_403(env):
    authority, staged, app = env
    client = _login(TestClient(app), "stats.demo")
    html = client.get(f"/releases/{staged.id}").text
    assert 'data-testid="approve"' not in html and "/approve" not in html
    r = client.post(f"/releases/{staged.id}/approve",
                    data={"comment": "self", "csrf_token": _token(html)})
    assert r.status_code == 403
    assert release_status(authority.store, staged.id).state == "awaiting_approval"


def test_post_without_or_with_wrong_csrf_or_foreign_origin_is_refused(env):
    authority, staged, app = env
    client = _login(TestClient(app), "champion.demo")
    html = client.get(f"/releases/{staged.id}").text
    url = f"/releases/{staged.id}/approve"
    assert client.post(url, data={"comment": "x"}).status_code == 403
    assert client.post(url, data={"csrf_token": "forged"}).status_code == 403
    r = client.post(url, data={"csrf_token": _token(html)},
                    headers={"Origin": "https://evil.example"})
    assert r.status_code == 403
    assert not authority.store.entries(decision=Decision.approved)


def test_reject_requires_a_comment(env):
    authority, staged, app = env
    client = _login(TestClient(app), "champion.demo")
    html = client.get(f"/releases/{staged.id}").text
    r = client.post(f"/releases/{staged.id}/reject", data={"csrf_token": _token(html)})
    assert r.status_code == 409
    r = client.post(f"/releases/{staged.id}/reject",
                    data={"csrf_token": _token(html), "comment": "wrong period"},
                    follow_redirects=False)
    assert r.status_code == 303
    assert release_status(authority.store, staged.id).state == "rejected"


def test_unknown_release_is_404(env):
    client = _login(TestClient(env[2]), "champion.demo")
    assert client.get("/releases/" + "0" * 64).status_code == 404
    assert client.get("/releases/..%2F..%2Fetc").status_code == 404


def test_trusted_header_mode(env, monkeypatch):
    _, staged, app = env
    monkeypatch.setenv("FIVESTAR_TRUSTED_USER_HEADER", "X-Remote-User")
    client = TestClient(app)
    assert client.get("/", follow_redirects=False).status_code == 303
    r = client.get(f"/releases/{staged.id}", headers={"X-Remote-User": "champion.demo"})
    assert r.status_code == 200 and 'data-testid="approve"' in r.text


def test_statistician_withdraws_a_pending_release_without_touching_the_catalogue(env, ckan):
    authority, staged, app = env
    ckan.missing = True  # never published: the catalogue has no such dataset
    client = _login(TestClient(app), "stats.demo")
    page = client.get(f"/releases/{staged.id}")
    assert 'data-testid="withdraw"' in page.text
    r = client.post(f"/releases/{staged.id}/withdraw",
                    data={"reason": "Source data found to be incomplete",
                          "csrf_token": _token(page.text)}, follow_redirects=False)
    assert r.status_code == 303
    assert release_status(authority.store, staged.id).state == "withdrawn"
    entry = authority.store.entries(decision=Decision.withdrawn)[-1]
    assert (entry.actor, entry.role, entry.comment) == (
        "stats.demo", "statistician", "Source data found to be incomplete")
    assert ckan.patches() == []


def test_withdrawing_a_published_release_leaves_a_notice_in_the_catalogue(env, ckan):
    authority, staged, app = env
    authority.approve(authority.user("champion.demo"), staged.id, "ok")
    authority.store.record(actor="fivestar-publisher", role="publisher",
                           dataset_id=staged.manifest["dataset_id"], release_id=staged.id,
                           decision=Decision.published)
    client = _login(TestClient(app), "champion.demo")
    page = client.get(f"/releases/{staged.id}")
    r = client.post(f"/releases/{staged.id}/withdraw",
                    data={"reason": "Error found in the published figures",
                          "csrf_token": _token(page.text)}, follow_redirects=False)
    assert r.status_code == 303
    assert [n for n, _ in ckan.calls] == ["package_show", "resource_delete", "package_patch"]
    [patch] = ckan.patches()
    assert patch["private"] is False and patch["withdrawn"] == "true"
    assert patch["withdrawn_reason"] == "Error found in the published figures"
    assert "Error found in the published figures" in patch["notes"]
    assert release_status(authority.store, staged.id).state == "withdrawn"


def test_a_correction_may_be_approved_for_immediate_release(tmp_path, ckan):
    from pipelines.contracts.provenance import Revision

    authority = make_authority(tmp_path, clock=lambda: NOW, ckan=lambda: ckan)
    staged = stage_synthetic(tmp_path, authority, revision=Revision(
        notes="One figure revised.", number=1, of_release="f" * 64, version="2024-Q4-r1",
        previous_version="2024-Q4"))
    client = _login(TestClient(create_app(authority, failure_seconds=0)), "champion.demo")
    html = client.get(f"/releases/{staged.id}").text
    assert 'data-testid="revision-notes"' in html and "One figure revised." in html
    assert 'data-testid="immediately"' in html
    r = client.post(f"/releases/{staged.id}/approve",
                    data={"csrf_token": _token(html), "immediately": "1"},
                    follow_redirects=False)
    assert r.status_code == 303
    assert authority.release(staged.id).scheduled == NOW


def test_withdrawal_needs_the_role_the_reason_and_the_csrf_token(env, ckan):
    authority, staged, app = env
    admin = _login(TestClient(app), "admin.demo")
    page = admin.get(f"/releases/{staged.id}")
    assert 'data-testid="withdraw"' not in page.text
    r = admin.post(f"/releases/{staged.id}/withdraw",
                   data={"reason": "because", "csrf_token": _token(page.text)})
    assert r.status_code == 403
    stats = _login(TestClient(app), "stats.demo")
    assert stats.post(f"/releases/{staged.id}/withdraw",
                      data={"reason": "no token"}).status_code == 403
    page = stats.get(f"/releases/{staged.id}")
    r = stats.post(f"/releases/{staged.id}/withdraw",
                   data={"reason": "  ", "csrf_token": _token(page.text)})
    assert r.status_code == 409
    assert release_status(authority.store, staged.id).state == "awaiting_approval"
    assert ckan.calls == []


def test_tokens_page_issues_a_cli_token_and_a_staging_ticket(env):
    authority, _, app = env
    client = _login(TestClient(app), "stats.demo")
    page = client.get("/tokens").text
    r = client.post("/tokens", data={"kind": "token", "csrf_token": _token(page)})
    token = re.search(r'<pre class="secret">([^<]+)</pre>', r.text).group(1)
    assert authority.user_for_token(token).username == "stats.demo"
    r = client.post("/tokens", data={"kind": "ticket", "dataset_id": "asylum-claims",
                                     "csrf_token": _token(page)})
    assert r.status_code == 200 and "fivestar/ticket" in r.text


# -- the JSON API -----------------------------------------------------------------


def test_api_takes_bearer_tokens_never_the_session_cookie(env):
    authority, staged, app = env
    client = _login(TestClient(app), "champion.demo")  # a browser with a live session
    r = client.post(f"/api/v1/releases/{staged.id}/approve", json={"comment": "x"})
    assert r.status_code == 401 and r.json()["error"]["type"] == "NotAuthenticated"
    api = TestClient(app)
    login = api.post("/api/v1/tokens", json={"username": "champion.demo",
                                             "password": DEMO_USERS["champion.demo"][2]})
    token = login.json()["token"]
    r = api.post(f"/api/v1/releases/{staged.id}/approve", json={"comment": "ok"},
                 headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and r.json()["actor"] == "champion.demo"


def test_api_errors_name_the_exception_class(env):
    _, staged, app = env
    api = TestClient(app)
    token = api.post("/api/v1/tokens", json={"username": "stats.demo",
                                             "password": DEMO_USERS["stats.demo"][2]}).json()
    r = api.post(f"/api/v1/releases/{staged.id}/approve", json={},
                 headers={"Authorization": f"Bearer {token['token']}"})
    assert r.status_code == 403 and r.json()["error"]["type"] == "PermissionDenied"
    r = api.post("/api/v1/tokens", json={"username": "stats.demo", "password": "wrong"})
    assert r.status_code == 401
    r = api.post("/api/v1/releases", json={"ticket": "x", "manifest": "%%%"})
    assert r.status_code in (401, 409)
    assert api.post("/api/v1/tickets", json={}).status_code in (400, 401)


def test_api_refuses_huge_bodies(env):
    r = TestClient(env[2]).post("/api/v1/releases", content=b"{}",
                                headers={"Content-Length": str(10 ** 9),
                                         "Content-Type": "application/json"})
    assert r.status_code == 413


def test_decisions_read_as_words_not_codes(env):
    """The ``publishing`` intent (and every other decision code) is shown as people read
    it in the audit page and the release's history, never as the raw code."""
    authority, staged, app = env
    authority.store.record(actor="fivestar-publisher", role="publisher",
                           dataset_id=staged.manifest["dataset_id"], release_id=staged.id,
                           decision=Decision.publishing, comment="switching to public",
                           at=NOW)
    client = _login(TestClient(app), "champion.demo")
    for page in (client.get("/audit").text, client.get(f"/releases/{staged.id}").text):
        assert "switching to public</" in page
        assert ">publishing<" not in page and ">awaiting_approval<" not in page
