"""The typed contracts between stages: one CKAN field list, stable JSON forms."""

from __future__ import annotations

from pathlib import Path

import yaml

from fivestar_dev.synthetic_conversion import PROVENANCE
from pipelines import paths
from pipelines.contracts import (
    PUBLICATION_FIELDS,
    CatalogueRecord,
    ConversionResult,
    FileInfo,
    FileRole,
    Provenance,
    RedactionReport,
    Stars,
    ValidationReport,
    activity_id,
)
from pipelines.errors import Location, Problem

SCHEMING = paths.ROOT / "catalogue" / "ckan" / "fivestar_dataset.yaml"


def test_the_scheming_schema_and_the_record_carry_the_same_fields():
    schema = yaml.safe_load(SCHEMING.read_text(encoding="utf-8"))
    declared = {f["field_name"] for f in schema["dataset_fields"]}
    assert declared == CatalogueRecord.ckan_fields()


def test_the_record_sends_text_fields_as_ckan_stores_them():
    record = CatalogueRecord(
        name="x", title="X", notes="n", tags=["a", "b"], theme="crime-and-justice",
        license_id="uk-ogl", publisher_name="Home Office", publisher_uri="https://p",
        contact_name="Team", contact_email="t@example.org", frequency="quarterly",
        uri="https://d/id/x", release_date="2025-01-30T09:30:00+00:00",
        five_star_rating=5, five_star_evidence={"1": "open"})
    sent = record.to_ckan("r" * 64)
    assert sent["tag_string"] == "a,b" and sent["five_star_rating"] == "5"
    assert sent["five_star_evidence"] == '{"1": "open"}'
    assert sent["release_date"] == "2025-01-30T09:30:00" and sent["release_id"] == "r" * 64
    assert "uri" not in sent and "tags" not in sent
    assert set(sent) <= CatalogueRecord.ckan_fields()
    assert not set(PUBLICATION_FIELDS) - {"release_id"} & set(sent)
    assert CatalogueRecord.model_validate(record.manifest_json()) == record


def test_problems_have_a_flat_json_form():
    p = Problem("type", "expected integer", Location("extract.csv", 3, "count"))
    assert p.model_dump(mode="json") == {"code": "type", "message": "expected integer",
                                         "file": "extract.csv", "row": 3, "field": "count",
                                         "line": None}
    assert Problem.model_validate_json(p.model_dump_json()) == p
    assert str(p) == "extract.csv, row 3, field `count`: expected integer [type]"


def test_reports_round_trip_through_json():
    for report in (PROVENANCE.validation, PROVENANCE.redaction, PROVENANCE):
        assert type(report).from_json(report.to_json()) == report
    v = ValidationReport.from_json(PROVENANCE.validation.to_json())
    assert v.passed and v.statistics.warnings == 1
    r = RedactionReport.from_json(PROVENANCE.redaction.to_json())
    assert r.cells_primary_suppressed == 5 and r.fields_dropped == 1


def test_a_conversion_result_round_trips(tmp_path: Path):
    result = ConversionResult(
        out_dir=tmp_path, dataset_uri="https://d/id/x", rows_published=3,
        stars=Stars(rating=3, evidence={"3": "CSV"}, passed={"3": True}),
        files=[FileInfo(path="x.csv", role=FileRole.data, media_type="text/csv",
                        format="CSV", title="X", description="", rows=3)],
        provenance=PROVENANCE)
    back = ConversionResult.from_json(result.to_json())
    assert back == result and back.file(FileRole.data).rows == 3


def test_the_activity_id_is_named_by_the_inputs_only():
    a = Provenance.for_inputs(dataset_id="x", extract_sha256="e" * 64, spec_sha256="s" * 64,
                              pipeline_version="1", partition="2024-Q4")
    b = Provenance.for_inputs(dataset_id="x", extract_sha256="e" * 64, spec_sha256="s" * 64,
                              pipeline_version="1", partition="2024-Q4")
    assert a.activity_id == b.activity_id == activity_id("e" * 64, "s" * 64, "1", "2024-Q4")
    assert a.activity_id != activity_id("e" * 64, "s" * 64, "1", "2024-Q3")
