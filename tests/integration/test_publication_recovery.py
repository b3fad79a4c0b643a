"""A publisher killed between the switch to public and its audit record, on the real stack.

The real review service (as ``fivestar-review``), the real CKAN. Before the
fix such a kill left the release public with no ``published`` entry: the
audit log said the release had never gone out. Now the service records a
``publishing`` intent before the switch, and the next attempt has the
service ask the catalogue itself and record the publication, exactly once.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import requests

from fivestar_dev.synthetic_release import make_spec, stage_synthetic
from pipelines import paths
from pipelines.ckan_resource import connect
from pipelines.release import publish_approved
from pipelines.release.client import ReviewServiceClient
from pipelines.release.stage import release_payload

pytestmark = pytest.mark.integration


class Killed(BaseException):
    """What a kill leaves: nothing after this point runs, no handler catches it."""


def test_attack_a_publisher_killed_after_the_switch_leaves_an_audited_publication(
        review_service, ckan_stack):
    name = f"asylum-claims-{uuid.uuid4().hex[:10]}"
    spec = make_spec(name, title=f"Asylum claims recovered {name[-10:]}",
                     next_release=(datetime.now(UTC) - timedelta(minutes=1)).isoformat())
    staged = stage_synthetic(paths.STATE_DIR, None, spec=spec,
                             releases_root=paths.releases_dir())
    statistician = review_service.client("stats.demo")
    manifest, reports = release_payload(staged)
    statistician.register_staging(statistician.ticket(name)["ticket"], manifest, reports)
    review_service.client("champion.demo").approve(staged.id, "ok")
    publisher = ReviewServiceClient(review_service.url, token=review_service.publisher_token())

    def killed(*args, **kwargs):
        raise Killed

    publisher.record_published = killed  # this client dies right after the switch
    with pytest.raises(Killed):
        publish_approved(spec, staged.id, connect(), publisher)
    public = requests.get(f"{ckan_stack['url']}/api/3/action/package_show",
                          params={"id": name}, timeout=30)
    assert public.status_code == 200 and public.json()["result"]["release_id"] == staged.id
    admin = review_service.client("admin.demo")
    history = [e["decision"] for e in admin.release(staged.id)["history"]]
    assert history[-1] == "publishing" and "published" not in history  # the trace left

    publisher = ReviewServiceClient(review_service.url, token=review_service.publisher_token())
    result = publish_approved(spec, staged.id, connect(), publisher)  # the next attempt
    assert not result.changed  # the catalogue already held it
    published = [e for e in admin.release(staged.id)["history"]
                 if e["decision"] == "published"]
    assert len(published) == 1 and "reconciled" in published[0]["comment"]
    assert published[0]["actor"] == "fivestar-publisher"
    assert admin.release(staged.id)["state"] == "published"
    assert admin.verify()["ok"]
