"""Where a release came from: inputs by hash, and the deterministic activity id.

Public files must be a pure function of their inputs, so restaging the same
extract with the same spec and code gives the same release id. The PROV
activity is therefore named by its inputs, never by the Dagster run or the
clock: ``activity_id`` is a hash of the extract, the spec, the pipeline
version and the partition.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from pipelines.contracts.base import Contract
from pipelines.contracts.redaction import RedactionReport
from pipelines.contracts.validation import ValidationReport


def activity_id(extract_sha256: str, spec_sha256: str, pipeline_version: str,
                partition: str | None) -> str:
    """The PROV activity's id: 16 hex digits of a hash of the run's inputs."""
    key = f"{extract_sha256}:{spec_sha256}:{pipeline_version}:{partition}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


class Revision(Contract):
    """A correction: what it supersedes and its revision notes (``pipelines.corrections``)."""

    notes: str
    #: 1 for the first correction of a period, 2 for the next …
    number: int
    #: The published release this one corrects.
    of_release: str
    version: str
    previous_version: str


def version_uri(dataset_uri: str, label: str) -> str:
    """The URI of one version of a dataset (``dct:hasVersion``, ``dct:isVersionOf``):
    the dataset's URI, ``/version/``, the label (``2024-Q4`` or ``2024-Q4-r1``)."""
    return f"{dataset_uri}/version/{label}"


class Provenance(Contract):
    """The inputs of one conversion, and what validation and redaction reported."""

    dataset_id: str
    partition: str | None = None
    extract_sha256: str
    spec_sha256: str
    pipeline_version: str
    #: Deterministic (see the module docstring); set by :meth:`for_inputs`.
    activity_id: str
    #: Only when known and deterministic; ``None`` keeps the release reproducible.
    started_at: datetime | None = None
    validation: ValidationReport | None = None
    redaction: RedactionReport | None = None
    #: Set when the release is a correction of the published one.
    revision: Revision | None = None

    @classmethod
    def for_inputs(cls, *, dataset_id: str, extract_sha256: str, spec_sha256: str,
                   pipeline_version: str, partition: str | None,
                   validation: ValidationReport | None = None,
                   redaction: RedactionReport | None = None) -> Provenance:
        return cls(
            dataset_id=dataset_id, partition=partition, extract_sha256=extract_sha256,
            spec_sha256=spec_sha256, pipeline_version=pipeline_version,
            activity_id=activity_id(extract_sha256, spec_sha256, pipeline_version, partition),
            validation=validation,
            redaction=redaction)
