"""Independent checks over the converted files (the blocking ``conversion_verified`` gate).

Nothing here trusts the writer: every check re-reads the bytes on disk with a
different tool than the one that wrote them.

* every RDF file (``.ttl``, ``.nt``, ``.jsonld``) re-parsed by pyoxigraph;
* the DCAT/PROV/DQV metadata checked with pySHACL against the DCAT-AP 3 shapes
  in ``vocabularies/shapes/``, and its sizes and checksums against the files;
* aggregate datasets: the Data Cube (N-Triples + the published code lists)
  loaded into a pyoxigraph store and checked against IC-1..IC-21
  (:mod:`pipelines.convert.ics`);
* the CSVW metadata loaded by the ``csvw`` package and every row of the CSV
  validated against it, with the network switched off (no context fetching);
* ``frictionless`` validation of ``datapackage.json``;
* the star rating recomputed from the files and compared with the one the
  metadata claims.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from pipelines import paths
from pipelines.convert import ics
from pipelines.errors import Location, Problem
from pipelines.spec import DatasetSpec
from pipelines.spec.linked_data import FIVESTAR_NS

_FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES,
            ".jsonld": ox.RdfFormat.JSON_LD}
DQV_VALUE = "http://www.w3.org/ns/dqv#value"


class NetworkBlocked(RuntimeError):
    """Raised when a validator tries to open a network connection."""


@contextlib.contextmanager
def no_network() -> Iterator[None]:
    """Refuse every outgoing connection while validators run (nothing may be fetched)."""
    real = socket.socket.connect

    def refuse(self: socket.socket, address: Any) -> None:
        raise NetworkBlocked(f"network access attempted: {address!r}")

    socket.socket.connect = refuse  # type: ignore[method-assign]
    try:
        yield
    finally:
        socket.socket.connect = real  # type: ignore[method-assign]


def _p(code: str, message: str, file: str | None = None, row: int | None = None,
       field: str | None = None) -> Problem:
    return Problem(code, message, Location(file=file, row=row, field=field))


def check_rdf_parses(out_dir: Path, nt_name: str, row_class: str,
                     base: str) -> tuple[list[Problem], dict[str, Any] | None]:
    """Parse every RDF file with pyoxigraph; facts about ``nt_name`` feed the star check."""
    from pipelines.convert.stars import rdf_facts

    problems: list[Problem] = []
    facts = None
    for path in sorted(out_dir.iterdir()):
        fmt = _FORMATS.get(path.suffix)
        if fmt is None:
            continue
        try:
            if path.name == nt_name:
                facts = rdf_facts(path, row_class, base)
                continue
            with open(path, "rb") as fh:
                for _ in ox.parse(fh, format=fmt):
                    pass
        except (SyntaxError, ValueError, OSError) as exc:
            problems.append(_p("rdf_parse", f"pyoxigraph cannot parse it: {_no_values(str(exc))}",
                               path.name))
    return problems, facts


def check_shacl(metadata_ttl: Path) -> list[Problem]:
    from pyshacl import validate
    from rdflib import Graph

    data = Graph().parse(metadata_ttl, format="turtle")
    shapes = Graph().parse(paths.VOCABULARIES_DIR / "shapes" / "dcat-ap-3.ttl", format="turtle")
    conforms, report, _text = validate(data, shacl_graph=shapes, inference="none",
                                       allow_warnings=False)
    if conforms:
        return []
    from rdflib import Namespace

    sh = Namespace("http://www.w3.org/ns/shacl#")
    out = []
    for result in report.subjects(predicate=sh.resultSeverity):
        msg = report.value(result, sh.resultMessage)
        path = report.value(result, sh.resultPath)
        focus = report.value(result, sh.focusNode)
        out.append(_p("dcat_ap", f"{msg or 'SHACL violation'} (node {focus})",
                      metadata_ttl.name, field=str(path) if path else None))
    return sorted(out, key=lambda p: p.message)


def check_checksums(out_dir: Path, metadata_ttl: Path) -> list[Problem]:
    """Sizes and sha256 in the DCAT metadata must match the files on disk."""
    from rdflib import DCAT, DCTERMS, Graph, Namespace

    from pipelines.convert.metadata import file_sha256

    spdx = Namespace("http://spdx.org/rdf/terms#")
    g = Graph().parse(metadata_ttl, format="turtle")
    problems = []
    for dist in g.subjects(predicate=DCAT.accessURL):
        name = str(g.value(dist, DCTERMS.identifier) or "")
        path = out_dir / name
        if not name or not path.is_file():
            problems.append(_p("distribution_missing", "a distribution names no published file",
                               metadata_ttl.name, field=name or None))
            continue
        size = g.value(dist, DCAT.byteSize)
        if size is not None and int(size) != path.stat().st_size:
            problems.append(_p("byte_size", "dcat:byteSize does not match the file", name))
        chk = g.value(dist, spdx.checksum)
        if chk is not None and str(g.value(chk, spdx.checksumValue)) != file_sha256(path):
            problems.append(_p("checksum", "spdx:checksum does not match the file", name))
    return problems


def check_cube(nt_path: Path, codelists: list[Path]) -> list[Problem]:
    store = ox.Store()
    store.bulk_load(path=str(nt_path), format=ox.RdfFormat.N_TRIPLES)
    for cl in codelists:
        store.bulk_load(path=str(cl), format=ox.RdfFormat.TURTLE)
    return [_p("data_cube", f"Data Cube integrity constraint {name} is violated", nt_path.name)
            for name in ics.check(store)]


def check_csvw(meta_path: Path) -> list[Problem]:
    """Load the metadata with the ``csvw`` package and validate every row against it."""
    import csvw

    try:
        with no_network():
            processor = csvw.CSVW(str(meta_path), validate=True)
            valid = processor.is_valid
            rows = sum(1 for t in processor.tables for _ in t.iterdicts(strict=True))
    except NetworkBlocked as exc:
        return [_p("csvw_network", str(exc), meta_path.name)]
    except Exception as exc:  # csvw raises ValueError and friends, naming the row
        return [_p("csvw", f"CSV does not validate against its CSVW metadata: "
                   f"{type(exc).__name__}: {_no_values(str(exc))}", meta_path.name)]
    if valid and rows:
        return []
    if not rows:
        return [_p("csvw", "the CSVW table has no rows", meta_path.name)]
    return [_p("csvw", f"CSVW validation: {_no_values(str(w.message))}", meta_path.name)
            for w in processor.warnings[:20]]


def _no_values(message: str) -> str:
    """Keep a validator's location but not the offending cell (it may be personal data)."""
    return message.split(":")[0][:200]


def check_datapackage(pkg: Path) -> list[Problem]:
    from frictionless import FrictionlessException, Package, system

    try:
        with no_network(), system.use_context(trusted=True):
            report = Package(str(pkg), basepath=str(pkg.parent)).validate()
    except (FrictionlessException, NetworkBlocked) as exc:
        return [_p("frictionless", f"datapackage.json is not valid: {exc}"[:300], pkg.name)]
    problems = []
    for task in report.tasks:
        for err in task.errors:
            problems.append(_p("frictionless", f"{err.type}: {err.title}",
                               task.name or pkg.name, row=getattr(err, "row_number", None),
                               field=getattr(err, "field_name", None)))
    for err in report.errors:
        problems.append(_p("frictionless", f"{err.type}: {err.title}", pkg.name))
    return problems


def row_class_of(spec: DatasetSpec) -> str:
    """The rdf:type every row's resource must have, from the spec alone."""
    from pipelines.convert.terms import QB
    from pipelines.spec.linked_data import expand

    mapping = spec.linked_data
    if spec.kind == "aggregate":
        return QB + "Observation"
    return expand(mapping.class_) if mapping.class_ else FIVESTAR_NS + "Record"


def check_stars(out_dir: Path, spec: DatasetSpec, metadata_ttl: Path,
                facts: dict[str, Any] | None = None) -> list[Problem]:
    """Recompute the rating from the files (pyoxigraph facts) and compare with the claim."""
    from pipelines.convert.stars import rate

    mapping = spec.linked_data
    stars = rate(out_dir, spec.id, row_class_of(spec), mapping.base(), facts=facts)
    from rdflib import Graph, URIRef

    g = Graph().parse(metadata_ttl, format="turtle")
    claimed = g.value(URIRef(f"{mapping.base()}/id/{spec.id}/quality/fiveStarRating"),
                      URIRef(DQV_VALUE))
    if claimed is None or int(claimed) != stars.rating:
        return [_p("stars", f"metadata claims {claimed} stars; the files earn "
                   f"{stars.rating}", metadata_ttl.name)]
    return []


def verify(out_dir: Path, spec: DatasetSpec) -> list[Problem]:
    """Run every independent check; an empty list means the release may be staged."""
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        return [_p("missing", "converted folder is missing", out_dir.name)]
    problems: list[Problem] = []
    expected = [f"{spec.id}.csv", f"{spec.id}.csv-metadata.json", f"{spec.id}.ttl",
                f"{spec.id}.nt", f"{spec.id}.metadata.ttl", f"{spec.id}.metadata.jsonld",
                "datapackage.json"]
    missing = [n for n in expected if not (out_dir / n).is_file()]
    problems += [_p("missing", "expected output file is missing", n) for n in missing]
    if missing:
        return problems
    codelists = [out_dir / f"{f['codelist']}.ttl" for f in spec.table_schema.fields
                 if f.get("codelist") and (out_dir / f"{f['codelist']}.ttl").exists()]
    mapping = spec.linked_data
    parse_problems, facts = check_rdf_parses(out_dir, f"{spec.id}.nt", row_class_of(spec),
                                             mapping.base())
    problems += parse_problems
    if problems:
        return problems
    meta = out_dir / f"{spec.id}.metadata.ttl"
    problems += check_shacl(meta)
    problems += check_checksums(out_dir, meta)
    if spec.kind == "aggregate":
        problems += check_cube(out_dir / f"{spec.id}.nt", sorted(set(codelists)))
    problems += check_csvw(out_dir / f"{spec.id}.csv-metadata.json")
    problems += check_datapackage(out_dir / "datapackage.json")
    problems += check_stars(out_dir, spec, meta, facts)
    return problems

