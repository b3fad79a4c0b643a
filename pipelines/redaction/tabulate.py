"""From an extract to the full table with every margin, built from the spec.

The extract holds detailed cells (one row per combination of leaf codes) and,
optionally, total rows; or, with ``from_records: true``, one row per record,
counted here. From the detailed cells this module sums every margin along every
declared hierarchy, at every level and in every combination across
dimensions, up to the grand total: the *full table*. Total rows the extract
supplies are checked against it (a total that is not the sum of its parts
fails the run naming file, row and field) and, with ``totals: supplied``, a
published total missing from the extract is an error too.

Linked tables (``tables:``) are parts of the full table: in a table a
dimension it leaves out is at its total. The cells of the full table no table
publishes stay in the table as *latent* cells: an attacker combining the
linked tables knows they exist, are non-negative and add up, so disclosure
control works on the one system of equations over all of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import product
from typing import Any

import numpy as np
import pandas as pd

from pipelines.errors import FivestarError, Location, Problem
from pipelines.redaction import hierarchy
from pipelines.redaction.hierarchy import Hierarchy
from pipelines.spec.redaction import SDC, Totals

MAX_PROBLEMS = 50


@dataclass
class Table:
    """Every cell of the full table: codes (cell × dimension), true value, role."""

    dims: list[str]
    hier: dict[str, Hierarchy]
    codes: np.ndarray
    value: np.ndarray
    #: published by some table (False: latent)
    published: np.ndarray
    #: 1-based extract row the cell came from (0: computed here)
    source_row: np.ndarray
    #: record count per cell when tabulated from records (for cell keys)
    record_key_sum: np.ndarray | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.value)

    def radix(self) -> np.ndarray:
        return np.array([self.hier[d].size for d in self.dims], dtype=np.int64)

    def keys(self, codes: np.ndarray | None = None) -> np.ndarray:
        """Mixed-radix key of each cell (unique: every radix product fits in int64)."""
        codes = self.codes if codes is None else codes
        key = np.zeros(len(codes), dtype=np.int64)
        for k, r in enumerate(self.radix().tolist()):
            key = key * r + codes[:, k]
        return key

    def lookup(self, codes: np.ndarray) -> np.ndarray:
        """Cell index of each code row, -1 where the cell is not in the table."""
        keys = self.keys()
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        want = self.keys(codes)
        pos = np.searchsorted(sorted_keys, want)
        pos = np.minimum(pos, len(sorted_keys) - 1)
        found = sorted_keys[pos] == want if len(sorted_keys) else np.zeros(len(want), bool)
        return np.where(found, order[pos], -1)

    def is_margin(self) -> np.ndarray:
        margin = np.zeros(self.n, dtype=bool)
        for k, d in enumerate(self.dims):
            margin |= ~self.hier[d].is_leaf()[self.codes[:, k]]
        return margin

    def memberships(self) -> pd.DataFrame:
        """Margin equations: ``cell``, ``eq``, ``is_parent`` (parent = sum of the others).

        One equation per (parent cell, dimension): along a dimension, a cell
        whose code has a parent is a child of the cell with that parent code.
        The full table is closed under taking parents, so every equation is
        complete.
        """
        nd = len(self.dims)
        cells, eqs, par = [], [], []
        for k, d in enumerate(self.dims):
            parent = self.hier[d].parent
            pc = parent[self.codes[:, k]]
            child = np.flatnonzero(pc >= 0)
            if not len(child):
                continue
            up = self.codes[child].copy()
            up[:, k] = pc[child]
            parent_cell = self.lookup(up)
            if (parent_cell < 0).any():  # pragma: no cover - closure is built in
                raise AssertionError("full table is not closed under margins")
            eq = parent_cell * nd + k
            cells += [child, np.unique(parent_cell)]
            eqs += [eq, np.unique(parent_cell) * nd + k]
            par += [np.zeros(len(child), bool), np.ones(len(np.unique(parent_cell)), bool)]
        if not cells:
            return pd.DataFrame({"cell": np.array([], np.int64), "eq": np.array([], np.int64),
                                 "is_parent": np.array([], bool)})
        eq_all = np.concatenate(eqs)
        _, eq_dense = np.unique(eq_all, return_inverse=True)
        return pd.DataFrame({"cell": np.concatenate(cells), "eq": eq_dense.astype(np.int64),
                             "is_parent": np.concatenate(par)})

    def frame(self, measure: str, cells: np.ndarray | None = None) -> pd.DataFrame:
        """The given cells (default: the published ones) as rows with code strings."""
        cells = np.flatnonzero(self.published) if cells is None else cells
        out = {}
        for k, d in enumerate(self.dims):
            labels = np.asarray(self.hier[d].codes, dtype=object)
            out[d] = pd.array(labels[self.codes[cells, k]], dtype="string")
        out[measure] = pd.array(self.value[cells], dtype="Int64")
        return pd.DataFrame(out)


def _problem(code: str, message: str, file: str | None, row: int | None = None,
             field_name: str | None = None) -> Problem:
    return Problem(code, message, Location(file=file, row=row, field=field_name))


def tabulate(df: pd.DataFrame, sdc: SDC, spec: Any, file: str | None = None) -> Table:
    """The full table with margins (see module docstring); raises located errors.

    Rows in its problems (and ``Table.source_row``) are 1-based positions in
    ``df``; ``file`` None leaves naming the source file and row to the shell
    (:func:`pipelines.gates.redact`), which maps positions through the
    partition filter and the multi-file merge.
    """
    dims = list(sdc.dimensions)
    rows = np.arange(1, len(df) + 1, dtype=np.int64)
    problems: list[Problem] = []
    for d in dims:
        if d not in df.columns:
            raise FivestarError(_problem("sdc-field", "dimension not in the data", file,
                                         field_name=d))
        miss = df[d].isna().to_numpy()
        if miss.any():
            problems.append(_problem("sdc-missing-code", f"{int(miss.sum())} rows without a "
                                     "code", file, int(rows[np.argmax(miss)]), d))
    if sdc.from_records:
        values = np.ones(len(df), dtype=np.int64)
    else:
        if sdc.measure not in df.columns:
            raise FivestarError(_problem("sdc-field", "measure not in the data", file,
                                         field_name=sdc.measure))
        num = pd.to_numeric(df[sdc.measure], errors="coerce")
        bad = (num.isna() | (num < 0) | (num % 1 != 0)).to_numpy()
        if bad.any():
            problems.append(_problem(
                "sdc-missing", f"{int(bad.sum())} missing, negative or non-integer counts; a "
                "table with unknown cells cannot be protected", file,
                int(rows[np.argmax(bad)]), sdc.measure))
        values = num.fillna(0).to_numpy(dtype=np.int64)
    if problems:
        raise FivestarError(problems)
    text = {d: df[d].astype("string").to_numpy(dtype=object) for d in dims}
    present = {d: list(pd.unique(text[d])) for d in dims}
    hier = hierarchy.build(sdc, spec, present)
    codes = np.column_stack([
        pd.Index(hier[d].codes).get_indexer(text[d]) for d in dims]).astype(np.int64) \
        if len(df) else np.zeros((0, len(dims)), dtype=np.int64)
    radix = [hier[d].size for d in dims]
    if float(np.prod([float(r) for r in radix])) >= 2.0**62:
        raise FivestarError(_problem("sdc-too-large", "too many code combinations", file))
    leaf_flags = [hier[d].is_leaf() for d in dims]
    is_leaf_row = np.ones(len(df), dtype=bool)
    for k in range(len(dims)):
        is_leaf_row &= leaf_flags[k][codes[:, k]]

    def key_of(c: np.ndarray) -> np.ndarray:
        key = np.zeros(len(c), dtype=np.int64)
        for k, r in enumerate(radix):
            key = key * r + c[:, k]
        return key

    leaf_codes = codes[is_leaf_row]
    leaf_values = values[is_leaf_row]
    leaf_rows = rows[is_leaf_row]
    if sdc.from_records:  # count records per detailed cell
        uniq, inverse = np.unique(key_of(leaf_codes), return_inverse=True)
        first = np.full(len(uniq), len(leaf_codes), dtype=np.int64)
        np.minimum.at(first, inverse, np.arange(len(leaf_codes)))
        leaf_values = np.bincount(inverse, minlength=len(uniq)).astype(np.int64)
        leaf_codes = leaf_codes[first]
        leaf_rows = np.zeros(len(uniq), dtype=np.int64)
    else:
        lk = key_of(leaf_codes)
        dup = pd.Series(lk).duplicated(keep="first").to_numpy()
        if dup.any():
            raise FivestarError(_problem(
                "sdc-duplicate", f"{int(dup.sum())} rows repeat a cell already given (the "
                "dimensions do not identify cells uniquely)", file, int(leaf_rows[dup][0]),
                ",".join(dims)))
    if sdc.zero == "suppress" and len(leaf_codes):
        leaf_codes, leaf_values, leaf_rows = _complete(leaf_codes, leaf_values, leaf_rows,
                                                       leaf_flags, key_of)
    full_codes, full_values = _margins(leaf_codes, leaf_values, hier, dims, key_of)
    full_keys = key_of(full_codes)
    order = np.argsort(full_keys, kind="stable")
    source_row = np.zeros(len(full_keys), dtype=np.int64)
    # where the detailed cells came from
    pos = order[np.searchsorted(full_keys[order], key_of(leaf_codes))]
    source_row[pos] = leaf_rows
    table = Table(dims=dims, hier=hier, codes=full_codes, value=full_values,
                  published=np.ones(len(full_values), dtype=bool), source_row=source_row)
    table.published = _published(table, sdc)
    if not sdc.from_records:
        problems = _check_supplied(table, codes[~is_leaf_row], values[~is_leaf_row],
                                   rows[~is_leaf_row], sdc, file, key_of)
        if problems:
            raise FivestarError(problems[:MAX_PROBLEMS])
    return table


def _complete(codes, values, rows, leaf_flags, key_of):
    """Add the missing detailed cells as zeros (zeros are suppressed, so absence would tell)."""
    axes = [np.unique(codes[:, k]) for k in range(codes.shape[1])]
    size = int(np.prod([len(a) for a in axes]))
    if size > 5_000_000:
        raise FivestarError(Problem("sdc-too-large", "zero: suppress needs every detailed "
                                    "cell and there are too many combinations"))
    grid = np.array(list(product(*axes)), dtype=np.int64).reshape(-1, codes.shape[1])
    have = set(key_of(codes).tolist())
    extra = grid[~np.isin(key_of(grid), np.fromiter(have, dtype=np.int64, count=len(have)))]
    return (np.vstack([codes, extra]), np.concatenate([values, np.zeros(len(extra), np.int64)]),
            np.concatenate([rows, np.zeros(len(extra), np.int64)]))


def _margins(codes: np.ndarray, values: np.ndarray, hier: dict[str, Hierarchy],
             dims: list[str], key_of) -> tuple[np.ndarray, np.ndarray]:
    """Every cell: the detailed cells summed over each combination of ancestor levels."""
    chains = []
    for d in dims:
        anc = hier[d].ancestors()
        depth = max((len(a) for a in anc), default=1)
        mat = np.full((hier[d].size, depth), -1, dtype=np.int64)
        for i, a in enumerate(anc):
            mat[i, :len(a)] = a
        chains.append(mat)
    parts_codes, parts_values = [], []
    for levels in product(*[range(m.shape[1]) for m in chains]):
        cols = [chains[k][codes[:, k], lvl] for k, lvl in enumerate(levels)]
        ok = np.ones(len(codes), dtype=bool)
        for c in cols:
            ok &= c >= 0
        if ok.any():
            parts_codes.append(np.column_stack([c[ok] for c in cols]))
            parts_values.append(values[ok])
    if not parts_codes:
        return np.zeros((0, len(dims)), dtype=np.int64), np.zeros(0, dtype=np.int64)
    all_codes = np.vstack(parts_codes)
    all_values = np.concatenate(parts_values)
    keys = key_of(all_codes)
    uniq, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    sums = np.bincount(inverse, weights=all_values, minlength=len(uniq))
    return all_codes[first], np.rint(sums).astype(np.int64)


def _published(table: Table, sdc: SDC) -> np.ndarray:
    if not sdc.tables:
        return np.ones(table.n, dtype=bool)
    out = np.zeros(table.n, dtype=bool)
    for dims_in in sdc.tables:
        inside = np.ones(table.n, dtype=bool)
        for k, d in enumerate(table.dims):
            if d in dims_in:
                continue
            root = table.hier[d].total
            if root is None:
                raise FivestarError(Problem("sdc-spec", f"a table leaves out `{d}`, whose "
                                            "codes have no single total",
                                            Location(field="redaction.sdc.tables")))
            inside &= table.codes[:, k] == root
        out |= inside
    return out


def _check_supplied(table: Table, codes: np.ndarray, values: np.ndarray, rows: np.ndarray,
                    sdc: SDC, file: str, key_of) -> list[Problem]:
    """Supplied total rows must equal the sum of their parts; ``supplied`` needs them all."""
    problems: list[Problem] = []
    idx = table.lookup(codes) if len(codes) else np.zeros(0, dtype=np.int64)
    seen = set()
    for i in np.argsort(rows, kind="stable"):
        cell = int(idx[i])
        if cell < 0 or table.value[cell] != values[i]:
            what = ("has no detailed cells below it" if cell < 0 else
                    "does not equal the sum of its parts")
            problems.append(_problem("sdc-total-mismatch", f"total row {what} (the detailed "
                                     "rows of the extract)", file, int(rows[i]), sdc.measure))
        elif cell in seen:
            problems.append(_problem("sdc-duplicate", "total row given twice", file,
                                     int(rows[i]), ",".join(table.dims)))
        else:
            seen.add(cell)
            table.source_row[cell] = rows[i]
    if sdc.totals == Totals.supplied:
        need = np.flatnonzero(table.published & table.is_margin())
        missing = [c for c in need.tolist() if c not in seen]
        for c in missing[:MAX_PROBLEMS]:
            where = ", ".join(f"{d}={table.hier[d].codes[table.codes[c, k]]}"
                              for k, d in enumerate(table.dims))
            problems.append(_problem("sdc-total-missing", f"the spec says totals are supplied "
                                     f"but the extract has no row for {where}", file,
                                     field_name=sdc.measure))
        if len(missing) > MAX_PROBLEMS:
            problems.append(_problem("sdc-total-missing", f"… {len(missing) - MAX_PROBLEMS} "
                                     "more total rows missing", file, field_name=sdc.measure))
    return problems
