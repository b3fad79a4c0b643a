"""The independent check of a cell-key perturbed table (no code shared with ``cellkey``).

Without the key the gate cannot recompute cell keys, and should not need
to: it checks what must hold whatever the keys are. Every published count is
a non-negative integer, every cell of the full table (re-derived here from
the records) is published once, and every published value is one the ptable
can produce from the cell's true count (``published - true + min(true, imax)``
is a ``j`` with a positive probability in that row).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipelines.redaction.audit_table import located, parents_of, true_table
from pipelines.spec.redaction import SDC


def _ptable_rows(sdc: SDC, spec: Any) -> dict[int, set[int]]:
    pert = sdc.perturbation
    assert pert is not None
    frame = pd.read_csv(Path(spec.folder) / pert.ptable_file) if pert.ptable_file else \
        pd.DataFrame(pert.ptable or [])
    frame = frame[frame["p"] > 0]
    return {int(i): set(g["j"].astype(int)) for i, g in frame.groupby("i")}


def check_perturbation(df: pd.DataFrame, spec: Any, sdc: SDC,
                       source: pd.DataFrame | None) -> list:
    from pipelines.errors import Problem

    problems: list[Problem] = []
    m = sdc.measure
    values = pd.to_numeric(df[m], errors="coerce")
    bad = (values.isna() | (values < 0) | (values % 1 != 0)).to_numpy()
    for i in np.flatnonzero(bad)[:50]:
        problems.append(Problem("perturbation", "published count is not a non-negative "
                                "integer", located(spec, int(i) + 1, m)))
    if source is None or problems:
        return problems
    dims = list(sdc.dimensions)
    codes = {d: set(df[d].astype(str)) | set(source[d].astype(str)) for d in dims}
    truth = true_table(source, sdc, parents_of(spec, sdc, codes))
    cells = df[dims].astype(str)
    idx = pd.MultiIndex.from_frame(cells) if len(dims) > 1 else pd.Index(cells[dims[0]])
    true_v = truth.reindex(idx).to_numpy(dtype=float)
    if sdc.tables is None and len(truth) != len(df):
        problems.append(Problem("perturbation", f"{abs(len(truth) - len(df))} cells of the "
                                "table are missing or extra in the published table",
                                located(spec)))
    rows = _ptable_rows(sdc, spec)
    imax = max(rows)
    pub = values.to_numpy(dtype=float)
    for i in range(len(df)):
        t = true_v[i]
        if np.isnan(t):
            problems.append(Problem("perturbation", "published cell is not a cell of the table "
                                    "derived from the records", located(spec, i + 1)))
            continue
        row = min(int(t), imax)
        if int(pub[i] - t) + row not in rows.get(row, set()):
            problems.append(Problem("perturbation", "published value is not one the ptable "
                                    "can give for this cell", located(spec, i + 1, m)))
        if len(problems) >= 50:
            break
    return problems
