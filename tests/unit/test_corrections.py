"""Corrections staged through the real asset graph: a new version with notes and DCAT links."""

from __future__ import annotations

import json

import pytest
import rdflib

from fivestar_dev.demo_accounts import DEMO_USERS
from pipelines import paths
from pipelines.assets import STAGING_STAGES
from pipelines.corrections import CorrectionError, plan_revision, version_label
from pipelines.release import published_release
from pipelines.release.audit import Decision
from pipelines.release.client import ReviewServiceClient
from pipelines.release.manifest import load_manifest
from pipelines.runner import run_stages
from pipelines.runs import REVISION_TAG, TICKET_ENV
from pipelines.spec import load_spec

ADMS = rdflib.Namespace("http://www.w3.org/ns/adms#")
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")


def test_version_labels():
    assert version_label("2024-Q4") == "2024-Q4"
    assert version_label("2024-Q4", 2) == "2024-Q4-r2"
    assert version_label(None, 1) == "release-r1"


def test_a_correction_is_staged_as_a_new_version(monkeypatch, service):
    monkeypatch.setenv("FIVESTAR_PSEUDONYMISATION_KEY", "test-key-0123456789abcdef")
    authority, url = service
    spec = load_spec(paths.DATASETS_DIR / "police-recorded-crime" / "dataset.yaml")
    stats = ReviewServiceClient(url)
    stats.login("stats.demo", DEMO_USERS["stats.demo"][2])
    with pytest.raises(CorrectionError, match="nothing of this dataset is published"):
        plan_revision(spec, "2024-Q4", "notes", published_release(spec, stats))

    monkeypatch.setenv(TICKET_ENV, stats.ticket(spec.id)["ticket"])
    first = run_stages(spec, STAGING_STAGES, partition="2024-Q4")
    rid = first.outputs["staged_release"].release_id
    authority.approve(authority.user("champion.demo"), rid, "ok")
    authority.store.record(actor="fivestar-publisher", role="publisher", dataset_id=spec.id,
                           release_id=rid, decision=Decision.published)
    with pytest.raises(CorrectionError, match="must be for the same period"):
        plan_revision(spec, "2024-Q3", "notes", published_release(spec, stats))

    notes = "Burglary in one force revised after a late return."
    monkeypatch.setenv(TICKET_ENV, stats.ticket(spec.id)["ticket"])
    outcome = run_stages(spec, STAGING_STAGES, partition="2024-Q4",
                         tags={REVISION_TAG: notes})
    assert outcome.ok, outcome.failures + [c.name for c in outcome.blocked]
    staged = outcome.outputs["staged_release"]
    assert staged.release_id != rid
    # a correction is a new candidate of a published period: nothing open is superseded
    assert authority.release(rid).status.state == "published"
    manifest, _ = load_manifest(paths.STATE_DIR / "releases" / spec.id / staged.release_id)
    assert manifest["revision"] == {"notes": notes, "number": 1, "of_release": rid,
                                    "version": "2024-Q4-r1", "previous_version": "2024-Q4"}
    cat = manifest["catalogue"]
    assert cat["version"] == "2024-Q4-r1" and cat["version_notes"] == notes
    assert cat["previous_version"] == f"{cat['uri']}/version/2024-Q4"
    assert "release_date" not in cat  # not the pre-announced release: no calendar date
    diff = json.loads((paths.STATE_DIR / "releases" / spec.id / staged.release_id /
                       "reports" / "diff.json").read_text())
    assert diff["baseline"]["release_id"] == rid  # the champion sees what it corrects

    meta = rdflib.Graph().parse(
        paths.STATE_DIR / "releases" / spec.id / staged.release_id /
        f"{spec.id}.metadata.jsonld", format="json-ld")
    ds = rdflib.URIRef(cat["uri"])
    this = rdflib.URIRef(f"{cat['uri']}/version/2024-Q4-r1")
    previous = rdflib.URIRef(cat["previous_version"])
    assert (ds, ADMS.versionNotes, rdflib.Literal(notes, lang="en")) in meta
    assert (ds, DCAT.previousVersion, previous) in meta
    assert (this, DCAT.isVersionOf, ds) in meta and (this, DCAT.previousVersion, previous) in meta
    assert (ds, DCAT.hasVersion, this) in meta and (ds, DCAT.hasCurrentVersion, this) in meta
