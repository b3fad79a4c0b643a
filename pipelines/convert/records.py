"""Record-level datasets (FOI log, spend) as typed resources.

Each row is a resource ``{base}/id/<dataset>/<id_path>/<key>`` of the
mapping's class (e.g. ``fivestar:FoiRequest``), with one property per kept
column: well-known vocabularies where the mapping names them (dcterms,
schema.org), the project's own ``fivestar:`` terms otherwise, coded values as
SKOS concepts and URI-template links (e.g. Ordnance Survey postcode
districts). Every record is ``dcterms:isPartOf`` the dataset.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef

from pipelines.convert.cube import DCT, vocabulary
from pipelines.convert.frames import Frames
from pipelines.convert.rdfwriter import RdfCounts, write_rdf
from pipelines.convert.terms import Plan

IS_PART_OF = str(DCT.isPartOf)


def header(plan: Plan) -> Graph:
    """The dataset resource and definitions of the class and properties used."""
    g = Graph()
    vocab = vocabulary()
    ds = URIRef(plan.uris.dataset_uri)
    g.add((ds, RDF.type, URIRef("http://www.w3.org/ns/dcat#Dataset")))
    g.add((ds, DCT.title, Literal(plan.spec.title, lang="en")))
    cls = URIRef(plan.row_class)
    g.add((cls, RDF.type, RDFS.Class))
    g.add((cls, RDF.type, OWL.Class))
    g.add((cls, RDFS.label, vocab.value(cls, RDFS.label)
           or Literal(plan.row_class.rsplit("/", 1)[-1], lang="en")))
    for col in plan.columns:
        p = URIRef(col.property)
        if not str(p).startswith("https://data.homeoffice.gov.uk/def/"):
            continue  # well-known vocabularies define their own terms
        g.add((p, RDF.type, RDF.Property))
        g.add((p, RDFS.label, vocab.value(p, RDFS.label) or Literal(col.label, lang="en")))
        g.add((p, RDFS.domain, cls))
        g.add((p, RDFS.range, URIRef(col.range)))
        comment = vocab.value(p, RDFS.comment)
        if comment is not None:
            g.add((p, RDFS.comment, comment))
    return g


def write_records(plan: Plan, data: pd.DataFrame | Frames, nt_path: Path | None,
                  **kw: object) -> RdfCounts:
    """Write the records as (gzip) N-Triples; returns row and triple counts."""
    return write_rdf(plan, data, header(plan), nt_path,
                     dataset_link=(IS_PART_OF, plan.uris.dataset_uri),
                     **kw)  # type: ignore[arg-type]
