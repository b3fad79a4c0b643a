"""The ``redaction:`` section of a dataset.yaml, as a strict pydantic model.

Strict on purpose (``extra="forbid"``, closed rule and placeholder names): a
typo in a redaction rule must be a spec error found before anything runs,
never a rule that silently does nothing and lets personal data through.

Example (record dataset)::

    redaction:
      fields:
        requester_name: {rule: drop}
        requester_email: {rule: drop}
        requester_postcode: {rule: generalise, to: postcode_district}
        received_date: {rule: generalise, to: month}
        case_id: {rule: pseudonymise}
        request_summary: {rule: scrub, names_from: [requester_name]}
        supplier_name:
          rule: replace
          value: "REDACTED – individual"
          when: {supplier_type: individual}

Example (aggregate dataset)::

    redaction:
      sdc:
        measure: count
        threshold: 10
        zero: publish
        marker: "[c]"
        dimensions:
          period: {}
          police_force_area: {total: K04000001}
          offence_group: {total: all-offences}
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

#: The CSV marker for a suppressed cell when the spec names none (ONS practice).
DEFAULT_MARKER = "[c]"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class Placeholder(StrEnum):
    """Typed placeholders written in place of personal data found in free text."""

    EMAIL = "EMAIL"
    PHONE = "PHONE"
    NINO = "NINO"
    POSTCODE = "POSTCODE"
    GWF_REF = "GWF_REF"
    PASSPORT = "PASSPORT"
    DATE_OF_BIRTH = "DATE_OF_BIRTH"
    IP = "IP"
    CARD = "CARD"
    VEHICLE_REG = "VEHICLE_REG"
    NAME = "NAME"
    #: A house number and street (``14 Mill Lane``, ``Flat 2, 7 Heol y Coed``).
    ADDRESS = "ADDRESS"

    @property
    def token(self) -> str:
        return f"[{self.value}]"


#: Condition on other fields of the same record: field -> value or list of values.
When = dict[str, str | int | bool | list[str | int | bool]]


class _Rule(_Strict):
    when: When | None = None
    """Apply the rule only to rows matching every condition (others are left alone)."""


class Drop(_Strict):
    """Remove the field from the output entirely."""

    rule: Literal["drop"]
    """The rule's name."""


class Keep(_Strict):
    """Publish unchanged; explicit so a reviewer sees the decision was made."""

    rule: Literal["keep"]
    """The rule's name."""
    reason: str | None = None
    """Why the field is safe to publish (shown in the redaction report)."""


class Pseudonymise(_Rule):
    """Keyed HMAC-SHA256: stable across releases, irreversible without the key."""

    rule: Literal["pseudonymise"]
    """The rule's name."""
    length: int = Field(16, ge=12, le=64)
    """Hex characters kept from the digest (16 = 64 bits; enough to avoid collisions)."""
    prefix: str = ""
    """Text put before every pseudonym (e.g. ``P-``), so readers see it is one."""


class GeneraliseTo(StrEnum):
    month = "month"
    quarter = "quarter"
    year = "year"
    postcode_district = "postcode_district"
    postcode_sector = "postcode_sector"
    age_band = "age_band"
    band = "band"


class Generalise(_Rule):
    """Coarsen a value: dates to periods, postcodes to district/sector, numbers to bands."""

    rule: Literal["generalise"]
    """The rule's name."""
    to: GeneraliseTo
    """What to coarsen to: a date's month, quarter or year; a postcode's district
    (``SW1A``) or sector (``SW1A 1``); a number's band (``bands``) or age band
    (default edges 0, 18, 25, 35, 45, 55, 65)."""
    bands: list[float] | None = None
    """Band edges (ascending) for ``age_band`` / ``band``: [0, 18, 25] → "0-17", "18-24",
    "25+".
    """

    @model_validator(mode="after")
    def _bands(self) -> Generalise:
        if self.to in (GeneraliseTo.band, GeneraliseTo.age_band):
            if self.to == GeneraliseTo.band and not self.bands:
                raise ValueError("generalise to `band` needs `bands` (ascending edges)")
            edges = self.bands or []
            if any(b >= a for a, b in zip(edges[1:], edges[:-1], strict=False)):
                raise ValueError("`bands` must be strictly ascending")
        elif self.bands is not None:
            raise ValueError(f"`bands` only applies to `band` / `age_band`, not `{self.to}`")
        return self


class Scrub(_Rule):
    """Replace personal data inside free text with typed placeholders."""

    rule: Literal["scrub"]
    """The rule's name."""
    types: list[Placeholder] = Field(default_factory=lambda: list(Placeholder))
    """Placeholder types to look for; default all of them."""
    names_from: list[str] = Field(default_factory=list)
    """Other fields of the same record holding names to remove from this text."""
    names_when: When | None = None
    """Use ``names_from`` only on rows matching this (e.g. supplier_type: individual, so a
    company's name is not removed from its own invoice description).
    """


class Replace(_Rule):
    """Replace the whole value with a constant (typically under a ``when`` condition)."""

    rule: Literal["replace"]
    """The rule's name."""
    value: str = "[NAME]"
    """The text published in place of every value the rule applies to."""


FieldRule = Annotated[
    Drop | Keep | Pseudonymise | Generalise | Scrub | Replace, Field(discriminator="rule")
]


class Dimension(_Strict):
    """A dimension of an aggregate table and how its codes add up.

    A dimension with no hierarchy splits the data into independent tables
    (e.g. ``period``). ``total`` names the code that is the sum of every other
    code of the dimension; ``parents`` declares a deeper hierarchy
    (parent -> children); ``codelist: true`` reads skos:broader/skos:narrower
    from the field's SKOS code list (any depth: force area -> region -> country).
    """

    total: str | None = None
    """The code of this dimension's total (the sum of every other code)."""
    parents: dict[str, list[str]] = Field(default_factory=dict)
    """A deeper hierarchy: each parent code with the codes that add up to it."""
    codelist: bool = False
    """Read the hierarchy (``skos:broader`` / ``skos:narrower``) from the field's code
    list."""


class Totals(StrEnum):
    """Where the margins of the table come from."""

    #: fivestar adds every margin and the grand total, summed from the detailed
    #: cells; total rows already in the extract must equal the sum of their parts.
    computed = "computed"
    #: The extract holds every total row; each must equal the sum of its parts.
    supplied = "supplied"


class Method(StrEnum):
    """The disclosure-control method (one per dataset)."""

    suppression = "suppression"
    rounding = "rounding"
    perturbation = "perturbation"


class Loss(StrEnum):
    """Information loss minimised by secondary suppression."""

    #: the number of cells suppressed
    cells = "cells"
    #: the total value of the cells suppressed (tau-Argus's default cost)
    value = "value"


class Level(_Strict):
    """``max(percent % of the cell's true value, min)``: one protection requirement."""

    percent: float = Field(0, ge=0, le=100)
    """The requirement as a percentage of the cell's true value."""
    min: int = Field(0, ge=0)
    """The requirement's floor, in the measure's units."""

    def of(self, value: float) -> float:
        return max(self.percent / 100.0 * value, float(self.min))


class Protection(_Strict):
    """Protection interval every primary cell must keep against an exact attacker.

    In tau-Argus / sdcTable terms: ``upper`` and ``lower`` are the upper and
    lower protection levels (the attacker's feasible maximum must reach at
    least value + upper, the minimum at most value - lower, each capped by
    what the cell's status already reveals), ``width`` is the sliding
    protection range (feasible maximum - minimum). The attacker knows every
    published cell, every margin equation (across linked tables), that counts
    are non-negative integers, rounding, and what status codes reveal.
    """

    width: Level = Field(default_factory=lambda: Level(min=1))
    """Sliding protection range: how wide the attacker's interval must stay."""
    upper: Level = Field(default_factory=Level)
    """Upper protection level: how far above the true value the interval must reach."""
    lower: Level = Field(default_factory=Level)
    """Lower protection level: how far below the true value the interval must reach."""


class Perturbation(_Strict):
    """Cell-key perturbation (ONS Census 2021 style) of counts from records."""

    key_range: int = Field(256, ge=16, le=1 << 20)
    """Record keys are integers 0 .. key_range-1; cell key = sum of record keys mod
    key_range.
    """
    record_id: str
    """Stable record identifier (a schema field): record key = keyed hash of it."""
    ptable: list[dict[str, float]] | None = None
    """The perturbation table, inline: rows of {i, j, p} (original value i, published value
    j, probability p); values above the largest i use the largest i's row.
    """
    ptable_file: str | None = None
    """... or a CSV file with columns i, j, p, relative to the dataset folder."""

    @model_validator(mode="after")
    def _one_ptable(self) -> Perturbation:
        if (self.ptable is None) == (self.ptable_file is None):
            raise ValueError("give exactly one of `ptable` (inline rows) or `ptable_file`")
        return self


class SDC(_Strict):
    """Statistical disclosure control for an aggregate table."""

    method: Method = Method.suppression
    """suppression (with secondary suppression to protection intervals), rounding (every
    published count to ``rounding``) or perturbation (cell key).
    """
    measure: str
    """The count column to protect."""
    threshold: int = Field(10, ge=2)
    """Counts 1 .. threshold-1 are sensitive (primary suppression)."""
    zero: Literal["publish", "suppress"] = "publish"
    """Zero counts: published as 0, or suppressed like small counts."""
    marker: str = "[c]"
    """Shown in the CSV in place of a suppressed value."""
    rounding: int | None = Field(None, ge=2)
    """Round published counts to this base (e.g. 5): the method ``rounding``, or after
    suppression.
    """
    totals: Totals = Totals.computed
    """Margins computed by fivestar or supplied in the extract."""
    protection: Protection = Field(default_factory=Protection)
    """What every primary cell's feasible interval must keep."""
    loss: Loss = Loss.value
    """What secondary suppression minimises."""
    tables: list[list[str]] | None = None
    """Linked tables published from the one extract: each a list of dimensions; a dimension
    left out of a table is at its total there. Default: one table with every dimension.
    """
    from_records: bool = False
    """Record-level input: count the records per cell. The ``measure`` is still declared
    in ``schema.fields`` (an integer: it describes the published column) but the
    extract has no such column; its rows are records.
    """
    perturbation: Perturbation | None = None
    """Method ``perturbation``: the cell-key settings."""
    dimensions: dict[str, Dimension]
    """Every dimension column of the table, with how its codes add up."""

    @model_validator(mode="after")
    def _consistent(self) -> SDC:
        if self.method == Method.rounding and not self.rounding:
            raise ValueError("method `rounding` needs `rounding` (the base, e.g. 5)")
        if self.method == Method.perturbation:
            if self.perturbation is None:
                raise ValueError("method `perturbation` needs a `perturbation` section")
            if not self.from_records:
                raise ValueError("method `perturbation` needs record-level input "
                                 "(`from_records: true`): cell keys sum record keys")
        elif self.perturbation is not None:
            raise ValueError("`perturbation` is only used with method `perturbation`")
        lb = 0 if self.zero == "suppress" else 1
        span = self.threshold - 1 - lb
        p = self.protection
        for name, level in (("width", p.width), ("upper", p.upper), ("lower", p.lower)):
            need = level.of(self.threshold - 1) if name == "width" else 0
            if need > span:
                raise ValueError(
                    f"protection.{name} asks for a feasible interval wider than a suppressed "
                    f"cell can have: the status reveals it lies in {lb}..{self.threshold - 1}")
        for i, table in enumerate(self.tables or []):
            unknown = [d for d in table if d not in self.dimensions]
            if unknown:
                raise ValueError(f"tables[{i}] names `{unknown[0]}`, not an sdc dimension")
            if len(set(table)) != len(table) or not table:
                raise ValueError(f"tables[{i}] must list distinct dimensions")
            for d, decl in self.dimensions.items():
                if d not in table and not (decl.total or decl.parents or decl.codelist):
                    raise ValueError(f"tables[{i}] leaves out `{d}`, which has no total")
        return self


class RedactionRules(_Strict):
    """The whole ``redaction:`` section."""

    fields: dict[str, FieldRule] = Field(default_factory=dict)
    """A rule per field (personal data); a field without one is published unchanged."""
    sdc: SDC | None = None
    """Statistical disclosure control of an aggregate table."""
    allow_terms: list[Annotated[str, Field(min_length=2)]] = Field(default_factory=list)
    """Proper nouns this dataset's free text may publish (a town, a police force, a
    programme): never replaced by ``[NAME]`` alone, and explained to the verifier. The
    schema's ``enum`` values are allowed too.
    """

    @model_validator(mode="after")
    def _sdc_dims_not_dropped(self) -> RedactionRules:
        if self.sdc:
            for col in [self.sdc.measure, *self.sdc.dimensions]:
                if isinstance(self.fields.get(col), Drop):
                    raise ValueError(f"`{col}` is used by sdc and cannot be dropped")
        return self

    @property
    def marker(self) -> str:
        """What the CSV shows in place of a suppressed cell."""
        return self.sdc.marker if self.sdc is not None else DEFAULT_MARKER

    def dropped(self) -> set[str]:
        """Fields the rules remove from the output."""
        return {name for name, rule in self.fields.items() if isinstance(rule, Drop)}

    def references(self, schema_names: set[str]) -> list[tuple[str, str]]:
        """Field names the rules use that the Table Schema lacks: ``(path, message)`` pairs.

        Checked by :class:`pipelines.spec.DatasetSpec`, which holds both sections.
        """
        out: list[tuple[str, str]] = []
        for field, rule in self.fields.items():
            where = f"redaction.fields.{field}"
            if field not in schema_names:
                out.append((where, f"rule for `{field}`, which is not a schema field"))
            for other in getattr(rule, "names_from", []):
                if other not in schema_names:
                    out.append((f"{where}.names_from",
                                f"`{field}`.names_from names `{other}`, not a schema field"))
            for other in [*(getattr(rule, "when", None) or {}),
                          *(getattr(rule, "names_when", None) or {})]:
                if other not in schema_names:
                    out.append((f"{where}.when",
                                f"`{field}`.when names `{other}`, not a schema field"))
        if self.sdc is not None:
            for col in [self.sdc.measure, *self.sdc.dimensions]:
                if col not in schema_names:
                    out.append(("redaction.sdc", f"sdc names `{col}`, which is not a schema field"))
        return out


def allowed_terms(spec: Any, rules: RedactionRules) -> list[str]:
    """The spec's ``allow_terms`` plus the string ``enum`` values of its schema fields."""
    terms = list(rules.allow_terms)
    for f in spec.table_schema.fields:
        terms += [v for v in (f.get("constraints") or {}).get("enum", []) if isinstance(v, str)]
    return terms
