"""A released dataset's state on its CKAN page and in its DCAT: withdrawn, or revised.

fivestar withdraws a dataset by leaving it public and findable, with a clear
notice (date and reason) and its files removed, rather than hiding it: people
who cite the page get an explanation, not a 404 (Code of Practice for
Statistics). A corrected release carries a version and revision notes.

* ``FivestarReleasePlugin`` puts the notice at the top of the dataset page
  (template ``package/read.html``).
* ``FivestarReleaseProfile`` (a ckanext-dcat profile, used after
  ``euro_dcat_ap_3``) adds ``adms:status`` withdrawn to a withdrawn dataset and
  ``dcat:previousVersion`` to a revised one; ckanext-dcat already writes
  ``version`` (owl:versionInfo) and ``version_notes`` (adms:versionNotes).
"""
import os

import ckan.plugins as p
from ckanext.dcat.profiles import RDFProfile
from rdflib import Literal, Namespace, URIRef

ADMS = Namespace("http://www.w3.org/ns/adms#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
#: The EU dataset-status authority table (DCAT-AP's controlled vocabulary for adms:status).
WITHDRAWN = URIRef("http://publications.europa.eu/resource/authority/dataset-status/WITHDRAWN")


def is_withdrawn(pkg):
    return str((pkg or {}).get("withdrawn") or "").lower() == "true"


class FivestarReleasePlugin(p.SingletonPlugin):
    p.implements(p.IConfigurer)
    p.implements(p.ITemplateHelpers)

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
