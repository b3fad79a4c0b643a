"""The committed datasets and code lists: they load, they match the generator, they agree.

The bundled extracts are what `make demo` runs and what other stages' tests
use, so a drift between a file, its spec, its code lists and the generator is
caught here rather than as a confusing failure downstream.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from rdflib import RDF, SKOS, Graph, Literal, URIRef

from fivestar_dev import generate as gen
from pipelines import paths
from pipelines.spec import DatasetSpec, load_all

SPECS, ERRORS = load_all(paths.DATASETS_DIR)
BY_ID = {s.id: s for s in SPECS}
DEF = "https://data.homeoffice.gov.uk/def/"
#: The code lists this part of the project owns (others may add their own .ttl files).
STEMS = ("police-force-areas", "offence-groups", "visa-categories", "countries", "foi-status",
         "supplier-types")


def _read(spec: DatasetSpec) -> pd.DataFrame:
    """Read a bundled extract as plain strings/numbers (independent of the extract stage)."""
    path = spec.source_paths()[0]
    fmt = spec.source.format.value
    if fmt == "csv":
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding=spec.source.encoding)
    if fmt == "xlsx":
        return pd.read_excel(path, sheet_name=spec.source.sheet, dtype=str,
                             keep_default_na=False)
    return pd.read_parquet(path).astype(object).where(lambda d: d.notna(), "").astype(str)


def _graph(stem: str) -> Graph:
    g = Graph()
    g.parse(paths.VOCABULARIES_DIR / f"{stem}.ttl", format="turtle")
    return g


def test_every_bundled_spec_loads() -> None:
    assert not ERRORS, [str(e) for e in ERRORS]
    assert set(gen.DATASET_IDS) <= set(BY_ID)


@pytest.mark.parametrize("dataset_id", gen.DATASET_IDS)
def test_spec_points_at_the_committed_extract(dataset_id: str) -> None:
    spec = BY_ID[dataset_id]
    b = gen.BUNDLED[dataset_id]
    assert spec.source.format.value == b.format
    (path,) = spec.source_paths()
    assert path == gen.bundled_path(dataset_id).resolve()
    assert path.stat().st_size < 1_000_000
    assert spec.iar.protective_marking.value == (
        "OFFICIAL" if spec.kind == "aggregate" else "OFFICIAL-SENSITIVE")
    assert spec.release.next_release is not None
    nr = spec.release.next_release
    assert nr.weekday() < 5 and (nr.hour, nr.minute) == (9, 30) and nr.year == 2027


def test_bundled_files_equal_a_regeneration(tmp_path: Path) -> None:
    written = gen.write_bundled(datasets_dir=tmp_path)
    for new in written:
        dataset_id = new.parent.name
        committed = gen.bundled_path(dataset_id)
        assert new.read_bytes() == committed.read_bytes(), (
            f"{committed} differs from the generator; run `python -m fivestar_dev.generate`")


@pytest.mark.parametrize("dataset_id", gen.DATASET_IDS)
def test_extract_matches_its_table_schema(dataset_id: str) -> None:
    spec = BY_ID[dataset_id]
    df = _read(spec)
    schema = spec.table_schema
    assert list(df.columns) == schema.field_names
    assert len(df) > 0
    for f in schema.fields:
        col = df[f["name"]]
        c = f.get("constraints", {})
        present = col[col != ""]
        if c.get("required"):
            assert len(present) == len(col), f["name"]
        if "pattern" in c:
            assert present.str.fullmatch(c["pattern"]).all(), f["name"]
        if "enum" in c:
            assert set(present) <= {str(v) for v in c["enum"]}, f["name"]
        if f["type"] == "integer":
            assert present.str.fullmatch(r"-?\d+").all(), f["name"]
        if f["type"] in ("integer", "number") and "minimum" in c:
            assert (pd.to_numeric(present) >= c["minimum"]).all(), f["name"]
        if f["type"] == "date":
            assert present.str.fullmatch(r"\d{4}-\d{2}-\d{2}").all(), f["name"]
            pd.to_datetime(present, format="%Y-%m-%d")  # real dates
        if c.get("unique"):
            assert col.is_unique, f["name"]
    assert not df.duplicated(schema.primary_key).any()


@pytest.mark.parametrize("dataset_id", gen.DATASET_IDS)
def test_every_coded_value_is_in_its_code_list(dataset_id: str) -> None:
    spec = BY_ID[dataset_id]
    df = _read(spec)
    coded = [f for f in spec.table_schema.fields if f.get("codelist")]
    assert coded, "every bundled dataset has at least one coded field"
    for f in coded:
        g = _graph(f["codelist"])
        notations = {str(n) for n in g.objects(None, SKOS.notation)}
        values = set(df[f["name"]]) - {""}
        assert values <= notations, (f["name"], sorted(values - notations)[:5])


def test_aggregates_carry_their_totals() -> None:
    # police-recorded-crime has detailed cells only: fivestar computes its margins
    crime = _read(BY_ID["police-recorded-crime"])
    assert "K04000001" not in set(crime["police_force_area"])
    assert "all-offences" not in set(crime["offence_group"])
    assert BY_ID["police-recorded-crime"].redaction.sdc.totals.value == "computed"
    visas = _read(BY_ID["entry-clearance-visas"])
    assert {"ALL"} <= set(visas["nationality"]) and "total" in set(visas["visa_category"])
    assert visas["nationality"].nunique() >= 60


@pytest.mark.parametrize("stem", STEMS)
def test_code_list_is_a_proper_skos_scheme(stem: str) -> None:
    g = _graph(stem)
    schemes = list(g.subjects(RDF.type, SKOS.ConceptScheme))
    assert schemes == [URIRef(DEF + stem)]
    scheme = schemes[0]
    assert g.value(scheme, SKOS.prefLabel) is not None
    concepts = set(g.subjects(RDF.type, SKOS.Concept))
    assert concepts
    notations: list[str] = []
    for c in concepts:
        assert (c, SKOS.inScheme, scheme) in g
        (notation,) = list(g.objects(c, SKOS.notation))
        labels = list(g.objects(c, SKOS.prefLabel))
        assert len(labels) == 1 and isinstance(labels[0], Literal) and labels[0].language == "en"
        assert str(c) == f"{DEF}{stem}/{notation}"
        notations.append(str(notation))
    assert len(notations) == len(set(notations))
    tops = set(g.objects(scheme, SKOS.hasTopConcept))
    assert tops and tops == set(g.subjects(SKOS.topConceptOf, scheme))
    for child, parent in g.subject_objects(SKOS.broader):
        assert (parent, SKOS.narrower, child) in g
        assert parent in concepts
    for parent, child in g.subject_objects(SKOS.narrower):
        assert (child, SKOS.broader, parent) in g
    for c in concepts - tops:  # every other concept reaches a top concept without a cycle
        seen, node = set(), c
        while node not in tops:
            assert node not in seen
            seen.add(node)
            node = g.value(node, SKOS.broader)
            assert node is not None, f"{c} does not reach a top concept"


def test_police_force_areas_are_the_43_territorial_forces_with_ons_links() -> None:
    g = _graph("police-force-areas")
    codes = {str(n) for n in g.objects(None, SKOS.notation)}
    expected = ({f"E23{n:06d}" for n in range(1, 40)} | {f"W15{n:06d}" for n in range(1, 5)}
                | {"K04000001"})
    assert codes == expected
    for c in g.subjects(RDF.type, SKOS.Concept):
        code = str(g.value(c, SKOS.notation))
        assert (c, SKOS.exactMatch, URIRef(
            f"http://statistics.data.gov.uk/id/statistical-geography/{code}")) in g
    label = {str(g.value(c, SKOS.notation)): str(g.value(c, SKOS.prefLabel))
             for c in g.subjects(RDF.type, SKOS.Concept)}
    assert label["E23000034"] == "London, City of"
    assert label["W15000004"] == "Dyfed-Powys"
    assert label["E23000001"] == "Metropolitan Police"


def test_countries_link_to_the_eu_country_authority() -> None:
    g = _graph("countries")
    for c in g.subjects(RDF.type, SKOS.Concept):
        code = str(g.value(c, SKOS.notation))
        matches = list(g.objects(c, SKOS.exactMatch))
        if code == "ALL":
            assert not matches
            continue
        assert re.fullmatch(r"[A-Z]{3}", code)
        assert matches == [URIRef(
            f"http://publications.europa.eu/resource/authority/country/{code}")]


def test_generator_reads_the_code_lists() -> None:
    crime = gen.generate("police-recorded-crime")
    pfa = gen.codes("police-force-areas")
    assert pfa.total == "K04000001" and len(pfa.members) == 43
    assert set(crime["police_force_area"]) == set(pfa.members)
    offences = gen.codes("offence-groups")
    assert offences.total == "all-offences"
    assert set(crime["offence_group"]) == set(offences.members)
