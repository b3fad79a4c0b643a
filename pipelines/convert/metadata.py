"""Dataset metadata: DCAT-AP 3, PROV-O and DQV, in Turtle and JSON-LD (rdflib).

Metadata is small, so it is an rdflib Graph. Every node is an IRI (no blank
nodes), so the same inputs give the same bytes and the release id is stable.

* DCAT-AP 3: a dcat:Catalog (title, description, publisher) holding the
  dcat:Dataset (title, description, publisher, contact point, keywords, theme,
  spatial, temporal, accrual periodicity, issued/modified, version, licence)
  and one dcat:Distribution per published file (access/download URL, media
  type, format, licence, availability, byte size, sha256 spdx:checksum).
  Download URLs are the ``{base}/doc/<dataset>/<file>`` document URIs: the
  catalogue's own download URLs do not exist until publication. The metadata
  files cannot carry their own size and checksum (writing them would change
  them), so their distributions carry none; every other file's are measured.
* PROV-O: the dataset ``prov:wasGeneratedBy`` a pipeline activity that
  ``prov:used`` the extract (identified by its sha256) and the spec, and was
  associated with the pipeline software at its version.
* DQV: quality measurements from the validation and redaction reports
  (errors, warnings, values scrubbed, cells suppressed) and the five-star
  rating with its evidence.
* Disclosure control: the method applied (suppression, rounding or cell-key
  perturbation) in words, as a ``prov:Plan`` the pipeline run followed
  (``prov:qualifiedAssociation`` / ``prov:hadPlan``) and as a
  ``dqv:QualityAnnotation`` on the dataset.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from rdflib import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef

from pipelines.contracts.conversion import FileInfo, FileRole, Stars, TemporalCoverage
from pipelines.contracts.provenance import Provenance, Revision, version_uri
from pipelines.contracts.redaction import SDCReport
from pipelines.convert.terms import Plan
from pipelines.spec.dataset import THEMES
from pipelines.spec.linked_data import FIVESTAR_NS

DQV = Namespace("http://www.w3.org/ns/dqv#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
ADMS = Namespace("http://www.w3.org/ns/adms#")
#: DCAT 3 terms (rdflib's DCAT namespace is closed over an older term list).
DCAT3 = Namespace(str(DCAT))
FS = Namespace(FIVESTAR_NS)
EU = "http://publications.europa.eu/resource/authority/"

FREQUENCIES = {"monthly": "MONTHLY", "quarterly": "QUARTERLY", "annual": "ANNUAL",
               "adhoc": "IRREG"}
#: media type → EU file-type authority code.
FILE_TYPES = {"text/csv": "CSV", "text/turtle": "RDF_TURTLE", "application/n-triples":
              "RDF_N_TRIPLES", "application/ld+json": "JSON_LD", "application/json": "JSON",
              "application/csvm+json": "JSON"}


def extract_uri(sha256: str) -> str:
    """The extract as an RFC 6920 ``ni:`` URI: named by its content, not its location."""
    if not sha256:
        return "urn:fivestar:extract:unknown"
    digest = base64.urlsafe_b64encode(bytes.fromhex(sha256)).decode().rstrip("=")
    return f"ni:///sha-256;{digest}"


def _date(value: Any) -> Literal | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return Literal(value.isoformat(), datatype=XSD.dateTime)
    text = str(value)
    return Literal(text, datatype=XSD.date if len(text) == 10 else XSD.dateTime)


def build_graph(plan: Plan, files: list[FileInfo], provenance: Provenance, stars: Stars,
                temporal: TemporalCoverage, quality: dict[str, int | float]) -> Graph:
    """The DCAT-AP/PROV/DQV graph of ``files`` (the metadata files without size and hash)."""
    spec, uris = plan.spec, plan.uris
    g = Graph()
    for prefix, ns in (("dcat", DCAT), ("dcterms", DCTERMS), ("prov", PROV), ("dqv", DQV),
                       ("spdx", SPDX), ("vcard", VCARD), ("foaf", FOAF), ("dcatap", DCATAP),
                       ("fivestar", FS), ("adms", ADMS)):
        g.bind(prefix, ns)
    ds = URIRef(uris.dataset_uri)
    cat = URIRef(uris.catalogue_uri)
    publisher = URIRef(spec.publisher.uri)
    licence = URIRef(spec.licence_url)
    en = "en"

    g.add((cat, RDF.type, DCAT.Catalog))
    g.add((cat, DCTERMS.title, Literal(f"{spec.publisher.name} open data", lang=en)))
    g.add((cat, DCTERMS.description, Literal(
        f"Open data published by the {spec.publisher.name}.", lang=en)))
    g.add((cat, DCTERMS.publisher, publisher))
    g.add((cat, DCAT.dataset, ds))

    g.add((publisher, RDF.type, FOAF.Agent))
    g.add((publisher, FOAF.name, Literal(spec.publisher.name, lang=en)))

    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCTERMS.identifier, Literal(spec.id)))
    g.add((ds, DCTERMS.title, Literal(spec.title, lang=en)))
    g.add((ds, DCTERMS.description, Literal(spec.description, lang=en)))
    g.add((ds, DCTERMS.publisher, publisher))
    g.add((ds, DCTERMS.license, licence))
    g.add((licence, RDF.type, DCTERMS.LicenseDocument))
    g.add((licence, RDFS.label, Literal(spec.licence_title, lang=en)))
    for kw in spec.keywords:
        g.add((ds, DCAT.keyword, Literal(kw, lang=en)))
    theme = THEMES.get(spec.theme)
    if theme:
        g.add((ds, DCAT.theme, URIRef(f"{EU}data-theme/{theme}")))
    g.add((ds, DCAT.keyword, Literal(spec.theme, lang=en)))
    g.add((ds, DCTERMS.accrualPeriodicity,
           URIRef(f"{EU}frequency/{FREQUENCIES[spec.release.frequency.value]}")))
    contact = URIRef(f"{uris.dataset_uri}#contact")
    g.add((ds, DCAT.contactPoint, contact))
    g.add((contact, RDF.type, VCARD.Kind))
    g.add((contact, VCARD.fn, Literal(spec.publisher.contact_name)))
    g.add((contact, VCARD.hasEmail, URIRef(f"mailto:{spec.publisher.contact_email}")))
    if plan.mapping.spatial:
        from pipelines.spec.linked_data import expand

        spatial = URIRef(expand(plan.mapping.spatial))
        g.add((ds, DCTERMS.spatial, spatial))
        g.add((spatial, RDF.type, DCTERMS.Location))
        if plan.mapping.spatial_label:
            g.add((spatial, RDFS.label, Literal(plan.mapping.spatial_label, lang=en)))
    start, end = temporal.start, temporal.end
    if start or end:
        period = URIRef(f"{uris.dataset_uri}#temporal")
        g.add((ds, DCTERMS.temporal, period))
        g.add((period, RDF.type, DCTERMS.PeriodOfTime))
        if start:
            g.add((period, DCAT.startDate, Literal(start, datatype=XSD.date)))
        if end:
            g.add((period, DCAT.endDate, Literal(end, datatype=XSD.date)))
    issued = _date(spec.release.next_release)
    if issued is not None:
        g.add((ds, DCTERMS.issued, issued))
        g.add((ds, DCTERMS.modified, issued))
    revision = provenance.revision
    version = (revision.version if revision else None) or provenance.partition or \
        provenance.extract_sha256[:12]
    if version:
        g.add((ds, URIRef(str(DCAT) + "version"), Literal(version)))
        g.add((ds, OWL.versionInfo, Literal(version)))
    if revision:
        _versions(g, ds, spec.title, revision)
    g.add((ds, DCTERMS.conformsTo, URIRef("http://purl.org/linked-data/cube")
           if plan.is_cube else URIRef(FIVESTAR_NS.rstrip("/"))))

    for f in files:
        dist = URIRef(f"{uris.dataset_uri}/distribution/{f.path.replace('.', '-')}")
        doc = URIRef(uris.doc(f.path))
        g.add((ds, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, Literal(f.title, lang=en)))
        g.add((dist, DCTERMS.description, Literal(f.description, lang=en)))
        g.add((dist, DCAT.accessURL, doc))
        g.add((dist, DCAT.downloadURL, doc))
        g.add((dist, DCTERMS.license, licence))
        g.add((dist, DCAT.mediaType, URIRef(
            f"https://www.iana.org/assignments/media-types/{f.media_type}")))
        code = FILE_TYPES.get(f.media_type)
        if code:
            g.add((dist, DCTERMS["format"], URIRef(f"{EU}file-type/{code}")))
        if f.compress_format:  # the media type is that of the content once uncompressed
            g.add((dist, DCAT.compressFormat, URIRef(
                f"https://www.iana.org/assignments/media-types/{f.compress_format}")))
        g.add((dist, DCATAP.availability, URIRef(f"{EU}planned-availability/STABLE")))
        g.add((dist, DCTERMS.identifier, Literal(f.path)))
        if f.bytes is not None:
            g.add((dist, DCAT.byteSize, Literal(f.bytes, datatype=XSD.nonNegativeInteger)))
        if f.sha256:
            chk = URIRef(f"{dist}#sha256")
            g.add((dist, SPDX.checksum, chk))
            g.add((chk, RDF.type, SPDX.Checksum))
            g.add((chk, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
            g.add((chk, SPDX.checksumValue, Literal(f.sha256, datatype=XSD.hexBinary)))
        if f.role == FileRole.codelist:
            g.add((dist, DCTERMS.conformsTo, URIRef("http://www.w3.org/2004/02/skos/core")))

    # PROV-O: which run made this release, from what, with which code.
    run_id = provenance.activity_id
    activity = URIRef(f"{uris.dataset_uri}/run/{run_id}")
    extract = URIRef(extract_uri(provenance.extract_sha256))
    spec_entity = URIRef(f"{uris.dataset_uri}/spec/{provenance.spec_sha256[:16]}")
    version_str = provenance.pipeline_version or "unknown"
    agent = URIRef(f"{uris.base}/id/software/fivestar/{version_str.replace('+', '-')}")
    g.add((ds, RDF.type, PROV.Entity))
    g.add((ds, PROV.wasGeneratedBy, activity))
    g.add((ds, PROV.wasDerivedFrom, extract))
    g.add((activity, RDF.type, PROV.Activity))
    g.add((activity, RDFS.label, Literal(f"fivestar pipeline run {run_id}", lang=en)))
    g.add((activity, PROV.used, extract))
    g.add((activity, PROV.used, spec_entity))
    g.add((activity, PROV.wasAssociatedWith, agent))
    started = _date(provenance.started_at)
    if started is not None:
        g.add((activity, PROV.startedAtTime, Literal(str(started), datatype=XSD.dateTime)))
    if provenance.partition:
        g.add((activity, FS["partition"], Literal(provenance.partition)))
    for entity, label, sha in ((extract, "Internal extract (not published)",
                                provenance.extract_sha256),
                               (spec_entity, "Dataset specification (dataset.yaml)",
                                provenance.spec_sha256)):
        g.add((entity, RDF.type, PROV.Entity))
        g.add((entity, RDFS.label, Literal(label, lang=en)))
        if sha:
            chk = URIRef(f"{uris.dataset_uri}/checksum/{sha[:16]}")
            g.add((entity, SPDX.checksum, chk))
            g.add((chk, RDF.type, SPDX.Checksum))
            g.add((chk, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
            g.add((chk, SPDX.checksumValue, Literal(sha, datatype=XSD.hexBinary)))
    g.add((agent, RDF.type, PROV.SoftwareAgent))
    g.add((agent, RDFS.label, Literal("fivestar open-data pipeline", lang=en)))
    g.add((agent, OWL.versionInfo, Literal(version_str)))

    # DQV: measurements taken by the pipeline.
    for metric, value in sorted(quality.items()):
        m = URIRef(f"{uris.dataset_uri}/quality/{metric}")
        g.add((ds, DQV.hasQualityMeasurement, m))
        g.add((m, RDF.type, DQV.QualityMeasurement))
        g.add((m, DQV.computedOn, ds))
        g.add((m, DQV.isMeasurementOf, FS[metric]))
        g.add((m, DQV.value, Literal(value)))
        g.add((m, PROV.wasGeneratedBy, activity))
    _disclosure_control(g, ds, activity, agent, uris.dataset_uri,
                        provenance.redaction.sdc if provenance.redaction else None)
    rating = URIRef(f"{uris.dataset_uri}/quality/fiveStarRating")
    g.add((ds, DQV.hasQualityMeasurement, rating))
    g.add((rating, RDF.type, DQV.QualityMeasurement))
    g.add((rating, DQV.computedOn, ds))
    g.add((rating, DQV.isMeasurementOf, FS.fiveStarRating))
    g.add((rating, DQV.value, Literal(stars.rating)))
    for star, evidence in sorted(stars.evidence.items()):
        s = URIRef(f"{uris.dataset_uri}/quality/star{star}")
        g.add((ds, DQV.hasQualityMeasurement, s))
        g.add((s, RDF.type, DQV.QualityMeasurement))
        g.add((s, DQV.computedOn, ds))
        g.add((s, DQV.isMeasurementOf, FS[f"star{star}"]))
        g.add((s, DQV.value, Literal(bool(stars.passed.get(str(star))))))
        g.add((s, RDFS.comment, Literal(evidence, lang=en)))
    return g


_METHOD_WORDS = {
    "suppression": "Cell suppression. Counts from 1 to {lo} are withheld (primary "
                   "suppression); further cells are withheld (secondary suppression) so that "
                   "no withheld count can be narrowed, from the published figures and totals, "
                   "to a range of fewer than {w} values. An independent audit proved this for "
                   "every withheld count before release.",
    "rounding": "Rounding. Every published count, totals included, is rounded to the nearest "
                "{base}; totals are rounded separately, so they may not equal the sum of the "
                "rounded parts.",
    "perturbation": "Cell-key perturbation (the method used for Census 2021). Counts, totals "
                    "included, have been changed by small amounts drawn from a published "
                    "perturbation table, the same way for the same cell in every release; "
                    "totals may not equal the sum of their parts.",
}


def _disclosure_control(g: Graph, ds: URIRef, activity: URIRef, agent: URIRef, base: str,
                        sdc: SDCReport | None) -> None:
    """Which disclosure-control method was applied: words, a prov:Plan and a DQV annotation."""
    if sdc is None:
        return
    method = str(sdc.method or "suppression")
    width = (sdc.protection.width.min or 1) + 1
    words = _METHOD_WORDS.get(method, method).format(
        lo=int(sdc.threshold) - 1, w=width, base=sdc.rounding_base)
    plan = URIRef(f"{base}/disclosure-control/{method}")
    g.add((plan, RDF.type, PROV.Plan))
    g.add((plan, RDFS.label, Literal(f"Statistical disclosure control: {method}", lang="en")))
    g.add((plan, DCTERMS.description, Literal(words, lang="en")))
    assoc = URIRef(f"{activity}/disclosure-control")
    g.add((activity, PROV.qualifiedAssociation, assoc))
    g.add((assoc, RDF.type, PROV.Association))
    g.add((assoc, PROV.hadPlan, plan))
    g.add((assoc, PROV.agent, agent))
    note = URIRef(f"{base}/quality/disclosure-control")
    g.add((ds, DQV.hasQualityAnnotation, note))
    g.add((note, RDF.type, DQV.QualityAnnotation))
    g.add((note, URIRef("http://www.w3.org/ns/oa#hasBody"), plan))
    g.add((note, URIRef("http://www.w3.org/ns/oa#motivatedBy"), DQV.qualityAssessment))
    g.add((note, RDFS.comment, Literal(words, lang="en")))
    g.add((note, PROV.wasGeneratedBy, activity))


def _versions(g: Graph, ds: URIRef, title: str, revision: Revision) -> None:
    """DCAT 3 versioning for a correction: this version, the one it supersedes, the notes.

    The dataset IRI names the series; each version has its own IRI
    (``…/version/<label>``) that ``dcat:isVersionOf`` the series. The version
    nodes are plain resources (DCAT's range for these properties), not further
    ``dcat:Dataset`` descriptions that would repeat the whole record.
    """
    this = URIRef(version_uri(str(ds), revision.version))
    previous = URIRef(version_uri(str(ds), revision.previous_version))
    notes = Literal(revision.notes, lang="en")
    g.add((ds, ADMS.versionNotes, notes))
    g.add((ds, DCAT3.previousVersion, previous))
    g.add((ds, DCAT3.hasCurrentVersion, this))
    for node, label in ((this, revision.version), (previous, revision.previous_version)):
        g.add((ds, DCAT3.hasVersion, node))
        g.add((node, DCAT3.isVersionOf, ds))
        g.add((node, DCAT3.version, Literal(label)))
        g.add((node, RDFS.label, Literal(f"{title}, version {label}", lang="en")))
    g.add((this, DCAT3.previousVersion, previous))
    g.add((this, ADMS.versionNotes, notes))


#: An inline JSON-LD context (no remote context is ever fetched or referenced).
def jsonld_context() -> dict[str, str]:
    return {"dcat": str(DCAT), "dcterms": str(DCTERMS), "prov": str(PROV), "dqv": str(DQV),
            "spdx": str(SPDX), "vcard": str(VCARD), "foaf": str(FOAF),
            "dcatap": str(DCATAP), "fivestar": FIVESTAR_NS, "xsd": str(XSD),
            "rdfs": str(RDFS), "owl": str(OWL), "adms": str(ADMS)}


def _canonical_node(value: Any) -> Any:
    """Sort every JSON-LD array (an unordered set of values) by its canonical JSON text.

    ``@list`` values are ordered by definition and are kept as they are.
    """
    if isinstance(value, dict):
        return {k: (v if k == "@list" else _canonical_node(v)) for k, v in value.items()}
    if isinstance(value, list):
        items = [_canonical_node(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def canonical_jsonld(g: Graph) -> bytes:
    """The graph as JSON-LD whose bytes depend only on its triples.

    rdflib emits the ``@graph`` nodes and multi-valued properties in the order
    of its in-memory index, which follows Python's per-process string hash
    seed: the same graph gave different bytes in two processes, and so a new
    release id for unchanged inputs. Here nodes are ordered by ``@id`` and
    every set of values by its JSON text, then keys are sorted.
    """
    doc = json.loads(g.serialize(format="json-ld", context=jsonld_context(), sort_keys=True))
    text = json.dumps(_canonical_node(doc), indent=2, sort_keys=True, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


def write_metadata(g: Graph, ttl_path: Path, jsonld_path: Path) -> None:
    """Serialise the metadata as Turtle and canonical JSON-LD (inline context)."""
    ttl_path.write_bytes(g.serialize(format="turtle", encoding="utf-8"))
    jsonld_path.write_bytes(canonical_jsonld(g))


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
