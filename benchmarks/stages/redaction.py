"""Redaction benchmark: free-text scrubbing and disclosure control, timed separately.

Inputs are generated here (seeded, so runs compare): an FOI-like log whose
free-text summary holds planted personal data in about a third of the rows
(emails, phones, postcodes, NINOs, cards, honorific names and the requester's
own name), and a crime-like aggregate table (periods × 43 areas + total ×
10 offence groups + total) with a realistic share of small counts. Each is
timed through the public ``redact`` entry point, as the pipeline runs it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.measure import measure
from pipelines.redaction import redact, verify
from pipelines.spec import DatasetSpec

TARGET_ROWS_PER_S = 200_000

_FIRST = ["Jane", "Omar", "Priya", "Tom", "Aisha", "Liam", "Chen", "Sofia", "Kwame", "Eilidh"]
_LAST = ["Smith", "Khan", "Sharma", "Hughes", "Okafor", "Jones", "Wang", "Rossi", "Mensah", "Reid"]
_CLEAN = [
    "Please provide the number of {n} applications received in {y}, by month.",
    "How much was spent on contract CT-{y}-000{n} in {y}/{z}?",
    "I request all correspondence about the new building since March {y}.",
    "What were the staffing levels in the directorate on 31 March {y}?",
]
_PII = [
    "My name is {name}; email {email} or call {phone} about {n} cases in {y}.",
    "Dear Sir, I live at {postcode} and my NI number is {nino}. Regards, {name}.",
    "Mr {last} paid with card 4111 1111 1111 1111 and wants a refund for {y}.",
    "{name} (GWF0{n:08d}) asks about visa decisions in {y}.",
]


def _spec(fields: list[str], redaction: dict[str, Any], kind: str) -> DatasetSpec:
    return DatasetSpec.model_validate({
        "id": "bench-redaction", "title": "Benchmark", "description": "Synthetic",
        "theme": "government", "kind": kind,
        "publisher": {"contact_name": "Team", "contact_email": "team@example.gov.uk"},
        "iar": {"asset_id": "IA-0", "information_asset_owner": "Owner",
                "protective_marking": "OFFICIAL", "retention": "none"},
        "source": {"format": "parquet", "path": "bench.parquet"},
        "schema": {"fields": [{"name": f, "type": "string"} for f in fields]},
        "redaction": redaction,
    })


def free_text_frame(rows: int, seed: int = 1) -> pd.DataFrame:
    """An FOI-like log: requester name and a summary, a third with planted personal data."""
    rng = np.random.default_rng(seed)
    first = rng.choice(_FIRST, rows)
    last = rng.choice(_LAST, rows)
    names = np.char.add(np.char.add(first, " "), last)
    n = rng.integers(1, 99_999, rows)
    y = rng.integers(2015, 2025, rows)
    pii = rng.random(rows) < 1 / 3
    which = rng.integers(0, 4, rows)
    out = []
    for i in range(rows):  # input generation only; not timed
        if pii[i]:
            out.append(_PII[which[i]].format(
                name=names[i], last=last[i], n=int(n[i]), y=int(y[i]),
                email=f"{first[i].lower()}.{last[i].lower()}{i}@example.com",
                phone=f"07700 9{i % 100000:05d}", postcode="SW1A 1AA", nino="QQ 12 34 56 C"))
        else:
            out.append(_CLEAN[which[i]].format(n=int(n[i]), y=int(y[i]), z=int(y[i]) % 100 + 1))
    return pd.DataFrame({"requester_name": pd.array(names, dtype="string"),
                         "request_summary": pd.array(out, dtype="string")})


def aggregate_frame(rows: int, seed: int = 2) -> pd.DataFrame:
    """Crime-like counts with area and offence totals: as many whole periods as fit in ``rows``."""
    rng = np.random.default_rng(seed)
    areas, offences = 43, 10
    per_period = (areas + 1) * (offences + 1)
    periods = max(1, -(-rows // per_period))
    inner = rng.negative_binomial(1, 0.02, size=(periods, areas, offences))
    inner = (inner * rng.uniform(0.05, 1.5, size=(1, areas, 1))).astype(np.int64)
    full = np.zeros((periods, areas + 1, offences + 1), dtype=np.int64)
    full[:, :areas, :offences] = inner
    full[:, :areas, offences] = inner.sum(axis=2)
    full[:, areas, :] = full[:, :areas, :].sum(axis=1)
    area_codes = [f"E2300{i:04d}" for i in range(areas)] + ["K04000001"]
    offence_codes = [f"offence-{j}" for j in range(offences)] + ["all-offences"]
    p, a, o = np.meshgrid(np.arange(periods), np.arange(areas + 1), np.arange(offences + 1),
                          indexing="ij")
    df = pd.DataFrame({
        "period": pd.array(np.char.add("P", p.ravel().astype(str)), dtype="string"),
        "police_force_area": pd.array(np.asarray(area_codes)[a.ravel()], dtype="string"),
        "offence_group": pd.array(np.asarray(offence_codes)[o.ravel()], dtype="string"),
        "count": pd.array(full.ravel(), dtype="Int64"),
    })
    # whole periods only: a cut period would lack its supplied totals (and be refused)
    return df.iloc[:max(per_period, rows // per_period * per_period)]


SCRUB_RULES = {"fields": {"requester_name": {"rule": "drop"},
                          "request_summary": {"rule": "scrub",
                                              "names_from": ["requester_name"]}}}
SDC_RULES = {"sdc": {"measure": "count", "threshold": 10, "zero": "publish",
                     "totals": "supplied",
                     "dimensions": {"period": {}, "police_force_area": {"total": "K04000001"},
                                    "offence_group": {"total": "all-offences"}}}}


def _row(stage: str, rows: int, m, **extra: Any) -> dict:
    rate = rows / m.seconds if m.seconds else None
    return {"stage": stage, "rows": rows, "seconds": round(m.seconds, 3),
            "rows_per_s": round(rate) if rate else None, "peak_mb": round(m.peak_mb, 1),
            "target_rows_per_s": TARGET_ROWS_PER_S, "target": f">= {TARGET_ROWS_PER_S:,} rows/s",
            "meets_target": bool(rate and rate >= TARGET_ROWS_PER_S), **extra}


def run(rows: int, workdir: Path) -> list[dict]:
    """Time scrubbing and suppression at ``rows`` rows each."""
    text = free_text_frame(rows)
    text_spec = _spec(list(text.columns), SCRUB_RULES, "record")
    scrub = measure(lambda: redact(text, text_spec, None))
    report = scrub.result.report.fields["request_summary"].model_dump()
    verify(scrub.result.df.head(100), text_spec)  # models and lists loaded once, untimed
    checked = measure(lambda: verify(scrub.result.df, text_spec))
    table = aggregate_frame(rows)
    table_spec = _spec(list(table.columns), SDC_RULES, "aggregate")
    sdc = measure(lambda: redact(table, table_spec, None))
    s = sdc.result.report.sdc.model_dump()
    return [
        _row("redaction:scrub", rows, scrub, values_scrubbed=report["values_changed"],
             note=f"scrubbed {report['values_changed']:,} of {rows:,} values"),
        _row("redaction:verify", rows, checked, findings=len(checked.result),
             note=f"independent gate: {len(checked.result)} finding(s) on the scrubbed text"),
        _row("redaction:suppression", len(table), sdc,
             note=f"{s['primary_suppressed']:,} primary, {s['secondary_suppressed']:,} "
                  f"secondary suppressions over {s['margin_equations']:,} margin equations"),
    ]


if __name__ == "__main__":  # quick look: python -m benchmarks.stages.redaction 100000
    import sys

    for r in run(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000, Path(".")):
        print(r)
