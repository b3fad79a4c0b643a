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
   information loss of the corners not yet withheld; when no single cube
   moves it far enough, a *sum* of cubes is built greedily, as augmenting
   paths are (each cube keeps the equations, so the sum does, and it is
   added only while every corner stays in range). Later suppressions only
   add unknowns, so every witness stays valid: the pattern is protected by
   construction, and the independent audit (:mod:`audit`) re-proves it with
   integer programmes without using any of this.

   Speed: the candidates are evaluated for a batch of cells at once (numpy
   over a dense key -> cell array): per dimension the elementary vectors of
   the cell's code, ranked on the line through the cell, the best few
   combined; the choice is then made cell by cell against what is withheld
   so far, so later cells reuse earlier secondaries. Cells no candidate
   protects get more candidates in a later round, then the exact stage
   (:func:`_exact`): *face moves* (:mod:`sdc_faces`: one dimension's vector
   times the cheapest move over the cell's whole face, a warm-started linear
   programme), then integer programmes for the cheapest move within boxes
   around the cell, its sub-table (its own, parent, children and sibling
   codes per dimension) and its whole table, within budgets of work (nodes,
   programmes), never of seconds: the same table gives the same pattern on
   any machine.
2a. **Proof of impossibility** first: interval propagation over the margin
   equations with every non-zero cell withheld (:func:`_widest`). A sensitive
   cell it pins narrower than declared is unprotectable by any pattern, and
   the run is refused naming it (the table or the rule must change); no search
   is run for a table that must change. A cell the search leaves is tried
   again with the linear relaxation of the same problem (the integer
   programme for a small table), a stronger proof; the refusal says which
   cells are proved and gives each proof.
3. Optional **rounding** of published counts to a base.

"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix, csr_matrix, hstack

from pipelines.errors import FivestarError, Location, Problem
from pipelines.redaction.hierarchy import Hierarchy
from pipelines.redaction.sdc_faces import Faces, lp_bounds
from pipelines.redaction.tabulate import Table
from pipelines.spec.redaction import SDC, Loss, Method

FREE, PRIMARY, SECONDARY = "F", "C", "D"
STATUS_COLUMN = "conf_status"
#: hypercube rounds: the vectors kept per dimension for each cell (their
#: combinations are its candidate cubes), and the cells evaluated together
ROUNDS = (3, 6, 12)
BATCH_CELLS = {3: 1024, 6: 256, 12: 32}
#: down paths enumerated per subtree, those through a margin code's own subtree,
#: and vectors per code (the nearest siblings first, the root's always kept)
DOWN_PATHS = 256
DOWN_BASES = 32
VECTORS_PER_CODE = 4000
#: key spaces up to this size get a dense cell lookup array
DENSE_KEYS = 50_000_000
BIG = 1 << 60
#: the exact fallback (when no hypercube is enough): branch-and-bound nodes per
#: integer programme, the up/down splits of the protection width it tries, the
#: codes per dimension (beside the cell's own, its ancestors and children) of the
#: boxes it searches, and the programmes in the whole stage (past them, the cells
#: left are refused: fail closed). Work, never seconds: the same table gives the
#: same pattern on a loaded machine and a quiet one.
EXACT_NODES = 200
EXACT_SPLITS = 4
EXACT_WIDTHS = (3, 8)
EXACT_MAX_CELLS = 3000
EXACT_FAMILY_CELLS = 20_000
EXACT_PROGRAMMES = 20_000
#: cells searched over their whole table (one integer programme per move) when
#: faces and boxes fail, and the largest table searched so
EXACT_WHOLE = 8
EXACT_WHOLE_CELLS = 250_000


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
    """Cell number of a mixed-radix key: a dense array when the key space is small."""

    def __init__(self, table: Table) -> None:
        self.radix = table.radix()
        self.stride = np.ones(len(self.radix), dtype=np.int64)
        for k in range(len(self.radix) - 2, -1, -1):
            self.stride[k] = self.stride[k + 1] * self.radix[k + 1]
        keys = table.codes @ self.stride if table.n else np.zeros(0, np.int64)
        self.keys_of_cells = keys
        space = int(np.prod(self.radix.astype(float))) if len(self.radix) else 0
        self.dense: np.ndarray | None = None
        if space <= DENSE_KEYS:
            self.dense = np.full(space + 1, -1, dtype=np.int64)  # last slot: "no cell"
            self.dense[keys] = np.arange(table.n)
        else:
            self.order = np.argsort(keys, kind="stable")
            self.keys = keys[self.order]

    def cells(self, keys: np.ndarray) -> np.ndarray:
        """Cell of each key, -1 where there is none (negative keys: none)."""
        if self.dense is not None:
            return self.dense[np.where(keys >= 0, keys, len(self.dense) - 1)]
        if not len(self.keys):
            return np.full(keys.shape, -1, dtype=np.int64)
        pos = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        return np.where((self.keys[pos] == keys) & (keys >= 0), self.order[pos], -1)


class _Vectors:
    """The elementary vectors of one dimension's tree, per code (built on first use).

    A vector through code ``c`` lists codes and signs: ``c`` and a path down
    from it to a leaf (all +), then up through its ancestors (+) to the
    parent of a sibling branch that goes down to a leaf with sign -, or up to
    the root. Down paths are enumerated (round robin over the children, at
    most ``DOWN_PATHS`` per subtree) rather than chosen, so the choice can be
    made per cell from the costs of its line.
    """

    def __init__(self, hier: Hierarchy) -> None:
        self.parent = hier.parent
        self.kids = hier.children()
        self._down: dict[int, list[list[int]]] = {}
        self._vecs: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def down(self, code: int) -> list[list[int]]:
        if code not in self._down:
            if not self.kids[code]:
                self._down[code] = [[code]]
            else:
                per_child = [self.down(c) for c in self.kids[code]]
                out: list[list[int]] = []
                for j in range(max(len(p) for p in per_child)):
                    out += [[code, *p[j]] for p in per_child if j < len(p)]
                self._down[code] = out[:DOWN_PATHS]
        return self._down[code]

    def of(self, code: int) -> tuple[np.ndarray, np.ndarray]:
        """(codes, signs), each (vectors, length) padded with -1 / 0; the code first."""
        if code in self._vecs:
            return self._vecs[code]
        bases = self.down(code)[:DOWN_BASES]
        vecs: list[tuple[list[int], list[int]]] = []
        root: list[tuple[list[int], list[int]]] = []
        chain = [code]
        while self.parent[chain[-1]] >= 0:
            a = int(self.parent[chain[-1]])
            for s in self.kids[a]:
                if s == chain[-1]:
                    continue
                for branch in self.down(s):
                    for b in bases:
                        vecs.append((b + chain[1:] + branch,
                                     [1] * (len(b) + len(chain) - 1) + [-1] * len(branch)))
            chain.append(a)
        if len(chain) > 1 or len(bases[0]) > 1:  # up to the root (or only down, at a root)
            root = [(b + chain[1:], [1] * (len(b) + len(chain) - 1)) for b in bases]
        # the nearest siblings first, the root's vectors always kept
        vecs = (vecs[:VECTORS_PER_CODE - len(root)] + root) or [([code], [1])]
        width = max(len(c) for c, _ in vecs)
        codes = np.full((len(vecs), width), -1, dtype=np.int64)
        signs = np.zeros((len(vecs), width), dtype=np.int64)
        for j, (c, s) in enumerate(vecs):
            codes[j, :len(c)], signs[j, :len(s)] = c, s
        self._vecs[code] = (codes, signs)
        return codes, signs


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
        self.primary = primary
        self.withheld = primary | lat
        base = np.ones(table.n) if sdc.loss == Loss.cells else v.astype(float) + 1e-3
        # ties go to detailed cells rather than margins
        self.cost = base * (1 + 1e-3 * table.is_margin())
        #: every move applied: (cells, integer coefficients)
        self.moves: list[tuple[np.ndarray, np.ndarray]] = []
        self._equations: csr_matrix | None = None
        #: integer programmes solved by the exact fallback (its budget)
        self.programmes = 0
        self.wit_up = np.zeros(table.n, dtype=np.int64)
        self.wit_down = np.zeros(table.n, dtype=np.int64)
        self.parent = [table.hier[d].parent for d in table.dims]
        self.kids = [table.hier[d].children() for d in table.dims]
        self.all_codes = [np.arange(table.hier[d].size, dtype=np.int64) for d in table.dims]
        self.vectors = [_Vectors(table.hier[d]) for d in table.dims]
        self._needs = self._requirements()

    # -- requirements --------------------------------------------------------
    def _requirements(self) -> np.ndarray:
        """Per cell: how far up and down, and how wide, its interval must reach."""
        p = self.sdc.protection
        x = self.v.astype(float)

        def level(lv) -> np.ndarray:
            return np.ceil(np.maximum(lv.percent / 100.0 * x, float(lv.min)) - 1e-9)

        up = np.minimum(level(p.upper), self.ub - self.v)
        down = np.minimum(level(p.lower), self.v - self.lb)
        width = np.minimum(level(p.width), self.ub - self.lb)
        return np.maximum(np.column_stack([up, down, width]), 0).astype(np.int64)

    def need(self, i: int) -> tuple[int, int, int]:
        up, down, width = self._needs[i].tolist()
        return up, down, width

    def met(self, i: int) -> bool:
        up, down, width = self.need(i)
        u, d = self.wit_up[i], self.wit_down[i]
        return u >= up and d >= down and u + d >= width

    def _line_cost(self, i: int, k: int, codes: np.ndarray) -> np.ndarray:
        keys = self.look.keys_of_cells[i] + (codes - self.t.codes[i, k]) * self.look.stride[k]
        cells = self.look.cells(keys)
        cost = np.where(cells < 0, np.inf, 0.0)
        ok = cells >= 0
        c = cells[ok]
        # a cell that cannot move (a published zero) is no use as a corner
        cost[ok] = np.where(self.lb[c] == self.ub[c], np.inf,
                            np.where(self.withheld[c], 0.0, self.cost[c]))
        return cost

    # -- hypercubes, for a batch of cells at once -----------------------------------
    def _rooms(self, cells: np.ndarray, sign: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """How far each (cell, sign) corner can move with the move's step up and down."""
        safe = np.maximum(cells, 0)
        x, lb, ub = self.v[safe], self.lb[safe], self.ub[safe]
        up = np.where(sign > 0, ub - x, x - lb)
        down = np.where(sign > 0, x - lb, ub - x)
        pad = sign == 0
        return np.where(pad, BIG, up), np.where(pad, BIG, down)

    def _best_vectors(self, batch: np.ndarray, k: int, m: int):
        """Per cell of ``batch``, its ``m`` cheapest useful vectors in dimension ``k``.

        Ranked on the line through the cell (the other dimensions at its codes):
        vectors whose line can move as far as the cell needs first, then by the
        information loss of the line's cells not yet withheld.
        """
        own = self.t.codes[batch, k]
        widths = [self.vectors[k].of(int(c))[0].shape[1] for c in np.unique(own)]
        width = max(widths)
        codes_out = np.full((len(batch), m, width), -1, dtype=np.int64)
        signs_out = np.zeros((len(batch), m, width), dtype=np.int64)
        ok_out = np.zeros((len(batch), m), dtype=bool)
        for c in np.unique(own):
            rows = np.flatnonzero(own == c)
            vc, vs = self.vectors[k].of(int(c))
            keys = (self.look.keys_of_cells[batch[rows]][:, None, None]
                    + (vc[None] - c) * self.look.stride[k])
            keys = np.where(vc[None] >= 0, keys, -1)
            cells = self.look.cells(keys)
            sign = np.broadcast_to(vs[None], cells.shape)
            missing = ((vc[None] >= 0) & (cells < 0)).any(axis=2)
            safe = np.maximum(cells, 0)
            fixed = (self.lb[safe] == self.ub[safe]) & (sign != 0)
            step = np.where((sign != 0) & ~self.withheld[safe], self.cost[safe], 0.0)
            cost = step[:, :, 1:].sum(axis=2)
            cost[missing | fixed.any(axis=2)] = np.inf
            up, down = self._rooms(cells, sign)
            i = batch[rows]
            # what the line can move the cell by, within the cell's own range
            up = np.minimum(up.min(axis=2), (self.ub[i] - self.v[i])[:, None])
            down = np.minimum(down.min(axis=2), (self.v[i] - self.lb[i])[:, None])
            req = self._needs[i]
            enough = (up >= req[:, [0]]) & (down >= req[:, [1]]) & (up + down >= req[:, [2]])
            cost[(up <= 0) & (down <= 0)] = np.inf
            reach = np.minimum(up, req[:, [2]]) + np.minimum(down, req[:, [2]])
            # enough first, then the cheapest, then (among equals) the farthest reaching
            order = np.lexsort((-reach, cost, ~enough), axis=1)[:, :m]
            n = order.shape[1]
            vw = vc.shape[1]
            codes_out[rows, :n, :vw] = vc[order]
            signs_out[rows, :n, :vw] = vs[order]
            ok_out[rows, :n] = np.isfinite(np.take_along_axis(cost, order, axis=1))
        return codes_out, signs_out, ok_out

    def _cubes(self, batch: np.ndarray, m: int):
        """Every combination of the cells' best vectors: corners, signs, step capacities."""
        nd = len(self.t.dims)
        per = [self._best_vectors(batch, k, m) for k in range(nd)]
        b = len(batch)
        widths = [p[0].shape[2] for p in per]
        shape = (b, *[m] * nd, *widths)
        key = np.zeros(shape, dtype=np.int64)
        sign = np.ones(shape, dtype=np.int64)
        valid = np.ones(shape, dtype=bool)
        ok = np.ones((b, *[m] * nd), dtype=bool)
        for k, (codes, signs, good) in enumerate(per):
            view = [1] * (1 + 2 * nd)
            view[0], view[1 + k], view[1 + nd + k] = b, m, widths[k]
            ck = codes.reshape(view)
            key = key + np.where(ck >= 0, ck, 0) * self.look.stride[k]
            sign = sign * signs.reshape(view)
            valid = valid & (ck >= 0)
            okv = [1] * (1 + nd)
            okv[0], okv[1 + k] = b, m
            ok = ok & good.reshape(okv)
        n_cubes = m ** nd
        key, sign, valid = (a.reshape(b, n_cubes, -1) for a in (key, sign, valid))
        cells = np.where(valid, self.look.cells(np.where(valid, key, -1)), -1)
        ok = ok.reshape(b, n_cubes) & ~(valid & (cells < 0)).any(axis=2)
        sign = np.where(valid, sign, 0)
        up, down = self._rooms(cells, sign)
        return cells, sign, ok, up.min(axis=2), down.min(axis=2)

    def protect_batch(self, batch: np.ndarray, m: int) -> np.ndarray:
        """Protect each cell of ``batch`` (in order) by its cheapest hypercube or pair.

        The candidates are evaluated for the whole batch at once; the choice is
        made cell by cell, so a cell reuses what earlier cells withheld.
        Returns the cells no candidate protects.
        """
        todo = np.array([i for i in batch.tolist() if not self.met(i)], dtype=np.int64)
        if not len(todo):
            return todo
        cells, sign, ok, cube_up, cube_down = self._cubes(todo, m)
        failed = []
        for j, i in enumerate(todo.tolist()):
            if self.met(i):
                continue
            c = cells[j]
            safe = np.maximum(c, 0)
            cost = np.where((sign[j] != 0) & ~self.withheld[safe], self.cost[safe], 0.0).sum(1)
            cost[~ok[j]] = np.inf
            if not self._choose(i, c, sign[j], cost, cube_up[j], cube_down[j]):
                failed.append(i)
        return np.array(failed, dtype=np.int64)

    def _choose(self, i: int, cells, sign, cost, up, down) -> bool:
        u_req, d_req, w_req = self.need(i)
        wu, wd = int(self.wit_up[i]), int(self.wit_down[i])
        up = np.minimum(up, self.ub[i] - self.v[i])
        down = np.minimum(down, self.v[i] - self.lb[i])
        finite = np.isfinite(cost)
        u_all, d_all = np.maximum(up, wu), np.maximum(down, wd)
        single = finite & (u_all >= u_req) & (d_all >= d_req) & (u_all + d_all >= w_req)
        if single.any():
            j = int(np.argmin(np.where(single, cost, np.inf)))
            self.apply(cells[j], sign[j], int(up[j]), int(down[j]))
            return True
        # No single cube: sums of cubes, one direction at a time (see _augment)
        for u in range(u_req, max(u_req, w_req) + 1):
            need_d = max(d_req, w_req - u)
            if u > self.ub[i] - self.v[i] or need_d > self.v[i] - self.lb[i]:
                continue
            moves = []
            if wu < u:
                moves.append(self._augment(cells, sign, finite, 1, u))
            if wd < need_d:
                moves.append(self._augment(cells, sign, finite, -1, need_d))
            if all(mv is not None for mv in moves):
                for mv in moves:
                    self.record(*mv)
                return True
        return False

    def _augment(self, cells, sign, usable, direction: int, target: int):
        """A move changing the cell by ``direction * target``, as a sum of cubes.

        Greedy, as augmenting paths are: add the cube (oriented so the cell
        moves in ``direction``) with the least new information loss per unit
        of step that the sum so far still leaves room for, until the cell has
        moved ``target``. Each cube keeps every margin equation, so the sum
        does; its cells stay in range by construction. None if it gets stuck.
        """
        cells, sign = cells[usable], sign[usable] * direction
        if not len(cells):
            return None
        safe = np.maximum(cells, 0)
        x, lb, ub = self.v[safe], self.lb[safe], self.ub[safe]
        base_cost = np.where((sign != 0) & ~self.withheld[safe], self.cost[safe], 0.0)
        delta = np.zeros(cells.shape, dtype=np.int64)  # the sum so far, at each corner
        total: dict[int, int] = {}
        got = 0
        while got < target:
            now = x + delta
            room = np.where(sign > 0, ub - now, np.where(sign < 0, now - lb, BIG))
            step = np.minimum(room.min(axis=1), target - got)
            cost = np.where(delta == 0, base_cost, 0.0).sum(axis=1)
            good = step >= 1
            if not good.any():
                return None
            j = int(np.argmin(np.where(good, cost / np.maximum(step, 1), np.inf)))
            t = int(step[j])
            keep = sign[j] != 0
            for c, sg in zip(cells[j][keep].tolist(), sign[j][keep].tolist(), strict=True):
                total[c] = total.get(c, 0) + t * sg
            # every cube's corners on those cells see the new sum
            moved = np.isin(safe, cells[j][keep]) & (sign != 0)
            delta[moved] = np.array([total[c] for c in safe[moved].tolist()], dtype=np.int64)
            got += t
        out = np.array([c for c, d in total.items() if d], dtype=np.int64)
        return out, np.array([total[c] for c in out.tolist()], dtype=np.int64)

    def apply(self, cells: np.ndarray, sign: np.ndarray, up: int, down: int) -> None:
        keep = sign != 0
        c, s = cells[keep], sign[keep]
        self.moves.append((c.copy(), s.copy()))
        self.withheld[c] = True
        # every corner gets witnesses: moved by s*up and by -s*down
        np.maximum.at(self.wit_up, c, np.where(s > 0, up, down))
        np.maximum.at(self.wit_down, c, np.where(s > 0, down, up))

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
        self.programmes += 1
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
                   options={"node_limit": EXACT_NODES, "mip_rel_gap": 0.25})
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

    def protect_exact(self, i: int, find) -> bool:
        """Protect ``i`` by exact moves: ``find(target)`` gives a checked move changing
        the cell by ``target``, or None (a face move, or the cheapest in a scope).

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
                found[target] = find(target)
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
                    self.record(np.flatnonzero(d), d[np.flatnonzero(d)])
            return True
        return False

    def record(self, cells: np.ndarray, coef: np.ndarray) -> None:
        """Apply one move: its cells are withheld, its witnesses credited."""
        self.moves.append((cells, coef))
        self.withheld[cells] = True
        np.maximum.at(self.wit_up, cells, np.maximum(coef, 0))
        np.maximum.at(self.wit_down, cells, np.maximum(-coef, 0))

    def local_box(self, i: int, width: int | None) -> np.ndarray:
        """Cells near ``i`` for the exact fallback: per dimension its code, its ancestors
        and children, and the ``width`` most useful codes on its line (withheld ones
        first, then the cheapest; published zeros, which cannot move, last), or with
        ``width=None`` its siblings (the cell's sub-table of every dimension's tree:
        where moves too long for a box run, e.g. through many small cells)."""
        per_dim = []
        for k in range(self.nd):
            c = int(self.t.codes[i, k])
            if self.t.hier[self.t.dims[k]].flat:  # no equation links its codes
                per_dim.append(np.array([c], dtype=np.int64))
                continue
            chain = [c]
            while self.parent[k][chain[-1]] >= 0:
                chain.append(int(self.parent[k][chain[-1]]))
            if width is None:
                near = self.kids[k][chain[1]] if len(chain) > 1 else []
            else:
                near = np.argsort(self._line_cost(i, k, self.all_codes[k]),
                                  kind="stable")[:width]
            per_dim.append(np.unique(np.concatenate([chain, self.kids[k][c], near]))
                           .astype(np.int64))
        cap = EXACT_MAX_CELLS if width is not None else EXACT_FAMILY_CELLS
        if math.prod(len(p) for p in per_dim) > cap:
            return np.zeros(self.t.n, dtype=bool)
        grid = np.meshgrid(*per_dim, indexing="ij")
        keys = sum(g.ravel() * self.look.stride[k] for k, g in enumerate(grid))
        cells = self.look.cells(np.asarray(keys, dtype=np.int64))
        box = np.zeros(self.t.n, dtype=bool)
        box[cells[cells >= 0]] = True
        return box


def _widest(table: Table, prot: _Protector, rounds: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """Bounds every cell keeps whatever is withheld: interval propagation to a fixpoint.

    Start from the widest knowledge any pattern leaves an attacker: a
    sensitive cell in its range, every other non-zero (or latent) cell only
    non-negative, a published zero fixed. Then tighten along every margin
    equation (a total lies between the sums of its parts' bounds; a part
    between the total's bounds minus the others'). Every feasible table of
    every pattern lies inside the result, so a sensitive cell whose result is
    narrower than its protection is unprotectable by any suppression: a proof,
    found in a few sparse passes, that needs no solver.
    """
    lo = prot.lb.astype(float)
    hi = np.where(prot.ub >= BIG, np.inf, prot.ub).astype(float)
    if prot.sdc.zero == "publish":  # a D cell is 0 or >= threshold: relaxed to >= 0
        lo[(prot.lb < prot.ub) & ~prot.primary] = 0.0
    m = table.memberships()
    if not len(m):
        return lo, hi
    cell, eq = m["cell"].to_numpy(), m["eq"].to_numpy()
    par = m["is_parent"].to_numpy()
    n_eq = int(eq.max()) + 1
    kid_cell, kid_eq = cell[~par], eq[~par]
    p_of = np.zeros(n_eq, dtype=np.int64)
    p_of[eq[par]] = cell[par]
    for _ in range(rounds):
        lo0, hi0 = lo.copy(), hi.copy()
        klo, khi = lo[kid_cell], hi[kid_cell]
        inf = np.isinf(khi)
        sum_lo = np.bincount(kid_eq, weights=klo, minlength=n_eq)
        n_inf = np.bincount(kid_eq, weights=inf, minlength=n_eq)
        sum_hi = np.bincount(kid_eq, weights=np.where(inf, 0.0, khi), minlength=n_eq)
        total_hi = np.where(n_inf > 0, np.inf, sum_hi)
        np.maximum.at(lo, p_of, sum_lo)
        np.minimum.at(hi, p_of, total_hi)
        plo, phi = lo[p_of[kid_eq]], hi[p_of[kid_eq]]
        others_lo = sum_lo[kid_eq] - klo
        others_inf = n_inf[kid_eq] - inf
        others_hi = np.where(others_inf > 0, np.inf,
                             sum_hi[kid_eq] - np.where(inf, 0.0, khi))
        np.minimum.at(hi, kid_cell, phi - others_lo)
        with np.errstate(invalid="ignore"):
            np.maximum.at(lo, kid_cell, np.where(np.isinf(others_hi), -np.inf,
                                                 plo - others_hi))
        if np.array_equal(lo, lo0) and np.array_equal(hi, hi0):
            break
    return lo, hi


def _short(prot: _Protector, cells: np.ndarray, lo: np.ndarray,
           hi: np.ndarray) -> np.ndarray:
    """Which of ``cells`` the outer bounds ``lo..hi`` leave short of their protection."""
    req = prot._needs[cells]
    x = prot.v[cells]
    return (hi < x + req[:, 0]) | (lo > x - req[:, 1]) | (hi - lo < req[:, 2])


def _structural(table: Table, prot: _Protector, cells: np.ndarray) -> tuple[np.ndarray, dict]:
    """Which of ``cells`` no pattern can protect (proved by :func:`_widest`), and the
    proof of each: the width its bounds leave (never a value)."""
    lo, hi = _widest(table, prot)
    short = _short(prot, cells, lo[cells], hi[cells])
    proofs = {int(i): ("bound propagation along its margin equations", hi[i] - lo[i])
              for i in cells[short].tolist()}
    return short, proofs


def _lp_structural(table: Table, prot: _Protector, cells: list[int]) -> dict:
    """The cells of ``cells`` the linear relaxation proves unprotectable, with the proof.

    The relaxation of the attacker's problem with every non-zero cell withheld
    (bounds: :func:`_widest`'s, themselves valid for every pattern) contains every
    table any pattern leaves feasible, so its interval holds the cell's in every
    pattern; rounded outwards (integers, with a tolerance) before it is compared.
    A small table gets the integer programme itself (its dual bounds, valid even
    when the node limit stops it early).
    """
    lo, hi = _widest(table, prot)
    integer = table.n <= EXACT_MAX_CELLS
    bounds = lp_bounds(prot.equations(), lo, hi, cells, integer=integer)
    how = ("the attacker's integer programme (its branch-and-bound bounds)" if integer
           else "the linear relaxation of the attacker's problem")
    out = {}
    for i, (low, high) in bounds.items():
        low, high = math.ceil(low - 1e-6), math.floor(high + 1e-6)
        if _short(prot, np.array([i]), np.array([low]), np.array([high]))[0]:
            out[i] = (how, high - low)
    return out


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
    #: sensitive cells no pattern fivestar built protects (the run is refused)
    unresolved: list[int]
    #: every hypercube applied: (cells, signs); see :func:`certificate`
    moves: list[tuple[np.ndarray, np.ndarray]]
    #: of ``unresolved``, those proved unprotectable by any pattern
    structural: list[int] = field(default_factory=list)
    #: the proof per proved cell: (method, the widest range it leaves; never a value)
    proofs: dict[int, tuple[str, float]] = field(default_factory=dict)
    #: programmes the exact stage solved (faces, boxes, whole tables, proofs)
    programmes: int = 0


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
    # First the cells no pattern can protect (a proof, no search): the run is
    # refused for them, and nothing else is searched, since the table must change.
    short, proofs = _structural(table, prot, order)
    if short.any():
        proved = order[short].tolist()
        return Suppression(primary, primary & table.published, proved, [],
                           structural=proved, proofs=proofs)
    # Hypercubes, for batches of cells at once, with more candidates per round
    # for the cells the previous one could not protect; then exact moves for what
    # is left (:func:`_exact`).
    pending = order
    for m in ROUNDS:
        step = BATCH_CELLS[m]
        pending = np.concatenate([prot.protect_batch(pending[s:s + step], m)
                                  for s in range(0, len(pending), step)] or [pending[:0]])
    unresolved, faces = _exact(table, prot, pending)
    proofs = _lp_structural(table, prot, unresolved) if unresolved else {}
    # Only what a move changes needs withholding: every witness keeps every other
    # cell at its true value, so a cell no move touches can be published again.
    needed = primary.copy()
    for cells, _ in prot.moves:
        needed[cells] = True
    return Suppression(primary, needed & table.published, unresolved, prot.moves,
                       structural=[i for i in unresolved if i in proofs], proofs=proofs,
                       programmes=prot.programmes + faces.programmes)


def _exact(table: Table, prot: _Protector, pending: np.ndarray) -> tuple[list[int], Faces]:
    """Exact moves for the cells hypercubes leave, cheapest search first.

    Per cell: face moves (:mod:`sdc_faces`: a vector of one dimension times a
    linear programme over the cell's face), then the cheapest move by integer
    programmes within growing boxes of cells around it (or its whole table if
    that is small), then over its whole table for the first ``EXACT_WHOLE`` such
    cells. Within ``EXACT_PROGRAMMES`` programmes; the cells left are returned.
    """
    faces = Faces(prot)
    unresolved: list[int] = []
    flat = [k for k, d in enumerate(table.dims) if table.hier[d].flat]
    whole = 0
    for i in pending.tolist():
        if prot.met(i):
            continue
        if prot.programmes + faces.programmes > EXACT_PROGRAMMES:
            unresolved.append(i)
            continue
        if prot.protect_exact(i, lambda target, i=i: faces.find(i, target)):
            continue
        block = _block(table, i, flat)
        size = int(block.sum())

        def scopes(i=i, block=block, size=size):
            nonlocal whole
            if size <= EXACT_MAX_CELLS:
                yield block  # small: the whole table at once is the best scope
                return
            for w in (*EXACT_WIDTHS, None):
                yield prot.local_box(i, w)
            if whole < EXACT_WHOLE and size <= EXACT_WHOLE_CELLS:
                whole += 1
                yield block

        if not any(prot.protect_exact(i, lambda target, s=scope, i=i:
                                      prot._cheapest_move(i, s, target))
                   for scope in scopes()):
            unresolved.append(i)
    return unresolved, faces


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


def unprotectable(table: Table, sdc: SDC, cells: list[int], file: str | None = None,
                  structural: list[int] | None = None,
                  proofs: dict[int, tuple[str, float]] | None = None) -> FivestarError:
    """The located refusal for sensitive cells no suppression pattern protects.

    Each cell says why: either it is *proved* unprotectable (whatever is
    withheld, the margins and what the statuses reveal pin it to a narrower
    range than declared: only a change to the table or the rule helps), or
    fivestar's search did not find a pattern within its limits.
    """
    proved = set(structural or [])
    problems = []
    for i in sorted(cells, key=lambda c: (c not in proved,
                                          int(table.source_row[c]) or 1 << 62, c))[:50]:
        where = ", ".join(f"{d}={table.hier[d].codes[table.codes[i, k]]}"
                          for k, d in enumerate(table.dims))
        if i in proved:
            how, width = (proofs or {}).get(i, ("bound propagation", math.nan))
            bound = (f"no more than {int(width)} wide" if np.isfinite(width)
                     else "short of the declared upper or lower protection")
            message = (f"the sensitive cell {where} cannot be protected to the declared "
                       "interval by any suppression pattern: even with every non-zero cell "
                       "of the table withheld, its totals and the other cells' known ranges "
                       f"pin it to a narrower range (its totals have too few, or too small, "
                       f"other cells). Proof: {how} bounds every feasible value of the cell "
                       f"to a range {bound}, whatever is withheld. Publish a coarser level "
                       "(merge the category with a neighbour, or drop a level of the "
                       "hierarchy), declare a smaller `protection`, or `zero: suppress`")
        else:
            message = (f"fivestar found no suppression pattern protecting the sensitive cell "
                       f"{where} to the declared interval within its search limits (one may "
                       "exist). Merge its category with a neighbour or declare a smaller "
                       "`protection`")
        problems.append(Problem("sdc-unprotectable", message,
                                Location(file=file, row=int(table.source_row[i]) or None,
                                         field=sdc.measure)))
    if len(cells) > 50:
        n_proved = len(proved & set(cells))
        problems.append(Problem("sdc-unprotectable", f"… and {len(cells) - 50} more cells "
                                f"({n_proved} of all {len(cells)} proved unprotectable)",
                                Location(file=file, field=sdc.measure)))
    return FivestarError(problems)


def apply_sdc(table: Table, sdc: SDC, file: str | None = None,
              sup: Suppression | None = None) -> SDCResult:
    """Suppress (and round) the full table; the published cells as a frame.

    Refuses (a located :class:`FivestarError`) when a sensitive cell cannot be
    protected: publishing it anyway would fail the audit, later and less clearly.
    Its rows are those of the frame tabulated; ``file`` None leaves naming the
    source file to the shell (:func:`pipelines.gates.redact`).
    ``sup``: the pattern, if :func:`suppress` was already run on this table.
    """
    sup = sup if sup is not None else suppress(table, sdc)
    if sup.unresolved:
        raise unprotectable(table, sdc, sup.unresolved, file, sup.structural, sup.proofs)
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
