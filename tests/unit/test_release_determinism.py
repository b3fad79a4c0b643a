"""Deterministic releases: identical inputs give byte-identical public files and one id.

Python randomises its string hash per process, and anything that iterates a
set or an rdflib store in memory order picks that up, so these tests run the
work in separate processes with different ``PYTHONHASHSEED`` values: repeating
it in one process would hide exactly the bug they look for.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pipelines import paths

BUNDLED = ["police-recorded-crime", "entry-clearance-visas", "foi-requests", "spend-over-25k"]

CONVERT = """
import sys
from pathlib import Path
from pipelines import extract, paths, redaction
from pipelines.contracts import Provenance, ValidationReport
from pipelines.convert import convert
from pipelines.spec import load_spec
spec = load_spec(paths.DATASETS_DIR / sys.argv[1] / "dataset.yaml")
df = extract.read_extract(spec)
redacted = redaction.redact(df, spec, b"fivestar-determinism-test-key-0123")
provenance = Provenance.for_inputs(
    dataset_id=spec.id, partition=None, extract_sha256=extract.extract_sha256(spec),
    spec_sha256=spec.spec_sha256, pipeline_version="test",
    validation=ValidationReport(dataset=spec.id, suite=spec.id + ".json", rows=len(df)),
    redaction=redacted.report)
convert(redacted.df, spec, Path(sys.argv[2]), provenance)
"""


def _tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _run(args: list[str], seed: int, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(args, cwd=paths.ROOT, capture_output=True, text=True, timeout=600,
                          env={**os.environ, **(env or {}), "PYTHONHASHSEED": str(seed),
                               "COLUMNS": "250"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


@pytest.mark.parametrize("dataset", BUNDLED)
def test_conversion_is_byte_identical_across_processes(dataset, tmp_path):
    outs = []
    for seed in (1, 2):
        out = tmp_path / f"seed{seed}"
        _run([sys.executable, "-c", CONVERT, dataset, str(out)], seed)
        outs.append(_tree(out))
    assert outs[0] == outs[1]
    assert f"{dataset}.metadata.jsonld" in outs[0]


def test_jsonld_is_canonical():
    from rdflib import Graph, Literal, URIRef

    from pipelines.convert.metadata import canonical_jsonld

    triples = [(URIRef(f"https://example.org/{s}"), URIRef("https://example.org/p"),
                Literal(o)) for s in "zyxa" for o in ("b", "a", "c")]
    forward, backward = Graph(), Graph()
    for t in triples:
        forward.add(t)
    for t in reversed(triples):
        backward.add(t)
    data = canonical_jsonld(forward)
    assert data == canonical_jsonld(backward)
    doc = json.loads(data)
    assert [n["@id"] for n in doc["@graph"]] == sorted(n["@id"] for n in doc["@graph"])
    assert Graph().parse(data=data, format="json-ld").isomorphic(forward)


def test_restaging_unchanged_inputs_gives_the_same_release(tmp_path, service):
    """Two `fivestar stage` runs (two processes, two hash seeds) → one release, one request."""
    authority, url = service
    state = Path(os.environ["FIVESTAR_STATE_DIR"])
    env = {"FIVESTAR_REVIEW_URL": url, "FIVESTAR_USER": "stats.demo",
           "FIVESTAR_PASSWORD": "stats-demo-password",
           "FIVESTAR_PSEUDONYMISATION_KEY": "determinism-test-key-0123456789"}
    fivestar = str(Path(sys.executable).parent / "fivestar")
    dataset = "police-recorded-crime"
    for seed in (11, 12):
        _run([fivestar, "stage", dataset], seed, env)
    releases = sorted((state / "releases" / dataset).iterdir())
    assert len(releases) == 1, [p.name for p in releases]
    release = releases[0]
    assert hashlib.sha256((release / "manifest.json").read_bytes()).hexdigest() == release.name
    entries = authority.store.entries(release_id=release.name)
    assert [(e.decision.value, e.actor) for e in entries] == [("staged", "stats.demo")] * 2
    listed = _run([fivestar, "releases"], 13, env)
    assert listed.count(release.name[:16]) == 1
    assert listed.count(dataset) == 1


def test_a_different_candidate_supersedes_the_open_one(tmp_path):
    """One open candidate per dataset and period: the champion never sees two."""
    from fivestar_dev.synthetic_release import make_authority, stage_synthetic
    from pipelines.release.approvals import APPROVED, AWAITING, SUPERSEDED, release_status
    from pipelines.release.gate import PublicationRefused

    clock = {"now": datetime(2025, 1, 21, 10, tzinfo=UTC)}
    authority = make_authority(tmp_path, clock=lambda: clock["now"])
    champion = authority.user("champion.demo")
    first = stage_synthetic(tmp_path, authority, work="w1")
    authority.approve(champion, first.id, "ok")
    second = stage_synthetic(tmp_path, authority, work="w2",
                             rows=[("E23000001", "2024-Q4", 121)])
    assert second.id != first.id
    store = authority.store
    assert release_status(store, first.id).state == SUPERSEDED
    [entry] = store.entries(release_id=first.id, decision="superseded")
    assert (entry.actor, entry.role) == ("stats.demo", "statistician")  # the ticket's user
    assert [r.id for r in authority.releases({AWAITING, APPROVED})] == [second.id]
    clock["now"] += timedelta(days=400)
    with pytest.raises(PublicationRefused, match="newer candidate"):
        authority.begin_publication(authority.user("fivestar-publisher"), first.id)
    # restaging the first (identical bytes) brings it back and retires the second
    again = stage_synthetic(tmp_path, authority, work="w1")
    assert again.id == first.id and not again.created
    assert release_status(store, first.id).state == AWAITING
    assert release_status(store, second.id).state == SUPERSEDED
    assert authority.verify().ok  # superseded entries are keyed like every other
