"""A record-level aggregate spec (``from_records: true``) written as a statistician writes it.

The measure is declared in the Table Schema (it describes the published column)
but the extract has no such column: its rows are the records counted. Before
this was tested from a YAML spec, the loader required the measure in the schema
and the extract then required it in the file, so no spec could use
``from_records`` (nor cell-key perturbation, which needs it).
"""

from __future__ import annotations

import pytest
import yaml

from pipelines.errors import ExtractError, FivestarError, SpecError
from pipelines.extract import read_extract
from pipelines.redaction import redact
from pipelines.spec import load_spec

SPEC = {
    "id": "support", "title": "Support", "description": "People supported.",
    "theme": "society", "kind": "aggregate",
    "publisher": {"contact_name": "Team", "contact_email": "team@example.gov.uk"},
    "release": {"frequency": "quarterly", "start": "2024-01-01"},
    "iar": {"asset_id": "IAR-1", "information_asset_owner": "Owner",
            "protective_marking": "OFFICIAL-SENSITIVE", "retention": "3 years"},
    "source": {"format": "csv", "path": "records.csv"},
    "schema": {"fields": [
        {"name": "person_ref", "type": "string", "constraints": {"unique": True}},
        {"name": "area", "type": "string"},
        {"name": "sex", "type": "string"},
        {"name": "count", "type": "integer"},
    ], "primaryKey": "person_ref"},
    "redaction": {"fields": {"person_ref": {"rule": "drop"}}, "sdc": {
        "measure": "count", "from_records": True, "threshold": 3,
        "dimensions": {"area": {"total": "all"}, "sex": {"total": "all"}}}},
    "linked_data": {"id_path": "observation", "fields": {
        "area": {"role": "dimension"}, "sex": {"role": "dimension"},
        "count": {"role": "measure"}}},
}
RECORDS = [("P1", "a1", "f"), ("P2", "a1", "f"), ("P3", "a1", "m"), ("P4", "a1", "m"),
           ("P5", "a1", "m"), ("P6", "a2", "f"), ("P7", "a2", "f"), ("P8", "a2", "f"),
           ("P9", "a2", "m"), ("P10", "a2", "m"), ("P11", "a2", "m"), ("P12", "a2", "m")]


def write(tmp_path, spec=SPEC, header="person_ref,area,sex", rows=None):
    folder = tmp_path / "support"
    folder.mkdir(exist_ok=True)
    lines = [header, *(",".join(r) for r in (rows if rows is not None else RECORDS))]
    (folder / "records.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "dataset.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    return folder / "dataset.yaml"


def test_records_are_read_without_the_counted_measure_and_counted_into_cells(tmp_path):
    spec = load_spec(write(tmp_path))
    assert spec.counted_measure == "count"
    assert spec.extract_field_names == ["person_ref", "area", "sex"]
    df = read_extract(spec)
    assert list(df.columns) == ["person_ref", "area", "sex"] and len(df) == len(RECORDS)
    out = redact(df, spec, None).df.set_index(["area", "sex"])
    assert "person_ref" not in out.columns
    truth = {(a, s): sum(1 for _, ra, rs in RECORDS if a in (ra, "all") and s in (rs, "all"))
             for a in ("a1", "a2", "all") for s in ("f", "m", "all")}
    assert set(out.index) == set(truth)
    published = out[out["conf_status"] == "F"]
    assert len(published) and all(published.loc[k, "count"] == truth[k] for k in published.index)
    assert out.loc[("a1", "f"), "conf_status"] == "C"  # 2 records: below the threshold


def test_an_extract_holding_the_counted_measure_is_told_why(tmp_path):
    path = write(tmp_path, header="person_ref,area,sex,count",
                 rows=[(*r, "1") for r in RECORDS])
    with pytest.raises(ExtractError) as exc:
        read_extract(load_spec(path))
    (problem,) = exc.value.problems
    assert problem.code == "extra-column" and problem.location.field == "count"
    assert "from_records" in problem.message


def test_without_from_records_the_measure_is_an_extract_column(tmp_path):
    spec = {**SPEC, "redaction": {**SPEC["redaction"], "sdc": {
        k: v for k, v in SPEC["redaction"]["sdc"].items() if k != "from_records"}}}
    loaded = load_spec(write(tmp_path, spec))
    assert loaded.counted_measure is None and "count" in loaded.extract_field_names


def test_an_unknown_theme_is_refused_when_the_spec_loads(tmp_path):
    """Not minutes later, when the catalogue metadata's SHACL shapes find no dcat:theme."""
    with pytest.raises(SpecError) as exc:
        load_spec(write(tmp_path, {**SPEC, "theme": "immigration"}))
    assert "theme" in str(exc.value) and "crime-and-justice" in str(exc.value)


def test_cell_key_perturbation_keys_on_a_record_id_a_rule_drops(tmp_path):
    """The record id must not be published, so the statistician drops it; the cell keys
    still come from it, and without the key nothing is perturbed."""
    sdc = {**SPEC["redaction"]["sdc"], "method": "perturbation", "perturbation": {
        "record_id": "person_ref", "key_range": 16,
        "ptable": [{"i": 0, "j": 0, "p": 1}, {"i": 1, "j": 0, "p": 0.5},
                   {"i": 1, "j": 2, "p": 0.5}, {"i": 2, "j": 2, "p": 1}]}}
    spec = load_spec(write(tmp_path, {**SPEC, "redaction": {**SPEC["redaction"], "sdc": sdc}}))
    df = read_extract(spec)
    out = redact(df, spec, b"k" * 32).df
    assert "person_ref" not in out.columns and len(out) == 9
    assert (out["count"] != 1).all()  # the ptable never publishes a 1
    again = redact(df, spec, b"k" * 32).df
    assert out["count"].tolist() == again["count"].tolist()  # the same keys, the same table
    with pytest.raises(FivestarError, match="keys the cell-key perturbation"):
        redact(df, spec, None)
