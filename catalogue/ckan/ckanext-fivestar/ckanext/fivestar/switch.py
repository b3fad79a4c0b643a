"""Switch a public dataset to its next release in one transaction: no outage, no mix.

fivestar uploads a new release of a public dataset into a private *staging
copy* (another dataset of the same organisation) and verifies every byte
there, while the public keeps the previous release untouched. This action
then, in one database transaction, moves the verified resources from the
staging copy into the public dataset, drops the ones the new release no
longer has, and sets the new metadata. Before it commits, the public sees
the previous release whole; after, the new one whole; an interruption at any
point before leaves the previous release public and intact.

CKAN's own actions cannot do this: ``package_update`` refuses a resource id
that belongs to another dataset, and ``resource_delete`` (to free the id)
drops the resource's DataStore table, which fivestar has loaded and checked
while the copy was private. Resources keep their ids (their files, DataStore
tables and views stay where they are), only their dataset changes.

Only the publisher account may call it (``guard.py``): the review service,
which runs its gate immediately before. Before moving anything it hashes
every uploaded file that moves in (every file, if the dataset is not public
yet) and compares it with the resource's ``hash`` (the sha256 the service
checked against the approved manifest), so bytes replaced in the staging
copy after the publisher's own check are refused, not published. Without a
staging copy (nothing new to move in) it only drops resources and sets the
fields.
"""
import hashlib
import logging

import ckan.model as model
import ckan.plugins.toolkit as tk

log = logging.getLogger(__name__)


def _package(ref, what):
    pkg = model.Package.get(ref) if isinstance(ref, str) and ref else None
    if pkg is None or pkg.state != "active":
        raise tk.ObjectNotFound(f"{what} not found")
    return pkg


def _stored_sha256(resource) -> str | None:
    """sha256 of an uploaded resource's stored file (None: not an upload)."""
    from ckan.lib import uploader

    if resource.url_type != "upload":
        return None
    path = uploader.get_resource_uploader({"id": resource.id, "url": resource.url,
                                           "url_type": "upload"}).get_path(resource.id)
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    except OSError:
        return ""
    return digest.hexdigest()


def switch_release(context, data_dict):
    """Make dataset ``id`` hold exactly ``resources`` (ordered ids) with ``fields`` set.

    Each resource id must be one of the dataset's or of the private staging
    copy ``staging`` (same organisation; optional); the staging copy's
    resources that are listed move into the dataset, each an upload whose
    stored bytes hash to its ``hash``. ``fields`` are dataset fields to set
    (``private`` among them). Returns the dataset as ``package_show`` does.
    """
    tk.check_access("fivestar_switch_release", context, data_dict)
    pkg = _package(data_dict.get("id"), "dataset")
    staging = _package(data_dict.get("staging"), "staging copy") \
        if data_dict.get("staging") else None
    tk.check_access("package_update", context, {"id": pkg.id})
    if staging is not None and (staging.id == pkg.id or not staging.private
                                or staging.owner_org != pkg.owner_org):
        raise tk.ValidationError({"staging": ["must be another, private dataset of the same "
                                              "organisation"]})
    wanted = data_dict.get("resources")
    fields = data_dict.get("fields") or {}
    if not isinstance(wanted, list) or not all(isinstance(i, str) for i in wanted) \
            or len(set(wanted)) != len(wanted) or not isinstance(fields, dict):
        raise tk.ValidationError({"resources": ["a list of distinct resource ids"]})
    if {"id", "name", "resources", "owner_org"} & set(fields):
        raise tk.ValidationError({"fields": ["cannot change id, name, owner or resources"]})
    own = {r.id for r in pkg.resources}
    moving = [r for r in (staging.resources if staging is not None else []) if r.id in wanted]
    unknown = set(wanted) - own - {r.id for r in moving}
    if unknown:
        raise tk.ValidationError({"resources": [f"not in the dataset or its staging copy: "
                                                f"{sorted(unknown)[:5]}"]})
    # what goes public now: what moves in, and everything of a dataset not yet public
    # (the pipeline's account may fill a private dataset directly)
    checked = moving + ([r for r in pkg.resources if r.id in wanted] if pkg.private else [])
    altered = [r.name for r in checked if not r.hash or _stored_sha256(r) != r.hash]
    if altered:  # replaced after the publisher checked them, or not an upload
        raise tk.ValidationError({"resources": [f"stored bytes differ from their sha256: "
                                                f"{sorted(altered)[:5]}"]})
    dropped = [r.id for r in pkg.resources if r.id not in wanted]
    for r in moving:
        r.package_id = pkg.id
    model.Session.flush()
    model.Session.expire_all()  # the dataset's resources as the database now has them
    show = dict(context, for_update=True, use_cache=False)
    shown = tk.get_action("package_show")(show, {"id": pkg.id})
    by_id = {r["id"]: r for r in shown["resources"]}
    updated = {**shown, **fields, "resources": [
        {k: v for k, v in by_id[i].items() if k != "position"} for i in wanted]}
    # package_update commits the moves above with it (one session, one transaction)
    result = tk.get_action("package_update")(dict(context, return_id_only=False), updated)
    for rid in dropped:  # the previous release's DataStore tables go with its files
        try:
            tk.get_action("datastore_delete")(dict(context), {"resource_id": rid,
                                                              "force": True})
        except (tk.ObjectNotFound, KeyError):
            pass
        except Exception:  # noqa: BLE001 - the switch is done; a leftover table is logged
            log.warning("switch of %s: DataStore table of a dropped resource not removed",
                        pkg.name)
    log.info("dataset %s switched: %d resources moved in, %d dropped", pkg.name,
             len(moving), len(dropped))
    return result
