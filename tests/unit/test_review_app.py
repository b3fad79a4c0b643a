"""The review app over HTTP (TestClient): auth, CSRF, roles, escaping, decisions."""

import re
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from pipelines.release.approvals import release_status
from pipelines.release.audit import AuditStore, Decision
from pipelines.release.testing import make_spec, stage_synthetic
from pipelines.release.users import DEMO_USERS, UserDirectory, create_demo_users
from pipelines.review.app import create_app

NOW = datetime(2025, 1, 21, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo_users(tmp_path_factory):
    """Hashing is deliberately slow (argon2): hash the demo accounts once per module."""
    return create_demo_users(tmp_path_factory.mktemp("users") / "users.yaml").read_bytes()


@pytest.fixture
def env(tmp_path, demo_users):
    store = AuditStore(f"sqlite:///{tmp_path / 'audit.sqlite'}")
    users = tmp_path / "users.yaml"
    users.write_bytes(demo_users)
    staged = stage_synthetic(tmp_path, store, user="stats.demo",
                             spec=make_spec(title="Claims <script>alert('x')</script> & co",
                                            next_release="2025-01-30"))
    app = create_app(store=store, users=users, releases_root=tmp_path / "releases",
                     clock=lambda: NOW, secret_key="test-secret-key-0123456789")
    return store, staged, app, users


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _login(client, username):
    page = client.get("/login")
    password = DEMO_USERS[username][2]
    r = client.post("/login", data={"username": username, "password": password,
                                    "csrf_token": _token(page.text)}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return client


def test_pages_need_login(env):
    _, staged, app, _ = env
    client = TestClient(app)
    for url in ("/", f"/releases/{staged.id}", "/audit"):
        r = client.get(url, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/login"


def test_wrong_password_and_lockout(env):
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


def test_session_cookie_flags(env):
    client = TestClient(env[2])
    r = client.get("/login")
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "secure" not in cookie
    secure_app = create_app(store=env[0], users=env[3], secret_key="k" * 32,
                            secure_cookies=True)
    cookie = TestClient(secure_app, base_url="https://testserver").get(
        "/login").headers["set-cookie"].lower()
    assert "secure" in cookie
    assert "script-src" not in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"


def test_login_without_csrf_token_is_refused(env):
    client = TestClient(env[2])
    client.get("/login")
    r = client.post("/login", data={"username": "champion.demo",
                                    "password": DEMO_USERS["champion.demo"][2]})
    assert r.status_code == 403


def test_champion_sees_release_and_approves(env):
    store, staged, app, _ = env
    client = _login(TestClient(app), "champion.demo")
    index = client.get("/")
    assert staged.id in index.text
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
    status = release_status(store, staged.id)
    assert status.state == "approved" and status.approval.actor == "champion.demo"
    assert status.approval.comment == "checked"
    audit = client.get("/audit").text
    assert "champion.demo" in audit and "Hash chain intact" in audit


def test_statistician_has_no_button_and_crafted_post_is_403(env):
    store, staged, app, _ = env
    client = _login(TestClient(app), "stats.demo")
    html = client.get(f"/releases/{staged.id}").text
    assert 'data-testid="approve"' not in html and "/approve" not in html
    r = client.post(f"/releases/{staged.id}/approve",
                    data={"comment": "self", "csrf_token": _token(html)})
    assert r.status_code == 403
    assert release_status(store, staged.id).state == "awaiting_approval"


def test_stager_with_champion_role_gets_403(env, tmp_path):
    store, staged, app, users = env
    UserDirectory.load(users).add("both.roles", ["statistician", "transparency_champion"],
                                  "both-roles-password")
    # another dataset (a second candidate of the same one would supersede the first)
    other = stage_synthetic(tmp_path, store, user="both.roles", work="w2",
                            spec=make_spec("visa-claims"), rows=[("A", "2024-Q4", 1)])
    client = TestClient(app)
    page = client.get("/login")
    client.post("/login", data={"username": "both.roles", "password": "both-roles-password",
                                "csrf_token": _token(page.text)})
    html = client.get(f"/releases/{other.id}").text
    assert "separation of duties" in html and 'data-testid="approve"' not in html
    r = client.post(f"/releases/{other.id}/approve", data={"csrf_token": _token(html)})
    assert r.status_code == 403
    # ...but they may approve someone else's release.
    r = client.post(f"/releases/{staged.id}/approve", data={"csrf_token": _token(html)},
                    follow_redirects=False)
    assert r.status_code == 303


def test_post_without_or_with_wrong_csrf_or_foreign_origin_is_refused(env):
    store, staged, app, _ = env
    client = _login(TestClient(app), "champion.demo")
    html = client.get(f"/releases/{staged.id}").text
    url = f"/releases/{staged.id}/approve"
    assert client.post(url, data={"comment": "x"}).status_code == 403
    assert client.post(url, data={"csrf_token": "forged"}).status_code == 403
    r = client.post(url, data={"csrf_token": _token(html)},
                    headers={"Origin": "https://evil.example"})
    assert r.status_code == 403
    assert not [e for e in store.entries() if e.decision == Decision.approved]


def test_reject_requires_a_comment(env):
    store, staged, app, _ = env
    client = _login(TestClient(app), "champion.demo")
    html = client.get(f"/releases/{staged.id}").text
    r = client.post(f"/releases/{staged.id}/reject", data={"csrf_token": _token(html)})
    assert r.status_code == 409
    r = client.post(f"/releases/{staged.id}/reject",
                    data={"csrf_token": _token(html), "comment": "wrong period"},
                    follow_redirects=False)
    assert r.status_code == 303
    assert release_status(store, staged.id).state == "rejected"


def test_unknown_release_is_404(env):
    client = _login(TestClient(env[2]), "champion.demo")
    assert client.get("/releases/" + "0" * 64).status_code == 404
    assert client.get("/releases/..%2F..%2Fetc").status_code == 404


def test_logout_clears_the_session(env):
    client = _login(TestClient(env[2]), "champion.demo")
    html = client.get("/").text
    client.post("/logout", data={"csrf_token": _token(html)})
    assert client.get("/", follow_redirects=False).status_code == 303


def test_trusted_header_mode(env, monkeypatch):
    _, staged, app, users = env
    monkeypatch.setenv("FIVESTAR_TRUSTED_USER_HEADER", "X-Remote-User")
    client = TestClient(app)
    assert client.get("/", follow_redirects=False).status_code == 303
    r = client.get(f"/releases/{staged.id}", headers={"X-Remote-User": "champion.demo"})
    assert r.status_code == 200 and 'data-testid="approve"' in r.text


class FakeCKAN:
    """Records the catalogue calls a withdrawal makes (a unit-test fake; the
    CLI withdrawal is exercised against the real CKAN in the integration tests)."""

    def __init__(self):
        self.calls = []
        outer = self

        class Action:
            def package_show(self, id):
                outer.calls.append(("package_show", id))
                return {"name": id, "notes": "About the data.", "resources": [{"id": "r1"}]}

            def resource_delete(self, id):
                outer.calls.append(("resource_delete", id))

            def package_patch(self, **kw):
                outer.calls.append(("package_patch", kw))
                return kw

            def package_delete(self, id):
                outer.calls.append(("package_delete", id))

        self.action = Action()


def _withdraw_app(env, ckan):
    store, staged, _, users = env
    return create_app(store=store, users=users, releases_root=staged.path.parent.parent,
                      clock=lambda: NOW, secret_key="test-secret-key-0123456789",
                      ckan=lambda: ckan)


def test_statistician_withdraws_a_pending_release_without_touching_the_catalogue(env):
    store, staged, _, _ = env
    ckan = FakeCKAN()
    client = _login(TestClient(_withdraw_app(env, ckan)), "stats.demo")
    page = client.get(f"/releases/{staged.id}")
    assert 'data-testid="withdraw"' in page.text
    r = client.post(f"/releases/{staged.id}/withdraw",
                    data={"reason": "Source data found to be incomplete",
                          "csrf_token": _token(page.text)}, follow_redirects=False)
    assert r.status_code == 303
    assert release_status(store, staged.id).state == "withdrawn"
    entry = store.entries(decision=Decision.withdrawn)[-1]
    assert (entry.actor, entry.comment) == ("stats.demo", "Source data found to be incomplete")
    assert ckan.calls == []  # never public: nothing to hide


def test_withdrawing_a_published_release_leaves_a_notice_in_the_catalogue(env):
    store, staged, _, _ = env
    from pipelines.release.approvals import approve
    from pipelines.release.users import Role, User

    approve(store, staged.path, User("champion.demo", frozenset({Role.transparency_champion})),
            "ok", now=NOW)
    store.record(actor="fivestar-publisher", role="system",
                 dataset_id=staged.manifest["dataset_id"], release_id=staged.id,
                 decision=Decision.published, comment="")
    ckan = FakeCKAN()
    client = _login(TestClient(_withdraw_app(env, ckan)), "champion.demo")
    page = client.get(f"/releases/{staged.id}")
    r = client.post(f"/releases/{staged.id}/withdraw",
                    data={"reason": "Error found in the published figures",
                          "csrf_token": _token(page.text)}, follow_redirects=False)
    assert r.status_code == 303
    patches = [kw for name, kw in ckan.calls if name == "package_patch"]
    assert patches and patches[0]["private"] is False and patches[0]["withdrawn"] == "true"
    assert "Error found in the published figures" in patches[0]["notes"]
    assert patches[0]["withdrawn_reason"] == "Error found in the published figures"
    assert [n for n, _ in ckan.calls] == ["package_show", "resource_delete", "package_patch"]
    assert release_status(store, staged.id).state == "withdrawn"


def test_withdrawal_needs_the_role_the_reason_and_the_csrf_token(env):
    store, staged, _, _ = env
    ckan = FakeCKAN()
    admin = _login(TestClient(_withdraw_app(env, ckan)), "admin.demo")
    page = admin.get(f"/releases/{staged.id}")
    assert 'data-testid="withdraw"' not in page.text
    r = admin.post(f"/releases/{staged.id}/withdraw",
                   data={"reason": "because", "csrf_token": _token(page.text)})
    assert r.status_code == 403
    stats = _login(TestClient(_withdraw_app(env, ckan)), "stats.demo")
    r = stats.post(f"/releases/{staged.id}/withdraw", data={"reason": "no token"})
    assert r.status_code == 403
    page = stats.get(f"/releases/{staged.id}")
    r = stats.post(f"/releases/{staged.id}/withdraw",
                   data={"reason": "  ", "csrf_token": _token(page.text)})
    assert r.status_code == 409
    assert release_status(store, staged.id).state == "awaiting_approval"
    assert ckan.calls == []
