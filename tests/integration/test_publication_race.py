"""Finding 1 on the real stack: a decision that arrives while a publication uploads wins.

The real review service (as ``fivestar-review``), the real CKAN, the asset
graph in-process with the publisher's token. Between the upload and the
switch to public, the statistician withdraws the dataset, or the champion
rejects the release, through the service. The publication must not undo it:
nothing of the release is public at the end, no ``published`` entry is
written, and the publication's refusal or failure is recorded after the
decision.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests

from pipelines import publish as publishing
from pipelines.release.client import TOKEN_ENV
from pipelines.runner import run_stages
from pipelines.runs import RELEASE_TAG
from tests.integration.test_journey import _unique_spec, people, stage  # noqa: F401

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("decision", ["withdraw", "reject"])
def test_attack_a_decision_during_the_upload_wins_in_the_catalogue(
        tmp_path, people, review_service, ckan_stack, monkeypatch,  # noqa: F811
        dagster_instance, decision):
    statistician, champion = people
    now = datetime.now(UTC).replace(microsecond=0)
    spec = _unique_spec(tmp_path, "foi-requests", now - timedelta(seconds=1))
    staged = stage(spec, statistician, monkeypatch, dagster_instance)
    assert staged.ok, staged.failures
    rid = staged.outputs["staged_release"].release_id
    champion.approve(rid, "ok")

    real = publishing.publish_release
    decided = []

    def racing(*args, **kwargs):
        def during_upload(client, pkg):  # files uploaded, not yet verified or public
            if decided:
                return
            if decision == "withdraw":
                statistician.withdraw(spec.id, "Error found while it was going out")
            else:
                champion.reject(rid, "Wrong figures spotted during the upload")
            decided.append(decision)
        return real(*args, verify_hook=during_upload, **kwargs)

    monkeypatch.setattr(publishing, "publish_release", racing)
    monkeypatch.setenv(TOKEN_ENV, review_service.publisher_token())
    published = run_stages(spec, ("published",), partition=staged.partition,
                           tags={RELEASE_TAG: rid}, instance=dagster_instance)
    assert decided == [decision]
    assert not published.ok  # refused (or failed): never a success after the decision

    base = ckan_stack["url"]
    anonymous = requests.get(f"{base}/api/3/action/package_show", params={"id": spec.id},
                             timeout=30)
    if anonymous.status_code == 200:  # only a withdrawal's notice, with no file of it
        pkg = anonymous.json()["result"]
        assert decision == "withdraw"
        assert pkg["withdrawn"] == "true" and pkg["resources"] == []
    else:  # not public at all (a rejection; or the publisher hid the notice when its
        # verification found the withdrawn files gone: fail closed)
        assert anonymous.status_code in (403, 404)
    history = [e["decision"] for e in
               review_service.client("admin.demo").release(rid)["history"]]
    assert "published" not in history
    cut = history.index("withdrawn" if decision == "withdraw" else "rejected")
    assert set(history[cut + 1:]) & {"publication_refused", "publication_failed"}, history
    assert review_service.client("admin.demo").verify()["ok"]
