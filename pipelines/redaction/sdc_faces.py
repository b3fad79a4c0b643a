"""Exact moves for the sensitive cells hypercubes leave: faces, and the proof of the rest.

A hypercube is the tensor product of one elementary vector per dimension. A
*face move* keeps one factor, an elementary vector ``v`` of dimension ``k``
through the cell's code (e.g. offence ``O33 - O36``: two sibling codes), and
replaces all the others by a general integer move ``f`` over the cell's
*face*: every cell with the cell's code in dimension ``k`` (an area x quarter
sub-table, with all its margins). ``d = v (x) f`` keeps every margin equation
of dimension ``k`` (``v`` does) and of the others (``f`` does, in each copy
of the face), so it is a move; each of its cells stays in range when ``f``'s
entry does on every copy, which bounds ``f`` cell by cell. Finding the
cheapest ``f`` that moves the cell by the target is a linear programme over
one face (a few thousand columns), where a hypercube is a single product of
paths: this is what protects a rare category whose cells are all 0 or 1, for
which every move has to wind through many areas and quarters.

The programmes are solved by HiGHS (``highspy``) with a warm start: a face's
model is built once and only the pinned cell's bounds and the costs (what is
already withheld is nearly free) change between solves, so each solve takes
milliseconds. A vertex that is not integral (faces of three or more
dimensions need not be totally unimodular) is re-solved as an integer
programme with a node limit. Every move is checked exactly before it is used.

Budgets are work, never seconds (node and programme counts), so the same
table gives the same pattern on a loaded machine and a quiet one.

For a cell nothing protects, :func:`lp_bounds` gives the proof that none
can: the linear relaxation of the attacker's problem with every non-zero cell
withheld contains every table any pattern leaves feasible, so if its interval
for the cell is narrower than declared, no pattern protects the cell.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING

import numpy as np
from highspy import _core as highs  # the HiGHS bindings (the public subclass prints a banner)
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_matrix, hstack

if TYPE_CHECKING:  # pragma: no cover
    from pipelines.redaction.sdc import _Protector

#: elementary vectors tried per dimension (ranked by the room of their copies)
FACE_VECTORS = 3
#: vectors ranked per code (the nearest first), array elements per ranking chunk,
#: and face models kept warm
FACE_RANKED = 400
SCORE_ELEMENTS = 2_000_000
FACE_MODELS = 64
#: branch-and-bound nodes for one integer programme (a fractional face vertex)
FACE_NODES = 500
#: the largest step a move may give a cell with no upper bound, in thresholds
STEP_CAP = 4


def _lp(a: csr_matrix, upper: np.ndarray, lower: np.ndarray | None = None) -> highs._Highs:
    """A HiGHS model ``a x = 0``, ``lower <= x <= upper``, zero costs, silent."""
    h = highs._Highs()
    h.setOptionValue("output_flag", False)
    # one thread and a fixed seed: the same model gives the same vertex everywhere
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", 0)
    n = a.shape[1]
    csc = a.tocsc()
    lp = highs.HighsLp()
    lp.num_col_, lp.num_row_ = n, a.shape[0]
    lp.col_cost_ = np.zeros(n)
    lp.col_lower_ = np.zeros(n) if lower is None else lower
    lp.col_upper_ = upper
    lp.row_lower_ = np.zeros(a.shape[0])
    lp.row_upper_ = np.zeros(a.shape[0])
    lp.a_matrix_.format_ = highs.MatrixFormat.kColwise
    lp.a_matrix_.start_ = csc.indptr
    lp.a_matrix_.index_ = csc.indices
    lp.a_matrix_.value_ = csc.data
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n, a.shape[0]
    h.passModel(lp)
    return h


def _solve(h: highs._Highs) -> np.ndarray | None:
    h.run()
    if h.getModelStatus() != highs.HighsModelStatus.kOptimal:
        return None
    return np.asarray(h.getSolution().col_value, dtype=float)


class Faces:
    """Face moves over one full table (see the module docstring)."""

    def __init__(self, prot: _Protector) -> None:
        self.p = prot
        self.a = prot.equations().tocsr()
        self.a_csc = self.a.tocsc()
        self.row_nnz = np.diff(self.a.indptr)
        self._planes: dict[tuple[int, int], tuple[np.ndarray, csr_matrix]] = {}
        self._scores: dict[tuple[int, int, int], np.ndarray] = {}
        self._models: OrderedDict[tuple, tuple[highs._Highs, np.ndarray]] = OrderedDict()
        #: programmes solved (linear and integer), for the report and the budget
        self.programmes = 0

    def plane(self, k: int, code: int) -> tuple[np.ndarray, csr_matrix]:
        """The face: cells with ``code`` in dimension ``k``, and the equations inside it."""
        key = (k, code)
        if key not in self._planes:
            cells = np.flatnonzero(self.p.t.codes[:, k] == code)
            sub = self.a_csc[:, cells].tocsr()
            inside = np.diff(sub.indptr)
            rows = np.flatnonzero((inside == self.row_nnz) & (inside > 0))
            self._planes[key] = (cells, sub[rows])
        return self._planes[key]

    def _copies(self, k: int, cells: np.ndarray, codes: np.ndarray) -> np.ndarray:
        """The cell of every face cell with ``codes`` in dimension ``k`` (-1: none)."""
        p = self.p
        own = p.t.codes[cells[0], k]
        keys = p.look.keys_of_cells[cells] + (codes[..., None] - own) * p.look.stride[k]
        return np.where(codes[..., None] >= 0, p.look.cells(keys), -1)

    def _room(self, cells: np.ndarray, sign: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """How far each copy can follow ``f`` up and down (0 where the cell is missing)."""
        p = self.p
        safe = np.maximum(cells, 0)
        x, lb, ub = p.v[safe], p.lb[safe], p.ub[safe]
        cap = STEP_CAP * p.sdc.threshold
        up = np.minimum(np.where(sign > 0, ub - x, x - lb), cap)
        down = np.minimum(np.where(sign > 0, x - lb, ub - x), cap)
        missing = (cells < 0) & (sign != 0)
        pad = sign == 0
        up = np.where(missing, 0, np.where(pad, cap, up))
        down = np.where(missing, 0, np.where(pad, cap, down))
        return up, down

    def vectors(self, i: int, k: int, target: int) -> list[tuple[np.ndarray, np.ndarray]]:
        """The ``FACE_VECTORS`` vectors of dimension ``k`` through the cell's code whose
        copies have the most room (the cell's own code first in each)."""
        p = self.p
        code = int(p.t.codes[i, k])
        vc, vs = p.vectors[k].of(code)
        vc, vs = vc[:FACE_RANKED], vs[:FACE_RANKED]
        key = (k, code, abs(target))
        if key not in self._scores:
            cells, _ = self.plane(k, code)
            score = -1e-2 * (vc >= 0).sum(axis=1)
            # in chunks of vectors, so that a large face never needs a large array
            step = max(1, SCORE_ELEMENTS // max(1, vc.shape[1] * len(cells)))
            for s in range(0, len(vc) if vc.shape[1] > 1 else 0, step):
                copies = self._copies(k, cells, vc[s:s + step, 1:])  # (vectors, codes, face)
                up, down = self._room(copies, vs[s:s + step, 1:, None])
                room = np.minimum(up.min(axis=1), down.min(axis=1))
                score[s:s + step] += np.minimum(room, abs(target)).sum(axis=1)
            self._scores[key] = np.argsort(-score, kind="stable")[:FACE_VECTORS]
        out = []
        for j in self._scores[key].tolist():
            keep = vc[j] >= 0
            out.append((vc[j][keep], vs[j][keep]))
        return out

    def _model(self, key: tuple, a: csr_matrix, cap_up: np.ndarray, cap_down: np.ndarray):
        if key in self._models:
            self._models.move_to_end(key)
            return self._models[key]
        caps = np.concatenate([cap_up, cap_down]).astype(float)
        model = (_lp(hstack([a, -a]).tocsr(), caps), caps)
        self._models[key] = model
        if len(self._models) > FACE_MODELS:
            self._models.popitem(last=False)
        return model

    def move(self, i: int, k: int, vc: np.ndarray, vs: np.ndarray,
             target: int) -> np.ndarray | None:
        """The cheapest face move ``v (x) f`` with ``d[i] == target``, checked; or None."""
        p = self.p
        code = int(p.t.codes[i, k])
        cells, a = self.plane(k, code)
        copies = self._copies(k, cells, vc)  # (codes, face)
        up, down = self._room(copies, vs[:, None])
        cap_up, cap_down = up.min(axis=0), down.min(axis=0)
        pos = int(np.searchsorted(cells, i))
        if (cap_up[pos] if target > 0 else cap_down[pos]) < abs(target):
            return None
        safe = np.maximum(copies, 0)
        w = np.where(p.withheld[safe], 1e-4, p.cost[safe]).sum(axis=0)
        m = len(cells)
        h, caps = self._model((k, code, vc.tobytes(), vs.tobytes()), a, cap_up, cap_down)
        h.changeColsCost(2 * m, np.arange(2 * m, dtype=np.int32), np.concatenate([w, w]))
        pin = np.array([pos, m + pos], dtype=np.int32)
        fixed = np.array([max(target, 0), max(-target, 0)], dtype=float)
        h.changeColsBounds(2, pin, fixed, fixed)
        self.programmes += 1
        x = _solve(h)
        h.changeColsBounds(2, pin, np.zeros(2), caps[pin])
        if x is None:
            return None
        if np.abs(x - np.rint(x)).max() > 1e-6:  # a fractional vertex: the integer programme
            x = self._integer(a, caps, np.concatenate([w, w]), pin, fixed)
            if x is None:
                return None
        f = np.rint(x[:m] - x[m:]).astype(np.int64)
        nz = np.flatnonzero(f)
        d = np.zeros(p.t.n, dtype=np.int64)
        for j in range(len(vc)):
            if (copies[j, nz] < 0).any():
                return None
            np.add.at(d, copies[j, nz], vs[j] * f[nz])
        return d if self.check(d, i, target) else None

    def _integer(self, a, caps, cost, pin, fixed) -> np.ndarray | None:
        lo, hi = np.zeros(len(caps)), caps.copy()
        lo[pin], hi[pin] = fixed, fixed
        self.programmes += 1
        out = milp(cost, constraints=[LinearConstraint(hstack([a, -a]).tocsr(), 0, 0)],
                   integrality=np.ones(len(caps)), bounds=Bounds(lo, hi),
                   options={"node_limit": FACE_NODES, "mip_rel_gap": 0.25})
        return out.x

    def check(self, d: np.ndarray, i: int, target: int) -> bool:
        """Trust nothing: the move balances every equation and keeps every cell in range."""
        p = self.p
        moved = np.flatnonzero(d)
        nv = p.v[moved] + d[moved]
        return bool(d[i] == target and not (self.a @ d).any() and (nv >= p.lb[moved]).all()
                    and (nv <= p.ub[moved]).all())

    def find(self, i: int, target: int) -> np.ndarray | None:
        """A face move for ``i``: the dimensions with the smallest faces first."""
        p = self.p
        dims = [k for k in range(p.nd) if not p.t.hier[p.t.dims[k]].flat]
        dims.sort(key=lambda k: len(self.plane(k, int(p.t.codes[i, k]))[0]))
        for k in dims:
            found = [d for vc, vs in self.vectors(i, k, target)
                     if (d := self.move(i, k, vc, vs, target)) is not None]
            if found:  # the least information loss of the dimension's candidates
                return min(found, key=self.loss)
        return None

    def loss(self, d: np.ndarray) -> float:
        """Information loss a move adds: the cost of the cells it withholds anew."""
        moved = np.flatnonzero(d)
        return float(self.p.cost[moved][~self.p.withheld[moved]].sum())


def lp_bounds(a: csr_matrix, lo: np.ndarray, hi: np.ndarray, cells: list[int],
              integer: bool = False) -> dict[int, tuple[float, float]]:
    """Outer bounds of each of ``cells`` over ``a x = 0``, ``lo <= x <= hi`` (``hi``
    may be infinite): the linear relaxation's min and max (one warm-started model for
    all cells), or with ``integer`` the integer programme's dual bounds (valid when
    its node limit stops it). A cell with no bound found is left out (no proof)."""
    if integer:
        return {i: b for i in cells if (b := _ip_bounds(a, lo, hi, i)) is not None}
    h = _lp(a, np.where(np.isfinite(hi), hi, highs.kHighsInf), lo)
    n = a.shape[1]
    out: dict[int, tuple[float, float]] = {}
    every = np.arange(n, dtype=np.int32)
    for i in cells:
        ends = []
        for sign in (1.0, -1.0):
            c = np.zeros(n)
            c[i] = sign
            h.changeColsCost(n, every, c)
            x = _solve(h)
            ends.append(None if x is None else float(x[i]))
        if None not in ends:
            out[i] = (ends[0], ends[1])
    return out


def _ip_bounds(a: csr_matrix, lo: np.ndarray, hi: np.ndarray, i: int):
    ends = []
    for sign in (1.0, -1.0):
        c = np.zeros(a.shape[1])
        c[i] = sign
        out = milp(c, constraints=[LinearConstraint(a, 0, 0)], integrality=np.ones(len(c)),
                   bounds=Bounds(lo, hi), options={"node_limit": FACE_NODES})
        bound = getattr(out, "mip_dual_bound", None)
        if out.status not in (0, 1) or bound is None or not np.isfinite(bound):
            return None
        ends.append(sign * float(bound))
    return ends[0], ends[1]
