"""The checks between stages, as plain functions the Dagster shell calls.

Each gate takes asset values (handles) and returns located problems, or
raises: it binds a report to the exact data it judged (by the source's key
and the stored table's sha256), maps row numbers back to the source extract's
file and row, and fails closed.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from pipelines import handles
from pipelines.contracts import RedactionReport, ValidationReport
from pipelines.errors import FivestarError, Location, Problem, ValidationFailed
from pipelines.handles import ArrowTable, RedactedTable, SourceTable, ValidatedExtract
from pipelines.spec import DatasetSpec

if TYPE_CHECKING:
    from pipelines.redaction import RedactionResult


def require_passed_validation(validated: ValidatedExtract) -> None:
    """Refuse unless a passing validation report judged exactly these rows."""
    report, source = validated.report, validated.source
    if report.subject != source.key:
        raise ValidationFailed(Problem(
            "report-unbound", "the validation report is not about this extract (stage again)",
            Location(file=source.dataset_id)))
    if not report.passed:
        raise ValidationFailed(report.errors or [Problem(
            "validation-failed", "blocking expectations failed", Location(file=source.dataset_id))])


def bind_validation(report: ValidationReport, source: SourceTable,
                    positions: pd.Index) -> ValidationReport:
    """The report bound to ``source`` (its key), with rows named as in the source files.

    ``positions`` is the index of the frame that was validated.
    """
    def rows(found: list[int]) -> list[int]:
        return [source.locate(int(positions[r - 1])).row or r
                for r in found if 1 <= r <= len(positions)]

    return report.model_copy(update={
        "subject": source.key,
        "errors": in_source(report.errors, source, positions),
        "warnings": in_source(report.warnings, source, positions),
        "expectations": [e.model_copy(update={"rows": rows(e.rows)})
                         for e in report.expectations]})


def in_source(problems: Sequence[Problem], source: SourceTable, positions: pd.Index,
              *, unnamed_only: bool = False) -> list[Problem]:
    """``problems`` located in the source extract's terms.

    A row (1-based, in a frame whose index is ``positions``) becomes the source
    file and its data row, through the partition filter and the multi-file
    merge. A problem about the data that names no file (a stage leaves it
    empty: "the table I was given") names the source's file. With
    ``unnamed_only``, problems that name a file of their own (the published
    table, a code list) keep their location whole.
    """
    out = []
    for p in problems:
        loc = p.location
        if loc.file and unnamed_only:
            out.append(p)
        elif loc.row is not None and 1 <= loc.row <= len(positions):
            where = source.locate(int(positions[loc.row - 1]), loc.field)
            out.append(p.model_copy(update={"location": where}))
        elif not loc.file:
            where = Location(file=source_file(source), row=loc.row, field=loc.field)
            out.append(p.model_copy(update={"location": where}))
        else:
            out.append(p)
    return out


def source_file(source: SourceTable) -> str:
    """How a problem about the whole extract names it: its file, or its first and last."""
    names = [f.shown for f in source.files]
    if len(names) == 1:
        return names[0]
    if names:
        return f"{names[0]} … {names[-1]} ({len(names)} files)"
    return source.dataset_id


def validate_source(source: SourceTable, spec: DatasetSpec) -> ValidationReport:
    """The suite and code lists over the source's rows, positions bound to its files.

    Streamed (:func:`pipelines.validate.validate_batches`): the columns validation
    reads values of are read a batch at a time; the others are shown to GX by name
    only (a zero-byte column per batch). A row found is its position in the merged
    source files, so the report binds through an identity index (no index of the
    whole extract is held).
    """
    import numpy as np

    from pipelines import validate

    needed = validate.columns_needed(spec)
    names = spec.extract_field_names

    def read(columns: list[str] | None):
        for df in source.frames(validate.VALIDATION_ROWS, columns or needed):
            if columns is None and needed is not None:
                df = df.assign(**{n: np.zeros(len(df), dtype=np.bool_)
                                  for n in names if n not in needed})[names]
            yield df

    report = validate.validate_batches(read, spec)
    return bind_validation(report, source, pd.RangeIndex(sum(f.rows for f in source.files)))


def redact(validated: ValidatedExtract, spec: DatasetSpec, key: bytes | None) -> RedactionResult:
    """Redaction of exactly the rows validation passed; what it refuses names the source
    file and row (redaction counts rows of the frame it is handed)."""
    from pipelines import redaction

    require_passed_validation(validated)
    df = validated.source.to_pandas()
    try:
        return redaction.redact(df, spec, key)
    except FivestarError as exc:
        raise FivestarError(in_source(exc.problems, validated.source, df.index,
                                      unnamed_only=True)) from None


def redact_to_table(validated: ValidatedExtract, spec: DatasetSpec, key: bytes | None,
                    work_dir: Path) -> tuple[ArrowTable, RedactionReport, ArrowTable | None]:
    """Redact into ``work_dir/redacted.arrow``: the stored table, the report, and
    disclosure control's certificate (``sdc-certificate.arrow``) if it made one.

    A record dataset streams: the batches of the source are redacted on every core
    (:mod:`pipelines.redaction.redact_batches`) and written in order, a few at a
    time, so no redacted copy of the whole extract is ever held. An aggregate's
    disclosure control needs the whole table of cells and gets it (:func:`redact`).
    """
    from pipelines import redaction

    path = work_dir / "redacted.arrow"
    if spec.redaction.sdc is not None:
        result = redact(validated, spec, key)
        table = handles.write_arrow(result.df, path)
        certificate = (None if result.certificate is None else handles.write_arrow(
            result.certificate, work_dir / "sdc-certificate.arrow"))
        return table, result.report, certificate
    from pipelines.redaction import redact_batches

    require_passed_validation(validated)
    fields = redaction.FieldRedactor(spec, key)
    with handles.ArrowWriter(path) as writer, contextlib.closing(
            redact_batches.redact(validated.source.frames(), fields)) as frames:
        for index, out in frames:  # in frame order, from this process and its workers
            if isinstance(out, FivestarError):
                raise FivestarError(in_source(out.problems, validated.source, index,
                                              unnamed_only=True)) from None
            writer.write(out)
    fields.report.rows_out = writer.rows
    assert writer.table is not None
    return writer.table, fields.report, None


def redaction_findings(redacted: RedactedTable, spec: DatasetSpec) -> list[Problem]:
    """The independent redaction verifier over the stored table, rows in source terms.

    A record dataset's table is checked batch by batch (every row; each check
    reads one record at a time), an aggregate's whole (the disclosure audit
    re-derives the true table from the source extract). A table that fails is
    deleted at once: nothing unverified is left in the state folder.
    """
    from pipelines import redaction

    if spec.redaction.sdc is not None:
        df = redacted.table.to_pandas()
        before = redacted.source.to_pandas()
        certificate = redacted.certificate.to_pandas() if redacted.certificate else None
        # the audit names rows of the published table (not the extract's) by their cells
        problems = in_source(redaction.verify(df, spec, before, certificate),
                             redacted.source, df.index, unnamed_only=True)
    else:  # frames on every core; rows come back as 1 + their source position
        from pipelines.redaction import verify_batches

        found = verify_batches.findings(redacted.table, spec)
        problems = _merge_batches(in_source(found, redacted.source, pd.RangeIndex(
            sum(f.rows for f in redacted.source.files))))
    if problems:
        redacted.table.discard()
    return problems


#: A verifier's summary of the findings it did not list ("… 12 more rows with …").
_MORE = re.compile(r"^… (\d+) more ")


def _merge_batches(problems: list[Problem]) -> list[Problem]:
    """Findings of the batches as one list: a problem about the whole table (no row) once,
    located ones up to the verifier's cap per code and field, then one summary of the rest."""
    from pipelines.redaction.verify import MAX_FINDINGS_PER_FIELD as cap

    out: list[Problem] = []
    seen: set[tuple[str, str, str | None]] = set()
    listed: dict[tuple[str, str | None], int] = {}
    more: dict[tuple[str, str | None], tuple[int, Problem]] = {}
    for p in problems:
        group = (p.code, p.location.field)
        if (m := _MORE.match(p.message)) and p.location.row is None:
            n, first = more.get(group, (0, p))
            more[group] = (n + int(m.group(1)), first)
        elif p.location.row is not None:
            listed[group] = listed.get(group, 0) + 1
            if listed[group] <= cap:
                out.append(p)
            else:
                n, first = more.get(group, (0, p))
                more[group] = (n + 1, first)
        elif (key := (p.code, p.message, p.location.field)) not in seen:
            seen.add(key)
            out.append(p)
    for (code, _), (n, first) in more.items():
        out.append(Problem(code, f"… {n} more rows with findings",
                           first.location.model_copy(update={"row": None})))
    return out
