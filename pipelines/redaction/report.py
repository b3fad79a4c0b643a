"""The redaction report: what was done, in counts only.

It goes into the staged release for the Transparency Champion, so it holds
rule names, field names and counts, and never a value. Top-level numbers are
flat ints so the Dagster asset can show them as a summary.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class FieldReport:
    rule: str
    changed: int = 0
    dropped: bool = False
    scrubbed: Counter[str] = field(default_factory=Counter)
    conditional: bool = False
    rows_in_scope: int | None = None
    output_format: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"rule": self.rule, "values_changed": self.changed}
        if self.dropped:
            out["dropped"] = True
        if self.scrubbed:
            out["scrubbed_by_type"] = dict(sorted(self.scrubbed.items()))
        if self.conditional:
            out["conditional"] = True
            out["rows_in_scope"] = self.rows_in_scope
        if self.output_format:
            out["output_format"] = self.output_format
        return out


@dataclass
class RedactionReport:
    dataset: str
    rows_in: int
    fields: dict[str, FieldReport] = field(default_factory=dict)
    sdc: dict[str, Any] | None = None
    rows_out: int = 0

    def to_dict(self) -> dict[str, Any]:
        scrubbed: Counter[str] = Counter()
        for f in self.fields.values():
            scrubbed.update(f.scrubbed)
        out: dict[str, Any] = {
            "report_version": 1,
            "dataset": self.dataset,
            "rows_in": self.rows_in,
            "rows_out": self.rows_out,
            "rules_run": sorted({f.rule for f in self.fields.values()}
                                | ({"sdc"} if self.sdc else set())),
            "fields": {k: v.to_dict() for k, v in sorted(self.fields.items())},
            "fields_dropped": sum(1 for f in self.fields.values() if f.dropped),
            "values_changed": sum(f.changed for f in self.fields.values()),
            "values_scrubbed": sum(f.changed for f in self.fields.values() if f.scrubbed),
            "scrubbed_by_type": dict(sorted(scrubbed.items())),
        }
        if self.sdc is not None:
            out["sdc"] = self.sdc
            out["cells_primary_suppressed"] = self.sdc["primary_suppressed"]
            out["cells_secondary_suppressed"] = self.sdc["secondary_suppressed"]
            out["cells_rounded"] = self.sdc["rounded"]
        return out
