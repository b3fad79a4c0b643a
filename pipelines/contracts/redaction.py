"""The redaction report: what was done, in counts only.

It goes into the staged release for the Transparency Champion, so it holds
rule names, field names and counts, and never a value. Top-level numbers are
flat ints so the Dagster asset can show them as a summary.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Literal

from pydantic import Field, SerializerFunctionWrapHandler, computed_field, model_serializer

from pipelines.contracts.base import Contract


class FieldReport(Contract):
    """What one field's rule did."""

    rule: str
    values_changed: int = 0
    dropped: bool = False
    #: Spans replaced in free text, by placeholder type.
    scrubbed_by_type: dict[str, int] = Field(default_factory=dict)
    #: Capitalised proper nouns left in free text, by why they were allowed.
    proper_nouns_kept: dict[str, int] = Field(default_factory=dict)
    conditional: bool = False
    rows_in_scope: int | None = None
    output_format: str | None = None

    def count_scrubbed(self, counts: dict[str, int]) -> None:
        merged = Counter(self.scrubbed_by_type)
        merged.update({k: v for k, v in counts.items() if v})
        self.scrubbed_by_type = dict(sorted(merged.items()))

    def count_kept(self, counts: dict[str, int]) -> None:
        merged = Counter(self.proper_nouns_kept)
        merged.update({k: v for k, v in counts.items() if v})
        self.proper_nouns_kept = dict(sorted(merged.items()))

    @model_serializer(mode="wrap")
    def _compact(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Only what the rule did: unset flags and empty counts are left out."""
        out = handler(self)
        for key in ("dropped", "scrubbed_by_type", "proper_nouns_kept", "conditional",
                    "output_format"):
            # a free-text field always shows both counts, even when nothing was found
            if not out.get(key) and not (self.rule == "scrub" and key in (
                    "scrubbed_by_type", "proper_nouns_kept")):
                out.pop(key, None)
        if not self.conditional:
            out.pop("rows_in_scope", None)
        return out


class ProtectionLevel(Contract):
    """``max(percent % of the cell's true value, min)``: one declared requirement."""

    percent: float = 0
    min: int = 0


class DeclaredProtection(Contract):
    """The protection interval the spec declared for every primary cell (tau-Argus
    terms: ``width`` the sliding protection range, ``upper`` / ``lower`` the levels)."""

    width: ProtectionLevel = Field(default_factory=lambda: ProtectionLevel(min=1))
    upper: ProtectionLevel = Field(default_factory=ProtectionLevel)
    lower: ProtectionLevel = Field(default_factory=ProtectionLevel)


class AuditSummary(Contract):
    """What the independent disclosure audit proved (``pipelines.redaction.audit``).

    Counts and widths only, and no run time: the report is hashed into the release
    id, so restaging unchanged inputs gives the same id.
    """

    primary_cells: int = 0
    #: primary cells whose feasible interval was proved at least as wide as declared
    proven: int = 0
    failures: int = 0
    #: narrowest proved width over the primary cells (a lower bound of the true one)
    narrowest_width: int | None = None
    components: int = 0
    largest_component: int = 0
    #: primary cells proved by a checked move of the suppressor's certificate
    certified: int = 0
    certificate_moves: int = 0
    moves_rejected: int = 0
    #: primary cells proved by the audit's own hypercubes
    cubes: int = 0
    box_solves: int = 0
    exact_solves: int = 0


class SDCReport(Contract):
    """What statistical disclosure control did to an aggregate table (counts and widths only)."""

    method: str = "suppression"
    measure: str
    threshold: int
    zero: str
    marker: str
    rounding_base: int | None = None
    totals: str = "computed"
    loss: str = "value"
    #: the declared protection interval rule (tau-Argus terms)
    protection: DeclaredProtection = Field(default_factory=DeclaredProtection)
    tables: list[list[str]] = Field(default_factory=list)
    #: dimension -> number of codes with a parent (in the data's part of the tree)
    hierarchies: dict[str, int] = Field(default_factory=dict)
    cells_published: int = 0
    #: margin cells fivestar added (computed from the detailed cells)
    cells_computed: int = 0
    #: cells of the full three-way table no linked table publishes
    latent_cells: int = 0
    margin_equations: int = 0
    primary_suppressed: int = 0
    secondary_suppressed: int = 0
    #: information loss: cells withheld, secondary cells and their total value
    information_loss: dict[str, int] = Field(default_factory=dict)
    rounded: int = 0
    perturbed: int = 0
    #: the independent audit's summary (counts, widths, seconds)
    audit: AuditSummary | None = None
    narrowest_interval_width: int | None = None
    notes: list[str] = Field(default_factory=list)


class RedactionReport(Contract):
    report_version: Literal[1] = 1
    dataset: str
    rows_in: int
    rows_out: int = 0
    fields: dict[str, FieldReport] = Field(default_factory=dict)
    sdc: SDCReport | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def rules_run(self) -> list[str]:
        return sorted({f.rule for f in self.fields.values()} | ({"sdc"} if self.sdc else set()))

    @computed_field  # type: ignore[prop-decorator]
    @property
    def fields_dropped(self) -> int:
        return sum(1 for f in self.fields.values() if f.dropped)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def values_changed(self) -> int:
        return sum(f.values_changed for f in self.fields.values())

    @computed_field  # type: ignore[prop-decorator]
    @property
    def values_scrubbed(self) -> int:
        return sum(f.values_changed for f in self.fields.values() if f.scrubbed_by_type)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def scrubbed_by_type(self) -> dict[str, int]:
        total: Counter[str] = Counter()
        for f in self.fields.values():
            total.update(f.scrubbed_by_type)
        return dict(sorted(total.items()))

    @computed_field  # type: ignore[prop-decorator]
    @property
    def cells_primary_suppressed(self) -> int | None:
        return self.sdc.primary_suppressed if self.sdc else None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def cells_secondary_suppressed(self) -> int | None:
        return self.sdc.secondary_suppressed if self.sdc else None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def cells_rounded(self) -> int | None:
        return self.sdc.rounded if self.sdc else None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def cells_perturbed(self) -> int | None:
        return self.sdc.perturbed if self.sdc else None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def cells_computed(self) -> int | None:
        return self.sdc.cells_computed if self.sdc else None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def narrowest_interval_width(self) -> int | None:
        return self.sdc.narrowest_interval_width if self.sdc else None

    @model_serializer(mode="wrap")
    def _without_empty_sdc(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        out = handler(self)
        out["fields"] = dict(sorted(out["fields"].items()))
        if self.sdc is None:
            for key in ("sdc", "cells_primary_suppressed", "cells_secondary_suppressed",
                        "cells_rounded", "cells_perturbed", "cells_computed",
                        "narrowest_interval_width"):
                out.pop(key, None)
        return out

    def summary(self) -> dict[str, int]:
        """The headline numbers (for Dagster metadata): flat counts, never values."""
        data = self.model_dump(mode="json")
        return {k: v for k, v in data.items() if isinstance(v, int) and not isinstance(v, bool)}
