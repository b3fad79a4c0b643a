"""CKAN field values as IRIs, for every value DCAT-AP takes from a controlled vocabulary.

The staged manifest keeps the spec's words (``theme: crime-and-justice``,
``frequency: monthly``, media type ``text/csv``); CKAN is given the IRIs of the EU
authority tables, IANA and SPDX, so ckanext-dcat writes them as IRIs and harvesters
(data.gov.uk, data.europa.eu) can read them. The tables are the ones the DCAT metadata
file uses (:mod:`pipelines.convert.metadata`), so CKAN and that file agree.
"""

from __future__ import annotations

import json
from typing import Any

from pipelines.contracts.manifest import ManifestCatalogue, ManifestFile
from pipelines.convert.metadata import EU, FILE_TYPES, FREQUENCIES
from pipelines.spec.dataset import THEMES

IANA = "https://www.iana.org/assignments/media-types/"
SHA256 = "http://spdx.org/rdf/terms#checksumAlgorithm_sha256"
LANGUAGE = f"{EU}language/ENG"
PUBLIC = f"{EU}access-right/PUBLIC"
STABLE = f"{EU}planned-availability/STABLE"
RIGHTS = ("Crown copyright. You may re-use this information free of charge under the terms "
          "of the licence stated (Open Government Licence v3.0 unless marked otherwise).")
#: EU file types for media types the conversion's table does not list.
MORE_FILE_TYPES = {"application/rdf+xml": "RDF_XML", "text/plain": "TXT",
                   "application/zip": "ZIP", "application/pdf": "PDF"}
#: The short name people read for each media type (CKAN's ``format``: the format facet,
#: the resource labels); the EU file-type IRI goes in ``format_uri`` for DCAT.
FORMAT_NAMES = {"text/csv": "CSV", "text/turtle": "Turtle", "application/n-triples": "N-Triples",
                "application/ld+json": "JSON-LD", "application/json": "JSON",
                "application/csvm+json": "CSVW", "application/rdf+xml": "RDF/XML",
                "text/plain": "TXT", "application/zip": "ZIP", "application/pdf": "PDF"}
#: Resource order on the dataset page: the CSV, then RDF, then metadata, then code lists.
ROLE_ORDER = {"data": 0, "rdf": 1, "csvw": 2, "datapackage": 2, "metadata": 2, "codelist": 3}
#: Within a role: Turtle before N-Triples, Turtle metadata before JSON-LD.
MEDIA_ORDER = {"text/csv": 0, "text/turtle": 1, "application/n-triples": 2,
               "application/csvm+json": 3, "application/json": 4, "application/ld+json": 5}


def _utc(value: str) -> str:
    """An ISO time as UTC ``...Z`` (naive times are taken as UTC)."""
    from datetime import UTC, datetime

    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def frequency_iri(value: str | None) -> str | None:
    if not value:
        return None
    if value.startswith("http"):
        return value
    code = FREQUENCIES.get(value)
    return f"{EU}frequency/{code}" if code else None


def dataset_fields(catalogue: ManifestCatalogue) -> dict[str, Any]:
    """The CKAN dataset fields derived from the manifest's catalogue section."""
    out: dict[str, Any] = {"language": json.dumps([LANGUAGE]), "access_rights": PUBLIC}
    theme = catalogue.get("theme")
    if theme:
        iri = theme if str(theme).startswith("http") else (
            f"{EU}data-theme/{THEMES[theme]}" if theme in THEMES else None)
        if iri:
            out["theme"] = json.dumps([iri])
    frequency = frequency_iri(catalogue.get("frequency"))
    if frequency:
        out["frequency"] = frequency
    if catalogue.get("name"):
        out["identifier"] = catalogue["name"]  # dct:identifier (else CKAN's UUID)
    if catalogue.get("release_date"):
        out["issued"] = _utc(catalogue["release_date"])  # dct:issued: the release time
    if catalogue.get("uri"):
        out["uri"] = catalogue["uri"]
    return out


def differs(current: dict[str, Any], desired: dict[str, Any]) -> bool:
    """Whether a CKAN record differs from the fields it should have (text as CKAN stores
    it; keywords compared as a set)."""
    for k, v in desired.items():
        if k == "tag_string":
            have = sorted(t["name"] for t in current.get("tags", []))
            if have != sorted(x.strip() for x in v.split(",") if x.strip()):
                return True
        elif str(current.get(k) if current.get(k) is not None else "") != str(v):
            return True
    return False


def resource_fields(f: ManifestFile) -> dict[str, Any]:
    """The CKAN resource fields for one manifest file: the format's short name for people
    (``format``) and its EU file-type IRI for DCAT (``format_uri``, which fivestar's DCAT
    profile writes as ``dct:format``), IRIs for the media type and the checksum algorithm
    (the hash itself is the bare hex digest DCAT types xsd:hexBinary)."""
    media = f.get("media_type") or ""
    out: dict[str, Any] = {"mimetype": f"{IANA}{media}" if media else "",
                           "hash_algorithm": SHA256, "availability": STABLE, "rights": RIGHTS}
    code = FILE_TYPES.get(media) or MORE_FILE_TYPES.get(media)
    out["format"] = FORMAT_NAMES.get(media) or f.get("format") or (code or "")
    out["format_uri"] = f"{EU}file-type/{code}" if code else ""
    if f.get("compress_format"):  # dcat:compressFormat (ckanext-dcat's resource field)
        out["compress_format"] = f"{IANA}{f['compress_format']}"
    return out


def resource_order(files: list[ManifestFile]) -> list[str]:
    """Manifest paths in the order the dataset page lists them."""
    return [f["path"] for f in sorted(files, key=lambda f: (
        ROLE_ORDER.get(f.get("role") or "", 9), MEDIA_ORDER.get(f.get("media_type") or "", 9),
        f["path"]))]
