"""The spec's field rules (scrub, pseudonymise, generalise, replace, drop) over records.

Every field rule reads one record at a time (free-text scrubbing decides per
value, pseudonyms and generalisations are functions of the value and the key),
so a record table can be redacted a frame at a time, in any process, and the
frames' reports added up in frame order give the report of one pass
(:func:`add_report`). The module imports neither disclosure control nor the
verifier, so a redaction worker (:mod:`pipelines.redaction.redact_batches`)
starts with only what it uses.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipelines.contracts.redaction import FieldReport, RedactionReport
from pipelines.errors import FivestarError, Location, Problem
from pipelines.redaction.generalise import generalise
from pipelines.redaction.pseudonymise import pseudonymise_series, require_key
from pipelines.redaction.scrub import Scrubber, scrub_names_from
from pipelines.spec.redaction import (
    Drop,
    Generalise,
    Keep,
    Pseudonymise,
    Replace,
    Scrub,
    allowed_terms,
)


def _when(df: pd.DataFrame, when: dict[str, Any] | None) -> np.ndarray:
    mask = np.ones(len(df), dtype=bool)
    for col, want in (when or {}).items():
        wanted = [str(w) for w in (want if isinstance(want, list) else [want])]
        mask &= df[col].astype("string").isin(wanted).fillna(False).to_numpy()
    return mask


def _changed(before: pd.Series, after: pd.Series) -> int:
    """Values that differ (a value becoming null, or null becoming one, counts)."""
    b = pa.array(before.astype("string"), type=pa.string(), from_pandas=True)
    a = pa.array(after.astype("string"), type=pa.string(), from_pandas=True)
    same = pc.fill_null(pc.equal(a, b), False)
    both_null = pc.and_(pc.is_null(a), pc.is_null(b))
    return len(a) - int(pc.sum(pc.or_(same, both_null)).as_py() or 0)


def add_report(total: RedactionReport, part: RedactionReport) -> None:
    """Add one frame's report to the report of the frames before it (in frame order:
    the fields keep the order of the first frame's rules)."""
    total.rows_in += part.rows_in
    total.rows_out += part.rows_out
    for field, fr in part.fields.items():
        into = total.fields.setdefault(field, FieldReport(rule=fr.rule))
        into.dropped = fr.dropped
        into.values_changed += fr.values_changed
        into.count_scrubbed(fr.scrubbed_by_type)
        into.count_kept(fr.proper_nouns_kept)
        if fr.conditional:
            into.conditional = True
            into.rows_in_scope = (into.rows_in_scope or 0) + (fr.rows_in_scope or 0)
        if fr.output_format is not None:
            into.output_format = fr.output_format


class FieldRedactor:
    """The spec's field rules, applied to a table or to its batches in turn.

    ``redactor(df)`` redacts a frame and adds its counts to ``report``;
    :meth:`frame` gives the frame's own report instead (for a worker process, whose
    reports the caller adds up in frame order). Each call keeps the index of the
    frame it is given (the rows' positions in the source extract).
    """

    def __init__(self, spec: Any, key: bytes | None) -> None:
        self.spec, self.key = spec, key
        self.rules = spec.redaction
        self.allow = allowed_terms(spec, self.rules)
        self.report = RedactionReport(dataset=spec.id, rows_in=0)

    def __call__(self, df: pd.DataFrame) -> pd.DataFrame:
        out, part = self.frame(df)
        add_report(self.report, part)
        return out

    def frame(self, df: pd.DataFrame) -> tuple[pd.DataFrame, RedactionReport]:
        """The redacted frame and what the rules did to it alone."""
        changed, report = self.changes(df)
        return self.assemble(df, changed), report

    def changes(self, df: pd.DataFrame) -> tuple[dict[str, pd.Series], RedactionReport]:
        """The new values of each field a rule changes (in rule order; a field kept or
        dropped is not in it), and what the rules did to the frame. Every rule reads the
        input record, so they can be applied in any order and the frame put together
        afterwards (:meth:`assemble`, in the process that holds the frame)."""
        rules, spec = self.rules, self.spec
        report = RedactionReport(dataset=spec.id, rows_in=len(df))
        source = df.reset_index(drop=True)
        changed: dict[str, pd.Series] = {}
        for field, rule in rules.fields.items():
            if field not in source.columns:
                raise FivestarError(Problem("redaction-field", "rule names a field not in the "
                                            "data", Location(file=f"dataset {spec.id}",
                                                             field=field)))
            fr = report.fields.setdefault(field, FieldReport(rule=rule.rule))
            if isinstance(rule, Drop | Keep):
                fr.dropped = isinstance(rule, Drop)
                continue
            mask = _when(source, rule.when)
            if rule.when is not None:
                fr.conditional = True
                fr.rows_in_scope = int(mask.sum())
            col = source[field]
            new = self._apply(rule, field, col, source, fr)
            if rule.when is not None:  # rows out of scope keep their value
                base = col if new.dtype == col.dtype else col.astype("string")
                new = base.where(~mask, new if new.dtype == col.dtype else new.astype("string"))
            fr.values_changed += _changed(col, new)
            changed[field] = new
        report.rows_out = len(df)
        return changed, report

    def assemble(self, df: pd.DataFrame, changed: dict[str, pd.Series]) -> pd.DataFrame:
        """The redacted frame: ``df`` with the changed fields' new values, the dropped
        fields left out, and ``df``'s index (so the verifier's rows still name the source
        file's rows). The fields no rule changes are ``df``'s own columns, whichever
        process computed the changes: the stored bytes do not depend on where."""
        out = df.reset_index(drop=True).copy(deep=False)
        for field, new in changed.items():
            out[field] = new
        out = out.drop(columns=[f for f, r in self.rules.fields.items() if isinstance(r, Drop)])
        out.index = df.index
        return out

    def _apply(self, rule: Any, field: str, col: pd.Series, source: pd.DataFrame,
               fr: FieldReport) -> pd.Series:
        if isinstance(rule, Scrub):
            scrubber = Scrubber(rule.types, allow_terms=self.allow)
            new = scrubber.scrub_series(col)
            fr.count_scrubbed(scrubber.counts)
            fr.count_kept(scrubber.kept)
            if rule.names_from:
                in_scope = _when(source, rule.names_when)
                names = [source[n].astype("string").where(in_scope) for n in rule.names_from]
                new, named = scrub_names_from(new, names)
                if named:
                    fr.count_scrubbed({"NAME": named})
            return new
        if isinstance(rule, Pseudonymise):
            k = require_key(self.key, self.spec.id, field)
            return pseudonymise_series(col, k, rule.length, rule.prefix)
        if isinstance(rule, Generalise):
            fr.output_format = rule.to.value
            return generalise(col, rule)
        if isinstance(rule, Replace):
            new = pd.Series(rule.value, index=col.index, dtype="string")
            new[col.isna()] = pd.NA
            return new
        raise TypeError(rule)  # pragma: no cover - the model's union is closed
