"""Publish a staged release to CKAN: idempotent, private until verified.

1. ensure the organisation exists;
2. create the dataset (private) or patch its metadata: never ``package_update``,
   which drops every resource that is not re-sent;
3. upload each manifest file as a resource (name = file path, ``hash`` = sha256),
   re-uploading in place only the ones whose bytes changed, and deleting
   resources whose file is no longer in the release;
4. download every resource back through its download URL and compare sha256
   with the manifest; only then make the dataset public. A mismatch leaves it
   private and fails naming the resource.

Publishing the same release twice changes nothing. A transient failure
(CKAN down, 5xx) is retried with backoff, and a rerun after a hard failure
completes the publication without duplicates, because every step compares
what is there with what the manifest says.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ckanapi
import requests

from pipelines.errors import FivestarError, Location, Problem

log = logging.getLogger("fivestar.publish")

#: Dataset fields fivestar's scheming schema carries (catalogue/ckan/fivestar_dataset.yaml).
DATASET_FIELDS = (
    "title", "notes", "license_id", "version", "theme", "publisher_name", "publisher_uri",
    "contact_name", "contact_email", "frequency", "temporal_start", "temporal_end", "spatial",
    "spatial_uri",
    "release_date", "five_star_rating", "five_star_evidence", "release_id",
)
ORG_TITLE = {"home-office": "Home Office"}


class PublicationError(FivestarError):
    """The catalogue did not end up holding exactly the approved release."""


@dataclass
class PublishResult:
    dataset_url: str
    resource_urls: dict[str, str] = field(default_factory=dict)
    changed: bool = False
    version: str | None = None


def _retrying(fn: Callable[..., Any], *args: Any, attempts: int | None = None,
              what: str = "CKAN call", **kwargs: Any) -> Any:
    """Call ``fn``; retry transient failures (unreachable, 5xx) with exponential backoff."""
    attempts = attempts or int(os.environ.get("FIVESTAR_CKAN_ATTEMPTS", "5"))
    delay = 0.5
    for attempt in range(1, attempts + 1):
        try:
            return fn(*args, **kwargs)
        except ckanapi.ValidationError as exc:
            fields = exc.error_dict if isinstance(exc.error_dict, dict) else {}
            detail = "; ".join(f"{k}: {', '.join(map(str, v)) if isinstance(v, list) else v}"
                               for k, v in fields.items() if k != "__type")
            raise PublicationError([Problem("ckan-validation", f"CKAN refused the {what}: "
                                            f"{detail or 'validation error'}",
                                            Location(field=next(iter(fields), None)))]) from None
        except ckanapi.NotAuthorized as exc:
            raise PublicationError(f"CKAN refused the {what}: not authorised "
                                   f"({type(exc).__name__}); check the API token") from None
        except (ckanapi.CKANAPIError, requests.ConnectionError, requests.Timeout,
                ConnectionError) as exc:
            if isinstance(exc, ckanapi.NotFound):
                raise
            if attempt == attempts:
                raise PublicationError(f"CKAN unreachable or failing during the {what} after "
                                       f"{attempts} attempts ({type(exc).__name__})") from None
            log.warning("%s failed (%s); retrying in %.1fs", what, type(exc).__name__, delay)
            time.sleep(delay)
            delay = min(delay * 2, 8)
    raise AssertionError("unreachable")


def _client(ckan: Any) -> ckanapi.RemoteCKAN:
    """Accept the Dagster resource or a ready ckanapi client."""
    return ckan.client() if hasattr(ckan, "client") else ckan


def _ensure_org(ckan: ckanapi.RemoteCKAN, org: str) -> None:
    try:
        _retrying(ckan.action.organization_show, id=org, what="organisation lookup")
    except ckanapi.NotFound:
        _retrying(ckan.action.organization_create, name=org, title=ORG_TITLE.get(org, org),
                  what="organisation creation")


def _desired(manifest: dict[str, Any], release_id: str) -> dict[str, Any]:
    cat = manifest.get("catalogue") or {}
    fields: dict[str, Any] = {k: cat[k] for k in DATASET_FIELDS if cat.get(k) is not None}
    fields["release_id"] = release_id
    if isinstance(fields.get("five_star_evidence"), dict | list):
        fields["five_star_evidence"] = json.dumps(fields["five_star_evidence"], sort_keys=True)
    for k in ("five_star_rating",):
        if k in fields:
            fields[k] = str(fields[k])
    if cat.get("tags"):
        fields["tag_string"] = ",".join(cat["tags"])
    if fields.get("release_date"):
        fields["release_date"] = _solr_date(fields["release_date"])
    return fields


def _solr_date(value: str) -> str:
    """The time in UTC, written without an offset.

    CKAN indexes ``*_date`` fields as Solr dates: it re-serialises an aware
    time with ``+00:00``, which Solr rejects (SearchIndexError), and appends
    ``Z`` only to naive ones. So the catalogue holds UTC without an offset.
    """
    from datetime import UTC, datetime

    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def _differs(current: dict[str, Any], desired: dict[str, Any]) -> bool:
    for k, v in desired.items():
        if k == "tag_string":
            have = sorted(t["name"] for t in current.get("tags", []))
            if have != sorted(x.strip() for x in v.split(",")):
                return True
        elif str(current.get(k) if current.get(k) is not None else "") != str(v):
            return True
    return False


def _sha256_url(url: str, token: str | None) -> str:
    digest = hashlib.sha256()
    headers = {"Authorization": token} if token else {}
    with requests.get(url, headers=headers, stream=True, timeout=120) as resp:
        resp.raise_for_status()
        for chunk in resp.iter_content(1 << 16):
            digest.update(chunk)
    return digest.hexdigest()


def publish_release(ckan: Any, spec: Any, release_dir: Path, manifest: dict[str, Any], *,
                    org: str = "home-office", release_id: str | None = None,
                    verify_hook: Callable[[ckanapi.RemoteCKAN, dict], None] | None = None,
                    ) -> PublishResult:
    """Make the CKAN dataset hold exactly this release (see the module docstring).

    ``verify_hook`` runs after uploading and before verifying (tests use it to
    tamper with stored bytes or to stop CKAN mid-publication).
    """
    client = _client(ckan)
    release_dir = Path(release_dir)
    name = manifest.get("catalogue", {}).get("name") or spec.id
    if release_id is None:
        from pipelines.release.manifest import manifest_id

        release_id = manifest_id(manifest)
    desired = _desired(manifest, release_id)
    _ensure_org(client, org)
    changed = False
    try:
        pkg = _retrying(client.action.package_show, id=name, what="dataset lookup")
    except ckanapi.NotFound:
        pkg = _retrying(client.action.package_create, name=name, owner_org=org, private=True,
                        what="dataset creation", **desired)
        changed = True

    files = {f["path"]: f for f in manifest["files"]}
    existing = {r["name"]: r for r in pkg.get("resources", [])}
    stale = [r for n, r in existing.items() if n not in files]
    duplicates = _duplicates(pkg.get("resources", []))
    to_upload = [f for f in manifest["files"]
                 if f["path"] not in existing or existing[f["path"]].get("hash") != f["sha256"]]
    if _differs(pkg, desired) or to_upload or stale or duplicates:
        changed = True
        # Hide the dataset while it is being changed: nothing half-published is public.
        if not pkg.get("private"):
            _retrying(client.action.package_patch, id=pkg["id"], private=True,
                      what="hiding the dataset during update")
        _retrying(client.action.package_patch, id=pkg["id"], what="metadata update",
                  **desired)
        for r in [*stale, *duplicates]:
            _retrying(client.action.resource_delete, id=r["id"], what="removing an old resource")
        for f in to_upload:
            _upload(client, pkg["id"], release_dir, f, existing.get(f["path"]))

    pkg = _retrying(client.action.package_show, id=pkg["id"], what="dataset lookup")
    if verify_hook is not None:
        verify_hook(client, pkg)
        pkg = _retrying(client.action.package_show, id=pkg["id"], what="dataset lookup")
    try:
        urls = _verify(client, pkg, files)
    except PublicationError:
        if not pkg.get("private"):  # fail closed: never leave unverified bytes public
            _retrying(client.action.package_patch, id=pkg["id"], private=True,
                      what="hiding a dataset that failed verification")
        raise

    links = _links(manifest, urls)
    if any(str(pkg.get(k) or "") != v for k, v in links.items()) or pkg.get("private"):
        _retrying(client.action.package_patch, id=pkg["id"], private=False,
                  what="making the dataset public", **links)
    base = client.address.rstrip("/")
    return PublishResult(dataset_url=f"{base}/dataset/{name}", resource_urls=urls,
                         changed=changed, version=desired.get("version"))


def _duplicates(resources: list[dict]) -> list[dict]:
    """Resources sharing a name with an earlier one (left by an interrupted run)."""
    seen: set[str] = set()
    extra = []
    for r in resources:
        if r["name"] in seen:
            extra.append(r)
        seen.add(r["name"])
    return extra


def _upload(client: ckanapi.RemoteCKAN, package_id: str, release_dir: Path, f: dict,
            current: dict | None) -> None:
    meta = {"name": f["path"], "description": f.get("description", ""),
            "format": f.get("format", ""), "mimetype": f.get("media_type", ""),
            "size": f["bytes"], "hash": f["sha256"]}

    def send() -> Any:
        with (release_dir / f["path"]).open("rb") as fh:
            if current is not None:
                return client.action.resource_patch(id=current["id"], upload=fh, **meta)
            return client.action.resource_create(package_id=package_id, upload=fh, **meta)

    _retrying(send, what=f"upload of {f['path']}")


def _verify(client: ckanapi.RemoteCKAN, pkg: dict, files: dict[str, dict]) -> dict[str, str]:
    """Download every resource back and compare its sha256 with the manifest."""
    by_name = {r["name"]: r for r in pkg.get("resources", [])}
    problems = []
    urls = {}
    for path, f in files.items():
        res = by_name.get(path)
        if res is None:
            problems.append(Problem("missing-resource", "not in the catalogue after upload",
                                    Location(file=path)))
            continue
        try:
            digest = _retrying(_sha256_url, res["url"], client.apikey,
                               what=f"verifying {path}")
        except requests.HTTPError as exc:
            problems.append(Problem("download-failed", f"download failed "
                                    f"(HTTP {exc.response.status_code})", Location(file=path)))
            continue
        if digest != f["sha256"]:
            problems.append(Problem("hash-mismatch", "bytes in the catalogue differ from the "
                                    "approved manifest; the dataset stays private",
                                    Location(file=path)))
        urls[path] = res["url"]
    if problems:
        raise PublicationError(problems)
    return urls


def _links(manifest: dict, urls: dict[str, str]) -> dict[str, str]:
    """Point the dataset at its RDF and CSVW distributions."""
    links = {}
    for f in manifest["files"]:
        if f.get("role") == "rdf" and f["path"].endswith(".ttl") and f["path"] in urls:
            links["rdf_url"] = urls[f["path"]]
        if f.get("role") == "csvw" and f["path"] in urls:
            links["csvw_url"] = urls[f["path"]]
    return links
