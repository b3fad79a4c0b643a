"""Independent checks over the converted files (the blocking ``conversion_verified`` gate).

Nothing here trusts the writer: every check re-reads the bytes on disk with a
different tool than the one that wrote them, and every row and every triple
is checked, never a sample. Large files are checked by streaming paths that
keep memory flat; the slower complete processors judge what they judge best
(metadata, small files, a bounded slice):

==============================  ================================================
check                           how
==============================  ================================================
every triple of the data RDF    pyoxigraph parses the N-Triples (plain or gzip,
                                as published) in parallel subject-aligned
                                chunks, re-serialised canonically
                                (:mod:`~pipelines.convert.ntriples_check`)
Data Cube IC-1 … IC-21          per observation over every observation, in the
                                same pass; the standard's SPARQL queries
                                (:mod:`~pipelines.convert.ics`) on the structure,
                                the code lists and the first observations
other RDF (Turtle, JSON-LD,     parsed completely by pyoxigraph (a large data
code lists, metadata)           Turtle file in a worker, beside the chunks)
every CSV row                   Arrow's CSV reader against the CSVW metadata
                                document: header, field counts, datatypes,
                                nulls, required, primary key
                                (:mod:`~pipelines.convert.csv_check`)
CSVW metadata                   the ``csvw`` package (a full CSVW processor)
                                on the metadata and the first
                                :data:`SLICE_ROWS` rows, network off
``datapackage.json``            ``frictionless`` on the descriptor and the
                                first :data:`SLICE_ROWS` rows, network off;
                                its schema must agree with the CSVW metadata
DCAT-AP 3 metadata              pySHACL against ``vocabularies/shapes/``
sizes and checksums             every file hashed once; DCAT ``spdx:checksum``
                                / ``dcat:byteSize`` and the datapackage's
                                ``hash`` / ``bytes`` must match
star rating                     recomputed from what the checks above saw,
                                compared with the metadata's claim
==============================  ================================================
"""

from __future__ import annotations

import contextlib
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipelines import paths
from pipelines.convert import csv_check, ntriples_check
from pipelines.errors import Location, Problem
from pipelines.spec import DatasetSpec
from pipelines.spec.linked_data import FIVESTAR_NS

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


def _data_rdf(out_dir: Path, dataset_id: str) -> Path | None:
    """The data's N-Triples distribution: ``<id>.nt`` or ``<id>.nt.gz``."""
    for name in (f"{dataset_id}.nt.gz", f"{dataset_id}.nt"):
        if (out_dir / name).is_file():
            return out_dir / name
    return None


def _rdf_format(path: Path) -> str | None:
    """The pyoxigraph format extension of an RDF file (``.gz`` looked through)."""
    suffixes = path.suffixes[-2:] if path.suffix == ".gz" else path.suffixes[-1:]
    ext = suffixes[0].lstrip(".") if suffixes else ""
    return ext if ext in ("ttl", "nt", "jsonld") else None


def check_small_rdf(paths_: list[Path]) -> list[Problem]:
    """Parse each (small) RDF file completely with pyoxigraph."""
    problems = []
    for path in paths_:
        fmt = _rdf_format(path)
        if fmt is None:
            continue
        res = ntriples_check.parse_file(fmt, str(path))
        if res.error:
            problems.append(_p("rdf-parse", "pyoxigraph cannot parse it", path.name,
                               row=res.error_line))
    return problems


def _nt_problems(name: str, report: ntriples_check.NTriplesReport,
                 others: list[ntriples_check.FileParse]) -> list[Problem]:
    problems = [_p("rdf-parse", "pyoxigraph cannot parse it", name, row=line)
                for line in report.syntax_errors[:20]]
    for ic, (count, lines) in sorted(report.violations.items(), key=lambda kv: _ic_order(kv[0])):
        what = (f"Data Cube integrity constraint {ic} is violated" if ic.startswith("IC-")
                else f"Data Cube check `{ic}` fails")
        if not lines:
            problems.append(_p("data-cube", f"{what} ({count} in all)", name))
        for line in lines:
            problems.append(_p("data-cube", f"{what} (observation starting at this line; "
                               f"{count} in all)", name, row=line))
    for ic in report.sparql_violations:
        problems.append(_p("data-cube", f"Data Cube integrity constraint {ic} is violated "
                           "(SPARQL, on the structure, the code lists and the first "
                           f"{ntriples_check.SLICE_OBSERVATIONS} observations)", name))
    for other in others:
        if other.error:
            problems.append(_p("rdf-parse", "pyoxigraph cannot parse it", Path(other.path).name,
                               row=other.error_line))
        elif not report.syntax_errors and other.triples != report.triples:
            problems.append(_p("rdf-equivalence", f"holds {other.triples} triples where the "
                               f"N-Triples holds {report.triples}", Path(other.path).name))
    return problems


def _ic_order(name: str) -> tuple[int, str]:
    digits = "".join(ch for ch in name.split("-")[1] if ch.isdigit()) if "-" in name else ""
    return (int(digits) if digits and name.startswith("IC") else 99, name)


def check_shacl(metadata_ttl: Path) -> list[Problem]:
    from pyshacl import validate
    from rdflib import Graph

    data = Graph().parse(metadata_ttl, format="turtle")
    shapes = Graph().parse(paths.PROJECT_VOCABULARY_DIR / "shapes" / "dcat-ap-3.ttl",
                           format="turtle")
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
        out.append(_p("dcat-ap", f"{msg or 'SHACL violation'} (node {focus})",
                      metadata_ttl.name, field=str(path) if path else None))
    return sorted(out, key=lambda p: p.message)


class _Hashes:
    """sha256 and size of each file, computed once per gate run (in threads: hashlib
    releases the GIL, so several files hash at once)."""

    def __init__(self, out_dir: Path, names: list[str]) -> None:
        from concurrent.futures import ThreadPoolExecutor

        from pipelines.convert.metadata import file_sha256

        self.out_dir = out_dir
        present = [n for n in names if (out_dir / n).is_file()]
        with ThreadPoolExecutor(max_workers=4) as pool:
            digests = pool.map(lambda n: file_sha256(out_dir / n), present)
            self.sha = dict(zip(present, digests, strict=True))
        self.size = {n: (out_dir / n).stat().st_size for n in present}


def check_checksums(out_dir: Path, metadata_ttl: Path,
                    hashes: _Hashes | None = None) -> list[Problem]:
    """Sizes and sha256 in the DCAT metadata and datapackage.json must match the files."""
    from rdflib import DCAT, DCTERMS, Graph, Namespace

    spdx = Namespace("http://spdx.org/rdf/terms#")
    g = Graph().parse(metadata_ttl, format="turtle")
    claims: list[tuple[str, str, int | None, str | None]] = []  # (file, source, bytes, sha)
    for dist in g.subjects(predicate=DCAT.accessURL):
        name = str(g.value(dist, DCTERMS.identifier) or "")
        size = g.value(dist, DCAT.byteSize)
        chk = g.value(dist, spdx.checksum)
        sha = str(g.value(chk, spdx.checksumValue)) if chk is not None else None
        claims.append((name, metadata_ttl.name, int(size) if size is not None else None, sha))
    pkg = out_dir / "datapackage.json"
    if pkg.is_file():
        for res in load_json(pkg).get("resources", []):
            h = str(res.get("hash") or "")
            claims.append((str(res.get("path") or ""), pkg.name, res.get("bytes"),
                           h.removeprefix("sha256:") if h else None))
    hashes = hashes or _Hashes(out_dir, sorted({c[0] for c in claims if c[0]}))
    problems = []
    for name, source, size, sha in claims:
        if not name or name not in hashes.sha:
            problems.append(_p("distribution-missing", "a distribution names no published file",
                               source, field=name or None))
            continue
        if size is not None and size != hashes.size[name]:
            problems.append(_p("byte-size", f"the size in {source} does not match the file",
                               name))
        if sha is not None and sha != hashes.sha[name]:
            problems.append(_p("checksum", f"the sha256 in {source} does not match the file",
                               name))
    return problems


def check_csvw(meta_path: Path, rows: int | None = None) -> list[Problem]:
    """The ``csvw`` package on the metadata and the first ``rows`` rows (all if None)."""
    import shutil
    import tempfile

    import csvw

    meta = load_json(meta_path)
    with tempfile.TemporaryDirectory(prefix="fivestar-csvw-") as tmp:
        target = meta_path
        if rows is not None and meta.get("url"):
            target = Path(tmp) / meta_path.name
            shutil.copyfile(meta_path, target)
            csv_check.write_slice(meta_path.parent / str(meta["url"]), Path(tmp) / meta["url"],
                                  rows)
        try:
            with no_network():
                processor = csvw.CSVW(str(target), validate=True)
                valid = processor.is_valid
                n = sum(1 for t in processor.tables for _ in t.iterdicts(strict=True))
        except NetworkBlocked as exc:
            return [_p("csvw-network", str(exc), meta_path.name)]
        except Exception as exc:  # csvw raises ValueError and friends, naming the row
            return [_p("csvw", f"CSV does not validate against its CSVW metadata: "
                       f"{type(exc).__name__}: {_no_values(str(exc))}", meta_path.name)]
    if valid and n:
        return []
    if not n:
        return [_p("csvw", "the CSVW table has no rows", meta_path.name)]
    return [_p("csvw", f"CSVW validation: {_no_values(str(w.message))}", meta_path.name)
            for w in processor.warnings[:20]]


def _no_values(message: str) -> str:
    """Keep a validator's location but not the offending cell (it may be personal data)."""
    return message.split(":")[0][:200]


def check_datapackage(pkg: Path, rows: int | None = None) -> list[Problem]:
    """``frictionless`` on the descriptor and the first ``rows`` rows of each table.

    With ``rows``, the tabular resources are validated on a copy of their first
    rows (their full-file ``bytes``/``hash`` are left to :func:`check_checksums`,
    which hashes every file), and the other resources are described only.
    """
    import tempfile

    from frictionless import FrictionlessException, Package, system

    descriptor = load_json(pkg)
    with tempfile.TemporaryDirectory(prefix="fivestar-datapackage-") as tmp:
        base = pkg.parent
        if rows is not None:
            base = Path(tmp)
            tabular = []
            for res in descriptor.get("resources", []):
                if res.get("profile") != "tabular-data-resource" or not res.get("path"):
                    continue
                res = {k: v for k, v in res.items() if k not in ("bytes", "hash")}
                csv_check.write_slice(pkg.parent / res["path"], base / res["path"], rows)
                tabular.append(res)
            descriptor = {**descriptor, "resources": tabular}
            (base / pkg.name).write_text(json.dumps(descriptor), encoding="utf-8")
        try:
            with no_network(), system.use_context(trusted=True):
                report = Package(str(base / pkg.name), basepath=str(base)).validate()
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


#: Table Schema type → the CSVW datatypes it may be published as.
_SCHEMA_TO_CSVW = {"integer": {"integer"}, "number": {"decimal", "double"},
                   "boolean": {"boolean"}, "date": {"date"}, "datetime": {"datetime",
                                                                          "dateTime"},
                   "year": {"gYear"}, "yearmonth": {"gYearMonth"}, "string": {"string"}}


def check_schemas_agree(pkg: Path, meta_path: Path) -> list[Problem]:
    """The datapackage's Table Schema and the CSVW metadata describe the same columns."""
    resources = [r for r in load_json(pkg).get("resources", [])
                 if r.get("profile") == "tabular-data-resource"]
    columns = [c for c in (load_json(meta_path).get("tableSchema") or {}).get("columns", [])
               if not c.get("virtual")]
    if not resources:
        return [_p("schemas-disagree", "datapackage.json has no tabular resource", pkg.name)]
    fields = (resources[0].get("schema") or {}).get("fields", [])
    if [f.get("name") for f in fields] != [c.get("name") for c in columns]:
        return [_p("schemas-disagree", "datapackage.json and the CSVW metadata list different "
                   "columns", pkg.name)]
    problems = []
    for f, c in zip(fields, columns, strict=True):
        dt = c.get("datatype", "string")
        dt = dt.get("base", "string") if isinstance(dt, dict) else dt
        if dt not in _SCHEMA_TO_CSVW.get(f.get("type", "string"), {f.get("type")}):
            problems.append(_p("schemas-disagree", f"type `{f.get('type')}` in datapackage.json "
                               f"but `{dt}` in the CSVW metadata", pkg.name, field=f["name"]))
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
                facts: dict[str, Any] | None = None,
                csv_shape: tuple[int, int] | None = None) -> list[Problem]:
    """Recompute the rating from what the checks saw and compare it with the claim."""
    from pipelines.convert.stars import rate

    mapping = spec.linked_data
    stars = rate(out_dir, spec.id, row_class_of(spec), mapping.base(), facts=facts,
                 csv_shape=csv_shape)
    from rdflib import Graph, URIRef

    g = Graph().parse(metadata_ttl, format="turtle")
    claimed = g.value(URIRef(f"{mapping.base()}/id/{spec.id}/quality/fiveStarRating"),
                      URIRef(DQV_VALUE))
    if claimed is None or int(claimed) != stars.rating:
        return [_p("stars", f"metadata claims {claimed} stars; the files earn "
                   f"{stars.rating}", metadata_ttl.name)]
    return []


#: Rows of the CSV the slower complete processors (csvw, frictionless) also read.
SLICE_ROWS = 2_000


def verify(out_dir: Path, spec: DatasetSpec) -> list[Problem]:
    """Run every independent check; an empty list means the release may be staged."""
    from concurrent.futures import ThreadPoolExecutor

    from pipelines.convert.stars import AUTHORITIES

    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        return [_p("missing", "converted folder is missing", out_dir.name)]
    sid = spec.id
    data_rdf = _data_rdf(out_dir, sid)
    expected = [f"{sid}.csv", f"{sid}.csv-metadata.json", f"{sid}.metadata.ttl",
                f"{sid}.metadata.jsonld", "datapackage.json"]
    missing = [n for n in expected if not (out_dir / n).is_file()]
    if data_rdf is None:
        missing.append(f"{sid}.nt.gz")
    if missing:
        return [_p("missing", "expected output file is missing", n) for n in missing]
    assert data_rdf is not None
    mapping = spec.linked_data
    base = mapping.base()
    cube = spec.kind == "aggregate"
    codelists = sorted({out_dir / f"{f['codelist']}.ttl" for f in spec.table_schema.fields
                        if f.get("codelist") and (out_dir / f"{f['codelist']}.ttl").exists()})
    rdf_files = [p for p in sorted(out_dir.iterdir()) if _rdf_format(p) and p != data_rdf]
    big = [p for p in rdf_files if p.stat().st_size > BIG_RDF_BYTES]
    small = [p for p in rdf_files if p not in big]
    meta = out_dir / f"{sid}.metadata.ttl"
    csv_path = out_dir / f"{sid}.csv"
    csvw_meta = out_dir / f"{sid}.csv-metadata.json"
    pkg = out_dir / "datapackage.json"

    problems: list[Problem] = check_small_rdf(small)
    with ThreadPoolExecutor(max_workers=2) as side:
        # Arrow's reader and hashlib release the GIL: they run while the chunks stream.
        csv_future = side.submit(csv_check.check_csv, csv_path, csvw_meta)
        hash_future = side.submit(_Hashes, out_dir, sorted(
            p.name for p in out_dir.iterdir() if p.is_file()))
        nt_report, others = ntriples_check.check_ntriples(
            data_rdf, row_class_of(spec), base,
            [p for p in AUTHORITIES if not p.startswith(base)], cube=cube,
            codelists=codelists, extra=[(str(_rdf_format(p)), p) for p in big])
        csv_report = csv_future.result()
        hashes = hash_future.result()
    problems += _nt_problems(data_rdf.name, nt_report, others)
    problems += csv_report.problems
    problems += check_checksums(out_dir, meta, hashes)
    if any(p.code == "rdf-parse" for p in problems):
        return problems  # the checks below read the same files
    problems += check_shacl(meta)
    problems += check_schemas_agree(pkg, csvw_meta)
    problems += check_csvw(csvw_meta, SLICE_ROWS)
    problems += check_datapackage(pkg, SLICE_ROWS)
    problems += check_stars(out_dir, spec, meta, nt_report.facts(),
                            (csv_report.columns, csv_report.rows))
    return problems


#: RDF files larger than this are parsed in a worker process beside the N-Triples chunks.
BIG_RDF_BYTES = 8 << 20


def load_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))
