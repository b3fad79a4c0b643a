"""The independent disclosure audit: every primary cell's feasible interval, proved.

Independent on purpose: nothing here comes from the modules that protected
the table (``hierarchy``, ``tabulate``, ``sdc``, ``cellkey``). It re-reads
the hierarchies from the spec and the SKOS files, re-derives the full table
(every margin, and the latent cells of linked tables) from the unprotected
extract with its own code, and then plays the attacker: an exact integer
programme over everything published (published counts as constants, rounded
counts as their rounding intervals, every margin equation across all linked
tables, non-negativity, integrality, and what the status codes reveal: a
``C`` cell lies in its sensitive range, a ``D`` cell is 0 or at least the
threshold).

Soundness. A cell passes only on *integer witnesses*: feasible integer
tables, checked exactly in integer arithmetic after the solver returns, whose
values of the cell span the declared protection. The attacker's interval
contains every witness, so it is at least that wide. Witnesses are searched
first in a small box of unknowns around each cell with every other unknown
held at its true value (a restriction of the attacker's problem: its
solutions are solutions of the whole), solved in batches of independent
blocks by HiGHS (``scipy.optimize.milp``); a cell the box cannot prove is
solved exactly on its whole connected component of unknowns (published cells
constant), with the 0-or-at-least-threshold disjunction of ``D`` cells as a
binary. LP relaxations are never trusted: a relaxation interval can be wider
than the integer one.

The result holds counts and widths, never a value.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components

from pipelines.contracts.redaction import AuditSummary
from pipelines.redaction.audit_moves import cube_moves
from pipelines.redaction.audit_perturbation import check_perturbation
from pipelines.redaction.audit_table import located, name_cells, parents_of, true_table
from pipelines.spec.redaction import SDC, Method

STATUS = "conf_status"
#: unknowns in one local box, and blocks solved in one call
BOX_CELLS = 160
BATCH_BLOCKS = 48
#: branch-and-bound nodes for one box programme (an unfinished one still gives
#: witnesses), for one exact component programme, its size, and the programmes in
#: the whole audit: past them, cells not yet proved fail (fail closed). Work, never
#: seconds: the same table passes or fails the same way on any machine.
BOX_NODES = 2000
EXACT_NODES = 5000
EXACT_MAX_VARS = 4000
AUDIT_PROGRAMMES = 4000


@dataclass
class AuditResult:
    primary_cells: int = 0
    proven: int = 0
    #: (row in the published table, 1-based; message)
    failures: list[tuple[int, str]] = field(default_factory=list)
    #: narrowest proved width over the primary cells (a lower bound of the true one)
    narrowest_width: int | None = None
    components: int = 0
    largest_component: int = 0
    exact_solves: int = 0
    box_solves: int = 0
    #: primary cells proved by a checked move of the certificate (no solver)
    certified: int = 0
    certificate_moves: int = 0
    #: moves that failed a check (an equation, a published cell, a bound): ignored
    moves_rejected: int = 0
    #: primary cells proved by this module's own hypercubes (checked the same way)
    cubes: int = 0
    seconds: float = 0.0

    def budget_left(self) -> bool:
        return self.box_solves + self.exact_solves < AUDIT_PROGRAMMES

    def summary(self) -> AuditSummary:
        """What the redaction report records (see :class:`AuditSummary`)."""
        counts = {f: getattr(self, f) for f in AuditSummary.model_fields if f != "failures"}
        return AuditSummary(**counts, failures=len(self.failures))


# -- the attacker's programme -----------------------------------------------------


@dataclass
class _System:
    """Unknowns, their bounds and the equations over a cell list."""

    n: int
    unknown: np.ndarray
    lb: np.ndarray
    ub: np.ndarray
    #: D cells that may be 0 or >= threshold (exact mode's disjunction)
    disjunctive: np.ndarray
    const: np.ndarray
    #: equations as a sparse matrix over all cells (coefficients +1 child, -1 parent)
    a: csr_matrix
    a_csc: Any = None


def _joined(frame: pd.DataFrame, dims: list[str]) -> pd.Series:
    """One string key per row from its codes (vectorised concatenation)."""
    out = frame[dims[0]].astype(str)
    for d in dims[1:]:
        out = out + "\x1f" + frame[d].astype(str)
    return out


def _equations(cells: pd.DataFrame, dims: list[str], rel: dict[str, dict[str, str]]) -> csr_matrix:
    key = _joined(cells, dims) if dims else pd.Series([], dtype=str)
    index = pd.Series(np.arange(len(cells)), index=key.to_numpy())
    rows, cols, vals = [], [], []
    eq = 0
    for d in dims:
        parent = cells[d].astype(str).map(rel[d])
        has = parent.notna().to_numpy()
        if not has.any():
            continue
        up = cells.loc[has, dims].astype(str).copy()
        up[d] = parent[has]
        pkey = _joined(up, dims).to_numpy()
        pcell = index.reindex(pkey).to_numpy()
        keep = ~np.isnan(pcell)
        child = np.flatnonzero(has)[keep]
        pcell = pcell[keep].astype(np.int64)
        uniq, eq_of = np.unique(pcell, return_inverse=True)
        rows += [eq + eq_of, eq + np.arange(len(uniq))]
        cols += [child, uniq]
        vals += [np.ones(len(child)), -np.ones(len(uniq))]
        eq += len(uniq)
    if not rows:
        return csr_matrix((0, len(cells)))
    return coo_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                      shape=(eq, len(cells))).tocsr()


def _requirement(sdc: SDC, x: float, lo: float, hi: float) -> tuple[int, int, int]:
    """(upper, lower, width) a cell of true value x must keep, within its range lo..hi."""
    p = sdc.protection

    def level(lv: Any) -> int:
        return math.ceil(max(lv.percent / 100.0 * x, float(lv.min)) - 1e-9)

    return (max(0, min(level(p.upper), int(hi - x))), max(0, min(level(p.lower), int(x - lo))),
            max(0, min(level(p.width), int(hi - lo))))


class _Witnesses:
    """Per cell, the lowest and highest value seen in verified integer tables."""

    def __init__(self, truth: np.ndarray | None, n: int) -> None:
        base = truth if truth is not None else np.full(n, np.nan)
        self.lo = np.where(np.isnan(base), np.inf, base)
        self.hi = np.where(np.isnan(base), -np.inf, base)

    def add(self, cells: np.ndarray, values: np.ndarray) -> None:
        np.minimum.at(self.lo, cells, values)
        np.maximum.at(self.hi, cells, values)


def _check_solution(a: csr_matrix, rhs: np.ndarray, x: np.ndarray, lb: np.ndarray,
                    ub: np.ndarray) -> bool:
    """The rounded solution satisfies the equations and bounds exactly (integers)."""
    xi = np.rint(x)
    if (xi < lb).any() or (xi > ub).any():
        return False
    lhs = a @ xi
    return bool(np.all(np.abs(lhs - rhs) < 0.5))


def audit(published: pd.DataFrame, spec: Any, sdc: SDC,
          source: pd.DataFrame | None = None,
          certificate: pd.DataFrame | None = None) -> AuditResult:
    """Prove every primary cell's protection, or say which are not (rows, never values).

    ``certificate``: moves claimed to protect the table (see the module
    docstring); checked here, never trusted. Without one every cell goes to
    the integer programmes.
    """
    start = time.perf_counter()
    res = AuditResult()
    dims = list(sdc.dimensions)
    pub = published.reset_index(drop=True)
    codes = {d: set(pub[d].astype(str)) for d in dims}
    if source is not None:
        for d in dims:
            codes[d] |= set(source[d].astype(str))
    rel = parents_of(spec, sdc, codes)
    values = pd.to_numeric(pub[sdc.measure], errors="coerce").to_numpy(dtype=float)
    status = pub[STATUS].astype(str).to_numpy() if STATUS in pub else np.full(len(pub), "F")
    if source is None and sdc.tables:
        res.failures.append((0, "linked tables can only be audited with the extract (their "
                             "unpublished cells are unknowns of the attack)"))
        res.seconds = time.perf_counter() - start
        return res
    truth_series = true_table(source, sdc, rel) if source is not None else None
    cells = pub[dims].astype(str)
    n_pub = len(cells)
    truth = None
    if truth_series is not None:
        idx = pd.MultiIndex.from_frame(cells) if len(dims) > 1 else pd.Index(cells[dims[0]])
        truth_pub = truth_series.reindex(idx).to_numpy(dtype=float)
        latent = truth_series[~truth_series.index.isin(idx)]
        lat_frame = latent.index.to_frame(index=False).astype(str) if len(latent) else \
            pd.DataFrame(columns=dims)
        cells = pd.concat([cells, lat_frame], ignore_index=True)
        truth = np.concatenate([truth_pub, latent.to_numpy(dtype=float)])
        if sdc.tables is None and len(latent):
            res.failures.append((0, f"{len(latent)} cells of the table (margins or detailed "
                                 "cells) are missing from the published table"))
    n = len(cells)
    t = sdc.threshold
    lb_c = 0 if sdc.zero == "suppress" else 1
    rounding = sdc.rounding if sdc.rounding else 0
    half_lo, half_hi = (rounding // 2, (rounding + 1) // 2 - 1) if rounding else (0, 0)
    is_pub = np.arange(n) < n_pub
    suppressed = np.zeros(n, dtype=bool)
    suppressed[:n_pub] = np.isnan(values)
    unknown = ~is_pub | suppressed | (is_pub & (rounding > 0))
    big = float(np.nansum(np.abs(values))) * 2 + (np.nansum(truth) if truth is not None else 0)
    big = max(big, 10.0 * t) + 10
    lb = np.zeros(n)
    ub = np.full(n, big)
    disj = np.zeros(n, dtype=bool)
    st = np.concatenate([status, np.full(n - n_pub, "L")])
    vals_all = np.concatenate([values, np.full(n - n_pub, np.nan)])
    is_c, is_d = unknown & (st == "C"), unknown & (st == "D")
    lb[is_c], ub[is_c] = lb_c, t - 1
    disj = is_d & (sdc.zero == "publish")
    lb[is_d] = 0 if sdc.zero == "publish" else t
    rounded = unknown & is_pub & ~suppressed  # published, rounded: its rounding interval
    lb[rounded] = np.maximum(0.0, vals_all[rounded] - half_lo)
    ub[rounded] = vals_all[rounded] + half_hi
    a = _equations(cells, dims, rel)
    # primary cells: the sensitive ones (from the truth) or, without it, the C cells
    if truth is not None:
        small = (truth < t) & ((truth > 0) | (sdc.zero == "suppress")) & is_pub
        primary = small & (suppressed | (rounding > 0))
    else:
        primary = st == "C"
    res.primary_cells = int(primary.sum())
    if not primary.any():
        res.seconds = time.perf_counter() - start
        return res
    const = np.where(unknown, 0.0, np.nan_to_num(vals_all))
    system = _System(n=n, unknown=unknown, lb=lb, ub=ub, disjunctive=disj, const=const, a=a)
    wit = _Witnesses(truth, n)
    if truth is not None:
        restricted_lb, restricted_ub = lb.copy(), ub.copy()
        zero_d = disj & (truth == 0)
        restricted_ub[zero_d] = 0
        restricted_lb[disj & ~zero_d] = t
        # every truth must be feasible in its restriction, or the statuses are wrong
        bad = unknown & ((truth < restricted_lb) | (truth > restricted_ub))
        for i in np.flatnonzero(bad & is_pub)[:50]:
            res.failures.append((int(i) + 1, "status code does not match the cell "
                                 "(suppressed value outside what its status says)"))
        if bad.any():
            res.seconds = time.perf_counter() - start
            return res
        if certificate is not None:
            _certified(system, certificate, cells, dims, truth, restricted_lb, restricted_ub,
                       is_pub & ~unknown, np.nan_to_num(vals_all), wit, res)
    need = {}
    for i in np.flatnonzero(primary):
        x = truth[i] if truth is not None else ub[i]
        need[i] = _requirement(sdc, x, lb[i], ub[i])

    def proven(i: int) -> bool:
        up, down, width = need[i]
        x = truth[i] if truth is not None else None
        lo, hi = wit.lo[i], wit.hi[i]
        if x is None:
            return hi - lo >= width
        return hi >= x + up and lo <= x - down and hi - lo >= width

    res.certified = sum(1 for i in need if proven(i))
    pending = np.zeros(n, dtype=bool)
    pending[[i for i in need if not proven(i)]] = True
    if truth is not None and pending.any():
        # this module's own small hypercubes first (checked like a certificate), then
        # integer programmes in boxes for the cells they leave
        targets = np.flatnonzero(pending)
        cell, move, coef = cube_moves(cells, dims, rel, targets, unknown, restricted_lb,
                                      restricted_ub, truth)
        _check_moves(system, cell, move, coef, np.ones(len(cell), dtype=bool), truth,
                     restricted_lb, restricted_ub, wit)
        still = [i for i in targets.tolist() if not proven(i)]
        res.cubes = len(targets) - len(still)
        pending[:] = False
        pending[still] = True
    if truth is not None and pending.any():
        _boxes(system, pending, truth, restricted_lb, restricted_ub, cells, dims, rel, wit, res,
               sdc)
    todo = [i for i in need if not proven(i)]
    if todo:
        _exact(system, todo, wit, res, truth, sdc)
    widths = []
    for i in need:
        ok = proven(i)
        widths.append(wit.hi[i] - wit.lo[i] if np.isfinite(wit.hi[i] - wit.lo[i]) else 0)
        if ok:
            res.proven += 1
        elif i < n_pub:
            res.failures.append((int(i) + 1, "the feasible interval of this suppressed cell is "
                                 "narrower than the declared protection (or could not be "
                                 "proved wide enough)"))
    res.narrowest_width = int(min(widths)) if widths else None
    res.seconds = time.perf_counter() - start
    return res


def _certified(system: _System, certificate: pd.DataFrame, cells: pd.DataFrame,
               dims: list[str], truth: np.ndarray, lb: np.ndarray, ub: np.ndarray,
               known: np.ndarray, published: np.ndarray, wit: _Witnesses,
               res: AuditResult) -> None:
    """Witnesses from the certificate's moves, each checked against this module's system.

    A move is a direction ``d`` over cells (given by their codes). It is used
    only if every cell it names is a cell of the table derived here, it
    leaves every published value alone, and every margin equation derived
    here balances (``A d = 0``). Then ``truth + u d`` is an integer table the
    attacker cannot rule out for every integer ``u`` between ``-u_minus`` and
    ``u_plus``, the largest steps keeping each moved cell inside what its
    status reveals, computed here from the truth. Its two ends are witnesses.
    """
    if not len(certificate) or (published[known] != truth[known]).any():
        return  # a published value that is not the truth: the witnesses would be wrong
    res.certificate_moves = int(certificate["move"].nunique())
    # the certificate's cells as this module's cell numbers (-1: not a cell here)
    keys = np.zeros(len(certificate), dtype=np.int64)
    ckeys = np.zeros(len(cells), dtype=np.int64)
    found = np.ones(len(certificate), dtype=bool)
    for d in dims:
        labels = pd.Index(pd.unique(cells[d]))
        mine = labels.get_indexer(cells[d])
        col = certificate[d]
        theirs = (labels.get_indexer(col.cat.categories)[col.cat.codes.to_numpy()]
                  if isinstance(col.dtype, pd.CategoricalDtype)
                  else labels.get_indexer(col.astype(str)))
        found &= theirs >= 0
        keys = keys * len(labels) + np.maximum(theirs, 0)
        ckeys = ckeys * len(labels) + mine
    order = np.argsort(ckeys, kind="stable")
    pos = np.minimum(np.searchsorted(ckeys[order], keys), len(order) - 1)
    found &= ckeys[order][pos] == keys
    cell = np.where(found, order[pos], -1)
    move = pd.factorize(certificate["move"].to_numpy())[0]
    coef = certificate["coef"].to_numpy(dtype=np.int64)
    res.moves_rejected = _check_moves(system, cell, move, coef, found, truth, lb, ub, wit)


def _check_moves(system: _System, cell: np.ndarray, move: np.ndarray, coef: np.ndarray,
                 found: np.ndarray, truth: np.ndarray, lb: np.ndarray, ub: np.ndarray,
                 wit: _Witnesses) -> int:
    """Witnesses from moves given as (cell, move, coef) rows, each checked here.

    A move is used only if every row names a cell (``found``), it leaves every
    known cell alone and every margin equation of this module balances; then
    its two ends ``truth + u d`` and ``truth - u' d`` (the largest integer
    steps keeping every moved cell within ``lb .. ub``) are witnesses.
    Returns how many moves were rejected.
    """
    if not len(move):
        return 0
    m = int(move.max()) + 1
    bad = np.zeros(m, dtype=bool)
    bad[move[~found]] = True
    bad[move[found & (coef == 0)]] = True
    ok = found & ~bad[move]
    mat = coo_matrix((coef[ok].astype(float), (cell[ok], move[ok])),
                     shape=(system.n, m)).tocsc()
    mat.sum_duplicates()
    mat.eliminate_zeros()
    # only withheld or latent cells may move, and every equation must still balance
    moved_known = ~system.unknown[mat.indices]
    cols = np.repeat(np.arange(m), np.diff(mat.indptr))
    bad[cols[moved_known]] = True
    residual = (system.a @ mat).tocsc()
    residual.eliminate_zeros()
    bad[np.repeat(np.arange(m), np.diff(residual.indptr))] = True
    bad |= np.diff(mat.indptr) == 0
    rejected = int(bad.sum())
    keep = ~bad[cols]
    j, c, mv = mat.indices[keep], mat.data[keep], cols[keep]
    if not len(j):
        return rejected
    x = truth[j]
    # largest integer steps forward and backward keeping each moved cell in range
    fwd = np.floor(np.where(c > 0, (ub[j] - x) / c, (x - lb[j]) / -c))
    bwd = np.floor(np.where(c > 0, (x - lb[j]) / c, (ub[j] - x) / -c))
    u_plus = np.full(m, np.inf)
    u_minus = np.full(m, np.inf)
    np.minimum.at(u_plus, mv, fwd)
    np.minimum.at(u_minus, mv, bwd)
    up, down = u_plus[mv], u_minus[mv]
    wit.add(j, x + c * up)
    wit.add(j, x - c * down)
    return rejected


def _components(system: _System) -> np.ndarray:
    a = system.a.tocoo()
    keep = system.unknown[a.col]
    rows, cols = a.row[keep], a.col[keep]
    n, m = system.n, system.a.shape[0]
    graph = coo_matrix((np.ones(len(rows)), (cols, n + rows)), shape=(n + m, n + m))
    _, labels = connected_components(graph, directed=False)
    return labels[:n]


def _block(system: _System, box: np.ndarray, fixed: np.ndarray) -> tuple[csr_matrix, np.ndarray]:
    """Equations touching ``box`` with every other cell at ``fixed`` (its constant or truth)."""
    if system.a_csc is None:
        system.a_csc = system.a.tocsc()
    rows = np.unique(system.a_csc[:, box].indices)
    a_rows = system.a[rows]
    inside = np.zeros(system.n, dtype=bool)
    inside[box] = True
    rhs = -(a_rows @ np.where(inside, 0.0, fixed))
    return a_rows[:, box], rhs


def _boxes(system: _System, primary: np.ndarray, truth: np.ndarray, lb: np.ndarray,
           ub: np.ndarray, cells: pd.DataFrame, dims: list[str],
           rel: dict[str, dict[str, str]], wit: _Witnesses, res: AuditResult, sdc: SDC) -> None:
    """Witnesses from small boxes around each primary cell, all others at their truth."""
    unknown = system.unknown
    fixed = np.where(unknown, truth, system.const)
    codes = [pd.factorize(cells[d].astype(str))[0] for d in dims]
    # for each dimension, the cells sharing all other codes (lines through a cell)
    keyer = pd.DataFrame({d: c for d, c in zip(dims, codes, strict=True)})
    lines = []
    for d in dims:
        others = [x for x in dims if x != d]
        grp = keyer.groupby(others, sort=False).ngroup().to_numpy() if others else \
            np.zeros(len(keyer), dtype=np.int64)
        lines.append(grp)
    unk_idx = np.flatnonzero(unknown)
    by_line = []
    for k in range(len(dims)):
        groups: dict[int, list[int]] = defaultdict(list)
        for c in unk_idx.tolist():
            groups[int(lines[k][c])].append(c)
        by_line.append(groups)
    code_mat = np.column_stack(codes)
    nd = len(dims)
    full_key = pd.Series(np.arange(len(cells)),
                         index=pd.MultiIndex.from_arrays([code_mat[:, k] for k in range(nd)]))
    need = {i: _requirement(sdc, truth[i], lb[i], ub[i]) for i in np.flatnonzero(primary)}
    is_margin_of = []
    for d in dims:
        labels = pd.factorize(cells[d].astype(str))[1]
        internal = set(rel[d].values())
        is_margin_of.append(np.array([str(x) in internal for x in labels], dtype=bool))

    def done(i: int) -> bool:
        up, down, width = need[i]
        return (wit.hi[i] >= truth[i] + up and wit.lo[i] <= truth[i] - down
                and wit.hi[i] - wit.lo[i] >= width)

    def box_of(i: int, cap: int) -> np.ndarray:
        per_dim = []
        for k in range(nd):
            own = int(code_mat[i, k])
            line = by_line[k].get(int(lines[k][i]), [i])
            # the likeliest complements first: margins (parents), then small cells
            ranked = sorted((c for c in line if c != i),
                            key=lambda c: (not is_margin_of[k][int(code_mat[c, k])], truth[c]))
            per_dim.append([own, *dict.fromkeys(int(code_mat[c, k]) for c in ranked)])
        sizes = [len(p) for p in per_dim]
        while True:
            chosen = [p[:n] for p, n in zip(per_dim, sizes, strict=True)]
            grid = np.array(np.meshgrid(*chosen, indexing="ij")).reshape(nd, -1).T
            found = full_key.reindex(pd.MultiIndex.from_arrays([grid[:, k] for k in range(nd)]))
            box = found.dropna().to_numpy(dtype=np.int64)
            box = box[unknown[box]]
            if len(box) <= cap or max(sizes) == 1:
                return box[:cap]
            j = int(np.argmax(sizes))
            sizes[j] = max(1, sizes[j] * 3 // 4)

    for cap, per_call in ((BOX_CELLS, BATCH_BLOCKS), (BOX_CELLS * 5, 1)):
        _box_round(cap, per_call, need, done, box_of, system, fixed, lb, ub, wit, res)


def _box_round(cap, per_call, need, done, box_of, system, fixed, lb, ub, wit, res) -> None:
    pending = [i for i in need if not done(i)]
    while pending and res.budget_left():
        batch = pending[:per_call]
        pending = pending[per_call:]
        blocks = []
        for i in batch:
            if done(i):
                continue
            box = np.unique(box_of(i, cap))
            a_b, rhs = _block(system, box, fixed)
            pos = int(np.searchsorted(box, i))
            blocks.append((box, a_b, rhs, pos, -1.0))  # maximise x_i
            blocks.append((box, a_b, rhs, pos, 1.0))   # minimise x_i
        if blocks:
            _solve_blocks(blocks, lb, ub, wit, res)
        pending = [i for i in pending if not done(i)]


def _solve_blocks(blocks, lb, ub, wit: _Witnesses, res: AuditResult,
                  integer: bool = False) -> None:
    """One programme of independent blocks (copies of variables): each block's optimum
    at once. First the linear relaxation: a block whose vertex is integral and checks
    exactly is a witness as it stands (a witness need not be optimal, only feasible);
    the other blocks are solved again as one integer programme."""
    from scipy.sparse import block_diag

    sizes = [len(b[0]) for b in blocks]
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    c = np.zeros(offsets[-1])
    for j, (_box, _a, _r, pos, sign) in enumerate(blocks):
        c[offsets[j] + pos] = sign
    a = block_diag([b[1] for b in blocks], format="csr")
    rhs = np.concatenate([b[2] for b in blocks])
    boxes = np.concatenate([b[0] for b in blocks])
    blo, bhi = lb[boxes], ub[boxes]
    out = milp(c, constraints=[LinearConstraint(a, rhs, rhs)] if a.shape[0] else [],
               integrality=np.full(len(c), 1 if integer else 0), bounds=Bounds(blo, bhi),
               options={"node_limit": BOX_NODES})
    res.box_solves += 1
    if out.x is None:
        if not integer:
            _solve_blocks(blocks, lb, ub, wit, res, integer=True)
        return
    again = []
    for j, (box, a_b, r, _pos, _s) in enumerate(blocks):
        raw = out.x[offsets[j]:offsets[j + 1]]
        xs = np.rint(raw)
        if (integer or np.abs(raw - xs).max(initial=0.0) < 1e-6) and \
                _check_solution(a_b, r, xs, lb[box], ub[box]):
            wit.add(box, xs)
        elif not integer:
            again.append(blocks[j])
    if again and res.budget_left():
        _solve_blocks(again, lb, ub, wit, res, integer=True)


def _exact(system: _System, todo: list[int], wit: _Witnesses, res: AuditResult,
           truth: np.ndarray | None, sdc: SDC) -> None:
    """Exact min and max of each remaining cell over its whole component."""
    labels = _components(system)
    unknown = system.unknown
    comp_sizes = np.bincount(labels[unknown]) if unknown.any() else np.array([0])
    res.components = int((comp_sizes > 0).sum())
    res.largest_component = int(comp_sizes.max())
    by_comp: dict[int, list[int]] = defaultdict(list)
    for i in todo:
        by_comp[int(labels[i])].append(i)
    t = sdc.threshold
    for comp, cells_todo in by_comp.items():
        var = np.flatnonzero(unknown & (labels == comp))
        if len(var) > EXACT_MAX_VARS or not res.budget_left():
            continue  # left unproved: reported as failures
        a_b, rhs = _block(system, var, system.const)
        k = len(var)
        dj = np.flatnonzero(system.disjunctive[var])
        nz = len(dj)
        lb = np.concatenate([system.lb[var], np.zeros(nz)])
        ub = np.concatenate([system.ub[var], np.ones(nz)])
        cons = []
        if a_b.shape[0]:
            cons.append(LinearConstraint(
                csr_matrix((a_b.data, a_b.indices, a_b.indptr), shape=(a_b.shape[0], k + nz)),
                rhs, rhs))
        if nz:  # x >= t z and x <= M z
            r = np.arange(nz)
            lo_rows = coo_matrix((np.concatenate([np.ones(nz), -t * np.ones(nz)]),
                                  (np.concatenate([r, r]), np.concatenate([dj, k + r]))),
                                 shape=(nz, k + nz))
            hi_rows = coo_matrix((np.concatenate([np.ones(nz), -ub[dj]]),
                                  (np.concatenate([r, r]), np.concatenate([dj, k + r]))),
                                 shape=(nz, k + nz))
            cons.append(LinearConstraint(lo_rows.tocsr(), 0, np.inf))
            cons.append(LinearConstraint(hi_rows.tocsr(), -np.inf, 0))
        where = {int(c): j for j, c in enumerate(var)}
        for i in cells_todo:
            if not res.budget_left():
                break
            for sign in (-1.0, 1.0):
                c = np.zeros(k + nz)
                c[where[i]] = sign
                out = milp(c, constraints=cons, integrality=np.ones(k + nz),
                           bounds=Bounds(lb, ub), options={"node_limit": EXACT_NODES})
                res.exact_solves += 1
                if out.x is None:
                    continue
                xs = np.rint(out.x[:k])
                z = np.rint(out.x[k:])
                ok = _check_solution(a_b, rhs, xs, system.lb[var], system.ub[var])
                if nz:
                    xv = xs[dj]
                    ok &= bool(np.all((xv == 0) | (xv >= t)))
                    del z
                if ok:
                    wit.add(var, xs)


# -- the gate ------------------------------------------------------------------


def check_disclosure(df: pd.DataFrame, spec: Any, sdc: SDC,
                     source: pd.DataFrame | None = None,
                     certificate: pd.DataFrame | None = None) -> list:
    """Located problems that must block publication of this table (never a value): rows
    of the published table, each named by its cell's codes."""
    df = df.reset_index(drop=True)
    return name_cells(_disclosure_problems(df, spec, sdc, source, certificate), df,
                      list(sdc.dimensions))


def _disclosure_problems(df: pd.DataFrame, spec: Any, sdc: SDC, source: pd.DataFrame | None,
                         certificate: pd.DataFrame | None) -> list:
    from pipelines.errors import Problem

    problems: list[Problem] = []
    m = sdc.measure
    if m not in df.columns or STATUS not in df.columns:
        return [Problem("sdc-output", "measure or conf_status column missing",
                        located(spec, field_name=m))]
    values = pd.to_numeric(df[m], errors="coerce")
    status = df[STATUS].astype("string").fillna("")
    t = sdc.threshold
    if sdc.method == Method.suppression:
        for i in np.flatnonzero(((values > 0) & (values < t)).fillna(False).to_numpy())[:200]:
            problems.append(Problem("below-threshold", f"published count below {t}",
                                    located(spec, int(i) + 1, m)))
        if sdc.zero == "suppress":
            for i in np.flatnonzero((values == 0).fillna(False).to_numpy())[:200]:
                problems.append(Problem("zero-published", "zero published but the spec "
                                        "suppresses zeros", located(spec, int(i) + 1, m)))
    mismatch = (values.isna() != status.isin(["C", "D"])).to_numpy()
    for i in np.flatnonzero(mismatch)[:200]:
        problems.append(Problem("status-mismatch", "suppressed iff status is C or D fails",
                                located(spec, int(i) + 1, m)))
    if sdc.rounding:
        off = (values.notna() & (values % sdc.rounding != 0)).to_numpy()
        for i in np.flatnonzero(off)[:200]:
            problems.append(Problem("not-rounded", f"not a multiple of {sdc.rounding}",
                                    located(spec, int(i) + 1, m)))
    dup = df.duplicated(subset=list(sdc.dimensions)).to_numpy()
    for i in np.flatnonzero(dup)[:20]:
        problems.append(Problem("sdc-duplicate", "cell published twice",
                                located(spec, int(i) + 1, ",".join(sdc.dimensions))))
    if problems:
        return problems
    if sdc.method == Method.perturbation:
        return check_perturbation(df, spec, sdc, source)
    if source is not None:
        problems += _check_values(df, spec, sdc, source)
        if problems:
            return problems
    result = audit(df, spec, sdc, source, certificate)
    for row, message in result.failures:
        problems.append(Problem("sdc-protection", message,
                                located(spec, row or None, m)))
    return problems


def _check_values(df: pd.DataFrame, spec: Any, sdc: SDC, source: pd.DataFrame) -> list:
    """Published counts equal the true table (rounded, if the spec rounds)."""
    from pipelines.errors import Problem

    dims = list(sdc.dimensions)
    codes = {d: set(df[d].astype(str)) | set(source[d].astype(str)) for d in dims}
    truth = true_table(source, sdc, parents_of(spec, sdc, codes))
    cells = df[dims].astype(str)
    idx = pd.MultiIndex.from_frame(cells) if len(dims) > 1 else pd.Index(cells[dims[0]])
    true_v = truth.reindex(idx).to_numpy(dtype=float)
    pub = pd.to_numeric(df[sdc.measure], errors="coerce").to_numpy(dtype=float)
    expect = true_v
    if sdc.rounding:
        expect = np.floor(true_v / sdc.rounding + 0.5) * sdc.rounding
    problems = []
    for i in np.flatnonzero(np.isnan(true_v))[:50]:
        problems.append(Problem("sdc-unknown-cell", "published cell is not a cell of the table "
                                "derived from the extract", located(spec, int(i) + 1, None)))
    wrong = ~np.isnan(pub) & ~np.isnan(expect) & (pub != expect)
    for i in np.flatnonzero(wrong)[:50]:
        problems.append(Problem("sdc-wrong-value", "published value differs from the value "
                                "derived from the extract", located(spec, int(i) + 1,
                                                                   sdc.measure)))
    return problems
