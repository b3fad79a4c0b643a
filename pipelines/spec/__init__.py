"""Dataset specs: ``datasets/<id>/dataset.yaml`` as typed models, parsed once.

:mod:`pipelines.spec.dataset` holds the spec and its loader; the stage-facing
sections live beside it, :mod:`pipelines.spec.redaction` (``redaction:``) and
:mod:`pipelines.spec.linked_data` (``linked_data:``), so a stage reads a typed
``spec.redaction`` or ``spec.linked_data`` and never re-parses a dict.
"""

from pipelines.spec.dataset import (
    OGL_V3,
    OPEN_LICENCES,
    SPEC_FILENAME,
    SPEC_SCHEMA_ID,
    SPEC_VERSION,
    UK,
    DatasetSpec,
    Frequency,
    InformationAsset,
    PreReleaseAccess,
    ProtectiveMarking,
    Publisher,
    Release,
    Source,
    SourceFormat,
    TableSchema,
    load_all,
    load_spec,
)
from pipelines.spec.linked_data import LinkedDataMapping
from pipelines.spec.redaction import RedactionRules

__all__ = ["OGL_V3", "OPEN_LICENCES", "SPEC_FILENAME", "SPEC_SCHEMA_ID", "SPEC_VERSION", "UK",
           "DatasetSpec", "Frequency",
           "InformationAsset", "LinkedDataMapping", "PreReleaseAccess", "ProtectiveMarking",
           "Publisher", "RedactionRules", "Release", "Source", "SourceFormat", "TableSchema",
           "load_all", "load_spec"]
