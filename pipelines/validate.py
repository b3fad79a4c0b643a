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
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipelines import paths
from pipelines.codelists import load_codelist, shown_path
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
    return [n for n in spec.extract_field_names if n in read]


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


def _forget_batch(batch_definition: Any) -> None:
    """Make GX let go of the frame it validated.

    The context is kept for the process (:func:`_context`), and its execution
    engine keeps the last batch it loaded: the whole frame (about 450 MB at a
    million FOI rows), held through every later step of an in-process staging
    run. Loading an empty batch under the same id replaces it.
    """
    engine = batch_definition.data_asset.datasource.get_execution_engine()
    empty = batch_definition.get_batch(batch_parameters={"dataframe": pd.DataFrame()})
    engine.batch_manager.load_batch_list([empty])


def _has_rows(r: Any) -> bool:
    """A map expectation that found unexpected rows (whether or not ``mostly`` let it pass)."""
    return bool((r.result or {}).get("unexpected_count"))


#: GX's map expectations whose verdict on a row reads that row alone: validated a batch
#: at a time, their counts added up and ``mostly`` judged on the totals.
_ROW_WISE = {f"expect_{n}" for n in (
    "column_values_to_be_between", "column_values_to_be_dateutil_parseable",
    "column_values_to_be_in_set", "column_values_to_be_json_parseable",
    "column_values_to_be_null", "column_values_to_match_json_schema",
    "column_values_to_match_like_pattern", "column_values_to_match_like_pattern_list",
    "column_values_to_match_regex", "column_values_to_match_regex_list",
    "column_values_to_match_strftime_format", "column_values_to_not_be_in_set",
    "column_values_to_not_be_null", "column_values_to_not_match_like_pattern",
    "column_values_to_not_match_like_pattern_list", "column_values_to_not_match_regex",
    "column_values_to_not_match_regex_list", "column_value_lengths_to_be_between",
    "column_value_lengths_to_equal", "column_pair_values_a_to_be_greater_than_b",
    "column_pair_values_to_be_equal", "column_pair_values_to_be_in_set",
    "multicolumn_sum_to_equal", "multicolumn_values_to_be_equal",
    "select_column_values_to_be_unique_within_record")}
_UNIQUE = "expect_column_values_to_be_unique"
#: Rows GX validates at a time: each run costs a fixed ~0.1 s, so batches are large.
VALIDATION_ROWS = 1 << 20


def _kind(expectation: Any) -> str:
    """How an expectation is validated over batches: ``row`` (a batch at a time),
    ``names`` (once, on a frame of the right shape that holds no values), ``unique``
    (candidates by hash, then GX on those rows) or ``whole`` (its columns held whole:
    an aggregate such as a mean or an order judges a column, not a batch)."""
    name = expectation.expectation_type
    if name in _NAMES_ONLY and not expectation.configuration.kwargs.get("row_condition"):
        return "names"
    if name in _ROW_WISE:
        return "row"
    if name == _UNIQUE and not expectation.configuration.kwargs.get("row_condition"):
        return "unique"
    return "whole"


def _suite_of(name: str, expectations: list[Any]) -> Any:
    import great_expectations as gx

    return gx.ExpectationSuite(name=name, expectations=[
        e.configuration.to_domain_obj() for e in expectations])


class _Merged:
    """One map expectation's result over every batch: counts added, a few row positions.

    ``mostly`` is judged on the totals exactly as GX judges one batch
    (:func:`great_expectations.expectations.expectation._mostly_success`): no rows
    considered is vacuously a success.
    """

    def __init__(self, expectation: Any) -> None:
        self.config = expectation.configuration
        self.mostly = float(self.config.kwargs.get("mostly") or 1.0)
        self.element = self.missing = self.unexpected = 0
        self.rows: list[int] = []
        self.raised = False

    def add(self, r: Any) -> None:
        res = r.result or {}
        self.raised |= bool(r.exception_info and r.exception_info.get("raised_exception"))
        self.element += int(res.get("element_count") or 0)
        self.missing += int(res.get("missing_count") or 0)
        self.unexpected += int(res.get("unexpected_count") or 0)

    def add_rows(self, index_values: Any) -> None:
        room = MAX_ROWS * 5 - len(self.rows)
        values = [int(v) + 1 for v in index_values or () if not isinstance(v, dict)]
        self.rows.extend(sorted(values)[:max(room, 0)])

    @property
    def wants_rows(self) -> bool:
        return len(self.rows) < MAX_ROWS * 5

    def outcome(self, severity: Severity) -> ExpectationOutcome:
        considered = self.element - self.missing
        success = (considered == 0 or not self.unexpected
                   or (considered - self.unexpected) / considered >= self.mostly)
        return ExpectationOutcome(
            type=self.config.type, column=self.config.kwargs.get("column"),
            columns=self.config.kwargs.get("column_list"), severity=severity,
            success=success and not self.raised, unexpected_count=self.unexpected,
            unexpected_percent=_round(100 * self.unexpected / considered) if considered
            else None,
            rows=sorted(self.rows)[:MAX_ROWS], observed=None,
            description=(self.config.meta or {}).get("description"),
            error="the expectation could not be evaluated" if self.raised else None)


def _severity(cfg: Any) -> Severity:
    return _LEVELS.get(str(getattr(cfg, "severity", "critical") or "critical")
                       .split(".")[-1].lower(), Severity.error)


def _outcome(r: Any) -> ExpectationOutcome:
    """One GX result (of one run over every row it judges) as an outcome."""
    cfg = r.expectation_config
    res = r.result or {}
    raised = bool(r.exception_info and r.exception_info.get("raised_exception"))
    return ExpectationOutcome(
        type=cfg.type, column=cfg.kwargs.get("column"), columns=cfg.kwargs.get("column_list"),
        severity=_severity(cfg), success=bool(r.success) and not raised,
        unexpected_count=res.get("unexpected_count"),
        unexpected_percent=_round(res.get("unexpected_percent")),
        rows=_rows(res.get("partial_unexpected_index_list"))[:MAX_ROWS],
        observed=_safe_observed(res.get("observed_value")),
        description=(cfg.meta or {}).get("description"),
        error="the expectation could not be evaluated" if raised else None)


def _validated_runs(batch_definition: Any, frame: pd.DataFrame, suite: Any) -> list[Any]:
    """GX's results over ``frame``: counts, then row positions where rows failed."""
    results = list(_run(batch_definition, frame, suite, rows=False).results)
    failed = [i for i, r in enumerate(results) if _has_rows(r)]
    if failed:  # positions only for what failed (a second, smaller run)
        again = _suite_of(f"{suite.name}-rows", [suite.expectations[i] for i in failed])
        for i, r in zip(failed, _run(batch_definition, frame, again, rows=True).results,
                        strict=True):
            results[i] = r
    return results


def validate(df: pd.DataFrame, spec: DatasetSpec,
             expectations_dir: Path | None = None) -> ValidationReport:
    """Run the dataset's suite and code-list checks over ``df`` (rows: 1-based
    positions in ``df``)."""
    whole = df.reset_index(drop=True)

    def read(columns: list[str] | None) -> Iterator[pd.DataFrame]:
        yield whole if columns is None else whole[columns]

    return validate_batches(read, spec, expectations_dir)


def validate_batches(read: Callable[[list[str] | None], Iterable[pd.DataFrame]],
                     spec: DatasetSpec,
                     expectations_dir: Path | None = None) -> ValidationReport:
    """The suite and code lists over every row ``read(columns)`` yields, a frame at a time.

    ``read(None)`` yields frames of every schema column (a column validation does
    not read may be a placeholder of the right length), ``read(names)`` the same
    rows with those columns only; a frame's index is each row's position, and a
    problem's row is that position + 1. Memory is a frame, plus 8 bytes a row for
    each uniqueness expectation, plus the columns of any expectation that judges a
    column whole (none in the bundled suites). Every expectation sees every row:

    * row-wise map expectations run per frame (GX), counts added up;
    * column-name and row-count expectations run once (GX), on a frame with the
      columns and the total row count but no values;
    * uniqueness: a 64-bit hash of every value; GX then judges the rows whose hash
      repeats (a value whose hash is unique is unique), so its count is exact;
    * anything else runs (GX) on its columns held whole.
    """
    suite_file = spec.suite_path(expectations_dir or paths.EXPECTATIONS_DIR)
    result = ValidationReport(dataset=spec.id, title=spec.title, suite=suite_file.name, rows=0)
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
    kinds = [_kind(e) for e in suite.expectations]
    row_wise = _suite_of(f"{suite.name}-batch",
                         [e for e, k in zip(suite.expectations, kinds, strict=True) if k == "row"])
    merged = {i: _Merged(e) for i, (e, k) in enumerate(zip(suite.expectations, kinds,
                                                           strict=True)) if k in ("row", "unique")}
    whole_suite = _suite_of(f"{suite.name}-whole", [
        e for e, k in zip(suite.expectations, kinds, strict=True) if k == "whole"])
    whole_columns = columns_read(whole_suite) if whole_suite.expectations else set()
    unique = {i: _Hashes(suite.expectations[i].configuration.kwargs["column"])
              for i, k in enumerate(kinds) if k == "unique"}
    codes = _Codelists(spec)
    kept: list[pd.DataFrame] = []
    names: list[str] = []
    try:
        for df in read(None):
            names = [str(c) for c in df.columns]
            result.rows += len(df)
            codes.add(df)
            for i, h in unique.items():
                h.add(df[h.column])
                merged[i].element += len(df)
                merged[i].missing += int(df[h.column].isna().sum())
            if whole_columns is None or whole_columns:
                kept.append(df if whole_columns is None else
                            df[[c for c in names if c in whole_columns]])
            if not row_wise.expectations:
                continue
            frame = gx_view(df, suite)
            at = [i for i, k in enumerate(kinds) if k == "row"]
            for i, r in zip(at, _validated_runs(batch_definition, frame, row_wise), strict=True):
                merged[i].add(r)
                if merged[i].wants_rows:
                    merged[i].add_rows((r.result or {}).get("partial_unexpected_index_list"))
            del frame
        for i, h in unique.items():
            candidates = h.candidates(read)
            if len(candidates):
                (r,) = _validated_runs(batch_definition, candidates,
                                       _suite_of(f"{suite.name}-unique",
                                                 [suite.expectations[i]]))
                merged[i].unexpected += int((r.result or {}).get("unexpected_count") or 0)
                merged[i].raised |= bool(r.exception_info
                                         and r.exception_info.get("raised_exception"))
                merged[i].add_rows((r.result or {}).get("partial_unexpected_index_list"))
        once = {}
        shape_suite = _suite_of(f"{suite.name}-names", [
            e for e, k in zip(suite.expectations, kinds, strict=True) if k == "names"])
        if shape_suite.expectations:
            at = [i for i, k in enumerate(kinds) if k == "names"]
            once.update(zip(at, _run(batch_definition, _shape(names, result.rows),
                                     shape_suite, rows=False).results, strict=True))
        if whole_suite.expectations:
            df = pd.concat(kept) if len(kept) > 1 else kept[0]
            del kept
            at = [i for i, k in enumerate(kinds) if k == "whole"]
            once.update(zip(at, _validated_runs(batch_definition, gx_view(df, suite),
                                                whole_suite), strict=True))
            del df
    finally:
        _forget_batch(batch_definition)
    for i, e in enumerate(suite.expectations):
        outcome = (merged[i].outcome(_severity(e.configuration)) if i in merged
                   else _outcome(once[i]))
        result.expectations.append(outcome)
        if not outcome.success:
            _record(result, outcome)
    codes.report(result)
    return result


def _shape(names: list[str], rows: int) -> pd.DataFrame:
    """A frame with ``names`` and ``rows`` rows that holds no values (sparse columns):
    what the column-name and row-count expectations read."""
    column = pd.arrays.SparseArray(np.zeros(rows, dtype=bool), fill_value=False)
    return pd.DataFrame({n: column for n in names}, index=pd.RangeIndex(rows), copy=False)


class _Hashes:
    """A uniqueness check over batches: a 64-bit hash of each present value, never the values.

    A value whose hash does not repeat is unique (equal values hash equal), so
    only the rows whose hash repeats are candidates; :meth:`candidates` reads
    those rows' values again and GX judges them, so a hash collision never makes
    a false finding and a true repeat is never missed.
    """

    def __init__(self, column: str) -> None:
        self.column = column
        self._hashes: list[np.ndarray] = []

    def add(self, col: pd.Series) -> None:
        present = col[col.notna()]
        self._hashes.append(pd.util.hash_pandas_object(present, index=False).to_numpy())

    def candidates(self, read: Callable[[list[str] | None], Iterable[pd.DataFrame]]
                   ) -> pd.DataFrame:
        """The rows (index: positions) whose value's hash repeats, with that column."""
        # one copy, sorted in place (np.sort would hold a second one while it sorts)
        hashes = np.concatenate(self._hashes) if self._hashes else np.zeros(0, "u8")
        self._hashes = []
        hashes.sort()
        repeated = np.unique(hashes[1:][hashes[1:] == hashes[:-1]])
        del hashes
        if not len(repeated):
            return pd.DataFrame({self.column: []})
        parts = []
        for df in read([self.column]):
            col = df[self.column]
            present = col[col.notna()]
            at = np.isin(pd.util.hash_pandas_object(present, index=False).to_numpy(), repeated)
            parts.append(present[at].to_frame())
        return pd.concat(parts)


class _Codelists:
    """Code-list membership (schema fields with ``"codelist"``), counted over batches."""

    def __init__(self, spec: DatasetSpec) -> None:
        self.fields = [(f["name"], f["codelist"]) for f in spec.table_schema.fields
                       if f.get("codelist")]
        self.allowed = {stem: list(load_codelist(stem).concepts) for _, stem in self.fields}
        self.bad = {name: 0 for name, _ in self.fields}
        self.rows: dict[str, list[int]] = {name: [] for name, _ in self.fields}
        self.total = 0

    def add(self, df: pd.DataFrame) -> None:
        self.total += len(df)
        for name, stem in self.fields:
            if name not in df:
                continue
            col = df[name]
            bad = (col.notna() & ~col.astype("string").isin(self.allowed[stem])
                   ).to_numpy(dtype=bool)
            self.bad[name] += int(bad.sum())
            room = MAX_ROWS * 5 - len(self.rows[name])
            self.rows[name] += [int(i) + 1 for i in df.index[np.flatnonzero(bad)[:max(room, 0)]]]

    def report(self, result: ValidationReport) -> None:
        for name, stem in self.fields:
            bad, rows = self.bad[name], self.rows[name]
            result.expectations.append(ExpectationOutcome(
                type="value_in_code_list", column=name, severity=Severity.error,
                success=not bad, unexpected_count=bad,
                unexpected_percent=_round(100 * bad / self.total if self.total else 0),
                rows=rows[:MAX_ROWS],
                description=f"every value is a concept in {shown_path(stem)}"))
            for row in rows[:5]:
                result.errors.append(Problem("codelist", f"value is not a notation of the "
                                             f"`{stem}` code list ({shown_path(stem)})",
                                             Location(None, row, name)))
            if bad > 5:
                result.errors.append(Problem("codelist", f"{bad} values in all are not "
                                             f"notations of the `{stem}` code list",
                                             Location(None, None, name)))


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


def _rows(index_values: Any) -> list[int]:
    """1-based rows (index value + 1) of GX's unexpected index values, sorted."""
    values = [int(v) + 1 for v in index_values or () if not isinstance(v, dict)]
    return sorted(values)[: MAX_ROWS * 5]


def _safe_observed(value: Any) -> Any:
    """Keep only aggregate observations (numbers), never lists of values."""
    if isinstance(value, bool | int | float | np.integer | np.floating):
        return value.item() if hasattr(value, "item") else value
    return None


def _round(v: Any) -> float | None:
    return None if v is None else round(float(v), 4)
