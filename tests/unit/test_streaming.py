"""The record path streams: batch by batch it gives exactly what the whole table gives.

Redaction and its verifier read one record at a time, so running them over
batches of a few rows must produce the same stored table, the same report
and the same findings (rows named in the source file) as one pass over the
whole extract.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from pipelines import gates, handles, paths, redaction, validate
from pipelines.errors import Location, Problem
from pipelines.spec import load_spec

KEY = b"fivestar-streaming-test-key-0123456789"
FOI = paths.DATASETS_DIR / "foi-requests" / "dataset.yaml"


def _validated(spec) -> handles.ValidatedExtract:
    source = handles.open_source(spec, None)
    df = source.to_pandas()
    report = gates.bind_validation(validate.validate(df, spec), source, df.index)
    return handles.ValidatedExtract(source=source, report=report)


def test_redacting_in_batches_gives_the_whole_table_and_report(tmp_path, monkeypatch):
    spec = load_spec(FOI)
    validated = _validated(spec)
    whole = redaction.redact(validated.source.to_pandas(), spec, KEY)
    monkeypatch.setattr(handles, "STREAM_ROWS", 3)
    table, report, certificate = gates.redact_to_table(validated, spec, KEY, tmp_path)
    assert certificate is None
    assert Path(table.path).stat().st_mode & 0o777 == 0o600
    streamed = table.to_pandas()
    pd.testing.assert_frame_equal(streamed, whole.df, check_dtype=False)
    assert list(streamed.index) == list(whole.df.index)  # source positions kept
    assert report.model_dump(mode="json") == whole.report.model_dump(mode="json")
    assert report.rows_in == report.rows_out == len(whole.df)


def test_frames_of_a_stored_table_cover_every_row_once(tmp_path):
    df = pd.DataFrame({"n": range(10), "s": [f"v{i}" for i in range(10)]},
                      index=range(100, 110))
    table = handles.write_arrow(df, tmp_path / "t.arrow", batch_rows=3)
    sizes = [len(f) for f in table.frames(batch_rows=4)]
    assert sizes == [6, 4]  # whole stored batches (3 rows), joined up to at least 4
    back = pd.concat(table.frames(batch_rows=4))
    pd.testing.assert_frame_equal(back, table.to_pandas())
    assert list(back.index) == list(range(100, 110))


def test_a_failed_writer_leaves_no_partial_table(tmp_path):
    path = tmp_path / "t.arrow"
    with pytest.raises(RuntimeError), handles.ArrowWriter(path) as writer:
        writer.write(pd.DataFrame({"n": [1, 2]}))
        raise RuntimeError("a batch failed")
    assert not path.exists()


def test_verifying_in_batches_names_the_same_source_rows(tmp_path, monkeypatch):
    spec = load_spec(FOI)
    validated = _validated(spec)
    df = validated.source.to_pandas()  # unredacted: the verifier finds personal data

    def findings(batch_rows: int) -> list[dict]:
        monkeypatch.setattr(handles, "STREAM_ROWS", batch_rows)
        table = handles.write_arrow(df, tmp_path / "redacted.arrow")
        value = handles.RedactedTable(
            table=table, source=validated.source, validation=validated.report,
            report=redaction.redact(df, spec, KEY).report)
        problems = gates.redaction_findings(value, spec)
        assert not Path(table.path).exists()  # deleted: it failed
        return sorted((p.to_dict() for p in problems), key=lambda p: (
            p["code"], p["field"] or "", p["row"] or 0, p["message"]))

    whole, batched = findings(10 ** 9), findings(2)
    assert whole and batched == whole


def test_merged_findings_keep_the_cap_and_count_the_rest():
    from pipelines.redaction.verify import MAX_FINDINGS_PER_FIELD as cap

    located = [Problem("personal-data", "contains [EMAIL]", Location("a.csv", r, "notes"))
               for r in range(1, cap + 6)]
    summary = Problem("personal-data", "… 7 more rows with findings",
                      Location("dataset x", None, "notes"))
    whole = Problem("not-dropped", "field should have been dropped",
                    Location("dataset x", None, "email"))
    merged = gates._merge_batches([*located[:cap - 1], whole, summary, *located[cap - 1:],
                                   whole])
    assert [p.code for p in merged].count("not-dropped") == 1
    assert sum(1 for p in merged if p.location.row) == cap
    assert [p.message for p in merged if p.location.row is None
            and p.code == "personal-data"] == ["… 12 more rows with findings"]


def _published(out: Path) -> dict[str, str]:
    import hashlib

    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.iterdir())}


@pytest.mark.parametrize("kind", ["records", "cube"])
def test_converting_a_stored_table_in_batches_writes_the_same_bytes(kind, tmp_path,
                                                                   monkeypatch):
    from fivestar_dev import synthetic_conversion as T
    from pipelines.convert import convert

    monkeypatch.setattr(paths, "VOCABULARIES_DIR", T.write_codelists(tmp_path / "vocab"))
    spec, df = ((T.records_spec(), T.records_frame(40)) if kind == "records"
                else (T.cube_spec(), T.cube_frame(50)))
    whole = convert(df, spec, tmp_path / "whole", T.PROVENANCE)
    table = handles.write_arrow(df, tmp_path / "t.arrow", batch_rows=7)
    streamed = convert(lambda: table.frames(batch_rows=7), spec, tmp_path / "streamed",
                       T.PROVENANCE)
    assert _published(tmp_path / "streamed") == _published(tmp_path / "whole")
    assert streamed.model_dump(exclude={"out_dir"}) == whole.model_dump(exclude={"out_dir"})


def test_iso_days_are_written_as_arrow_strftime_writes_them():
    import pyarrow.compute as pc

    from pipelines.convert.uris import datetime_text

    s = pd.Series(pd.to_datetime(["1969-12-31 23:59:59", "1900-01-01 12:00:00", "2024-02-29",
                                  "1677-09-22", "2262-04-11", None], format="ISO8601"))
    s = pd.concat([s, pd.Series(pd.date_range("1999-12-30", periods=5000, freq="37min"))])
    fast = datetime_text(s, "%Y-%m-%d")
    assert fast.to_pylist() == pc.strftime(pa.array(s), format="%Y-%m-%d").to_pylist()



def test_verifier_workers_find_what_one_process_finds(tmp_path, monkeypatch):
    """The gate's frames judged here, here and by a worker, or by workers alone: the same
    findings in the same order as frame after frame here, each row named in the source."""
    from pipelines.convert.workers import share
    from pipelines.redaction import verify_batches

    spec = load_spec(FOI)
    validated = _validated(spec)
    df = validated.source.to_pandas()  # unredacted: the verifier finds personal data
    report = redaction.redact(df, spec, KEY).report

    monkeypatch.setattr(handles, "STREAM_ROWS", 100)  # frames of 100 rows: 50-row batches

    def gate(processes: str) -> list[dict]:
        monkeypatch.setenv("FIVESTAR_VERIFY_WORKERS", processes)
        table = handles.write_arrow(df, tmp_path / "redacted.arrow", batch_rows=50)
        value = handles.RedactedTable(table=table, source=validated.source,
                                      validation=validated.report, report=report)
        return [p.to_dict() for p in gates.redaction_findings(value, spec)]

    # what the gate gave before it shared the frames out: one frame after another here
    table = handles.write_arrow(df, tmp_path / "before.arrow", batch_rows=50)
    found: list[Problem] = []
    for batch in table.frames():
        found += gates.in_source(redaction.verify(batch, spec), validated.source, batch.index)
    before = [p.to_dict() for p in gates._merge_batches(found)]
    assert before and gate("1") == before and gate("2") == before

    table = handles.write_arrow(df, tmp_path / "again.arrow", batch_rows=50)
    spans = table.spans()
    assert len(spans) > 2 and spans[:2] == [(0, 2), (2, 4)]
    here = [verify_batches.span_findings(table.path, s, spec) for s in spans]
    there = share(verify_batches.__name__, (table.path, spec), spans, None, workers=2)
    assert any(here) and there == here  # every frame judged by the workers alone


def test_an_empty_table_is_still_verified(tmp_path):
    """No rows, no frames to share out: the columns are judged all the same."""
    spec = load_spec(FOI)
    validated = _validated(spec)
    empty = validated.source.to_pandas().iloc[:0]  # requester_name etc. not dropped
    table = handles.write_arrow(empty, tmp_path / "redacted.arrow")
    assert table.spans() == []
    value = handles.RedactedTable(table=table, source=validated.source,
                                  validation=validated.report,
                                  report=redaction.redact(empty, spec, KEY).report)
    codes = {(p.code, p.location.field) for p in gates.redaction_findings(value, spec)}
    assert ("not-dropped", "requester_name") in codes


def test_a_worker_reports_a_failure_by_type_and_place_never_its_message(monkeypatch):
    import io
    import pickle
    import sys

    from pipelines.convert.workers import TaskFailed, serve_one

    def handler(setup, task):
        raise ValueError(f"cannot parse {task!r}")  # a message quoting the data

    stdin = io.BytesIO(pickle.dumps("setup") + pickle.dumps("Jane Doe, 12 High St"))
    stdout = io.BytesIO()
    pipes = io.TextIOWrapper(stdin), io.TextIOWrapper(stdout)  # kept: closing one closes
    monkeypatch.setattr(sys, "stdin", pipes[0])                 # its buffer
    monkeypatch.setattr(sys, "stdout", pipes[1])
    serve_one(handler)
    out = io.BytesIO(stdout.getvalue())
    assert pickle.load(out) is None  # noqa: S301 (written just above). ready
    failed = pickle.load(out)  # noqa: S301
    assert isinstance(failed, TaskFailed) and failed.kind == "ValueError"
    assert failed.where.startswith("test_streaming.py:")
    assert b"Jane" not in stdout.getvalue()


@pytest.mark.parametrize("kind", ["records", "cube"])
def test_one_read_of_the_table_feeds_both_data_files_byte_for_byte(kind, tmp_path,
                                                                  monkeypatch):
    """The conversion reads a stored table twice (the plan's column facts, then one pass
    for the CSV and the RDF writer together), and writes every distribution exactly as
    each writer does on a pass of its own."""
    from fivestar_dev import synthetic_conversion as T
    from pipelines.convert import convert
    from pipelines.convert.csv_out import CsvFile
    from pipelines.convert.cube import write_cube
    from pipelines.convert.frames import column_facts
    from pipelines.convert.records import write_records
    from pipelines.convert.terms import build_plan

    monkeypatch.setattr(paths, "VOCABULARIES_DIR", T.write_codelists(tmp_path / "vocab"))
    spec, df = ((T.records_spec(), T.records_frame(40)) if kind == "records"
                else (T.cube_spec(), T.cube_frame(50)))
    table = handles.write_arrow(df, tmp_path / "t.arrow", batch_rows=7)
    passes = []

    def frames():
        passes.append(1)
        return table.frames(batch_rows=7)

    result = convert(frames, spec, tmp_path / "out", T.PROVENANCE)
    assert len(passes) == 2
    # the writers one after the other, each on its own pass, as before
    from pipelines.convert import valued_columns

    plan = build_plan(column_facts(frames(), valued_columns(spec))[0], spec, spec.linked_data)
    alone = tmp_path / "alone"
    alone.mkdir()
    with CsvFile(plan, alone / f"{spec.id}.csv", spec.redaction.marker) as csv_file:
        for frame in frames():
            csv_file.write(frame)
    writer = write_cube if plan.is_cube else write_records
    writer(plan, frames, alone / f"{spec.id}.nt.gz")
    published = _published(tmp_path / "out")
    assert {n: published[n] for n in _published(alone)} == _published(alone)
    assert csv_file.rows == result.rows_published == len(df)
