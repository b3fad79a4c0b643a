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

CKAN then hashes every uploaded file that moves in (every file, for a
dataset not yet public) against that sha256 in the same action, so bytes
swapped after these checks are refused too. What is not re-checked: the
DataStore rows the pipeline loaded into staged resources (see the release
README's residual risks).
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import ckanapi

from pipelines import publish
from pipelines.catalogue import fields as catalogue_fields
from pipelines.catalogue import series
from pipelines.catalogue_notices import restored_fields
from pipelines.contracts.catalogue import CatalogueRecord, solr_date
from pipelines.contracts.manifest import Manifest
from pipelines.errors import FivestarError, Location, Problem

#: Dataset fields the pipeline may set at the switch (checked), beside the approved record's.
PIPELINE_FIELDS = {"rdf_url", "csvw_url", "next_release_date", "private",
                   *restored_fields()}


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
           request: dict[str, Any], *, superseded: Manifest | None,
           next_release: Any = None) -> dict[str, Any]:
    """Check ``request`` against the approved ``manifest``, then switch; the public dataset."""
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
    order = [str(i) for i in request.get("resources") or []]
    _old, label = superseded_label(manifest)
    check_resources(pkg, staging, order, expected_files(manifest, superseded, label))
    urls = {publish.public_url(r["url"], staging["id"], pkg["id"]) if staging else r["url"]
            for r in [*pkg.get("resources", []), *(staging or {}).get("resources", [])]}
    series_id = series.ensure(client, manifest["catalogue"], pkg["owner_org"], next_release)
    fields = approved_fields(manifest, release_id, request.get("fields") or {}, urls,
                             series_id)
    client.call_action("fivestar_switch_release", {
        "id": pkg["id"], "staging": staging["id"] if staging else None,
        "resources": order, "fields": fields})
    if staging is not None:  # empty and private now; if this fails the next run clears it
        with contextlib.suppress(ckanapi.CKANAPIError):
            client.action.dataset_purge(id=staging["id"])
    return client.action.package_show(id=pkg["id"])
