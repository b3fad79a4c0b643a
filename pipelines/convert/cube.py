"""Aggregate statistics as an RDF Data Cube (W3C vocab-data-cube).

The header (rdflib, small) holds the qb:DataSet, its
qb:DataStructureDefinition with one component specification per dimension,
measure and attribute, and the definitions of the component properties
(type, label, range, code list) so the file is self-describing and the
integrity constraints IC-1..IC-21 can be checked on it together with the code
lists published next to it. Rows are written by :mod:`rdfwriter`, one
qb:Observation each.

Suppressed cells (``conf_status`` C or D from the redaction stage) are
observations with ``sdmx-attribute:confStatus`` and *no* measure value.
The unit of measure is attached at the data-set level
(``qb:componentAttachment qb:DataSet``), as the Data Cube spec recommends for
a value shared by every observation.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from rdflib import RDF, RDFS, SKOS, Graph, Literal, Namespace, URIRef

from pipelines import paths
from pipelines.convert.frames import Frames
from pipelines.convert.rdfwriter import RdfCounts, write_rdf
from pipelines.convert.terms import CONF_STATUS, UNIT_MEASURE, Column, Plan
from pipelines.spec.linked_data import FIVESTAR_NS, PREFIXES

QB = Namespace(PREFIXES["qb"])
DCT = Namespace(PREFIXES["dcterms"])
SDMX_CONCEPT = Namespace("http://purl.org/linked-data/sdmx/2009/concept#")
SDMX_CODE = Namespace(PREFIXES["sdmx-code"])

_KIND = {"dimension": QB.DimensionProperty, "measure": QB.MeasureProperty,
         "attribute": QB.AttributeProperty}
_SPEC_PRED = {"dimension": QB.dimension, "measure": QB.measure, "attribute": QB.attribute}


def vocabulary() -> Graph:
    """The project's own terms (``vocabularies/fivestar.ttl``), for labels and comments."""
    g = Graph()
    path = paths.PROJECT_VOCABULARY_DIR / "fivestar.ttl"
    if path.is_file():
        g.parse(path, format="turtle")
    return g


def define_property(g: Graph, col: Column, kind: URIRef, vocab: Graph) -> None:
    """Type, label, range (IC-4) and code list (IC-5) of a component property."""
    p = URIRef(col.property)
    g.add((p, RDF.type, kind))
    g.add((p, RDF.type, RDF.Property))
    label = vocab.value(p, RDFS.label) or Literal(col.label, lang="en")
    g.add((p, RDFS.label, label))
    comment = vocab.value(p, RDFS.comment)
    if comment is not None:
        g.add((p, RDFS.comment, comment))
    for sup in vocab.objects(p, RDFS.subPropertyOf):
        g.add((p, RDFS.subPropertyOf, sup))
    g.add((p, RDFS.range, URIRef(col.range)))
    if col.codelist is not None:
        g.add((p, QB.codeList, URIRef(col.codelist.scheme)))


def header(plan: Plan) -> Graph:
    """qb:DataSet + qb:DataStructureDefinition + component property definitions."""
    g = Graph()
    vocab = vocabulary()
    ds = URIRef(plan.uris.dataset_uri)
    dsd = URIRef(plan.uris.structure_uri)
    g.add((ds, RDF.type, QB.DataSet))
    g.add((ds, DCT.title, Literal(plan.spec.title, lang="en")))
    g.add((ds, RDFS.label, Literal(plan.spec.title, lang="en")))
    g.add((ds, QB.structure, dsd))
    g.add((dsd, RDF.type, QB.DataStructureDefinition))
    g.add((dsd, RDFS.label, Literal(f"Structure of {plan.spec.title}", lang="en")))
    order = 0
    for role in ("dimension", "measure", "attribute"):
        for col in plan.by_role(role):
            order += 1
            cs = URIRef(f"{plan.uris.structure_uri}/component/{col.name.replace('_', '-')}")
            g.add((dsd, QB.component, cs))
            g.add((cs, RDF.type, QB.ComponentSpecification))
            g.add((cs, _SPEC_PRED[role], URIRef(col.property)))
            g.add((cs, QB.componentProperty, URIRef(col.property)))
            if role == "dimension":
                g.add((cs, QB.order, Literal(order)))
            if role == "attribute":
                g.add((cs, QB.componentRequired, Literal(True)))
            define_property(g, col, _KIND[role], vocab)
            if col.property == CONF_STATUS:
                g.add((URIRef(CONF_STATUS), QB.concept, SDMX_CONCEPT.confStatus))
                g.add((URIRef(CONF_STATUS), QB.codeList, SDMX_CODE.confStatus))
    units = {c.unit for c in plan.by_role("measure") if c.unit}
    if units:
        cs = URIRef(f"{plan.uris.structure_uri}/component/unit-measure")
        g.add((dsd, QB.component, cs))
        g.add((cs, RDF.type, QB.ComponentSpecification))
        g.add((cs, QB.attribute, URIRef(UNIT_MEASURE)))
        g.add((cs, QB.componentProperty, URIRef(UNIT_MEASURE)))
        g.add((cs, QB.componentAttachment, QB.DataSet))
        g.add((cs, QB.componentRequired, Literal(True)))
        g.add((URIRef(UNIT_MEASURE), RDF.type, QB.AttributeProperty))
        g.add((URIRef(UNIT_MEASURE), RDF.type, RDF.Property))
        g.add((URIRef(UNIT_MEASURE), RDFS.label, Literal("Unit of measure", lang="en")))
        g.add((URIRef(UNIT_MEASURE), QB.concept, SDMX_CONCEPT.unitMeasure))
        for unit in sorted(units):
            g.add((ds, URIRef(UNIT_MEASURE), URIRef(unit)))
    # Concepts of the SDMX confidentiality code list used, labelled for readers.
    if any(c.property == CONF_STATUS for c in plan.columns):
        labels = {"F": "Free", "C": "Confidential statistical information (primary "
                  "suppression)", "D": "Secondary confidentiality set by the sender"}
        for code, label in labels.items():
            concept = SDMX_CODE[f"confStatus-{code}"]
            g.add((concept, RDF.type, SKOS.Concept))
            g.add((concept, SKOS.inScheme, SDMX_CODE.confStatus))
            g.add((concept, SKOS.notation, Literal(code)))
            g.add((concept, SKOS.prefLabel, Literal(label, lang="en")))
        g.add((SDMX_CODE.confStatus, RDF.type, SKOS.ConceptScheme))
    g.add((ds, RDFS.seeAlso, URIRef(FIVESTAR_NS.rstrip("/"))))
    return g


def write_cube(plan: Plan, data: pd.DataFrame | Frames, nt_path: Path | None,
               **kw: object) -> RdfCounts:
    """Write the cube as (gzip) N-Triples; returns row and triple counts."""
    return write_rdf(plan, data, header(plan), nt_path,
                     dataset_link=(str(QB.dataSet), plan.uris.dataset_uri), **kw)  # type: ignore[arg-type]
