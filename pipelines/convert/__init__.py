"""The conversion stage: a redacted table → every public file of a release.

``convert(df, spec, out_dir, provenance)`` writes, driven by the spec's
``linked_data:`` mapping and the code lists in ``vocabularies/``:

=============================  ===========  =========================================
file                           role         what
=============================  ===========  =========================================
``<id>.csv``                   data         tidy CSV, RFC 4180, UTF-8, ISO 8601
``<id>.csv-metadata.json``     csvw         CSVW metadata (same RDF as ours)
``<id>.ttl`` / ``<id>.nt``     rdf          Data Cube or typed records
``<stem>.ttl``                 codelist     SKOS code lists the data uses
``datapackage.json``           datapackage  Frictionless data package
``<id>.metadata.ttl/.jsonld``  metadata     DCAT-AP 3 + PROV-O + DQV, star rating
=============================  ===========  =========================================

``verify(out_dir, spec)`` re-checks all of it with independent tools
(:mod:`pipelines.convert.verify`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from pipelines.convert.codelists import ConversionError, copy_codelists
from pipelines.convert.csv_out import suppression_marker, write_csv
from pipelines.convert.csvw import write_metadata as write_csvw
from pipelines.convert.cube import QB, write_cube
from pipelines.convert.datapackage import write_datapackage
from pipelines.convert.mapping import LinkedDataMapping, parse_mapping
from pipelines.convert.metadata import build_graph, file_sha256
from pipelines.convert.metadata import write_metadata as write_dcat
from pipelines.convert.records import IS_PART_OF, write_records
from pipelines.convert.stars import rate
from pipelines.convert.terms import Plan, arrow_text, build_plan, period_string
from pipelines.convert.verify import verify
from pipelines.errors import Problem
from pipelines.periods import period_bounds
from pipelines.spec import DatasetSpec

__all__ = ["ConversionError", "ConversionResult", "FileInfo", "LinkedDataMapping", "convert",
           "verify"]


@dataclass
class FileInfo:
    """One public file, described for the manifest and the catalogue."""

    path: str
    role: str
    media_type: str
    format: str
    title: str
    description: str
    bytes: int | None = None
    sha256: str | None = None
    rows: int | None = None


@dataclass
class ConversionResult:
    out_dir: Path
    files: list[FileInfo]
    stars: dict[str, Any]
    catalogue: dict[str, Any]
    row_counts: dict[str, int]
    provenance: dict[str, Any]
    triples: int = 0
    problems: list[Problem] = field(default_factory=list)


def _measure(out_dir: Path, f: FileInfo,
             known: dict[str, tuple[int, str]] | None = None) -> FileInfo:
    """Size and sha256 of a written file (``known``: hashed by the writer as it wrote)."""
    p = out_dir / f.path
    size = p.stat().st_size
    if known and f.path in known and known[f.path][0] == size:
        f.bytes, f.sha256 = known[f.path]
        return f
    f.bytes = size
    f.sha256 = file_sha256(p)
    return f


def temporal_coverage(plan: Plan, df: pd.DataFrame,
                      partition: str | None) -> tuple[str | None, str | None]:
    """First and last day covered: the period dimension, a date field, or the partition."""
    periods = [c for c in plan.columns if c.values == "period"]
    if periods and len(df):
        values = period_string(df[periods[0].source]).dropna().unique()
        bounds = [period_bounds(str(v)) for v in values]
        starts = [b[0] for b in bounds if b[0]]
        ends = [b[1] for b in bounds if b[1]]
        if starts and ends:
            return min(starts), max(ends)
    field_name = plan.mapping.temporal_field or plan.spec.release.period_field
    if field_name and field_name in df.columns and len(df):
        s = df[field_name]
        if pd.api.types.is_datetime64_any_dtype(s) and s.notna().any():
            return s.min().date().isoformat(), s.max().date().isoformat()
        texts = sorted(str(v) for v in s.dropna().unique())
        if texts:
            return period_bounds(texts[0])[0], period_bounds(texts[-1])[1]
    return period_bounds(partition)


def quality_measurements(provenance: dict[str, Any], rows: int) -> dict[str, int]:
    """DQV values from the validation summary and the redaction report (counts only)."""
    q: dict[str, int] = {"rowsPublished": rows}
    v = provenance.get("validation") or {}
    for key, metric in (("errors", "validationErrors"), ("warnings", "validationWarnings")):
        val = v.get(key)
        if isinstance(val, list):
            q[metric] = len(val)
        elif isinstance(val, int):
            q[metric] = val
    for key in ("rows", "rows_checked", "row_count"):
        if isinstance(v.get(key), int):
            q["rowsValidated"] = v[key]
            break
    if "passed" in v:
        q["validationPassed"] = int(bool(v["passed"]))
    r = provenance.get("redaction") or {}
    for key, metric in (("values_scrubbed", "valuesScrubbed"),
                        ("values_changed", "valuesRedacted"),
                        ("fields_dropped", "fieldsDropped"),
                        ("cells_primary_suppressed", "cellsPrimarySuppressed"),
                        ("cells_secondary_suppressed", "cellsSecondarySuppressed"),
                        ("rows_in", "rowsExtracted")):
        if isinstance(r.get(key), int):
            q[metric] = r[key]
    return q


def convert(df: pd.DataFrame, spec: DatasetSpec, out_dir: Path,
            provenance: dict[str, Any]) -> ConversionResult:
    """Write every public file of a release into ``out_dir``; see the module docstring."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    mapping = parse_mapping(spec)
    plan = build_plan(df, spec, mapping)
    df = arrow_text(df)  # once, for the CSV and RDF writers' per-chunk work
    marker = suppression_marker(spec.redaction)
    sid, title = spec.id, spec.title
    kind_text = "RDF Data Cube" if plan.is_cube else "typed records"

    csv_name = f"{sid}.csv"
    rows = write_csv(plan, df, out_dir / csv_name, marker)
    link = (str(QB.dataSet), plan.uris.dataset_uri) if plan.is_cube else \
        (IS_PART_OF, plan.uris.dataset_uri)
    write_csvw(plan, out_dir / f"{sid}.csv-metadata.json", csv_name, marker, link)
    writer = write_cube if plan.is_cube else write_records
    counts = writer(plan, df, out_dir / f"{sid}.nt", out_dir / f"{sid}.ttl")
    codelist_paths = copy_codelists(list(plan.codelists), out_dir)

    files = [
        FileInfo(csv_name, "data", "text/csv", "CSV", f"{title} (CSV)",
                 "One row per observation, UTF-8, RFC 4180, ISO 8601 dates; suppressed "
                 f"cells shown as {marker}.", rows=rows),
        FileInfo(f"{sid}.csv-metadata.json", "csvw", "application/csvm+json", "JSON",
                 f"{title} (CSVW metadata)",
                 "W3C CSV on the Web metadata: column types and the URIs each value maps to."),
        FileInfo(f"{sid}.ttl", "rdf", "text/turtle", "RDF_TURTLE", f"{title} (Turtle)",
                 f"Linked data ({kind_text}) in Turtle."),
        FileInfo(f"{sid}.nt", "rdf", "application/n-triples", "RDF_N_TRIPLES",
                 f"{title} (N-Triples)", f"Linked data ({kind_text}) in N-Triples."),
    ]
    for p in codelist_paths:
        cl = plan.codelists[p.stem]
        files.append(FileInfo(p.name, "codelist", "text/turtle", "RDF_TURTLE",
                              f"Code list: {p.stem}",
                              f"SKOS concept scheme <{cl.scheme}> used by this dataset."))
    files = [_measure(out_dir, f, counts.digests) for f in files]
    pkg_others = [{"name": f.path.replace(".", "-").lower(), "path": f.path, "type": "file",
                   "title": f.title, "mediatype": f.media_type, "bytes": f.bytes,
                   "hash": f"sha256:{f.sha256}"} for f in files if f.role != "data"]
    write_datapackage(plan, out_dir, csv_name, marker, pkg_others, files[0])
    files.append(_measure(out_dir, FileInfo(
        "datapackage.json", "datapackage", "application/json", "JSON",
        f"{title} (Frictionless data package)",
        "Frictionless Data Package: the table schema and every file with its hash.")))

    stars = rate(out_dir, sid, plan.row_class, plan.uris.base)
    temporal = temporal_coverage(plan, df, provenance.get("partition"))
    meta_files = [
        FileInfo(f"{sid}.metadata.ttl", "metadata", "text/turtle", "RDF_TURTLE",
                 f"{title} (metadata, Turtle)",
                 "DCAT-AP 3 dataset metadata with PROV-O provenance and DQV quality "
                 "measurements. It cannot hold its own size and checksum."),
        FileInfo(f"{sid}.metadata.jsonld", "metadata", "application/ld+json", "JSON_LD",
                 f"{title} (metadata, JSON-LD)",
                 "The same metadata in JSON-LD (inline context)."),
    ]
    quality = quality_measurements(provenance, rows)
    graph = build_graph(plan, [vars(f) for f in files + meta_files], provenance, stars,
                        temporal, quality)
    write_dcat(graph, out_dir / meta_files[0].path, out_dir / meta_files[1].path)
    files += meta_files  # described without size/hash: see the metadata module docstring

    catalogue = {
        "name": sid, "title": title, "notes": spec.description,
        "tags": list(spec.keywords), "theme": spec.theme,
        "publisher_name": spec.publisher.name, "publisher_uri": spec.publisher.uri,
        "contact_name": spec.publisher.contact_name,
        "contact_email": spec.publisher.contact_email,
        "frequency": spec.release.frequency.value,
        "temporal_start": temporal[0], "temporal_end": temporal[1],
        "spatial": mapping.spatial_label, "spatial_uri": mapping.spatial,
        "uri": plan.uris.dataset_uri,
        "five_star_rating": stars["rating"], "five_star_evidence": stars["evidence"],
    }
    return ConversionResult(
        out_dir=out_dir, files=files, stars=stars,
        catalogue={k: v for k, v in catalogue.items() if v is not None},
        row_counts={"published": rows}, provenance=dict(provenance),
        triples=counts.triples)
