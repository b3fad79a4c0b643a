"""Conversion benchmark: the vectorised RDF writer against naive rdflib.

Input: a crime-like cube built from the bundled code lists (periods × 44
police force areas × 14 offence groups, repeated over quarters until
``rows``), with ~7 % of cells suppressed (``conf_status`` C/D, no value),
shaped exactly as the redaction stage hands it over.

Rows reported:

* ``conversion:ntriples`` — the streaming N-Triples writer alone, gzip as published (the issue's
  target: >= 3 M triples/s, peak <= 1 GiB at 1 M rows);
* ``conversion:ntriples-no-disk`` — the same with the output sent to
  nowhere (built, scanned and counted, not compressed or stored), separating the
  writer's own cost from compression's and the filesystem's;
* ``conversion:stage`` — the whole ``convert()`` call (CSV, CSVW, N-Triples
  gzip, code lists, datapackage, star rating from the facts counted while
  writing, DCAT metadata);
* ``conversion:rdflib-naive`` — building an rdflib Graph of the same triples
  for 100 k rows and serialising it as N-Triples, with the speed-up of the
  vectorised writer over it.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.measure import measure
from pipelines import paths
from pipelines.codelists import load_codelist
from pipelines.contracts import Provenance
from pipelines.convert import convert
from pipelines.convert.cube import header
from pipelines.convert.rdfwriter import write_rdf
from pipelines.convert.terms import build_plan
from pipelines.spec import load_spec

TARGET_TRIPLES_PER_S = 3_000_000
TARGET_PEAK_MB = 1024
NAIVE_ROWS = 100_000


def crime_frame(rows: int, seed: int = 7) -> pd.DataFrame:
    """Crime-like cube rows with real codes, some suppressed, as redaction outputs it."""
    areas = sorted(load_codelist("police-force-areas").concepts)
    offences = sorted(load_codelist("offence-groups").concepts)
    per_period = len(areas) * len(offences)
    i = np.arange(rows)
    q = i // per_period
    n_periods = int(q.max()) + 1 if rows else 1
    labels = np.array([f"{1900 + k // 4}-Q{k % 4 + 1}" for k in range(n_periods)])
    rng = np.random.default_rng(seed)
    counts = pd.array(rng.integers(0, 20_000, rows), dtype="Int64")
    r = rng.random(rows)
    status = np.where(r < 0.05, "C", np.where(r < 0.07, "D", "F"))
    df = pd.DataFrame({
        "period": pd.array(labels[q], dtype="string"),
        "police_force_area": pd.array(np.array(areas)[i // len(offences) % len(areas)],
                                      dtype="string"),
        "offence_group": pd.array(np.array(offences)[i % len(offences)], dtype="string"),
        "count": counts,
    })
    df.loc[status != "F", "count"] = pd.NA
    df["conf_status"] = pd.array(status, dtype="string")
    return df


def _spec():
    return load_spec(paths.DATASETS_DIR / "police-recorded-crime" / "dataset.yaml")


def naive_rdflib(df: pd.DataFrame, spec: Any, out: Path) -> int:
    """The same triples through an rdflib Graph (what the writer replaces)."""
    from rdflib import RDF, Literal, URIRef

    plan = build_plan(df, spec, spec.linked_data)
    g = header(plan)
    ds = URIRef(plan.uris.dataset_uri)
    qb_ds = URIRef("http://purl.org/linked-data/cube#dataSet")
    obs_cls = URIRef(plan.row_class)
    cols = [(c, URIRef(c.property)) for c in plan.columns]
    from pipelines.convert.terms import iri_for

    for rec in df.itertuples(index=False):
        row = rec._asdict()
        s = URIRef(plan.subject_prefix + "/".join(str(row[k]) for k in plan.key))
        g.add((s, RDF.type, obs_cls))
        g.add((s, qb_ds, ds))
        for col, p in cols:
            v = row[col.name]
            if v is pd.NA or v is None:
                continue
            g.add((s, p, URIRef(iri_for(col, str(v))) if col.kind == "iri" else Literal(int(v))))
    g.serialize(destination=str(out), format="nt", encoding="utf-8")
    return len(g)


def run(rows: int, workdir: Path) -> list[dict]:
    """Time the N-Triples writer and the whole stage at ``rows``, and naive rdflib."""
    spec = _spec()
    df = crime_frame(rows)
    work = Path(workdir) / "conversion"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    target = f">= {TARGET_TRIPLES_PER_S:,} triples/s, peak <= {TARGET_PEAK_MB} MB"

    def writer(nt_path: Path | None = work / "w.nt.gz"):
        plan = build_plan(df, spec, spec.linked_data)
        return write_rdf(plan, df, header(plan), nt_path,
                         dataset_link=("http://purl.org/linked-data/cube#dataSet",
                                       plan.uris.dataset_uri))

    # The same writer storing nothing: what building the lines costs without
    # compression and the filesystem.
    discard = measure(lambda: writer(None))

    nt = measure(writer)
    triples = nt.result.triples
    nt_rate = triples / nt.seconds
    out: list[dict] = [{
        "stage": "conversion:ntriples", "rows": rows, "triples": triples,
        "seconds": round(nt.seconds, 3), "rows_per_s": round(rows / nt.seconds),
        "triples_per_s": round(nt_rate), "peak_mb": round(nt.peak_mb, 1), "target": target,
        "meets_target": nt_rate >= TARGET_TRIPLES_PER_S and nt.peak_mb <= TARGET_PEAK_MB,
        "bytes": (work / "w.nt.gz").stat().st_size,
    }, {
        "stage": "conversion:ntriples-no-disk", "rows": rows, "triples": discard.result.triples,
        "seconds": round(discard.seconds, 3), "rows_per_s": round(rows / discard.seconds),
        "triples_per_s": round(discard.result.triples / discard.seconds),
        "peak_mb": round(discard.peak_mb, 1), "target": "(shows the cost of the file itself)",
        "meets_target": None,
        "note": f"the writer storing nothing: "
                f"{discard.result.triples / discard.seconds:,.0f} triples/s building and "
                f"counting lines, against {nt_rate:,.0f} compressing, hashing and writing "
                f"them ({(work / 'w.nt.gz').stat().st_size / 2**20:,.0f} MB of gzip)",
    }]
    (work / "w.nt.gz").unlink()

    prov = Provenance.for_inputs(dataset_id=spec.id, extract_sha256="0" * 64,
                                 spec_sha256=spec.spec_sha256, pipeline_version="bench",
                                 partition=None)
    stage = measure(lambda: convert(df, spec, work / "converted", prov))
    out.append({
        "stage": "conversion:stage", "rows": rows, "triples": stage.result.triples,
        "seconds": round(stage.seconds, 3), "rows_per_s": round(rows / stage.seconds),
        "triples_per_s": round(stage.result.triples / stage.seconds),
        "peak_mb": round(stage.peak_mb, 1), "target": f"peak <= {TARGET_PEAK_MB} MB",
        "meets_target": stage.peak_mb <= TARGET_PEAK_MB,
        "note": f"whole convert(): CSV, CSVW, N-Triples gzip, code lists, datapackage, "
                f"stars, DCAT; {stage.result.stars.rating} stars",
    })
    shutil.rmtree(work / "converted", ignore_errors=True)

    small = df.iloc[:min(NAIVE_ROWS, rows)]
    naive = measure(lambda: naive_rdflib(small, spec, work / "naive.nt"))
    naive_rate = naive.result / naive.seconds
    out.append({
        "stage": "conversion:rdflib-naive", "rows": len(small), "triples": naive.result,
        "seconds": round(naive.seconds, 3), "rows_per_s": round(len(small) / naive.seconds),
        "triples_per_s": round(naive_rate), "peak_mb": round(naive.peak_mb, 1),
        "target": "baseline", "meets_target": None,
        "speedup": round(nt_rate / naive_rate, 1),
        "note": f"vectorised writer is {nt_rate / naive_rate:,.0f}x faster than rdflib "
                f"Graph + serialize ({naive_rate:,.0f} triples/s, {naive.peak_mb:,.0f} MB "
                f"for {len(small):,} rows)",
    })
    shutil.rmtree(work, ignore_errors=True)
    return out


if __name__ == "__main__":  # quick look: python -m benchmarks.stages.conversion 100000
    import sys

    for r in run(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000, Path("/tmp")):
        print(r)
