"""What conversion hands to staging: every public file, typed, with its role declared.

The writer that makes a file says what it is (:class:`FileRole`); nothing
downstream guesses a role, a media type or a format from a file name.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import Field

from pipelines.contracts.base import Contract
from pipelines.contracts.provenance import Provenance


class FileRole(StrEnum):
    """What a public file is for (the manifest's ``role``, the catalogue's order)."""

    data = "data"  # the tidy CSV
    csvw = "csvw"  # CSV on the Web metadata for the CSV
    rdf = "rdf"  # the linked data (N-Triples, gzip)
    codelist = "codelist"  # a SKOS code list the data uses
    datapackage = "datapackage"  # the Frictionless data package
    metadata = "metadata"  # DCAT-AP / PROV-O / DQV about the dataset
    documentation = "documentation"  # for people, e.g. the pre-release access statement


class FileInfo(Contract):
    """One public file, described by the writer for the manifest and the catalogue."""

    #: Relative to the conversion's output folder (POSIX separators).
    path: str
    role: FileRole
    media_type: str
    #: The catalogue's format name (CKAN / data.gov.uk vocabulary, e.g. ``CSV``, ``RDF_TURTLE``).
    format: str
    #: The media type of the compression wrapped around ``media_type`` (DCAT's
    #: ``dcat:compressFormat``), e.g. ``application/gzip``; None for a plain file.
    compress_format: str | None = None
    title: str
    description: str
    #: Measured after writing; the metadata files cannot hold their own size and hash.
    bytes: int | None = None
    sha256: str | None = None
    #: Data rows (CSV only).
    rows: int | None = None


class Stars(Contract):
    """The five-star rating, computed from the files (never declared)."""

    rating: int = Field(ge=0, le=5)
    #: star ("1".."5") -> what earned it, or what is missing
    evidence: dict[str, str]
    passed: dict[str, bool]


class TemporalCoverage(Contract):
    """First and last day the data covers (ISO dates), when known."""

    start: str | None = None
    end: str | None = None


class ConversionResult(Contract):
    """Every public file of a release, written into ``out_dir``."""

    out_dir: Path
    files: list[FileInfo]
    stars: Stars
    #: The dataset's own URI (``{base}/id/<dataset>``).
    dataset_uri: str
    temporal: TemporalCoverage = Field(default_factory=TemporalCoverage)
    #: Data rows in the published CSV.
    rows_published: int
    triples: int = 0
    provenance: Provenance

    def file(self, role: FileRole) -> FileInfo | None:
        """The first file with ``role``."""
        return next((f for f in self.files if f.role == role), None)
