"""The validation report: what the Great Expectations suite and the code lists found.

Counts, percentages and 1-based data row numbers only: never a value from the
extract (GX's results carry the unexpected values, which may be personal data;
:mod:`pipelines.validate` keeps none of them).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field, computed_field

from pipelines.contracts.base import Contract
from pipelines.errors import Problem


class Severity(StrEnum):
    """GX's per-expectation severity, as fivestar acts on it."""

    error = "ERROR"  # blocking: nothing downstream runs
    warn = "WARN"  # recorded in the report and the Dagster check
    info = "INFO"  # recorded only


class ExpectationOutcome(Contract):
    """One expectation's result (or a code-list check), without values."""

    type: str
    column: str | None = None
    columns: list[str] | None = None
    severity: Severity
    success: bool
    unexpected_count: int | None = None
    unexpected_percent: float | None = None
    #: 1-based data rows that failed (the first few; ``unexpected_count`` is exact).
    rows: list[int] = Field(default_factory=list)
    #: An aggregate observation (a number), never a list of values.
    observed: bool | int | float | None = None
    description: str | None = None
    #: Set when the expectation could not be evaluated.
    error: str | None = None


class ValidationStatistics(Contract):
    evaluated: int
    successful: int
    errors: int
    warnings: int


class ValidationReport(Contract):
    """The outcome of validating one extract (partition) against its suite."""

    report_version: Literal[1] = 1
    dataset: str
    title: str = ""
    suite: str
    #: Rows validated (after the partition filter).
    rows: int
    expectations: list[ExpectationOutcome] = Field(default_factory=list)
    errors: list[Problem] = Field(default_factory=list)
    warnings: list[Problem] = Field(default_factory=list)
    #: Identity of the data it judged, so a gate can refuse a report about other data.
    subject: str | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def passed(self) -> bool:
        """True when no ERROR-severity expectation failed."""
        return not self.errors

    @computed_field  # type: ignore[prop-decorator]
    @property
    def statistics(self) -> ValidationStatistics:
        return ValidationStatistics(
            evaluated=len(self.expectations),
            successful=sum(e.success for e in self.expectations),
            errors=len(self.errors), warnings=len(self.warnings))
