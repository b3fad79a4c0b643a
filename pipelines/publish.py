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
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ckanapi
import requests

from pipelines.catalogue import content, series
from pipelines.catalogue import fields as catalogue_fields
from pipelines.catalogue_notices import is_withdrawn, restored_fields
from pipelines.contracts.catalogue import CatalogueRecord, PublishResult, solr_date
from pipelines.contracts.conversion import FileRole
from pipelines.corrections import PREVIOUS_PREFIX
from pipelines.errors import FivestarError, Location, Problem

ORG_TITLE = {"home-office": "Home Office"}


class PublicationError(FivestarError):
    """The catalogue did not end up holding exactly the approved release."""


def _call(fn: Callable[..., Any], *args: Any, what: str = "CKAN call", **kwargs: Any) -> Any:
    """Call the catalogue, turning its refusals into located publication errors.

    Transient failures (unreachable, 5xx) are retried with backoff by the
    client's session (:func:`pipelines.ckan_resource.retrying_session`); what
    still fails here has failed for good. ``ckanapi.NotFound`` is passed on:
    callers decide whether a missing dataset is an error.
    """
    try:
        return fn(*args, **kwargs)
    except ckanapi.NotFound:
        raise
    except ckanapi.ValidationError as exc:
        fields = exc.error_dict if isinstance(exc.error_dict, dict) else {}
        detail = "; ".join(f"{k}: {', '.join(map(str, v)) if isinstance(v, list) else v}"
                           for k, v in fields.items() if k != "__type")
        raise PublicationError([Problem("ckan-validation", f"CKAN refused the {what}: "
                                        f"{detail or 'validation error'}",
                                        Location(field=next(iter(fields), None)))]) from None
    except ckanapi.NotAuthorized:
        raise PublicationError(f"CKAN refused the {what}: not authorised; check the API "
                               "token") from None
    except (ckanapi.CKANAPIError, requests.ConnectionError, requests.Timeout) as exc:
        raise PublicationError(f"CKAN unreachable or failing during the {what} after "
                               f"retrying ({type(exc).__name__})") from None


def _client(ckan: Any) -> ckanapi.RemoteCKAN:
    """Accept the Dagster resource or a ready ckanapi client."""
    return ckan.client() if hasattr(ckan, "client") else ckan


def _ensure_org(ckan: ckanapi.RemoteCKAN, org: str) -> None:
    try:
        _call(ckan.action.organization_show, id=org, what="organisation lookup")
    except ckanapi.NotFound:
        _call(ckan.action.organization_create, name=org, title=ORG_TITLE.get(org, org),
              what="organisation creation")


def _sha256_url(client: ckanapi.RemoteCKAN, url: str) -> str:
    """sha256 of the bytes the catalogue serves, exactly as sent.

    Never content-decoded: CKAN serves a ``.gz`` file with ``Content-Encoding:
    gzip`` (werkzeug guesses it from the name), and ``requests`` would hash the
    decompressed text instead of the published gzip bytes.
    """
    digest = hashlib.sha256()
    headers = {"Authorization": client.apikey, "Accept-Encoding": "identity"} \
        if client.apikey else {"Accept-Encoding": "identity"}
    session = client.session or requests.Session()
    with session.get(url, headers=headers, stream=True, timeout=120) as resp:
        resp.raise_for_status()
        for chunk in resp.raw.stream(1 << 16, decode_content=False):
            digest.update(chunk)
    return digest.hexdigest()


_FROM_ENV: Any = object()


def publish_release(ckan: Any, release_dir: Path, manifest: dict[str, Any], release_id: str,
                    *, org: str | None = None,
                    verify_hook: Callable[[ckanapi.RemoteCKAN, dict], None] | None = None,
                    store: Any = _FROM_ENV, next_release: Any = None) -> PublishResult:
    """Make the CKAN dataset hold exactly this release (see the module docstring).

    ``manifest`` is the approved manifest of ``release_dir`` and ``release_id``
    its id (the caller, the release gate, has checked both). ``verify_hook``
    runs after uploading and before verifying (tests use it to tamper with
    stored bytes or to stop CKAN mid-publication). ``store`` is the triple store the
    release's linked data goes to (default: from the environment,
    :func:`pipelines.catalogue.content.linked_data_store`); ``org`` the CKAN
    organisation (default ``FIVESTAR_CKAN_ORG``, else ``home-office``).
    ``next_release`` (an aware datetime, from the release calendar) is shown as
    the dataset series' next release date.
    """
    if store is _FROM_ENV:
        store = content.linked_data_store()
    org = org or os.environ.get("FIVESTAR_CKAN_ORG", "home-office")
    client = _client(ckan)
    release_dir = Path(release_dir)
    record = CatalogueRecord.model_validate(manifest["catalogue"])
    name = record.name
    # the record's fields, then the DCAT ones as IRIs (pipelines/catalogue/fields.py)
    desired = record.to_ckan(release_id) | catalogue_fields.dataset_fields(manifest["catalogue"])
    if next_release is not None:  # the series' next pre-announced release (release calendar)
        desired["next_release_date"] = solr_date(next_release.isoformat())
    _ensure_org(client, org)
    # a periodic dataset's series: a record of its own, named by the release (dcat:inSeries)
    series_id = _call(series.ensure, client, manifest["catalogue"], org, next_release,
                      what="dataset series record")
    if series_id:
        desired["in_series"] = [series_id]
    changed = False
    try:
        pkg = _call(client.action.package_show, id=name, what="dataset lookup")
    except ckanapi.NotFound:
        pkg = _call(client.action.package_create, owner_org=org, private=True,
                        what="dataset creation", **desired)
        changed = True

    if is_withdrawn(pkg):  # a later release brings a withdrawn dataset back
        desired.update(restored_fields())
    files = {f["path"]: f for f in manifest["files"]}
    existing = {r["name"]: r for r in pkg.get("resources", [])}
    # superseded versions' files stay retrievable (corrections keep what they replace)
    stale = [r for n, r in existing.items() if n not in files
             and not n.startswith(PREVIOUS_PREFIX)]
    duplicates = _duplicates(pkg.get("resources", []))
    to_upload = [f for f in manifest["files"]
                 if f["path"] not in existing or existing[f["path"]].get("hash") != f["sha256"]]
    to_describe = [f for f in manifest["files"] if f not in to_upload
                   and catalogue_fields.differs(existing[f["path"]], _resource_meta(f))]
    if catalogue_fields.differs(pkg, desired) or to_upload or to_describe or stale or duplicates:
        changed = True
        # Hide the dataset while it is being changed: nothing half-published is public.
        if not pkg.get("private"):
            _call(client.action.package_patch, id=pkg["id"], private=True,
                      what="hiding the dataset during update")
        _call(client.action.package_patch, id=pkg["id"], what="metadata update",
                  **desired)
        for r in [*stale, *duplicates]:
            _call(client.action.resource_delete, id=r["id"], what="removing an old resource")
        for f in _superseded(release_dir, manifest, existing):
            _upload(client, pkg["id"], f["folder"], f["entry"], None, name=f["name"])
        for f in to_upload:
            _upload(client, pkg["id"], release_dir, f, existing.get(f["path"]))
        for f in to_describe:
            _call(client.action.resource_patch, id=existing[f["path"]]["id"],
                  what=f"describing {f['path']}", **_resource_meta(f))

    pkg = _call(client.action.package_show, id=pkg["id"], what="dataset lookup")
    if verify_hook is not None:
        verify_hook(client, pkg)
        pkg = _call(client.action.package_show, id=pkg["id"], what="dataset lookup")
    try:
        urls = _verify(client, pkg, files)
        # the public's side, still private: order, DataStore rows, linked data drafted
        prepared = _call(content.prepare, client, pkg, release_dir, manifest, release_id,
                         store, what="DataStore and linked-data loading")
    except FivestarError:
        if not pkg.get("private"):  # fail closed: never leave unverified bytes public
            _call(client.action.package_patch, id=pkg["id"], private=True,
                      what="hiding a dataset that failed verification")
        raise

    links = _links(manifest, urls)
    if any(str(pkg.get(k) or "") != v for k, v in links.items()) or pkg.get("private"):
        _call(client.action.package_patch, id=pkg["id"], private=False,
                  what="making the dataset public", **links)
    content.go_live(prepared, store)  # the release's graph live, in one transaction
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


def _resource_meta(f: dict) -> dict[str, Any]:
    """A resource's CKAN fields; controlled-vocabulary values as IRIs (catalogue_fields)."""
    return {"name": f["path"], "description": f.get("description", ""),
            "size": f["bytes"], "hash": f["sha256"], **catalogue_fields.resource_fields(f)}


def _superseded(release_dir: Path, manifest: dict[str, Any],
                existing: dict[str, dict]) -> list[dict[str, Any]]:
    """For a correction: the files of the release it corrects, to keep as ``previous/…``.

    They come from that release's own folder, re-hashed against its manifest
    (they were approved and published before; nothing else rides along).
    """
    revision = manifest.get("revision") or {}
    old_id = revision.get("of_release")
    if not old_id:
        return []
    from pipelines.release.manifest import load_manifest, verify_files

    old_dir = release_dir.parent / old_id
    old_manifest, _ = load_manifest(old_dir)
    problems = verify_files(old_dir, old_manifest)
    if problems:
        raise PublicationError([Problem("superseded-changed", "the corrected release's files "
                                        "no longer match its manifest"), *problems])
    label = revision.get("previous_version") or old_id[:12]
    out = []
    for entry in old_manifest["files"]:
        name = f"{PREVIOUS_PREFIX}{label}/{entry['path']}"
        if existing.get(name, {}).get("hash") != entry["sha256"]:
            out.append({"folder": old_dir, "entry": {
                **entry, "description": f"Superseded version {label}: "
                f"{entry.get('description', '')}".strip()}, "name": name})
    return out


def _upload(client: ckanapi.RemoteCKAN, package_id: str, release_dir: Path, f: dict,
            current: dict | None, *, name: str | None = None) -> None:
    meta = {**_resource_meta(f), **({"name": name} if name else {})}

    def send() -> Any:
        with (release_dir / f["path"]).open("rb") as fh:
            if current is not None:
                return client.action.resource_patch(id=current["id"], upload=fh, **meta)
            return client.action.resource_create(package_id=package_id, upload=fh, **meta)

    _call(send, what=f"upload of {f['path']}")


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
            digest = _call(_sha256_url, client, res["url"], what=f"verifying {path}")
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
        if f.get("role") == FileRole.rdf and f["path"] in urls:
            links["rdf_url"] = urls[f["path"]]
        if f.get("role") == FileRole.csvw and f["path"] in urls:
            links["csvw_url"] = urls[f["path"]]
    return links
