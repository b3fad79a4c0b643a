"""The checks between stages, as plain functions the Dagster shell calls.

Each gate takes asset values (handles) and returns located problems, or
raises: it binds a report to the exact data it judged (by the source's key
and the stored table's sha256), maps row numbers back to the source extract's
file and row, and fails closed.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from pipelines.contracts import ValidationReport
from pipelines.errors import Location, Problem, ValidationFailed
from pipelines.handles import RedactedTable, SourceTable, ValidatedExtract
from pipelines.spec import DatasetSpec


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


def in_source(problems: Sequence[Problem], source: SourceTable,
              positions: pd.Index) -> list[Problem]:
    """``problems`` whose rows (1-based, in a frame whose index is ``positions``) now
    name the source file and its data row."""
    out = []
    for p in problems:
        row = p.location.row
        if row is None or not 1 <= row <= len(positions):
            out.append(p)
            continue
        where = source.locate(int(positions[row - 1]), p.location.field)
        out.append(p.model_copy(update={"location": where}))
    return out


def redaction_findings(redacted: RedactedTable, spec: DatasetSpec) -> list[Problem]:
    """The independent redaction verifier over the stored table, rows in source terms.

    A table that fails is deleted at once: nothing unverified is left in the
    state folder.
    """
    from pipelines import redaction

    df = redacted.table.to_pandas()
    # the disclosure audit re-derives the true table from the source extract
    before = redacted.source.to_pandas() if spec.redaction.sdc is not None else None
    certificate = redacted.certificate.to_pandas() if redacted.certificate else None
    problems = in_source(redaction.verify(df, spec, before, certificate), redacted.source,
                         df.index)
    if problems:
        redacted.table.discard()
    return problems
