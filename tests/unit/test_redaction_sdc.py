"""Disclosure control: thresholds, complementary suppression and exact non-recoverability.

The property tests draw random small tables with row, column and grand totals
and check the output with this file's own LP (scipy ``linprog``, min and max of
every suppressed cell given only the published cells, the margin equations and
non-negativity) as well as with the verification gate's integer programs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.optimize import linprog

from pipelines.redaction import redact
from pipelines.redaction.verify import check_disclosure
from tests.unit.redaction_helpers import make_spec, margin_table, sdc_spec

T = 10


def lp_intervals(out: pd.DataFrame) -> dict[int, tuple[float, float]]:
    """Feasible [min, max] of every suppressed cell (continuous, non-negative)."""
    unknown = out.index[out["count"].isna()].tolist()
    col = {c: j for j, c in enumerate(unknown)}
    rows, rhs = [], []
    for _, block in out.groupby("period"):
        for dim, total, other in (("offence", "all", "area"), ("area", "T", "offence")):
            for _, grp in block.groupby(other):
                parent = grp[grp[dim] == total]
                kids = grp[grp[dim] != total]
                r = np.zeros(len(unknown))
                const = 0.0
                for idx, sign in [(parent.index[0], -1.0)] + [(k, 1.0) for k in kids.index]:
                    v = out.at[idx, "count"]
                    if pd.isna(v):
                        r[col[idx]] += sign
                    else:
                        const += sign * float(v)
                if r.any():
                    rows.append(r)
                    rhs.append(-const)
    result = {}
    for c, j in col.items():
        obj = np.zeros(len(unknown))
        obj[j] = 1
        lo = linprog(obj, A_eq=np.array(rows), b_eq=rhs, bounds=(0, None))
        hi = linprog(-obj, A_eq=np.array(rows), b_eq=rhs, bounds=(0, None))
        assert lo.status == 0, "published margins must stay consistent"
        result[c] = (lo.fun, -hi.fun if hi.status == 0 else np.inf)
    return result


tables = st.tuples(st.integers(2, 4), st.integers(2, 4)).flatmap(
    lambda shape: arrays(np.int64, shape, elements=st.integers(0, 40)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inner=tables, zero=st.sampled_from(["publish", "suppress"]))
def test_random_tables_are_protected(inner: np.ndarray, zero: str):
    df = margin_table(inner)
    spec = sdc_spec(zero=zero)
    out = redact(df, spec, None).df
    counts = df["count"].to_numpy()
    published = out["count"]
    # 1. every published cell is >= threshold, or a zero the spec publishes
    ok = published.isna() | (published >= T) | ((published == 0) & (zero == "publish"))
    assert ok.all()
    # 2. statuses: C exactly the small cells; D only on cells that were publishable
    small = (counts < T) & ((counts > 0) | (zero == "suppress"))
    assert (out["conf_status"] == "C").to_numpy().tolist() == small.tolist()
    assert out["count"].isna().tolist() == out["conf_status"].isin(["C", "D"]).tolist()
    assert (out.loc[out["conf_status"] == "F", "count"].to_numpy() == counts[
        (out["conf_status"] == "F").to_numpy()]).all()
    # 3. no suppressed cell is pinned by subtraction (our own LP)
    for idx, (lo, hi) in lp_intervals(out).items():
        if out.at[idx, "conf_status"] == "D" and counts[idx] == 0 and zero == "publish":
            continue  # only a zero, which this spec publishes anyway
        assert hi - lo >= 1 - 1e-6, f"cell {idx} determined"
    # 4. and the verification gate (integer programs with status knowledge) agrees
    sdc = spec.redaction.sdc
    assert check_disclosure(out, spec, sdc) == []


@settings(max_examples=15, deadline=None)
@given(inner=arrays(np.int64, (3, 3), elements=st.integers(0, 30)),
       periods=st.integers(2, 3))
def test_periods_are_independent_tables(inner: np.ndarray, periods: int):
    df = margin_table(inner, periods=periods)
    out = redact(df, sdc_spec(), None).df
    for p in range(periods):
        alone = margin_table(inner + p if periods > 1 else inner)
        alone["period"] = pd.array([f"P{p}"] * len(alone), dtype="string")
        single = redact(alone, sdc_spec(), None).df
        mine = out[out["period"] == f"P{p}"].reset_index(drop=True)
        assert mine["conf_status"].tolist() == single["conf_status"].tolist()


def test_lone_small_cell_gets_a_complement_in_row_and_column():
    inner = np.array([[3, 50, 60], [40, 45, 55], [70, 80, 90]])
    out = redact(margin_table(inner), sdc_spec(), None).df
    status = out.pivot(index="area", columns="offence", values="conf_status")
    assert status.loc["a0", "o0"] == "C"
    assert (status.loc["a0"] != "F").sum() >= 2  # not alone in its row
    assert (status["o0"] != "F").sum() >= 2  # nor in its column
    assert (out["conf_status"] == "D").sum() >= 3  # a rectangle at least


def test_no_small_cells_means_nothing_suppressed():
    inner = np.array([[30, 50], [40, 45]])
    result = redact(margin_table(inner), sdc_spec(), None)
    assert (result.df["conf_status"] == "F").all()
    assert result.report.model_dump(mode="json")["cells_primary_suppressed"] == 0
    assert result.report.model_dump(mode="json")["cells_secondary_suppressed"] == 0


def test_output_contract_and_report():
    inner = np.array([[3, 50, 60], [40, 0, 55], [70, 80, 90]])
    df = margin_table(inner)
    result = redact(df, sdc_spec(), None)
    out = result.df
    assert list(out.columns) == [*df.columns, "conf_status"]
    assert str(out["count"].dtype) == "Int64"
    assert out["conf_status"].dtype == "string"
    assert set(out["conf_status"]) <= {"F", "C", "D"}
    assert out.loc[(out.area == "a1") & (out.offence == "o1"), "count"].item() == 0  # zero kept
    rep = result.report.model_dump(mode="json")
    assert rep["cells_primary_suppressed"] == 1
    assert rep["cells_secondary_suppressed"] == int((out["conf_status"] == "D").sum())
    assert rep["sdc"]["marker"] == "[c]"
    assert "sdc" in rep["rules_run"]


def test_zero_suppressed_when_declared():
    inner = np.array([[0, 50, 60], [40, 45, 55], [70, 80, 90]])
    out = redact(margin_table(inner), sdc_spec(zero="suppress"), None).df
    cell = out[(out.area == "a0") & (out.offence == "o0")]
    assert cell["conf_status"].item() == "C" and pd.isna(cell["count"].item())


def test_rounding_to_base():
    inner = np.array([[3, 52, 61], [41, 47, 55], [72, 83, 94]])
    spec = sdc_spec(rounding=5)
    result = redact(margin_table(inner), spec, None)
    published = result.df["count"].dropna().astype(int)
    assert (published % 5 == 0).all()
    assert result.report.model_dump(mode="json")["cells_rounded"] > 0
    sdc = spec.redaction.sdc
    assert check_disclosure(result.df, spec, sdc) == []


def test_declared_multi_level_hierarchy():
    # areas a0,a1 in region R1; a2,a3 in R2; both regions in T
    rng = np.random.default_rng(7)
    inner = rng.integers(0, 25, size=(4, 3))
    inner[0, 0], inner[2, 1] = 2, 4
    rows = []
    groups = {"R1": [0, 1], "R2": [2, 3]}
    offences = [f"o{j}" for j in range(3)]
    for j, o in enumerate([*offences, "all"]):
        col = inner.sum(axis=1) if o == "all" else inner[:, j]
        for i in range(4):
            rows.append(("P0", f"a{i}", o, int(col[i])))
        for region, members in groups.items():
            rows.append(("P0", region, o, int(col[members].sum())))
        rows.append(("P0", "T", o, int(col.sum())))
    df = pd.DataFrame(rows, columns=["period", "area", "offence", "count"])
    df["count"] = df["count"].astype("Int64")
    rules = {"sdc": {"measure": "count", "threshold": 10,
                     "dimensions": {"period": {},
                                    "area": {"total": "T",
                                             "parents": {"R1": ["a0", "a1"], "R2": ["a2", "a3"]}},
                                    "offence": {"total": "all"}}}}
    spec = make_spec(["period", "area", "offence", "count"], rules, kind="aggregate")
    result = redact(df, spec, None)
    assert result.report.model_dump(mode="json")["sdc"]["hierarchies"]["area"] == 6
    sdc = spec.redaction.sdc
    assert check_disclosure(result.df, spec, sdc) == []


def test_missing_count_is_refused_without_value():
    from pipelines.errors import FivestarError

    df = margin_table(np.array([[30, 50], [40, 45]]))
    df.loc[2, "count"] = pd.NA
    with pytest.raises(FivestarError) as err:
        redact(df, sdc_spec(), None)
    assert "row 3" in str(err.value) and "count" in str(err.value)


def test_verify_flags_a_recoverable_pattern():
    """Hand-made bad output: one suppressed cell alone in its row is recovered exactly."""
    df = margin_table(np.array([[3, 50], [40, 45]]))
    spec = sdc_spec()
    out = df.copy()
    out["conf_status"] = pd.array(["F"] * len(out), dtype="string")
    cell = (out.area == "a0") & (out.offence == "o0")
    out.loc[cell, "count"] = pd.NA
    out.loc[cell, "conf_status"] = "C"
    sdc = spec.redaction.sdc
    problems = check_disclosure(out, spec, sdc)
    assert [p.code for p in problems] == ["recoverable"]
    assert problems[0].location.row == int(np.nonzero(cell.to_numpy())[0][0]) + 1
    assert problems[0].location.field == "count"
    assert "3" not in problems[0].message


def test_verify_flags_published_small_count():
    df = margin_table(np.array([[3, 50], [40, 45]]))
    out = df.copy()
    out["conf_status"] = pd.array(["F"] * len(out), dtype="string")
    spec = sdc_spec()
    sdc = spec.redaction.sdc
    problems = check_disclosure(out, spec, sdc)
    assert [p.code for p in problems] == ["below-threshold"]
    assert problems[0].location.row == 1


def test_hierarchy_from_skos_codelist(tmp_path, monkeypatch):
    """``codelist: true`` reads skos:broader from vocabularies/<stem>.ttl (redactor and gate)."""
    from pipelines import paths

    (tmp_path / "areas.ttl").write_text("""
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix ex: <http://example.org/area/> .
<http://example.org/areas> a skos:ConceptScheme .
ex:T a skos:Concept ; skos:notation "T" .
ex:a0 a skos:Concept .
ex:a1 a skos:Concept .
ex:a2 a skos:Concept .
ex:a0 skos:notation "a0" ; skos:broader ex:T .
ex:a1 skos:notation "a1" ; skos:broader ex:T .
ex:a2 skos:notation "a2" .
ex:T skos:narrower ex:a2 .
""", encoding="utf-8")
    monkeypatch.setattr(paths, "VOCABULARIES_DIR", tmp_path)
    inner = np.array([[3, 50, 60], [40, 45, 55], [70, 80, 90]])
    rules = {"sdc": {"measure": "count", "threshold": 10,
                     "dimensions": {"period": {}, "area": {"codelist": True},
                                    "offence": {"total": "all"}}}}
    spec = make_spec(["period", "area", "offence", "count"], rules, kind="aggregate")
    spec.table_schema.fields[1]["codelist"] = "areas"
    result = redact(margin_table(inner), spec, None)
    assert result.report.model_dump(mode="json")["sdc"]["hierarchies"]["area"] == 3
    out = result.df
    assert (out[out.offence == "o0"]["conf_status"] != "F").sum() >= 2  # column complement
    sdc = spec.redaction.sdc
    assert check_disclosure(out, spec, sdc) == []
