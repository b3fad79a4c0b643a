"""The whole journey against the real local CKAN: stage → approve → publish → public.

Runs the same asset graph as `dagster dev` and `make demo`, as two different
people, and checks what an anonymous member of the public downloads is byte
for byte what the Transparency Champion approved.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from fivestar_dev.demo import CHAMPION, STATISTICIAN, ensure_demo_key, verify_public
from pipelines import paths
from pipelines.assets import STAGING_STAGES
from pipelines.release.client import TOKEN_ENV, PermissionDenied
from pipelines.runner import run_stages
from pipelines.runs import RELEASE_TAG, TICKET_ENV
from pipelines.spec import load_spec

pytestmark = pytest.mark.integration


def _unique_spec(tmp_path: Path, dataset_id: str, when: datetime):
    """A bundled dataset under a fresh id, so the test owns its CKAN dataset.

    ``when`` (the pre-announced release time) moves back to the last working day
    if it falls on a weekend or bank holiday, which a spec may not announce.
    """
    import shutil

    import yaml

    from pipelines.release_calendar.workdays import UK, is_working_day

    while not is_working_day(when.astimezone(UK).date()):
        when = (when - timedelta(days=1)).astimezone(UK).replace(hour=9, minute=30, second=0)

    new_id = f"{dataset_id}-{uuid.uuid4().hex[:8]}"
    folder = tmp_path / "datasets" / new_id
    shutil.copytree(paths.DATASETS_DIR / dataset_id, folder)
    doc = yaml.safe_load((folder / "dataset.yaml").read_text(encoding="utf-8"))
    doc["id"] = new_id
    doc["title"] = f"{doc['title']} (journey test {new_id[-8:]})"
    doc["release"]["next_release"] = when.isoformat()
    doc["expectations"] = {"suite": f"{dataset_id}.json"}  # reuse the bundled suite
    (folder / "dataset.yaml").write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return load_spec(folder / "dataset.yaml")


@pytest.fixture
def people(review_service):
    ensure_demo_key()
    return review_service.client(STATISTICIAN), review_service.client(CHAMPION)


def stage(spec, statistician, monkeypatch, instance):
    """`fivestar stage` in-process: a ticket from the service, handed over by environment."""
    monkeypatch.setenv(TICKET_ENV, statistician.ticket(spec.id)["ticket"])
    try:
        return run_stages(spec, STAGING_STAGES, instance=instance)
    finally:
        monkeypatch.delenv(TICKET_ENV)


def test_stage_approve_publish_is_public_and_byte_identical(tmp_path, people, ckan_stack,
                                                            review_service, monkeypatch,
                                                            dagster_instance):
    statistician, champion = people
    now = datetime.now(UTC).replace(microsecond=0)
    spec = _unique_spec(tmp_path, "police-recorded-crime", now - timedelta(seconds=1))

    staged = stage(spec, statistician, monkeypatch, dagster_instance)
    assert staged.ok, staged.failures + [c.name for c in staged.blocked]
    release = staged.outputs["staged_release"]
    assert release.staged_by == STATISTICIAN

    # The statistician who staged it cannot approve it, whatever roles they hold.
    with pytest.raises(PermissionDenied):
        statistician.approve(release.release_id, "mine")
    champion.approve(release.release_id, "looks right")

    publisher = review_service.client()
    publisher.token = review_service.publisher_token()
    due = [d for d in publisher.due() if d["dataset_id"] == spec.id]
    assert [d["release_id"] for d in due] == [release.release_id]
    monkeypatch.setenv(TOKEN_ENV, publisher.token)
    published = run_stages(spec, ("published",), partition=due[0]["period"],
                           tags={RELEASE_TAG: due[0]["release_id"]}, instance=dagster_instance)
    assert published.ok, published.failures
    assert verify_public(spec.id, Path(release.path)) >= 5
    history = champion.release(release.release_id)["history"]
    assert [(e["decision"], e["actor"], e["role"]) for e in history] == [
        ("staged", STATISTICIAN, "statistician"),
        ("approved", CHAMPION, "transparency_champion"),
        ("publishing", "fivestar-publisher", "publisher"),  # the intent, before the switch
        ("published", "fivestar-publisher", "publisher")]

    # The public can find it through Solr-backed search.
    base = ckan_stack["url"]
    found = requests.get(f"{base}/api/3/action/package_search",
                         params={"q": f"name:{spec.id}"}, timeout=30).json()["result"]
    assert found["count"] == 1
    assert found["results"][0]["five_star_rating"] in ("5", 5)
    # the series' next pre-announced release, from the release calendar
    assert datetime.fromisoformat(found["results"][0]["next_release_date"]) > \
        datetime.now(UTC).replace(tzinfo=None)

    # A statistician withdraws it from the review app: recorded, then in the real CKAN
    # the page stays findable with a withdrawn notice and the reason, and no files.
    _withdraw_in_review_app(review_service.url, release.release_id,
                            "Error found in the published figures")
    assert champion.release(release.release_id)["state"] == "withdrawn"
    anonymous = requests.get(f"{base}/api/3/action/package_show", params={"id": spec.id},
                             timeout=30)
    assert anonymous.status_code == 200
    pkg = anonymous.json()["result"]
    assert pkg["withdrawn"] == "true" and pkg["resources"] == []
    assert "Error found in the published figures" in pkg["notes"]


def _withdraw_in_review_app(url: str, release_id: str, reason: str) -> None:
    """Sign in to the real review service as the demo statistician and withdraw a release."""
    import re

    import httpx

    from fivestar_dev.demo_accounts import DEMO_USERS

    client = httpx.Client(base_url=url, timeout=60)

    def token(html: str) -> str:
        return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)

    login = client.post("/login", data={"username": STATISTICIAN,
                                        "password": DEMO_USERS[STATISTICIAN][2],
                                        "csrf_token": token(client.get("/login").text)},
                        follow_redirects=False)
    assert login.status_code == 303, login.text
    page = client.get(f"/releases/{release_id}")
    assert 'data-testid="withdraw"' in page.text
    done = client.post(f"/releases/{release_id}/withdraw",
                       data={"reason": reason, "csrf_token": token(page.text)},
                       follow_redirects=False)
    assert done.status_code == 303, done.text


def test_unapproved_release_is_never_published(tmp_path, people, ckan_stack, review_service,
                                               monkeypatch, dagster_instance):
    statistician, _ = people
    spec = _unique_spec(tmp_path, "police-recorded-crime",
                        datetime.now(UTC) - timedelta(seconds=1))
    staged = stage(spec, statistician, monkeypatch, dagster_instance)
    assert staged.ok
    monkeypatch.setenv(TOKEN_ENV, review_service.publisher_token())
    attempt = run_stages(spec, ("published",), partition=staged.partition,
                         instance=dagster_instance)
    assert not attempt.ok and "not been approved" in " ".join(attempt.failures)
    resp = requests.get(f"{ckan_stack['url']}/api/3/action/package_show",
                        params={"id": spec.id}, timeout=30)
    assert resp.status_code in (403, 404)
