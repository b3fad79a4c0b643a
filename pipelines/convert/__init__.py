"""The conversion stage: a redacted table → every public file of a release.

``convert(data, spec, out_dir, provenance)`` writes (``data``: the table, or a
stored table's frames, streamed), driven by the spec's
``linked_data:`` mapping and the code lists in ``vocabularies/``:

=============================  ===========  =========================================
file                           role         what
=============================  ===========  =========================================
``<id>.csv``                   data         tidy CSV, RFC 4180, UTF-8, ISO 8601
``<id>.csv-metadata.json``     csvw         CSVW metadata (same RDF as ours)
``<id>.nt.gz``                 rdf          Data Cube or typed records, N-Triples,
                                            gzip (why: :mod:`~pipelines.convert.rdfwriter`)
``<stem>.ttl``                 codelist     SKOS code lists the data uses
``datapackage.json``           datapackage  Frictionless data package
``<id>.metadata.ttl/.jsonld``  metadata     DCAT-AP 3 + PROV-O + DQV, star rating
=============================  ===========  =========================================

``verify(out_dir, spec)`` re-checks all of it with independent tools
(:mod:`pipelines.convert.verify`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

import pandas as pd

from pipelines.codelists import copy_codelists
from pipelines.contracts.conversion import (
    ConversionResult,
    FileInfo,
    FileRole,
    TemporalCoverage,
)
from pipelines.contracts.provenance import Provenance
from pipelines.convert.csv_out import CsvFile
from pipelines.convert.csvw import write_metadata as write_csvw
from pipelines.convert.cube import QB, write_cube
from pipelines.convert.datapackage import write_datapackage
from pipelines.convert.frames import Frames, column_facts, frames_of
from pipelines.convert.metadata import build_graph, file_sha256
from pipelines.convert.metadata import write_metadata as write_dcat
from pipelines.convert.records import IS_PART_OF, write_records
from pipelines.convert.stars import rate
from pipelines.convert.terms import Plan, arrow_text, build_plan, period_string
from pipelines.convert.verify import verify
from pipelines.errors import ConversionError, Location, Problem
from pipelines.periods import period_bounds
from pipelines.spec import DatasetSpec

__all__ = ["ConversionError", "ConversionResult", "Frames", "convert", "verify"]


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


def temporal_coverage(plan: Plan, columns: Mapping[str, pd.Series], rows: int,
                      partition: str | None) -> TemporalCoverage:
    """First and last day covered: the period dimension, a date field, or the partition.

    ``columns``: the table's columns, or its column facts (:func:`column_facts`).
    """
    periods = [c for c in plan.columns if c.values == "period"]
    if periods and rows:
        values = period_string(columns[periods[0].source]).dropna().unique()
        bounds = [period_bounds(str(v), periods[0].financial_years) for v in values]
        starts = [b[0] for b in bounds if b[0]]
        ends = [b[1] for b in bounds if b[1]]
        if starts and ends:
            return TemporalCoverage(start=min(starts), end=max(ends))
    field_name = plan.mapping.temporal_field or plan.spec.release.period_field
    if field_name and field_name in columns and rows:
        s = columns[field_name]
        if pd.api.types.is_datetime64_any_dtype(s) and s.notna().any():
            return TemporalCoverage(start=s.min().date().isoformat(),
                                    end=s.max().date().isoformat())
        texts = sorted(str(v) for v in s.dropna().unique())
        if texts:
            return TemporalCoverage(start=period_bounds(texts[0])[0],
                                    end=period_bounds(texts[-1])[1])
    start, end = period_bounds(partition)
    return TemporalCoverage(start=start, end=end)


def valued_columns(spec: DatasetSpec) -> set[str]:
    """Columns whose plan depends on their values, not only on their dtype: periods,
    date-like text, the temporal field (see :func:`column_facts`)."""
    mapping = spec.linked_data
    dated = ("date", "datetime", "yearmonth", "year")
    names = {f["name"] for f in spec.table_schema.fields if f.get("type") in dated}
    names |= {n for n, f in (mapping.fields or {}).items() if f.values == "period"
              or (f.link is not None and f.link.values == "period")}
    names |= {n for n in (mapping.temporal_field, spec.release.period_field) if n}
    return names


def quality_measurements(provenance: Provenance, rows: int) -> dict[str, int]:
    """DQV values from the validation and redaction reports (counts only)."""
    q: dict[str, int] = {"rowsPublished": rows}
    v = provenance.validation
    if v is not None:
        q["validationErrors"] = len(v.errors)
        q["validationWarnings"] = len(v.warnings)
        q["rowsValidated"] = v.rows
        q["validationPassed"] = int(v.passed)
    r = provenance.redaction
    if r is not None:
        q["valuesScrubbed"] = r.values_scrubbed
        q["valuesRedacted"] = r.values_changed
        q["fieldsDropped"] = r.fields_dropped
        q["rowsExtracted"] = r.rows_in
        if r.sdc is not None:
            q["cellsPrimarySuppressed"] = r.sdc.primary_suppressed
            q["cellsSecondarySuppressed"] = r.sdc.secondary_suppressed
            q["cellsPerturbed"] = r.sdc.perturbed
            q["marginCellsComputed"] = r.sdc.cells_computed
            if r.sdc.narrowest_interval_width is not None:
                q["narrowestProtectionIntervalWidth"] = r.sdc.narrowest_interval_width
    return q


def convert(data: pd.DataFrame | Frames, spec: DatasetSpec, out_dir: Path,
            provenance: Provenance) -> ConversionResult:
    """Write every public file of a release into ``out_dir``; see the module docstring.

    ``data`` is the redacted table, whole or as :data:`Frames` (a stored table
    read batch by batch: one pass for the column facts the plan needs, one for
    both data files, memory bounded by a few batches).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    mapping = spec.linked_data
    frames = frames_of(data)
    if isinstance(data, pd.DataFrame):
        columns: Mapping[str, pd.Series] = data
        n_rows = len(data)
        data = arrow_text(data)  # once, for the CSV and RDF writers' per-chunk work
        frames = frames_of(data)
    else:
        columns, n_rows = column_facts(frames(), valued_columns(spec))
    plan = build_plan(columns, spec, mapping)
    marker = spec.redaction.marker
    sid, title = spec.id, spec.title
    kind_text = "RDF Data Cube" if plan.is_cube else "typed records"

    csv_name = f"{sid}.csv"
    link = (str(QB.dataSet), plan.uris.dataset_uri) if plan.is_cube else \
        (IS_PART_OF, plan.uris.dataset_uri)
    write_csvw(plan, out_dir / f"{sid}.csv-metadata.json", csv_name, marker, link)
    writer = write_cube if plan.is_cube else write_records
    with CsvFile(plan, out_dir / csv_name, marker) as csv_file:
        def read_once() -> Iterator[pd.DataFrame]:
            """One pass over the table for both data files: each frame goes to the CSV,
            then on to the RDF writer (whose pool keeps building while the CSV writes)."""
            for frame in frames():
                csv_file.write(frame)
                yield frame

        counts = writer(plan, read_once, out_dir / f"{sid}.nt.gz")
    rows = csv_file.rows
    if rows != n_rows or counts.rows != n_rows:
        raise ConversionError(Problem("table-changed", f"the table gave {rows} rows to the CSV "
                                      f"writer, {counts.rows} to the RDF writer and {n_rows} "
                                      "to the plan", Location(file=sid)))
    codelist_paths = copy_codelists(list(plan.codelists), out_dir)

    files = [
        FileInfo(path=csv_name, role=FileRole.data, media_type="text/csv", format="CSV",
                 title=f"{title} (CSV)",
                 description="One row per observation, UTF-8, RFC 4180, ISO 8601 dates; "
                             f"suppressed cells shown as {marker}.", rows=rows),
        FileInfo(path=f"{sid}.csv-metadata.json", role=FileRole.csvw,
                 media_type="application/csvm+json", format="JSON",
                 title=f"{title} (CSVW metadata)",
                 description="W3C CSV on the Web metadata: column types and the URIs each "
                             "value maps to."),
        FileInfo(path=f"{sid}.nt.gz", role=FileRole.rdf, media_type="application/n-triples",
                 format="RDF_N_TRIPLES", compress_format="application/gzip",
                 title=f"{title} (N-Triples, gzip)",
                 description=f"Linked data ({kind_text}) in N-Triples, gzip-compressed: one "
                             "triple per line, readable by any RDF tool as it is."),
    ]
    for p in codelist_paths:
        cl = plan.codelists[p.stem]
        files.append(FileInfo(path=p.name, role=FileRole.codelist, media_type="text/turtle",
                              format="RDF_TURTLE", title=f"Code list: {p.stem}",
                              description=f"SKOS concept scheme <{cl.scheme}> used by this "
                                          "dataset."))
    files = [_measure(out_dir, f, counts.digests) for f in files]
    pkg_others = [{"name": f.path.replace(".", "-").lower(), "path": f.path, "type": "file",
                   "title": f.title, "mediatype": f.media_type, "bytes": f.bytes,
                   "hash": f"sha256:{f.sha256}",
                   "compression": "gz" if f.compress_format == "application/gzip" else None}
                  for f in files if f.role != FileRole.data]
    write_datapackage(plan, out_dir, csv_name, marker, pkg_others, files[0])
    files.append(_measure(out_dir, FileInfo(
        path="datapackage.json", role=FileRole.datapackage, media_type="application/json",
        format="JSON", title=f"{title} (Frictionless data package)",
        description="Frictionless Data Package: the table schema and every file with its "
                    "hash.")))

    # The claim is counted in what was written; the gate recomputes it from its own parse.
    stars = rate(out_dir, sid, plan.row_class, plan.uris.base, facts=counts.facts,
                 csv_shape=(len(list(columns)), rows))
    temporal = temporal_coverage(plan, columns, rows, provenance.partition)
    meta_files = [
        FileInfo(path=f"{sid}.metadata.ttl", role=FileRole.metadata, media_type="text/turtle",
                 format="RDF_TURTLE", title=f"{title} (metadata, Turtle)",
                 description="DCAT-AP 3 dataset metadata with PROV-O provenance and DQV "
                             "quality measurements. It cannot hold its own size and checksum."),
        FileInfo(path=f"{sid}.metadata.jsonld", role=FileRole.metadata,
                 media_type="application/ld+json", format="JSON_LD",
                 title=f"{title} (metadata, JSON-LD)",
                 description="The same metadata in JSON-LD (inline context)."),
    ]
    quality = quality_measurements(provenance, rows)
    graph = build_graph(plan, files + meta_files, provenance, stars, temporal, quality)
    write_dcat(graph, out_dir / meta_files[0].path, out_dir / meta_files[1].path)
    files += meta_files  # described without size/hash: see the metadata module docstring
    return ConversionResult(
        out_dir=out_dir, files=files, stars=stars, dataset_uri=plan.uris.dataset_uri,
        temporal=temporal, rows_published=rows, triples=counts.triples,
        provenance=provenance)
