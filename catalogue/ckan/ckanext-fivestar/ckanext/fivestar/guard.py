"""Only the publisher account makes or changes anything public (plugin ``fivestar_guard``).

The pipeline host holds a CKAN token: it builds and fills datasets while
they are private. Whoever has a shell there has that token, so the token
must not be able to publish: otherwise ``package_patch private=false`` (or a
resource added to a public dataset) puts out data no champion approved, and
the audit log never hears of it. The review service, which runs the gate
immediately before the switch to public, holds the token of the one account
named by ``ckanext.fivestar.publisher_user``; this plugin lets only that
account

* create a public dataset, make a private one public (``package_create``,
  ``package_update`` / ``patch`` / ``revise``, ``bulk_update_public``);
* change anything of a public dataset: its metadata, resources, views,
  DataStore tables, groups, resource order; delete it;
* call ``fivestar_switch_release``;
* write the DataStore or a resource's views, of any dataset, private ones
  too: rows and views are shown as they are when a dataset goes public, and
  the switch re-hashes files, not rows, so the review service loads the
  tables of what goes public itself, from the approved bytes (CKAN's own
  default views and the DataStore tables it drops with a deleted resource
  run without an auth check and stay possible).

Everyone else (sysadmins included) may still create and fill private
datasets with files, make a public dataset private (hiding never
publishes), and purge their own private staging copies (``<name>--next``).

Two layers, so that no route CKAN adds later slips through: chained auth
functions refuse the request before it runs (for sysadmins too:
``auth_sysadmins_check``), and ``after_dataset_create`` / ``update`` /
``delete`` refuse to let any write end with a public dataset written by
someone else (raised before CKAN commits, so nothing is saved). Unset, the
setting names nobody: nothing can be made public (fail closed).
"""
from __future__ import annotations

import logging

import ckan.authz as authz
import ckan.model as model
import ckan.plugins as p
import ckan.plugins.toolkit as tk

log = logging.getLogger(__name__)

PUBLISHER_SETTING = "ckanext.fivestar.publisher_user"
#: The private staging copy of a dataset (pipelines/publish.py ``staging_name``).
STAGING_SUFFIX = "--next"


def publisher() -> str:
    return str(tk.config.get(PUBLISHER_SETTING) or "").strip()


def is_publisher(context) -> bool:
    name = publisher()
    return bool(name) and context.get("user") == name


def _refused(what: str) -> dict:
    return {"success": False,
            "msg": f"{what}: only the publisher account ({PUBLISHER_SETTING}) may make a "
                   "dataset public or change a public dataset"}


def _is_public(pkg) -> bool:
    return pkg is not None and pkg.state == "active" and not pkg.private


def _package(ref):
    return model.Package.get(ref) if isinstance(ref, str) and ref else None


def _resource_package(ref):
    res = model.Resource.get(ref) if isinstance(ref, str) and ref else None
    return _package(res.package_id) if res is not None else None


def _sysadmin(context) -> bool:
    return authz.is_sysadmin(context.get("user"))


def _guarded(find, what):
    """A chained auth function refusing ``what`` on a public dataset (``find`` gives it)."""

    @tk.chained_auth_function
    @tk.auth_sysadmins_check
    def auth(next_auth, context, data_dict):
        data_dict = data_dict or {}
        if not is_publisher(context) and _is_public(find(data_dict)):
            return _refused(what)
        if _sysadmin(context):  # CKAN let us see a sysadmin only to apply the rule above
            return {"success": True}
        return next_auth(context, data_dict)

    return auth


def _private_requested(data_dict) -> bool:
    return tk.asbool(data_dict.get("private", False))


@tk.chained_auth_function
@tk.auth_sysadmins_check
def package_create(next_auth, context, data_dict):
    data_dict = data_dict or {}
    if not is_publisher(context) and not _private_requested(data_dict):
        return _refused("a public dataset")
    return {"success": True} if _sysadmin(context) else next_auth(context, data_dict)


def _updated_package(data_dict):
    return _package(data_dict.get("id") or data_dict.get("name"))


@tk.chained_auth_function
@tk.auth_sysadmins_check
def package_update(next_auth, context, data_dict):
    """Public now: nobody else changes it unless the same write hides it (``private``
    true; while private anything may change, and only the publisher shows it again)."""
    data_dict = data_dict or {}
    if not is_publisher(context):
        if _is_public(_updated_package(data_dict)) and not _private_requested(data_dict):
            return _refused("a change to a public dataset")
        if "private" in data_dict and not _private_requested(data_dict):
            return _refused("making a dataset public")
    return {"success": True} if _sysadmin(context) else next_auth(context, data_dict)


@tk.chained_auth_function
@tk.auth_sysadmins_check
def package_revise(next_auth, context, data_dict):
    data_dict = data_dict or {}
    match = data_dict.get("match") or {}
    pkg = _package(match.get("id") or match.get("name")) if isinstance(match, dict) else None
    if not is_publisher(context) and (_is_public(pkg) or not _private_requested(
            {"private": True, **(data_dict.get("update") or {})})):
        return _refused("a revision of a public dataset")
    return {"success": True} if _sysadmin(context) else next_auth(context, data_dict)


@tk.chained_auth_function
@tk.auth_sysadmins_check
def bulk_update_public(next_auth, context, data_dict):
    if not is_publisher(context):
        return _refused("making datasets public")
    return {"success": True} if _sysadmin(context) else next_auth(context, data_dict)


@tk.chained_auth_function
@tk.auth_sysadmins_check
def bulk_update_delete(next_auth, context, data_dict):
    ids = (data_dict or {}).get("datasets") or []
    if not is_publisher(context) and any(_is_public(_package(i)) for i in ids):
        return _refused("deleting a public dataset")
    return {"success": True} if _sysadmin(context) else next_auth(context, data_dict)


@tk.chained_auth_function
def dataset_purge(next_auth, context, data_dict):
    """A non-sysadmin may purge a private staging copy it could edit (CKAN: sysadmins only)."""
    pkg = _package((data_dict or {}).get("id"))
    if pkg is not None and pkg.private and pkg.name.endswith(STAGING_SUFFIX) \
            and authz.is_authorized_boolean("package_update", context, {"id": pkg.id}):
        return {"success": True}
    return next_auth(context, data_dict)


@tk.auth_sysadmins_check
def fivestar_switch_release(context, data_dict):
    if not is_publisher(context):
        return _refused("switching a release")
    return {"success": True}


def _publisher_only(what):
    """A chained auth function that refuses ``what`` to everyone but the publisher, on any
    dataset (the DataStore and views: see the module docstring)."""

    @tk.chained_auth_function
    @tk.auth_sysadmins_check
    def auth(next_auth, context, data_dict):
        if not is_publisher(context):
            return _refused_anywhere(what)
        return {"success": True} if _sysadmin(context) else next_auth(context, data_dict)

    return auth


def _refused_anywhere(what: str) -> dict:
    return {"success": False,
            "msg": f"{what}: only the publisher account ({PUBLISHER_SETTING}) writes the "
                   "DataStore and resource views, of private datasets too (the review "
                   "service loads them from the approved files)"}


def _member_package(data_dict):
    if data_dict.get("object_type") != "package":
        return None
    return _package(data_dict.get("object"))


def auth_functions() -> dict:
    by_id = lambda d: _package(d.get("id") or d.get("name"))  # noqa: E731
    by_package_id = lambda d: _package(d.get("package_id") or d.get("id"))  # noqa: E731
    by_resource = lambda d: _resource_package(d.get("id"))  # noqa: E731
    return {
        "package_create": package_create,
        "package_update": package_update,
        "package_patch": package_update,
        "package_revise": package_revise,
        "package_delete": _guarded(by_id, "deleting a public dataset"),
        "package_resource_reorder": _guarded(by_id, "reordering a public dataset"),
        "package_owner_org_update": _guarded(by_id, "moving a public dataset"),
        "package_relationship_create": _guarded(
            lambda d: _package(d.get("subject")), "relating a public dataset"),
        "package_create_default_resource_views": _publisher_only("views"),
        "bulk_update_public": bulk_update_public,
        "bulk_update_delete": bulk_update_delete,
        "dataset_purge": dataset_purge,
        "resource_create": _guarded(by_package_id, "a resource of a public dataset"),
        "resource_update": _guarded(by_resource, "a resource of a public dataset"),
        "resource_patch": _guarded(by_resource, "a resource of a public dataset"),
        "resource_delete": _guarded(by_resource, "a resource of a public dataset"),
        "resource_create_default_resource_views": _publisher_only("views"),
        "resource_view_create": _publisher_only("a view"),
        "resource_view_update": _publisher_only("a view"),
        "resource_view_delete": _publisher_only("a view"),
        "resource_view_reorder": _publisher_only("views"),
        "member_create": _guarded(_member_package, "the groups of a public dataset"),
        "member_delete": _guarded(_member_package, "the groups of a public dataset"),
        "datastore_create": _publisher_only("the DataStore"),
        "datastore_upsert": _publisher_only("the DataStore"),
        "datastore_delete": _publisher_only("the DataStore"),
        "datastore_records_delete": _publisher_only("the DataStore"),
        "datastore_run_triggers": _publisher_only("the DataStore"),
        "fivestar_switch_release": fivestar_switch_release,
    }


class FivestarGuardPlugin(p.SingletonPlugin):
    """The rules above, as auth functions and a last check before CKAN commits a write."""

    p.implements(p.IAuthFunctions)
    p.implements(p.IConfigDeclaration)
    p.implements(p.IPackageController, inherit=True)

    def declare_config_options(self, declaration, key):
        """Declared, so CKAN knows the setting (and stops logging it as undeclared)."""
        declaration.annotate("ckanext-fivestar guard")
        declaration.declare(key.ckanext.fivestar.publisher_user, "").set_description(
            "the one CKAN account that may make a dataset public or change a public one")

    def get_auth_functions(self):
        if not publisher():
            log.warning("%s is not set: no account can make a dataset public",
                        PUBLISHER_SETTING)
        return auth_functions()

    def after_dataset_create(self, context, pkg_dict):
        _check_written(context, pkg_dict)

    def after_dataset_update(self, context, pkg_dict):
        _check_written(context, pkg_dict)

    def after_dataset_delete(self, context, pkg_dict):
        _check_written(context, pkg_dict, deleted=True)


def _check_written(context, pkg_dict, *, deleted: bool = False) -> None:
    """After any write, before CKAN commits: a public dataset written by anyone but the
    publisher is refused (the request fails, nothing is saved)."""
    if context.get("ignore_auth") or is_publisher(context):
        return
    pkg = _package((pkg_dict or {}).get("id"))
    if pkg is None or pkg.private or (pkg.state != "active" and not deleted):
        return
    model.Session.rollback()
    raise tk.NotAuthorized(_refused("this write")["msg"])
