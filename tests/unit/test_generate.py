"""The synthetic-data generator: deterministic, well-formed, with the planted data it promises.

Determinism matters because the committed extracts are checked against a
regeneration, and the redaction tests rely on knowing exactly which personal
values were planted.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from fivestar_dev import generate as gen

SMALL = {"foi-requests": 300, "spend-over-25k": 300, "police-recorded-crime": None,
         "entry-clearance-visas": None}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("dataset_id", gen.DATASET_IDS)
def test_same_seed_same_bytes_different_seed_different(dataset_id: str, tmp_path: Path) -> None:
    fmt = gen.BUNDLED[dataset_id].format
    rows = SMALL[dataset_id]
    a = gen.write_extract(dataset_id, gen.generate(dataset_id, rows, seed=7), tmp_path / f"a.{fmt}")
    b = gen.write_extract(dataset_id, gen.generate(dataset_id, rows, seed=7), tmp_path / f"b.{fmt}")
    c = gen.write_extract(dataset_id, gen.generate(dataset_id, rows, seed=8), tmp_path / f"c.{fmt}")
    assert _sha(a) == _sha(b)
    assert _sha(a) != _sha(c)


def test_unknown_dataset_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown dataset"):
        gen.generate("no-such-dataset")


def test_crime_extract_has_detailed_cells_only() -> None:
    df = gen.generate("police-recorded-crime")
    assert not df["police_force_area"].eq("K04000001").any()
    assert not df["offence_group"].eq("all-offences").any()
    assert len(df) == gen.BUNDLED_QUARTERS * 43 * df["offence_group"].nunique()
    assert df["count"].between(1, 9).sum() >= 50


@pytest.mark.parametrize("dataset_id,area,cat,measure", [
    ("entry-clearance-visas", "nationality", "visa_category", "grants"),
])
def test_aggregate_totals_add_up_and_small_cells_exist(dataset_id: str, area: str, cat: str,
                                                       measure: str) -> None:
    df = gen.generate(dataset_id)
    stems = {"police_force_area": "police-force-areas", "nationality": "countries",
             "offence_group": "offence-groups", "visa_category": "visa-categories"}
    area_total, cat_total = gen.codes(stems[area]).total, gen.codes(stems[cat]).total
    assert area_total in {"K04000001", "ALL"} and cat_total in {"all-offences", "total"}
    assert df.duplicated(["period", area, cat]).sum() == 0
    assert (df[measure] >= 0).all()
    assert df["period"].nunique() == gen.BUNDLED_QUARTERS
    assert sorted(df["period"].unique())[0] == "2023-Q1"
    assert sorted(df["period"].unique())[-1] == "2024-Q4"
    inner = df[(df[area] != area_total) & (df[cat] != cat_total)]
    by_area = inner.groupby(["period", area])[measure].sum()
    published = df[df[cat] == cat_total].set_index(["period", area])[measure]
    assert (published.loc[by_area.index] == by_area).all()
    by_cat = df[df[area] != area_total].groupby(["period", cat])[measure].sum()
    published_cat = df[df[area] == area_total].set_index(["period", cat])[measure]
    assert (published_cat.loc[by_cat.index] == by_cat).all()
    small = inner[inner[measure].between(1, 9)]
    assert len(small) >= 50, "disclosure control needs small cells to act on"


def test_crime_small_cells_include_small_forces() -> None:
    df = gen.generate("police-recorded-crime")
    small = df[df["count"] < 10]
    assert {"E23000034", "W15000004"} <= set(small["police_force_area"])


def test_large_aggregate_rounds_up_to_whole_periods_with_unique_keys() -> None:
    df = gen.generate("entry-clearance-visas", rows=5000)
    per_period = len(gen.generate("entry-clearance-visas")) // gen.BUNDLED_QUARTERS
    assert len(df) >= 5000 and len(df) % per_period == 0
    assert not df.duplicated(["period", "nationality", "visa_category"]).any()
    assert df["period"].str.fullmatch(r"\d{4}-Q[1-4]").all()


def test_chunked_large_file_equals_generated_frame(tmp_path: Path, monkeypatch) -> None:
    # small chunks force several chunks; content must not depend on the chunking boundary
    monkeypatch.setattr(gen, "CHUNK_ROWS", 250)
    out = gen.write_large("foi-requests", 700, tmp_path / "foi.parquet")
    table = pq.read_table(out).to_pandas()
    assert len(table) == 700
    assert table["case_id"].is_unique
    expected = gen.generate("foi-requests", 700)
    assert table["request_summary"].tolist() == expected["request_summary"].tolist()
    csv = gen.write_large("spend-over-25k", 600, tmp_path / "spend.csv")
    text = csv.read_text(encoding="utf-8")
    assert text.count("transaction_id") == 1  # header written once across chunks
    assert len(pd.read_csv(csv)) == 600


def test_large_record_ids_stay_unique_across_years() -> None:
    assert gen.RECORDS_PER_YEAR % gen.CHUNK_ROWS == 0
    df, _ = gen._foi_chunk(gen.SEED, gen.RECORDS_PER_YEAR - 2, 2)
    df2, _ = gen._foi_chunk(gen.SEED, gen.RECORDS_PER_YEAR, 2)
    assert df["case_id"].tolist() == ["FOI-2024-999999", "FOI-2024-1000000"]
    assert df2["case_id"].tolist() == ["FOI-2025-00001", "FOI-2025-00002"]
    assert (df2["received_date"].dt.year == 2025).all()


# -- planted personal data -----------------------------------------------------
PATTERNS = {
    "email": re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    "phone_plus44": re.compile(r"\+44"),
    "phone_zero": re.compile(r"\b0\d{3,4}[ -]"),
    "nino_spaced": re.compile(r"\b[A-Z]{2} \d{2} \d{2} \d{2} [A-D]\b"),
    "nino_plain": re.compile(r"\b[A-Za-z]{2}\d{6}[A-Da-d]\b"),
    "postcode": re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b"),
    "gwf": re.compile(r"\bGWF\d{9}\b"),
    "passport": re.compile(r"passport (?:number|no\.) \d{9}\b"),
    "dob_numeric": re.compile(r"date of birth (?:\d{2}/\d{2}/\d{4}|\d{4}-\d{2}-\d{2})"),
    "dob_words": re.compile(r"born \d{1,2} [A-Z][a-z]+ \d{4}"),
    "own_name": re.compile(r"My name is "),
    "honorific": re.compile(r"\b(?:Mr|Mrs|Ms|Dr) [A-Z][a-z]+ [A-Z]"),
}


def test_foi_summaries_contain_every_kind_of_personal_data_and_clean_text() -> None:
    df = gen.generate("foi-requests")
    text = df["request_summary"]
    for kind, pattern in PATTERNS.items():
        assert text.str.contains(pattern).any(), kind
    # the requester's own name repeated in the summary
    own = [name in summary for name, summary in zip(df["requester_name"], text, strict=True)]
    assert sum(own) >= 20
    clean = text[~text.apply(lambda s: any(
        v in s for vs in gen.planted_personal_values("foi-requests").values() for v in vs))]
    assert len(clean) >= 100, "clean summaries with ordinary numbers and dates must exist"
    assert clean.str.contains(r"\b(?:19|20)\d{2}\b").all()


def test_planted_values_are_exactly_what_the_text_holds() -> None:
    df = gen.generate("foi-requests")
    planted = gen.planted_personal_values("foi-requests")
    assert set(planted) == set(gen.PII_KINDS)
    assert all(planted[k] for k in gen.PII_KINDS), "every kind is planted at least once"
    blob = "\n".join(df["request_summary"])
    for kind in ("phone", "nino", "gwf_ref", "passport", "date_of_birth"):
        for value in planted[kind]:
            assert value in blob, kind
    assert set(df["requester_name"]) <= planted["name"]
    assert set(df["requester_email"]) <= planted["email"]
    assert set(df["requester_postcode"]) <= planted["postcode"]
    # variants that a scrubber must handle are really present
    assert any(" " in v for v in planted["nino"]) and any(v.islower() for v in planted["nino"])
    assert any(v.startswith("+44") for v in planted["phone"])
    assert any(v.startswith("0") for v in planted["phone"])
    assert any("-" in v for v in planted["phone"])


def test_spend_individuals_are_planted_and_organisations_are_not() -> None:
    df = gen.generate("spend-over-25k")
    planted = gen.planted_personal_values("spend-over-25k")
    ind = df[df["supplier_type"] == "individual"]
    assert len(ind) >= 15
    for name in ind["supplier_name"]:
        assert any(p in name for p in planted["name"])
    assert set(ind["supplier_postcode"]) <= planted["postcode"]
    orgs = df[df["supplier_type"] != "individual"]
    assert not set(orgs["supplier_postcode"]) & planted["postcode"]
    assert not any(p in s for s in orgs["supplier_name"] for p in planted["name"])
    assert planted["email"] and all(e in "\n".join(df["description"]) for e in planted["email"])
    assert (df["amount"] >= 25_000).all()


def test_aggregates_plant_nothing() -> None:
    assert not any(gen.planted_personal_values("police-recorded-crime").values())


def test_main_writes_large_extract_and_planted_sidecar(tmp_path: Path) -> None:
    out = tmp_path / "foi.csv"
    side = tmp_path / "planted.json"
    assert gen.main(["--dataset", "foi-requests", "--rows", "50", "--out", str(out),
                     "--planted", str(side)]) == 0
    assert len(pd.read_csv(out)) == 50
    assert '"nino"' in side.read_text()
