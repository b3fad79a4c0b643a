"""Cell-key perturbation (the ONS method for Census 2021; Fraser and Wooton 2005).

* **Record key**: an integer 0 .. key_range-1 per record, a keyed hash
  (HMAC-SHA256 with the environment's redaction key) of the record's stable
  identifier, so the same record has the same key in every release and
  nobody without the key can compute it.
* **Cell key**: the sum of the record keys of the records in a cell, mod
  key_range. A margin's key is the sum over all its records, so it is
  determined by the records alone: the same cell (same records) gets the
  same key in every table and every release.
* **ptable**: for an original count ``i`` (counts above the largest ``i``
  use its row) the probabilities ``p`` of publishing ``j``; the rows of one
  ``i`` are laid end to end over [0, 1) and the cell key / key_range picks
  one. Cells and totals are perturbed alike, each from its own key, so the
  published table is not additive (as with the Census), and the same cell is
  perturbed the same way wherever it appears.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipelines.errors import FivestarError, Location, Problem
from pipelines.redaction.pseudonymise import require_key
from pipelines.redaction.sdc import FREE, STATUS_COLUMN
from pipelines.redaction.tabulate import Table, _margins
from pipelines.spec.redaction import SDC


@dataclass
class PTable:
    """Per original value ``i``: published values and the cumulative probability bounds."""

    imax: int
    #: i -> (j values, upper cumulative bounds)
    rows: dict[int, tuple[np.ndarray, np.ndarray]]

    def perturbed(self, values: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Published value for each original value with uniform key ``u`` in [0, 1)."""
        out = values.copy()
        i = np.minimum(values, self.imax)
        for iv, (js, upper) in self.rows.items():
            sel = i == iv
            if not sel.any():
                continue
            pick = np.minimum(np.searchsorted(upper, u[sel], side="right"), len(js) - 1)
            out[sel] = values[sel] + (js[pick] - iv)
        return out


def load_ptable(sdc: SDC, spec: Any) -> PTable:
    """The spec's ptable (inline or a CSV next to the spec), checked; located errors."""
    pert = sdc.perturbation
    assert pert is not None
    where = f"datasets/{spec.id}/dataset.yaml"
    if pert.ptable_file:
        path = Path(spec.folder) / pert.ptable_file
        where = str(path)
        try:
            frame = pd.read_csv(path)
        except (OSError, ValueError) as exc:
            raise FivestarError(Problem("ptable", f"cannot read the ptable: {exc}",
                                        Location(file=where))) from None
    else:
        frame = pd.DataFrame(pert.ptable or [])
    missing = {"i", "j", "p"} - set(frame.columns)
    if missing:
        raise FivestarError(Problem("ptable", f"ptable needs columns i, j, p (missing "
                                    f"{', '.join(sorted(missing))})", Location(file=where)))
    problems = []
    rows: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for i, grp in frame.groupby("i", sort=True):
        js = grp["j"].to_numpy(dtype=np.int64)
        ps = grp["p"].to_numpy(dtype=float)
        if (ps < 0).any() or abs(ps.sum() - 1.0) > 1e-6:
            problems.append(Problem("ptable", f"probabilities for i={i} must be >= 0 and sum "
                                    "to 1", Location(file=where, field="p")))
        if (js < 0).any():
            problems.append(Problem("ptable", f"a perturbed value for i={i} is negative",
                                    Location(file=where, field="j")))
        order = np.argsort(js, kind="stable")
        rows[int(i)] = (js[order], np.cumsum(ps[order]))
    if not rows or sorted(rows) != list(range(max(rows) + 1)):
        problems.append(Problem("ptable", "ptable must have rows for every i from 0 to its "
                                "largest i", Location(file=where, field="i")))
    if problems:
        raise FivestarError(problems)
    return PTable(imax=max(rows), rows=rows)


def record_keys(ids: pd.Series, key: bytes, key_range: int) -> np.ndarray:
    """HMAC-SHA256(key, id) mod key_range per record: stable across releases."""
    out = np.empty(len(ids), dtype=np.int64)
    for n, value in enumerate(ids.astype("string").fillna("").tolist()):
        digest = hmac.new(key, value.encode("utf-8"), hashlib.sha256).digest()
        out[n] = int.from_bytes(digest[:8], "big") % key_range
    return out


def cell_keys(table: Table, df: pd.DataFrame, sdc: SDC, rkeys: np.ndarray) -> np.ndarray:
    """Per cell of the full table: sum of its records' keys mod key_range."""
    assert sdc.perturbation is not None
    dims = table.dims
    codes = np.column_stack([pd.Index(table.hier[d].codes).get_indexer(
        df[d].astype("string").to_numpy(dtype=object)) for d in dims]).astype(np.int64)
    leaf = table.lookup(codes)
    sums = np.bincount(leaf, weights=rkeys, minlength=table.n)
    leaves = np.unique(leaf)
    radix = table.radix()

    def key_of(c: np.ndarray) -> np.ndarray:
        k = np.zeros(len(c), dtype=np.int64)
        for j, r in enumerate(radix.tolist()):
            k = k * r + c[:, j]
        return k

    all_codes, all_sums = _margins(table.codes[leaves], sums[leaves].astype(np.int64),
                                   table.hier, dims, key_of)
    out = np.zeros(table.n, dtype=np.int64)
    out[table.lookup(all_codes)] = all_sums
    return out % sdc.perturbation.key_range


@dataclass
class PerturbationResult:
    df: pd.DataFrame
    perturbed: int = 0
    primary: int = 0
    secondary: int = 0
    rounded: int = 0
    equations: int = 0
    secondary_value: int = 0
    cells_computed: int = 0
    latent_cells: int = 0
    notes: list[str] = field(default_factory=list)


def perturb_table(table: Table, df: pd.DataFrame, sdc: SDC, spec: Any,
                  key: bytes | None) -> PerturbationResult:
    """Every published cell perturbed from its cell key and the ptable."""
    pert = sdc.perturbation
    assert pert is not None
    if pert.record_id not in df.columns:
        raise FivestarError(Problem("sdc-field", "record id field not in the data",
                                    Location(file=f"dataset {spec.id}", field=pert.record_id)))
    k = require_key(key, spec.id, pert.record_id,
                    "keys the cell-key perturbation (record keys are keyed hashes of it)")
    ptable = load_ptable(sdc, spec)
    rk = record_keys(df[pert.record_id], k, pert.key_range)
    ck = cell_keys(table, df, sdc, rk)
    new = ptable.perturbed(table.value.astype(np.int64), ck / float(pert.key_range))
    cells = np.flatnonzero(table.published)
    order = np.lexsort(tuple(table.codes[cells, j] for j in range(len(table.dims) - 1, -1, -1)))
    cells = cells[order]
    out = table.frame(sdc.measure, cells)
    out[sdc.measure] = pd.array(new[cells], dtype="Int64")
    out[STATUS_COLUMN] = pd.array(np.full(len(cells), FREE), dtype="string")
    return PerturbationResult(
        df=out, perturbed=int((new[cells] != table.value[cells]).sum()),
        cells_computed=int((table.source_row[cells] == 0).sum()),
        latent_cells=int((~table.published).sum()))
