"""Disclosure control: the exact stage after the hypercubes, and what it refuses.

Three-way tables of counts from records (areas in regions in a country x
offence groups x quarters, every margin, zeros suppressed) with rare offence
groups whose cells are nearly all 0 or 1: the cells hypercubes cannot
protect. The exact stage (face moves, boxes, whole tables) must protect every
cell that can be protected, the same way on any machine, and refuse only
cells it proves unprotectable, with the proof in the message.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.errors import FivestarError
from pipelines.redaction import redact
from pipelines.redaction import sdc as sdc_module
from pipelines.redaction.audit import check_disclosure
from pipelines.redaction.tabulate import tabulate
from pipelines.spec.redaction import RedactionRules
from tests.unit.redaction_helpers import make_spec

FIELDS = ["area", "offence", "quarter", "count"]


def records(rows: int, areas: int, offences: int, quarters: int, seed: int) -> pd.DataFrame:
    """One row per record: lognormal area sizes, Dirichlet offence rates (some rare)."""
    rng = np.random.default_rng(seed)
    area_w = rng.lognormal(0.0, 0.8, areas)
    off_w = rng.dirichlet(np.full(offences, 0.8))
    area = rng.choice(areas, rows, p=area_w / area_w.sum())
    off = rng.choice(offences, rows, p=off_w)
    q = rng.integers(0, quarters, rows)
    return pd.DataFrame({
        "area": pd.array(np.char.add("A", area.astype(str)), dtype="string"),
        "offence": pd.array(np.char.add("O", off.astype(str)), dtype="string"),
        "quarter": pd.array(np.char.add("Q", q.astype(str)), dtype="string")})


def spec_for(areas: int, regions: int, zero: str = "suppress", width: int = 3):
    rules = {"sdc": {
        "measure": "count", "threshold": 10, "zero": zero, "from_records": True,
        "protection": {"width": {"min": width}},
        "dimensions": {
            "area": {"total": "E92000001",
                     "parents": {f"R{r}": [f"A{a}" for a in range(areas) if a % regions == r]
                                 for r in range(regions)}},
            "offence": {"total": "all-offences"},
            "quarter": {"total": "all-quarters"}}}}
    return make_spec(FIELDS, rules, kind="aggregate")


def sdc_of(spec):
    return RedactionRules.model_validate(spec.redaction).sdc


# 15,000 records in 50 areas (5 regions) x 16 offence groups x 5 quarters: 5,712 cells.
# The search before face moves (main at 7f7d2f3) refused 8 of its cells, none proved
# unprotectable.
RARE = dict(rows=15_000, areas=50, offences=16, quarters=5, seed=1)


def test_a_table_the_old_search_refused_is_now_published_and_audited():
    df = records(**RARE)
    spec = spec_for(RARE["areas"], 5)
    sdc = sdc_of(spec)
    table = tabulate(df, sdc, spec)
    sup = sdc_module.suppress(table, sdc)
    assert sup.unresolved == [] and sup.programmes > 0  # the exact stage was needed
    result = redact(df, spec, None)  # runs the independent audit too (fails closed)
    out = result.df
    assert result.report.sdc.audit.proven == result.report.sdc.audit.primary_cells > 0
    assert result.report.sdc.narrowest_interval_width >= 3
    assert check_disclosure(out, spec, sdc, df, result.certificate) == []  # as the gate does


def test_the_same_table_gets_the_same_pattern_however_slow_the_machine(monkeypatch):
    """No budget is a clock: a machine on which every step seems to take 1,000 s
    (a loaded one, exaggerated) gives the pattern a quiet one gives."""
    df = records(**RARE)
    spec = spec_for(RARE["areas"], 5)
    sdc = sdc_of(spec)
    table = tabulate(df, sdc, spec)
    quiet = sdc_module.suppress(table, sdc)
    now = [time.perf_counter()]

    def crawling() -> float:
        now[0] += 1000.0
        return now[0]

    monkeypatch.setattr(time, "perf_counter", crawling)
    monkeypatch.setattr(time, "monotonic", crawling)
    monkeypatch.setattr(time, "time", crawling)
    loaded = sdc_module.suppress(table, sdc)
    assert loaded.unresolved == quiet.unresolved == []
    assert np.array_equal(loaded.withheld, quiet.withheld)
    assert len(loaded.moves) == len(quiet.moves)
    for (c1, s1), (c2, s2) in zip(loaded.moves, quiet.moves, strict=True):
        assert np.array_equal(c1, c2) and np.array_equal(s1, s2)


small_tables = st.tuples(st.integers(300, 1500), st.integers(6, 12), st.integers(3, 6),
                         st.integers(2, 4), st.integers(0, 10_000))


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(shape=small_tables, zero=st.sampled_from(["publish", "suppress"]),
       width=st.integers(1, 4), faces_only=st.booleans())
def test_random_hierarchical_3d_tables_are_protected_or_proved_unprotectable(
        shape, zero, width, faces_only):
    """Areas in two regions x offence groups (some rare) x quarters, every margin: every
    primary cell meets the declared interval by the independent audit, or the run is
    refused, and then only for cells it proves unprotectable, each with its proof.
    ``faces_only``: small tables also go through face moves and boxes, not straight
    to the programme over their whole table."""
    rows, areas, offences, quarters, seed = shape
    df = records(rows, areas, offences, quarters, seed)
    spec = spec_for(areas, 2, zero=zero, width=width)
    sdc = sdc_of(spec)
    with pytest.MonkeyPatch.context() as mp:
        if faces_only:
            mp.setattr(sdc_module, "EXACT_MAX_CELLS", 0)
        sup = sdc_module.suppress(tabulate(df, sdc, spec), sdc)
        assert sorted(sup.unresolved) == sorted(sup.structural)  # refused only with a proof
        try:
            result = redact(df, spec, None)
        except FivestarError as err:
            assert sup.unresolved
            assert {p.code for p in err.problems} == {"sdc-unprotectable"}
            assert all("Proof:" in p.message for p in err.problems if "more cells" not in
                       p.message)
            return
    assert not sup.unresolved
    assert check_disclosure(result.df, spec, sdc, df, result.certificate) == []


def test_a_truly_unprotectable_cell_is_refused_with_its_proof():
    """Nine areas with one record each of an offence group under a total of nine, zeros
    published: every such cell is pinned to exactly 1 whatever is withheld."""
    rows = [(f"A{a}", "O0", "Q0") for a in range(9)]
    rows += [(f"A{a}", "O1", f"Q{q}") for a in range(9) for q in range(2)
             for _ in range(30)]
    df = pd.DataFrame(rows, columns=["area", "offence", "quarter"]).astype("string")
    spec = spec_for(9, 3, zero="publish", width=3)
    sdc = sdc_of(spec)
    sup = sdc_module.suppress(tabulate(df, sdc, spec), sdc)
    assert sup.unresolved and sorted(sup.unresolved) == sorted(sup.structural)
    with pytest.raises(FivestarError) as err:
        redact(df, spec, None)
    messages = [p.message for p in err.value.problems]
    assert all("by any suppression pattern" in m and "Proof:" in m and "no more than 0 wide"
               in m for m in messages)
    assert all(p.location.field == "count" for p in err.value.problems)


@pytest.mark.parametrize("integer", [True, False])
def test_the_stronger_proof_proves_pinned_cells_and_never_protected_ones(integer, monkeypatch):
    """The proof for cells the search leaves (the attacker's integer programme on a
    small table, its linear relaxation on a large one) proves every cell bound
    propagation proves, and no cell that the search did protect."""
    if not integer:
        monkeypatch.setattr(sdc_module, "EXACT_MAX_CELLS", 0)
    rows = [(f"A{a}", "O0", "Q0") for a in range(9)]
    rows += [(f"A{a}", "O1", f"Q{q}") for a in range(9) for q in range(2) for _ in range(30)]
    df = pd.DataFrame(rows, columns=["area", "offence", "quarter"]).astype("string")
    spec = spec_for(9, 3, zero="publish", width=3)
    sdc = sdc_of(spec)
    table = tabulate(df, sdc, spec)
    pinned = sdc_module.suppress(table, sdc).structural
    prot = sdc_module._Protector(table, sdc, sdc_module.sensitive(table, sdc))
    proofs = sdc_module._lp_structural(table, prot, pinned)
    assert set(proofs) == set(pinned) and all(w == 0 for _, w in proofs.values())
    # a table whose every cell the search protects: nothing may be "proved" unprotectable
    df = records(**RARE)
    spec = spec_for(RARE["areas"], 5)
    sdc = sdc_of(spec)
    table = tabulate(df, sdc, spec)
    primary = sdc_module.sensitive(table, sdc)
    prot = sdc_module._Protector(table, sdc, primary)
    sample = np.flatnonzero(primary)[::97].tolist()
    assert sdc_module._lp_structural(table, prot, sample) == {}
