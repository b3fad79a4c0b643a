"""A periodic dataset's series as a catalogue record of its own.

Quarterly crime figures or monthly claims are one release after another of the same
statistics: DCAT-AP 3 calls that a ``dcat:DatasetSeries``, of which each release is a
member (``dcat:inSeries``). fivestar gives every periodic dataset's series a real CKAN
record, of the ``dataset_series`` type of ckanext-dataset-series (the CKAN team's
extension, which ckanext-dcat's DCAT-AP 3 profile writes as ``dcat:DatasetSeries``):

* named ``<dataset>-series``, with its own page, its own DCAT (``/dataset/<name>.ttl``) and
  a place in ``/catalog.ttl``; its URI is fivestar's ``{dataset URI}/series``;
* described from the release's catalogue record (title, publisher, contact, theme,
  frequency, coverage, licence), and carrying the next release date the release calendar
  sets (:func:`set_next_release`);
* named by the published dataset's ``in_series``, which ckanext-dcat writes as
  ``dcat:inSeries`` (fivestar's profile gives it the series' own URI);
* loaded into the triple store's live graph ``{base}/graph/{dataset}-series`` (CKAN's DCAT of
  the record, and the member's ``dcat:inSeries``), so its URI resolves on the linked-data
  front (303 ``/id/`` to ``/doc/``, HTML and RDF). A withdrawn release keeps its series,
  as CKAN does; removing the dataset for good removes it (:func:`remove`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import ckanapi
import requests
from rdflib import Graph, URIRef

from pipelines.catalogue.fields import dataset_fields, differs, frequency_iri
from pipelines.contracts.catalogue import CatalogueRecord, solr_date
from pipelines.contracts.manifest import ManifestCatalogue
from pipelines.convert.metadata import EU
from pipelines.errors import FivestarError, Location, Problem

#: Frequencies that do not make a dataset a series of releases.
NOT_PERIODIC = {f"{EU}frequency/{code}" for code in
                ("IRREG", "UNKNOWN", "NEVER", "OTHER", "AS_NEEDED", "CONT", "UPDATE_CONT")}
SERIES_TYPE = "dataset_series"
IN_SERIES = URIRef("http://www.w3.org/ns/dcat#inSeries")  # DCAT 3 (rdflib's DCAT is DCAT 2)


class SeriesError(FivestarError):
    """The catalogue holds something else under the series' name."""


def series_name(dataset: str) -> str:
    return f"{dataset}-series"


def series_uri(dataset_uri: str) -> str:
    return f"{dataset_uri.rstrip('/')}/series"


def series_graph(base: str, dataset: str) -> str:
    """The live graph of the series' description (never matched by the release graphs'
    ``/graph/{dataset}/`` prefix, so publishing or withdrawing a release leaves it)."""
    return f"{base}/graph/{dataset}-series"


def is_periodic(catalogue: ManifestCatalogue) -> bool:
    iri = frequency_iri(catalogue.get("frequency"))
    return bool(iri) and iri not in NOT_PERIODIC and bool(catalogue.get("uri"))


def series_fields(catalogue: ManifestCatalogue, org: str,
                  next_release: datetime | None = None) -> dict[str, Any]:
    """The series record's CKAN fields, from the release's catalogue record."""
    record = CatalogueRecord.model_validate(catalogue)
    dcat = dataset_fields(catalogue)
    every = f"{record.frequency} " if record.frequency else ""
    out: dict[str, Any] = {
        "name": series_name(record.name), "type": SERIES_TYPE, "owner_org": org,
        "title": f"{record.title}: every release",
        "notes": f"Every {every}release of \"{record.title}\". Each release is a dataset in "
                 f"this series; the latest is {record.name}.",
        "license_id": record.license_id, "uri": series_uri(record.uri or ""),
        "identifier": series_name(record.name), "tag_string": ",".join(record.tags),
        "publisher_name": record.publisher_name, "publisher_uri": record.publisher_uri,
        "contact_name": record.contact_name, "contact_email": record.contact_email,
        "spatial_uri": record.spatial_uri, "theme": dcat.get("theme"),
        "language": dcat.get("language"), "access_rights": dcat.get("access_rights"),
        "frequency": dcat.get("frequency"),
    }
    if next_release is not None:
        out["next_release_date"] = solr_date(next_release.isoformat())
    return {k: v for k, v in out.items() if v not in (None, "")}


def ensure(client: ckanapi.RemoteCKAN, catalogue: dict[str, Any], org: str,
           next_release: datetime | None = None) -> str | None:
    """Create the series record or bring it up to date (public: it describes only what
    the approved record says); its id, or None for a dataset that is not periodic."""
    if not is_periodic(catalogue):
        return None
    desired = series_fields(catalogue, org, next_release)
    try:
        current = client.action.package_show(id=desired["name"])
    except ckanapi.NotFound:
        return client.action.package_create(private=False, **desired)["id"]
    if current.get("type") != SERIES_TYPE:
        raise SeriesError(Problem("series-name-taken", f"the catalogue's {desired['name']} "
                                  f"is a {current.get('type')}, not a dataset series",
                                  Location(field="name")))
    if current.get("private") or differs(current, desired):
        client.action.package_patch(id=current["id"], private=False, **desired)
    return current["id"]


def set_next_release(client: ckanapi.RemoteCKAN, dataset: str, when: datetime) -> bool:
    """The release calendar's next release date on the series record (False: no series)."""
    try:
        client.action.package_patch(id=series_name(dataset),
                                    next_release_date=solr_date(when.isoformat()))
    except ckanapi.NotFound:
        return False
    return True


def description(client: ckanapi.RemoteCKAN, catalogue: dict[str, Any]) -> bytes:
    """The series as the catalogue describes it (CKAN's DCAT of the record, read as the
    public reads it) and the member's ``dcat:inSeries``, as N-Triples."""
    url = f"{client.address.rstrip('/')}/dataset/{series_name(catalogue['name'])}.ttl"
    session = client.session or requests.Session()
    resp = session.get(url, timeout=60)
    if resp.status_code != 200:
        raise SeriesError(Problem("series-dcat", f"the catalogue's DCAT of the series answered "
                                  f"HTTP {resp.status_code}", Location(file=url)))
    g = Graph().parse(data=resp.text, format="turtle")
    g.add((URIRef(catalogue["uri"]), IN_SERIES, URIRef(series_uri(catalogue["uri"]))))
    return g.serialize(format="nt", encoding="utf-8")
