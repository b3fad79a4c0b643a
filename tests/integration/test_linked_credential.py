"""Issue 10: the pipeline host's Fuseki password cannot put linked data live, on the real Fuseki.

The pipeline host holds the triple store's pipeline login
(``catalogue/.state/fuseki-password``): anyone with a shell there has it. Fuseki itself
(catalogue/fuseki/config.ttl.in, ``fuseki:allowedUsers``) lets that login write the
draft store only; the live store, which the SPARQL endpoint and the ``/id/`` pages read,
is written by the publisher's login alone, held in the review service's home. The
service makes a release's graph live only after comparing the draft graph with the
approved RDF, from its own private copy; ``fivestar audit --verify`` reports a live graph
no published release explains. Every attack runs against the real Fuseki, CKAN and
review service.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.linkeddata import load
from pipelines.linkeddata.store import DRAFT, LIVE, FusekiStore, StoreError, publisher_store
from pipelines.release.client import ReviewServiceClient
from tests.integration.test_catalogue_credential import (
    _history,
    _public,
    _publish,
    _staged_and_approved,
)
from tests.integration.test_journey import people  # noqa: F401

pytestmark = pytest.mark.integration

TRIPLE = b"<https://example.org/forged> <http://www.w3.org/2000/01/rdf-schema#label> \"forged\" .\n"


def _graph_of(staged, rid: str) -> str:
    from pipelines.release.manifest import load_manifest

    manifest, _ = load_manifest(Path(staged.outputs["staged_release"].path))
    cat = manifest["catalogue"]
    return load.release_graph(load.base_of(cat["uri"]), cat["name"], rid)


def test_attack_the_pipelines_password_cannot_write_the_live_store(ckan_stack):
    pipeline = FusekiStore()
    assert pipeline.auth is not None, "the pipeline's password is on the pipeline host"
    graph = "https://example.org/graph/attack/live"
    attempts = (lambda: pipeline.update(f"INSERT DATA {{ GRAPH <{graph}> {{ "
                                        f"{TRIPLE.decode()} }} }}", LIVE),
                lambda: pipeline.put_graph(graph, TRIPLE, LIVE),
                lambda: pipeline.add_to_graph(graph, TRIPLE, LIVE),
                lambda: pipeline.patch(b"A " + TRIPLE[:-3] + f" <{graph}> .\n".encode(), LIVE),
                lambda: pipeline.drop([graph], LIVE))
    # Twenty rounds on one session: Jetty drops a refused request's connection, and a
    # client that reused it read "unreachable" instead of the refusal about one time in
    # twenty (this test failed CI that way).
    for _ in range(20):
        for attempt in attempts:
            with pytest.raises(StoreError, match="HTTP 403"):
                attempt()
    anonymous = FusekiStore(password="")
    resp = requests.post(f"{anonymous.url}/{LIVE}/update", timeout=30,
                         data=f"INSERT DATA {{ GRAPH <{graph}> {{ {TRIPLE.decode()} }} }}",
                         headers={"Content-Type": "application/sparql-update"})
    assert resp.status_code == 401
    assert anonymous.graphs("/graph/attack/", LIVE) == []  # nothing reached the public
    # the pipeline's own work still goes on: drafts, and public reads stay open
    pipeline.put_graph(graph, TRIPLE, DRAFT)
    assert pipeline.count(graph, DRAFT) == 1
    pipeline.drop([graph], DRAFT)
    assert anonymous.select("SELECT (1 AS ?x) WHERE { }", LIVE) == [{"x": "1"}]


def test_attack_a_draft_changed_after_approval_is_refused_at_the_switch(
        tmp_path, people, review_service, ckan_stack, monkeypatch,  # noqa: F811
        dagster_instance):
    """With the pipeline's password, add a triple to the release's draft graph after the
    pipeline verified it and before the service switches: the service compares the
    draft with the approved N-Triples, refuses, and nothing becomes public."""
    spec, staged, rid = _staged_and_approved(tmp_path, people, monkeypatch, dagster_instance)
    graph = _graph_of(staged, rid)
    real = ReviewServiceClient.switch
    tampered = []

    def tamper_then_switch(self, ref, request):
        FusekiStore().add_to_graph(graph, TRIPLE, DRAFT)  # the pipeline host's login
        tampered.append(graph)
        return real(self, ref, request)

    monkeypatch.setattr(ReviewServiceClient, "switch", tamper_then_switch)
    result = _publish(spec, staged, rid, review_service, monkeypatch, dagster_instance)
    assert tampered and not result.ok
    assert _public(ckan_stack["url"], spec.id) is None
    assert FusekiStore(password="").graphs(load.dataset_graphs(spec.id), LIVE) == []
    history = review_service.client("admin.demo").release(rid)["history"]
    assert "published" not in [e["decision"] for e in history]
    [refusal] = [e for e in history if e["decision"] == "publication_refused"]
    assert refusal["comment"] == "linked-draft-differs"

    # untampered, the same release then goes out: the service puts its copy live
    monkeypatch.setattr(ReviewServiceClient, "switch", real)
    result = _publish(spec, staged, rid, review_service, monkeypatch, dagster_instance)
    assert result.ok
    live = FusekiStore(password="")
    assert live.graphs(load.dataset_graphs(spec.id), LIVE) == [graph]
    assert live.count(graph, LIVE, "<https://example.org/forged> ?p ?o") == 0
    assert publisher_store().graphs(load.dataset_graphs(spec.id), DRAFT) == []  # cleared
    assert "published" in _history(review_service, rid)
    assert review_service.client("admin.demo").verify()["ok"]


def test_attack_a_graph_put_live_by_hand_fails_the_audit(
        tmp_path, people, review_service, ckan_stack, monkeypatch,  # noqa: F811
        dagster_instance):
    """Whoever still put a graph live around the service (the publisher's password, or
    Fuseki's own files) is found: `fivestar audit --verify` compares the live store
    with the log and fails, naming the graph."""
    spec, staged, rid = _staged_and_approved(tmp_path, people, monkeypatch, dagster_instance)
    admin = review_service.client("admin.demo")
    assert admin.verify()["ok"]
    graph = _graph_of(staged, rid)  # the approved release's graph, never published
    around = publisher_store()
    around.put_graph(graph, TRIPLE, LIVE)
    try:
        report = admin.verify()
        assert not report["ok"] and report["linked_checked"] >= 1
        codes = [b["code"] for b in report["breaks"]]
        assert codes == ["linked-unpublished"], report["breaks"]
        assert graph in report["breaks"][0]["message"]
        monkeypatch.setenv("FIVESTAR_REVIEW_TOKEN", admin.token)
        out = CliRunner().invoke(app, ["audit", "--verify"])
        assert out.exit_code == 1 and "linked-unpublished" in out.output
    finally:
        around.drop([graph], LIVE)
    assert admin.verify()["ok"]
