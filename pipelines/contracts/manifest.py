"""The release manifest's shape: typed JSON whose canonical bytes are the release id.

The other contracts are models that are serialised; the manifest is the other
way round. Its identity is its bytes (the release id is the sha256 of its
canonical JSON, and the champion approves that id), so it is typed as exactly
the JSON it is: :class:`Manifest` and its parts are ``TypedDict``\\ s, checked
statically where they cross a seam (staging → the review service → the
publisher, the diff, the linked-data load) and validated at run time where a
manifest is read (:func:`pipelines.release.manifest.parse_manifest`), closed:
a missing, extra or mistyped key is refused before anything trusts it. A model
re-serialising the manifest could change a byte, and with it the release id.

Each part is the JSON form of a contract that owns its fields
(:class:`ManifestFile` of :class:`~pipelines.contracts.conversion.FileInfo`,
:class:`ManifestCatalogue` of :class:`~pipelines.contracts.catalogue.CatalogueRecord`,
…); ``tests/unit/test_manifest_contract.py`` proves the keys agree, so a field
added to a contract cannot be left out of the manifest's type.
"""

from typing import Any, NotRequired

from pydantic import ConfigDict, TypeAdapter, ValidationError, with_config
from typing_extensions import TypedDict

_CLOSED = ConfigDict(extra="forbid")


@with_config(_CLOSED)
class ManifestFile(TypedDict):
    """A public file: :class:`FileInfo` as the writer described it, size and hash measured."""

    path: str
    #: A :class:`~pipelines.contracts.conversion.FileRole` value.
    role: str
    media_type: str
    format: str
    title: str
    description: str
    bytes: int
    sha256: str
    compress_format: NotRequired[str]
    #: Data rows (the data CSV).
    rows: NotRequired[int]


@with_config(_CLOSED)
class ReportEntry(TypedDict):
    """A report the champion reads, bound to the release id like the public files."""

    path: str
    bytes: int
    sha256: str


@with_config(_CLOSED)
class ManifestStars(TypedDict):
    """:class:`~pipelines.contracts.conversion.Stars`: the rating computed from the files."""

    rating: int
    evidence: dict[str, str]
    passed: dict[str, bool]


@with_config(_CLOSED)
class ManifestRevision(TypedDict):
    """:class:`~pipelines.contracts.provenance.Revision`: what a correction supersedes."""

    notes: str
    number: int
    of_release: str
    version: str
    previous_version: str


@with_config(_CLOSED)
class ManifestCatalogue(TypedDict, total=False):
    """:meth:`CatalogueRecord.manifest_json`: the record with its unset values left out."""

    name: str
    title: str
    notes: str
    tags: list[str]
    theme: str
    license_id: str
    publisher_name: str
    publisher_uri: str
    contact_name: str
    contact_email: str
    frequency: str
    temporal_start: str
    temporal_end: str
    spatial: str
    spatial_uri: str
    uri: str
    version: str
    release_date: str
    version_notes: str
    previous_version: str
    five_star_rating: int
    five_star_evidence: dict[str, str]


@with_config(_CLOSED)
class Manifest(TypedDict):
    """A release manifest (``manifest.json``), in the shape docs/ARCHITECTURE.md documents."""

    manifest_version: int
    dataset_id: str
    period: str | None
    spec_sha256: str
    extract_sha256: str
    pipeline_version: str
    #: Sorted by path.
    files: list[ManifestFile]
    catalogue: ManifestCatalogue
    stars: ManifestStars
    #: Report name (``validation``, ``redaction``, ``diff``, …) → its entry.
    reports: dict[str, ReportEntry]
    #: Rows at each step (``extract``, ``published``, …).
    row_counts: dict[str, int]
    #: Present on a correction only.
    revision: NotRequired[ManifestRevision]


_MANIFEST = TypeAdapter(Manifest)


def manifest_shape_errors(data: Any) -> list[tuple[str, str]]:
    """Where ``data`` departs from :class:`Manifest`: (dotted key path, message) pairs.

    Validation is strict (no ``"3"`` read as ``3``) and closed (no unknown key):
    an empty list means every key the code reads is there with its type.
    """
    try:
        _MANIFEST.validate_python(data, strict=True)
    except ValidationError as exc:
        return [(".".join(str(p) for p in err["loc"]), err["msg"]) for err in exc.errors()]
    return []
