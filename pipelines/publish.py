"""Publish a staged release to CKAN: verified aside, then switched in at once.

1. ensure the organisation and the dataset exist (a new dataset is created
   private and empty); never ``package_update`` from here, which drops every
   resource that is not re-sent;
2. every file whose bytes or description differ from what the dataset holds
   goes into a private **staging copy** of the dataset (``<name>--next``):
   one resource per file (name = file path, ``hash`` = sha256); a copy left
   by an interrupted run is resumed (what already matches is kept, the rest
   deleted or uploaded again);
3. every resource of the release, kept or staged, is downloaded back and its
   sha256 compared with the manifest; the linked data is drafted and the
   DataStore loaded (``catalogue.content``; with a review service, by the
   service at its switch, from the approved files: only the catalogue's
   publisher account may write the DataStore), all still out of public view;
4. the **switch**: the catalogue's ``fivestar_switch_release`` action moves
   the staged resources into the dataset, drops the ones the release no
   longer has, and sets the new metadata and ``private: false``, in one
   transaction. Only the catalogue's publisher account may call it: with a
   review service (``switch``, see ``pipelines.release.publish_approved``)
   the service runs its gate, checks the request against the approved
   manifest and switches with its own token; the pipeline's token cannot
   (ckanext-fivestar's ``fivestar_guard``). The staging copy is then purged
   and the release's linked data goes live: by the same party, with the
   triple store's publisher login, after comparing the draft graph with the
   approved RDF (:mod:`pipelines.linkeddata.release`); the pipeline's login
   writes drafts only.

Until the switch commits the public sees the previous release unchanged, so
an interrupted update never hides published data nor puts new metadata on
old files; a mismatch found in step 3 fails naming the file and changes
nothing public. Publishing the same release twice changes nothing, and a
rerun after a failure completes the publication without duplicates, because
every step compares what is there with what the manifest says. Transient
failures (CKAN down, 5xx) are retried by the client's session
(:func:`pipelines.ckan_resource.retrying_session`).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ckanapi
import requests

from pipelines.catalogue import content, series
from pipelines.catalogue import fields as catalogue_fields
from pipelines.catalogue_notices import is_withdrawn, restored_fields
from pipelines.contracts.catalogue import CatalogueRecord, PublishResult, solr_date
from pipelines.contracts.conversion import FileRole
from pipelines.contracts.manifest import Manifest, ManifestFile
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
#: Resource names of a correction's superseded files (kept retrievable) start with this.
PREVIOUS_PREFIX = "previous/"
#: Marks a dataset's private staging copy: ``<name>--next`` (CKAN names: at most 100).
STAGING_SUFFIX = "--next"


@dataclass(frozen=True)
class Superseded:
    """The release a correction replaces: its folder, its manifest (already re-hashed
    against the folder by the caller) and its version label, kept as ``previous/…``."""

    folder: Path
    manifest: Manifest
    label: str


@dataclass(frozen=True)
class _File:
    """One resource the dataset must hold: its name, where its bytes are, its entry."""

    name: str
    folder: Path
    entry: ManifestFile

    @property
    def meta(self) -> dict[str, Any]:
        return {**_resource_meta(self.entry), "name": self.name}


def staging_name(name: str) -> str:
    """``<name>--next``; a name too long for that (CKAN names: at most 100) keeps its
    first 81 characters and 12 hex digits of its sha256, so two long names that share
    their beginning never share a staging copy."""
    if len(name) + len(STAGING_SUFFIX) <= 100:
        return f"{name}{STAGING_SUFFIX}"
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:12]
    return f"{name[:100 - len(STAGING_SUFFIX) - 13]}-{digest}{STAGING_SUFFIX}"


def publish_release(ckan: Any, release_dir: Path, manifest: Manifest, release_id: str,
                    *, org: str | None = None,
                    verify_hook: Callable[[ckanapi.RemoteCKAN, dict], None] | None = None,
                    store: Any = _FROM_ENV, next_release: Any = None,
                    superseded: Superseded | None = None,
                    switch: Callable[[dict[str, Any]], Any] | None = None) -> PublishResult:
    """Make the CKAN dataset hold exactly this release (see the module docstring).

    ``manifest`` is the approved manifest of ``release_dir`` and ``release_id``
    its id (the caller, the release gate, has checked both). ``verify_hook``
    runs after uploading and before verifying, with the package holding the
    staged files (tests use it to tamper with stored bytes or to stop CKAN
    mid-publication). ``store`` is the triple store the release's linked data
    goes to (default: from the environment,
    :func:`pipelines.catalogue.content.linked_data_store`); ``org`` the CKAN
    organisation (default ``FIVESTAR_CKAN_ORG``, else ``home-office``).
    ``next_release`` (an aware datetime, from the release calendar) is shown as
    the dataset series' next release date; ``superseded`` is the release a
    correction replaces. ``switch`` carries out the switch (the review
    service: it is given what to make public and stops it by raising); without
    it ``ckan`` must be the catalogue's publisher account, which then also
    keeps the series record.
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
    # a periodic dataset's series: a public record of its own, named by the release
    # (dcat:inSeries); with a review service, the service keeps it at the switch
    series_id = None if switch is not None else _call(
        series.ensure, client, manifest["catalogue"], org, next_release,
        what="dataset series record")
    if series_id:
        desired["in_series"] = [series_id]
    try:
        pkg = _call(client.action.package_show, id=name, what="dataset lookup")
    except ckanapi.NotFound:  # a first publication: an empty private record until the switch
        pkg = _call(client.action.package_create, owner_org=org, private=True,
                    what="dataset creation", **desired)
    if is_withdrawn(pkg):  # a later release brings a withdrawn dataset back
        desired.update(restored_fields())

    wanted = wanted_files(release_dir, manifest, superseded)
    kept = _matching(pkg.get("resources", []), wanted)
    # superseded versions' files stay retrievable (corrections keep what they replace)
    kept.update({r["name"]: r for r in pkg.get("resources", [])
                 if r["name"].startswith(PREVIOUS_PREFIX) and r["name"] not in wanted
                 and r["name"] not in kept})
    to_stage = [f for n, f in wanted.items() if n not in kept]
    staging = _stage(client, pkg, org, desired, to_stage, verify_hook) if to_stage else None
    final = _final_order(manifest, kept, staging["resources"] if staging else [])
    view = {"id": pkg["id"], "resources": final}  # the dataset as it will be
    if staging is None and verify_hook is not None:
        verify_hook(client, view)
    files = {f["path"]: f for f in manifest["files"]}
    try:
        _verify(client, view, files)
    except PublicationError:
        if staging is not None:  # never resumed: its bytes are not the approved ones
            _purge(client, staging, best_effort=True)
        raise
    # the public's side, still out of view: linked data drafted, DataStore rows (by the
    # publisher only: with a review service the service loads them at its switch)
    prepared = _call(content.prepare, client, view, release_dir, manifest, release_id,
                     store, tables=switch is None, what="DataStore and linked-data loading")
    final = _refreshed(client, final, pkg, staging)  # as the DataStore loading left them
    predicted = {r["name"]: public_url(r["url"], staging["id"], pkg["id"]) if staging
                 else r["url"] for r in final if r["name"] in files}
    fields = {**desired, **_links(manifest, predicted), "private": False}
    changed = staging is not None or catalogue_fields.differs(pkg, fields) or \
        [r["id"] for r in pkg.get("resources", [])] != [r["id"] for r in final]
    if switch is not None:  # the service checks the draft graph and makes it live too
        if changed or prepared.drafted is not None:
            _switch(client, pkg, staging, final, fields, switch)
    else:  # ``client`` is the catalogue's publisher: so is the store that goes live
        live_store = content.linked_data_store(publisher=True) if store is not None else None
        with content.checked_linked_data(live_store, release_dir, manifest,
                                         release_id) as approved:
            if changed:
                _switch(client, pkg, staging, final, fields, switch)
            content.go_live(approved, live_store, client, manifest)  # one transaction
    public = _call(client.action.package_show, id=pkg["id"], what="dataset lookup")
    urls = {r["name"]: r["url"] for r in public.get("resources", []) if r["name"] in files}
    if urls != predicted or set(urls) != set(files):
        raise PublicationError(Problem("switch-mismatch", "the dataset does not hold the "
                                       "release's files where expected after the switch",
                                       Location(file=name)))
    base = client.address.rstrip("/")
    return PublishResult(dataset_url=f"{base}/dataset/{name}", resource_urls=urls,
                         changed=changed, version=desired.get("version"))


def _switch(client: ckanapi.RemoteCKAN, pkg: dict, staging: dict | None, final: list[dict],
            fields: dict[str, Any], switch: Callable[[dict[str, Any]], Any] | None) -> None:
    """The dataset holds ``final`` with ``fields``, at once (see the module docstring)."""
    request = {"dataset": pkg["id"], "staging": staging["id"] if staging else None,
               "resources": [r["id"] for r in final],
               "fields": {k: v for k, v in fields.items() if k != "name"}}
    if switch is None:  # ``client`` is the catalogue's publisher (no review service)
        _call(client.call_action, "fivestar_switch_release",
              {"id": request.pop("dataset"), **request}, what="switch to the new release")
        if staging is not None:
            _purge(client, staging)
        return
    try:
        switch(request)
    except Exception:
        if staging is not None:  # nothing of a refused release stays in the catalogue
            _purge(client, staging, best_effort=True)
        raise


def _refreshed(client: ckanapi.RemoteCKAN, final: list[dict], pkg: dict,
               staging: dict | None) -> list[dict]:
    """``final`` re-read (DataStore loading marks resources ``datastore_active``)."""
    now: dict[str, dict] = {}
    for p in (pkg, staging):
        if p is not None:
            now.update((r["id"], r) for r in _call(client.action.package_show, id=p["id"],
                                                   what="dataset lookup")["resources"])
    return [now.get(r["id"], r) for r in final]


def wanted_files(release_dir: Path, manifest: Manifest,
            superseded: Superseded | None) -> dict[str, _File]:
    """Every resource the release puts in the dataset, by name."""
    out = {f["path"]: _File(f["path"], release_dir, f) for f in manifest["files"]}
    if superseded is not None:
        for entry in superseded.manifest["files"]:
            name = f"{PREVIOUS_PREFIX}{superseded.label}/{entry['path']}"
            out[name] = _File(name, superseded.folder, {
                **entry, "description": f"Superseded version {superseded.label}: "
                f"{entry.get('description', '')}".strip()})
    return out


def _matching(resources: list[dict], wanted: dict[str, _File]) -> dict[str, dict]:
    """The resources that already hold a wanted file: same name, bytes and description
    (the first of each name; later ones are duplicates an interrupted run left)."""
    out: dict[str, dict] = {}
    for r in resources:
        f = wanted.get(r["name"])
        if f is not None and r["name"] not in out and r.get("hash") == f.entry["sha256"] \
                and not catalogue_fields.differs(r, f.meta):
            out[r["name"]] = r
    return out


def _stage(client: ckanapi.RemoteCKAN, pkg: dict, org: str, desired: dict[str, Any],
           files: list[_File],
           verify_hook: Callable[[ckanapi.RemoteCKAN, dict], None] | None) -> dict:
    """The private staging copy holding exactly ``files`` (resumed if it exists)."""
    name = staging_name(pkg["name"])
    fields = {k: v for k, v in desired.items() if k not in ("name", "uri", "in_series")}
    fields["title"] = f"[next release, not public] {desired.get('title') or pkg['name']}"[:200]
    try:
        staging = _call(client.action.package_show, id=name, what="staging copy lookup")
    except ckanapi.NotFound:
        staging = _call(client.action.package_create, name=name, owner_org=org,
                        private=True, what="staging copy creation", **fields)
    if not staging.get("private") or staging.get("owner_org") != pkg.get("owner_org"):
        raise PublicationError([Problem("staging-name-taken", f"{name} is not this dataset's "
                                        "private staging copy; rename or remove it",
                                        Location(field="name"))])
    wanted = {f.name: f for f in files}
    ready = _matching(staging.get("resources", []), wanted)
    for r in staging.get("resources", []):
        if ready.get(r["name"], {}).get("id") != r["id"]:
            _call(client.action.resource_delete, id=r["id"], what="clearing the staging copy")
    for f in files:
        if f.name not in ready:
            _upload(client, staging["id"], f.folder, f.entry, None, name=f.name)
    staging = _call(client.action.package_show, id=staging["id"], what="staging copy lookup")
    if verify_hook is not None:
        verify_hook(client, staging)
        staging = _call(client.action.package_show, id=staging["id"],
                        what="staging copy lookup")
    return staging


def _final_order(manifest: Manifest, kept: dict[str, dict],
                 staged: list[dict]) -> list[dict]:
    """The dataset's resources after the switch, in reading order (the release's files in
    :func:`pipelines.catalogue.fields.resource_order`, then earlier versions' files)."""
    by_name = {**kept, **{r["name"]: r for r in staged}}
    order = catalogue_fields.resource_order(manifest["files"])
    rest = sorted(n for n in by_name if n not in order)
    return [by_name[n] for n in [*order, *rest] if n in by_name]


def public_url(url: str, staging_id: str, dataset_id: str) -> str:
    """Where a staged upload is downloaded once it belongs to the dataset (CKAN builds an
    upload's URL from its dataset's id; the stored file stays where it is)."""
    return url.replace(f"/dataset/{staging_id}/", f"/dataset/{dataset_id}/", 1)


def _purge(client: ckanapi.RemoteCKAN, staging: dict, *, best_effort: bool = False) -> None:
    """Remove the staging copy (after the switch its resources are the dataset's).

    ``best_effort`` when another error is being raised: a copy that cannot be
    removed now stays private and is cleared by the next publication.
    """
    try:
        _call(client.action.dataset_purge, id=staging["id"], what="removing the staging copy")
    except ckanapi.NotFound:
        pass
    except PublicationError:
        if not best_effort:
            raise


def _resource_meta(f: ManifestFile) -> dict[str, Any]:
    """A resource's CKAN fields; controlled-vocabulary values as IRIs (catalogue_fields)."""
    return {"name": f["path"], "description": f.get("description", ""),
            "size": f["bytes"], "hash": f["sha256"], **catalogue_fields.resource_fields(f)}


def _upload(client: ckanapi.RemoteCKAN, package_id: str, release_dir: Path, f: ManifestFile,
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


def _links(manifest: Manifest, urls: dict[str, str]) -> dict[str, str]:
    """Point the dataset at its RDF and CSVW distributions."""
    links = {}
    for f in manifest["files"]:
        if f.get("role") == FileRole.rdf and f["path"] in urls:
            links["rdf_url"] = urls[f["path"]]
        if f.get("role") == FileRole.csvw and f["path"] in urls:
            links["csvw_url"] = urls[f["path"]]
    return links
