"""Conversion of an aggregate table to CSV, CSVW and an RDF Data Cube, checked independently."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import pyoxigraph as ox
import pytest

from fivestar_dev import synthetic_conversion as T
from pipelines import paths
from pipelines.convert import convert, ics, verify
from pipelines.release.stage import catalogue_record
from pipelines.spec.linked_data import FIVESTAR_NS

QB = "http://purl.org/linked-data/cube#"
CONF = "http://purl.org/linked-data/sdmx/2009/attribute#confStatus"
CODE = "http://purl.org/linked-data/sdmx/2009/code#"


@pytest.fixture
def vocab(tmp_path, monkeypatch) -> Path:
    """A user's folder of synthetic code lists only: the project's own vocabulary and
    SHACL shapes come from the package, never from here."""
    d = T.write_codelists(tmp_path / "vocab")
    monkeypatch.setattr(paths, "VOCABULARIES_DIR", d)
    return d


@pytest.fixture
def cube(vocab, tmp_path):
    spec = T.cube_spec()
    df = T.cube_frame(600)
    out = tmp_path / "out"
    result = convert(df, spec, out, T.PROVENANCE)
    return spec, df, out, result


def _store(*files: Path) -> ox.Store:
    store = ox.Store()
    for f in files:
        if f.name.endswith(".nt.gz"):
            store.bulk_load(gzip.decompress(f.read_bytes()), format=ox.RdfFormat.N_TRIPLES)
        else:
            store.bulk_load(path=str(f), format=ox.RdfFormat.TURTLE)
    return store


def _nt_text(path: Path) -> str:
    return gzip.decompress(path.read_bytes()).decode("utf-8")


def test_outputs_pass_every_independent_check(cube):
    spec, df, out, result = cube
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted([
        "test-crime.csv", "test-crime.csv-metadata.json", "test-crime.nt.gz",
        "test-crime.metadata.ttl", "test-crime.metadata.jsonld", "datapackage.json",
        "test-areas.ttl", "test-offences.ttl"])
    assert verify(out, spec) == []
    assert result.stars.rating == 5
    roles = {f.path: f.role for f in result.files}
    assert roles["test-areas.ttl"] == "codelist" and roles["test-crime.nt.gz"] == "rdf"
    assert result.temporal.start == "2000-01-01"
    record = catalogue_record(spec, None, result.stars, dataset_uri=result.dataset_uri,
                              temporal=result.temporal)
    assert record.five_star_rating == 5 and record.spatial == "England and Wales"
    assert record.temporal_start == "2000-01-01" and record.uri == result.dataset_uri


def test_one_observation_per_row_and_suppressed_cells_have_status_not_value(cube):
    spec, df, out, _ = cube
    store = _store(out / "test-crime.nt.gz")
    obs = list(store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE),
                                       ox.NamedNode(QB + "Observation"), None))
    assert len(obs) == len(df)
    suppressed = df.index[df["conf_status"] == "C"][0]
    row = df.loc[suppressed]
    subject = ox.NamedNode("https://data.homeoffice.gov.uk/id/test-crime/observation/"
                           f"{row['period']}/{row['police_force_area']}/{row['offence_group']}")
    quads = store.quads_for_pattern(subject, None, None)
    values = {q.predicate.value: q.object.value for q in quads}
    assert values[CONF] == CODE + "confStatus-C"
    assert FIVESTAR_NS + "count" not in values
    assert values[FIVESTAR_NS + "period"] == \
        f"http://reference.data.gov.uk/id/quarter/{row['period']}"
    assert values[FIVESTAR_NS + "policeForceArea"] == \
        f"https://data.homeoffice.gov.uk/def/test-areas/{row['police_force_area']}"


RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def test_ntriples_are_canonical_and_gzip_with_no_name_or_time(cube):
    _, _, out, result = cube
    data = (out / "test-crime.nt.gz").read_bytes()
    assert data[:4] == b"\x1f\x8b\x08\x00" and data[4:8] == b"\0\0\0\0"  # no name, mtime 0
    text = gzip.decompress(data)
    parsed = ox.serialize(ox.parse(text, format=ox.RdfFormat.N_TRIPLES),
                          format=ox.RdfFormat.N_TRIPLES)
    assert parsed == text and len(_store(out / "test-crime.nt.gz")) > 600 * 6
    info = next(f for f in result.files if f.path == "test-crime.nt.gz")
    assert info.media_type == "application/n-triples"
    assert info.compress_format == "application/gzip"
    meta = (out / "test-crime.metadata.ttl").read_text()
    assert "compressFormat <https://www.iana.org/assignments/media-types/application/gzip>" \
        in meta


def test_csvw_processor_derives_our_subjects_and_links(cube):
    """The csvw package's CSV2JSON (standard mode) gives the same IRIs as our writer."""
    import csvw

    _, df, out, _ = cube
    doc = csvw.CSVW(str(out / "test-crime.csv-metadata.json")).to_json()
    rows = doc["tables"][0]["row"]
    assert len(rows) == len(df)
    ours = _store(out / "test-crime.nt.gz")
    checked = 0
    for r in rows[:50]:
        d = r["describes"][0]
        subject = ox.NamedNode(d["@id"])
        quads = ours.quads_for_pattern(subject, None, None)
        mine = {(q.predicate.value, q.object.value) for q in quads}
        for prop, value in d.items():
            if prop.startswith("@") or not isinstance(value, str):
                continue
            if value.startswith("http"):  # CSV2JSON compacts well-known prefixes
                assert (_full(prop), value) in mine
                checked += 1
    assert checked >= 50 * 4


def _full(name: str) -> str:
    from pipelines.spec.linked_data import PREFIXES

    prefix, _, local = name.partition(":")
    return PREFIXES[prefix] + local if prefix in PREFIXES and not local.startswith("//") else name


def test_same_inputs_same_bytes(vocab, tmp_path):
    spec, df = T.cube_spec(), T.cube_frame(300)
    digests = []
    for name in ("a", "b"):
        convert(df, spec, tmp_path / name, T.PROVENANCE)
        digests.append({p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                        for p in sorted((tmp_path / name).iterdir())})
    assert digests[0] == digests[1]


def test_base_uri_from_environment(vocab, tmp_path, monkeypatch):
    monkeypatch.setenv("FIVESTAR_BASE_URI", "https://example.org/data")
    spec = T.cube_spec()
    convert(T.cube_frame(50), spec, tmp_path / "o", T.PROVENANCE)
    text = _nt_text(tmp_path / "o" / "test-crime.nt.gz")
    assert "<https://example.org/data/id/test-crime/observation/" in text
    assert verify(tmp_path / "o", spec) == []


def test_unknown_code_is_an_error_not_a_new_concept(vocab, tmp_path):
    from pipelines.convert import ConversionError

    df = T.cube_frame(20)
    df.loc[3, "offence_group"] = "made-up"
    with pytest.raises(ConversionError) as err:
        convert(df, T.cube_spec(), tmp_path / "o", T.PROVENANCE)
    assert "offence_group" in str(err.value) and "made-up" not in str(err.value)


# -- the integrity constraints catch what they should -------------------------

def _cube_store(cube) -> ox.Store:
    _, _, out, _ = cube
    return _store(out / "test-crime.nt.gz", out / "test-areas.ttl", out / "test-offences.ttl")


def _first_obs(store: ox.Store) -> ox.NamedNode:
    return next(iter(store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE),
                                             ox.NamedNode(QB + "Observation"), None))).subject


def test_well_formed_cube_violates_nothing(cube):
    assert ics.check(_cube_store(cube)) == []


@pytest.mark.parametrize("ic, mutate", [
    ("IC-1", lambda s, o: s.add(ox.Quad(o, ox.NamedNode(QB + "dataSet"),
                                        ox.NamedNode("https://example.org/other")))),
    ("IC-11", lambda s, o: [s.remove(q) for q in list(s.quads_for_pattern(
        o, ox.NamedNode(FIVESTAR_NS + "offenceGroup"), None))]),
    ("IC-13", lambda s, o: [s.remove(q) for q in list(s.quads_for_pattern(
        o, ox.NamedNode(CONF), None))]),
    ("IC-19a", lambda s, o: [s.remove(q) or s.add(ox.Quad(
        o, q.predicate, ox.NamedNode("https://example.org/not-a-code")))
        for q in list(s.quads_for_pattern(o, ox.NamedNode(FIVESTAR_NS + "policeForceArea"),
                                          None))]),
])
def test_planted_violation_is_caught(cube, ic, mutate):
    store = _cube_store(cube)
    mutate(store, _first_obs(store))
    assert ic in ics.check(store)


def test_duplicate_observation_violates_ic12(cube):
    store = _cube_store(cube)
    obs = _first_obs(store)
    twin = ox.NamedNode(obs.value + "-twin")
    for q in list(store.quads_for_pattern(obs, None, None)):
        store.add(ox.Quad(twin, q.predicate, q.object))
    assert "IC-12" in ics.check(store)


def test_missing_measure_needs_a_suppression_status(cube):
    store = _cube_store(cube)
    count = ox.NamedNode(FIVESTAR_NS + "count")
    q = next(iter(store.quads_for_pattern(None, count, None)))
    store.remove(q)  # a free (F) cell loses its value: IC-14 must notice
    assert "IC-14" in ics.check(store)


def test_suppressed_cell_with_a_value_is_caught(cube):
    store = _cube_store(cube)
    q = next(iter(store.quads_for_pattern(None, ox.NamedNode(CONF),
                                          ox.NamedNode(CODE + "confStatus-C"), None)))
    store.add(ox.Quad(q.subject, ox.NamedNode(FIVESTAR_NS + "count"), ox.Literal("3")))
    assert "suppressed-has-no-value" in ics.check(store)


@pytest.mark.parametrize("ic, triple", [
    ("IC-2", ("https://example.org/ds", RDF_TYPE, QB + "DataSet")),
    ("IC-3", ("https://example.org/dsd", RDF_TYPE, QB + "DataStructureDefinition")),
    ("IC-4", ("https://example.org/dim", RDF_TYPE, QB + "DimensionProperty")),
    ("IC-7", ("https://example.org/key", RDF_TYPE, QB + "SliceKey")),
    ("IC-9", ("https://example.org/slice", RDF_TYPE, QB + "Slice")),
])
def test_structural_constraints(cube, ic, triple):
    store = _cube_store(cube)
    s, p, o = triple
    store.add(ox.Quad(ox.NamedNode(s), ox.NamedNode(p), ox.NamedNode(o)))
    assert ic in ics.check(store)


def test_concept_dimension_without_code_list_violates_ic5(cube):
    store = _cube_store(cube)
    dim = ox.NamedNode(FIVESTAR_NS + "offenceGroup")
    for q in list(store.quads_for_pattern(dim, ox.NamedNode(QB + "codeList"), None)):
        store.remove(q)
    assert "IC-5" in ics.check(store)


def test_hierarchical_code_list_template_ic20(cube):
    """IC-20 is instantiated per parent-child property and catches a value off the tree."""
    store = _cube_store(cube)
    dim = ox.NamedNode(FIVESTAR_NS + "offenceGroup")
    hcl = ox.NamedNode("https://example.org/hcl")
    for q in list(store.quads_for_pattern(dim, ox.NamedNode(QB + "codeList"), None)):
        store.remove(q)
    store.add(ox.Quad(dim, ox.NamedNode(QB + "codeList"), hcl))
    store.add(ox.Quad(hcl, ox.NamedNode(RDF_TYPE), ox.NamedNode(QB + "HierarchicalCodeList")))
    store.add(ox.Quad(hcl, ox.NamedNode(QB + "parentChildProperty"),
                      ox.NamedNode("http://www.w3.org/2004/02/skos/core#narrower")))
    store.add(ox.Quad(hcl, ox.NamedNode(QB + "hierarchyRoot"),
                      ox.NamedNode("https://data.homeoffice.gov.uk/def/test-offences/burglary")))
    assert "IC-20" in ics.check(store)


def test_verify_blocks_a_broken_cube(cube):
    spec, _, out, _ = cube
    nt = out / "test-crime.nt.gz"
    lines = _nt_text(nt).splitlines(keepends=True)
    nt.write_bytes(gzip.compress("".join(line for line in lines if "offenceGroup> <https"
                                         not in line or "/observation/" not in line).encode()))
    problems = verify(out, spec)
    codes = {p.code for p in problems}
    assert "data-cube" in codes and "checksum" in codes


def test_no_values_leak_into_problems(vocab, tmp_path):
    df = T.cube_frame(30)
    spec = T.cube_spec()
    out = tmp_path / "o"
    convert(df, spec, out, T.PROVENANCE)
    csv = out / "test-crime.csv"
    csv.write_text(csv.read_text().replace("\r\n2000-Q1,", "\r\nSECRET-VALUE,", 1))
    problems = verify(out, spec)
    assert problems and all("SECRET-VALUE" not in str(p) for p in problems)
