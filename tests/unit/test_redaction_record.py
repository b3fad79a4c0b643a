"""Record-level rules end to end through ``redact`` and the ``verify`` gate."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from pydantic import ValidationError

from pipelines.errors import FivestarError
from pipelines.redaction import redact, verify
from pipelines.redaction.generalise import band
from pipelines.redaction.pseudonymise import KEY_ENV, pseudonym
from tests.unit.redaction_helpers import make_spec

KEY = b"k" * 32
FIELDS = ["case_id", "requester_name", "requester_email", "requester_postcode", "received_date",
          "request_summary", "supplier_type", "supplier_name", "age"]
PERSONAL = ["Jane Smith", "jane.smith@example.com", "SW1A 1AA", "07700 900123"]


def frame() -> pd.DataFrame:
    return pd.DataFrame({
        "case_id": pd.array(["FOI-1", "FOI-2", "FOI-3"], dtype="string"),
        "requester_name": pd.array(["Jane Smith", "Omar Khan", None], dtype="string"),
        "requester_email": pd.array(["jane.smith@example.com", "ok@example.org", None],
                                    dtype="string"),
        "requester_postcode": pd.array(["SW1A 1AA", "m1 1ae", "not a postcode"],
                                       dtype="string"),
        "received_date": pd.to_datetime(["2024-01-15", "2024-05-02", None]),
        "request_summary": pd.array([
            "I am Jane Smith; call 07700 900123 about FOI-2024-00017.",
            "Mr Khan asks how many staff work in Croydon.",
            "How many visas were granted in 2023?"], dtype="string"),
        "supplier_type": pd.array(["individual", "company", "individual"], dtype="string"),
        "supplier_name": pd.array(["Jane Smith", "Acme Ltd", "Bo Li"], dtype="string"),
        "age": pd.array([17, 42, 70], dtype="Int64"),
    })


RULES = {"fields": {
    "case_id": {"rule": "pseudonymise", "prefix": "case-"},
    "requester_name": {"rule": "drop"},
    "requester_email": {"rule": "drop"},
    "requester_postcode": {"rule": "generalise", "to": "postcode_district"},
    "received_date": {"rule": "generalise", "to": "month"},
    "request_summary": {"rule": "scrub", "names_from": ["requester_name"]},
    "supplier_name": {"rule": "replace", "value": "REDACTED – individual",
                      "when": {"supplier_type": "individual"}},
    "age": {"rule": "generalise", "to": "age_band", "bands": [0, 18, 65]},
}}


def test_record_rules_end_to_end_and_verify_passes():
    spec = make_spec(FIELDS, RULES)
    result = redact(frame(), spec, KEY)
    out = result.df
    assert "requester_name" not in out and "requester_email" not in out
    assert out["requester_postcode"].tolist()[:2] == ["SW1A", "M1"]
    assert pd.isna(out["requester_postcode"].iloc[2])  # not a postcode: withheld, not passed on
    assert out["received_date"].tolist()[:2] == ["2024-01", "2024-05"]
    assert out["request_summary"].iloc[0] == "I am [NAME]; call [PHONE] about FOI-2024-00017."
    assert out["request_summary"].iloc[1] == "Mr [NAME] asks how many staff work in Croydon."
    assert out["supplier_name"].tolist() == ["REDACTED – individual", "Acme Ltd",
                                             "REDACTED – individual"]
    assert out["age"].tolist() == ["0-17", "18-64", "65+"]
    assert out["case_id"].str.fullmatch(r"case-[0-9a-f]{16}").all()
    text = out.astype(str).to_csv()
    for value in PERSONAL:
        assert value not in text
    assert verify(out, spec) == []


def test_report_counts_and_holds_no_values():
    result = redact(frame(), make_spec(FIELDS, RULES), KEY)
    rep = result.report.model_dump(mode="json")
    blob = json.dumps(rep)
    for value in [*PERSONAL, "Omar", "Khan", "Acme", "FOI-1"]:
        assert value not in blob
    f = rep["fields"]
    assert f["requester_name"] == {"rule": "drop", "values_changed": 0, "dropped": True}
    assert f["request_summary"]["scrubbed_by_type"] == {"NAME": 2, "PHONE": 1}
    assert f["request_summary"]["values_changed"] == 2
    assert f["supplier_name"]["conditional"] is True
    assert f["supplier_name"]["rows_in_scope"] == 2
    assert f["supplier_name"]["values_changed"] == 2
    assert rep["fields_dropped"] == 2
    assert set(rep["rules_run"]) == {"drop", "generalise", "pseudonymise", "replace", "scrub"}


def test_pseudonyms_stable_for_a_key_and_different_across_keys():
    spec = make_spec(FIELDS, RULES)
    a = redact(frame(), spec, KEY).df["case_id"]
    b = redact(frame(), spec, KEY).df["case_id"]
    c = redact(frame(), spec, b"another-key-of-32-bytes-length!!").df["case_id"]
    assert a.tolist() == b.tolist()
    assert all(x != y for x, y in zip(a, c, strict=True))
    assert a.nunique() == 3


def test_pseudonymise_refuses_without_a_key(monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    with pytest.raises(FivestarError) as err:
        redact(frame(), make_spec(FIELDS, RULES), None)
    assert KEY_ENV in str(err.value) and "case_id" in str(err.value)
    with pytest.raises(FivestarError):
        redact(frame(), make_spec(FIELDS, RULES), b"short")


def test_no_key_needed_when_nothing_is_pseudonymised():
    rules = {"fields": {k: v for k, v in RULES["fields"].items() if k != "case_id"}}
    rules["fields"]["case_id"] = {"rule": "keep", "reason": "sequential case number"}
    assert redact(frame(), make_spec(FIELDS, rules), None).df["case_id"].tolist()[0] == "FOI-1"


def test_pseudonym_is_hmac_not_plain_hash():
    import hashlib

    assert pseudonym("FOI-1", KEY, 64) != hashlib.sha256(b"FOI-1").hexdigest()


@pytest.mark.parametrize("to,expected", [("month", "2024-05"), ("quarter", "2024-Q2"),
                                         ("year", "2024")])
def test_dates_generalise(to: str, expected: str):
    rules = {"fields": {"received_date": {"rule": "generalise", "to": to}}}
    out = redact(frame(), make_spec(FIELDS, rules), None).df
    assert out["received_date"].iloc[1] == expected
    assert pd.isna(out["received_date"].iloc[2])


def test_postcode_sector_and_bands():
    rules = {"fields": {"requester_postcode": {"rule": "generalise", "to": "postcode_sector"}}}
    out = redact(frame(), make_spec(FIELDS, rules), None).df
    assert out["requester_postcode"].tolist()[:2] == ["SW1A 1", "M1 1"]
    assert band(pd.Series([5, 10, 25, None]), [10, 20]).tolist() == ["<10", "10-19", "20+", pd.NA]


def test_broken_rule_is_caught_by_verify_naming_dataset_row_field_not_value():
    """A spec that forgets to scrub a free-text field full of emails must not pass the gate."""
    rules = {"fields": {k: v for k, v in RULES["fields"].items() if k != "request_summary"}}
    df = frame()
    df["request_summary"] = pd.array(["nothing here", "write to bob.jones@example.net",
                                      "or ALICE@EXAMPLE.ORG"], dtype="string")
    spec = make_spec(FIELDS, rules, dataset_id="foi-requests")
    out = redact(df, spec, KEY).df
    problems = verify(out, spec)
    found = [p for p in problems if p.code == "personal-data"]
    assert [(p.location.row, p.location.field) for p in found] == [
        (2, "request_summary"), (3, "request_summary")]
    for p in found:
        shown = str(p)
        assert "dataset foi-requests" in shown and "row" in shown and "[EMAIL]" in shown
        assert "example" not in shown.lower() and "bob" not in shown.lower()


def test_verify_judges_each_distinct_value_once_with_the_findings_of_row_by_row():
    """The scan runs once per distinct value (and once over all text columns for names):
    repeated values, nulls and values shared by two columns get exactly the findings each
    row gets when it is verified on its own."""
    rules = {"fields": {k: v for k, v in RULES["fields"].items() if k != "request_summary"}}
    texts = ["write to bob.jones@example.net", "nothing here", None,
             "Her brother Kwabena Osei called", "write to bob.jones@example.net",
             "nothing here", "Her brother Kwabena Osei called", "call 07700 900123"]
    df = pd.DataFrame({c: frame()[c].iloc[[i % 3 for i in range(len(texts))]].to_numpy()
                       for c in FIELDS}).astype({"age": "Int64"})
    df["request_summary"] = pd.array(texts, dtype="string")
    # the same values in a column with no rule, which the name scan reads too
    df["supplier_type"] = pd.array(texts[::-1], dtype="string")
    spec = make_spec(FIELDS, rules, dataset_id="foi-requests")
    out = redact(df, spec, KEY).df
    whole = verify(out, spec)
    by_row = []
    for i in range(len(out)):
        for p in verify(out.iloc[[i]], spec):
            if p.location.row is None:
                by_row.append(p)
            else:
                by_row.append(p.model_copy(update={"location": p.location.model_copy(
                    update={"row": i + 1})}))
    key = lambda p: (p.location.field or "", p.location.row or 0, p.code, p.message)  # noqa: E731
    assert sorted({key(p) for p in whole}) == sorted({key(p) for p in by_row})
    assert {(p.code, p.location.field) for p in whole} >= {
        (code, field) for code in ("personal-data", "personal-data-name")
        for field in ("request_summary", "supplier_type")}


def test_verify_flags_undropped_and_unreplaced_and_unruled_fields():
    spec = make_spec(FIELDS, RULES)
    out = redact(frame(), spec, KEY).df
    out["requester_email"] = pd.array(["x"] * 3, dtype="string")  # should be gone
    out.loc[0, "supplier_name"] = "Jane Smith"  # an individual's name back in
    codes = sorted(p.code for p in verify(out, spec))
    assert codes == ["not-dropped", "not-replaced"]
    # a personal-looking field with no rule at all
    bare = make_spec(["id", "contact_phone"], {})
    df = pd.DataFrame({"id": pd.array(["1"], dtype="string"),
                       "contact_phone": pd.array(["n/a"], dtype="string")})
    assert [p.code for p in verify(df, bare)] == ["unruled-personal-field"]


def test_verify_gx_catches_an_unpseudonymised_field():
    spec = make_spec(FIELDS, RULES)
    out = redact(frame(), spec, KEY).df
    out.loc[1, "case_id"] = "FOI-2"
    problems = verify(out, spec)
    assert [(p.code, p.location.row, p.location.field) for p in problems] == [
        ("gx", 2, "case_id")]


def test_aggregate_without_sdc_is_blocked():
    spec = make_spec(["area", "count"], {}, kind="aggregate")
    df = pd.DataFrame({"area": pd.array(["a"], dtype="string"),
                       "count": pd.array([3], dtype="Int64")})
    assert [p.code for p in verify(df, spec)] == ["sdc-missing"]


@pytest.mark.parametrize("bad,path", [
    ({"fields": {"request_summary": {"rule": "scrubb"}}}, "fields.request_summary"),
    ({"fields": {"nope": {"rule": "drop"}}}, "fields"),
    ({"fields": {"request_summary": {"rule": "scrub", "names_from": ["nope"]}}}, "fields"),
    ({"fields": {"request_summary": {"rule": "scrub", "types": ["EMAIL", "SSN"]}}},
     "fields.request_summary.scrub.types.1"),
    ({"fields": {"age": {"rule": "generalise", "to": "band"}}}, "fields.age"),
    ({"sdc": {"measure": "count", "dimensions": {}}}, "sdc"),
    ({"fieldz": {}}, "fieldz"),
])
def test_rules_are_strict(bad: dict, path: str):
    with pytest.raises(ValidationError) as err:
        make_spec(FIELDS, bad)
    # a rule's own error is located by pydantic; a cross-section check names its path
    locs = [(e.get("ctx") or {}).get("path") or ".".join(map(str, e["loc"]))
            for e in err.value.errors()]
    assert any(loc.startswith(f"redaction.{path}") for loc in locs), locs


def test_load_spec_reports_redaction_typos(tmp_path):
    import yaml

    from pipelines.errors import SpecError
    from pipelines.spec import load_spec

    spec = make_spec(FIELDS, {}).model_dump(mode="json", by_alias=True)
    spec["redaction"] = {"fields": {"requester_email": {"rule": "dorp"}}}
    folder = tmp_path / "test-dataset"
    folder.mkdir()
    (folder / "dataset.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    with pytest.raises(SpecError) as err:
        load_spec(folder / "dataset.yaml")
    assert "redaction.fields.requester_email" in str(err.value)
