"""The typed values that cross a seam between stages, one module per seam.

* :mod:`~pipelines.contracts.validation` — ``ValidationReport`` (validate → the gates, staging)
* :mod:`~pipelines.contracts.redaction` — ``RedactionReport`` (redact → staging, review)
* :mod:`~pipelines.contracts.provenance` — ``Provenance`` and the deterministic activity id
* :mod:`~pipelines.contracts.conversion` — ``ConversionResult``, ``FileInfo``, ``FileRole``,
  ``Stars`` (convert → staging)
* :mod:`~pipelines.contracts.catalogue` — ``CatalogueRecord``, the CKAN dataset fields
  (staging → the manifest → the publisher; agrees with the scheming schema)

Every contract is a strict pydantic model with a stable JSON form
(:class:`~pipelines.contracts.base.Contract`), so it can travel between Dagster
steps in different processes and be stored in a release. Located problems
(:class:`pipelines.errors.Problem`) are part of that form.
"""

from pipelines.contracts.base import Contract
from pipelines.contracts.catalogue import PUBLICATION_FIELDS, CatalogueRecord, PublishResult
from pipelines.contracts.conversion import (
    ConversionResult,
    FileInfo,
    FileRole,
    Stars,
    TemporalCoverage,
)
from pipelines.contracts.provenance import Provenance, activity_id
from pipelines.contracts.redaction import FieldReport, RedactionReport, SDCReport
from pipelines.contracts.validation import (
    ExpectationOutcome,
    Severity,
    ValidationReport,
    ValidationStatistics,
)

__all__ = ["PUBLICATION_FIELDS", "CatalogueRecord", "Contract", "ConversionResult",
           "ExpectationOutcome", "FieldReport", "FileInfo", "FileRole", "Provenance",
           "PublishResult", "RedactionReport", "SDCReport", "Severity", "Stars",
           "TemporalCoverage", "ValidationReport", "ValidationStatistics", "activity_id"]
