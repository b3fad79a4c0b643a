"""The audit's own candidate moves: small hypercubes through each primary cell.

Part of the independent audit (:mod:`audit`): built from the audit's own
hierarchy (``child -> parent`` per dimension, re-read from the spec) and its
own cell list, sharing nothing with the suppressor. A move is a direction
``d`` over cells; the audit checks every one (equations, known cells, the
largest steps within what each moved cell's status or rounding interval
allows) before it credits a witness, so a candidate here can only fail to
prove a cell, never pass one wrongly.

Why: a rounded table has every cell unknown within its rounding interval and
no certificate, so without candidates every sensitive cell needs its own
integer programmes (milliseconds each, hours at 100 k cells). Here every
primary cell gets, per dimension, the vector up its chain of ancestors and
the vectors to a few of its siblings (each with a path down to a detailed
code where the code is a margin), all their combinations evaluated at once
with numpy, and the best move up and the best move down are kept. The cells
they do not prove go to the programmes as before.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: siblings paired with a cell's code per dimension, and target cells per batch
SIBLINGS = 8
BATCH = 512


def _vectors(parent: np.ndarray, n_codes: int) -> tuple[np.ndarray, np.ndarray]:
    """Per code, its candidate vectors (codes, signs), padded with -1 / 0.

    Vector 0: the code with a path down to a detailed code (first child at
    each level) and every ancestor, all +1. Then per sibling ``s`` (up to
    ``SIBLINGS``): the code's path down (+1) and ``s``'s path down (-1).
    Each keeps every equation of the dimension balanced: a parent's change
    equals its children's.
    """
    kids: list[list[int]] = [[] for _ in range(n_codes)]
    for c in range(n_codes):
        if parent[c] >= 0:
            kids[parent[c]].append(c)

    def down(c: int) -> list[int]:
        path = [c]
        while kids[path[-1]]:
            path.append(kids[path[-1]][0])
        return path

    per_code: list[list[tuple[list[int], list[int]]]] = []
    for c in range(n_codes):
        chain = []
        a = parent[c]
        while a >= 0:
            chain.append(int(a))
            a = parent[a]
        own = down(c)
        vecs = [(own + chain, [1] * (len(own) + len(chain)))]
        if parent[c] >= 0:
            for s in [s for s in kids[parent[c]] if s != c][:SIBLINGS]:
                other = down(s)
                vecs.append((own + other, [1] * len(own) + [-1] * len(other)))
        per_code.append(vecs)
    width = max(len(v) for vecs in per_code for v, _ in vecs)
    count = max(len(vecs) for vecs in per_code)
    codes = np.full((n_codes, count, width), -1, dtype=np.int64)
    signs = np.zeros((n_codes, count, width), dtype=np.int64)
    for c, vecs in enumerate(per_code):
        for j, (v, sg) in enumerate(vecs):
            codes[c, j, :len(v)], signs[c, j, :len(sg)] = v, sg
    return codes, signs


def cube_moves(cells: pd.DataFrame, dims: list[str], rel: dict[str, dict[str, str]],
               targets: np.ndarray, movable: np.ndarray, lb: np.ndarray, ub: np.ndarray,
               truth: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per target cell its best move up and best move down: (cell, move, coef) rows.

    Best: the largest step the move's corners allow (``lb``/``ub`` around the
    ``truth``), every corner a cell that may move (``movable``).
    """
    nd = len(dims)
    codes = np.zeros((len(cells), nd), dtype=np.int64)
    vec_codes, vec_signs, radix = [], [], []
    for k, d in enumerate(dims):
        idx, labels = pd.factorize(cells[d].astype(str))
        codes[:, k] = idx
        index = pd.Index(labels)
        par = index.get_indexer([rel[d].get(str(c), "\x00missing") for c in labels])
        vc, vs = _vectors(par, len(labels))
        vec_codes.append(vc)
        vec_signs.append(vs)
        radix.append(len(labels))
    stride = np.ones(nd, dtype=np.int64)
    for k in range(nd - 2, -1, -1):
        stride[k] = stride[k + 1] * radix[k + 1]
    keys = codes @ stride
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    out_cell, out_move, out_coef = [], [], []
    n_moves = 0
    for start in range(0, len(targets), BATCH):
        t = targets[start:start + BATCH]
        b = len(t)
        shape_v = [vec_codes[k].shape[1] for k in range(nd)]
        shape_l = [vec_codes[k].shape[2] for k in range(nd)]
        key = np.zeros((b, *shape_v, *shape_l), dtype=np.int64)
        sign = np.ones_like(key)
        valid = np.ones(key.shape, dtype=bool)
        for k in range(nd):
            view = [b] + [1] * (2 * nd)
            view[1 + k], view[1 + nd + k] = shape_v[k], shape_l[k]
            ck = vec_codes[k][codes[t, k]].reshape(view)
            key = key + np.maximum(ck, 0) * stride[k]
            sign = sign * vec_signs[k][codes[t, k]].reshape(view)
            valid = valid & (ck >= 0)
        combos = int(np.prod(shape_v))
        key, sign, valid = (a.reshape(b, combos, -1) for a in (key, sign, valid))
        pos = np.minimum(np.searchsorted(sorted_keys, key), len(keys) - 1)
        cell = np.where(valid & (sorted_keys[pos] == key), order[pos], -1)
        safe = np.maximum(cell, 0)
        usable = ~(valid & ((cell < 0) | ~movable[safe])).any(axis=2)
        x = truth[safe]
        room_up = np.where(sign > 0, ub[safe] - x, x - lb[safe])
        room_down = np.where(sign > 0, x - lb[safe], ub[safe] - x)
        pad = ~valid
        up = np.where(pad, np.inf, room_up).min(axis=2)
        down = np.where(pad, np.inf, room_down).min(axis=2)
        up[~usable], down[~usable] = -1, -1
        rows = np.arange(b)
        for best in (np.argmax(up, axis=1), np.argmax(down, axis=1)):
            keep = np.maximum(up[rows, best], down[rows, best]) > 0
            corners = valid[rows, best] & keep[:, None]
            ids = n_moves + np.cumsum(keep) - 1
            out_cell.append(cell[rows, best][corners])
            out_coef.append(sign[rows, best][corners])
            out_move.append(np.broadcast_to(ids[:, None], corners.shape)[corners])
            n_moves += int(keep.sum())
    if not out_cell:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    return np.concatenate(out_cell), np.concatenate(out_move), np.concatenate(out_coef)

