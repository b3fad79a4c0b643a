"""Validate an extract with its Great Expectations 1.x suite, and report it.

Each dataset has a suite in ``expectations/<id>.json`` (GX Core's own JSON).
Severity is GX's native per-expectation ``severity``:

* ``critical`` (the default) → **ERROR**: blocking, nothing downstream runs;
* ``warning`` → **WARN**: recorded in the report and the Dagster check;
* ``info`` → recorded only.

Values from the extract never leave this module: GX is asked for counts and
row positions only (``exclude_unexpected_values``), and only counts,
percentages and 1-based data row numbers are kept.

A problem about the data names no file: its row is a 1-based position in the
frame validated, and the shell (:func:`pipelines.gates.bind_validation`) names
the source extract's file and row. Only problems with the suite itself name
``expectations/<id>.json``.

Why it is fast (GX computes a 13-expectation suite over a million rows in
about two seconds of CPU): one batch per validation (GX's own
``Batch.validate`` loads it twice), no per-batch fingerprint (see
:mod:`pipelines.gx_context`), row positions asked for only where an
expectation found unexpected rows (a second, small run; a passing extract pays
for counts only), and nullable number columns shown to GX as NumPy numbers (GX
compares its ``between`` bounds row by row in Python on pandas' nullable
dtypes) unless the suite inspects that column's type. Code-list membership
(schema fields with ``"codelist"``) is checked here too: a value that is not
a concept's ``skos:notation`` is an ERROR, never a silent new concept.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipelines import paths
from pipelines.codelists import load_codelist
from pipelines.contracts.validation import ExpectationOutcome, Severity, ValidationReport
from pipelines.errors import Location, Problem
from pipelines.spec import DatasetSpec

#: Row numbers kept per failing expectation (the count is always exact).
MAX_ROWS = 20
_LEVELS = {"critical": Severity.error, "warning": Severity.warn, "info": Severity.info}


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


#: Expectations that look at a column's dtype: such columns are shown to GX as they are.
_TYPE_EXPECTATIONS = {"expect_column_values_to_be_of_type",
                      "expect_column_values_to_be_in_type_list"}


#: Expectations that read column names (or the row count) only, never a column's values.
_NAMES_ONLY = {"expect_table_columns_to_match_ordered_list", "expect_table_columns_to_match_set",
               "expect_table_column_count_to_equal", "expect_table_column_count_to_be_between",
               "expect_table_row_count_to_equal", "expect_table_row_count_to_be_between",
               "expect_column_to_exist"}
#: The keyword arguments by which an expectation names the columns whose values it reads.
_COLUMN_KWARGS = ("column", "column_A", "column_B", "column_list")


def columns_read(suite: Any) -> set[str] | None:
    """The columns whose values the suite's expectations read; ``None`` if one may read any.

    An expectation of a type this module does not know, naming no column, may
    read every column (a custom table-level expectation), so it gets them all.
    """
    read: set[str] = set()
    for e in suite.expectations:
        kwargs = e.configuration.kwargs
        if kwargs.get("row_condition"):  # a condition may name any column
            return None
        if e.expectation_type in _NAMES_ONLY:
            continue
        named = [kwargs[k] for k in _COLUMN_KWARGS if kwargs.get(k) is not None]
        if not named:
            return None
        for value in named:
            read.update([value] if isinstance(value, str) else value)
    return read


def columns_needed(spec: DatasetSpec, expectations_dir: Path | None = None) -> list[str] | None:
    """The schema's columns :func:`validate` reads values of (the suite's and the code
    lists'); ``None`` for all of them (a suite that may read any, or does not load)."""
    try:
        suite, _ = load_suite(spec, expectations_dir)
    except (OSError, ValueError, TypeError):
        return None  # validate() reports what is wrong with the suite
    read = columns_read(suite)
    if read is None:
        return None
    read |= {f["name"] for f in spec.table_schema.fields if f.get("codelist")}
    return [n for n in spec.table_schema.field_names if n in read]


def gx_view(df: pd.DataFrame, suite: Any) -> pd.DataFrame:
    """``df`` as GX should see it: the columns it reads, in types its fast paths take.

    * A column no expectation reads is shown by name only (a column of zero
      bytes): GX's pandas engine filters the *whole* frame by each column's
      nulls, and copying the free-text columns 13 times was nine tenths of
      validation's time at a million rows. Its values are still checked by the
      extract's Table Schema and by the code-list checks here.
    * Nullable number columns become NumPy numbers (GX compares its
      ``between`` bounds row by row in Python on pandas' nullable dtypes):
      integers without nulls int64; with nulls float64 (NaN), exact while every
      value is within ±2**53 (otherwise the column is left as it is). Columns
      whose type the suite inspects are left as they are.
    """
    typed = {e.configuration.kwargs.get("column") for e in suite.expectations
             if e.expectation_type in _TYPE_EXPECTATIONS}
    read = columns_read(suite)
    out = {}
    for name in df.columns:
        col = df[name]
        dtype = col.dtype
        if read is not None and name not in read:
            out[name] = np.zeros(len(col), dtype=np.bool_)
            continue
        if name in typed or not isinstance(dtype, pd.api.extensions.ExtensionDtype) or \
                not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
            out[name] = col
            continue
        if not col.isna().any():
            out[name] = col.to_numpy(dtype=dtype.numpy_dtype)
        elif pd.api.types.is_integer_dtype(dtype) and \
                (col.abs().max() if len(col) else 0) > 2**53:
            out[name] = col
        else:
            out[name] = col.to_numpy(dtype="float64", na_value=np.nan)
    return pd.DataFrame(out, index=df.index, copy=False)


def _run(batch_definition: Any, frame: pd.DataFrame, suite: Any, rows: bool) -> Any:
    """One GX validation of ``frame``: counts only, or with row positions too."""
    from great_expectations.validator.v1_validator import Validator

    result_format: dict[str, Any] = {"result_format": "SUMMARY" if rows else "BASIC",
                                     "partial_unexpected_count": MAX_ROWS * 5,
                                     "exclude_unexpected_values": True,
                                     "include_unexpected_rows": False}
    validator = Validator(batch_definition=batch_definition, result_format=result_format,
                          batch_parameters={"dataframe": frame})
    return validator.validate_expectation_suite(suite)


def _forget_batch(batch_definition: Any, frame: pd.DataFrame) -> None:
    """Make GX let go of the frame it validated.

    The context is kept for the process (:func:`_context`), and its execution
    engine keeps the last batch it loaded: the whole frame (about 450 MB at a
    million FOI rows), held through every later step of an in-process staging
    run. Loading an empty batch under the same id replaces it.
    """
    engine = batch_definition.data_asset.datasource.get_execution_engine()
    empty = batch_definition.get_batch(batch_parameters={"dataframe": frame.iloc[:0]})
    engine.batch_manager.load_batch_list([empty])


def _has_rows(r: Any) -> bool:
    """A map expectation that found unexpected rows (whether or not ``mostly`` let it pass)."""
    return bool((r.result or {}).get("unexpected_count"))


def validate(df: pd.DataFrame, spec: DatasetSpec,
             expectations_dir: Path | None = None) -> ValidationReport:
    """Run the dataset's suite and code-list checks over ``df``."""
    suite_file = spec.suite_path(expectations_dir or paths.EXPECTATIONS_DIR)
    result = ValidationReport(dataset=spec.id, title=spec.title, suite=suite_file.name,
                              rows=len(df))
    where = f"expectations/{suite_file.name}"  # problems with the suite, not the data
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
    frame = gx_view(df, suite)
    try:
        results = list(_run(batch_definition, frame, suite, rows=False).results)
        failed = [i for i, r in enumerate(results) if _has_rows(r)]
        if failed:  # positions only for what failed (a second, smaller run)
            import great_expectations as gx

            again = gx.ExpectationSuite(name=f"{suite.name}-rows", expectations=[
                results[i].expectation_config.to_domain_obj() for i in failed])
            for i, r in zip(failed, _run(batch_definition, frame, again, rows=True).results,
                            strict=True):
                results[i] = r
    finally:
        _forget_batch(batch_definition, frame)
    del frame
    positions = df.index
    for r in results:
        cfg = r.expectation_config
        severity = _LEVELS.get(str(getattr(cfg, "severity", "critical") or "critical")
                               .split(".")[-1].lower(), Severity.error)
        res = r.result or {}
        column = cfg.kwargs.get("column")
        rows = _row_numbers(res.get("partial_unexpected_index_list"), positions)
        raised = bool(r.exception_info and r.exception_info.get("raised_exception"))
        outcome = ExpectationOutcome(
            type=cfg.type, column=column, columns=cfg.kwargs.get("column_list"),
            severity=severity, success=bool(r.success) and not raised,
            unexpected_count=res.get("unexpected_count"),
            unexpected_percent=_round(res.get("unexpected_percent")),
            rows=rows[:MAX_ROWS], observed=_safe_observed(res.get("observed_value")),
            description=(cfg.meta or {}).get("description"),
            error="the expectation could not be evaluated" if raised else None)
        result.expectations.append(outcome)
        if not outcome.success:
            _record(result, outcome)
    _check_codelists(df, spec, result)
    return result


def _record(result: ValidationReport, s: ExpectationOutcome) -> None:
    """A failed expectation as problems in the data (row, field; the shell names the file)."""
    if s.severity == Severity.info:
        return
    target = result.errors if s.severity == Severity.error else result.warnings
    what = s.type.replace("expect_", "").replace("_", " ")
    count = s.unexpected_count
    if s.rows:
        for row in s.rows[:5]:
            target.append(Problem(s.type, f"fails `{what}`", Location(None, row, s.column)))
        if count and count > 5:
            target.append(Problem(s.type, f"fails `{what}` in {count} rows in all",
                                  Location(None, None, s.column)))
    else:
        target.append(Problem(s.type, f"fails `{what}`", Location(None, None, s.column)))


def _check_codelists(df: pd.DataFrame, spec: DatasetSpec, result: ValidationReport) -> None:
    for f in spec.table_schema.fields:
        stem = f.get("codelist")
        if not stem or f["name"] not in df:
            continue
        col = df[f["name"]]
        allowed = load_codelist(stem).concepts
        bad = (col.notna() & ~col.astype("string").isin(list(allowed))).to_numpy(dtype=bool)
        rows = [int(i) + 1 for i in np.flatnonzero(bad)[: MAX_ROWS * 5]]
        result.expectations.append(ExpectationOutcome(
            type="value_in_code_list", column=f["name"], severity=Severity.error,
            success=not bad.any(), unexpected_count=int(bad.sum()),
            unexpected_percent=_round(100 * bad.mean() if len(bad) else 0),
            rows=rows[:MAX_ROWS],
            description=f"every value is a concept in vocabularies/{stem}.ttl"))
        for row in rows[:5]:
            result.errors.append(Problem("codelist", f"value is not a notation of the `{stem}` "
                                         f"code list (vocabularies/{stem}.ttl)",
                                         Location(None, row, f["name"])))
        if bad.sum() > 5:
            result.errors.append(Problem("codelist", f"{int(bad.sum())} values in all are not "
                                         f"notations of the `{stem}` code list",
                                         Location(None, None, f["name"])))


def _row_numbers(index_values, positions: pd.Index) -> list[int]:
    """1-based positions in ``df`` of GX's unexpected index values (the DataFrame index).

    Positions, like every stage's row numbers: the shell maps them to the source
    file's rows (:func:`pipelines.gates.bind_validation`).
    """
    if not index_values:
        return []
    values = [v for v in index_values if not isinstance(v, dict)]
    if not values:
        return []
    locs = positions.get_indexer(values)
    return sorted(int(i) + 1 for i in locs if i >= 0)[: MAX_ROWS * 5]


def _safe_observed(value: Any) -> Any:
    """Keep only aggregate observations (numbers), never lists of values."""
    if isinstance(value, bool | int | float | np.integer | np.floating):
        return value.item() if hasattr(value, "item") else value
    return None


def _round(v: Any) -> float | None:
    return None if v is None else round(float(v), 4)
