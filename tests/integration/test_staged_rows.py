"""Issue 10: what the public reads beside the approved files comes from the approved release.

The pipeline's CKAN token (readable on the pipeline host) may build and fill private
datasets, and the switch re-hashes the files that go public. The DataStore rows and the
views of a staged resource, and the fields of a dataset not yet public, go public with it
too, so they must not be the pipeline's to choose: ckanext-fivestar's guard lets only the
publisher account write the DataStore and views (of private datasets too), the review
service loads the tables of what goes public itself, from the approved files, and checks
them and every field against the approved manifest under the dataset lock. Each attack
uses the pipeline's token against the real CKAN, review service and Fuseki, after the
champion's approval and before the service's switch.
"""

from __future__ import annotations

from pathlib import Path

import ckanapi
import pytest

from pipelines.release.client import ReviewServiceClient
from pipelines.release.manifest import load_manifest
from tests.integration.test_catalogue_credential import (
    _history,
    _public,
    _publish,
    _staged_and_approved,
)
from tests.integration.test_journey import people  # noqa: F401

pytestmark = pytest.mark.integration


def _data_file(staged) -> dict:
    manifest, _ = load_manifest(Path(staged.outputs["staged_release"].path))
    return next(f for f in manifest["files"]
                if f.get("role") == "data" and f.get("media_type") == "text/csv")


def _hook_switch(monkeypatch, before):
    """Run ``before(staging)`` with the pipeline's request in hand, then the real switch."""
    real = ReviewServiceClient.switch
    ran = []

    def hooked(self, ref, request):
        ran.append(before(request))
        return real(self, ref, request)

    monkeypatch.setattr(ReviewServiceClient, "switch", hooked)
    return ran


def test_attack_the_pipelines_token_cannot_write_staged_rows_or_views(
        tmp_path, people, review_service, ckan_stack, monkeypatch,  # noqa: F811
        dagster_instance):
    """After approval, just before the switch: the pipeline's token writes, deletes and
    replaces rows of the staged CSV's DataStore table and adds views to it: every write
    is refused; the release goes out with exactly the approved rows, loaded by the
    service, and the one table preview it made."""
    spec, staged, rid = _staged_and_approved(tmp_path, people, monkeypatch,
                                             dagster_instance)
    pipeline = ckan_stack["pipeline"]
    data = _data_file(staged)

    def forge(request):
        staging = pipeline.action.package_show(id=request["staging"])
        target = next(r for r in staging["resources"] if r["name"] == data["path"])
        refused = []
        for attempt in (
                lambda: pipeline.action.datastore_create(
                    resource_id=target["id"], force=True, fields=[{"id": "forged"}],
                    records=[{"forged": "a row nobody approved"}]),
                lambda: pipeline.action.datastore_upsert(
                    resource_id=target["id"], method="insert", force=True,
                    records=[{"forged": "a row nobody approved"}]),
                lambda: pipeline.action.datastore_records_delete(
                    resource_id=target["id"], force=True, filters={}),
                lambda: pipeline.action.datastore_delete(resource_id=target["id"],
                                                         force=True),
                lambda: pipeline.action.resource_view_create(
                    resource_id=target["id"], view_type="datatables_view",
                    title="forged"),
                lambda: pipeline.action.resource_create_default_resource_views(
                    resource=target)):
            with pytest.raises(ckanapi.NotAuthorized):
                attempt()
            refused.append(True)
        return len(refused)

    ran = _hook_switch(monkeypatch, forge)
    result = _publish(spec, staged, rid, review_service, monkeypatch, dagster_instance)
    assert ran == [6] and result.ok, result.failures
    public = _public(ckan_stack["url"], spec.id)
    assert public is not None and public["release_id"] == rid
    res = next(r for r in public["resources"] if r["name"] == data["path"])
    assert res["datastore_active"]
    anonymous = ckanapi.RemoteCKAN(ckan_stack["url"])
    rows = anonymous.action.datastore_search(resource_id=res["id"], limit=0)
    assert rows["total"] == data["rows"]
    assert "forged" not in {f["id"] for f in rows["fields"]}
    info = ckan_stack["client"].action.datastore_info(id=res["id"])
    assert info["fields"][0]["info"]["fivestar_sha256"] == data["sha256"]
    views = anonymous.action.resource_view_list(id=res["id"])
    assert [v["view_type"] for v in views] == ["datatables_view"]
    assert _history(review_service, rid)[-1] == "published"
    assert review_service.client("admin.demo").verify()["ok"]


def test_attack_fields_of_ones_own_on_a_staged_release_are_not_published(
        tmp_path, people, review_service, ckan_stack, monkeypatch,  # noqa: F811
        dagster_instance):
    """After approval, just before the switch: the pipeline's token gives the private
    dataset an author, an extra and a keyword of its own, and a staged resource a field
    of its own (all allowed while private): the switch is refused before CKAN is asked,
    nothing is public, the refusal is recorded and the log verifies."""
    spec, staged, rid = _staged_and_approved(tmp_path, people, monkeypatch,
                                             dagster_instance)
    pipeline = ckan_stack["pipeline"]
    data = _data_file(staged)
    attacks = [
        lambda pkg, res: pipeline.action.package_patch(id=pkg["id"], author="Mallory"),
        lambda pkg, res: pipeline.action.package_patch(
            id=pkg["id"], extras=[{"key": "note", "value": "not approved"}]),
        lambda pkg, res: pipeline.action.package_patch(
            id=pkg["id"], tag_string=",".join([*(t["name"] for t in pkg["tags"]),
                                               "forged"])),
        lambda pkg, res: pipeline.action.resource_patch(id=res["id"],
                                                        notice="not approved"),
    ]
    for attack in attacks:
        def forge(request, attack=attack):
            pkg = pipeline.action.package_show(id=request["dataset"])
            staging = pipeline.action.package_show(id=request["staging"])
            res = next(r for r in staging["resources"] if r["name"] == data["path"])
            attack(pkg, res)
            return True

        _hook_switch(monkeypatch, forge)
        result = _publish(spec, staged, rid, review_service, monkeypatch, dagster_instance)
        assert not result.ok
        assert _public(ckan_stack["url"], spec.id) is None
        history = review_service.client("admin.demo").release(rid)["history"]
        assert "published" not in [e["decision"] for e in history]
        assert history[-1]["decision"] == "publication_refused"
        assert history[-1]["comment"] == "switch-unapproved-field"
        # the attacker's field stays on the private dataset: put it right for the next one
        ckan_stack["client"].action.dataset_purge(id=spec.id)
    assert review_service.client("admin.demo").verify()["ok"]
