"""From a table and its mapping to RDF terms, column by column, vectorised.

A :class:`Plan` says, for every column, which property it becomes and how a
value becomes an RDF term (a code-list concept, a reference period, a URI
template or a typed literal). The writers (:mod:`cube`, :mod:`records`) and
the CSVW metadata (:mod:`csvw`) are all built from the same plan, so a CSVW
processor derives the same triples as our writer.

Terms are built per distinct value where a column repeats (codes, periods) and
with pyarrow string kernels otherwise, never per cell in Python: that is what
lets the writer reach millions of triples a second.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipelines.codelists import CodeList, load_codelist
from pipelines.convert.uris import (
    UriSets,
    as_strings,
    datetime_text,
    period_kind,
    period_string,
    segment,
)
from pipelines.errors import ConversionError, Location, Problem
from pipelines.spec import DatasetSpec
from pipelines.spec.linked_data import FIVESTAR_NS, PREFIXES, LinkedDataMapping, expand

XSD = PREFIXES["xsd"]
QB = PREFIXES["qb"]
RDF_TYPE = PREFIXES["rdf"] + "type"
SDMX_ATTR = PREFIXES["sdmx-attribute"]
SDMX_CODE = PREFIXES["sdmx-code"]
CONF_STATUS = SDMX_ATTR + "confStatus"
UNIT_MEASURE = SDMX_ATTR + "unitMeasure"
DEFAULT_UNIT = "http://qudt.org/vocab/unit/NUM"
CONF_COLUMN = "conf_status"
CONF_CODES = ("F", "C", "D")
REF_INTERVAL = "http://reference.data.gov.uk/def/intervals/Interval"

_SCHEMA_XSD = {
    "integer": "integer", "number": "decimal", "boolean": "boolean", "date": "date",
    "datetime": "dateTime", "year": "gYear", "yearmonth": "gYearMonth", "string": "string",
}
_GYM = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_GY = re.compile(r"^\d{4}$")


@dataclass
class Column:
    """How one column becomes RDF."""

    name: str
    property: str
    #: ``iri`` or ``literal``
    kind: str
    role: str | None = None
    #: xsd local name for literals (``integer``, ``date``…)
    datatype: str | None = None
    codelist: CodeList | None = None
    #: Absolute IRI template with ``{value}`` (code lists, periods, templates).
    template: str | None = None
    #: ``values`` of the mapping (``literal``, ``codelist``, ``period``, ``template``)
    values: str = "literal"
    label: str = ""
    description: str = ""
    unit: str | None = None
    #: The table column the values come from (differs from ``name`` for links).
    source: str = ""
    #: ``values: period``: the column's ``YYYY-YY`` values are financial years
    #: (:func:`pipelines.periods.reads_as_financial_years`), never months.
    financial_years: bool = False

    def __post_init__(self) -> None:
        self.source = self.source or self.name

    @property
    def is_link(self) -> bool:
        """A second triple from another column (a CSVW virtual column)."""
        return self.source != self.name

    @property
    def range(self) -> str:
        """rdfs:range for the property definition (Data Cube IC-4)."""
        if self.codelist is not None:
            return PREFIXES["skos"] + "Concept"
        if self.values == "period":
            return REF_INTERVAL
        if self.kind == "iri":
            return PREFIXES["rdfs"] + "Resource"
        return XSD + (self.datatype or "string")


@dataclass
class Plan:
    spec: DatasetSpec
    mapping: LinkedDataMapping
    uris: UriSets
    columns: list[Column]
    #: Fields whose values identify a row; empty means the 1-based row number.
    key: list[str]
    #: Path segment of things: ``{base}/id/<dataset>/<id_path>/…``
    id_path: str
    #: rdf:type of each row's subject.
    row_class: str
    is_cube: bool
    codelists: dict[str, CodeList] = field(default_factory=dict)

    @property
    def subject_prefix(self) -> str:
        return self.uris.thing(self.id_path) + "/"

    def about_template(self) -> str:
        """CSVW ``aboutUrl``: the same subject URIs as our writer."""
        if not self.key:
            return self.subject_prefix + "{_row}"
        return self.subject_prefix + "/".join("{" + k + "}" for k in self.key)

    def by_role(self, role: str) -> list[Column]:
        return [c for c in self.columns if c.role == role]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def table_columns(self) -> list[Column]:
        """Columns that are columns of the CSV (not links derived from one)."""
        return [c for c in self.columns if not c.is_link]


def _infer_roles(spec: DatasetSpec, df: Mapping[str, pd.Series]) -> dict[str, str]:
    """Default cube roles when the mapping names none: numbers measure, the rest dimensions."""
    roles = {}
    for name in list(df):
        if name == CONF_COLUMN:
            continue
        numeric = pd.api.types.is_numeric_dtype(df[name]) and not pd.api.types.is_bool_dtype(
            df[name])
        roles[name] = "measure" if numeric else "dimension"
    return roles


def build_plan(df: pd.DataFrame | Mapping[str, pd.Series], spec: DatasetSpec,
               mapping: LinkedDataMapping) -> Plan:
    """Resolve every column of ``df`` to a property and a way of writing its values.

    ``df`` is the table, or for a streamed one its column facts
    (:func:`~pipelines.convert.frames.column_facts`: per column, the values that
    decide its plan, in the column's dtype), which give the same plan.
    """
    schema = {f["name"]: f for f in spec.table_schema.fields}
    uris = UriSets(mapping.base(), spec.id)
    is_cube = spec.kind == "aggregate"
    roles = ({n: f.role for n, f in mapping.fields.items() if f.role}
             if mapping.fields else {}) if is_cube else {}
    if is_cube and not roles:
        roles = _infer_roles(spec, df)
    columns: list[Column] = []
    codelists: dict[str, CodeList] = {}
    for name in list(df):
        if name == CONF_COLUMN and is_cube:
            columns.append(Column(
                name=name, property=CONF_STATUS, kind="iri", role="attribute",
                template=SDMX_CODE + "confStatus-{value}", values="template",
                label="Confidentiality status",
                description="SDMX confidentiality status: F free, C primary suppression, "
                            "D secondary suppression."))
            continue
        fm = mapping.field(name)
        sf = schema.get(name, {})
        role = roles.get(name) if is_cube else None
        if is_cube and role is None:
            raise ConversionError(Problem("mapping", "column has no cube role",
                                          Location(field=name)))
        col = Column(name=name, property=fm.property_uri(name), kind="literal", role=role,
                     values=fm.values, label=fm.label or sf.get("title") or name,
                     description=sf.get("description", ""))
        stem = sf.get("codelist")
        values = fm.values
        if stem and values == "literal" and fm.property is None:
            values = "codelist"  # a coded field links to its concepts unless told otherwise
        col.values = values
        if values == "codelist":
            if not stem:
                raise ConversionError(Problem("mapping", "`values: codelist` needs a schema "
                                              "`codelist`", Location(field=name)))
            cl = codelists.get(stem) or load_codelist(stem)
            codelists[stem] = cl
            col.kind, col.codelist, col.template = "iri", cl, cl.template()
        elif values == "period":
            col.financial_years = _financial_years(df[name], spec)
            kind = period_kind(period_string(df[name]), col.financial_years)
            col.kind = "iri"
            col.template = f"http://reference.data.gov.uk/id/{kind}/{{value}}" if kind else None
        elif values == "template":
            col.kind, col.template = "iri", fm.template
        else:
            col.datatype = _datatype(df[name], sf.get("type", "string"))
        if role == "measure":
            col.unit = expand(fm.unit) if fm.unit else DEFAULT_UNIT
        columns.append(col)
        if fm.link is not None:
            link = Column(name=f"{name}_link", source=name, property=expand(fm.link.property),
                          kind="iri", values=fm.link.values, label=f"{col.label} (link)")
            if fm.link.values == "period":
                link.financial_years = _financial_years(df[name], spec)
                kind = period_kind(period_string(df[name]), link.financial_years)
                link.template = (f"http://reference.data.gov.uk/id/{kind}/{{value}}"
                                 if kind else None)
            else:
                link.template = fm.link.template
            columns.append(link)
    if is_cube:
        dims = [c.name for c in columns if c.role == "dimension"]
        key = list(mapping.key) or dims
    else:
        key = list(mapping.key) or [k for k in spec.table_schema.primary_key if k in df]
    row_class = (expand(mapping.class_) if mapping.class_
                 else QB + "Observation" if is_cube else FIVESTAR_NS + "Record")
    if is_cube and row_class != QB + "Observation":
        raise ConversionError(Problem("mapping", "an aggregate dataset's rows are "
                                      "qb:Observations; `class` is for record datasets"))
    id_path = mapping.id_path or ("observation" if is_cube else "record")
    return Plan(spec=spec, mapping=mapping, uris=uris, columns=columns, key=key,
                id_path=id_path, row_class=row_class, is_cube=is_cube, codelists=codelists)


def _datatype(s: pd.Series, schema_type: str) -> str:
    """The xsd datatype of a literal column, from its dtype first (redaction may generalise)."""
    if pd.api.types.is_bool_dtype(s):
        return "boolean"
    if pd.api.types.is_integer_dtype(s):
        return "integer"
    if pd.api.types.is_float_dtype(s):
        return "decimal"
    if pd.api.types.is_datetime64_any_dtype(s):
        nn = s.dropna()
        if len(nn) and (nn.dt.normalize() != nn).any():
            return "dateTime"
        return "date"
    if schema_type in ("date", "datetime", "yearmonth", "year"):
        vals = s.dropna().astype(str)
        if len(vals) and vals.str.match(_GYM).all():
            return "gYearMonth"
        if len(vals) and vals.str.match(_GY).all():
            return "gYear"
        if len(vals) and vals.str.match(r"^\d{4}-\d{2}-\d{2}$").all():
            return "date"
        return "string"
    return _SCHEMA_XSD.get(schema_type, "string") if schema_type not in (
        "integer", "number", "boolean") else "string"


# -- vectorised terms --------------------------------------------------------


def arrow_text(df: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
    """Text columns in Arrow storage, converted once rather than once per chunk.

    Only columns that hold strings (Python-backed ``string`` dtype, or object
    columns pandas infers as strings) are converted; the frame is not copied
    when there is nothing to convert.
    """
    names = list(df.columns) if columns is None else list(dict.fromkeys(columns))
    convert = {c: pd.StringDtype("pyarrow") for c in names
               if c in df.columns and (
                   (isinstance(df[c].dtype, pd.StringDtype) and df[c].dtype.storage != "pyarrow")
                   or (df[c].dtype == object
                       and pd.api.types.infer_dtype(df[c], skipna=True) == "string"))}
    return df.astype(convert) if convert else df


def _escape(arr: pa.Array) -> pa.Array:
    """N-Triples string escaping (backslash, quote, LF, CR) with pyarrow kernels."""
    for old, new in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r")):
        arr = pc.replace_substring(arr, old, new)
    return arr


def lexical(s: pd.Series, datatype: str) -> pa.Array:
    """Canonical-enough lexical forms of a column (nulls stay null)."""
    if datatype == "boolean":
        return pc.if_else(pa.array(s.astype("boolean")), "true", "false")
    if datatype in ("date", "dateTime") and pd.api.types.is_datetime64_any_dtype(s):
        fmt = "%Y-%m-%d" if datatype == "date" else "%Y-%m-%dT%H:%M:%S"
        return datetime_text(s, fmt)
    if datatype == "decimal":
        arr = pa.array(s.astype("Float64"), type=pa.float64())
        text = pc.cast(arr, pa.string())
        # xsd:decimal has no exponent form; rare huge/tiny values are spelled out.
        if pc.any(pc.match_substring(text, "e")).as_py():
            vals = [None if v is None else format(v, "f") for v in arr.to_pylist()]
            text = pa.array(vals, type=pa.string())
        return text
    if datatype == "integer":
        return pc.cast(pa.array(s.astype("Int64"), type=pa.int64()), pa.string())
    return contiguous(pa.array(as_strings(s), type=pa.string()))


def contiguous(arr: pa.Array | pa.ChunkedArray) -> pa.Array:
    """One array (Arrow-backed pandas columns convert to a chunked array)."""
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


@dataclass
class ObjectPieces:
    """A column chunk's objects, ready to be spliced into lines by the writer.

    IRI columns come as their few distinct terms plus an index per row (``-1``
    where there is no value), so each distinct IRI is formatted once per chunk;
    literal columns come as their lexical forms (null where there is no value),
    to be wrapped in ``"…"`` and followed by ``suffix`` (``^^<datatype>``).
    """

    terms: list[str] | None = None
    indices: np.ndarray | None = None
    lexical: pa.Array | None = None
    datatype: str | None = None

    @property
    def is_iri(self) -> bool:
        return self.terms is not None

    def valid(self) -> np.ndarray:
        """Rows that have a value (a triple is written only for those)."""
        if self.indices is not None:
            return self.indices >= 0
        assert self.lexical is not None
        return self.lexical.is_valid().to_numpy(zero_copy_only=False)


def object_pieces(col: Column, s: pd.Series) -> ObjectPieces:
    """The objects of one column chunk; see :class:`ObjectPieces`."""
    if col.kind == "iri":
        text = period_string(s) if col.values == "period" else as_strings(s)
        encoded = pc.dictionary_encode(contiguous(pa.array(text, type=pa.string())))
        terms = ["<" + iri_for(col, u) + ">" for u in encoded.dictionary.to_pylist()]
        indices = pc.fill_null(encoded.indices, -1).to_numpy().astype(np.int64)
        return ObjectPieces(terms=terms, indices=indices)
    if col.datatype in (None, "string"):
        return ObjectPieces(lexical=_escape(lexical(s, "string")))
    return ObjectPieces(lexical=lexical(s, col.datatype), datatype=XSD + col.datatype)


def _financial_years(values: pd.Series, spec: DatasetSpec) -> bool:
    """Whether a period column's ``YYYY-YY`` values are financial years (whole column)."""
    from pipelines.periods import reads_as_financial_years

    texts = [str(v) for v in pd.unique(period_string(values).dropna())]
    return reads_as_financial_years(texts, spec.release.frequency)


def iri_for(col: Column, value: str) -> str:
    """The IRI of one value of an IRI-valued column (raises for an unknown code)."""
    if col.codelist is not None:
        uri = col.codelist.concepts.get(value)
        if uri is None:
            raise ConversionError(Problem(
                "not-in-codelist", f"a value is not a notation of code list "
                f"`{col.codelist.stem}` (validation should have caught it)",
                Location(field=col.name)))
        return uri
    if col.values == "period":
        from pipelines.convert.uris import period_uri

        uri = period_uri(value, col.financial_years)
        if uri is None:
            raise ConversionError(Problem("period", "a period is not a year, quarter, month, "
                                          "day or financial year", Location(field=col.name)))
        return uri
    assert col.template is not None
    return col.template.replace("{value}", segment(value))


def subject_terms(plan: Plan, df: pd.DataFrame, row_offset: int) -> pa.Array:
    """``<{base}/id/<dataset>/<id_path>/<key…>>`` for every row of a chunk."""
    from pipelines.convert.splice import Splicer

    prefix = "<" + plan.subject_prefix
    if not plan.key:
        rows = pa.array(np.arange(row_offset + 1, row_offset + len(df) + 1))
        return pc.binary_join_element_wise(prefix, pc.cast(rows, pa.string()), ">", "")
    splicer = Splicer(len(df))
    splicer.const(prefix)
    for i, k in enumerate(plan.key):
        s = df[k]
        if pd.api.types.is_datetime64_any_dtype(s):
            s = pd.Series(pd.arrays.ArrowStringArray(datetime_text(s, "%Y-%m-%d")))
        if i:
            splicer.const("/")
        encoded = pc.dictionary_encode(contiguous(pa.array(as_strings(s), type=pa.string())),
                                       null_encoding="encode")
        segs = [segment(u) if u is not None else "_" for u in encoded.dictionary.to_pylist()]
        splicer.lookup(segs, encoded.indices.to_numpy())
    splicer.const(">")
    return splicer.per_row()
