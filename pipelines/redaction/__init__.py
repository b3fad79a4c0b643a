"""The redaction stage: personal data out, small cells protected.

``redact(df, spec, key)`` applies the spec's ``redaction:`` rules (see
:mod:`pipelines.spec.redaction` for the yaml format) and returns the redacted
table with a value-free report; ``verify(df, spec)`` is the independent,
fail-closed gate run over the result (:mod:`pipelines.redaction.verify`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from pipelines.contracts.redaction import DeclaredProtection, RedactionReport, SDCReport
from pipelines.errors import FivestarError, Location, Problem
from pipelines.redaction.fields import FieldRedactor
from pipelines.redaction.sdc import STATUS_COLUMN, apply_sdc
from pipelines.redaction.tabulate import tabulate
from pipelines.redaction.verify import verify
from pipelines.spec.redaction import SDC, Method

__all__ = ["STATUS_COLUMN", "FieldRedactor", "RedactionResult", "redact", "verify"]


@dataclass
class RedactionResult:
    df: pd.DataFrame
    report: RedactionReport
    #: disclosure control's moves for the gate's audit to check (internal: never published)
    certificate: pd.DataFrame | None = None


def _unprotected(spec: Any, sdc: SDC, row: int, message: str) -> Problem:
    """A primary cell the independent audit could not prove protected (row of the table)."""
    where = Location(file=f"dataset {spec.id} (published table)", row=row or None,
                     field=sdc.measure)
    if sdc.method == Method.rounding:
        return Problem("sdc-rounding-unprotected", "rounding alone leaves this cell's feasible "
                       "interval narrower than the declared protection (the rounded totals "
                       "narrow it); use `method: suppression` (with `rounding:` if wanted)",
                       where)
    return Problem("sdc-protection", f"{message}; nothing is staged", where)


def protect_table(df: pd.DataFrame, spec: Any, sdc: SDC,
                  key: bytes | None) -> tuple[pd.DataFrame, SDCReport, pd.DataFrame | None]:
    """The published table with its margins, protected by the spec's method, its report,
    and the certificate of its protection (suppression only)."""
    dims = set(sdc.dimensions)
    extra = [c for c in df.columns if c not in dims and c != sdc.measure]
    if extra and not sdc.from_records:
        raise FivestarError(Problem(
            "sdc-extra-field", "a table with margins has only its dimensions and the measure; "
            "drop this field with a redaction rule or make it a dimension",
            Location(file=f"dataset {spec.id}", field=extra[0])))
    table = tabulate(df, sdc, spec)
    certificate = None
    if sdc.method == Method.perturbation:
        from pipelines.redaction.cellkey import perturb_table

        result = perturb_table(table, df, sdc, spec, key)
        audit_summary = None
    else:
        from pipelines.redaction.audit import audit

        result = apply_sdc(table, sdc)
        certificate = result.certificate
        # the independent audit, recorded for the reviewer; the gate runs it again. A
        # failure stops the run here (fail closed): nothing narrower than declared is staged
        checked = audit(result.df, spec, sdc, df, certificate)
        if checked.failures:
            raise FivestarError([_unprotected(spec, sdc, row, message)
                                 for row, message in checked.failures[:50]])
        audit_summary = checked.summary()
    report = SDCReport(
        method=sdc.method.value, measure=sdc.measure, threshold=sdc.threshold,
        zero=sdc.zero, marker=sdc.marker, rounding_base=sdc.rounding,
        totals=sdc.totals.value, loss=sdc.loss.value,
        protection=DeclaredProtection.model_validate(sdc.protection.model_dump()),
        tables=sdc.tables or [list(sdc.dimensions)],
        hierarchies={d: int((table.hier[d].parent >= 0).sum()) for d in table.dims},
        cells_published=len(result.df), cells_computed=result.cells_computed,
        latent_cells=result.latent_cells, margin_equations=result.equations,
        primary_suppressed=result.primary, secondary_suppressed=result.secondary,
        information_loss={"cells": result.primary + result.secondary,
                          "secondary_cells": result.secondary,
                          "secondary_value": result.secondary_value},
        rounded=result.rounded,
        perturbed=getattr(result, "perturbed", 0), notes=result.notes,
        audit=audit_summary,
        narrowest_interval_width=audit_summary.narrowest_width if audit_summary else None)
    return result.df, report, certificate


def redact(df: pd.DataFrame, spec: Any, key: bytes | None) -> RedactionResult:
    """Apply the spec's redaction rules; the key is needed only if something is pseudonymised.

    Rules read the *input* record (so a scrub can use ``names_from`` a field
    that is itself dropped); drops happen last. Fields without a rule are
    passed through unchanged (``verify`` flags personal-looking ones).
    """
    fields = FieldRedactor(spec, key)
    out = fields(df)
    certificate = None
    report = fields.report
    sdc = spec.redaction.sdc
    if sdc is not None:
        records = out.reset_index(drop=True)
        rid = sdc.perturbation.record_id if sdc.perturbation is not None else None
        if sdc.from_records and rid and rid not in records and rid in df:
            # the record id keys the cell keys even when a rule drops it (as it should:
            # the output holds cells, never records)
            records[rid] = df[rid].to_numpy()
        out, report.sdc, certificate = protect_table(records, spec, sdc, key)
    report.rows_out = len(out)
    return RedactionResult(df=out, report=report, certificate=certificate)
