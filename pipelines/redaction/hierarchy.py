"""How the codes of each table dimension add up: a tree per dimension.

A dimension's hierarchy comes from three declared sources, combined: the
``skos:broader`` / ``skos:narrower`` links of the field's SKOS code list
(``codelist: true``; any depth, e.g. force area -> region -> country),
``parents`` in the spec, and ``total`` (the parent of every top-level code).
It must be a tree: a code with two parents, a cycle, or a total code missing
from the field's code list is a spec error, found before any data is read.

Only the part of the tree the data reaches is kept: the codes present in the
extract and their ancestors. A code with no present descendant is a leaf (a
detailed cell); every other code is a margin, summed from its children.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from pipelines.codelists import codelist_path, load_codelist, shown_path
from pipelines.errors import FivestarError, Location, Problem
from pipelines.spec.redaction import SDC


@dataclass
class Hierarchy:
    """One dimension's codes (data order: leaves first) and their tree."""

    name: str
    codes: list[str]
    #: parent index per code, -1 for a root
    parent: np.ndarray
    #: the single root code (the total), or None for a flat dimension / a forest
    total: int | None

    @property
    def flat(self) -> bool:
        return not bool((self.parent >= 0).any())

    @property
    def size(self) -> int:
        return len(self.codes)

    def index(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.codes)}

    def children(self) -> list[list[int]]:
        out: list[list[int]] = [[] for _ in self.codes]
        for child, par in enumerate(self.parent.tolist()):
            if par >= 0:
                out[par].append(child)
        return out

    def is_leaf(self) -> np.ndarray:
        leaf = np.ones(self.size, dtype=bool)
        leaf[self.parent[self.parent >= 0]] = False
        return leaf

    def ancestors(self) -> list[list[int]]:
        """Per code: itself, its parent, ... up to its root."""
        out = []
        for c in range(self.size):
            chain = [c]
            while self.parent[chain[-1]] >= 0:
                chain.append(int(self.parent[chain[-1]]))
            out.append(chain)
        return out


def _spec_error(spec: Any, dim: str, message: str) -> FivestarError:
    return FivestarError(Problem("sdc-spec", message, Location(
        file=f"datasets/{spec.id}/dataset.yaml", field=f"redaction.sdc.dimensions.{dim}")))


def _codelist_stem(spec: Any, dim: str) -> str | None:
    for f in spec.table_schema.fields:
        if f.get("name") == dim:
            return f.get("codelist")
    return None


def codelist_links(spec: Any, dim: str) -> tuple[frozenset[str], list[tuple[str, str]]] | None:
    """The notations and broader links of the field's code list, or None without one.

    Read with the one code-list loader validation and conversion use
    (:mod:`pipelines.codelists`), so all three see the same codes and links.
    """
    stem = _codelist_stem(spec, dim)
    if not stem:
        return None
    if not codelist_path(stem).is_file():
        raise _spec_error(spec, dim, f"code list `{stem}` not found ({shown_path(stem)})")
    codes = load_codelist(stem)
    return frozenset(codes.concepts), list(codes.broader)


def declared_parents(sdc: SDC, spec: Any) -> dict[str, dict[str, str]]:
    """child -> parent per dimension from the spec alone (code list, parents, total).

    Raises a located spec error for a code with two parents, a cycle, or a
    total / parent code missing from the field's code list.
    """
    out: dict[str, dict[str, str]] = {}
    for dim, decl in sdc.dimensions.items():
        links = codelist_links(spec, dim)
        known = links[0] if links else None
        rel: dict[str, str] = {}
        sources: list[tuple[str, str]] = []
        if decl.codelist:
            if links is None:
                raise _spec_error(spec, dim, "`codelist: true` but the schema field has no "
                                  "`codelist`")
            sources += links[1]
        for parent, kids in decl.parents.items():
            sources += [(str(k), str(parent)) for k in kids]
        for child, parent in sources:
            if rel.get(child, parent) != parent:
                raise _spec_error(spec, dim, f"code `{child}` has two parents "
                                  f"(`{rel[child]}` and `{parent}`): a hierarchy must be a tree")
            rel[child] = parent
        if known is not None:
            for code in [decl.total, *decl.parents] if decl.total else list(decl.parents):
                if code is not None and str(code) not in known:
                    raise _spec_error(spec, dim, f"total code `{code}` is not in the code list "
                                      f"`{_codelist_stem(spec, dim)}`")
        if decl.total is not None:
            total = str(decl.total)
            rel.pop(total, None)
        for start in rel:
            seen = {start}
            code = start
            while code in rel:
                code = rel[code]
                if code in seen:
                    raise _spec_error(spec, dim, f"the hierarchy has a cycle through `{code}`")
                seen.add(code)
        out[dim] = rel
    return out


def build(sdc: SDC, spec: Any, present: dict[str, list[str]]) -> dict[str, Hierarchy]:
    """The hierarchy of each dimension, restricted to the codes the data reaches.

    ``present`` lists each dimension's distinct codes in the extract. A code
    with no declared parent gets the dimension's ``total`` as parent.
    """
    rel_all = declared_parents(sdc, spec)
    out: dict[str, Hierarchy] = {}
    for dim, decl in sdc.dimensions.items():
        rel = rel_all[dim]
        total = str(decl.total) if decl.total is not None else None
        codes: list[str] = sorted({str(c) for c in present[dim]})
        index: dict[str, int] = {c: i for i, c in enumerate(codes)}
        i = 0
        while i < len(codes):  # ancestors of everything present
            code = codes[i]
            parent = rel.get(code)
            if parent is None and total is not None and code != total:
                parent = total
            if parent is not None and parent not in index:
                index[parent] = len(codes)
                codes.append(parent)
            i += 1
        parent_idx = np.full(len(codes), -1, dtype=np.int64)
        for code, idx in index.items():
            parent = rel.get(code)
            if parent is None and total is not None and code != total:
                parent = total
            if parent is not None:
                parent_idx[idx] = index[parent]
        roots = np.flatnonzero(parent_idx < 0)
        has_tree = bool((parent_idx >= 0).any())
        root = int(roots[0]) if has_tree and len(roots) == 1 else None
        out[dim] = Hierarchy(name=dim, codes=codes, parent=parent_idx, total=root)
    return out
