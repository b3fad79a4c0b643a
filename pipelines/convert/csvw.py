"""CSVW metadata (W3C Metadata Vocabulary for Tabular Data) for the CSV.

Built from the same :class:`~pipelines.convert.terms.Plan` as the RDF writer:
``aboutUrl`` mints the same subject URIs, each column's ``propertyUrl`` is the
same property, and ``valueUrl`` templates produce the same links (code-list
concepts, reference periods, SDMX confidentiality codes), so a CSVW processor
in standard mode derives the same triples as our writer. Two documented
differences: a formula-neutralised text cell keeps its leading apostrophe in
CSVW output, and the header triples (structure definition) are only in our
Turtle/N-Triples files.

The ``@context`` is the standard's URL string only: processors recognise it
by name and nothing is fetched.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipelines.convert.terms import CONF_COLUMN, RDF_TYPE, Plan

CSVW_CONTEXT = "http://www.w3.org/ns/csvw"

_CSVW_TYPES = {"integer": "integer", "decimal": "decimal", "boolean": "boolean",
               "date": "date", "dateTime": "datetime", "gYear": "gYear",
               "gYearMonth": "gYearMonth", "string": "string"}


def metadata(plan: Plan, csv_name: str, marker: str, dataset_link: tuple[str, str]) -> dict:
    """The CSVW metadata document for ``csv_name``."""
    spec = plan.spec
    columns: list[dict[str, Any]] = []
    #: CSVW requires virtual columns after every real one.
    virtual: list[dict[str, Any]] = []
    suppressible = CONF_COLUMN in [c.name for c in plan.columns]
    for col in plan.columns:
        if col.is_link:
            if col.template:
                virtual.append({"name": col.name, "virtual": True,
                                "propertyUrl": col.property,
                                "valueUrl": col.template.replace("{value}",
                                                                 "{" + col.source + "}")})
            continue
        c: dict[str, Any] = {"name": col.name, "titles": col.name,
                             "propertyUrl": col.property, "required": False}
        if col.label and col.label != col.name:
            c["dc:title"] = col.label
        if col.description:
            c["dc:description"] = col.description
        if col.kind == "iri":
            c["datatype"] = "string"
            if col.template:
                c["valueUrl"] = col.template.replace("{value}", "{" + col.name + "}")
        else:
            c["datatype"] = _CSVW_TYPES.get(col.datatype or "string", "string")
        if col.role == "measure" and suppressible:
            c["null"] = ["", marker]
        if col.name in plan.key:
            c["required"] = True
        columns.append(c)
    pred, target = dataset_link
    columns += virtual
    columns.append({"name": "row_type", "virtual": True, "propertyUrl": RDF_TYPE,
                    "valueUrl": plan.row_class})
    columns.append({"name": "in_dataset", "virtual": True, "propertyUrl": pred,
                    "valueUrl": target})
    schema: dict[str, Any] = {"columns": columns, "aboutUrl": plan.about_template()}
    if plan.key:
        schema["primaryKey"] = list(plan.key)
    return {
        "@context": [CSVW_CONTEXT, {"@language": "en"}],
        "@id": plan.uris.doc(f"{spec.id}.csv-metadata.json"),
        "url": csv_name,
        "dc:title": spec.title,
        "dc:description": spec.description,
        "dc:license": {"@id": spec.licence_url},
        "dc:publisher": {"@id": spec.publisher.uri},
        "dcat:keyword": list(spec.keywords),
        "dialect": {"header": True, "encoding": "utf-8", "lineTerminators": ["\r\n", "\n"]},
        "tableSchema": schema,
    }


def write_metadata(plan: Plan, path: Path, csv_name: str, marker: str,
                   dataset_link: tuple[str, str]) -> dict:
    doc = metadata(plan, csv_name, marker, dataset_link)
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return doc
