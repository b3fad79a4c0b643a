"""The project's own vocabulary and shapes come from the package; a user's
FIVESTAR_VOCABULARIES_DIR holds only their code lists."""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import RDFS

from pipelines import paths
from pipelines.linkeddata.load import ensure_shared_vocabularies
from pipelines.linkeddata.store import LIVE
from pipelines.spec.linked_data import FIVESTAR_NS


class RecordingStore:
    """Records the graphs put (the Graph Store Protocol PUTs a FusekiStore would send)."""

    def __init__(self) -> None:
        self.put: list[tuple[str, bytes, str]] = []

    def put_graph(self, graph: str, data: bytes, dataset: str = "draft") -> None:
        self.put.append((graph, data, dataset))


def test_the_shared_vocabulary_is_the_projects_not_the_users_folder(tmp_path, monkeypatch):
    (tmp_path / "my-codes.ttl").write_text("", encoding="utf-8")  # a user's code lists only
    monkeypatch.setattr(paths, "VOCABULARIES_DIR", tmp_path)
    store = RecordingStore()
    ensure_shared_vocabularies(store)
    [(graph, data, dataset)] = store.put
    assert dataset == LIVE and graph.endswith("/graph/def/fivestar")
    terms = Graph().parse(data=data, format="nt")
    labelled = {s for s in terms.subjects(RDFS.label, None) if str(s).startswith(FIVESTAR_NS)}
    assert len(labelled) > 3, "the project's fivestar: terms, with their labels"
    assert (URIRef(f"{FIVESTAR_NS}offenceGroup"), None, None) in terms
