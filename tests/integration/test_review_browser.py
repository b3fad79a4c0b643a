"""The review app in headless Chromium: the champion's journey and the attacks it must refuse.

Runs the real app under uvicorn on loopback with synthetic releases (no CKAN
needed) and drives Debian's Chromium through Playwright.
"""

from __future__ import annotations

import http.server
import re
import socket
import threading
from datetime import UTC, datetime

import pytest

from fivestar_dev.demo_accounts import DEMO_USERS
from fivestar_dev.synthetic_release import make_authority, make_spec, stage_synthetic
from pipelines.release.approvals import release_status
from pipelines.release.audit import Decision
from pipelines.review.app import create_app
from tests.governance import serving

pytestmark = pytest.mark.browser

XSS_TITLE = "<script>window.__pwned = 1</script><b>Claims</b> & co"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    base = tmp_path_factory.mktemp("review")
    authority = make_authority(base, clock=lambda: datetime(2025, 1, 21, 10, tzinfo=UTC))
    releases = base / "releases"
    normal = stage_synthetic(base, authority, releases_root=releases, user="stats.demo",
                             spec=make_spec("asylum-claims", title="Asylum claims",
                                            next_release="2025-01-30"))
    xss = stage_synthetic(base, authority, releases_root=releases, user="stats.demo",
                          spec=make_spec("visas", title=XSS_TITLE), work="w2")
    with serving(create_app(authority)) as url:
        yield {"url": url, "store": authority.store, "normal": normal, "xss": xss}


def _login(page, site, username):
    page.goto(site["url"] + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_USERS[username][2])
    page.click("form.login button[type=submit]")
    page.wait_for_url(site["url"] + "/")


def test_champion_reviews_and_approves(page, site):
    normal = site["normal"]
    _login(page, site, "champion.demo")
    page.click(f"a[href='/releases/{normal.id}']")
    page.wait_for_url(re.compile(r"/releases/"))
    assert page.get_by_test_id("title").inner_text() == "Asylum claims"
    preview = page.get_by_test_id("preview")
    assert preview.locator("tbody tr").count() == 3
    assert "E23000001" in preview.inner_text() and "[c]" in preview.inner_text()
    assert "outlier" in page.get_by_test_id("validation").inner_text()
    assert "fields_dropped" in page.get_by_test_id("redaction").inner_text()
    assert "First release" in page.get_by_test_id("diff").inner_text()
    assert "30 January 2025, 09:30:00 GMT" in page.get_by_test_id("scheduled").inner_text()
    assert "5/5" in page.get_by_test_id("stars").inner_text()
    page.fill("form[action$='/approve'] textarea[name=comment]", "Checked preview and reports")
    page.get_by_test_id("approve").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("state").inner_text() == "approved"
    status = release_status(site["store"], normal.id)
    assert status.state == "approved" and status.approval.actor == "champion.demo"
    page.goto(site["url"] + "/audit")
    assert "Checked preview and reports" in page.get_by_test_id("audit").inner_text()


def test_statistician_has_no_button_and_crafted_post_is_403(page, site):
    xss = site["xss"]
    _login(page, site, "stats.demo")
    page.goto(f"{site['url']}/releases/{xss.id}")
    assert page.get_by_test_id("approve").count() == 0
    assert page.locator("form[action$='/approve']").count() == 0
    assert "Only a Transparency Champion" in page.get_by_test_id("why-not").inner_text()
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    response = page.request.post(f"{site['url']}/releases/{xss.id}/approve",
                                 form={"csrf_token": token, "comment": "self-approval"})
    assert response.status == 403
    assert release_status(site["store"], xss.id).state == "awaiting_approval"


def test_cross_site_post_without_csrf_token_is_refused(page, site):
    """A page on another origin posts the approve form while the champion is signed in."""
    xss = site["xss"]
    _login(page, site, "champion.demo")
    evil_html = (f'<form method="post" action="{site["url"]}/releases/{xss.id}/approve">'
                 '<input name="comment" value="forged"><button id="go">go</button></form>')

    class Evil(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's naming
            body = evil_html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    evil = http.server.HTTPServer(("127.0.0.1", 0), Evil)
    threading.Thread(target=evil.serve_forever, daemon=True).start()
    try:
        page.goto(f"http://127.0.0.1:{evil.server_address[1]}/")
        with page.expect_navigation() as nav:
            page.click("#go")
        assert nav.value.status == 403
        assert "Request refused" in page.content()
    finally:
        evil.shutdown()
    assert not [e for e in site["store"].entries(release_id=xss.id)
                if e.decision == Decision.approved]


def test_script_in_title_renders_as_text(page, site):
    xss = site["xss"]
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    _login(page, site, "champion.demo")
    for url in ("/", f"/releases/{xss.id}"):
        page.goto(site["url"] + url)
        assert "<script>window.__pwned = 1</script><b>Claims</b> & co" in page.inner_text("main")
        assert page.locator("main script").count() == 0
        assert page.locator("main b").count() == 0
        assert page.evaluate("window.__pwned") is None
    assert dialogs == []
