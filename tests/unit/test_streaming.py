"""The record path streams: batch by batch it gives exactly what the whole table gives.

Redaction and its verifier read one record at a time, so running them over
batches of a few rows must produce the same stored table, the same report
and the same findings (rows named in the source file) as one pass over the
whole extract.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
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
    monkeypatch.setattr(gates, "REDACT_BATCH_ROWS", 3)
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
        monkeypatch.setattr(gates, "REDACT_BATCH_ROWS", batch_rows)
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
