"""The public's side of a publication, against the real stack (CKAN, DataStore, Fuseki, the
linked-data front): harvestable DCAT that passes the official DCAT-AP 3.0.1 shapes and
scores Excellent in MQA, typed DataStore rows with a table preview, linked data that
resolves and is counted by SPARQL, and withdrawal that removes the graph."""

from __future__ import annotations

import csv
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
from rdflib import RDF, Graph, URIRef

from pipelines import extract, paths, publish, redaction
from pipelines.catalogue import dcat_check, public_check, series
from pipelines.catalogue.datastore import TYPES
from pipelines.contracts import Provenance, ValidationReport
from pipelines.convert import convert
from pipelines.linkeddata.load import dataset_graphs_prefix, release_graph
from pipelines.linkeddata.store import DRAFT, LIVE, FusekiStore
from pipelines.release.approvals import withdraw_from_catalogue
from pipelines.release.stage import stage_conversion
from pipelines.spec import load_spec

pytestmark = pytest.mark.integration

KEY = b"fivestar-test-pseudonym-key-0123456789"
QB_OBS = "http://purl.org/linked-data/cube#Observation"
FRONT = public_check.front_url()


def publish_bundled(dataset: str, tmp: Path, client, next_release=None) -> SimpleNamespace:
    """A bundled dataset under a new id, converted, staged and published for real."""
    source = load_spec(paths.DATASETS_DIR / dataset / "dataset.yaml")
    new_id = f"{dataset}-t{uuid.uuid4().hex[:8]}"
    df = extract.read_extract(source)
    redacted = redaction.redact(df, source, KEY)
    spec = source.model_copy(update={"id": new_id})
    provenance = Provenance.for_inputs(
        dataset_id=new_id, partition=None, extract_sha256=extract.extract_sha256(source),
        spec_sha256=source.spec_sha256, pipeline_version="test",
        validation=ValidationReport(dataset=new_id, suite=f"{dataset}.json", rows=len(df)),
        redaction=redacted.report)
    result = convert(redacted.df, spec, tmp / new_id / "converted", provenance)
    staged = stage_conversion(spec, result, releases_root=tmp / "releases")
    publish.publish_release(client, staged.path, staged.manifest, staged.id,
                            next_release=next_release)
    return SimpleNamespace(spec=spec, staged=staged, name=new_id,
                           uri=staged.manifest["catalogue"]["uri"])


NEXT_RELEASE = datetime(2031, 4, 24, 8, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def crime(ckan_stack, tmp_path_factory):
    return publish_bundled("police-recorded-crime", tmp_path_factory.mktemp("crime"),
                           ckan_stack["client"], next_release=NEXT_RELEASE)


@pytest.fixture(scope="module")
def shapes():
    return dcat_check.load_shapes(), dcat_check.background()


def _dcat(url: str) -> Graph:
    resp = requests.get(url, timeout=120)
    assert resp.status_code == 200, url
    return Graph().parse(data=resp.text, format="turtle")


def _csv(crime) -> tuple[Path, dict]:
    f = next(f for f in crime.staged.manifest["files"] if f["role"] == "data")
    return crime.staged.path / f["path"], f


def test_ckan_dataset_dcat_passes_the_official_shapes_and_scores_excellent(
        ckan_stack, crime, shapes):
    g = _dcat(f"{ckan_stack['url']}/dataset/{crime.name}.ttl")
    results = dcat_check.check_shapes(g, *shapes)
    bad = dcat_check.violations(results)
    assert bad == [], [(r.focus, r.path, r.message) for r in bad]
    jena = dcat_check.violations(dcat_check.check_shapes_jena(g, *shapes))
    assert jena == [], [(r.focus, r.path, r.message) for r in jena]  # a second engine agrees
    ds = URIRef(crime.uri)  # CKAN's dataset URI is fivestar's /id/ URI
    assert (ds, URIRef("http://www.w3.org/ns/dcat#inSeries"), None) in g
    score = dcat_check.mqa(g, conforming=lambda d: not bad)
    assert score.total >= 351, score.points
    assert score.band == "Excellent"


DCAT_SERIES = URIRef("http://www.w3.org/ns/dcat#DatasetSeries")
IN_SERIES = URIRef("http://www.w3.org/ns/dcat#inSeries")


def test_the_series_is_a_catalogue_record_of_its_own(ckan_stack, crime, shapes):
    client = ckan_stack["client"]
    record = client.action.package_show(id=series.series_name(crime.name))
    member = client.action.package_show(id=crime.name)
    assert record["type"] == "dataset_series" and not record["private"]
    assert member["in_series"] == [record["id"]]
    uri = URIRef(series.series_uri(crime.uri))
    assert record["uri"] == str(uri)
    # the release calendar's next release date is the series'
    assert record["next_release_date"] == "2031-04-24T08:30:00"
    assert series.set_next_release(client, crime.name, datetime(2031, 5, 1, 8, 30, tzinfo=UTC))
    assert client.action.package_show(id=record["id"])["next_release_date"] == \
        "2031-05-01T08:30:00"
    # its own DCAT: a dcat:DatasetSeries under its /id/ URI, passing the official shapes
    own = _dcat(f"{ckan_stack['url']}/dataset/{record['name']}.ttl")
    assert (uri, RDF.type, DCAT_SERIES) in own
    bad = dcat_check.violations(dcat_check.check_shapes(own, *shapes))
    assert bad == [], [(r.focus, r.path, r.message) for r in bad]
    # the member names it by that URI, and the catalogue lists both
    assert (URIRef(crime.uri), IN_SERIES, uri) in _dcat(
        f"{ckan_stack['url']}/dataset/{crime.name}.ttl")
    everything = _dcat(f"{ckan_stack['url']}/catalog.ttl")
    assert (uri, RDF.type, DCAT_SERIES) in everything
    assert (URIRef(crime.uri), IN_SERIES, uri) in everything


def test_the_series_uri_resolves_as_linked_data(crime):
    path = series.series_uri(crime.uri).split("/id/", 1)[1]
    first = requests.get(f"{FRONT}/id/{path}", allow_redirects=False, timeout=30)
    assert first.status_code == 303 and first.headers["location"] == f"/doc/{path}"
    ttl = requests.get(f"{FRONT}/doc/{path}", headers={"Accept": "text/turtle"}, timeout=30)
    assert ttl.status_code == 200
    g = Graph().parse(data=ttl.text, format="turtle")
    assert (URIRef(series.series_uri(crime.uri)), RDF.type, DCAT_SERIES) in g
    page = requests.get(f"{FRONT}/doc/{path}", headers={"Accept": "text/html"}, timeout=30)
    assert page.status_code == 200 and "every release" in page.text
    # and the release says which series it is in
    doc = requests.get(f"{FRONT}/doc/{crime.uri.split('/id/', 1)[1]}",
                       headers={"Accept": "text/turtle"}, timeout=30)
    assert (URIRef(crime.uri), IN_SERIES, URIRef(series.series_uri(crime.uri))) in \
        Graph().parse(data=doc.text, format="turtle")


def test_ckan_catalogue_dcat_passes_the_official_shapes_and_scores_excellent(
        ckan_stack, crime, shapes):
    g = _dcat(f"{ckan_stack['url']}/catalog.ttl")
    bad = dcat_check.violations(dcat_check.check_shapes(g, *shapes))
    assert bad == [], [(r.focus, r.path, r.message) for r in bad][:20]
    assert dcat_check.violations(dcat_check.check_shapes_jena(g, *shapes)) == []
    assert dcat_check.mqa(g, conforming=lambda d: not bad).total >= 351


def test_datastore_columns_have_the_table_schema_types(ckan_stack, crime):
    path, f = _csv(crime)
    package = json.loads((crime.staged.path / "datapackage.json").read_text())
    schema = next(r["schema"] for r in package["resources"] if r["path"] == f["path"])
    pkg = ckan_stack["client"].action.package_show(id=crime.name)
    res = next(r for r in pkg["resources"] if r["name"] == f["path"])
    assert pkg["resources"][0]["id"] == res["id"]  # the CSV first
    api = f"{ckan_stack['url']}/api/3/action"
    got = requests.get(f"{api}/datastore_search", params={"resource_id": res["id"], "limit": 5},
                       timeout=30).json()["result"]
    types = {c["id"]: c["type"] for c in got["fields"] if c["id"] != "_id"}
    assert types == {fl["name"]: TYPES[fl["type"]] for fl in schema["fields"]}
    assert got["total"] == f["rows"]
    # a suppressed cell stays suppressed: no value, its status kept
    with path.open(newline="", encoding="utf-8") as fh:
        suppressed = sum(1 for row in csv.DictReader(fh) if row["count"] == "[c]")
    sql = (f'SELECT COUNT(*) AS n FROM "{res["id"]}" '
           "WHERE count IS NULL AND conf_status IN ('C', 'D')")
    rows = requests.get(f"{api}/datastore_search_sql", params={"sql": sql},
                        timeout=30).json()["result"]["records"]
    assert suppressed > 0 and int(rows[0]["n"]) == suppressed


def test_sparql_counts_one_observation_per_csv_row(crime):
    _, f = _csv(crime)
    store = FusekiStore(password="")
    rows = store.select(f"SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {{ ?o a <{QB_OBS}> ; "
                        f"<http://purl.org/linked-data/cube#dataSet> <{crime.uri}> }}")
    assert int(rows[0]["n"]) == f["rows"]
    # the public endpoint is read-only
    refused = requests.post(f"{store.url}/{LIVE}/update",
                            data={"update": "DROP ALL"}, timeout=30)
    assert refused.status_code in (401, 403)


def _an_observation(crime) -> str:
    store = FusekiStore(password="")
    return store.select(f"SELECT ?o WHERE {{ ?o <http://purl.org/linked-data/cube#dataSet> "
                        f"<{crime.uri}> }} LIMIT 1")[0]["o"]


def test_observation_uri_dereferences_to_turtle(crime):
    obs = _an_observation(crime)
    path = obs.split("/id/", 1)[1]
    first = requests.get(f"{FRONT}/id/{path}", headers={"Accept": "text/turtle"},
                         allow_redirects=False, timeout=30)
    assert first.status_code == 303 and first.headers["location"] == f"/doc/{path}"
    doc = requests.get(f"{FRONT}{first.headers['location']}", headers={"Accept": "text/turtle"},
                       timeout=30)
    assert doc.status_code == 200 and doc.headers["content-type"].startswith("text/turtle")
    g = Graph().parse(data=doc.text, format="turtle")
    assert (URIRef(obs), URIRef("http://purl.org/linked-data/cube#dataSet"),
            URIRef(crime.uri)) in g
    for mt, fmt in (("application/n-triples", "nt"), ("application/ld+json", "json-ld")):
        other = requests.get(f"{FRONT}/doc/{path}", headers={"Accept": mt}, timeout=30)
        assert other.headers["content-type"].startswith(mt)
        assert len(Graph().parse(data=other.text, format=fmt)) == len(g)


def test_every_uri_the_release_publishes_resolves(crime):
    store = FusekiStore(password="")
    uris, undescribed = public_check.published_uris(store, crime.name, crime.uri)
    assert undescribed == []
    kinds = {next(u[len(b):] for b in public_check.bases_of(crime.uri)
                  if u.startswith(b + "/")).split("/")[1] for u in uris}
    assert kinds == {"id", "def", "doc"}, kinds
    assert series.series_uri(crime.uri) in uris and crime.uri in uris
    assert any(u.endswith("/def/offence-groups/burglary") for u in uris)  # code-list concepts
    assert any(u.endswith("/def/fivestar/offenceGroup") for u in uris)  # /def/ terms
    checked, problems = public_check.unresolved(store, crime.name, crime.uri)
    assert problems == [] and checked == len(uris)


@pytest.mark.browser
def test_observation_page_reads_well_in_a_browser(crime, page):
    obs = _an_observation(crime)
    page.goto(f"{FRONT}/id/{obs.split('/id/', 1)[1]}")  # the browser follows the 303
    assert "/doc/" in page.url
    assert page.locator("h2", has_text="Dimensions").count() == 1
    assert page.locator("table.dimensions tr").count() >= 3
    assert page.locator("table.measures tr").count() >= 1
    page.locator("#dataset").click()
    assert page.locator("h1").inner_text().startswith("Police recorded crime")
    page.goto(f"{FRONT}/def/fivestar/period")
    assert page.locator("h1").count() == 1


@pytest.mark.browser
def test_dataset_page_shows_the_table_preview(ckan_stack, crime, page):
    _, f = _csv(crime)
    pkg = ckan_stack["client"].action.package_show(id=crime.name)
    res = next(r for r in pkg["resources"] if r["name"] == f["path"])
    page.goto(f"{ckan_stack['url']}/dataset/{crime.name}/resource/{res['id']}")
    frame = page.frame_locator("iframe").first
    frame.locator("#dtprv tbody tr").first.wait_for(timeout=30_000)
    # a person reads what an empty cell means: the status column's label in its header,
    # and behind each typed column's info mark that an empty cell is a suppressed one
    header = frame.locator("#dtprv thead").inner_text().replace("\xa0", " ")
    assert "Confidentiality status" in header
    notes = [frame.locator("#dtprv thead i.fa-info-circle").nth(i).get_attribute("title")
             for i in range(frame.locator("#dtprv thead i.fa-info-circle").count())]
    assert any("suppressed for disclosure control" in (n or "") for n in notes), notes
    assert any("C primary suppression" in (n or "") for n in notes), notes
    page.goto(f"{ckan_stack['url']}/dataset/{crime.name}")
    assert "GMT" in page.content() or "BST" in page.content()  # release time with its zone


def test_withdrawn_release_graph_is_gone(ckan_stack, tmp_path):
    done = publish_bundled("police-recorded-crime", tmp_path, ckan_stack["client"])
    store = FusekiStore()
    base = done.uri.rsplit("/id/", 1)[0]
    graph = release_graph(base, done.name, done.staged.id)
    assert store.graphs(dataset_graphs_prefix(base, done.name), LIVE) == [graph]
    assert store.graphs(dataset_graphs_prefix(base, done.name), DRAFT) == []
    again = publish.publish_release(ckan_stack["client"], done.staged.path,
                                    done.staged.manifest, done.staged.id)
    assert not again.changed
    assert store.graphs(dataset_graphs_prefix(base, done.name), LIVE) == [graph]
    withdraw_from_catalogue(ckan_stack["client"], done.name, "Error found in Q4", "private")
    assert store.graphs(dataset_graphs_prefix(base, done.name), LIVE) == []
    obs = f"/id/{done.name}/"
    assert requests.get(f"{FRONT}{obs}", allow_redirects=False, timeout=30).status_code == 404
