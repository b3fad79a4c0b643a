"""fivestar's DCAT-AP 3 profile for ckanext-dcat, run after ``euro_dcat_ap_3``.

ckanext-dcat writes what CKAN holds; fivestar stores IRIs in CKAN for every
controlled-vocabulary value (pipelines/catalogue_fields.py), so the built-in profile
already emits most of them as IRIs. This profile adds what the built-in one cannot
express, so that the output passes the official SEMIC DCAT-AP 3.0.1 shapes and scores
"Excellent" in the data.europa.eu Metadata Quality Assessment:

* ``dcat:downloadURL`` for uploaded files (CKAN's file URL *is* the download URL;
  ckanext-dcat only writes it from an explicit ``download_url`` field);
* ``dct:format`` as the EU file-type IRI of the resource's ``format_uri`` (CKAN's own
  ``format`` holds the short name people read: "CSV", "Turtle");
* the licence as its EU licence-authority IRI, typed with its ADMS licence type
  (ckanext-dcat types every licence "UnknownIPR");
* the classes and concept schemes of the controlled-vocabulary IRIs used (themes,
  frequency, language, access rights, availability, file types), which the shapes'
  range checks need and which are true of those EU concepts;
* ``dcat:inSeries`` by the series' own URI: a periodic dataset's series is a CKAN record
  of its own (ckanext-dataset-series' ``dataset_series`` type, which ckanext-dcat writes
  as ``dcat:DatasetSeries`` under its ``uri``), but ckanext-dcat names a member's series
  by its CKAN id URL; the series is typed and titled beside it for the range shapes, and
  a series record is also typed ``dcat:Dataset`` (its superclass in DCAT 3), which the
  catalogue's ``dcat:dataset`` range asks for;
* the CKAN page as ``dcat:landingPage`` (the dataset's own URI is fivestar's ``/id/``
  URI, sent as CKAN's ``uri`` field, which ckanext-dcat honours);
* for the catalogue: ``dct:publisher``, ``dct:language`` as an EU language IRI (CKAN
  writes its locale, ``en_GB``, as a literal), the licence of the metadata and the
  EU data-theme taxonomy.
"""

from __future__ import annotations

import ckantoolkit as toolkit
from ckanext.dcat.profiles.base import RDFProfile
from ckanext.dcat.utils import dataset_uri, resource_uri
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS

VCARD = "http://www.w3.org/2006/vcard/ns#"
SPDX = "http://spdx.org/rdf/terms#"
DCATAP = "http://data.europa.eu/r5r/"
EU = "http://publications.europa.eu/resource/authority/"
ADMS_LICENCE_TYPE = "http://purl.org/adms/licencetype/"

#: CKAN licence ids (and the licence pages they point at) -> EU licence authority.
LICENCES = {
    "uk-ogl": "OGL_3_0", "OGL-UK-3.0": "OGL_3_0",
    "http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/": "OGL_3_0",
    "http://reference.data.gov.uk/id/open-government-licence": "OGL_3_0",
    "cc-by": "CC_BY_4_0", "CC-BY-4.0": "CC_BY_4_0", "cc-zero": "CC0", "CC0-1.0": "CC0",
}
#: ADMS licence type of each EU licence we map to (all three require attribution or none).
LICENCE_TYPES = {"OGL_3_0": "Attribution", "CC_BY_4_0": "Attribution", "CC0": "PublicDomain"}
LICENCE_LABELS = {"OGL_3_0": "Open Government Licence v3.0",
                  "CC_BY_4_0": "Creative Commons Attribution 4.0 International",
                  "CC0": "Creative Commons CC0 1.0 Universal"}
#: property -> (class the DCAT-AP 3.0.1 range shapes ask for, EU concept scheme or None)
VOCABULARY_VALUES = (
    (DCAT.theme, SKOS.Concept, EU + "data-theme"),
    (DCTERMS.accrualPeriodicity, DCTERMS.Frequency, EU + "frequency"),
    (DCTERMS.language, DCTERMS.LinguisticSystem, EU + "language"),
    (DCTERMS.accessRights, DCTERMS.RightsStatement, EU + "access-right"),
    (URIRef(DCATAP + "availability"), SKOS.Concept, EU + "planned-availability"),
    (DCTERMS["format"], DCTERMS.MediaTypeOrExtent, EU + "file-type"),
    (DCAT.mediaType, DCTERMS.MediaType, None),
    (URIRef(SPDX + "algorithm"), URIRef(SPDX + "ChecksumAlgorithm"), None),
    (DCAT.contactPoint, URIRef(VCARD + "Kind"), None),
)
#: English labels of the EU concepts typed skos:Concept here (a concept has a prefLabel).
CONCEPT_LABELS = {
    "data-theme/AGRI": "Agriculture, fisheries, forestry and food",
    "data-theme/ECON": "Economy and finance", "data-theme/EDUC": "Education, culture and sport",
    "data-theme/ENER": "Energy", "data-theme/ENVI": "Environment",
    "data-theme/GOVE": "Government and public sector", "data-theme/HEAL": "Health",
    "data-theme/INTR": "International issues",
    "data-theme/JUST": "Justice, legal system and public safety",
    "data-theme/REGI": "Regions and cities", "data-theme/SOCI": "Population and society",
    "data-theme/TECH": "Science and technology", "data-theme/TRAN": "Transport",
    "planned-availability/STABLE": "stable", "planned-availability/AVAILABLE": "available",
    "planned-availability/EXPERIMENTAL": "experimental",
    "planned-availability/TEMPORARY": "temporary",
}
DATASET_SERIES = URIRef("http://www.w3.org/ns/dcat#DatasetSeries")
IN_SERIES = URIRef("http://www.w3.org/ns/dcat#inSeries")  # DCAT 3 (rdflib's DCAT is DCAT 2)


def _licence_iri(value):
    code = LICENCES.get(value or "")
    return URIRef(EU + "licence/" + code) if code else None


class FivestarDCATAPProfile(RDFProfile):
    """Runs after ``euro_dcat_ap_3`` (``ckanext.dcat.rdf.profiles``)."""

    def graph_from_dataset(self, dataset_dict, dataset_ref):
        g = self.g
        site = toolkit.config.get("ckan.site_url", "").rstrip("/")
        page = URIRef(f"{site}/{dataset_dict.get('type') or 'dataset'}/{dataset_dict['name']}")
        g.add((dataset_ref, DCAT.landingPage, page))
        g.add((page, RDF.type, FOAF.Document))
        licence = (_licence_iri(dataset_dict.get("license_id"))
                   or _licence_iri(dataset_dict.get("license_url")))
        for res in dataset_dict.get("resources", []):
            dist = URIRef(resource_uri(res))
            # CKAN's ``format`` is the short name people read ("CSV"); the EU file-type IRI
            # is kept beside it in ``format_uri`` and is what DCAT says
            if res.get("format_uri"):
                for old in list(g.objects(dist, DCTERMS["format"])):
                    g.remove((dist, DCTERMS["format"], old))
                g.add((dist, DCTERMS["format"], URIRef(res["format_uri"])))
            if res.get("url_type") == "upload" and res.get("url") \
                    and (dist, DCAT.downloadURL, None) not in g:
                g.add((dist, DCAT.downloadURL, URIRef(res["url"])))
            if licence is not None:
                for old in list(g.objects(dist, DCTERMS.license)):
                    g.remove((dist, DCTERMS.license, old))
                    if old != licence and (None, None, old) not in g:
                        g.remove((old, None, None))  # the inherited page URL, now unused
                g.add((dist, DCTERMS.license, licence))
        if licence is not None:
            self._describe_licence(licence)
        self._series(dataset_dict, dataset_ref)
        if dataset_dict.get("type") == "dataset_series":
            # DCAT 3: dcat:DatasetSeries rdfs:subClassOf dcat:Dataset. Said outright, so a
            # harvester without inference reads the catalogue's dcat:dataset as a dataset
            g.add((dataset_ref, RDF.type, DCAT.Dataset))
        self._type_vocabulary_values()

    def graph_from_catalog(self, catalog_dict, catalog_ref):
        g = self.g
        cfg = toolkit.config
        for old in list(g.objects(catalog_ref, DCTERMS.language)):
            g.remove((catalog_ref, DCTERMS.language, old))
        g.add((catalog_ref, DCTERMS.language, URIRef(EU + "language/ENG")))
        publisher = cfg.get("ckanext.fivestar.catalog.publisher_uri")
        if publisher:
            ref = URIRef(publisher)
            g.add((catalog_ref, DCTERMS.publisher, ref))
            g.add((ref, RDF.type, FOAF.Agent))
            g.add((ref, FOAF.name, Literal(cfg.get("ckanext.fivestar.catalog.publisher_name",
                                                    ""))))
        licence = _licence_iri(cfg.get("ckanext.fivestar.catalog.licence", "uk-ogl"))
        if licence is not None:
            g.add((catalog_ref, DCTERMS.license, licence))
            self._describe_licence(licence)
        g.add((catalog_ref, DCAT.themeTaxonomy, URIRef(EU + "data-theme")))
        g.add((URIRef(EU + "data-theme"), RDF.type, SKOS.ConceptScheme))
        g.add((URIRef(EU + "data-theme"), DCTERMS.title, Literal("Data theme", lang="en")))
        for page in g.objects(catalog_ref, FOAF.homepage):
            g.add((page, RDF.type, FOAF.Document))
        self._type_vocabulary_values()

    # -------------------------------------------------------------- helpers
    def _describe_licence(self, licence):
        g = self.g
        code = str(licence).rsplit("/", 1)[-1]
        for old in list(g.objects(licence, DCTERMS.type)):
            g.remove((licence, DCTERMS.type, old))
        g.add((licence, RDF.type, DCTERMS.LicenseDocument))
        kind = URIRef(ADMS_LICENCE_TYPE + LICENCE_TYPES[code])
        g.add((licence, DCTERMS.type, kind))
        g.add((kind, RDF.type, SKOS.Concept))
        g.add((kind, SKOS.prefLabel, Literal(LICENCE_TYPES[code], lang="en")))
        g.add((kind, SKOS.inScheme, URIRef(ADMS_LICENCE_TYPE + "1.0")))
        g.add((licence, RDFS.label, Literal(LICENCE_LABELS[code], lang="en")))
        g.add((licence, SKOS.inScheme, URIRef(EU + "licence")))

    def _series(self, dataset_dict, dataset_ref):
        """A release's ``dcat:inSeries`` as its series record's own URI."""
        g = self.g
        for series_id in dataset_dict.get("in_series") or []:
            g.remove((dataset_ref, IN_SERIES, URIRef(dataset_uri({"id": series_id}))))
            try:  # as the reader may see it: a private series is not named
                series = toolkit.get_action("package_show")({}, {"id": series_id})
            except (toolkit.ObjectNotFound, toolkit.NotAuthorized):
                continue
            ref = URIRef(dataset_uri(series))
            g.add((dataset_ref, IN_SERIES, ref))
            g.add((ref, RDF.type, DATASET_SERIES))
            g.add((ref, DCTERMS.title, Literal(series.get("title") or series["name"])))
            if series.get("notes"):
                g.add((ref, DCTERMS.description, Literal(series["notes"])))

    def _type_vocabulary_values(self):
        g = self.g
        for prop, cls, scheme in VOCABULARY_VALUES:
            for value in set(g.objects(None, prop)):
                if isinstance(value, BNode | URIRef):
                    g.add((value, RDF.type, cls))
                if scheme and isinstance(value, URIRef) and str(value).startswith(scheme + "/"):
                    g.add((value, SKOS.inScheme, URIRef(scheme)))
                    label = CONCEPT_LABELS.get(str(value)[len(EU):])
                    if label and cls == SKOS.Concept:
                        g.add((value, SKOS.prefLabel, Literal(label, lang="en")))

