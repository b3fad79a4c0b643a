"""Statistical disclosure control for aggregate tables.

1. **Primary suppression**: counts 1 .. threshold-1 (and zeros, if the spec
   says so) are withheld, status ``C``.
2. **Secondary (complementary) suppression**: a published total minus its
   published parts would reveal a lone suppressed part, so for every margin
   equation (parent = sum of children, along each declared hierarchy, within
   each combination of the other dimensions) holding exactly one suppressed
   cell, the smallest other cell is suppressed too (status ``D``), iterated to
   a fixed point. The heuristic alone is not enough in more than one
   dimension (a cell can be pinned by combining equations), so an exact
   linear-algebra audit follows: within each connected group of suppressed
   cells, a cell is determined by the published values exactly when its unit
   vector lies in the row space of the equations restricted to the unknowns,
   i.e. when its row of the null-space basis is zero. Each determined cell
   gets one more complementary suppression and the loop repeats.
3. Optional **rounding** of published counts to a base.

Everything that scales with rows (membership of cells in equations, the
fixed-point heuristic) is vectorised with pandas/numpy; the audit works per
connected component, which are small.

The independent check in ``verify.py`` re-derives the equations itself and
solves bounded integer programs; it shares no code with this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.linalg import qr
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from pipelines.errors import FivestarError, Location, Problem
from pipelines.spec.redaction import SDC

FREE, PRIMARY, SECONDARY = "F", "C", "D"
STATUS_COLUMN = "conf_status"


@dataclass
class SDCResult:
    df: pd.DataFrame
    primary: int = 0
    secondary: int = 0
    secondary_by_audit: int = 0
    rounded: int = 0
    equations: int = 0
    notes: list[str] = field(default_factory=list)


# -- hierarchies ---------------------------------------------------------------


def hierarchy_parents(sdc: SDC, spec: Any, df: pd.DataFrame) -> dict[str, dict[str, str]]:
    """For each dimension, child code -> parent code (empty for flat dimensions).

    Sources, combined: ``parents`` declared in the yaml, skos:broader from the
    field's code list (``codelist: true``), and ``total`` (parent of every
    other code present that has no parent yet).
    """
    result: dict[str, dict[str, str]] = {}
    for dim, decl in sdc.dimensions.items():
        parents: dict[str, str] = {}
        if decl.codelist:
            parents.update(codelist_parents(spec, dim))
        for parent, children in decl.parents.items():
            for child in children:
                parents[str(child)] = str(parent)
        if decl.total is not None:
            total = str(decl.total)
            present = df[dim].dropna().astype(str).unique() if dim in df else []
            for code in present:
                if code != total and code not in parents:
                    parents[code] = total
            for code, parent in list(parents.items()):
                if parent not in parents and parent != total and code != total:
                    parents.setdefault(parent, total)
        result[dim] = parents
    return result


def codelist_parents(spec: Any, dim: str) -> dict[str, str]:
    """child notation -> parent notation from the field's SKOS code list (skos:broader)."""
    from pipelines.codelists import load_codelist

    stem = None
    for f in spec.table_schema.fields:
        if f.get("name") == dim:
            stem = f.get("codelist")
    if not stem:
        raise FivestarError(Problem(
            "redaction-spec", f"sdc dimension `{dim}` asks for codelist hierarchy but its "
            "schema field has no `codelist`", Location(file=spec.id, field=dim)))
    return dict(load_codelist(stem).parents)


# -- equations -----------------------------------------------------------------


def memberships(df: pd.DataFrame, dims: list[str],
                parents: dict[str, dict[str, str]]) -> pd.DataFrame:
    """Cells' membership of margin equations: columns ``cell``, ``eq``, ``is_parent``.

    Equation ``eq`` says: the cell with ``is_parent`` = sum of the other cells.
    Only equations with a parent cell and at least one child are kept (an
    equation whose total is not in the table is not published, so it
    constrains nothing).
    """
    factorized = {d: pd.factorize(df[d], use_na_sentinel=True) for d in dims}
    codes = {d: np.asarray(factorized[d][0], dtype=np.int64) for d in dims}
    radix = {d: len(factorized[d][1]) + 1 for d in dims}
    frames = []
    offset = 0
    n = len(df)
    cell = np.arange(n)
    for dim in dims:
        mapping = parents.get(dim) or {}
        if not mapping:
            continue
        uniques = pd.Index(factorized[dim][1]).astype(str)
        own_code = codes[dim]
        # parent and "is a parent" worked out once per distinct code, then broadcast
        parent_of_unique = np.append(uniques.get_indexer(uniques.map(mapping.get)), -1)
        is_parent_unique = np.append(uniques.isin(set(mapping.values())), False)
        parent_code = parent_of_unique[own_code]  # code -1 (missing) picks the appended -1
        is_parent_value = is_parent_unique[own_code]
        child_rows = parent_code >= 0
        others = [d for d in dims if d != dim]
        if np.prod([float(radix[d]) for d in others]) * radix[dim] < 2**62:
            key = np.zeros(n, dtype=np.int64)
            for d in others:  # mixed-radix key over the other dimensions
                key = key * radix[d] + (codes[d] + 1)
            key_child = key[child_rows] * radix[dim] + parent_code[child_rows]
            key_par = key[is_parent_value] * radix[dim] + own_code[is_parent_value]
            eq = pd.factorize(np.concatenate([key_child, key_par]))[0].astype(np.int64)
        else:  # too many combinations for one int64: group on the columns
            keys = pd.DataFrame({
                **{d: np.concatenate([codes[d][child_rows], codes[d][is_parent_value]])
                   for d in others},
                "_p": np.concatenate([parent_code[child_rows], own_code[is_parent_value]])})
            eq = keys.groupby(list(keys.columns), sort=False).ngroup().to_numpy()
        eq = eq + offset
        offset = int(eq.max()) + 1 if len(eq) else offset
        frames.append(pd.DataFrame({
            "cell": np.concatenate([cell[child_rows], cell[is_parent_value]]),
            "eq": eq,
            "is_parent": np.concatenate([np.zeros(child_rows.sum(), bool),
                                         np.ones(is_parent_value.sum(), bool)]),
        }))
    if not frames:
        return pd.DataFrame({"cell": np.array([], int), "eq": np.array([], int),
                             "is_parent": np.array([], bool)})
    m = pd.concat(frames, ignore_index=True)
    eqs = m["eq"].to_numpy()
    parents_per_eq = np.bincount(eqs, m["is_parent"].to_numpy())
    size = np.bincount(eqs)
    ok = (parents_per_eq[eqs] == 1) & (size[eqs] >= 2)
    return m[ok].reset_index(drop=True)


# -- suppression ---------------------------------------------------------------


def _cost(values: np.ndarray, threshold: int) -> np.ndarray:
    """Order of preference for complementary cells (lower is better).

    The cheapest safe complement is a small count, but not too small: the
    status codes tell an attacker that a complement is 0 or >= threshold, so
    a lone small cell ``a`` paired with a complement ``b`` is pinned unless
    ``a + b >= threshold + 2``. Counts >= threshold + 2 come first (smallest
    first), then threshold .. threshold + 1, then zeros last.
    """
    v = values.astype(float)
    band = np.where(v >= threshold + 2, 0.0, np.where(v > 0, 1.0, 2.0))
    return band * 1e15 + v


def _heuristic(m: pd.DataFrame, suppressed: np.ndarray, cost: np.ndarray) -> int:
    """Suppress the cheapest other cell of every equation with exactly one suppressed cell."""
    added = 0
    if m.empty:
        return 0
    cells = m["cell"].to_numpy()
    eqs = m["eq"].to_numpy()
    is_parent = m["is_parent"].to_numpy()
    while True:
        s = suppressed[cells]
        per_eq = np.bincount(eqs, weights=s.astype(float))
        lone = per_eq[eqs] == 1
        pick = lone & ~s
        if not pick.any():
            return added
        cand = pd.DataFrame({"eq": eqs[pick], "cell": cells[pick],
                             "parent": is_parent[pick], "cost": cost[cells[pick]]})
        # prefer a child over the total, then the smallest non-zero value
        cand = cand.sort_values(["eq", "parent", "cost", "cell"], kind="stable")
        chosen = cand.drop_duplicates("eq")["cell"].to_numpy()
        chosen = np.unique(chosen)
        new = chosen[~suppressed[chosen]]
        suppressed[new] = True
        added += len(new)


def _determined(m: pd.DataFrame, suppressed: np.ndarray,
                cache: dict[bytes, list[tuple[int, int]]] | None = None) -> list[tuple[int, int]]:
    """Suppressed cells fixed exactly by the published values: (cell, an equation of it).

    Works per connected component of suppressed cells linked by equations:
    the equations restricted to the unknowns form a matrix A; x_j is
    determined iff e_j is in A's row space (pivoted QR of A^T: row j of Q_r has norm 1).
    """
    cells = m["cell"].to_numpy()
    eqs = m["eq"].to_numpy()
    s = suppressed[cells]
    if not s.any():
        return []
    uc, ue, up = cells[s], eqs[s], m["is_parent"].to_numpy()[s]
    unk, col = np.unique(uc, return_inverse=True)
    eq_ids, row = np.unique(ue, return_inverse=True)
    # component labelling on the bipartite unknown/equation graph
    k, ne = len(unk), len(eq_ids)
    graph = coo_matrix((np.ones(len(col)), (col, k + row)), shape=(k + ne, k + ne))
    ncomp, labels = connected_components(graph, directed=False)
    comp_of_col = labels[:k]
    comp_of_entry = comp_of_col[col]
    order = np.argsort(comp_of_entry, kind="stable")
    bounds = np.searchsorted(comp_of_entry[order], np.arange(ncomp + 1))
    found: list[tuple[int, int]] = []
    coef = np.where(up, -1.0, 1.0)
    for c in range(ncomp):
        idx = order[bounds[c]:bounds[c + 1]]
        if len(idx) == 0:
            continue
        cols, col_inv = np.unique(col[idx], return_inverse=True)
        key = unk[cols].tobytes()
        if cache is not None and key in cache:
            found.extend(cache[key])
            continue
        rows, row_inv = np.unique(row[idx], return_inverse=True)
        a = np.zeros((len(rows), len(cols)))
        a[row_inv, col_inv] = coef[idx]
        # rowspace(A) = colspace(A^T): x_j is determined iff e_j lies in it, i.e. iff
        # row j of an orthonormal basis Q_r of colspace(A^T) has unit norm.
        q, r, _ = qr(a.T, mode="economic", pivoting=True)
        diag = np.abs(np.diag(r))
        rank = int((diag > 1e-9 * max(1.0, diag[0] if len(diag) else 1.0)).sum())
        norms = (q[:, :rank] ** 2).sum(axis=1)
        here = []
        for j in np.nonzero(norms > 1 - 1e-9)[0]:
            entry = idx[col_inv == j][0]
            here.append((int(unk[cols[j]]), int(eq_ids[row[entry]])))
        if cache is not None:
            cache[key] = here
        found.extend(here)
    return found


def _pinned(m: pd.DataFrame, v: np.ndarray, suppressed: np.ndarray, primary: np.ndarray,
            sdc: SDC) -> list[tuple[int, int]]:
    """Suppressed cells pinned to one value by interval reasoning on the equations.

    Each suppressed cell starts with the bounds its status reveals (primary:
    1..threshold-1, or 0.. if zeros are suppressed; secondary: 0 or at least
    the threshold) and each equation narrows the bounds of its unknowns
    (x_j = -(sum of the others) / c_j), iterated to a fixed point. Sound but
    not complete; the linear audit and ``verify`` cover combinations.
    """
    if m.empty or not suppressed.any():
        return []
    t = float(sdc.threshold)
    # only equations holding a suppressed cell can narrow anything
    has_unknown = np.bincount(m["eq"].to_numpy(), suppressed[m["cell"].to_numpy()])
    m = m[has_unknown[m["eq"].to_numpy()] > 0]
    # work on the cells of these equations only, renumbered 0..k-1
    glob, local = np.unique(m["cell"].to_numpy(), return_inverse=True)
    _, eq_local = np.unique(m["eq"].to_numpy(), return_inverse=True)
    m = pd.DataFrame({"cell": local, "eq": eq_local, "is_parent": m["is_parent"].to_numpy()})
    v, suppressed, primary = v[glob], suppressed[glob], primary[glob]
    lo = np.where(suppressed, 0.0, v)
    hi = np.where(suppressed, np.inf, v)
    lo = np.where(primary, 0.0 if sdc.zero == "suppress" else 1.0, lo)
    hi = np.where(primary, t - 1, hi)
    cells = m["cell"].to_numpy()
    eqs = m["eq"].to_numpy()
    c = np.where(m["is_parent"].to_numpy(), -1.0, 1.0)
    n_eq = int(eqs.max()) + 1 if len(eqs) else 0
    order = np.argsort(cells, kind="stable")  # group memberships by cell for reduceat
    uc, starts = np.unique(cells[order], return_index=True)
    secondary = suppressed & ~primary
    zero_ok = sdc.zero == "publish"
    for _ in range(100):
        a_lo = np.where(c > 0, lo[cells], -hi[cells])  # bounds of c_i * x_i
        a_hi = np.where(c > 0, hi[cells], -lo[cells])
        inf_lo, inf_hi = np.isinf(a_lo), np.isinf(a_hi)
        s_lo = np.bincount(eqs, np.where(inf_lo, 0, a_lo), n_eq)
        s_hi = np.bincount(eqs, np.where(inf_hi, 0, a_hi), n_eq)
        k_lo = np.bincount(eqs, inf_lo, n_eq)
        k_hi = np.bincount(eqs, inf_hi, n_eq)
        # bounds of the sum of the *other* members
        r_lo = np.where(k_lo[eqs] - inf_lo > 0, -np.inf, s_lo[eqs] - np.where(inf_lo, 0, a_lo))
        r_hi = np.where(k_hi[eqs] - inf_hi > 0, np.inf, s_hi[eqs] - np.where(inf_hi, 0, a_hi))
        # c_j x_j = -(others)  =>  x_j in [-r_hi, -r_lo] / c_j
        n_lo = np.where(c > 0, -r_hi, r_lo)
        n_hi = np.where(c > 0, -r_lo, r_hi)
        new_lo = lo.copy()
        new_hi = hi.copy()
        new_lo[uc] = np.maximum(lo[uc], np.maximum.reduceat(n_lo[order], starts))
        new_hi[uc] = np.minimum(hi[uc], np.minimum.reduceat(n_hi[order], starts))
        new_lo = np.ceil(new_lo - 1e-9)
        new_hi = np.floor(new_hi + 1e-9)
        # a secondary cell is 0 or >= threshold
        gap = secondary & (new_lo > 0) & (new_lo < t)
        new_lo = np.where(gap, t, new_lo)
        top = secondary & (new_hi < t) & (new_hi >= 0)
        new_hi = np.where(top, 0.0 if zero_ok else -1.0, new_hi)
        if np.array_equal(new_lo, lo) and np.array_equal(new_hi, hi):
            break
        lo, hi = new_lo, new_hi
    pinned = suppressed & (hi - lo < 1)
    if zero_ok:  # a complement pinned to 0 reveals only a zero, which the spec publishes anyway
        pinned &= ~(secondary & (hi < 1))
    if not pinned.any():
        return []
    return [(int(glob[i]), -1) for i in np.nonzero(pinned)[0]]


def _blocks(m: pd.DataFrame, n: int) -> np.ndarray:
    """Block id per cell: cells linked by any chain of equations share a block."""
    if m.empty:
        return np.arange(n)
    cells = m["cell"].to_numpy()
    eqs = m["eq"].to_numpy()
    graph = coo_matrix((np.ones(len(cells)), (cells, n + eqs)),
                       shape=(n + eqs.max() + 1, n + eqs.max() + 1))
    _, labels = connected_components(graph, directed=False)
    return labels[:n]


class _Index:
    """key -> array of values, built by one sort (a groupby-apply is far slower)."""

    def __init__(self, keys: np.ndarray, values: np.ndarray) -> None:
        order = np.argsort(keys, kind="stable")
        self.keys, self.values = keys[order], values[order]

    def __getitem__(self, key: int) -> np.ndarray:
        lo, hi = np.searchsorted(self.keys, [key, key + 1])
        return self.values[lo:hi]


def suppress(df: pd.DataFrame, sdc: SDC, parents: dict[str, dict[str, str]],
             dataset: str = "") -> SDCResult:
    """Apply primary and secondary suppression (and rounding) to an aggregate table."""
    dims = list(sdc.dimensions)
    measure = sdc.measure
    values = pd.to_numeric(df[measure], errors="coerce")
    missing = values.isna().to_numpy()
    if missing.any():
        row = int(np.nonzero(missing)[0][0]) + 1
        raise FivestarError(Problem(
            "sdc-missing", f"{int(missing.sum())} missing or non-numeric counts; cannot "
            "protect a table with unknown cells", Location(file=dataset, row=row, field=measure)))
    dup = df.duplicated(subset=dims, keep=False).to_numpy()
    if dup.any():
        row = int(np.nonzero(dup)[0][0]) + 1
        raise FivestarError(Problem(
            "sdc-duplicate", "the sdc dimensions do not identify cells uniquely",
            Location(file=dataset, row=row, field=",".join(dims))))
    v = values.to_numpy(dtype=float)
    primary = (v < sdc.threshold) & ((v > 0) | (sdc.zero == "suppress"))
    suppressed = primary.copy()
    m = memberships(df, dims, parents)
    cost = _cost(v, sdc.threshold)
    _heuristic(m, suppressed, cost)
    by_audit = 0
    notes: list[str] = []
    cells_of_eq = _Index(m["eq"].to_numpy(), m["cell"].to_numpy())
    eqs_of_cell = _Index(m["cell"].to_numpy(), m["eq"].to_numpy())
    cache: dict[bytes, list[tuple[int, int]]] = {}
    # Independent tables (e.g. periods) are the connected blocks of the equation
    # graph; after the first round only blocks that changed are audited again.
    block = _blocks(m, len(df))
    active = m
    while not active.empty:
        # cheap vectorised interval reasoning first; the exact linear audit
        # (one QR per changed component) once that has nothing more to add
        found = (_pinned(active, v, suppressed, primary, sdc)
                 or _determined(active, suppressed, cache))
        if not found:
            break
        before = suppressed.copy()
        for cell, _eq in found:
            members = np.unique(np.concatenate(
                [cells_of_eq[e] for e in eqs_of_cell[cell]] or [np.array([], int)]))
            free = members[~suppressed[members]]
            if len(free) == 0:
                continue
            suppressed[free[np.argmin(cost[free])]] = True
            by_audit += 1
        if np.array_equal(before, suppressed):
            notes.append(f"{len(found)} suppressed cells stay determined: every cell sharing "
                         "an equation with them is already suppressed")
            break
        dirty = np.zeros(block.max() + 1, dtype=bool)
        dirty[block[suppressed & ~before]] = True
        active = m[dirty[block[m["cell"].to_numpy()]]]
        _heuristic(active, suppressed, cost)
    status = np.where(primary, PRIMARY, np.where(suppressed, SECONDARY, FREE))
    out = df.copy()
    published = pd.array(np.where(suppressed, 0, v).astype("int64"), dtype="Int64")
    published[suppressed] = pd.NA
    rounded = 0
    if sdc.rounding:
        base = sdc.rounding
        arr = published.to_numpy(dtype="float64", na_value=np.nan)
        r = np.floor(arr / base + 0.5) * base
        rounded = int(np.nansum(r != arr))
        published = pd.array(np.where(np.isnan(r), 0, r).astype("int64"), dtype="Int64")
        published[suppressed] = pd.NA
    out[measure] = published
    out[STATUS_COLUMN] = pd.array(status, dtype="string")
    return SDCResult(df=out, primary=int(primary.sum()),
                     secondary=int((suppressed & ~primary).sum()),
                     secondary_by_audit=by_audit, rounded=rounded,
                     equations=int(m["eq"].nunique()) if len(m) else 0, notes=notes)
