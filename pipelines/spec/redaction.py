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
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

#: The CSV marker for a suppressed cell when the spec names none (ONS practice).
DEFAULT_MARKER = "[c]"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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

    @property
    def token(self) -> str:
        return f"[{self.value}]"


#: Condition on other fields of the same record: field -> value or list of values.
When = dict[str, str | int | bool | list[str | int | bool]]


class _Rule(_Strict):
    #: Apply the rule only to rows matching every condition (others are left alone).
    when: When | None = None


class Drop(_Strict):
    """Remove the field from the output entirely."""

    rule: Literal["drop"]


class Keep(_Strict):
    """Publish unchanged; explicit so a reviewer sees the decision was made."""

    rule: Literal["keep"]
    #: Why the field is safe to publish (shown in the redaction report).
    reason: str | None = None


class Pseudonymise(_Rule):
    """Keyed HMAC-SHA256: stable across releases, irreversible without the key."""

    rule: Literal["pseudonymise"]
    #: Hex characters kept from the digest (16 = 64 bits; enough to avoid collisions).
    length: int = Field(16, ge=12, le=64)
    prefix: str = ""


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
    to: GeneraliseTo
    #: Band edges (ascending) for ``age_band`` / ``band``: [0, 18, 25] → "0-17", "18-24", "25+".
    bands: list[float] | None = None

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
    #: Placeholder types to look for; default all of them.
    types: list[Placeholder] = Field(default_factory=lambda: list(Placeholder))
    #: Other fields of the same record holding names to remove from this text.
    names_from: list[str] = Field(default_factory=list)
    #: Use ``names_from`` only on rows matching this (e.g. supplier_type: individual,
    #: so a company's name is not removed from its own invoice description).
    names_when: When | None = None


class Replace(_Rule):
    """Replace the whole value with a constant (typically under a ``when`` condition)."""

    rule: Literal["replace"]
    value: str = "[NAME]"


FieldRule = Annotated[
    Drop | Keep | Pseudonymise | Generalise | Scrub | Replace, Field(discriminator="rule")
]


class Dimension(_Strict):
    """A dimension of an aggregate table and how its codes add up.

    A dimension with no hierarchy splits the data into independent tables
    (e.g. ``period``). ``total`` names the code that is the sum of every other
    code of the dimension; ``parents`` declares a deeper hierarchy
    (parent -> children); ``codelist: true`` reads skos:broader from the
    field's SKOS code list.
    """

    total: str | None = None
    parents: dict[str, list[str]] = Field(default_factory=dict)
    codelist: bool = False


class SDC(_Strict):
    """Statistical disclosure control for an aggregate table."""

    #: The count column to protect.
    measure: str
    #: Counts 1 .. threshold-1 are suppressed (primary suppression).
    threshold: int = Field(10, ge=2)
    #: Zero counts: published as 0, or suppressed like small counts.
    zero: Literal["publish", "suppress"] = "publish"
    #: Shown in the CSV in place of a suppressed value.
    marker: str = DEFAULT_MARKER
    #: Round published counts to this base (e.g. 5), after suppression.
    rounding: int | None = Field(None, ge=2)
    dimensions: dict[str, Dimension]


class RedactionRules(_Strict):
    """The whole ``redaction:`` section."""

    fields: dict[str, FieldRule] = Field(default_factory=dict)
    sdc: SDC | None = None

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


