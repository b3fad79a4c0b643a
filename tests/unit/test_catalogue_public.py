"""The public's side without services: CKAN field IRIs, resource order, DataStore typing,
content negotiation, the linked-data front on an in-memory store, the MQA arithmetic."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS

from pipelines import paths
from pipelines.catalogue import datastore, dcat_check, fields
from pipelines.linkeddata.app import Front, create_app, negotiate
from pipelines.linkeddata.store import insert_data
from pipelines.spec import load_spec

EU = "http://publications.europa.eu/resource/authority/"
QB = Namespace("http://purl.org/linked-data/cube#")
BASE = "https://data.example.gov.uk"


def test_dataset_fields_are_iris():
    out = fields.dataset_fields({"name": "crime", "theme": "crime-and-justice",
                                 "frequency": "quarterly", "uri": f"{BASE}/id/crime",
                                 "release_date": "2026-01-29T09:30:00+00:00"})
    assert json.loads(out["theme"]) == [f"{EU}data-theme/JUST"]
    assert out["frequency"] == f"{EU}frequency/QUARTERLY"
    assert json.loads(out["language"]) == [f"{EU}language/ENG"]
    assert out["access_rights"] == f"{EU}access-right/PUBLIC"
    assert out["uri"] == f"{BASE}/id/crime"
    assert out["issued"] == "2026-01-29T09:30:00Z" and out["identifier"] == "crime"


def test_resource_fields_and_order():
    res = fields.resource_fields({"media_type": "text/csv", "format": "CSV"})
    assert res["format"] == "CSV"  # what people read; the IRI for DCAT beside it
    assert res["format_uri"] == f"{EU}file-type/CSV"
    assert fields.resource_fields({"media_type": "text/turtle"})["format"] == "Turtle"
    assert res["mimetype"] == "https://www.iana.org/assignments/media-types/text/csv"
    assert res["hash_algorithm"] == "http://spdx.org/rdf/terms#checksumAlgorithm_sha256"
    files = [{"path": p, "role": r, "media_type": m} for p, r, m in (
        ("datapackage.json", "datapackage", "application/json"),
        ("areas.ttl", "codelist", "text/turtle"), ("x.nt", "rdf", "application/n-triples"),
        ("x.csv", "data", "text/csv"), ("x.ttl", "rdf", "text/turtle"),
        ("x.metadata.ttl", "metadata", "text/turtle"))]
    assert fields.resource_order(files) == ["x.csv", "x.ttl", "x.nt", "x.metadata.ttl",
                                            "datapackage.json", "areas.ttl"]


def test_the_data_dictionary_says_what_an_empty_suppressed_cell_means():
    schema = {"fields": [{"name": "area", "type": "string", "title": "Area"},
                         {"name": "count", "type": "integer", "title": "Offences"},
                         {"name": "conf_status", "type": "string",
                          "description": "SDMX confidentiality status: F free, C primary "
                                         "suppression, D secondary suppression",
                          "constraints": {"enum": ["F", "C", "D"]}}],
              "missingValues": ["", "[c]"]}
    area, count, status = datastore.datastore_fields(schema)
    assert area["info"] == {"label": "Area", "notes": ""}  # text keeps its marker
    assert count["info"]["label"] == "Offences"
    assert "[c]" in count["info"]["notes"] and "suppressed" in count["info"]["notes"]
    assert "conf_status" in count["info"]["notes"]  # points at the column that says why
    assert status["info"]["label"] == "Confidentiality status"
    assert "C primary suppression" in status["info"]["notes"]


def test_datastore_types_come_from_the_table_schema(tmp_path):
    schema = {"fields": [{"name": "code", "type": "string"}, {"name": "n", "type": "integer"},
                         {"name": "ok", "type": "boolean"}], "missingValues": ["", "[c]"]}
    cols = datastore.datastore_fields(schema)
    assert [(c["id"], c["type"]) for c in cols] == [("code", "text"), ("n", "int8"),
                                                     ("ok", "bool")]
    assert "[c]" in cols[1]["info"]["notes"]
    csv_path = tmp_path / "t.csv"
    csv_path.write_text("code,n,ok\n01,5,true\n02,[c],false\n", encoding="utf-8")
    rows = [r for batch in datastore._records(csv_path, cols, schema) for r in batch]
    assert rows == [{"code": "01", "n": 5, "ok": True}, {"code": "02", "n": None, "ok": False}]
    csv_path.write_text("code,n,ok\n01,five,true\n", encoding="utf-8")
    with pytest.raises(datastore.DataStoreError) as exc:
        list(datastore._records(csv_path, cols, schema))
    assert "row 2" in str(exc.value) or "'five'" in str(exc.value)


def test_every_bundled_dataset_declares_spatial_coverage():
    for folder in sorted(paths.DATASETS_DIR.iterdir()):
        ld = load_spec(folder / "dataset.yaml").linked_data
        spatial = ld.get("spatial") if isinstance(ld, dict) else getattr(ld, "spatial", None)
        assert spatial, folder.name


@pytest.mark.parametrize("accept,fmt,expected", [
    ("text/turtle", None, "text/turtle"),
    ("text/html,application/xhtml+xml,*/*;q=0.8", None, "text/html"),
    ("application/ld+json;q=0.5, application/n-triples", None, "application/n-triples"),
    ("*/*", None, "text/html"), (None, None, "text/html"),
    ("text/html", "ttl", "text/turtle"), ("image/png", None, None)])
def test_content_negotiation(accept, fmt, expected):
    assert negotiate(accept, fmt) == expected


def test_insert_data_streams_ntriples_in_one_update():
    body = b"".join(insert_data("urn:g", [b"<urn:a> <urn:b> <urn:c> .\n"], prefix="DROP SILENT "
                                "GRAPH <urn:old> ;\n"))
    assert body.startswith(b"DROP SILENT GRAPH <urn:old> ;\nINSERT DATA { GRAPH <urn:g> {")
    assert b"<urn:a> <urn:b> <urn:c> ." in body and body.rstrip().endswith(b"} }")


class MemoryStore:
    """The two calls the front makes, answered by rdflib over an in-memory dataset."""

    url = "http://store.invalid"

    def __init__(self, graph: Graph) -> None:
        self.ds = Dataset(default_union=True)
        for t in graph:
            self.ds.graph(URIRef("urn:g")).add(t)

    def select(self, query: str, dataset: str = "fivestar") -> list[dict[str, str]]:
        return [{str(k): str(v) for k, v in row.asdict().items()}
                for row in self.ds.query(query)]

    def construct(self, query: str, accept: str = "", dataset: str = "") -> bytes:
        return self.ds.query(query).graph.serialize(format="nt", encoding="utf-8")


@pytest.fixture
def front_client():
    g = Graph()
    ds, obs = URIRef(f"{BASE}/id/crime"), URIRef(f"{BASE}/id/crime/observation/2024-Q1/burglary")
    dim, meas = URIRef(f"{BASE}/def/fivestar/offenceGroup"), URIRef(f"{BASE}/def/fivestar/count")
    burglary = URIRef(f"{BASE}/def/offence-groups/burglary")
    scheme = URIRef(f"{BASE}/def/offence-groups")
    skos = Namespace("http://www.w3.org/2004/02/skos/core#")
    for t in ((obs, RDF.type, QB.Observation), (obs, QB.dataSet, ds), (obs, dim, burglary),
              (obs, meas, Literal(42)), (dim, RDF.type, QB.DimensionProperty),
              (dim, RDFS.label, Literal("Offence group", lang="en")),
              (meas, RDF.type, QB.MeasureProperty), (meas, RDFS.label, Literal("Count")),
              (burglary, skos.prefLabel, Literal("Burglary", lang="en")),
              (burglary, skos.inScheme, scheme), (scheme, RDF.type, skos.ConceptScheme),
              (scheme, skos.prefLabel, Literal("Offence groups", lang="en")),
              (ds, DCTERMS.title, Literal("Crime", lang="en"))):
        g.add(t)
    front = Front(MemoryStore(g), [BASE], "http://ckan.invalid", "http://store.invalid/sparql")
    return TestClient(create_app(front))


def test_front_redirects_and_negotiates(front_client):
    r = front_client.get("/id/crime/observation/2024-Q1/burglary", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/doc/crime/observation/2024-Q1/burglary"
    ttl = front_client.get(r.headers["location"], headers={"Accept": "text/turtle"})
    g = Graph().parse(data=ttl.text, format="turtle")
    assert (URIRef(f"{BASE}/id/crime/observation/2024-Q1/burglary"), QB.dataSet,
            URIRef(f"{BASE}/id/crime")) in g
    html = front_client.get(r.headers["location"], headers={"Accept": "text/html"}).text
    assert "Dimensions" in html and "Offence group" in html and "Burglary" in html
    assert 'href="/id/crime"' in html and "42" in html
    assert front_client.get("/id/nothing", follow_redirects=False).status_code == 404
    scheme = front_client.get("/def/offence-groups", headers={"Accept": "text/html"}).text
    assert "Concepts (1)" in scheme and "Burglary" in scheme
    assert front_client.get("/doc/crime/observation/2024-Q1/burglary",
                            headers={"Accept": "image/png"}).status_code == 406


def test_mqa_points_add_up():
    g = Graph()
    ds, dist = URIRef("urn:ds"), URIRef("urn:dist")
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCAT.distribution, dist))
    g.add((ds, DCAT.keyword, Literal("k")))
    g.add((dist, DCTERMS["format"], URIRef(f"{EU}file-type/CSV")))
    g.add((dist, DCAT.downloadURL, URIRef("http://x/f.csv")))
    g.add((dist, DCAT.accessURL, URIRef("http://x/f.csv")))
    score = dcat_check.mqa(g, conforming=lambda d: True, answers=lambda u: True)
    # keyword 30 + access 50 + download 20 + answers 30 + format 20 + vocabulary 10
    # + non-proprietary 20 + machine-readable 20 + compliance 30
    assert score.total == 230 and score.band == "Good"


def test_the_draft_load_is_sent_in_bounded_chunks(tmp_path):
    from pipelines.linkeddata.load import _chunks

    nt = tmp_path / "x.nt"
    triples = [f"<urn:s{i}> <urn:p> \"{i}\" ." for i in range(7)]
    nt.write_bytes(("# a comment\n\n" + "\n".join(triples[:4]) + "\n\n"
                    + "\n".join(triples[4:])).encode())  # the last line has no newline
    chunks = list(_chunks(nt, size=3))
    assert [n for _, n in chunks] == [3, 3, 1]
    assert b"".join(c for c, _ in chunks).decode().splitlines() == triples
    assert all(c.endswith(b" .\n") for c, _ in chunks)
