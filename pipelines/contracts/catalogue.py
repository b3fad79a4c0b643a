"""The CKAN dataset record: the one definition of the catalogue's dataset fields.

A staged release carries a :class:`CatalogueRecord` (the manifest's
``catalogue`` object); the publisher sends exactly :meth:`CatalogueRecord.to_ckan`
plus the few fields only publication knows (:data:`PUBLICATION_FIELDS`). The
ckanext-scheming schema (``catalogue/ckan/fivestar_dataset.yaml``) declares the
same set, and a unit test proves the two agree, so a field cannot be added in
one place and silently dropped by the other.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import cast

from pydantic import Field

from pipelines.contracts.base import Contract
from pipelines.contracts.manifest import ManifestCatalogue

#: CKAN dataset fields set at publication or withdrawal, never from a staged record.
PUBLICATION_FIELDS: dict[str, str] = {
    "owner_org": "the publishing organisation (a CKAN organisation name)",
    "release_id": "the approved release's id (sha256 of its manifest)",
    "rdf_url": "the download URL of the Turtle distribution, once uploaded and verified",
    "csvw_url": "the download URL of the CSVW metadata, once uploaded and verified",
    "withdrawn_reason": "why a release was withdrawn (set by `fivestar withdraw`)",
    "withdrawn": "`true` while withdrawn (a notice on the page; DCAT adms:status WITHDRAWN)",
    "withdrawn_date": "the day it was withdrawn",
    "next_release_date": "the series' next pre-announced release (the release calendar)",
    "in_series": "the id of the dataset-series record a periodic release belongs to "
                 "(pipelines/catalogue/series.py; DCAT dcat:inSeries)",
}

#: CKAN dataset fields the publisher derives from the record for DCAT, with IRIs for the
#: controlled vocabularies, so ckanext-dcat writes what harvesters can read
#: (:func:`pipelines.catalogue.fields.dataset_fields`; ``theme`` and ``frequency`` are
#: sent there as EU authority IRIs too).
DCAT_FIELDS: dict[str, str] = {
    "uri": "the dataset's /id/ URI: ckanext-dcat's dataset URI",
    "identifier": "dct:identifier (the dataset id)",
    "issued": "dct:issued: the release time in UTC",
    "language": "JSON list of EU language IRIs",
    "access_rights": "EU access-right IRI",
}

#: Record fields sent under another CKAN name.
_CKAN_NAME = {"tags": "tag_string"}
#: Record fields the manifest keeps but CKAN's schema does not carry.
_NOT_SENT = {"uri"}


class CatalogueRecord(Contract):
    """What the catalogue says about the dataset, derived only from the inputs."""

    #: CKAN dataset name (the spec id).
    name: str
    title: str
    notes: str
    tags: list[str] = Field(default_factory=list)
    #: A data.gov.uk theme, e.g. ``crime-and-justice``.
    theme: str
    #: CKAN licence id (``uk-ogl``, …).
    license_id: str
    publisher_name: str
    publisher_uri: str
    contact_name: str
    contact_email: str
    frequency: str
    temporal_start: str | None = None
    temporal_end: str | None = None
    #: Spatial coverage as a label, and as a URI (ckanext-dcat's dct:spatial).
    spatial: str | None = None
    spatial_uri: str | None = None
    #: The dataset's own URI (DCAT); kept in the manifest, not a CKAN field.
    uri: str | None = None
    #: The release period, or the first 12 hex digits of the extract's hash.
    version: str | None = None
    #: Pre-announced release time (ISO 8601, aware); none for a correction.
    release_date: str | None = None
    #: A correction's revision notes (adms:versionNotes) and the version it supersedes
    #: (a version IRI, dcat:previousVersion).
    version_notes: str | None = None
    previous_version: str | None = None
    five_star_rating: int | None = None
    five_star_evidence: dict[str, str] = Field(default_factory=dict)

    @classmethod
    def ckan_fields(cls) -> set[str]:
        """Every CKAN dataset field fivestar writes (the scheming schema's field list)."""
        sent = {_CKAN_NAME.get(n, n) for n in cls.model_fields if n not in _NOT_SENT}
        return sent | set(PUBLICATION_FIELDS) | set(DCAT_FIELDS)

    def manifest_json(self) -> ManifestCatalogue:
        """The manifest's ``catalogue`` object (unset values left out)."""
        return cast(ManifestCatalogue, self.model_dump(mode="json", exclude_none=True))

    def to_ckan(self, release_id: str) -> dict[str, str]:
        """The dataset fields for ``package_create`` / ``package_patch``, as CKAN stores them.

        Scheming fields are text: the rating is a string, the evidence JSON,
        keywords a ``tag_string``, and the release date UTC without an offset.
        """
        out: dict[str, str] = {}
        for name, value in self.model_dump(mode="json", exclude_none=True).items():
            if name in _NOT_SENT or value in ("", [], {}):
                continue
            if name == "tags":
                value = ",".join(value)
            elif name == "five_star_evidence":
                value = json.dumps(value, sort_keys=True)
            elif name == "release_date":
                value = solr_date(value)
            out[_CKAN_NAME.get(name, name)] = str(value)
        out["release_id"] = release_id
        return out


def solr_date(value: str) -> str:
    """The time in UTC, written without an offset.

    CKAN indexes ``*_date`` fields as Solr dates: it re-serialises an aware
    time with ``+00:00``, which Solr rejects (SearchIndexError), and appends
    ``Z`` only to naive ones. So the catalogue holds UTC without an offset.
    """
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


class PublishResult(Contract):
    """What publication did: where the dataset is, and each verified download URL."""

    dataset_url: str
    #: file path -> download URL (each re-downloaded and matched against the manifest)
    resource_urls: dict[str, str] = Field(default_factory=dict)
    #: False when the catalogue already held exactly this release.
    changed: bool = False
    version: str | None = None
