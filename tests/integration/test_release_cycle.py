"""The release cycle against the real local CKAN: withdrawal with a notice, corrections."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest
import rdflib
import requests

from fivestar_dev.synthetic_release import (
    STARS,
    converted_files,
    make_authority,
    make_spec,
    register,
    synthetic_reports,
    write_converted,
)
from pipelines import publish as publishing
from pipelines.corrections import plan_revision
from pipelines.release import publish_approved, published_release
from pipelines.release.audit import Decision
from pipelines.release.client import ReviewServiceClient
from pipelines.release.stage import catalogue_record, stage_release
from pipelines.review.app import create_app
from tests.governance import serving
from tests.integration.test_publish_catalogue import ROWS_1, ROWS_2, _name, _public, _sha, _stage

pytestmark = pytest.mark.integration

ADMS = rdflib.Namespace("http://www.w3.org/ns/adms#")
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
WITHDRAWN = rdflib.URIRef(
    "http://publications.europa.eu/resource/authority/dataset-status/WITHDRAWN")


def _dcat(base: str, name: str) -> rdflib.Graph:
    resp = requests.get(f"{base}/dataset/{name}.ttl", timeout=30)
    assert resp.status_code == 200, resp.text[:500]
    return rdflib.Graph().parse(data=resp.text, format="turtle")


@pytest.mark.browser
def test_withdrawn_dataset_keeps_its_page_with_a_notice_and_loses_its_files(
        tmp_path, ckan_stack, page):
    name = _name()
    base, client = ckan_stack["url"], ckan_stack["client"]
    _, staged = _stage(tmp_path, name, ROWS_1)
    published = publishing.publish_release(client, staged.path, staged.manifest, staged.id)
    urls = list(published.resource_urls.values())
    assert all(requests.get(u, timeout=30).status_code == 200 for u in urls)

    authority = make_authority(tmp_path, ckan=lambda: client)
    reason = "Error found in the Q4 figures for two forces"
    # the audit entry comes first, then the service withdraws it in the catalogue
    withdrawal = authority.withdraw(authority.user("stats.demo"), name, reason)
    assert [e.decision for e in withdrawal.entries] == [Decision.withdrawn]
    assert withdrawal.catalogue_error is None

    pkg = _public(base, name)  # still findable by anyone
    assert pkg.status_code == 200
    result = pkg.json()["result"]
    assert result["withdrawn"] == "true" and result["withdrawn_reason"] == reason
    assert result["resources"] == []
    modified = datetime.fromisoformat(result["metadata_modified"]).replace(tzinfo=UTC)
    assert withdrawal.entries[0].at <= modified
    for url in urls:
        assert requests.get(url, timeout=30).status_code in (404, 410), url
    found = requests.get(f"{base}/api/3/action/package_search", params={"q": f"name:{name}"},
                         timeout=30).json()["result"]
    assert found["count"] == 1

    page.goto(f"{base}/dataset/{name}")  # what someone who cited the page sees
    notice = page.locator("[data-fivestar=withdrawn]")
    assert notice.is_visible()
    text = notice.inner_text()
    assert "Withdrawn" in text and reason in text and result["withdrawn_date"] in text

    g = _dcat(base, name)
    assert (None, ADMS.status, WITHDRAWN) in g

    # a later release restores it: files back, notice gone
    _, staged2 = _stage(tmp_path, name, ROWS_2, tag="b")
    again = publishing.publish_release(client, staged2.path, staged2.manifest, staged2.id)
    result = _public(base, name).json()["result"]
    assert result["withdrawn"] == "false" and len(result["resources"]) == len(
        staged2.manifest["files"])
    assert all(requests.get(u, timeout=30).status_code == 200
               for u in again.resource_urls.values())
    page.goto(f"{base}/dataset/{name}")
    assert page.locator("[data-fivestar=withdrawn]").count() == 0
    assert (None, ADMS.status, WITHDRAWN) not in _dcat(base, name)


def test_a_correction_publishes_a_new_version_and_keeps_the_previous_files(
        tmp_path, ckan_stack):
    name = _name()
    base, client = ckan_stack["url"], ckan_stack["client"]
    root = tmp_path / "releases"
    authority = make_authority(tmp_path, ckan=lambda: client, releases_root=root)
    champion = authority.user("champion.demo")
    spec = make_spec(name, title=f"Asylum claims corrected {name[-10:]}")
    uri = f"https://data.example.org/id/{name}"

    def stage(rows, tag, revision=None):
        work = tmp_path / f"work-{tag}"
        converted = write_converted(work / "converted", rows, dataset_id=name)
        record = catalogue_record(spec, "2024-Q4", STARS, extract_sha256=tag * 64,
                                  dataset_uri=uri)
        staged = stage_release(spec, converted, converted_files(name, spec.title),
                               synthetic_reports(), extract_sha256=tag * 64, period="2024-Q4",
                               stars=STARS, catalogue=record, releases_root=root,
                               pipeline_version="0.1.0+test", revision=revision)
        register(authority, staged)
        return staged

    with serving(create_app(authority, failure_seconds=0)) as url:
        token, _ = authority.issue_token(authority.user("fivestar-publisher"))
        publisher = ReviewServiceClient(url, token=token)
        first = stage(ROWS_1, "a")
        authority.approve(champion, first.id, "ok", datetime.now(UTC))
        publish_approved(spec, first.id, client, publisher, releases_root=root)
        old_csv = next(f for f in first.manifest["files"] if f["path"] == f"{name}.csv")

        published = published_release(spec, publisher, releases_root=root)
        assert published == (first.id, first.path)
        with pytest.raises(Exception, match="needs revision notes"):
            plan_revision(spec, "2024-Q4", " ", published)
        notes = "E23000001: 125, not 120 (a late return from the force)."
        revision = plan_revision(spec, "2024-Q4", notes, published)
        assert (revision.version, revision.previous_version, revision.of_release) == \
            ("2024-Q4-r1", "2024-Q4", first.id)
        corrected = stage(ROWS_2, "b", revision)
        assert corrected.manifest["catalogue"]["version_notes"] == notes
        assert "release_date" not in corrected.manifest["catalogue"]
        # the champion approves it for immediate release (four eyes, as for any release)
        authority.approve(champion, corrected.id, "correction checked", datetime.now(UTC))
        publish_approved(spec, corrected.id, client, publisher, releases_root=root)

        pkg = _public(base, name).json()["result"]
        assert pkg["version"] == "2024-Q4-r1" and pkg["version_notes"] == notes
        assert pkg["previous_version"] == f"{uri}/version/2024-Q4"
        resources = {r["name"]: r for r in pkg["resources"]}
        previous = resources[f"previous/2024-Q4/{name}.csv"]
        assert _sha(previous["url"]) == old_csv["sha256"]  # the earlier file, still there
        new_csv = next(f for f in corrected.manifest["files"] if f["path"] == f"{name}.csv")
        assert _sha(resources[f"{name}.csv"]["url"]) == new_csv["sha256"]

        g = _dcat(base, name)
        assert (None, ADMS.versionNotes, rdflib.Literal(notes)) in g
        assert (None, DCAT.previousVersion, rdflib.URIRef(f"{uri}/version/2024-Q4")) in g
        html = requests.get(f"{base}/dataset/{name}", timeout=30).text
        assert "Revised: version 2024-Q4-r1" in html and "a late return from the force" in html
        # publishing the correction again changes nothing and keeps one copy of the old files
        publish_approved(spec, corrected.id, client, publisher, releases_root=root)
        names = [r["name"] for r in _public(base, name).json()["result"]["resources"]]
        assert names.count(f"previous/2024-Q4/{name}.csv") == 1
        assert hashlib.sha256(b"").hexdigest() not in [r.get("hash") for r in pkg["resources"]]
        history = [e.decision for e in authority.store.entries(release_id=corrected.id)]
        # the intent before the switch, the publication recorded once
        assert history == [Decision.staged, Decision.approved, Decision.publishing,
                           Decision.published]
        assert authority.verify().ok
