"""The linked-data switch's comparison: a draft graph equals the approved RDF or is refused.

The store is a fake here (a dict of graphs serving N-Triples); the real Fuseki, its
access control and its literal forms are tested in tests/integration/test_linked_credential.py.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
from pathlib import Path

import pytest

from pipelines.linkeddata import release
from pipelines.linkeddata.store import DRAFT, LIVE, StoreError

NT = (b'<https://x.example/id/d/1> <http://purl.org/linked-data/cube#dataSet> '
      b'<https://x.example/id/d> .\n'
      b'<https://x.example/id/d/1> <https://x.example/def/count> '
      b'"0012"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
      b'<https://x.example/id/d/1> <http://www.w3.org/2000/01/rdf-schema#label> "One"@en-GB .\n')
META = b"""@prefix dct: <http://purl.org/dc/terms/> .
<https://x.example/id/d> dct:title "D" ; dct:publisher [ dct:title "Home Office" ] .
"""


class GraphStore:
    """Named graphs held as N-Triples bytes, served as Fuseki's GSP GET would."""

    def __init__(self) -> None:
        self.held: dict[tuple[str, str], bytes] = {}
        self.updates: list[bytes] = []

    @contextlib.contextmanager
    def open_graph(self, graph, dataset=DRAFT):
        if (dataset, graph) not in self.held:
            raise StoreError(f"triple store refused GET /{dataset}/data: HTTP 404 Not Found")
        yield io.BytesIO(self.held[(dataset, graph)])

    def graphs_of(self, dataset):
        return sorted(g for d, g in self.held if d == dataset)

    def graphs(self, fragment, dataset=LIVE):
        return [g for g in self.graphs_of(dataset) if fragment in g]

    def select(self, query, dataset=LIVE):
        return [{"g": g} for g in self.graphs_of(LIVE)]


def _release(tmp_path: Path, nt: bytes = NT, gz: bool = False) -> tuple[Path, dict, str]:
    folder = tmp_path / "rel"
    folder.mkdir()
    name = "data.nt.gz" if gz else "data.nt"
    (folder / name).write_bytes(gzip.compress(nt) if gz else nt)
    (folder / "meta.ttl").write_bytes(META)
    files = [{"path": name, "role": "rdf", "media_type": "application/n-triples"},
             {"path": "meta.ttl", "role": "metadata", "media_type": "text/turtle"}]
    for f in files:
        f["sha256"] = hashlib.sha256((folder / f["path"]).read_bytes()).hexdigest()
    manifest = {"files": files, "catalogue": {"name": "d", "uri": "https://x.example/id/d"}}
    return folder, manifest, "a" * 64


def _as_loaded(nt: bytes) -> bytes:
    """What the store gives back: values in canonical form, in any order."""
    return b"\n".join(sorted(nt.replace(b'"0012"', b'"12"').splitlines())) + b"\n"


def _draft(store: GraphStore, folder: Path, manifest: dict, rid: str, nt: bytes) -> str:
    graph = release.load.release_graph("https://x.example", "d", rid)
    extra = release.load._as_ntriples([folder / "meta.ttl"]).replace(b"_:", b"_:B")
    store.held[(DRAFT, graph)] = _as_loaded(nt) + extra
    return graph


def test_a_draft_that_is_the_approved_rdf_passes_and_goes_live_from_the_copy(tmp_path):
    folder, manifest, rid = _release(tmp_path, gz=True)
    store = GraphStore()
    graph = _draft(store, folder, manifest, rid, NT)
    with release.checked(store, folder, manifest, rid) as approved:
        assert approved is not None and approved.graph == graph
        assert approved.fingerprint.triples == 6 and len(approved.fingerprint.blank) == 2
        assert approved.ntriples.parent != folder  # a private copy, not the release folder
        assert not approved.already_live
    assert not approved.ntriples.exists()  # removed after the block


@pytest.mark.parametrize("change", [
    lambda nt: nt + b'<https://x.example/id/d/2> <http://purl.org/linked-data/cube#dataSet> '
                    b'<https://x.example/id/d> .\n',                       # a triple added
    lambda nt: nt.replace(b'"0012"', b'"13"'),                          # a value changed
    lambda nt: b"\n".join(nt.splitlines()[1:]) + b"\n",                  # a triple removed
    lambda nt: nt.replace(b'"One"@en-GB', b'"Two"@en-GB'),               # a label changed
])
def test_attack_a_draft_changed_after_approval_is_refused(tmp_path, change):
    folder, manifest, rid = _release(tmp_path)
    store = GraphStore()
    _draft(store, folder, manifest, rid, change(NT))
    with pytest.raises(release.LinkedDataRefused) as exc, \
            release.checked(store, folder, manifest, rid):
        pass
    assert exc.value.problems[0].code == "linked-draft-differs"


def test_attack_a_blank_node_rewired_in_the_draft_is_refused(tmp_path):
    folder, manifest, rid = _release(tmp_path)
    store = GraphStore()
    graph = _draft(store, folder, manifest, rid, NT)
    body = store.held[(DRAFT, graph)]
    store.held[(DRAFT, graph)] = body.replace(b'"Home Office"', b'"Someone else"')
    with pytest.raises(release.LinkedDataRefused), release.checked(store, folder, manifest, rid):
        pass


def test_attack_the_approved_file_swapped_in_the_folder_is_refused(tmp_path):
    folder, manifest, rid = _release(tmp_path)
    store = GraphStore()
    forged = NT.replace(b'"0012"', b'"99"')
    _draft(store, folder, manifest, rid, forged)
    (folder / "data.nt").write_bytes(forged)  # draft and file agree; the manifest does not
    with pytest.raises(release.LinkedDataRefused) as exc, \
            release.checked(store, folder, manifest, rid):
        pass
    assert exc.value.problems[0].code == "linked-file-changed"


def test_an_empty_draft_is_refused_and_a_release_without_rdf_has_nothing(tmp_path):
    """Nothing drafted (the pipeline ran with FIVESTAR_LINKED_DATA=off, the service with it
    on): refused, with a message that says what to set."""
    folder, manifest, rid = _release(tmp_path)
    with pytest.raises(release.LinkedDataRefused) as exc, \
            release.checked(GraphStore(), folder, manifest, rid):
        pass
    [problem] = exc.value.problems
    assert problem.code == "linked-not-drafted"
    assert "FIVESTAR_LINKED_DATA" in problem.message and "same" in problem.message
    manifest = {**manifest, "files": [f for f in manifest["files"] if f["role"] != "rdf"]}
    with release.checked(GraphStore(), folder, manifest, rid) as approved:
        assert approved is None


def test_literals_are_compared_by_value_where_the_store_keeps_values():
    triple = '<http://a/s> <http://a/p> "{}"^^<http://www.w3.org/2001/XMLSchema#{}> .\n'
    pairs = [("007", "7", "integer"), ("0.10", "0.1", "decimal"),
             ("1.0E3", "1000.0e0", "double"), ("1", "true", "boolean"),
             ("2020-01-01T10:00:00.500Z", "2020-01-01T10:00:00.5Z", "dateTime")]
    for written, stored, dt in pairs:
        a = release._Accumulator()
        b = release._Accumulator()
        for t in release._parse(triple.format(written, dt).encode()):
            a.add(t)
        for t in release._parse(triple.format(stored, dt).encode()):
            b.add(t)
        assert a.result() == b.result(), dt
    a, b = release._Accumulator(), release._Accumulator()
    for t in release._parse(triple.format("2020-01-01", "date").encode()):
        a.add(t)
    for t in release._parse(triple.format("2020-01-02", "date").encode()):
        b.add(t)
    assert a.result() != b.result()


def test_audit_reports_a_live_graph_no_published_release_explains(tmp_path):
    folder, manifest, rid = _release(tmp_path)
    store = GraphStore()
    graph = release.load.release_graph("https://x.example", "d", rid)
    store.held[(LIVE, graph)] = _as_loaded(NT) + release.load._as_ntriples(
        [folder / "meta.ttl"])
    store.held[(LIVE, "https://x.example/graph/d-series")] = b""
    store.held[(LIVE, "https://x.example/graph/by-hand")] = b"<http://a> <http://b> <http://c> ."
    checked, breaks = release.audit_live(store, lambda r: (folder, manifest), {rid}, {"d"})
    assert checked == 3
    assert breaks == [("linked-unpublished", "live graph https://x.example/graph/by-hand is "
                       "in the triple store but is not a release the log shows published")]
    store.held[(LIVE, graph)] += b"<http://a> <http://b> <http://c> .\n"
    _n, breaks = release.audit_live(store, lambda r: (folder, manifest), {rid}, {"d"})
    assert sorted(c for c, _m in breaks) == ["linked-differs", "linked-unpublished"]
    _n, breaks = release.audit_live(store, lambda r: (folder, manifest), set(), set())
    assert [c for c, _m in breaks] == ["linked-unpublished"] * 3  # withdrawn: none explained
    known = {"d", rid}.__contains__  # a service audits its own datasets in a shared store
    checked, breaks = release.audit_live(store, lambda r: (folder, manifest), {rid}, {"d"},
                                         known)
    assert checked == 2 and [c for c, _m in breaks] == ["linked-differs"]


def test_audit_compares_the_shared_vocabulary_with_the_projects(tmp_path):
    """The shared /def/fivestar/ graph is the project's vocabulary, put live whole by the
    service; a triple added to it around the service is a ``linked-differs`` break."""
    graph, vocabulary = release.load.shared_vocabulary()
    store = GraphStore()
    store.held[(LIVE, graph)] = vocabulary
    assert release.audit_live(store, lambda r: None, set(), set()) == (1, [])
    store.held[(LIVE, graph)] += b"<http://a> <http://b> <http://c> .\n"
    checked, breaks = release.audit_live(store, lambda r: None, set(), set())
    assert checked == 1 and [c for c, _m in breaks] == ["linked-differs"]
