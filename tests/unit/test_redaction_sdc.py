"""Disclosure control: margins from the spec, protection intervals, linked tables.

The property tests draw random tables with a two-level hierarchy (areas in
regions in a total) and margins computed by fivestar, and check the output
three ways: the totals equal the sum of their parts (numpy, here), every
primary cell's feasible interval meets the declared protection (the
independent audit), and an exact integer-programming attack written in this
file finds no primary cell narrower than declared.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from pipelines.errors import FivestarError
from pipelines.redaction import redact
from pipelines.redaction.audit import audit, check_disclosure
from pipelines.spec.redaction import RedactionRules
from tests.unit.redaction_helpers import make_spec, margin_table, sdc_spec

T = 10
REGIONS = {"R1": ["a0", "a1"], "R2": ["a2", "a3"]}


def leaf_frame(inner: np.ndarray, areas: list[str] | None = None) -> pd.DataFrame:
    """Detailed cells only (no totals): areas x offences."""
    areas = areas or [f"a{i}" for i in range(inner.shape[0])]
    rows = [("P0", a, f"o{j}", int(inner[i, j])) for i, a in enumerate(areas)
            for j in range(inner.shape[1])]
    df = pd.DataFrame(rows, columns=["period", "area", "offence", "count"])
    for c in ("period", "area", "offence"):
        df[c] = df[c].astype("string")
    df["count"] = df["count"].astype("Int64")
    return df


def hier_spec(width: int = 3, loss: str = "value", **extra):
    rules = {"sdc": {"measure": "count", "threshold": T, "loss": loss,
                     "protection": {"width": {"min": width}},
                     "dimensions": {"period": {},
                                    "area": {"total": "T", "parents": REGIONS},
                                    "offence": {"total": "all"}}, **extra}}
    return make_spec(["period", "area", "offence", "count"], rules, kind="aggregate")


def sdc_of(spec):
    return RedactionRules.model_validate(spec.redaction).sdc


def attack(out: pd.DataFrame, dims: list[str], parents: dict[str, dict[str, str]],
           zero_published: bool = True) -> dict[int, tuple[float, float]]:
    """Exact integer attack: min and max of each C cell given everything published.

    Written from scratch here: variables are the suppressed cells; every
    margin equation among published rows; C cells in 1..T-1, D cells 0 or >= T
    (a binary each); integers.
    """
    out = out.reset_index(drop=True)
    key = {tuple(r): i for i, r in enumerate(out[dims].astype(str).itertuples(
        index=False, name=None))}
    unknown = [i for i in range(len(out)) if pd.isna(out.at[i, "count"])]
    col = {c: j for j, c in enumerate(unknown)}
    k = len(unknown)
    d_cells = [c for c in unknown if out.at[c, "conf_status"] == "D" and zero_published]
    nvar = k + len(d_cells)
    rows, lo, hi = [], [], []
    for pkey, pidx in key.items():
        for di, d in enumerate(dims):
            kids = [i for c, i in key.items() if parents[d].get(c[di]) == pkey[di]
                    and c[:di] + c[di + 1:] == pkey[:di] + pkey[di + 1:]]
            if not kids:
                continue
            r = np.zeros(nvar)
            const = 0.0
            for idx, sign in [(pidx, -1.0)] + [(x, 1.0) for x in kids]:
                if idx in col:
                    r[col[idx]] += sign
                else:
                    const += sign * float(out.at[idx, "count"])
            if r.any():
                rows.append(r), lo.append(-const), hi.append(-const)
    big = float(out["count"].sum(skipna=True)) * 2 + 100
    lb, ub = np.zeros(nvar), np.full(nvar, big)
    for c, j in col.items():
        if out.at[c, "conf_status"] == "C":
            lb[j], ub[j] = (1 if zero_published else 0), T - 1
        elif not zero_published:
            lb[j] = T
    ub[k:] = 1
    for z, c in enumerate(d_cells):
        r1 = np.zeros(nvar)
        r1[col[c]], r1[k + z] = 1, -T
        r2 = np.zeros(nvar)
        r2[col[c]], r2[k + z] = 1, -big
        rows += [r1, r2]
        lo += [0, -np.inf]
        hi += [np.inf, 0]
    cons = [LinearConstraint(np.array(rows), lo, hi)] if rows else []
    result = {}
    for c, j in col.items():
        if out.at[c, "conf_status"] != "C":
            continue
        obj = np.zeros(nvar)
        obj[j] = 1
        a = milp(obj, constraints=cons, integrality=np.ones(nvar), bounds=Bounds(lb, ub))
        b = milp(-obj, constraints=cons, integrality=np.ones(nvar), bounds=Bounds(lb, ub))
        assert a.success and b.success
        result[c] = (round(a.fun), round(-b.fun))
    return result


AREA_PARENTS = {"period": {}, "area": {**{a: r for r, kids in REGIONS.items() for a in kids},
                                       "R1": "T", "R2": "T"},
                "offence": {}}

tables = st.integers(2, 4).flatmap(lambda c: st.lists(
    st.lists(st.integers(0, 30), min_size=c, max_size=c), min_size=4, max_size=4)).map(np.array)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target])
@given(inner=tables, width=st.integers(1, 5), loss=st.sampled_from(["value", "cells"]),
       zero=st.sampled_from(["publish", "suppress"]))
def test_random_hierarchical_tables_meet_their_protection(inner, width, loss, zero):
    df = leaf_frame(inner)
    spec = hier_spec(width=width, loss=loss, zero=zero)
    try:
        result = redact(df, spec, None)
    except FivestarError as err:  # refused up front, located: never published narrower
        assert {p.code for p in err.problems} == {"sdc-unprotectable"}
        return
    out = result.df
    # 1. margins computed: every region, area total, offence total and the grand total
    assert len(out) == (4 + 2 + 1) * (inner.shape[1] + 1)
    truth = {("a" + str(i), f"o{j}"): int(inner[i, j]) for i in range(4)
             for j in range(inner.shape[1])}
    full = {}
    for (a, o), v in truth.items():
        for area in (a, "R1" if a in REGIONS["R1"] else "R2", "T"):
            for off in (o, "all"):
                full[(area, off)] = full.get((area, off), 0) + v
    for row in out.itertuples(index=False):
        if row.conf_status == "F":
            assert row.count == full[(row.area, row.offence)]  # totals equal their parts
    # 2. thresholds
    published = out["count"]
    assert (published.isna() | (published >= T) | ((published == 0) & (zero == "publish"))).all()
    small = [(k, v) for k, v in full.items() if v < T and (v > 0 or zero == "suppress")]
    status = {(r.area, r.offence): r.conf_status for r in out.itertuples(index=False)}
    assert all(status[k] == "C" for k, _ in small)
    # 3. the independent audit proves every primary cell, and the report says so
    assert check_disclosure(out, spec, sdc_of(spec), df) == []
    if small:
        assert result.report.sdc.narrowest_interval_width >= min(width, T - 2)
    # 4. an exact attack written here agrees
    parents = {**AREA_PARENTS, "offence": {f"o{j}": "all" for j in range(inner.shape[1])}}
    for cell, (lo, hi) in attack(out, ["period", "area", "offence"], parents,
                                 zero_published=zero == "publish").items():
        assert hi - lo >= min(width, T - 2), (cell, lo, hi)


def test_margins_computed_from_an_extract_without_totals():
    inner = np.array([[3, 50, 60], [40, 45, 55], [70, 80, 90], [20, 30, 40]])
    result = redact(leaf_frame(inner), hier_spec(), None)
    out = result.df.set_index(["area", "offence"])
    assert out.loc[("T", "all"), "count"] == inner.sum()
    assert out.loc[("R2", "o1"), "count"] == inner[2:, 1].sum()
    rep = result.report.sdc.model_dump()
    assert rep["cells_computed"] == len(out) - inner.size
    assert rep["totals"] == "computed"
    assert rep["hierarchies"]["area"] == 6  # a0..a3 -> R1/R2, R1/R2 -> T
    assert rep["audit"]["failures"] == 0 and rep["audit"]["proven"] == rep["primary_suppressed"]


def test_protection_interval_is_met_not_just_two_values():
    """The issue's case: with margins, primaries could be narrowed to [1, 3]. Not any more."""
    rng = np.random.default_rng(3)
    inner = rng.integers(0, 14, size=(4, 6))
    spec = hier_spec(width=5)
    out = redact(leaf_frame(inner), spec, None).df
    parents = {**AREA_PARENTS, "offence": {f"o{j}": "all" for j in range(6)}}
    widths = [hi - lo for lo, hi in attack(out, ["period", "area", "offence"], parents).values()]
    assert widths and min(widths) >= 5


def test_supplied_total_that_is_wrong_is_refused_with_its_row():
    df = margin_table(np.array([[30, 50], [40, 45]]))
    bad = df.index[(df.area == "a1") & (df.offence == "all")][0]
    df.loc[bad, "count"] = df.loc[bad, "count"] + 1
    with pytest.raises(FivestarError) as err:
        redact(df, sdc_spec(), None)
    problem = err.value.problems[0]
    assert problem.code == "sdc-total-mismatch"
    assert problem.location.row == bad + 1 and problem.location.field == "count"
    assert "sum of its parts" in problem.message
    assert str(int(df.loc[bad, "count"])) not in str(err.value)


def test_supplied_totals_must_all_be_there():
    df = margin_table(np.array([[30, 50], [40, 45]]))
    df = df[~((df.area == "T") & (df.offence == "all"))]
    with pytest.raises(FivestarError) as err:
        redact(df, sdc_spec(totals="supplied"), None)
    assert err.value.problems[0].code == "sdc-total-missing"
    assert "area=T" in err.value.problems[0].message


def test_correct_supplied_totals_are_accepted():
    df = margin_table(np.array([[3, 50, 60], [40, 45, 55], [70, 80, 90]]))
    spec = sdc_spec(totals="supplied", protection={"width": {"min": 3}})
    out = redact(df, spec, None).df
    assert len(out) == len(df)
    assert check_disclosure(out, spec, sdc_of(spec), df) == []


def write_areas(folder, concepts: str) -> None:
    """A SKOS code list ``areas.ttl`` (one concept scheme) holding ``concepts``."""
    (folder / "areas.ttl").write_text(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "@prefix ex: <http://example.org/area/> .\n"
        "ex:scheme a skos:ConceptScheme .\n" + concepts, encoding="utf-8")


def areas_spec(tmp_path, monkeypatch, concepts: str):
    """An aggregate spec (period x area x offence) whose `area` reads the code list
    ``concepts`` with ``codelist: true`` and total `T`."""
    from pipelines import paths

    write_areas(tmp_path, concepts)
    monkeypatch.setattr(paths, "VOCABULARIES_DIR", tmp_path)
    rules = {"sdc": {"measure": "count", "threshold": T, "protection": {"width": {"min": 3}},
                     "dimensions": {"period": {}, "area": {"codelist": True, "total": "T"},
                                    "offence": {"total": "all"}}}}
    spec = make_spec(["period", "area", "offence", "count"], rules, kind="aggregate")
    spec.table_schema.fields[1]["codelist"] = "areas"
    return spec


def test_total_code_not_in_code_list_is_a_spec_error(tmp_path, monkeypatch):
    from pipelines import paths

    write_areas(tmp_path, """
ex:a0 a skos:Concept ; skos:notation "a0" . ex:a1 a skos:Concept ; skos:notation "a1" .
""")
    monkeypatch.setattr(paths, "VOCABULARIES_DIR", tmp_path)
    spec = sdc_spec()
    spec.table_schema.fields[1]["codelist"] = "areas"
    with pytest.raises(FivestarError) as err:
        redact(leaf_frame(np.array([[30, 50], [40, 45]])), spec, None)
    assert err.value.problems[0].code == "sdc-spec"
    assert "`T` is not in the code list" in err.value.problems[0].message


def test_multi_level_hierarchy_from_skos(tmp_path, monkeypatch):
    """force area -> region -> country, read from skos:broader and skos:narrower."""
    spec = areas_spec(tmp_path, monkeypatch, """
ex:T a skos:Concept ; skos:notation "T" .
ex:R1 a skos:Concept ; skos:notation "R1" ; skos:broader ex:T .
ex:R2 a skos:Concept ; skos:notation "R2" . ex:T skos:narrower ex:R2 .
ex:a0 a skos:Concept ; skos:notation "a0" ; skos:broader ex:R1 .
ex:a1 a skos:Concept ; skos:notation "a1" ; skos:broader ex:R1 .
ex:a2 a skos:Concept ; skos:notation "a2" ; skos:broader ex:R2 .
ex:a3 a skos:Concept ; skos:notation "a3" . ex:R2 skos:narrower ex:a3 .
""")
    inner = np.array([[3, 50, 60], [40, 45, 55], [70, 4, 90], [20, 30, 40]])
    df = leaf_frame(inner)
    result = redact(df, spec, None)
    out = result.df.set_index(["area", "offence"])
    assert out.loc[("R1", "all"), "count"] == inner[:2].sum()
    assert out.loc[("T", "all"), "count"] == inner.sum()
    assert check_disclosure(result.df, spec, sdc_of(spec), df) == []


def two_parent_spec(tmp_path, monkeypatch):
    """An aggregate spec whose area code list gives `a1` two parents (R1 and R2)."""
    return areas_spec(tmp_path, monkeypatch, """
ex:T a skos:Concept ; skos:notation "T" .
ex:R1 a skos:Concept ; skos:notation "R1" ; skos:broader ex:T .
ex:R2 a skos:Concept ; skos:notation "R2" ; skos:broader ex:T .
ex:a0 a skos:Concept ; skos:notation "a0" ; skos:broader ex:R1 .
ex:a1 a skos:Concept ; skos:notation "a1" ; skos:broader ex:R1 . ex:R2 skos:narrower ex:a1 .
""")


def test_code_with_two_parents_in_the_code_list_is_a_spec_error(tmp_path, monkeypatch):
    """The shared loader keeps every skos:broader link, so a second parent is refused."""
    spec = two_parent_spec(tmp_path, monkeypatch)
    with pytest.raises(FivestarError) as err:
        redact(leaf_frame(np.array([[30, 50], [40, 45]])), spec, None)
    problem = err.value.problems[0]
    assert problem.code == "sdc-spec"
    assert "`a1` has two parents" in problem.message
    assert problem.location.field == "redaction.sdc.dimensions.area"


def test_the_audit_refuses_a_two_parent_code_list_on_its_own(tmp_path, monkeypatch):
    """The audit reads the code list itself: a second parent stops it, whatever suppression did."""
    from pipelines.redaction.audit_table import parents_of

    spec = two_parent_spec(tmp_path, monkeypatch)
    codes = {"period": {"2024"}, "area": {"a0", "a1"}, "offence": {"o0"}}
    with pytest.raises(FivestarError) as err:
        parents_of(spec, sdc_of(spec), codes)
    problem = err.value.problems[0]
    assert problem.code == "sdc-spec" and "`a1` with two parents" in problem.message
    assert problem.location.field == "redaction.sdc.dimensions.area"


def test_rounding_method_is_audited():
    inner = np.array([[3, 52, 61], [41, 47, 55], [72, 83, 94], [20, 31, 44]])
    spec = hier_spec(width=3, method="rounding", rounding=5)
    df = leaf_frame(inner)
    result = redact(df, spec, None)
    published = result.df["count"]
    assert published.notna().all() and (published % 5 == 0).all()
    assert result.report.sdc.rounded > 0
    assert check_disclosure(result.df, spec, sdc_of(spec), df) == []


def test_audit_blocks_a_pattern_that_is_too_narrow():
    """Hand-made output: a lone primary with one complement is pinned to a narrow range."""
    df = margin_table(np.array([[3, 50], [40, 45]]))
    spec = sdc_spec(protection={"width": {"min": 3}})
    out = df.copy()
    out["conf_status"] = pd.array(["F"] * len(out), dtype="string")
    cell = (out.area == "a0") & (out.offence == "o0")
    out.loc[cell, "count"] = pd.NA
    out.loc[cell, "conf_status"] = "C"
    for truth in (df, None):
        problems = check_disclosure(out, spec, sdc_of(spec), truth)
        assert [p.code for p in problems] == ["sdc-protection"]
        assert problems[0].location.row == int(np.flatnonzero(cell.to_numpy())[0]) + 1
        assert "3" not in problems[0].message


def test_audit_flags_a_published_value_that_is_not_the_extracts():
    df = leaf_frame(np.array([[30, 50], [40, 45]]))
    spec = sdc_spec()
    out = redact(df, spec, None).df
    out.loc[out.index[0], "count"] = out.loc[out.index[0], "count"] + 10
    problems = check_disclosure(out, spec, sdc_of(spec), df)
    assert [p.code for p in problems] == ["sdc-wrong-value"]


def test_a_problem_of_a_margin_names_the_published_table_and_the_cell():
    """A margin has no row in the extract: the problem names the published table's row
    and the cell's codes, and the gate does not read that row as the extract's."""
    df = leaf_frame(np.array([[30, 50], [40, 45]]))
    spec = sdc_spec()
    out = redact(df, spec, None).df.reset_index(drop=True)
    margin = int(np.flatnonzero((out["area"] == "T").to_numpy())[0])
    out.loc[margin, "count"] = out.loc[margin, "count"] + 10
    [problem] = check_disclosure(out, spec, sdc_of(spec), df)
    assert problem.location.file == f"dataset {spec.id} (published table)"
    assert problem.location.row == margin + 1
    codes = ", ".join(f"{d}={out.at[margin, d]}" for d in ("period", "area", "offence"))
    assert problem.message.endswith(f"(cell {codes})")
    assert str(int(out.at[margin, "count"])) not in problem.message


def test_verify_flags_published_small_count():
    df = margin_table(np.array([[3, 50], [40, 45]]))
    out = df.copy()
    out["conf_status"] = pd.array(["F"] * len(out), dtype="string")
    spec = sdc_spec()
    problems = check_disclosure(out, spec, sdc_of(spec))
    assert [p.code for p in problems] == ["below-threshold"]
    assert problems[0].location.row == 1


def test_zero_suppressed_when_declared():
    inner = np.array([[0, 50, 60], [40, 45, 55], [70, 80, 90]])
    out = redact(margin_table(inner), sdc_spec(zero="suppress"), None).df
    cell = out[(out.area == "a0") & (out.offence == "o0")]
    assert cell["conf_status"].item() == "C" and pd.isna(cell["count"].item())


def test_extra_columns_are_refused_with_margins():
    df = leaf_frame(np.array([[30, 50], [40, 45]]))
    df["label"] = pd.array(["x"] * len(df), dtype="string")
    with pytest.raises(FivestarError) as err:
        redact(df, sdc_spec(), None)
    assert err.value.problems[0].location.field == "label"


def test_missing_count_is_refused_without_value():
    df = leaf_frame(np.array([[30, 50], [40, 45]]))
    df.loc[2, "count"] = pd.NA
    with pytest.raises(FivestarError) as err:
        redact(df, sdc_spec(), None)
    assert "row 3" in str(err.value) and "count" in str(err.value)


def test_audit_summary_has_widths_never_values():
    inner = np.array([[3, 50, 60], [40, 45, 55], [70, 80, 90], [20, 30, 40]])
    spec = hier_spec()
    a = audit(redact(leaf_frame(inner), spec, None).df, spec, sdc_of(spec), leaf_frame(inner))
    summary = a.summary().model_dump()
    assert set(summary) >= {"primary_cells", "proven", "failures", "narrowest_width"}
    assert summary["proven"] == summary["primary_cells"] >= 1
    assert all(isinstance(v, int | None) for v in summary.values())  # counts and widths only


wide_tables = st.tuples(st.integers(2, 5), st.integers(2, 5)).flatmap(lambda s: st.lists(
    st.lists(st.integers(0, 25), min_size=s[1], max_size=s[1]), min_size=s[0],
    max_size=s[0])).map(np.array)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target])
@given(inner=wide_tables, zero=st.sampled_from(["publish", "suppress"]),
       rule=st.sampled_from([{"width": {"min": 1}}, {"width": {"min": 3}},
                             {"width": {"min": 2, "percent": 40}},
                             {"upper": {"percent": 25}, "lower": {"percent": 25}}]),
       loss=st.sampled_from(["value", "cells"]))
# found on main before the exact fallback: a cell no hypercube could protect was published
# (narrower than declared) and left for the gate to block
@example(inner=np.array([[7, 8, 8, 0], [8, 5, 0, 11], [8, 5, 1, 11]]), zero="publish",
         rule={"upper": {"percent": 25}, "lower": {"percent": 25}}, loss="value")
def test_random_tables_are_protected(inner, zero, rule, loss):
    """Flat two-way tables with computed margins, zeros published or suppressed, several
    protection rules: the exact attack here finds every primary cell at least as wide as
    declared, and the gate's audit agrees (or the run is refused, located, up front)."""
    df = leaf_frame(inner)
    rules = {"sdc": {"measure": "count", "threshold": T, "zero": zero, "loss": loss,
                     "protection": rule,
                     "dimensions": {"period": {}, "area": {"total": "T"},
                                    "offence": {"total": "all"}}}}
    spec = make_spec(["period", "area", "offence", "count"], rules, kind="aggregate")
    sdc = sdc_of(spec)
    try:
        result = redact(df, spec, None)
    except FivestarError as err:  # refused: every problem is a located unprotectable cell
        assert {p.code for p in err.problems} == {"sdc-unprotectable"}
        return
    out = result.df
    assert check_disclosure(out, spec, sdc, df) == []
    parents = {"period": {}, "area": {f"a{i}": "T" for i in range(inner.shape[0])},
               "offence": {f"o{j}": "all" for j in range(inner.shape[1])}}
    for cell, (lo, hi) in attack(out, ["period", "area", "offence"], parents,
                                 zero_published=zero == "publish").items():
        x = _true(inner, out.at[cell, "area"], out.at[cell, "offence"])
        lb = 1 if zero == "publish" else 0
        up, down, width = _need(sdc, x, lb, T - 1)
        assert hi >= x + up and lo <= x - down and hi - lo >= width, (cell, x, lo, hi)


def _true(inner: np.ndarray, area: str, offence: str) -> int:
    rows = range(inner.shape[0]) if area == "T" else [int(area[1:])]
    cols = range(inner.shape[1]) if offence == "all" else [int(offence[1:])]
    return int(sum(inner[i, j] for i in rows for j in cols))


def _need(sdc, x: int, lo: int, hi: int) -> tuple[int, int, int]:
    """The declared (upper, lower, width), capped by the cell's own range (as the spec says)."""
    import math

    p = sdc.protection

    def level(lv) -> int:
        return math.ceil(max(lv.percent / 100.0 * x, float(lv.min)) - 1e-9)

    return (max(0, min(level(p.upper), hi - x)), max(0, min(level(p.lower), x - lo)),
            max(0, min(level(p.width), hi - lo)))


def test_staging_fails_closed_when_the_audit_cannot_prove_a_cell(monkeypatch):
    """A suppression pattern with no secondary cells (a broken suppressor, simulated) is
    refused by the independent audit at staging, located, without a value."""
    from pipelines.redaction import sdc as sdc_module

    def primaries_only(table, rules):
        primary = sdc_module.sensitive(table, rules)
        return sdc_module.Suppression(primary, primary.copy(), [], [])

    monkeypatch.setattr(sdc_module, "suppress", primaries_only)
    inner = np.array([[3, 50, 60], [40, 45, 55], [70, 80, 90], [20, 30, 40]])
    with pytest.raises(FivestarError) as err:
        redact(leaf_frame(inner), hier_spec(width=3), None)
    problems = err.value.problems
    assert problems and {p.code for p in problems} == {"sdc-protection"}
    assert all(p.location.row and p.location.field == "count" for p in problems)
    assert "3" not in " ".join(p.message for p in problems)


def test_certificate_is_checked_never_trusted():
    """The suppressor's moves prove cells only after the audit's own checks: a move that
    unbalances an equation, or moves a published cell, is rejected and proves nothing."""
    inner = np.array([[3, 50, 60, 12], [40, 45, 55, 7], [70, 80, 90, 30], [20, 30, 40, 11]])
    df, spec = leaf_frame(inner), hier_spec(width=3)
    result = redact(df, spec, None)
    cert = result.certificate
    assert cert is not None and len(cert)
    good = audit(result.df, spec, sdc_of(spec), df, cert)
    assert not good.failures and good.moves_rejected == 0
    assert good.certified == good.primary_cells >= 1
    # every move with one sign flipped: each now unbalances its equations
    flipped = cert.copy()
    first = flipped.groupby("move").head(1).index
    flipped.loc[first, "coef"] = -flipped.loc[first, "coef"]
    bad = audit(result.df, spec, sdc_of(spec), df, flipped)
    assert bad.moves_rejected == cert["move"].nunique() and bad.certified == 0
    assert not bad.failures  # proved by the integer programmes instead
    # a published (free) cell added to every move: rejected too
    out = result.df.reset_index(drop=True)
    free = out[out["conf_status"] == "F"].iloc[0]
    extra = pd.DataFrame({"move": cert["move"].unique()})
    for d in ("period", "area", "offence"):
        extra[d] = free[d]
    extra["coef"] = 1
    tampered = pd.concat([cert.astype({d: str for d in ("period", "area", "offence")}), extra],
                         ignore_index=True)
    assert audit(out, spec, sdc_of(spec), df, tampered).certified == 0


def test_a_certificate_cannot_pass_an_unprotected_pattern():
    df = margin_table(np.array([[3, 50], [40, 45]]))
    spec = sdc_spec(protection={"width": {"min": 3}})
    out = df.copy()
    out["conf_status"] = pd.array(["F"] * len(out), dtype="string")
    cell = (out.area == "a0") & (out.offence == "o0")
    out.loc[cell, "count"] = pd.NA
    out.loc[cell, "conf_status"] = "C"
    # the claimed move: the primary and its row and column neighbours (all but one published)
    cert = pd.DataFrame({"move": [0, 0, 0, 0], "period": ["P0"] * 4,
                         "area": ["a0", "a0", "a1", "a1"], "offence": ["o0", "o1", "o0", "o1"],
                         "coef": [1, -1, -1, 1]})
    problems = check_disclosure(out, spec, sdc_of(spec), df, cert)
    assert [p.code for p in problems] == ["sdc-protection"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target])
@given(inner=wide_tables, zero=st.sampled_from(["publish", "suppress"]),
       width=st.integers(2, 6))
# nine areas of one each under a total of nine: each is pinned to exactly one
@example(inner=np.ones((9, 1), dtype=np.int64), zero="publish", width=3)
def test_cells_proved_unprotectable_are(inner, zero, width):
    """A cell the suppressor calls unprotectable by *any* pattern (its refusal's proof)
    is narrower than declared even with every non-zero cell withheld, by the exact
    attack written here; and the refusal says so."""
    from pipelines.redaction.sdc import suppress
    from pipelines.redaction.tabulate import tabulate

    df = leaf_frame(inner)
    rules = {"sdc": {"measure": "count", "threshold": T, "zero": zero,
                     "protection": {"width": {"min": width}},
                     "dimensions": {"period": {}, "area": {"total": "T"},
                                    "offence": {"total": "all"}}}}
    spec = make_spec(["period", "area", "offence", "count"], rules, kind="aggregate")
    sdc = sdc_of(spec)
    table = tabulate(df, sdc, spec)
    sup = suppress(table, sdc)
    assert set(sup.structural) <= set(sup.unresolved)
    if not sup.structural:
        return
    out = table.frame("count")
    status = np.where(sup.primary, "C", np.where(table.value > 0, "D", "F"))
    out["conf_status"] = status
    out.loc[status != "F", "count"] = pd.NA
    parents = {"period": {}, "area": {f"a{i}": "T" for i in range(inner.shape[0])},
               "offence": {f"o{j}": "all" for j in range(inner.shape[1])}}
    widths = attack(out, ["period", "area", "offence"], parents,
                    zero_published=zero == "publish")
    for i in sup.structural:
        lo, hi = widths[i]
        x = int(table.value[i])
        up, down, need = _need(sdc, x, 1 if zero == "publish" else 0, T - 1)
        assert hi < x + up or lo > x - down or hi - lo < need, (i, x, lo, hi)
    with pytest.raises(FivestarError) as err:
        redact(df, spec, None)
    assert any("by any suppression pattern" in p.message for p in err.value.problems)
