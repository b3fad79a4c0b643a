"""Every bundled dataset: extract → redact → convert → every independent check passes."""

from __future__ import annotations

import pytest

from pipelines import extract, paths, redaction
from pipelines.contracts import Provenance, ValidationReport
from pipelines.convert import convert, verify
from pipelines.spec import load_spec

BUNDLED = ["police-recorded-crime", "entry-clearance-visas", "foi-requests", "spend-over-25k"]
KEY = b"fivestar-test-pseudonym-key-0123456789"


@pytest.mark.parametrize("dataset_id", BUNDLED)
def test_bundled_dataset_converts_and_verifies(dataset_id, tmp_path):
    spec = load_spec(paths.DATASETS_DIR / dataset_id / "dataset.yaml")
    df = extract.read_extract(spec)
    redacted = redaction.redact(df, spec, KEY)
    provenance = Provenance.for_inputs(
        dataset_id=spec.id, partition=None, extract_sha256=extract.extract_sha256(spec),
        spec_sha256=spec.spec_sha256, pipeline_version="test",
        validation=ValidationReport(dataset=spec.id, suite=f"{spec.id}.json", rows=len(df)),
        redaction=redacted.report)
    out = tmp_path / "converted"
    result = convert(redacted.df, spec, out, provenance)
    assert verify(out, spec) == []
    assert result.stars.rating == 5, result.stars.evidence
    files = {f.path: f.role for f in result.files}
    for stem in {f["codelist"] for f in spec.table_schema.fields if f.get("codelist")}:
        if stem in redacted.df.columns or any(
                f.get("codelist") == stem and f["name"] in redacted.df.columns
                for f in spec.table_schema.fields):
            assert files[f"{stem}.ttl"] == "codelist"
    # nothing the redaction stage removed reaches a public file
    dropped = spec.redaction.dropped()
    header = (out / f"{spec.id}.csv").read_text(encoding="utf-8").splitlines()[0]
    assert not any(name in header.split(",") for name in dropped)
    if spec.kind == "aggregate":
        assert result.temporal.start and spec.linked_data.spatial_label
