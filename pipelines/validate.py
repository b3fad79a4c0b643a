"""Validate an extract with its Great Expectations 1.x suite, and report it.

Each dataset has a suite in ``expectations/<id>.json`` (GX Core's own JSON).
Severity is GX's native per-expectation ``severity``:

* ``critical`` (the default) → **ERROR**: blocking, nothing downstream runs;
* ``warning`` → **WARN**: recorded in the report and the Dagster check;
* ``info`` → recorded only.

Values from the extract never leave this module: GX's results carry the
unexpected values themselves (which may be personal data), so only counts,
percentages and 1-based data row numbers are kept. Code-list membership
(schema fields with ``"codelist"``) is checked here too: a value that is not
a concept's ``skos:notation`` is an ERROR, never a silent new concept.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipelines import paths
from pipelines.errors import Location, Problem
from pipelines.spec import DatasetSpec

#: Row numbers kept per failing expectation (the count is always exact).
MAX_ROWS = 20
_LEVELS = {"critical": "ERROR", "warning": "WARN", "info": "INFO"}


@dataclass
class ValidationResult:
    dataset: str
    suite: str
    rows: int
    expectations: list[dict[str, Any]] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when no ERROR-severity expectation failed."""
        return not self.errors

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "suite": self.suite,
            "rows": self.rows,
            "passed": self.passed,
            "statistics": {
                "evaluated": len(self.expectations),
                "successful": sum(e["success"] for e in self.expectations),
                "errors": len(self.errors),
                "warnings": len(self.warnings),
            },
            "expectations": self.expectations,
            "errors": [p.to_dict() for p in self.errors],
            "warnings": [p.to_dict() for p in self.warnings],
        }


@cache
def _context():
    """One ephemeral GX context per process: creating one costs about a second."""
    from pipelines.gx_context import ephemeral_context

    ctx = ephemeral_context()
    source = ctx.data_sources.add_pandas("fivestar")
    asset = source.add_dataframe_asset("extract")
    return ctx, asset.add_batch_definition_whole_dataframe("whole")


def load_suite(spec: DatasetSpec, expectations_dir: Path | None = None):
    import great_expectations as gx

    path = spec.suite_path(expectations_dir or paths.EXPECTATIONS_DIR)
    data = json.loads(path.read_text(encoding="utf-8"))
    data.pop("id", None)
    return gx.ExpectationSuite(**data), path


def validate(df: pd.DataFrame, spec: DatasetSpec,
             expectations_dir: Path | None = None) -> ValidationResult:
    """Run the dataset's suite and code-list checks over ``df``."""
    suite_file = spec.suite_path(expectations_dir or paths.EXPECTATIONS_DIR)
    result = ValidationResult(dataset=spec.id, suite=suite_file.name, rows=len(df))
    where = f"expectations/{suite_file.name}"
    if not suite_file.is_file():
        result.errors.append(Problem("suite-missing", "no expectation suite for this dataset",
                                     Location(file=where)))
        return result
    try:
        suite, _ = load_suite(spec, expectations_dir)
    except (ValueError, TypeError) as exc:
        result.errors.append(Problem("suite-invalid", f"suite does not load: {type(exc).__name__}",
                                     Location(file=where)))
        return result
    _, batch_definition = _context()
    batch = batch_definition.get_batch(batch_parameters={"dataframe": df})
    outcome = batch.validate(suite, result_format={"result_format": "COMPLETE",
                                                   "include_unexpected_rows": False})
    positions = df.index
    for r in outcome.results:
        cfg = r.expectation_config
        severity = _LEVELS.get(str(getattr(cfg, "severity", "critical") or "critical")
                               .split(".")[-1].lower(), "ERROR")
        res = r.result or {}
        column = cfg.kwargs.get("column")
        rows = _row_numbers(res.get("unexpected_index_list"), positions)
        summary = {
            "type": cfg.type,
            "column": column,
            "columns": cfg.kwargs.get("column_list"),
            "severity": severity,
            "success": bool(r.success),
            "unexpected_count": res.get("unexpected_count"),
            "unexpected_percent": _round(res.get("unexpected_percent")),
            "rows": rows[:MAX_ROWS],
            "observed": _safe_observed(res.get("observed_value")),
            "description": (cfg.meta or {}).get("description"),
        }
        if r.exception_info and r.exception_info.get("raised_exception"):
            summary["success"] = False
            summary["error"] = "the expectation could not be evaluated"
        result.expectations.append(summary)
        if not summary["success"]:
            _record(result, summary, severity, where)
    _check_codelists(df, spec, result)
    return result


def _record(result: ValidationResult, s: dict, severity: str, where: str) -> None:
    target = result.errors if severity == "ERROR" else result.warnings
    if severity == "INFO":
        return
    what = s["type"].replace("expect_", "").replace("_", " ")
    count = s.get("unexpected_count")
    if s["rows"]:
        for row in s["rows"][:5]:
            target.append(Problem(s["type"], f"fails `{what}`", Location(where, row, s["column"])))
        if count and count > 5:
            target.append(Problem(s["type"], f"fails `{what}` in {count} rows in all",
                                  Location(where, None, s["column"])))
    else:
        target.append(Problem(s["type"], f"fails `{what}`", Location(where, None, s["column"])))


def _check_codelists(df: pd.DataFrame, spec: DatasetSpec, result: ValidationResult) -> None:
    from pipelines.convert.codelists import load_codelist

    for f in spec.table_schema.fields:
        stem = f.get("codelist")
        if not stem or f["name"] not in df:
            continue
        col = df[f["name"]]
        allowed = load_codelist(stem).concepts
        bad = (col.notna() & ~col.astype("string").isin(list(allowed))).to_numpy(dtype=bool)
        rows = _row_numbers(list(df.index[bad]), df.index)
        result.expectations.append({
            "type": "value_in_code_list", "column": f["name"], "columns": None,
            "severity": "ERROR", "success": not bad.any(), "unexpected_count": int(bad.sum()),
            "unexpected_percent": _round(100 * bad.mean() if len(bad) else 0),
            "rows": rows[:MAX_ROWS], "observed": None,
            "description": f"every value is a concept in vocabularies/{stem}.ttl",
        })
        for row in rows[:5]:
            result.errors.append(Problem("codelist", f"value is not in the `{stem}` code list",
                                         Location(f"vocabularies/{stem}.ttl", row, f["name"])))
        if bad.sum() > 5:
            result.errors.append(Problem("codelist", f"{int(bad.sum())} values in all are not "
                                         f"in the `{stem}` code list",
                                         Location(f"vocabularies/{stem}.ttl", None, f["name"])))


def _row_numbers(index_values, positions: pd.Index) -> list[int]:
    """1-based data rows for GX's unexpected index values (the DataFrame index)."""
    if not index_values:
        return []
    values = [v for v in index_values if not isinstance(v, dict)]
    if not values:
        return []
    if isinstance(positions, pd.RangeIndex) or pd.api.types.is_integer_dtype(positions):
        return sorted(int(v) + 1 for v in values)[: MAX_ROWS * 5]
    locs = positions.get_indexer(values)
    return sorted(int(i) + 1 for i in locs if i >= 0)[: MAX_ROWS * 5]


def _safe_observed(value: Any) -> Any:
    """Keep only aggregate observations (numbers), never lists of values."""
    if isinstance(value, bool | int | float | np.integer | np.floating):
        return value.item() if hasattr(value, "item") else value
    return None


def _round(v: Any) -> float | None:
    return None if v is None else round(float(v), 4)


def write_report(result: ValidationResult, spec: DatasetSpec, out_dir: Path) -> dict[str, Path]:
    """Write ``validation.json`` and a self-contained ``validation.html``."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    out_dir.mkdir(parents=True, exist_ok=True)
    data = result.to_dict()
    data["title"] = spec.title
    # No wall-clock time: the report is copied into the release, whose bytes must
    # depend only on its inputs (when it was staged is in the audit log).
    json_path = out_dir / "validation.json"
    json_path.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
    env = Environment(loader=PackageLoader("pipelines", "templates"),
                      autoescape=select_autoescape(["html", "j2"]))
    html = env.get_template("validation.html.j2").render(report=data)
    html_path = out_dir / "validation.html"
    html_path.write_text(html, encoding="utf-8")
    return {"json": json_path, "html": html_path}
