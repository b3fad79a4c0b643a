"""Cell suppression to protection intervals on tables with hierarchical margins.

Input: the full table (:mod:`tabulate`): detailed cells, every margin, and
the latent cells of linked tables. Output: which published cells are withheld.

1. **Primary suppression**: a published count 1 .. threshold-1 (and 0 if the
   spec suppresses zeros) is sensitive, status ``C``.
2. **Secondary suppression** by a hierarchical hypercube method (in the
   spirit of GHMITER, Repsilber 1994, as in tau-Argus and sdcTable): each
   sensitive cell is protected by a *hypercube*, the tensor product of one
   elementary vector per dimension. In a dimension's tree an elementary
   vector is a path through the cell's code that keeps every equation of that
   dimension balanced: up from the code to an ancestor and down a sibling
   branch to a leaf with the opposite sign, or up to the root; a margin code
   also needs a path down to a leaf. Adding ``u`` times the hypercube's signs
   to the table keeps every margin equation true, so if every corner is
   withheld and can move by ``u`` inside what its status reveals (a
   primary stays in its range, a secondary count >= threshold stays >=
   threshold, a latent cell stays >= 0), ``table + u*cube`` is a table the
   attacker cannot rule out: an integer witness that the cell's feasible
   interval reaches value + u. The same with ``-l`` gives the lower end.
   For each sensitive cell the cheapest hypercube (or pair, one per side)
   that meets its declared protection is chosen, cost = the declared
   information loss of the corners not yet withheld. Later suppressions only
   add unknowns, so every witness stays valid: the pattern is protected by
   construction, and the independent audit (:mod:`audit`) re-proves it with
   integer programs without using any of this.
3. Optional **rounding** of published counts to a base.

Candidate vectors are ranked per dimension by the cost of their line through
the cell and the best few combined, so the work per cell is bounded (a few
hundred hypercubes) whatever the table's size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import product

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix, csr_matrix, hstack

from pipelines.errors import FivestarError, Location, Problem
from pipelines.redaction.tabulate import Table
from pipelines.spec.redaction import SDC, Loss, Method

FREE, PRIMARY, SECONDARY = "F", "C", "D"
STATUS_COLUMN = "conf_status"
#: hypercubes tried per sensitive cell (per-dimension candidates are cut to fit)
MAX_CUBES = 400
BIG = 1 << 60
#: seconds for one exact move (the fallback when no hypercube is enough), the
#: up/down splits of the protection width it tries, and the codes per dimension
#: (beside the cell's own, its ancestors and children) of the boxes it searches
EXACT_SECONDS = 2.0
EXACT_SPLITS = 4
EXACT_WIDTHS = (3, 8, 16)
EXACT_MAX_CELLS = 3000


@dataclass
class SDCResult:
    df: pd.DataFrame
    primary: int = 0
    secondary: int = 0
    rounded: int = 0
    equations: int = 0
    #: information loss of secondary suppression: cells and their total value
    secondary_value: int = 0
    cells_computed: int = 0
    latent_cells: int = 0
    notes: list[str] = field(default_factory=list)
    #: the protection's moves, for the audit to check (:func:`certificate`)
    certificate: pd.DataFrame | None = None


def sensitive(table: Table, sdc: SDC) -> np.ndarray:
    v = table.value
    small = (v < sdc.threshold) & ((v > 0) | (sdc.zero == "suppress"))
    return small & table.published


class _Lookup:
    def __init__(self, table: Table) -> None:
        self.radix = table.radix()
        self.stride = np.ones(len(self.radix), dtype=np.int64)
        for k in range(len(self.radix) - 2, -1, -1):
            self.stride[k] = self.stride[k + 1] * self.radix[k + 1]
        keys = table.codes @ self.stride if table.n else np.zeros(0, np.int64)
        self.order = np.argsort(keys, kind="stable")
        self.keys = keys[self.order]

    def cells(self, keys: np.ndarray) -> np.ndarray:
        if not len(self.keys):
            return np.full(keys.shape, -1, dtype=np.int64)
        pos = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        return np.where(self.keys[pos] == keys, self.order[pos], -1)


class _Protector:
    """The hypercube search, over one full table."""

    def __init__(self, table: Table, sdc: SDC, primary: np.ndarray) -> None:
        self.t, self.sdc = table, sdc
        self.nd = len(table.dims)
        self.look = _Lookup(table)
        v = table.value.astype(np.int64)
        self.v = v
        lb_c = 0 if sdc.zero == "suppress" else 1
        lat = ~table.published
        self.lb = np.where(primary, lb_c, np.where(lat, 0, np.where(v == 0, 0, sdc.threshold)))
        self.ub = np.where(primary, sdc.threshold - 1, np.where((v == 0) & ~lat, 0, BIG))
        self.withheld = primary | lat
        base = np.ones(table.n) if sdc.loss == Loss.cells else v.astype(float) + 1e-3
        # ties go to detailed cells rather than margins
        self.cost = base * (1 + 1e-3 * table.is_margin())
        #: every move applied: (cells, integer coefficients)
        self.moves: list[tuple[np.ndarray, np.ndarray]] = []
        self._equations: csr_matrix | None = None
        self.wit_up = np.zeros(table.n, dtype=np.int64)
        self.wit_down = np.zeros(table.n, dtype=np.int64)
        self.parent = [table.hier[d].parent for d in table.dims]
        self.kids = [table.hier[d].children() for d in table.dims]
        self.all_codes = [np.arange(table.hier[d].size, dtype=np.int64) for d in table.dims]

    # -- requirements --------------------------------------------------------
    def need(self, i: int) -> tuple[int, int, int]:
        p = self.sdc.protection
        x, lb, ub = int(self.v[i]), int(self.lb[i]), int(self.ub[i])
        up = min(math.ceil(p.upper.of(x) - 1e-9), ub - x)
        down = min(math.ceil(p.lower.of(x) - 1e-9), x - lb)
        width = min(math.ceil(p.width.of(x) - 1e-9), ub - lb)
        return max(up, 0), max(down, 0), max(width, 0)

    def met(self, i: int) -> bool:
        up, down, width = self.need(i)
        u, d = self.wit_up[i], self.wit_down[i]
        return u >= up and d >= down and u + d >= width

    # -- candidate vectors in one dimension ------------------------------------
    def _line_cost(self, i: int, k: int, codes: np.ndarray) -> np.ndarray:
        keys = self.t.codes[i] @ self.look.stride + (codes - self.t.codes[i, k]) * \
            self.look.stride[k]
        cells = self.look.cells(keys)
        cost = np.where(cells < 0, np.inf, 0.0)
        ok = cells >= 0
        c = cells[ok]
        # a cell that cannot move (a published zero) is no use as a corner
        cost[ok] = np.where(self.lb[c] == self.ub[c], np.inf,
                            np.where(self.withheld[c], 0.0, self.cost[c]))
        return cost

    def _down(self, k: int, code: int, line: np.ndarray) -> list[int]:
        """A cheapest-first path from ``code`` down to a leaf (excluding ``code``)."""
        path: list[int] = []
        kids = self.kids[k]
        while kids[code]:
            options = kids[code]
            code = min(options, key=lambda c: line[c])
            path.append(code)
        return path

    def vectors(self, i: int, k: int,
                line: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        c = int(self.t.codes[i, k])
        parent = self.parent[k]
        base_codes = [c, *self._down(k, c, line)]
        out: list[tuple[list[int], list[int]]] = []
        chain = [c]
        while parent[chain[-1]] >= 0:
            a = int(parent[chain[-1]])
            for s in self.kids[k][a]:
                if s == chain[-1]:
                    continue
                branch = [s, *self._down(k, s, line)]
                codes = base_codes + chain[1:] + branch
                out.append((codes, [1] * (len(base_codes) + len(chain) - 1) + [-1] * len(branch)))
            chain.append(a)
        if len(chain) > 1 or len(base_codes) > 1:  # up to the root (or only down, at a root)
            codes = base_codes + chain[1:]
            out.append((codes, [1] * len(codes)))
        if not out:
            out.append(([c], [1]))
        return [(np.array(a, dtype=np.int64), np.array(s, dtype=np.int64)) for a, s in out]

    # -- hypercubes -----------------------------------------------------------
    def candidates(self, i: int, limit: int):
        per_dim = []
        for k in range(self.nd):
            line = self._line_cost(i, k, self.all_codes[k])
            vecs = self.vectors(i, k, line)
            costs = np.array([line[codes[1:]].sum() for codes, _ in vecs])
            per_dim.append([vecs[j] for j in np.argsort(costs, kind="stable")])
        sizes = [len(v) for v in per_dim]
        keep = sizes[:]
        while np.prod(keep) > limit:
            j = int(np.argmax(keep))
            keep[j] = max(1, keep[j] // 2)
        return [v[:n] for v, n in zip(per_dim, keep, strict=True)]

    def evaluate(self, i: int, per_dim):
        """cost, up capacity, down capacity and corner cells of every combination."""
        nd = self.nd
        lmax = [max(len(c) for c, _ in vs) for vs in per_dim]
        combos = list(product(*[range(len(vs)) for vs in per_dim]))
        m = len(combos)
        shape = (m, *lmax)
        key = np.zeros(shape, dtype=np.int64)
        sign = np.ones(shape, dtype=np.int64)
        valid = np.ones(shape, dtype=bool)
        combo = np.array(combos, dtype=np.int64).reshape(m, nd)
        for k, vs in enumerate(per_dim):
            codes = np.full((len(vs), lmax[k]), -1, dtype=np.int64)
            signs = np.zeros((len(vs), lmax[k]), dtype=np.int64)
            for j, (c, s) in enumerate(vs):
                codes[j, :len(c)], signs[j, :len(s)] = c, s
            view = [1] * (nd + 1)
            view[0], view[k + 1] = m, lmax[k]
            ck = codes[combo[:, k]].reshape(view)
            key = key + np.where(ck >= 0, ck, 0) * self.look.stride[k]
            sign = sign * signs[combo[:, k]].reshape(view)
            valid = valid & (ck >= 0)
        key = key.reshape(m, -1)
        sign = sign.reshape(m, -1)
        valid = valid.reshape(m, -1)
        cells = np.where(valid, self.look.cells(key), -1)
        missing = (valid & (cells < 0)).any(axis=1)
        safe = np.where(cells >= 0, cells, 0)
        x, lb, ub = self.v[safe], self.lb[safe], self.ub[safe]
        up_room = np.where(sign > 0, ub - x, x - lb)
        down_room = np.where(sign > 0, x - lb, ub - x)
        up = np.where(valid, up_room, BIG).min(axis=1)
        down = np.where(valid, down_room, BIG).min(axis=1)
        new = valid & (cells >= 0) & ~self.withheld[safe]
        cost = np.where(new, self.cost[safe], 0.0).sum(axis=1)
        up[missing], down[missing] = 0, 0
        cost[missing] = np.inf
        return cost, up, down, cells, sign, valid

    def apply(self, cells: np.ndarray, sign: np.ndarray, valid: np.ndarray,
              up: int, down: int) -> None:
        c, s = cells[valid], sign[valid]
        self.moves.append((c.copy(), s.copy()))
        self.withheld[c] = True
        # every corner gets witnesses: moved by s*up and by -s*down
        np.maximum.at(self.wit_up, c, np.where(s > 0, up, down))
        np.maximum.at(self.wit_down, c, np.where(s > 0, down, up))

    def protect(self, i: int) -> bool:
        if self.met(i):
            return True
        u_req, d_req, w_req = self.need(i)
        for limit in (MAX_CUBES, MAX_CUBES * 8):
            cost, up, down, cells, sign, valid = self.evaluate(i, self.candidates(i, limit))
            up = np.minimum(up, self.ub[i] - self.v[i])
            down = np.minimum(down, self.v[i] - self.lb[i])
            ok = (up >= u_req) & (down >= d_req) & (up + down >= w_req) & np.isfinite(cost)
            if ok.any():
                j = int(np.argmin(np.where(ok, cost, np.inf)))
                self.apply(cells[j], sign[j], valid[j], int(up[j]), int(down[j]))
                return True
            best = None
            for u in range(u_req, max(u_req, w_req) + 1):
                a_ok = (up >= u) & np.isfinite(cost)
                b_ok = (down >= max(d_req, w_req - u)) & np.isfinite(cost)
                if a_ok.any() and b_ok.any():
                    a = int(np.argmin(np.where(a_ok, cost, np.inf)))
                    b = int(np.argmin(np.where(b_ok, cost, np.inf)))
                    total = cost[a] + cost[b]
                    if best is None or total < best[0]:
                        best = (total, a, b)
            if best is not None:
                _, a, b = best
                self.apply(cells[a], sign[a], valid[a], int(up[a]), 0)
                self.apply(cells[b], sign[b], valid[b], 0, int(down[b]))
                return True
        return False


    # -- the exact fallback ---------------------------------------------------
    def equations(self) -> csr_matrix:
        if self._equations is None:
            m = self.t.memberships()
            coef = np.where(m["is_parent"].to_numpy(), -1.0, 1.0)
            n_eq = int(m["eq"].max()) + 1 if len(m) else 0
            self._equations = coo_matrix((coef, (m["eq"].to_numpy(), m["cell"].to_numpy())),
                                         shape=(n_eq, self.t.n)).tocsr()
        return self._equations

    def _cheapest_move(self, i: int, scope: np.ndarray, target: int) -> np.ndarray | None:
        """Integer changes ``d`` inside ``scope`` with ``d[i] == target``, every equation
        balanced, every moved cell inside its range; the cheapest in information
        loss (cells already withheld are nearly free). None if there is none."""
        movable = np.flatnonzero(scope & (self.lb < self.ub))
        pos = int(np.searchsorted(movable, i))
        if pos >= len(movable) or movable[pos] != i:
            return None
        v = self.v[movable]
        cap_up = np.minimum(self.ub[movable] - v, 4 * self.sdc.threshold).astype(float)
        cap_down = (v - self.lb[movable]).astype(float)
        a = self.equations()[:, movable]
        rows = np.flatnonzero(np.diff(a.tocsr().indptr))
        a = a[rows]
        m = len(movable)
        w = np.where(self.withheld[movable], 1e-4, self.cost[movable])
        cons = [LinearConstraint(hstack([a, -a]).tocsr(), 0, 0)] if len(rows) else []
        pin = np.zeros(2 * m)
        pin[pos], pin[m + pos] = 1, -1
        cons.append(LinearConstraint(pin.reshape(1, -1), target, target))
        out = milp(np.concatenate([w, w]), constraints=cons, integrality=np.ones(2 * m),
                   bounds=Bounds(np.zeros(2 * m), np.concatenate([cap_up, cap_down])),
                   options={"time_limit": EXACT_SECONDS})
        if out.x is None:
            return None
        d = np.zeros(self.t.n, dtype=np.int64)
        d[movable] = np.rint(out.x[:m] - out.x[m:]).astype(np.int64)
        # trust nothing: the move must balance and stay in range exactly
        moved = np.flatnonzero(d)
        nv = self.v[moved] + d[moved]
        if d[i] != target or (self.equations() @ d).any() or (nv < self.lb[moved]).any() \
                or (nv > self.ub[moved]).any():
            return None
        return d

    def protect_exact(self, i: int, scope: np.ndarray) -> bool:
        """Protect ``i`` by the cheapest exact moves within ``scope`` (integer programmes).

        One move up by ``a`` and one down by ``b`` (``a + b`` at least the width);
        the preferred split first, then the others nearest to it.
        """
        u_req, d_req, w_req = self.need(i)
        x = int(self.v[i])
        up_cap, down_cap = int(self.ub[i]) - x, x - int(self.lb[i])
        lo_a = max(u_req, w_req - down_cap)
        if lo_a > up_cap:
            return False
        start = min(max(lo_a, w_req - max(d_req, int(self.wit_down[i]))), up_cap)
        splits = sorted(range(lo_a, up_cap + 1), key=lambda a: (abs(a - start), a))
        found: dict[int, np.ndarray | None] = {}

        def move(target: int) -> np.ndarray | None:
            if target not in found:
                found[target] = self._cheapest_move(i, scope, target)
            return found[target]

        for a in splits[:EXACT_SPLITS]:
            b = max(d_req, w_req - a)
            if b > down_cap:
                continue
            d_up = None if a <= self.wit_up[i] else move(a)
            if a > self.wit_up[i] and d_up is None:
                continue
            d_down = None if b <= self.wit_down[i] else move(-b)
            if b > self.wit_down[i] and d_down is None:
                continue
            for d in (d_up, d_down):
                if d is not None:
                    self.record(d)
            return True
        return False

    def record(self, d: np.ndarray) -> None:
        """Apply one exact move: its cells are withheld, its witnesses credited."""
        cells = np.flatnonzero(d)
        coef = d[cells]
        self.moves.append((cells, coef))
        self.withheld[cells] = True
        np.maximum.at(self.wit_up, cells, np.maximum(coef, 0))
        np.maximum.at(self.wit_down, cells, np.maximum(-coef, 0))


    def local_box(self, i: int, width: int) -> np.ndarray:
        """Cells near ``i`` for the exact fallback: per dimension its code, its ancestors
        and children, and the ``width`` most useful codes on its line (withheld ones
        first, then the cheapest; published zeros, which cannot move, last)."""
        per_dim = []
        for k in range(self.nd):
            c = int(self.t.codes[i, k])
            if self.t.hier[self.t.dims[k]].flat:  # no equation links its codes
                per_dim.append(np.array([c], dtype=np.int64))
                continue
            line = self._line_cost(i, k, self.all_codes[k])
            chain = [c]
            while self.parent[k][chain[-1]] >= 0:
                chain.append(int(self.parent[k][chain[-1]]))
            ranked = np.argsort(line, kind="stable")[:width]
            per_dim.append(np.unique(np.concatenate([chain, self.kids[k][c], ranked]))
                           .astype(np.int64))
        if math.prod(len(p) for p in per_dim) > EXACT_MAX_CELLS:
            return np.zeros(self.t.n, dtype=bool)
        grid = np.meshgrid(*per_dim, indexing="ij")
        keys = sum(g.ravel() * self.look.stride[k] for k, g in enumerate(grid))
        cells = self.look.cells(np.asarray(keys, dtype=np.int64))
        box = np.zeros(self.t.n, dtype=bool)
        box[cells[cells >= 0]] = True
        return box


def _block(table: Table, i: int, flat: list[int]) -> np.ndarray:
    """The cells of ``i``'s table: those with its codes in every flat dimension."""
    if not flat:
        return np.ones(table.n, dtype=bool)
    return (table.codes[:, flat] == table.codes[i, flat]).all(axis=1)


@dataclass
class Suppression:
    """The pattern over the full table's cells, and the moves that protect it."""

    primary: np.ndarray
    withheld: np.ndarray
    #: sensitive cells no pattern fivestar can build protects (the run is refused)
    unresolved: list[int]
    #: every hypercube applied: (cells, signs); see :func:`certificate`
    moves: list[tuple[np.ndarray, np.ndarray]]


def suppress(table: Table, sdc: SDC) -> Suppression:
    """Primary and secondary suppression over the full table's cells."""
    primary = sensitive(table, sdc)
    if sdc.method != Method.suppression or not primary.any():  # rounding alone: nothing withheld
        withheld = primary.copy() if sdc.method == Method.suppression else \
            np.zeros(table.n, dtype=bool)
        return Suppression(primary, withheld, [], [])
    prot = _Protector(table, sdc, primary)
    idx = np.flatnonzero(primary)
    margin_dims = np.zeros(table.n, dtype=np.int64)
    for k, d in enumerate(table.dims):
        margin_dims += ~table.hier[d].is_leaf()[table.codes[:, k]]
    order = idx[np.lexsort((-table.value[idx], -margin_dims[idx]))]
    unresolved: list[int] = []
    flat = [k for k, d in enumerate(table.dims) if table.hier[d].flat]
    for i in order.tolist():
        # No hypercube of what is left is enough (small or sparse tables): the
        # cheapest exact moves within growing boxes of cells around it, then (if
        # it is small enough) within its whole table, found by integer programmes.
        if prot.protect(i):
            continue
        scopes = (prot.local_box(i, w) for w in EXACT_WIDTHS)
        block = _block(table, i, flat)
        if block.sum() <= EXACT_MAX_CELLS:
            scopes = [block]  # small: the whole table at once is the best scope
        if not any(prot.protect_exact(i, scope) for scope in scopes):
            unresolved.append(i)
    # Only what a move changes needs withholding: every witness keeps every other
    # cell at its true value, so a cell no move touches can be published again.
    needed = primary.copy()
    for cells, _ in prot.moves:
        needed[cells] = True
    return Suppression(primary, needed & table.published, unresolved, prot.moves)


def certificate(table: Table, moves: list[tuple[np.ndarray, np.ndarray]]) -> pd.DataFrame:
    """The moves as data the independent audit can check: one row per (move, cell).

    Columns: ``move`` (its number), one per dimension (the cell's codes, as
    categoricals) and ``coef`` (+1 / -1). Each move is a direction in which
    the table can change while every margin equation holds and only withheld
    (or latent) cells change; it carries no value and no step size: the
    audit derives how far the table can move along it from its own truth.
    """
    sizes = np.array([len(c) for c, _ in moves], dtype=np.int64)
    cells = np.concatenate([c for c, _ in moves]) if moves else np.zeros(0, np.int64)
    out: dict[str, object] = {"move": np.repeat(np.arange(len(moves), dtype=np.int32), sizes)}
    for k, d in enumerate(table.dims):
        out[d] = pd.Categorical.from_codes(table.codes[cells, k].astype(np.int32),
                                           categories=table.hier[d].codes)
    out["coef"] = (np.concatenate([s for _, s in moves]) if moves
                   else np.zeros(0)).astype(np.int8)
    return pd.DataFrame(out)


def unprotectable(table: Table, sdc: SDC, cells: list[int], file: str) -> FivestarError:
    """The located refusal for sensitive cells no suppression pattern protects."""
    problems = []
    for i in sorted(cells, key=lambda c: (int(table.source_row[c]) or 1 << 62, c))[:50]:
        where = ", ".join(f"{d}={table.hier[d].codes[table.codes[i, k]]}"
                          for k, d in enumerate(table.dims))
        problems.append(Problem(
            "sdc-unprotectable",
            f"the sensitive cell {where} cannot be protected to the declared interval: even "
            "with every non-zero cell of its table withheld, no suppression pattern keeps its "
            "feasible range that wide (its totals have too few, or too small, other cells). "
            "Lower `protection`, or merge its categories",
            Location(file=file, row=int(table.source_row[i]) or None, field=sdc.measure)))
    if len(cells) > 50:
        problems.append(Problem("sdc-unprotectable", f"… and {len(cells) - 50} more cells",
                                Location(file=file, field=sdc.measure)))
    return FivestarError(problems)


def apply_sdc(table: Table, sdc: SDC, file: str = "",
              sup: Suppression | None = None) -> SDCResult:
    """Suppress (and round) the full table; the published cells as a frame.

    Refuses (a located :class:`FivestarError`) when a sensitive cell cannot be
    protected: publishing it anyway would fail the audit, later and less clearly.
    ``sup``: the pattern, if :func:`suppress` was already run on this table.
    """
    sup = sup if sup is not None else suppress(table, sdc)
    if sup.unresolved:
        raise unprotectable(table, sdc, sup.unresolved, file or "the extract")
    primary, withheld = sup.primary, sup.withheld
    cells = np.flatnonzero(table.published)
    order = np.lexsort(tuple(table.codes[cells, k] for k in range(len(table.dims) - 1, -1, -1)))
    cells = cells[order]
    out = table.frame(sdc.measure, cells)
    hidden = withheld[cells]
    v = table.value[cells].astype(np.int64)
    published = np.where(hidden, 0, v)
    rounded = 0
    if sdc.rounding:
        base = sdc.rounding
        r = (np.floor(published / base + 0.5) * base).astype(np.int64)
        rounded = int((r[~hidden] != published[~hidden]).sum())
        published = r
    col = pd.array(published, dtype="Int64")
    col[hidden] = pd.NA
    out[sdc.measure] = col
    status = np.where(primary[cells] & hidden, PRIMARY, np.where(hidden, SECONDARY, FREE))
    out[STATUS_COLUMN] = pd.array(status, dtype="string")
    secondary = hidden & ~primary[cells]
    return SDCResult(
        df=out, primary=int(primary.sum()), secondary=int(secondary.sum()),
        rounded=rounded, equations=int(table.memberships()["eq"].nunique()) if table.n else 0,
        secondary_value=int(v[secondary].sum()),
        cells_computed=int((table.source_row[cells] == 0).sum()),
        latent_cells=int((~table.published).sum()),
        certificate=certificate(table, sup.moves) if sup.moves else None)
