"""A released dataset's state on its CKAN page and in its DCAT: withdrawn, or revised.

fivestar withdraws a dataset by leaving it public and findable, with a clear
notice (date and reason) and its files removed, rather than hiding it: people
who cite the page get an explanation, not a 404 (Code of Practice for
Statistics). A corrected release carries a version and revision notes.

* ``FivestarReleasePlugin`` puts the notice at the top of the dataset page
  (template ``package/read.html``), and, when a dataset is withdrawn, made
  private or deleted, takes its earlier activities out of public view: they
  hold the whole earlier dataset (resources, download URLs), and CKAN's
  activity stream (``recently_changed_packages_activity_list``,
  ``package_activity_list``, ``activity_show``) filters by each activity's
  permission labels, fixed when it was written. Relabelled to the owning
  organisation's members, they stay visible to the department, not to the
  public; the withdrawal's own activity (the notice, files removed) is
  written after, with the dataset's labels as they are then.
* ``FivestarReleaseProfile`` (a ckanext-dcat profile, used after
  ``euro_dcat_ap_3``) adds ``adms:status`` withdrawn to a withdrawn dataset and
  ``dcat:previousVersion`` to a revised one; ckanext-dcat already writes
  ``version`` (owl:versionInfo) and ``version_notes`` (adms:versionNotes).
* The action ``fivestar_switch_release`` (``switch.py``) puts a new release
  of a public dataset in place in one transaction, from a private staging
  copy, so an update never takes the previous release offline.
"""
import logging
import os

import ckan.model as model
import ckan.plugins as p
from ckanext.dcat.profiles import RDFProfile
from rdflib import Literal, Namespace, URIRef

ADMS = Namespace("http://www.w3.org/ns/adms#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
#: The EU dataset-status authority table (DCAT-AP's controlled vocabulary for adms:status).
WITHDRAWN = URIRef("http://publications.europa.eu/resource/authority/dataset-status/WITHDRAWN")


log = logging.getLogger(__name__)


def is_withdrawn(pkg):
    return str((pkg or {}).get("withdrawn") or "").lower() == "true"


def hide_earlier_activities(pkg) -> int:
    """Give every activity of ``pkg`` so far its organisation's members-only label."""
    try:
        from ckanext.activity.model import Activity
    except ImportError:  # the activity plugin is off: there is no stream to clean
        return 0
    owner = f"member-{pkg.owner_org}" if pkg.owner_org else f"creator-{pkg.creator_user_id}"
    n = model.Session.query(Activity).filter(Activity.object_id == pkg.id).update(
        {"permission_labels": [owner]}, synchronize_session=False)
    log.info("withdrawn dataset %s: %d earlier activities taken out of public view",
             pkg.name, n)
    return n


class FivestarReleasePlugin(p.SingletonPlugin):
    p.implements(p.IConfigurer)
    p.implements(p.ITemplateHelpers)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IActions)

    def get_actions(self):
        from ckanext.fivestar.switch import switch_release

        return {"fivestar_switch_release": switch_release}

    def after_dataset_update(self, context, pkg_dict):
        pkg = model.Package.get(pkg_dict.get("id") or pkg_dict.get("name"))
        if pkg is not None and (pkg.private or pkg.state != "active" or is_withdrawn(pkg_dict)
                                or is_withdrawn(pkg.extras)):
            hide_earlier_activities(pkg)

    def after_dataset_delete(self, context, pkg_dict):
        pkg = model.Package.get(pkg_dict.get("id"))
        if pkg is not None:
            hide_earlier_activities(pkg)

    def update_config(self, config):
        p.toolkit.add_template_directory(config, os.path.join(os.path.dirname(__file__),
                                                              "templates"))

    def get_helpers(self):
        return {"fivestar_is_withdrawn": is_withdrawn}


class FivestarReleaseProfile(RDFProfile):
    def graph_from_dataset(self, dataset_dict, dataset_ref):
        g = self.g
        g.bind("adms", ADMS)
        if is_withdrawn(dataset_dict):
            g.add((dataset_ref, ADMS.status, WITHDRAWN))
        previous = dataset_dict.get("previous_version")
        if previous:
            g.add((dataset_ref, DCAT.previousVersion, URIRef(previous)))
        version = dataset_dict.get("version")
        if version:
            g.add((dataset_ref, DCAT.version, Literal(version)))
