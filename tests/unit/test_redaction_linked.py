"""Linked tables and cell-key perturbation.

Linked tables: area x offence and area x quarter from one extract share the
area margins. Suppressing each table on its own can leave a cell that one
table withholds and the other publishes, or a primary cell the two tables
pin together; the attack here (the independent audit on the combined
publication, which knows both tables come from one three-way table) breaks
naive per-table suppression, and fivestar's joint suppression holds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipelines.errors import FivestarError
from pipelines.redaction import redact
from pipelines.redaction.audit import check_disclosure
from pipelines.redaction.cellkey import record_keys
from pipelines.spec.redaction import RedactionRules
from tests.unit.redaction_helpers import make_spec

T = 10
DIMS = ["area", "offence", "quarter"]


def cube(seed: int, areas: int = 4, offences: int = 3, quarters: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    vals = rng.integers(0, 9, size=(areas, offences, quarters))
    rows = [(f"a{i}", f"o{j}", f"q{k}", int(vals[i, j, k])) for i in range(areas)
            for j in range(offences) for k in range(quarters)]
    df = pd.DataFrame(rows, columns=[*DIMS, "count"])
    for c in DIMS:
        df[c] = df[c].astype("string")
    df["count"] = df["count"].astype("Int64")
    return df


def spec_for(tables=None, dims=DIMS, **extra):
    decl = {"area": {"total": "T"}, "offence": {"total": "all"}, "quarter": {"total": "year"}}
    rules = {"sdc": {"measure": "count", "threshold": T, "protection": {"width": {"min": 3}},
                     "dimensions": {d: decl[d] for d in dims}, **extra}}
    if tables is not None:
        rules["sdc"]["tables"] = tables
    fields = [*dims, "count"] + ([extra["perturbation"]["record_id"]]
                                 if "perturbation" in extra else [])
    return make_spec(fields, rules, kind="aggregate")


def sdc_of(spec):
    return RedactionRules.model_validate(spec.redaction).sdc


TABLES = [["area", "offence"], ["area", "quarter"]]


def naive(df: pd.DataFrame) -> pd.DataFrame:
    """Each table suppressed on its own, then published together (known if either shows it)."""
    parts = []
    for keep, fixed, total in ((["area", "offence"], "quarter", "year"),
                               (["area", "quarter"], "offence", "all")):
        table = df.groupby(keep, as_index=False)["count"].sum()
        out = redact(table, spec_for(dims=keep), None).df
        out[fixed] = pd.array([total] * len(out), dtype="string")
        parts.append(out[[*DIMS, "count", "conf_status"]])
    both = pd.concat(parts, ignore_index=True)
    both["_known"] = both["count"].notna()
    both = both.sort_values("_known", ascending=False).drop_duplicates(DIMS)
    return both.drop(columns="_known").reset_index(drop=True)


def test_naive_per_table_suppression_is_broken_by_linking():
    broken = 0
    for seed in range(12):
        df = cube(seed)
        problems = check_disclosure(naive(df), spec_for(TABLES), sdc_of(spec_for(TABLES)), df)
        broken += any(p.code in ("sdc-protection", "status-mismatch") for p in problems)
    assert broken >= 1, "the attack should break naive suppression on some of these tables"


@pytest.mark.parametrize("seed", range(12))
def test_linked_tables_are_protected_together(seed):
    df = cube(seed)
    spec = spec_for(TABLES)
    result = redact(df, spec, None)
    out = result.df
    # exactly the two tables' cells: area x offence at year, area x quarter at all
    in_t1 = out["quarter"] == "year"
    in_t2 = out["offence"] == "all"
    assert (in_t1 | in_t2).all()
    assert in_t1.sum() == 5 * 4 and in_t2.sum() == 5 * 4
    assert result.report.sdc.latent_cells > 0
    assert check_disclosure(out, spec, sdc_of(spec), df) == []


def test_a_table_cannot_leave_out_a_dimension_without_total():
    with pytest.raises(Exception, match="no total"):
        make_spec(["area", "quarter", "count"], {"sdc": {
            "measure": "count", "tables": [["area"]],
            "dimensions": {"area": {"total": "T"}, "quarter": {}}}}, kind="aggregate")
        RedactionRules.model_validate({"sdc": {
            "measure": "count", "tables": [["area"]],
            "dimensions": {"area": {"total": "T"}, "quarter": {}}}})


# -- cell-key perturbation -----------------------------------------------------

PTABLE = ([{"i": 0, "j": 0, "p": 1.0}]
          + [{"i": 1, "j": 0, "p": 0.5}, {"i": 1, "j": 3, "p": 0.5}]
          + [{"i": 2, "j": 0, "p": 0.4}, {"i": 2, "j": 3, "p": 0.6}]
          + [{"i": 3, "j": j, "p": p} for j, p in ((2, 0.2), (3, 0.6), (4, 0.2))])


def records(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({
        "area": [f"a{i}" for i in rng.integers(0, 4, n)],
        "offence": [f"o{i}" for i in rng.integers(0, 3, n)],
        "record_id": [f"R{i:06d}" for i in range(n)],
    })
    return df.astype("string")


def pert_spec():
    return spec_for(dims=["area", "offence"], method="perturbation", from_records=True,
                    perturbation={"record_id": "record_id", "key_range": 256,
                                  "ptable": PTABLE})


def test_perturbation_is_deterministic_and_consistent():
    key = b"k" * 32
    df = records(300)
    spec = pert_spec()
    first = redact(df, spec, key).df
    again = redact(df.sample(frac=1, random_state=1), spec, key).df  # record order irrelevant
    pd.testing.assert_frame_equal(first.reset_index(drop=True), again.reset_index(drop=True))
    assert (first["conf_status"] == "F").all()
    truth = df.groupby(["area", "offence"]).size()
    rep = redact(df, spec, key).report.sdc.model_dump()
    assert rep["method"] == "perturbation" and rep["perturbed"] > 0
    # no published count of 1 or 2 (this ptable's design), totals perturbed too
    assert not first["count"].isin([1, 2]).any()
    assert len(first) == (4 + 1) * (3 + 1)
    grand = first[(first.area == "T") & (first.offence == "all")]["count"].item()
    assert abs(grand - truth.sum()) <= 1
    # a different key gives different record keys (the key is what protects them)
    assert not (record_keys(df["record_id"], key, 256)
                == record_keys(df["record_id"], b"x" * 32, 256)).all()
    assert check_disclosure(first, spec, sdc_of(spec), df) == []


def test_same_cell_same_perturbation_across_releases():
    """A cell with the same records is perturbed the same way in a later, larger release."""
    key = b"k" * 32
    early = records(300)
    late = pd.concat([early, records(50, seed=9).assign(
        record_id=lambda d: "L" + d["record_id"], area="a9")], ignore_index=True)
    spec = pert_spec()
    a = redact(early, spec, key).df.set_index(["area", "offence"])["count"]
    b = redact(late, spec, key).df.set_index(["area", "offence"])["count"]
    same = [ix for ix in a.index if ix[0] != "T"]
    assert (a[same] == b[same]).all()


def test_perturbation_audit_flags_an_impossible_value():
    key = b"k" * 32
    df = records(200)
    spec = pert_spec()
    out = redact(df, spec, key).df
    out.loc[out.index[0], "count"] = out.loc[out.index[0], "count"] + 7
    problems = check_disclosure(out, spec, sdc_of(spec), df)
    assert problems and problems[0].code == "perturbation"


def test_perturbation_needs_the_key_and_a_valid_ptable():
    with pytest.raises(FivestarError):
        redact(records(20), pert_spec(), None)
    bad = spec_for(dims=["area", "offence"], method="perturbation", from_records=True,
                   perturbation={"record_id": "record_id",
                                 "ptable": [{"i": 0, "j": 0, "p": 0.5}]})
    with pytest.raises(FivestarError, match="sum to 1"):
        redact(records(20), bad, b"k" * 32)
