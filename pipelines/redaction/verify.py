"""The independent, fail-closed check of a redacted table.

Independent on purpose: nothing here is imported from the modules that did
the redacting (``scrub``, ``sdc``, ``generalise``, ``pseudonymise``), so one
bug cannot both leak data and hide the leak. It has

* its own personal-data detectors (Python ``re``, written separately from the
  patterns the scrubber uses, deliberately a little broader), run over
  every text field of the output, ``keep`` fields and fields with no rule
  included;
* its own look for person names left in text (:mod:`~pipelines.redaction.verify_names`:
  a character n-gram model trained on another name source, a residual scan
  for capitalised words no allow-list explains, and a context scan) and a
  statistical second opinion on every phrase the rules pass (a small spaCy NER
  model, :mod:`~pipelines.redaction.ner`), so a name the scrubber's gazetteer
  and rules missed still blocks the release;
* a Great Expectations suite over the output's structure (status codes,
  formats of pseudonymised and generalised fields);
* for aggregates, the disclosure audit of :mod:`pipelines.redaction.audit`:
  its own derivation of the full table and its margin equations, and integer
  programmes (HiGHS via scipy) proving every primary cell's feasible
  interval meets the declared protection.

Findings are :class:`Problem`s naming dataset, row and field, never the value.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from pipelines.errors import Location, Problem
from pipelines.redaction import ner, verify_names
from pipelines.spec.redaction import (
    Drop,
    Generalise,
    GeneraliseTo,
    Keep,
    Pseudonymise,
    RedactionRules,
    Replace,
    allowed_terms,
)

MAX_FINDINGS_PER_FIELD = 200

# -- detectors (independent of scrub.py) --------------------------------------

_I = re.IGNORECASE
DETECTORS: dict[str, re.Pattern[str]] = {
    "EMAIL": re.compile(r"[\w.+'%-]+\s*(?:@|[(\[]\s*at\s*[)\]])\s*[\w-]+"
                        r"(?:\s*(?:\.|[(\[]\s*dot\s*[)\]])\s*[\w-]+)+", _I),
    "DATE_OF_BIRTH": re.compile(
        r"(?:birth|\bdob\b|d\.o\.b|\bborn\b)\W{0,5}(?:\w+\W{1,3}){0,3}?"
        r"(?:\d{1,2}\W\d{1,2}\W\d{2,4}|\d{4}-\d\d-\d\d"
        r"|\d{1,2}(?:st|nd|rd|th)?\s+[a-z]{3,9}\.?,?\s+\d{4}|[a-z]{3,9}\s+\d{1,2}\w*,?\s+\d{4})",
        _I),
    "PASSPORT": re.compile(r"passport\W{0,5}(?:\w+\W{1,3}){0,3}?[a-z]{0,2}\d{6,9}\b", _I),
    "GWF_REF": re.compile(r"\bGWF\W*\d{9}\b", _I),
    "NINO": re.compile(r"\b[a-z]{2}(?:[\s-]*\d){6}[\s-]*[a-d]\b", _I),
    "CARD": re.compile(r"(?<!\d)\d(?:[\s-]*\d){12,18}(?!\d)"),
    "IP": re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?!\.?\d)"
                     r"|(?<![\w:])(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?![\w:])", _I),
    "PHONE": re.compile(r"(?:\+\s*44|\b0044|(?<![\w.])\(?0)[\d\s().-]{8,16}\d"),
    "POSTCODE": re.compile(r"\b[a-z]{1,2}\d[a-z\d]?\s*\d[a-z]{2}\b", _I),
    "VEHICLE_REG": re.compile(r"\b(?:[A-Z]{2}\d{2}\s?[A-Z]{3}|[a-z]{2}\d{2}\s?[a-z]{3}"
                              r"|[A-Z]\d{1,3}\s[A-Z]{3})\b"),
    # a house number, one to three words, a street word; _confirm wants the words
    # capitalised ("3 times on the road" is no address), the street word in any case
    "ADDRESS": re.compile(
        r"(?<![\d.,:/£$€-])\d{1,3}[a-z]?(?:\s*-\s*\d{1,3})?\s*,?\s+"
        r"(?:(?P<words>(?:[^\W\d_][\w'’.-]*\s+){1,3})"
        r"(?:street|st|road|rd|avenue|ave|lane|ln|close|drive|dr|way|court|ct|crescent|cres"
        r"|place|pl|terrace|tce|terr|gardens|gdns|grove|gr|square|sq|hill|park|row|walk|mews"
        r"|parade|rise|view|green|wynd|brae|gate|vale|boulevard|embankment|quay|wharf|yard)"
        r"|(?:heol|ffordd|stryd|lôn|lon|rhodfa)\s+(?:[^\W\d_][\w'’-]*\s+){0,2}?"
        r"(?-i:[A-ZÀ-ÖØ-ÞŁŚŻŹĆŃ])[\w'’-]*)\b", _I),
    # honorific in any case, then a capitalised word (case-sensitive: "Miss the bus" is fine)
    "NAME": re.compile(r"\b(?i:mr|mrs|ms|miss|mx|dr|prof|sir|dame|lady|lord|rev)\b\.?\s+"
                       r"(?:[A-Z]\.?\s+)*[A-Z][A-Za-z'’-]+"
                       r"|\b(?i:approved|authori[sz]ed|signed|checked|certified|submitted|raised"
                       r"|requested|countersigned)\s+(?:off\s+)?(?i:by)\s+"
                       r"(?!(?i:mr|mrs|ms|miss|mx|dr|prof|sir|dame|lady|lord|rev)\b)"
                       r"[A-Z][A-Za-z'’-]+"),
}
#: Per detector, a cheap superset in Rust regex syntax (no look-around), run over
#: the whole column by Polars: only rows one of them matches are read by the
#: Python detectors above. Each is broader than its detector, never narrower.
PREFILTERS: dict[str, str] = {
    "EMAIL": r"@|(?i)[(\[]\s*at\s*[)\]]",
    "DATE_OF_BIRTH": r"(?i)birth|dob|d\.o\.b|born",
    "PASSPORT": r"(?i)passport",
    "GWF_REF": r"(?i)gwf\W*\d",
    "NINO": r"(?i)\b[a-z]{2}(?:[\s-]*\d){6}[\s-]*[a-d]\b",
    "CARD": r"\d(?:[\s-]*\d){12}",
    "IP": r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}|[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}:",
    "PHONE": r"(?:\+\s*44|\b0044|(?:^|[^\w.])\(?0)[\d\s().-]{8,16}\d",
    "POSTCODE": r"(?i)\b[a-z]{1,2}\d[a-z\d]?\s*\d[a-z]{2}\b",
    "VEHICLE_REG": (r"\b(?:[A-Z]{2}\d{2}\s?[A-Z]{3}|[a-z]{2}\d{2}\s?[a-z]{3}"
                    r"|[A-Z]\d{1,3}\s[A-Z]{3})\b"),
    "NAME": r"(?i:\b(?:mr|mrs|ms|miss|mx|dr|prof|sir|dame|lady|lord|rev|by)\b)\.?\s+[A-Z]",
    "ADDRESS": r"\d\s*,?\s+\S+\s+(?:\S+\s+){0,3}(?i:st|rd|dr|ct|pl|sq|gr|ln|tce|ave|row|way"
               r"|street|road|avenue|lane|close|drive|court|crescent|cres|place|terrace|terr"
               r"|gardens|gdns|grove|square|hill|park|walk|mews|parade|rise|view|green|wynd"
               r"|brae|gate|vale|boulevard|embankment|quay|wharf|yard)\b"
               r"|(?i:heol|ffordd|stryd|lôn|lon|rhodfa)\s",
}
#: Field names that suggest personal data; publishing one needs an explicit rule.
_PERSONAL_FIELD = re.compile(r"(name|email|e_mail|phone|telephone|mobile|postcode|address|"
                             r"birth|dob|nino|passport|gwf|ip_addr)", _I)


def _luhn(digits: str) -> bool:
    s = 0
    for i, d in enumerate(int(c) for c in reversed(digits)):
        s += d if i % 2 == 0 else (d * 2 - 9 if d > 4 else d * 2)
    return s % 10 == 0


def _confirm(kind: str, match: re.Match[str]) -> bool:
    """Second look at a detector hit, to keep obvious non-matches from blocking."""
    text = match.group()
    if kind == "CARD":
        digits = re.sub(r"\D", "", text)
        return 13 <= len(digits) <= 19 and _luhn(digits)
    if kind == "PHONE":
        digits = re.sub(r"\D", "", text.replace("(0)", ""))
        if digits.startswith("0044"):
            digits = "0" + digits[4:]
        elif digits.startswith("44"):
            digits = "0" + digits[2:]
        return len(digits) in (10, 11) and digits[1] != "0"
    if kind == "IP":
        if "." in text:
            return all(int(p) <= 255 for p in text.split("."))
        return text.count(":") == 7 or "::" in text and len(text) > 3
    if kind == "POSTCODE":
        return text.isupper() or text.islower()
    if kind == "ADDRESS":
        words = (match.group("words") or "").split()
        return all(w[0].isupper() for w in words)  # none: a Welsh street, capitalised
    return True


def find_personal_data(text: str) -> list[str]:
    """Placeholder types whose pattern occurs in ``text`` (public for tests)."""
    found = []
    for kind, pattern in DETECTORS.items():
        if any(_confirm(kind, m) for m in pattern.finditer(text)):
            found.append(kind)
    return found


def _where(spec: Any, row: int | None = None, field: str | None = None) -> Location:
    return Location(file=f"dataset {spec.id}", row=row, field=field)


# -- entry point -----------------------------------------------------------------


def verify(df: pd.DataFrame, spec: Any, source: pd.DataFrame | None = None,
           certificate: pd.DataFrame | None = None) -> list[Problem]:
    """Every finding that should stop this table from being published.

    ``source`` is the table before redaction (the validated extract): the
    disclosure audit re-derives the true table from it to check published
    values and each primary cell's protection against its true value.
    ``certificate``: the suppressor's moves (``RedactionResult.certificate``),
    which the audit checks and uses in place of integer programmes.
    """
    rules = spec.redaction
    df = df.reset_index(drop=True)
    problems: list[Problem] = []
    problems += _check_fields(df, spec, rules)
    problems += _gx_suite(df, spec, rules)
    problems += _scan(df, spec, rules)
    if rules.sdc is not None:
        # here, not at the top: the audit's solver (scipy) is seconds of start-up that
        # a record dataset's verifier workers do not need
        from pipelines.redaction.audit import check_disclosure

        problems += check_disclosure(df, spec, rules.sdc, source, certificate)
    elif getattr(spec, "kind", None) == "aggregate":
        problems.append(Problem("sdc-missing", "aggregate dataset has no `redaction.sdc` rules; "
                                "small cells would be published unprotected", _where(spec)))
    return problems


def _check_fields(df: pd.DataFrame, spec: Any, rules: RedactionRules) -> list[Problem]:
    problems = []
    for field, rule in rules.fields.items():
        if isinstance(rule, Drop) and field in df.columns:
            problems.append(Problem("not-dropped", "field should have been dropped",
                                    _where(spec, field=field)))
        if isinstance(rule, Replace) and field in df.columns:
            mask = _when_mask(df, rule.when)
            bad = mask & (df[field].astype("string") != rule.value).fillna(True).to_numpy()
            bad &= df[field].notna().to_numpy()
            for i in np.nonzero(bad)[0][:MAX_FINDINGS_PER_FIELD]:
                problems.append(Problem("not-replaced", "value should have been replaced",
                                        _where(spec, int(i) + 1, field)))
    ruled = set(rules.fields)
    sdc_cols = set(rules.sdc.dimensions) | {rules.sdc.measure} if rules.sdc else set()
    for col in df.columns:
        if col in ruled or col in sdc_cols or col == "conf_status":
            continue
        if _PERSONAL_FIELD.search(col) and _is_text(df[col]):
            problems.append(Problem(
                "unruled-personal-field", "field name suggests personal data and it has no "
                "redaction rule (use `keep` with a reason if it is safe)", _where(spec, field=col)))
    return problems


def _when_mask(df: pd.DataFrame, when: dict[str, Any] | None) -> np.ndarray:
    mask = np.ones(len(df), dtype=bool)
    for col, want in (when or {}).items():
        wanted = want if isinstance(want, list) else [want]
        if col not in df.columns:
            return np.zeros(len(df), dtype=bool)
        mask &= df[col].astype("string").isin([str(w) for w in wanted]).fillna(False).to_numpy()
    return mask


def _is_text(s: pd.Series) -> bool:
    return pd.api.types.is_string_dtype(s.dtype) or s.dtype == object


# -- GX suite ------------------------------------------------------------------

_GENERALISED = {
    GeneraliseTo.month: r"^\d{4}-(?:0[1-9]|1[0-2])$",
    GeneraliseTo.quarter: r"^\d{4}-Q[1-4]$",
    GeneraliseTo.year: r"^\d{4}$",
    GeneraliseTo.postcode_district: r"^[A-Z]{1,2}\d[A-Z\d]?$",
    GeneraliseTo.postcode_sector: r"^[A-Z]{1,2}\d[A-Z\d]? \d$",
    GeneraliseTo.age_band: r"^(?:<\d+(?:\.\d+)?|\d+(?:\.\d+)?-\d+(?:\.\d+)?|\d+(?:\.\d+)?\+)$",
    GeneraliseTo.band: r"^(?:<-?\d+(?:\.\d+)?|-?\d+(?:\.\d+)?--?\d+(?:\.\d+)?|-?\d+(?:\.\d+)?\+)$",
}


def _gx_suite(df: pd.DataFrame, spec: Any, rules: RedactionRules) -> list[Problem]:
    """Structural expectations on the output, run by Great Expectations.

    GX is imported only when a rule asks for an expectation: a table with none (most
    record datasets) does not pay its seconds of import, in the gate or its workers.
    """
    wanted: list[tuple[str, dict[str, Any], str, str]] = []  # (expectation, kwargs, field, meaning)
    for field, rule in rules.fields.items():
        if field not in df.columns or isinstance(rule, Drop | Keep):
            continue
        if isinstance(rule, Pseudonymise) and rule.when is None:
            regex = "^" + re.escape(rule.prefix) + f"[0-9a-f]{{{rule.length}}}$"
            wanted.append(("ExpectColumnValuesToMatchRegex", {"column": field, "regex": regex},
                           field, "is not a pseudonym"))
        if isinstance(rule, Generalise) and rule.when is None:
            wanted.append(("ExpectColumnValuesToMatchRegex",
                           {"column": field, "regex": _GENERALISED[rule.to]},
                           field, f"is not generalised to {rule.to.value}"))
    if rules.sdc is not None and rules.sdc.measure in df.columns:
        wanted.append(("ExpectColumnToExist", {"column": "conf_status"}, "conf_status",
                       "observation status column is missing"))
        if "conf_status" in df.columns:
            wanted.append(("ExpectColumnValuesToBeInSet",
                           {"column": "conf_status", "value_set": ["F", "C", "D"]},
                           "conf_status", "is not an SDMX confidentiality code F/C/D"))
            wanted.append(("ExpectColumnValuesToNotBeNull", {"column": "conf_status"},
                           "conf_status", "is missing"))
        wanted.append(("ExpectColumnValuesToBeBetween",
                       {"column": rules.sdc.measure, "min_value": 0},
                       rules.sdc.measure, "is negative"))
    if not wanted:
        return []
    import great_expectations as gx
    import great_expectations.expectations as gxe

    exps = [(getattr(gxe, name)(**kwargs), field, meaning)
            for name, kwargs, field, meaning in wanted]
    from pipelines.gx_context import ephemeral_context

    context = ephemeral_context()
    batch = (context.data_sources.add_pandas("redacted")
             .add_dataframe_asset("output").add_batch_definition_whole_dataframe("all"))
    suite = context.suites.add(gx.ExpectationSuite(name=f"{spec.id}-redaction-verify"))
    for exp, _, _ in exps:
        suite.add_expectation(exp)
    validation = context.validation_definitions.add(
        gx.ValidationDefinition(name="redaction-verify", data=batch, suite=suite))
    # GX compares with Python objects; give it plain columns (no pandas NA scalars).
    plain = df.astype({c: object for c in df.columns if _is_text(df[c])})
    plain = plain.where(plain.notna(), None)
    result = validation.run(batch_parameters={"dataframe": plain},
                            result_format={"result_format": "COMPLETE",
                                           "include_unexpected_rows": False})
    problems = []
    for res, (_, field, meaning) in zip(result.results, exps, strict=True):
        if res.success:
            continue
        rows = (res.result or {}).get("unexpected_index_list") or []
        if not rows:
            problems.append(Problem("gx", f"expectation failed: {meaning}",
                                    _where(spec, field=field)))
        for r in rows[:MAX_FINDINGS_PER_FIELD]:
            idx = r if isinstance(r, int) else next(iter(r.values()), None)
            row = int(idx) + 1 if isinstance(idx, int | np.integer) else None
            problems.append(Problem("gx", f"value {meaning}", _where(spec, row, field)))
    return problems


# -- personal-data scan ----------------------------------------------------------


def _scan(df: pd.DataFrame, spec: Any, rules: RedactionRules) -> list[Problem]:
    """Run every detector over every text field (except pseudonyms and status codes).

    Every detector judges one value at a time, so each runs once per *distinct*
    value of a column and its verdict is given to every row holding that value
    (the findings are the same as row by row); the name scan runs once over the
    distinct values of all the columns it reads together, so its fixed cost (the
    allow-list's automaton) is paid once per table, not once per column.
    """
    problems: list[Problem] = []
    structured = {f for f, r in rules.fields.items()
                  if isinstance(r, Pseudonymise | Generalise) and r.when is None}
    allow = allowed_terms(spec, rules)
    # a `replace` rule with a `when` declares the rows outside it not personal
    # (supplier names of organisations): the name scan trusts that declaration
    declared = {f for f, r in rules.fields.items() if isinstance(r, Replace) and r.when}
    columns = {col: _distinct(df[col]) for col in df.columns
               if col not in structured and col != "conf_status" and _is_text(df[col])}
    named = _names_by_value({c: d for c, (d, _) in columns.items() if c not in declared},
                            allow)
    for col, (values, codes) in columns.items():
        if col in named:
            problems += _name_problems(named[col], codes, spec, col)
        column = pl.Series("t", values, dtype=pl.String)
        kinds_of: dict[int, list[str]] = defaultdict(list)  # distinct value -> its kinds
        for kind, pre in PREFILTERS.items():  # each detector reads only its own candidates
            rows = column.str.contains(pre).fill_null(False).arg_true()
            if rows.len() == 0:
                continue
            pattern = DETECTORS[kind]
            for i, text in zip(rows.to_list(), column.gather(rows).to_list(), strict=True):
                if any(_confirm(kind, m) for m in pattern.finditer(text)):
                    kinds_of[i].append(kind)
        found = 0
        for i, code in _rows_with(codes, kinds_of):
            found += 1
            if found <= MAX_FINDINGS_PER_FIELD:
                kinds = [k for k in DETECTORS if k in kinds_of[code]]
                problems.append(Problem(
                    "personal-data", "contains " + " ".join(f"[{k}]" for k in kinds),
                    _where(spec, int(i) + 1, col)))
        if found > MAX_FINDINGS_PER_FIELD:
            problems.append(Problem(
                "personal-data", f"… {found - MAX_FINDINGS_PER_FIELD} more rows with findings",
                _where(spec, field=col)))
    return problems


def _distinct(values: pd.Series) -> tuple[pa.Array, np.ndarray]:
    """(the column's distinct non-null values, each row's index into them, -1 for null)."""
    arr = pa.array(values.astype("string"), type=pa.string(), from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    encoded = pc.dictionary_encode(arr)
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    return encoded.dictionary, codes


def _rows_with(codes: np.ndarray, flagged: dict[int, Any]) -> list[tuple[int, int]]:
    """(row, distinct value's index) of every row whose value is ``flagged``, in row order."""
    if not flagged:
        return []
    rows = np.nonzero(np.isin(codes, np.fromiter(flagged, dtype=np.int64)))[0]
    return list(zip(rows.tolist(), codes[rows].tolist(), strict=True))


def _names_by_value(columns: dict[str, pa.Array],
                    allow: list[str]) -> dict[str, dict[int, str]]:
    """{column: {distinct value's index: what was found}} from one name scan over the
    distinct values of every column (each value is judged on its own text)."""
    if not columns:
        return {}
    values = pa.concat_arrays([v.cast(pa.string()) for v in columns.values()])
    found = verify_names.scan_column(
        pd.Series(pd.array(values, dtype=pd.StringDtype("pyarrow"))), allow)
    found += _model_findings(values, {pos for pos, _ in found}, allow)
    offsets = np.cumsum([0, *(len(v) for v in columns.values())])
    out: dict[str, dict[int, str]] = {c: {} for c in columns}
    names = list(columns)
    for pos, what in found:
        k = int(np.searchsorted(offsets, pos, side="right")) - 1
        out[names[k]][pos - int(offsets[k])] = what
    return out


def _model_findings(values: pa.Array, already: set[int],
                    allow: list[str]) -> list[tuple[int, str]]:
    """The statistical model's second opinion (:mod:`~pipelines.redaction.ner`) on the
    values the rule scan passed: phrases only (a value with a space between words),
    since one-word values (codes, references) are the rules' to judge and reading
    millions of them would cost minutes for nothing."""
    series = pl.Series("t", values, dtype=pl.String)
    phrases = series.str.contains(r"\p{L}\S*\s+\S").fill_null(False).arg_true().to_list()
    todo = [i for i in phrases if i not in already]
    if not todo:
        return []
    texts = series.gather(todo).to_list()
    return [(todo[k], ner.FINDING) for k in ner.flagged(texts, allow)]


def _name_problems(found: dict[int, str], codes: np.ndarray, spec: Any,
                   col: str) -> list[Problem]:
    """Person-like words left in one text column (never the word: row and field only)."""
    rows = _rows_with(codes, found)
    problems = [Problem("personal-data-name", f"contains {found[code]} (if it is not a "
                        "person, add it to `redaction.allow_terms`)", _where(spec, row + 1, col))
                for row, code in rows[:MAX_FINDINGS_PER_FIELD]]
    if len(rows) > MAX_FINDINGS_PER_FIELD:
        problems.append(Problem(
            "personal-data-name", f"… {len(rows) - MAX_FINDINGS_PER_FIELD} more rows with "
            "person-like words", _where(spec, field=col)))
    return problems


# -- disclosure control: see audit.py (independent of sdc.py) ---------------------
