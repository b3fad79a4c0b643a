"""The bundled datasets through redaction: nothing the generator planted survives, and the
verification gate passes (aggregates: protected; records: no personal data found)."""

from __future__ import annotations

import pandas as pd
import pytest

from fivestar_dev import generate
from pipelines import paths
from pipelines.redaction import redact, verify
from pipelines.spec import load_spec

KEY = b"bundled-test-key-0123456789abcdef"


def _load(dataset_id: str):
    spec = load_spec(paths.DATASETS_DIR / dataset_id / "dataset.yaml")
    df = generate.generate(dataset_id)
    # typed as the extract stage types strings
    df = df.astype({c: "string" for c in df.columns if df[c].dtype == object})
    return spec, df


@pytest.fixture(scope="module", params=["foi-requests", "spend-over-25k"])
def record_result(request):
    spec, df = _load(request.param)
    return request.param, spec, df, redact(df, spec, KEY)


def test_no_planted_personal_value_survives_anywhere(record_result):
    dataset_id, _, df, result = record_result
    planted = generate.planted_personal_values(dataset_id)
    assert sum(len(v) for v in planted.values()) > 20  # the test data really has some
    blob = result.df.astype("string").fillna("").to_csv(index=False).lower()
    report = result.report.to_json().lower()
    leaks = {kind: sorted(v for v in values if v.lower() in blob)
             for kind, values in planted.items()}
    # report kinds and counts only, never the values themselves
    assert {k: len(v) for k, v in leaks.items() if v} == {}
    assert not any(v.lower() in report for values in planted.values() for v in values)


def test_verify_passes_on_redacted_records(record_result):
    _, spec, _, result = record_result
    assert [str(p) for p in verify(result.df, spec)] == []


@pytest.fixture(scope="module")
def foi_result():
    spec, df = _load("foi-requests")
    return df, redact(df, spec, KEY)


@pytest.fixture(scope="module")
def spend_result():
    spec, df = _load("spend-over-25k")
    return df, redact(df, spec, KEY)


def test_foi_ordinary_text_survives(foi_result):
    df, result = foi_result
    summaries = df["request_summary"]
    clean = summaries.str.startswith("Please provide the number of").fillna(False)
    assert clean.sum() > 0
    assert (result.df.loc[clean, "request_summary"] == summaries[clean]).all()
    assert result.report.fields["request_summary"].scrubbed_by_type["EMAIL"] > 0


def test_spend_individuals_replaced_companies_kept(spend_result):
    df, result = spend_result
    ind = (df["supplier_type"] == "individual").to_numpy()
    assert ind.sum() > 0
    assert (result.df.loc[ind, "supplier_name"] == "REDACTED – individual").all()
    assert (result.df.loc[~ind, "supplier_name"] == df.loc[~ind, "supplier_name"]).all()
    assert result.df["supplier_postcode"].str.fullmatch(r"[A-Z]{1,2}\d[A-Z\d]?").all()


@pytest.mark.parametrize("dataset_id", ["police-recorded-crime", "entry-clearance-visas"])
def test_bundled_aggregates_are_protected(dataset_id: str):
    spec, df = _load(dataset_id)
    result = redact(df, spec, None)
    out = result.df
    measure = spec.redaction.sdc.measure
    published = out[measure].dropna()
    assert ((published == 0) | (published >= 10)).all()
    assert result.report.model_dump(mode="json")["cells_primary_suppressed"] > 0
    assert set(out["conf_status"]) <= {"F", "C", "D"}
    assert list(out.columns) == [*df.columns, "conf_status"]
    if spec.redaction.sdc.totals.value == "computed":  # margins added
        assert len(out) > len(df) and result.report.cells_computed == len(out) - len(df)
    else:
        assert len(out) == len(df)
    assert pd.Series(out[measure].isna()).equals(out["conf_status"].isin(["C", "D"]))
    assert [str(p) for p in verify(out, spec, df)] == []
    assert result.report.sdc.audit.failures == 0
