"""DCAT-AP/PROV/DQV metadata, the datapackage, the star rating, and the verify gate."""

from __future__ import annotations

import gzip
import json
import socket
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import DCAT, DCTERMS, PROV, Graph, URIRef

from fivestar_dev import synthetic_conversion as T
from pipelines import paths
from pipelines.convert import convert, verify
from pipelines.convert.metadata import file_sha256
from pipelines.convert.stars import rate
from pipelines.convert.verify import NetworkBlocked, check_shacl, no_network

DS = "https://data.homeoffice.gov.uk/id/test-crime"
QB_OBS = "http://purl.org/linked-data/cube#Observation"
BASE = "https://data.homeoffice.gov.uk"


@pytest.fixture
def out(tmp_path, monkeypatch) -> Path:
    d = T.write_codelists(tmp_path / "vocab")
    monkeypatch.setattr(paths, "VOCABULARIES_DIR", d)
    out = tmp_path / "out"
    convert(T.cube_frame(300), T.cube_spec(), out, T.PROVENANCE)
    return out


def _meta(out: Path) -> Graph:
    return Graph().parse(out / "test-crime.metadata.ttl", format="turtle")


def test_dcat_ap_properties(out):
    g = _meta(out)
    ds = URIRef(DS)
    assert str(g.value(ds, DCTERMS.license)).startswith(
        "http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3")
    assert str(g.value(ds, DCTERMS.spatial)).endswith("/K04000001")
    assert str(g.value(ds, DCTERMS.accrualPeriodicity)).endswith("/frequency/QUARTERLY")
    assert str(g.value(ds, DCAT.theme)).endswith("/data-theme/JUST")
    period = g.value(ds, DCTERMS.temporal)
    assert str(g.value(period, DCAT.startDate)) == "2000-01-01"
    dists = {str(g.value(d, DCTERMS.identifier)): d for d in g.objects(ds, DCAT.distribution)}
    assert set(dists) == {p.name for p in out.iterdir()}
    spdx = "http://spdx.org/rdf/terms#"
    for name, d in dists.items():
        url = str(g.value(d, DCAT.downloadURL))
        assert url == f"{BASE}/doc/test-crime/{name}"
        chk = g.value(d, URIRef(spdx + "checksum"))
        if name.startswith("test-crime.metadata"):
            assert chk is None  # a file cannot carry its own checksum
        else:
            assert str(g.value(chk, URIRef(spdx + "checksumValue"))) == file_sha256(out / name)
            assert int(g.value(d, DCAT.byteSize)) == (out / name).stat().st_size


def test_provenance_names_the_extract_by_hash_and_the_pipeline_version(out):
    g = _meta(out)
    activity = g.value(URIRef(DS), PROV.wasGeneratedBy)
    used = {str(u) for u in g.objects(activity, PROV.used)}
    assert any(u.startswith("ni:///sha-256;") for u in used)
    agent = g.value(activity, PROV.wasAssociatedWith)
    assert "0.1.0+gtest" in {str(v) for v in g.objects(agent, None)}


def test_quality_measurements_come_from_the_reports(out):
    q = """PREFIX dqv: <http://www.w3.org/ns/dqv#>
           SELECT ?metric ?value WHERE { ?m dqv:isMeasurementOf ?metric ; dqv:value ?value }"""
    values = {str(r.metric).rsplit("/", 1)[-1]: r.value.toPython() for r in _meta(out).query(q)}
    assert values["cellsPrimarySuppressed"] == 5 and values["cellsSecondarySuppressed"] == 2
    assert values["valuesScrubbed"] == 3 and values["validationWarnings"] == 1
    assert values["fiveStarRating"] == 5 and values["star5"] is True


def test_jsonld_has_the_same_triples_and_an_inline_context(out):
    doc = json.loads((out / "test-crime.metadata.jsonld").read_text())
    assert isinstance(doc["@context"], dict)  # never a remote context URL
    def triples(path, fmt):
        with open(path, "rb") as fh:
            return {str(t) for t in ox.parse(fh, format=fmt)}
    assert triples(out / "test-crime.metadata.jsonld", ox.RdfFormat.JSON_LD) == \
        triples(out / "test-crime.metadata.ttl", ox.RdfFormat.TURTLE)


def test_shacl_rejects_metadata_without_a_mandatory_property(out, tmp_path):
    g = _meta(out)
    g.remove((URIRef(DS), DCTERMS.title, None))
    bad = tmp_path / "bad.ttl"
    g.serialize(bad, format="turtle")
    problems = check_shacl(bad)
    assert any("dcterms:title is mandatory" in p.message for p in problems)
    assert check_shacl(out / "test-crime.metadata.ttl") == []


def test_stars_follow_the_files(out):
    assert rate(out, "test-crime", QB_OBS, BASE).rating == 5
    for code_list in out.glob("test-*.ttl"):
        if code_list.name != "test-crime.ttl":
            code_list.unlink()
    nt = out / "test-crime.nt.gz"
    text = gzip.decompress(nt.read_bytes()).decode()
    nt.write_bytes(gzip.compress(text.replace("http://reference.data.gov.uk/id/quarter/",
                                              f"{BASE}/id/quarter/").encode()))
    stars = rate(out, "test-crime", QB_OBS, BASE)
    assert stars.rating == 4 and not stars.passed["5"]
    nt.unlink()
    assert rate(out, "test-crime", QB_OBS, BASE).rating == 3
    pkg = json.loads((out / "datapackage.json").read_text())
    pkg["licenses"] = [{"name": "proprietary", "path": "https://example.org/all-rights"}]
    (out / "datapackage.json").write_text(json.dumps(pkg))
    meta = json.loads((out / "test-crime.csv-metadata.json").read_text())
    del meta["dc:license"]
    (out / "test-crime.csv-metadata.json").write_text(json.dumps(meta))
    assert rate(out, "test-crime", QB_OBS, BASE).rating == 0


def test_verify_flags_a_claimed_rating_the_files_do_not_earn(out):
    spec = T.cube_spec()
    for code_list in ("test-areas.ttl", "test-offences.ttl"):
        (out / code_list).write_text("")  # no exactMatch links any more
    nt = out / "test-crime.nt.gz"
    text = gzip.decompress(nt.read_bytes()).decode()
    nt.write_bytes(gzip.compress(text.replace("http://reference.data.gov.uk/",
                                              f"{BASE}/ref/").encode()))
    codes = {p.code for p in verify(out, spec)}
    assert "stars" in codes


def test_datapackage_lists_every_other_file_with_its_hash(out):
    pkg = json.loads((out / "datapackage.json").read_text())
    by_path = {r["path"]: r for r in pkg["resources"]}
    assert by_path["test-crime.csv"]["schema"]["missingValues"] == ["", "[c]"]
    nt = by_path["test-crime.nt.gz"]
    assert nt["hash"] == "sha256:" + file_sha256(out / "test-crime.nt.gz")
    assert nt["mediatype"] == "application/n-triples" and nt["compression"] == "gz"


def test_validators_cannot_reach_the_network():
    with no_network(), pytest.raises(NetworkBlocked):
        socket.create_connection(("192.0.2.1", 80), timeout=1)  # TEST-NET-1


def test_verify_reports_missing_files(out):
    (out / "datapackage.json").unlink()
    problems = verify(out, T.cube_spec())
    assert [p.location.file for p in problems] == ["datapackage.json"]


def test_line_scan_agrees_with_pyoxigraph(out):
    from pipelines.convert.stars import rdf_facts, scan_ntriples

    parsed = rdf_facts(out / "test-crime.nt.gz", QB_OBS, BASE)
    scanned = scan_ntriples(out / "test-crime.nt.gz", QB_OBS, BASE, block_size=4096)
    for key in ("triples", "things", "http_things", "external"):
        assert scanned[key] == parsed[key], key
    assert parsed["things"] == 300


def test_facts_counted_while_writing_agree_with_pyoxigraph(out, tmp_path):
    from pipelines.convert.stars import rdf_facts

    result = convert(T.cube_frame(300), T.cube_spec(), tmp_path / "o", T.PROVENANCE)
    parsed = rdf_facts(tmp_path / "o" / "test-crime.nt.gz", QB_OBS, BASE)
    assert result.triples == parsed["triples"]
    evidence = result.stars.evidence
    assert f"holds {parsed['triples']} triples" in evidence["4"]
    assert "test-crime.nt.gz (application/n-triples, gzip)" in evidence["3"]
