"""The switch to public, carried out by the review service with the publisher's token.

The pipeline uploads a release into a private staging copy and checks it;
only the service, right after its gate (``Authority.switch``), may make it
public: the catalogue refuses the pipeline's token for that
(ckanext-fivestar's ``fivestar_guard``). The pipeline says what it prepared
(the dataset, its staging copy, the resources in order, the dataset fields);
the service checks that against the approved manifest it holds before it
asks CKAN:

* every file of the manifest is there once, named as published, with the
  manifest's sha256 and description (a correction's superseded files as
  ``previous/<version>/…`` with their own release's hashes), and nothing
  else but earlier versions' files the dataset already holds;
* the dataset fields are the approved record's (the service sets them
  itself); only the links to the release's own files, the next release date
  and a withdrawn dataset's restoration come from the pipeline, checked;
* the series record (public) is made or updated here, from the approved
  record.

* nothing else the public would read comes from the pipeline: a resource
  going public carries no field but CKAN's own and the approved file's, and
  a dataset not yet public no field, keyword, group or extra that the
  approved record does not set (the pipeline's token may write a private
  dataset freely: ``author`` or an ``extras`` entry of its own would
  otherwise go public with it);
* the DataStore table of every CSV going public is this service's complete
  load of the approved file (:func:`load_tables`, before the dataset lock;
  checked again under it): the catalogue lets only the publisher account
  write the DataStore and views (ckanext-fivestar's guard), so rows the
  champion did not approve cannot be put beside the approved files.

CKAN then hashes every uploaded file that moves in (every file, for a
dataset not yet public) against that sha256 in the same action, so bytes
swapped after these checks are refused too.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import ckanapi

from pipelines import publish
from pipelines.catalogue import content, datastore, series
from pipelines.catalogue import fields as catalogue_fields
from pipelines.catalogue_notices import restored_fields
from pipelines.contracts.catalogue import CatalogueRecord, solr_date
from pipelines.contracts.manifest import Manifest
from pipelines.errors import FivestarError, Location, Problem

#: Dataset fields the pipeline may set at the switch (checked), beside the approved record's.
PIPELINE_FIELDS = {"rdf_url", "csvw_url", "next_release_date", "private",
                   *restored_fields()}


#: Dataset fields CKAN itself keeps (or derives), never text of the pipeline's choosing.
CKAN_DATASET_FIELDS = {
    "id", "name", "type", "state", "private", "owner_org", "organization", "creator_user_id",
    "metadata_created", "metadata_modified", "num_resources", "num_tags", "isopen",
    "license_title", "license_url", "resources", "in_series", "tags",
}
#: Resource fields CKAN itself keeps for an upload (the hash is checked by the switch).
CKAN_RESOURCE_FIELDS = {
    "id", "package_id", "url", "url_type", "created", "last_modified", "metadata_modified",
    "position", "state", "size", "hash", "datastore_active", "name",
}


class SwitchRefused(FivestarError):
    """What the pipeline asked to make public is not the approved release."""


def _refuse(code: str, message: str, where: str | None = None) -> SwitchRefused:
    return SwitchRefused(Problem(code, message, Location(file=where)))


def expected_files(manifest: Manifest, superseded: Manifest | None,
                   label: str | None) -> dict[str, dict[str, Any]]:
    """Every resource the approved release puts in the dataset: name -> CKAN fields."""
    old = publish.Superseded(Path(), superseded, label or "") if superseded else None
    return {name: f.meta for name, f in publish.wanted_files(Path(), manifest, old).items()}


def superseded_label(manifest: Manifest) -> tuple[str | None, str | None]:
    """A correction's corrected release id and the version label its files keep."""
    revision = manifest.get("revision") or {}
    old = revision.get("of_release")
    return (old, revision.get("previous_version") or old[:12]) if old else (None, None)


def check_resources(pkg: dict, staging: dict | None, order: list[str],
                    expected: dict[str, dict[str, Any]]) -> None:
    """The resources asked for are exactly the approved files (see the module docstring)."""
    own = {r["id"]: r for r in pkg.get("resources", [])}
    staged = {r["id"]: r for r in (staging or {}).get("resources", [])}
    seen: set[str] = set()
    for rid in order:
        r = own.get(rid) or staged.get(rid)
        if r is None:
            raise _refuse("switch-unknown-resource", "a resource asked for is neither the "
                          "dataset's nor its staging copy's", rid)
        name = str(r.get("name"))
        if name in seen:
            raise _refuse("switch-duplicate", "a file is asked for twice", name)
        seen.add(name)
        meta = expected.get(name)
        if meta is None:
            if rid in own and name.startswith(publish.PREVIOUS_PREFIX):
                continue  # an earlier version's file the dataset already holds
            raise _refuse("switch-unapproved-file", "not a file of the approved release", name)
        if catalogue_fields.differs(r, meta):
            raise _refuse("switch-file-differs", "its sha256 or description is not the "
                          "approved one", name)
    missing = sorted(set(expected) - seen)
    if missing:
        raise _refuse("switch-missing-file", "an approved file is not in the switch",
                      missing[0])


def _empty(value: Any) -> bool:
    return value in (None, "", [], {}, False)


def check_unapproved_fields(pkg: dict, going: list[dict], fields: dict[str, Any],
                            expected: dict[str, dict[str, Any]]) -> None:
    """Nothing the public would read goes out unless the approved release sets it: each
    resource going public carries CKAN's own fields and the approved file's only; a
    dataset not yet public (which the pipeline wrote freely) no other field, keyword,
    group or extra than the approved record's (the switch sets ``fields`` over it)."""
    for r in going:
        allowed = CKAN_RESOURCE_FIELDS | set(expected.get(str(r.get("name")), {}))
        extra = sorted(k for k, v in r.items() if k not in allowed and not _empty(v))
        if extra:
            raise _refuse("switch-unapproved-field", f"a resource going public carries a "
                          f"field the approved file does not set ({extra[0]})", r.get("name"))
    if not pkg.get("private"):
        return  # public already: the pipeline's token cannot have written it
    extra = sorted(k for k, v in pkg.items()
                   if k not in CKAN_DATASET_FIELDS and k not in fields and not _empty(v))
    if extra:
        raise _refuse("switch-unapproved-field", "the dataset carries a field the approved "
                      "record does not set", extra[0])
    approved = {t.strip() for t in str(fields.get("tag_string") or "").split(",") if t.strip()}
    if {t.get("name") for t in pkg.get("tags") or []} - approved:
        raise _refuse("switch-unapproved-field", "the dataset carries a keyword the approved "
                      "record does not set", "tags")


def going_public(pkg: dict, staging: dict | None, order: list[str]) -> list[dict]:
    """The resources of ``order`` the public does not see yet: those moving in from the
    staging copy, and all of a dataset not yet public."""
    own = {r["id"]: r for r in pkg.get("resources", [])}
    staged = {r["id"]: r for r in (staging or {}).get("resources", [])}
    return [staged.get(rid) or own[rid] for rid in order
            if rid in staged or (pkg.get("private") and rid in own)]


def _targets(client: ckanapi.RemoteCKAN, manifest: Manifest, request: dict[str, Any]
             ) -> tuple[dict, dict | None, list[str]]:
    """The approved release's dataset, its private staging copy (if asked for), the
    resource ids asked for; refused if the request names anything else."""
    name = str(manifest["catalogue"]["name"])
    pkg = client.action.package_show(id=name)
    if request.get("dataset") not in (pkg["id"], name):
        raise _refuse("switch-wrong-dataset", "not the approved release's dataset", name)
    staging = None
    if request.get("staging"):
        staging = client.action.package_show(id=request["staging"])
        if staging["name"] != publish.staging_name(name) or not staging.get("private") \
                or staging.get("owner_org") != pkg.get("owner_org"):
            raise _refuse("switch-wrong-staging", "not this dataset's private staging copy",
                          staging["name"])
    return pkg, staging, [str(i) for i in request.get("resources") or []]


def load_tables(client: ckanapi.RemoteCKAN, release_dir: Path, manifest: Manifest,
                request: dict[str, Any]) -> tuple[str, ...]:
    """Before the switch: the DataStore of every CSV going public loaded by this service
    from the approved file (bytes hashed as they are parsed). Outside the dataset lock
    (minutes for large tables; a private table changes nothing public); :func:`switch`
    checks the tables again under it."""
    pkg, staging, order = _targets(client, manifest, request)
    return content.load_tables(client, going_public(pkg, staging, order), release_dir,
                               manifest)


def check_tables(client: ckanapi.RemoteCKAN, release_dir: Path, manifest: Manifest,
                 going: list[dict]) -> None:
    """Each CSV going public has the DataStore table :func:`load_tables` made."""
    for resource, f in datastore.tables(manifest, going):
        try:
            datastore.check(client, resource, release_dir, manifest, f)
        except datastore.DataStoreError as exc:
            raise SwitchRefused(exc.problems) from None


def approved_fields(manifest: Manifest, release_id: str, asked: dict[str, Any],
                    public_urls: set[str], series_id: str | None) -> dict[str, Any]:
    """The dataset fields to set: the approved record's, plus the pipeline's checked ones."""
    catalogue = manifest["catalogue"]
    core = CatalogueRecord.model_validate(catalogue).to_ckan(release_id) \
        | catalogue_fields.dataset_fields(catalogue)
    unexpected = sorted(set(asked) - set(core) - PIPELINE_FIELDS - {"in_series"})
    if unexpected:
        raise _refuse("switch-unapproved-field", "a dataset field the approved record "
                      "does not set", unexpected[0])
    for key in ("rdf_url", "csvw_url"):
        if key in asked and asked[key] not in public_urls:
            raise _refuse("switch-unapproved-link", "does not point at a file of this "
                          "release", key)
    for key, value in restored_fields().items():
        if key in asked and asked[key] != value:
            raise _refuse("switch-unapproved-field", "only a restoration may be sent", key)
    if "next_release_date" in asked:
        solr_date(str(asked["next_release_date"]))  # a date, or ValueError
    out = {**{k: v for k, v in asked.items() if k in PIPELINE_FIELDS}, **core,
           "private": False}
    if series_id:
        out["in_series"] = [series_id]
    return {k: v for k, v in out.items() if k not in ("id", "name", "owner_org")}


def switch(client: ckanapi.RemoteCKAN, manifest: Manifest, release_id: str,
           request: dict[str, Any], *, release_dir: Path, superseded: Manifest | None,
           next_release: Any = None) -> dict[str, Any]:
    """Check ``request`` against the approved ``manifest`` (and the DataStore tables against
    the files of ``release_dir``), then switch; the public dataset."""
    pkg, staging, order = _targets(client, manifest, request)
    _old, label = superseded_label(manifest)
    expected = expected_files(manifest, superseded, label)
    check_resources(pkg, staging, order, expected)
    urls = {publish.public_url(r["url"], staging["id"], pkg["id"]) if staging else r["url"]
            for r in [*pkg.get("resources", []), *(staging or {}).get("resources", [])]}
    going = going_public(pkg, staging, order)
    check_tables(client, release_dir, manifest, going)
    asked = request.get("fields") or {}
    check_unapproved_fields(pkg, going, approved_fields(manifest, release_id, asked, urls, None),
                            expected)
    series_id = series.ensure(client, manifest["catalogue"], pkg["owner_org"], next_release)
    fields = approved_fields(manifest, release_id, asked, urls, series_id)
    client.call_action("fivestar_switch_release", {
        "id": pkg["id"], "staging": staging["id"] if staging else None,
        "resources": order, "fields": fields})
    if staging is not None:  # empty and private now; if this fails the next run clears it
        with contextlib.suppress(ckanapi.CKANAPIError):
            client.action.dataset_purge(id=staging["id"])
    return client.action.package_show(id=pkg["id"])
