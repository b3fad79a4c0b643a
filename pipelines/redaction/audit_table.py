"""The disclosure audit's own truth: hierarchies and the full table, derived here.

Shared by the audit of suppressed tables (``audit.py``) and of perturbed ones
(``audit_perturbation.py``), and by nothing that protects a table: the
hierarchies are re-read from the spec and the SKOS files with this module's
own reader, and every margin is re-derived from the unprotected extract.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipelines.errors import FivestarError, Location, Problem
from pipelines.spec.redaction import SDC


def _not_a_tree(spec: Any, dim: str, code: str, first: str, second: str) -> Exception:
    return FivestarError(Problem(
        "sdc-spec", f"the audit finds code `{code}` with two parents (`{first}` and "
        f"`{second}`): its margins would be summed twice, so nothing is published",
        Location(file=f"datasets/{spec.id}/dataset.yaml",
                 field=f"redaction.sdc.dimensions.{dim}")))


def _skos_parents(spec: Any, dim: str) -> list[tuple[str, str]]:
    """Every (child, parent) pair of the field's code list, read by this module alone."""
    from rdflib import Graph, URIRef

    from pipelines import paths

    stem = next((f.get("codelist") for f in spec.table_schema.fields if f.get("name") == dim),
                None)
    if not stem:
        return []
    g = Graph().parse(Path(paths.VOCABULARIES_DIR) / f"{stem}.ttl", format="turtle")
    skos = "http://www.w3.org/2004/02/skos/core#"
    note = {s: str(o) for s, o in g.subject_objects(URIRef(skos + "notation"))}
    pairs = {(note[s], note[o]) for s, o in g.subject_objects(URIRef(skos + "broader"))
             if s in note and o in note}
    pairs |= {(note[o], note[s]) for s, o in g.subject_objects(URIRef(skos + "narrower"))
              if s in note and o in note}
    return sorted(pairs)


def parents_of(spec: Any, sdc: SDC, codes: dict[str, set[str]]) -> dict[str, dict[str, str]]:
    """child -> parent per dimension, over the given codes and their ancestors.

    Fails closed, independently of the suppressor's hierarchy: a code the code
    list and the spec give two different parents is a spec error here too.
    """
    out: dict[str, dict[str, str]] = {}
    for dim, d in sdc.dimensions.items():
        rel: dict[str, str] = {}
        pairs = _skos_parents(spec, dim) if d.codelist else []
        pairs += [(str(k), str(parent)) for parent, kids in d.parents.items() for k in kids]
        for child, parent in pairs:
            if rel.setdefault(child, parent) != parent:
                raise _not_a_tree(spec, dim, child, rel[child], parent)
        total = None if d.total is None else str(d.total)
        if total is not None:
            rel.pop(total, None)
        used: set[str] = set()
        todo = list(codes[dim])
        while todo:
            c = todo.pop()
            if c in used:
                continue
            used.add(c)
            p = rel.get(c, total if c != total else None)
            if p is not None:
                todo.append(p)
        out[dim] = {c: rel.get(c, total) for c in used
                    if c != total and rel.get(c, total) is not None}
    return out


def _chains(rel: dict[str, str]) -> dict[str, list[str]]:
    def chain(c: str) -> list[str]:
        out = [c]
        while out[-1] in rel:
            out.append(rel[out[-1]])
        return out

    codes = set(rel) | set(rel.values())
    return {c: chain(c) for c in codes}


def true_table(source: pd.DataFrame, sdc: SDC, rel: dict[str, dict[str, str]]) -> pd.Series:
    """True value of every cell of the full table, indexed by the dimension codes."""
    dims = list(sdc.dimensions)
    frame = source[dims].astype(str).copy()
    frame["_v"] = 1 if sdc.from_records else \
        pd.to_numeric(source[sdc.measure], errors="coerce").fillna(0).astype("int64")
    internal = {d: set(rel[d].values()) for d in dims}
    leaf = np.ones(len(frame), dtype=bool)
    for d in dims:
        leaf &= ~frame[d].isin(internal[d]).to_numpy()
    long = frame[leaf]
    if sdc.zero == "suppress" and len(long):
        # a zero is disclosive too, so an absent detailed cell is a zero that is
        # published (suppressed): every combination of the detailed codes is a cell
        axes = [pd.unique(long[d]) for d in dims]
        grid = (pd.MultiIndex.from_product(axes, names=dims) if len(dims) > 1
                else pd.Index(axes[0], name=dims[0]))
        sums = long.groupby(dims if len(dims) > 1 else dims[0], sort=False)["_v"].sum()
        long = sums.reindex(grid, fill_value=0).reset_index()
    for d in dims:
        chains = _chains(rel[d])
        pairs = [(c, a) for c in long[d].unique() for a in chains.get(c, [c])]
        m = pd.DataFrame(pairs, columns=[d, "_a"])
        long = long.merge(m, on=d, how="inner").drop(columns=[d]).rename(columns={"_a": d})
    return long.groupby(dims, sort=False)["_v"].sum()


def located(spec: Any, row: int | None = None, field_name: str | None = None) -> Location:
    """Where a problem of the published table is: the dataset, a row of that table.

    The published table is not the extract (its margins have no source row, and
    its rows are in the table's order), so the location says so, and the gate
    keeps it whole rather than reading the row as the extract's
    (:func:`pipelines.gates.redaction_findings`); :func:`name_cells` adds the
    cell's codes, which is what the statistician can look up.
    """
    return Location(file=f"dataset {spec.id} (published table)", row=row, field=field_name)


def name_cells(problems: list[Problem], published: pd.DataFrame,
               dimensions: list[str]) -> list[Problem]:
    """Each problem about a row of ``published`` (1-based, in its order) with the cell's
    codes in its message: code-list notations of an aggregate table, never a count."""
    out = []
    for p in problems:
        row = p.location.row
        if row is not None and 1 <= row <= len(published) and dimensions:
            codes = ", ".join(f"{d}={published[d].iloc[row - 1]}" for d in dimensions
                              if d in published.columns)
            p = p.model_copy(update={"message": f"{p.message} (cell {codes})"})
        out.append(p)
    return out
