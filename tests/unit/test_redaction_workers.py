"""Redaction on every core writes the bytes one process writes.

The stored table and the report of a record table redacted by this process and
worker processes (or by workers alone) are compared byte for byte with one process
redacting the frames in turn, on a dataset with scrub (names from another field),
pseudonym, generalise and conditional replace rules, in frames of a few rows.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from pipelines import gates, handles, paths, redaction, validate
from pipelines.errors import FivestarError
from pipelines.redaction import redact_batches
from pipelines.spec import load_spec

KEY = b"fivestar-redaction-workers-key-0123456789"

RULES = {
    "requester_name": {"rule": "drop"},
    "requester_email": {"rule": "drop"},
    "requester_postcode": {"rule": "generalise", "to": "postcode_district"},
    "request_summary": {"rule": "scrub", "names_from": ["requester_name"]},
    "case_id": {"rule": "pseudonymise", "prefix": "case-"},
    "received_date": {"rule": "generalise", "to": "month"},
    "outcome": {"rule": "replace", "value": "withheld", "when": {"status": "closed"}},
}


def _spec(tmp_path: Path):
    folder = tmp_path / "foi-requests"
    shutil.copytree(paths.DATASETS_DIR / "foi-requests", folder)
    data = yaml.safe_load((folder / "dataset.yaml").read_text())
    data["redaction"]["fields"] = RULES
    (folder / "dataset.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    return load_spec(folder / "dataset.yaml")


def _validated(spec) -> handles.ValidatedExtract:
    source = handles.open_source(spec, None)
    df = source.to_pandas()
    report = gates.bind_validation(validate.validate(df, spec), source, df.index)
    return handles.ValidatedExtract(source=source, report=report)


def _stored(validated, spec, work: Path, **how) -> tuple[bytes, str]:
    """The stored table's bytes and the report's JSON, redacted frame by frame as
    :func:`gates.redact_to_table` does, the frames shared out as ``how`` says."""
    fields = redaction.FieldRedactor(spec, KEY)
    with handles.ArrowWriter(work / "redacted.arrow") as writer:
        for _, out in redact_batches.redact(validated.source.frames(), fields, **how):
            assert not isinstance(out, FivestarError)
            writer.write(out)
    fields.report.rows_out = writer.rows
    return Path(writer.path).read_bytes(), fields.report.model_dump_json()


def test_workers_write_the_table_and_report_one_process_writes(tmp_path, monkeypatch):
    spec = _spec(tmp_path)
    validated = _validated(spec)
    monkeypatch.setattr(handles, "STREAM_ROWS", 23)  # 18 frames of the 400 rows
    runs = {}
    for name, how in {"serial": {"processes": 0}, "shared": {"processes": 1},
                      "workers only": {"processes": 2, "caller": False}}.items():
        (tmp_path / name).mkdir()
        runs[name] = _stored(validated, spec, tmp_path / name, **how)
    serial_table, serial_report = runs["serial"]
    assert '"case-' not in serial_report  # the report holds counts, never values
    report = redaction.RedactionReport.model_validate_json(serial_report)
    assert report.rows_in == report.rows_out == 400
    assert {f: r.values_changed > 0 for f, r in report.fields.items()
            if f in ("case_id", "received_date", "request_summary", "outcome")} == {
        "case_id": True, "received_date": True, "request_summary": True, "outcome": True}
    assert report.fields["outcome"].rows_in_scope
    for name in ("shared", "workers only"):
        assert runs[name] == runs["serial"], name

    # and the gate's own path, with a worker, gives the same bytes and report
    monkeypatch.setenv("FIVESTAR_REDACT_WORKERS", "2")
    table, gate_report, _ = gates.redact_to_table(validated, spec, KEY, tmp_path / "gate")
    assert Path(table.path).read_bytes() == serial_table
    assert gate_report.model_dump_json() == serial_report


def test_the_frames_reports_add_up_to_the_whole_tables(tmp_path, monkeypatch):
    """Frame by frame (the reports added in frame order) as one pass over the whole table."""
    spec = _spec(tmp_path)
    validated = _validated(spec)
    whole = redaction.redact(validated.source.to_pandas(), spec, KEY)
    monkeypatch.setattr(handles, "STREAM_ROWS", 23)
    monkeypatch.setenv("FIVESTAR_REDACT_WORKERS", "1")
    table, report, _ = gates.redact_to_table(validated, spec, KEY, tmp_path)
    assert report.model_dump_json() == whole.report.model_dump_json()
    pd.testing.assert_frame_equal(table.to_pandas(), whole.df, check_dtype=False)


@pytest.mark.parametrize("how", [{"processes": 0}, {"processes": 1, "caller": False}])
def test_a_refused_frame_is_reported_by_its_rule_and_nothing_is_left(tmp_path, monkeypatch,
                                                                    how):
    """No key for the pseudonym: refused by the rule's own (value-free) problem, here or
    in a worker, and the partial table removed."""
    spec = _spec(tmp_path)
    validated = _validated(spec)
    monkeypatch.setattr(handles, "STREAM_ROWS", 100)
    monkeypatch.setenv("FIVESTAR_REDACT_WORKERS", str(how["processes"] + 1))
    monkeypatch.setattr(redact_batches, "redact", _forced(redact_batches.redact, how))
    with pytest.raises(FivestarError) as exc:
        gates.redact_to_table(validated, spec, None, tmp_path)
    assert [p.location.field for p in exc.value.problems] == ["case_id"]
    assert not (tmp_path / "redacted.arrow").exists()


def _forced(redact, how):
    def forced(frames, fields, **_):
        return redact(frames, fields, **how)
    return forced


def test_a_worker_that_dies_fails_the_run_without_its_message(tmp_path, monkeypatch):
    """A worker's failure names the exception's type and place, never what it said."""
    spec = _spec(tmp_path)
    validated = _validated(spec)
    monkeypatch.setattr(handles, "STREAM_ROWS", 100)
    fields = redaction.FieldRedactor(spec, KEY)
    frames = [df.assign(request_summary=df["request_summary"].astype(object).where(
        df.index > 0, 12345)) for df in validated.source.frames()]  # not text: the scrub fails
    with pytest.raises(Exception) as exc:
        list(redact_batches.redact(frames, fields, processes=1, caller=False))
    assert "12345" not in str(exc.value) and "worker failed" in str(exc.value)
