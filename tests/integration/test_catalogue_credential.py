"""Issue 10: the pipeline host's CKAN token cannot publish, on the real CKAN.

The pipeline host holds a CKAN token (``catalogue/.state/api-token``): anyone
with a shell there has it. It is the pipeline's account (``fivestar-pipeline``,
an editor of the organisation, not a sysadmin), which builds and fills private
datasets. ckanext-fivestar's ``fivestar_guard`` lets only the publisher
account, whose token only the review service holds, make a dataset public or
change a public one; the service switches a release only after its gate and
after checking the switch against the approved manifest. Every attack below
uses the pipeline's token, or the service's API with the tokens readable on the
pipeline host, against the real CKAN and the real review service.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import ckanapi
import pytest
import requests

from pipelines.release.client import TOKEN_ENV, PublicationRefused, ReviewServiceClient
from pipelines.runner import run_stages
from pipelines.runs import RELEASE_TAG
from tests.integration.test_journey import _unique_spec, people, stage  # noqa: F401

pytestmark = pytest.mark.integration


def _public(base: str, name: str) -> dict | None:
    resp = requests.get(f"{base}/api/3/action/package_show", params={"id": name}, timeout=30)
    return resp.json()["result"] if resp.status_code == 200 else None


def _staged_and_approved(tmp_path, pair, monkeypatch, instance, dataset="foi-requests"):
    statistician, champion = pair
    now = datetime.now(UTC).replace(microsecond=0)
    spec = _unique_spec(tmp_path, dataset, now - timedelta(seconds=1))
    staged = stage(spec, statistician, monkeypatch, instance)
    assert staged.ok, staged.failures
    rid = staged.outputs["staged_release"].release_id
    champion.approve(rid, "ok")
    return spec, staged, rid


def _publish(spec, staged, rid, review_service, monkeypatch, instance):
    monkeypatch.setenv(TOKEN_ENV, review_service.publisher_token())
    return run_stages(spec, ("published",), partition=staged.partition,
                      tags={RELEASE_TAG: rid}, instance=instance)


def _history(review_service, rid):
    return [e["decision"] for e in review_service.client("admin.demo").release(rid)["history"]]


def test_the_pipelines_account_is_not_a_sysadmin(ckan_stack):
    me = ckan_stack["pipeline"].action.user_show(id="fivestar-pipeline")
    assert me["sysadmin"] is False
    publisher = ckan_stack["client"].action.user_show(id="fivestar-publisher")
    assert publisher["sysadmin"] is True


def test_attack_the_pipelines_token_cannot_make_a_dataset_public(
        tmp_path, people, review_service, ckan_stack, monkeypatch,  # noqa: F811
        dagster_instance, test_organisation):
    """An approved release not yet due, and a dataset nobody approved: neither goes
    public with the pipeline's token, by any of CKAN's routes."""
    spec, _staged, rid = _staged_and_approved(tmp_path, people, monkeypatch,
                                              dagster_instance)
    pipeline = ckan_stack["pipeline"]
    base = ckan_stack["url"]
    # the pipeline may build the dataset privately (as a publication does) ...
    pkg = pipeline.action.package_create(name=spec.id, owner_org=test_organisation,
                                         private=True, title="approved, not yet public",
                                         release_id=rid)
    # ... but never show it
    for attempt in (
            lambda: pipeline.action.package_patch(id=pkg["id"], private=False),
            lambda: pipeline.action.package_update(**{**pkg, "private": False}),
            lambda: pipeline.action.bulk_update_public(datasets=[pkg["id"]],
                                                       org_id=test_organisation),
            lambda: pipeline.action.package_revise(match={"id": pkg["id"]},
                                                   update={"private": False}),
            lambda: pipeline.call_action("fivestar_switch_release", {
                "id": pkg["id"], "resources": [], "fields": {"private": False}}),
            # a dataset nobody approved, created public outright
            lambda: pipeline.action.package_create(name=f"{spec.id}-x",
                                                   owner_org=test_organisation,
                                                   title="unapproved"),
            lambda: pipeline.action.package_create(name=f"{spec.id}-y",
                                                   owner_org=test_organisation,
                                                   title="unapproved", private=False)):
        with pytest.raises(ckanapi.NotAuthorized):
            attempt()
    assert _public(base, spec.id) is None
    assert _public(base, f"{spec.id}-x") is None and _public(base, f"{spec.id}-y") is None
    assert "published" not in _history(review_service, rid)


def test_attack_the_pipelines_token_cannot_change_a_public_dataset(
        tmp_path, people, review_service, ckan_stack, monkeypatch,  # noqa: F811
        dagster_instance):
    """Published through the service; then the pipeline's token tries to add, replace
    or delete what the public sees, and to switch another release in: all refused."""
    spec, staged, rid = _staged_and_approved(tmp_path, people, monkeypatch,
                                             dagster_instance)
    assert _publish(spec, staged, rid, review_service, monkeypatch, dagster_instance).ok
    base = ckan_stack["url"]
    before = _public(base, spec.id)
    assert before is not None and before["release_id"] == rid
    pipeline = ckan_stack["pipeline"]
    res = next(r for r in before["resources"] if r.get("datastore_active"))
    for attempt in (
            lambda: pipeline.action.resource_create(package_id=before["id"],
                                                    url="https://example.org/forged.csv",
                                                    name="forged.csv"),
            lambda: pipeline.action.package_patch(id=before["id"], notes="forged notes"),
            lambda: pipeline.action.resource_patch(id=res["id"], description="forged"),
            lambda: pipeline.action.resource_delete(id=res["id"]),
            lambda: pipeline.action.datastore_upsert(resource_id=res["id"], method="insert",
                                                     force=True, records=[{}]),
            lambda: pipeline.action.datastore_delete(resource_id=res["id"], force=True),
            lambda: pipeline.action.resource_view_create(resource_id=res["id"],
                                                         view_type="datatables_view",
                                                         title="forged"),
            lambda: pipeline.action.package_delete(id=before["id"]),
            lambda: pipeline.call_action("fivestar_switch_release", {
                "id": before["id"], "resources": [r["id"] for r in before["resources"]],
                "fields": {"notes": "forged"}})):
        with pytest.raises(ckanapi.NotAuthorized):
            attempt()
    after = _public(base, spec.id)
    assert after["notes"] == before["notes"]
    assert [(r["id"], r["name"], r["hash"]) for r in after["resources"]] == \
        [(r["id"], r["name"], r["hash"]) for r in before["resources"]]


def test_attack_bytes_swapped_in_the_staging_copy_after_the_check_are_not_published(
        tmp_path, people, review_service, ckan_stack, monkeypatch,  # noqa: F811
        dagster_instance):
    """The pipeline's token may write its private staging copy: a file replaced there
    after the pipeline's own check (its sha256 field kept) is refused at the switch
    by CKAN's hash of the stored bytes; nothing goes public, the refusal is recorded."""
    spec, staged, rid = _staged_and_approved(tmp_path, people, monkeypatch,
                                             dagster_instance)
    pipeline = ckan_stack["pipeline"]
    real = ReviewServiceClient.switch
    swapped = []

    def swap_then_switch(self, ref, request):
        staging = pipeline.action.package_show(id=request["staging"])
        target = next(r for r in staging["resources"] if r["name"].endswith(".csv"))
        forged = tmp_path / "forged.csv"
        forged.write_bytes(b"not,the,approved,figures\n")
        with forged.open("rb") as fh:
            pipeline.action.resource_patch(id=target["id"], upload=fh, hash=target["hash"],
                                           size=target["size"])  # the approved ones kept
        swapped.append(target["name"])
        return real(self, ref, request)

    monkeypatch.setattr(ReviewServiceClient, "switch", swap_then_switch)
    result = _publish(spec, staged, rid, review_service, monkeypatch, dagster_instance)
    assert swapped and not result.ok
    assert _public(ckan_stack["url"], spec.id) is None
    history = review_service.client("admin.demo").release(rid)["history"]
    assert "published" not in [e["decision"] for e in history]
    [refusal] = [e for e in history if e["decision"] == "publication_refused"]
    assert refusal["comment"] in ("switch-refused-by-catalogue", "switch-file-differs")
    assert review_service.client("admin.demo").verify()["ok"]


def test_attack_the_services_switch_refuses_what_was_not_approved(
        tmp_path, people, review_service, ckan_stack, monkeypatch,  # noqa: F811
        dagster_instance, test_organisation):
    """With the publisher's *service* token (readable on the pipeline host), ask the
    service to switch an approved release's dataset holding a file of one's own, or
    none of the approved files: refused before CKAN is asked, and recorded."""
    spec, _staged, rid = _staged_and_approved(tmp_path, people, monkeypatch,
                                              dagster_instance)
    pipeline = ckan_stack["pipeline"]
    pkg = pipeline.action.package_create(name=spec.id, owner_org=test_organisation,
                                         private=True, title="x")
    extra = pipeline.action.resource_create(package_id=pkg["id"], name="forged.csv",
                                            url="https://example.org/forged.csv")
    service = ReviewServiceClient(review_service.url, review_service.publisher_token())
    service.begin_publication(rid)
    for request in ({"dataset": pkg["id"], "resources": [extra["id"]], "fields": {}},
                    {"dataset": pkg["id"], "resources": [],
                     "fields": {"notes": "forged", "title": "forged"}}):
        with pytest.raises(PublicationRefused):
            service.switch(rid, request)
    assert _public(ckan_stack["url"], spec.id) is None
    assert "published" not in _history(review_service, rid)


def test_attack_a_dataset_made_public_around_the_service_fails_the_audit(
        tmp_path, people, review_service, ckan_stack, monkeypatch,  # noqa: F811
        dagster_instance, test_organisation):
    """Whoever still made one of the service's datasets public without it (the catalogue
    publisher's token, or CKAN's own database) is found: `fivestar audit --verify`
    compares the catalogue with the log and fails."""
    spec, _staged, rid = _staged_and_approved(tmp_path, people, monkeypatch,
                                              dagster_instance)
    admin = review_service.client("admin.demo")
    assert admin.verify()["ok"]
    around = ckan_stack["client"].action.package_create(  # around the service, its token
        name=spec.id, owner_org=test_organisation, private=False, title="around",
        release_id=rid)
    try:
        report = admin.verify()
        assert not report["ok"] and report["catalogue_checked"] >= 1
        assert [b["code"] for b in report["breaks"]] == ["catalogue-unpublished"]
        from typer.testing import CliRunner

        from pipelines.cli import app

        monkeypatch.setenv("FIVESTAR_REVIEW_TOKEN", admin.token)
        out = CliRunner().invoke(app, ["audit", "--verify"])
        assert out.exit_code == 1 and "catalogue-unpublished" in out.output
    finally:  # a bare public dataset would spoil the public catalogue for later tests
        ckan_stack["client"].action.dataset_purge(id=around["id"])
