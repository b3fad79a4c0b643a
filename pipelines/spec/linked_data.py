"""The ``linked_data:`` section of a dataset.yaml, as a strict pydantic model.

The mapping is what makes a new dataset need no Python: it says which columns
are the dimensions, measures and attributes of a Data Cube (aggregate
datasets) or the properties of a typed record (record datasets), which RDF
property each uses, and how a value becomes a link (a SKOS concept from the
field's code list, a reference time interval, or a URI template such as the
Ordnance Survey postcode-district set). Strict (``extra="forbid"``) so a typo
is a spec error naming ``linked_data.fields.<name>.<key>`` before anything runs.

Example (aggregate)::

    linked_data:
      id_path: observation             # {base}/id/<dataset>/observation/<key…>
      spatial: http://statistics.data.gov.uk/id/statistical-geography/K04000001
      spatial_label: England and Wales
      fields:
        period: {role: dimension, property: fivestar:period, values: period}
        police_force_area: {role: dimension, property: fivestar:policeForceArea,
                            values: codelist}
        offence_group: {role: dimension, property: fivestar:offenceGroup, values: codelist}
        count: {role: measure, property: fivestar:count,
                unit: http://qudt.org/vocab/unit/NUM}

Example (record)::

    linked_data:
      class: fivestar:FoiRequest
      id_path: foi-request
      fields:
        case_id: {property: dcterms:identifier}
        received_date: {property: dcterms:dateSubmitted}
        supplier_postcode:
          values: template
          template: http://data.ordnancesurvey.co.uk/id/postcodedistrict/{value}
"""

from __future__ import annotations

import os
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

#: Default base URI of the department's URI sets (overridden by the mapping or
#: ``FIVESTAR_BASE_URI``).
DEFAULT_BASE_URI = "https://data.homeoffice.gov.uk"

#: The project's own vocabulary (``vocabularies/fivestar.ttl``). Vocabulary
#: terms are defined once, so this namespace does not follow the base URI.
FIVESTAR_NS = "https://data.homeoffice.gov.uk/def/fivestar/"

#: Prefixes a mapping may use in CURIEs (closed: an unknown prefix is an error).
PREFIXES: dict[str, str] = {
    "fivestar": FIVESTAR_NS,
    "qb": "http://purl.org/linked-data/cube#",
    "sdmx-dimension": "http://purl.org/linked-data/sdmx/2009/dimension#",
    "sdmx-measure": "http://purl.org/linked-data/sdmx/2009/measure#",
    "sdmx-attribute": "http://purl.org/linked-data/sdmx/2009/attribute#",
    "sdmx-code": "http://purl.org/linked-data/sdmx/2009/code#",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "https://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "org": "http://www.w3.org/ns/org#",
    "interval": "http://reference.data.gov.uk/def/intervals/",
    "qudt-unit": "http://qudt.org/vocab/unit/",
}

_CURIE = re.compile(r"^([a-z][a-z0-9-]*):([A-Za-z_][A-Za-z0-9_.-]*)$")
_ABS = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")
_SEGMENT = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def expand(term: str) -> str:
    """A CURIE (``fivestar:count``) or absolute http(s) URI, as an absolute URI."""
    if _ABS.match(term):
        return term
    m = _CURIE.match(term)
    if not m or m.group(1) not in PREFIXES:
        raise ValueError(f"`{term}` is neither an http(s) URI nor a CURIE with a known prefix "
                         f"({', '.join(sorted(PREFIXES))})")
    return PREFIXES[m.group(1)] + m.group(2)


def camel(name: str) -> str:
    """``police_force_area`` → ``policeForceArea`` (default fivestar property names)."""
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True,
                              use_attribute_docstrings=True)


class LinkMapping(_Strict):
    """A second triple from the same column: a link beside the literal value.

    E.g. a record's date stays an ``xsd:date`` literal under ``dcterms:date``
    and also links to the reference day interval under ``fivestar:dateInterval``.
    """

    property: str
    """The linking property (CURIE or URI)."""
    values: Literal["period", "template"] = "period"
    """``period``: the reference.data.gov.uk interval holding the value; ``template``:
    the URI made by ``template``."""
    template: str | None = None
    """For ``values: template``: an absolute URI template with ``{value}``."""

    @field_validator("property")
    @classmethod
    def _term(cls, v: str) -> str:
        expand(v)
        return v

    @model_validator(mode="after")
    def _template(self) -> LinkMapping:
        if self.values == "template" and (not self.template or "{value}" not in self.template
                                          or not _ABS.match(self.template.replace("{value}",
                                                                                  "x"))):
            raise ValueError("`values: template` needs an absolute `template` with `{value}`")
        if self.values != "template" and self.template is not None:
            raise ValueError("`template` is only used with `values: template`")
        return self


class FieldMapping(_Strict):
    """How one column becomes RDF."""

    role: Literal["dimension", "measure", "attribute"] | None = None
    """Cube role (aggregate datasets); record datasets leave it unset."""
    property: str | None = None
    """RDF property (CURIE or URI); default ``fivestar:<camelCaseName>``."""
    values: Literal["literal", "codelist", "period", "template"] = "literal"
    """``literal`` (typed by the Table Schema), ``codelist`` (the field's SKOS concept),
    ``period`` (reference.data.gov.uk time interval), ``template``.
    """
    template: str | None = None
    """For ``values: template``: an absolute URI template with ``{value}``."""
    label: str | None = None
    """The column's label in the RDF and CSVW (default: the field's ``title``, else its name)."""
    unit: str | None = None
    """Measures: unit of measure URI (sdmx-attribute:unitMeasure)."""
    link: LinkMapping | None = None
    """Also link the value to an external URI set (records: dates → reference days)."""

    @field_validator("property", "unit")
    @classmethod
    def _term(cls, v: str | None) -> str | None:
        if v is not None:
            expand(v)
        return v

    @model_validator(mode="after")
    def _template(self) -> FieldMapping:
        if self.values == "template":
            if not self.template or "{value}" not in self.template:
                raise ValueError("`values: template` needs `template` containing `{value}`")
            if not _ABS.match(self.template.replace("{value}", "x")):
                raise ValueError("`template` must be an absolute http(s) URI template")
        elif self.template is not None:
            raise ValueError("`template` is only used with `values: template`")
        if self.unit is not None and self.role != "measure":
            raise ValueError("`unit` is only for measures")
        if self.link is not None and self.role is not None:
            raise ValueError("`link` is for record datasets (a cube column has one role)")
        return self

    def property_uri(self, name: str) -> str:
        return expand(self.property) if self.property else FIVESTAR_NS + camel(name)


class LinkedDataMapping(_Strict):
    """The whole ``linked_data:`` section."""

    base_uri: str | None = None
    """Base of the ``/id/`` and ``/doc/`` URI sets for this dataset."""
    id_path: str | None = None
    """Path segment naming the things a row describes: ``{base}/id/<dataset>/<id_path>/…``."""
    class_: str | None = Field(None, alias="class")
    """Record datasets: the rdf:type of every record."""
    key: list[str] = Field(default_factory=list)
    """Fields whose values identify a row (default: the schema's primaryKey, or the cube's
    dimensions).
    """
    spatial: str | None = None
    """Spatial coverage (an ONS statistical-geography URI, say) and its label."""
    spatial_label: str | None = None
    """The label of ``spatial``, e.g. ``England and Wales``."""
    temporal_field: str | None = None
    """Record datasets: the date field whose range is the temporal coverage."""
    fields: dict[str, FieldMapping] = Field(default_factory=dict)
    """How each column becomes RDF; aggregate datasets map every published column."""

    @field_validator("base_uri")
    @classmethod
    def _base(cls, v: str | None) -> str | None:
        if v is not None and (not _ABS.match(v) or v.endswith("/")):
            raise ValueError("must be an absolute http(s) URI without a trailing slash")
        return v

    @field_validator("id_path")
    @classmethod
    def _segment(cls, v: str | None) -> str | None:
        if v is not None and not _SEGMENT.match(v):
            raise ValueError("must be a lowercase slug (a URI path segment)")
        return v

    @field_validator("class_", "spatial")
    @classmethod
    def _uri(cls, v: str | None) -> str | None:
        if v is not None:
            expand(v)
        return v

    def references(self, schema: dict[str, dict], kind: str,
                   dropped: set[str]) -> list[tuple[str, str]]:
        """Disagreements with the Table Schema: ``(path, message)`` pairs.

        ``schema`` maps field name to its Table Schema descriptor; ``dropped``
        names the fields redaction removes. Checked by
        :class:`pipelines.spec.DatasetSpec`, which holds every section.
        """
        out: list[tuple[str, str]] = []
        for name, fm in self.fields.items():
            where = f"linked_data.fields.{name}"
            if name not in schema:
                out.append((where, f"fields.{name}: not a schema field"))
            elif fm.values == "codelist" and not schema[name].get("codelist"):
                out.append((where, f"fields.{name}: `values: codelist` but the schema field "
                            "has no `codelist`"))
        for name in [*self.key, *([self.temporal_field] if self.temporal_field else [])]:
            if name not in schema:
                out.append(("linked_data", f"`{name}` is not a schema field"))
        if kind == "aggregate" and self.fields:
            roles = {fm.role for fm in self.fields.values()}
            if "dimension" not in roles or "measure" not in roles:
                out.append(("linked_data.fields", "an aggregate dataset needs at least one "
                            "`role: dimension` and one `role: measure` field"))
            unmapped = [n for n in schema if n not in self.fields and n not in dropped]
            if unmapped:
                out.append(("linked_data.fields",
                            f"every column of a cube needs a role; unmapped: {unmapped}"))
        else:
            for name, fm in self.fields.items():
                if fm.role is not None:
                    out.append((f"linked_data.fields.{name}.role",
                                f"fields.{name}: `role` is for aggregate datasets"))
        return out

    # -- derived -----------------------------------------------------------
    def base(self) -> str:
        """Mapping's base URI, else ``FIVESTAR_BASE_URI``, else the department default."""
        return (self.base_uri or os.environ.get("FIVESTAR_BASE_URI")
                or DEFAULT_BASE_URI).rstrip("/")

    def field(self, name: str) -> FieldMapping:
        return self.fields.get(name) or FieldMapping()

    def names(self, role: str) -> list[str]:
        return [n for n, f in self.fields.items() if f.role == role]
