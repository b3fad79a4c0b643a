"""CKAN's DCAT as harvesters see it: the official DCAT-AP 3.0.1 shapes and the MQA score.

**Shapes.** The SEMIC DCAT-AP 3.0.1 SHACL shapes (``dcat-ap-SHACL.ttl``, the all-in-one
cardinality/datatype shapes, and ``ranges.ttl``, the class-range shapes: the pair the
EU validator applies), taken at setup from a PyPI package that vendors them byte for
byte (scripts/dcat-ap-shapes.sh, catalogue/shapes/sources.tsv), run with pySHACL and,
as a second independent engine, Apache Jena SHACL (:func:`check_shapes_jena`). The
background knowledge the EU validator imports is added where it is available offline:
the SPDX 2.3 ontology and the EU file-type concepts shipped with the shapes. Two things
are done to the shapes in memory, never on disk: ``sh:property`` references to property
shapes that have no triples (present in the official files) are removed, since pySHACL
refuses a shape without ``sh:path``.

**MQA.** data.europa.eu's Metadata Quality Assessment (405 points), computed here from
the same graph, with the access and download URLs requested for real. Each indicator is
the share of datasets (or distributions) that have it, times its points; for the
interoperability indicators a dataset counts when its best distribution has it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import requests
from pyshacl import validate
from rdflib import RDF, Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, SH

from pipelines.paths import ROOT

EU = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"
DCATAP_RIGHTS = DCTERMS.rights
DATASET_SERIES = URIRef("http://www.w3.org/ns/dcat#DatasetSeries")
SHAPES = ("dcat-ap-SHACL.ttl", "dcat-ap-ranges.ttl")
BACKGROUND = (("spdx-2.3-ontology.owl.xml", "xml"), ("eu-file-type-csv.rdf", "xml"),
              ("eu-file-type-json.rdf", "xml"), ("eu-file-type-json-ld.rdf", "xml"))
#: EU file types data.europa.eu's MQA counts as non-proprietary / machine-readable
#: (the file types fivestar publishes, and their close relatives).
NON_PROPRIETARY = {"CSV", "JSON", "JSON_LD", "RDF_TURTLE", "RDF_N_TRIPLES", "RDF_XML", "RDF",
                   "N3", "XML", "TXT", "HTML", "GEOJSON", "ODS", "TSV", "RDF_N_QUADS",
                   "RDF_TRIG"}
MACHINE_READABLE = {"CSV", "JSON", "JSON_LD", "RDF_TURTLE", "RDF_N_TRIPLES", "RDF_XML", "RDF",
                    "N3", "XML", "GEOJSON", "ODS", "XLSX", "XLS", "TSV", "RDF_N_QUADS",
                    "RDF_TRIG"}
BANDS = ((351, "Excellent"), (221, "Good"), (121, "Sufficient"), (0, "Bad"))


def shapes_dir() -> Path:
    return Path(os.environ.get("FIVESTAR_DCAT_AP_SHAPES")
                or ROOT / ".cache" / "dcat-ap-3.0.1")


def load_shapes(directory: Path | None = None) -> Graph:
    directory = directory or shapes_dir()
    missing = [n for n in SHAPES if not (directory / n).is_file()]
    if missing:
        raise FileNotFoundError(f"DCAT-AP 3.0.1 shapes missing from {directory}: {missing} "
                                "(scripts/dcat-ap-shapes.sh fetches them; make setup runs it)")
    g = Graph()
    for name in SHAPES:
        g.parse(directory / name, format="turtle")
    for s, p, o in list(g.triples((None, SH.property, None))):
        if next(g.triples((o, None, None)), None) is None:
            g.remove((s, p, o))  # dangling reference in the official file (see docstring)
    return g


def background(directory: Path | None = None) -> Graph:
    directory = directory or shapes_dir()
    g = Graph()
    for name, fmt in BACKGROUND:
        if (directory / name).is_file():
            g.parse(directory / name, format=fmt)
    return g


@dataclass
class ShapeResult:
    focus: str
    path: str | None
    severity: str
    message: str
    shape: str


def check_shapes(data: Graph, shapes: Graph | None = None,
                 extra: Graph | None = None) -> list[ShapeResult]:
    """Every result (violations, warnings, infos) of the official shapes on ``data``."""
    shapes = shapes if shapes is not None else load_shapes()
    merged = Graph()
    for t in data:
        merged.add(t)
    for t in (extra if extra is not None else background()):
        merged.add(t)
    _, report, _ = validate(merged, shacl_graph=shapes, inference="none", advanced=True,
                            allow_warnings=True)
    out = []
    for r in report.subjects(RDF.type, SH.ValidationResult):
        def one(p: URIRef, r: URIRef = r) -> str | None:
            v = report.value(r, p)
            return None if v is None else str(v)
        out.append(ShapeResult(one(SH.focusNode) or "", one(SH.resultPath),
                               (one(SH.resultSeverity) or "").rsplit("#", 1)[-1],
                               one(SH.resultMessage) or "", one(SH.sourceShape) or ""))
    return out


def violations(results: list[ShapeResult]) -> list[ShapeResult]:
    return [r for r in results if r.severity == "Violation"]


# --------------------------------------------------------------------- MQA
@dataclass
class Score:
    points: dict[str, float] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return round(sum(self.points.values()), 1)

    @property
    def band(self) -> str:
        return next(name for floor, name in BANDS if self.total >= floor)


def url_answers(url: str) -> bool:
    """An access or download URL answers 200-399 (HEAD, else GET, as MQA does)."""
    try:
        resp = requests.head(url, allow_redirects=False, timeout=30)
        if resp.status_code in (405, 501):
            resp = requests.get(url, allow_redirects=False, timeout=30, stream=True)
            resp.close()
    except requests.RequestException:
        return False
    return 200 <= resp.status_code < 400


def _code(iri: object, authority: str) -> str | None:
    s = str(iri)
    prefix = f"{EU}{authority}/"
    return s[len(prefix):] if isinstance(iri, URIRef) and s.startswith(prefix) else None


def mqa(data: Graph, conforming: Callable[[URIRef], bool],
        answers: Callable[[str], bool] = url_answers) -> Score:
    """The MQA points of every dcat:Dataset in ``data`` (series are not scored).

    ``conforming(dataset)`` says whether the dataset's description passed the shapes."""
    datasets = sorted(set(data.subjects(RDF.type, DCAT.Dataset))
                      - set(data.subjects(RDF.type, DATASET_SERIES)))
    dists = [d for ds in datasets for d in data.objects(ds, DCAT.distribution)]
    answered: dict[str, bool] = {}

    def ok(url: object) -> bool:
        if str(url) not in answered:
            answered[str(url)] = answers(str(url))
        return answered[str(url)]

    def share_ds(test: Callable[[URIRef], bool]) -> float:
        return sum(1 for d in datasets if test(d)) / len(datasets) if datasets else 0.0

    def share_dist(test: Callable[[URIRef], bool]) -> float:
        return sum(1 for d in dists if test(d)) / len(dists) if dists else 0.0

    def best(test: Callable[[URIRef], bool]) -> float:
        return share_ds(lambda ds: any(test(d) for d in data.objects(ds, DCAT.distribution)))

    def has(s: URIRef, p: URIRef) -> bool:
        return data.value(s, p) is not None

    def formats(d: URIRef) -> list[str]:
        return [c for f in data.objects(d, DCTERMS["format"]) if (c := _code(f, "file-type"))]

    s = Score()
    s.points["keyword"] = 30 * share_ds(lambda d: has(d, DCAT.keyword))
    s.points["theme"] = 30 * share_ds(lambda d: has(d, DCAT.theme))
    s.points["spatial"] = 20 * share_ds(lambda d: has(d, DCTERMS.spatial))
    s.points["temporal"] = 20 * share_ds(lambda d: has(d, DCTERMS.temporal))
    s.points["accessURL answers"] = 50 * share_dist(
        lambda d: any(ok(u) for u in data.objects(d, DCAT.accessURL)))
    s.points["downloadURL"] = 20 * share_dist(lambda d: has(d, DCAT.downloadURL))
    s.points["downloadURL answers"] = 30 * share_dist(
        lambda d: any(ok(u) for u in data.objects(d, DCAT.downloadURL)))
    s.points["format"] = 20 * best(lambda d: has(d, DCTERMS["format"]))
    s.points["mediaType"] = 10 * best(lambda d: has(d, DCAT.mediaType))
    s.points["format/mediaType from vocabulary"] = 10 * best(
        lambda d: bool(formats(d)) or any(str(m).startswith(IANA)
                                          for m in data.objects(d, DCAT.mediaType)))
    s.points["non-proprietary"] = 20 * best(lambda d: any(c in NON_PROPRIETARY
                                                          for c in formats(d)))
    s.points["machine-readable"] = 20 * best(lambda d: any(c in MACHINE_READABLE
                                                           for c in formats(d)))
    s.points["DCAT-AP compliance"] = 30 * share_ds(conforming)
    s.points["licence"] = 20 * share_dist(lambda d: has(d, DCTERMS.license))
    s.points["licence from vocabulary"] = 10 * share_dist(
        lambda d: any(_code(x, "licence") for x in data.objects(d, DCTERMS.license)))
    s.points["accessRights"] = 10 * share_ds(lambda d: has(d, DCTERMS.accessRights))
    s.points["accessRights from vocabulary"] = 5 * share_ds(
        lambda d: any(_code(x, "access-right") for x in data.objects(d, DCTERMS.accessRights)))
    s.points["contactPoint"] = 20 * share_ds(lambda d: has(d, DCAT.contactPoint))
    s.points["publisher"] = 10 * share_ds(lambda d: has(d, DCTERMS.publisher))
    s.points["rights"] = 5 * share_dist(lambda d: has(d, DCATAP_RIGHTS))
    s.points["byteSize"] = 5 * share_dist(lambda d: has(d, DCAT.byteSize))
    s.points["issued"] = 5 * share_ds(lambda d: has(d, DCTERMS.issued))
    s.points["modified"] = 5 * share_ds(lambda d: has(d, DCTERMS.modified))
    return s


def check_shapes_jena(data: Graph, shapes: Graph | None = None, extra: Graph | None = None,
                      classpath: str | None = None) -> list[ShapeResult]:
    """The same shapes run by a second, independent engine: Apache Jena SHACL
    (``shacl.shacl_validate`` from jena-cmds, among the Fuseki jars in ``.cache/fuseki``).
    Two engines agreeing rules out an artefact of one of them."""
    import subprocess
    import tempfile

    classpath = classpath or str(ROOT / ".cache" / "fuseki" / "lib" / "*")
    with tempfile.TemporaryDirectory() as tmp:
        merged = Graph()
        for t in data:
            merged.add(t)
        for t in (extra if extra is not None else background()):
            merged.add(t)
        merged.serialize(Path(tmp) / "data.nt", format="nt", encoding="utf-8")
        (shapes if shapes is not None else load_shapes()).serialize(
            Path(tmp) / "shapes.ttl", format="turtle", encoding="utf-8")
        run = subprocess.run(["java", "-Xmx512m", "-cp", classpath, "shacl.shacl_validate",
                              "--shapes", str(Path(tmp) / "shapes.ttl"),
                              "--data", str(Path(tmp) / "data.nt")],
                             capture_output=True, text=True, timeout=600, check=False)
    if run.returncode not in (0, 1):
        raise RuntimeError(f"Jena SHACL failed ({run.returncode}): {run.stderr[-500:]}")
    report = Graph().parse(data=run.stdout, format="turtle")
    out = []
    for r in report.subjects(RDF.type, SH.ValidationResult):
        out.append(ShapeResult(str(report.value(r, SH.focusNode) or ""),
                               str(report.value(r, SH.resultPath) or "") or None,
                               str(report.value(r, SH.resultSeverity) or "").rsplit("#", 1)[-1],
                               str(report.value(r, SH.resultMessage) or ""),
                               str(report.value(r, SH.sourceShape) or "")))
    return out
