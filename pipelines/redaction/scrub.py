"""Free-text scrubbing: personal data inside text replaced by typed placeholders.

Presidio was considered and not used: its recognisers need a spaCy language
model, which is downloaded from a model hub at install/run time, and fivestar
must run fully offline from registry packages. UK identifiers have
well-defined shapes, so compiled regular expressions plus a Luhn check for card
numbers do the job deterministically and fast; person names, which have no
shape, are found by :mod:`pipelines.redaction.names` (gazetteers, word lists,
context), and the record's own names from other fields by
:func:`scrub_names_from`.

Columns are processed whole with Polars (Rust's regex engine, both cores):
one combined match finds the rows holding any identifier, then one replace per
type runs over just those rows. Every pattern is anchored on word boundaries
and, where the bare shape is ambiguous (passport numbers, dates of birth), on
a context keyword, so that ordinary numbers, event dates, prices and case
references survive.

The independent post-redaction scanner lives in ``verify.py`` and imports
nothing from here or from ``names.py``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from pipelines.spec.redaction import Placeholder

_MONTHS = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
           r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_DATE = (rf"(?:\d{{1,2}}[/.\-]\d{{1,2}}[/.\-](?:\d{{4}}|\d{{2}})"
         rf"|\d{{4}}-\d{{2}}-\d{{2}}"
         rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS}\.?,?\s+\d{{4}}"
         rf"|{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})")
#: The last word of a street's name ("Road", "Rd", "Close" ...), as addresses write them.
_STREET_WORDS = ("street|st|road|rd|avenue|ave|lane|ln|close|drive|dr|way|court|ct|crescent"
                 "|cres|place|pl|terrace|tce|gardens|gdns|grove|square|sq|hill|park|row|walk"
                 "|mews|parade|rise|view|green|wynd|brae|gate|vale|boulevard|embankment"
                 "|quay|wharf|yard")
#: Patterns (Rust regex syntax, run by Polars; no look-around), in the order
#: they are applied: earlier types claim text first (an email's digits are never
#: seen as a phone number). A boundary that cannot be written as ``\b`` is
#: captured as group 1 and written back. ``(pattern, keeps_prefix_group)``.
PATTERNS: dict[Placeholder, tuple[str, bool]] = {
    # Letters of any script, local part and domain alike: internationalised
    # addresses (RFC 6531) and domains (IDNA) are written in people's own scripts.
    Placeholder.EMAIL: (
        r"\b[\p{L}\p{N}][\p{L}\p{M}\p{N}._%+'\-]*"
        r"(?:@|\s?[\[(](?i:at)[\])]\s?)"
        r"[\p{L}\p{M}\p{N}\-]+(?:(?:\.|\s?[\[(](?i:dot)[\])]\s?)[\p{L}\p{M}\p{N}\-]+)*"
        r"(?:\.|\s?[\[(](?i:dot)[\])]\s?)\p{L}[\p{L}\p{M}]+\b", False),
    Placeholder.DATE_OF_BIRTH: (
        rf"(?i)(\b(?:date\s+of\s+birth|d\.?o\.?b\.?|born(?:\s+on)?|birth\s*date)"
        rf"(?:\s+(?:is|was))?\s*[:\-]?\s*){_DATE}", True),
    Placeholder.PASSPORT: (
        r"(?i)(\bpassport(?:\s+(?:no\.?|number|num\.?|#))?(?:\s+(?:is|was))?\s*[:#\-]?\s*)"
        r"[A-Z]{0,2}\d{6,9}\b", True),
    Placeholder.GWF_REF: (r"(?i)\bGWF[\s\-]?\d{9}\b", False),
    Placeholder.NINO: (
        r"(?i)\b[A-Z]{2}"
        r"[\s\-]?\d{2}[\s\-]?\d{2}[\s\-]?\d{2}[\s\-]?[A-D]\b", False),
    Placeholder.CARD: (r"(^|[^\d\-])\d(?:[ \-]?\d){12,18}\b", True),
    Placeholder.IP: (
        r"\b(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\b"
        r"|(?i)\b(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}\b"
        r"|(?i)\b(?:[0-9a-f]{1,4}:){1,6}:(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,5})?\b", False),
    Placeholder.PHONE: (
        r"(^|[^\w+])(?:(?:\+|00)44[\s\-]?(?:\(0\)[\s\-]?)?[1-9]|\(0\d|0[1-9])"
        r"\d{1,3}\)?[\s.\-]?\d{3,4}[\s.\-]?\d{3,4}\b", True),
    Placeholder.POSTCODE: (
        r"\b(?:(?i:GIR[ ]?0AA)"
        r"|[A-Z]{1,2}\d[A-Z\d]?[ ]?\d[ABD-HJLNP-UW-Z]{2}"
        r"|[a-z]{1,2}\d[a-z\d]?[ ]\d[abd-hjlnp-uw-z]{2})\b", False),
    # A house number (1-3 digits: "in 2024 Station Road was shut" keeps its year), then
    # capitalised words ending in a street word (any case:
    # "14 Mill Lane", "14 MILL LANE"), or a Welsh street word then its name
    # ("7 Heol y Coed"); a flat or unit number in front is taken with it.
    Placeholder.ADDRESS: (
        rf"(^|[^\w.,:/£$€\-])(?i:(?:flat|apartment|apt|unit|room)\.?\s+\d{{1,4}}[a-z]?,?\s+)?"
        rf"\d{{1,3}}[A-Za-z]?(?:\s?-\s?\d{{1,3}})?,?\s+"
        rf"(?:(?:\p{{Lu}}[\p{{L}}\p{{M}}'’\-]*\.?\s+){{1,3}}(?i:{_STREET_WORDS})"
        rf"|(?i:heol|ffordd|stryd|lôn|lon|rhodfa)\s+(?:[\p{{L}}\p{{M}}'’\-]+\s+){{0,2}}"
        rf"\p{{Lu}}[\p{{L}}\p{{M}}'’\-]*)\b", True),
    Placeholder.VEHICLE_REG: (
        r"\b(?:[A-Z]{2}\d{2}[ ]?[A-Z]{3}|[a-z]{2}\d{2}[ ]?[a-z]{3}"
        r"|[A-HJ-PR-Y]\d{1,3}[ ][A-Z]{3})\b", False),
}

#: Luhn: the value of a doubled digit (2 × d, minus 9 when above 9).
_LUHN_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)


def luhn_ok(digits: str) -> bool:
    """True for a digit string passing the Luhn checksum (real card numbers do)."""
    kept = sum(map(int, digits[-1::-2]))
    doubled = sum(map(_LUHN_DOUBLED.__getitem__, map(int, digits[-2::-2])))
    return (kept + doubled) % 10 == 0


#: A run of digits with single spaces or dashes inside, taken whole (no
#: look-around needed), then cut by :func:`card_numbers`.
_CARD_RUN = r"\d(?:[ \-]?\d)+"


def card_numbers(run: str) -> list[str]:
    """The card numbers in a digit run: 13-19 Luhn-valid digits, whole digit groups.

    "2023 4111 1111 1111 1111" holds a card after the year; the run is tried
    whole, then as every stretch of consecutive groups of the right length.
    """
    digits = run.replace(" ", "").replace("-", "")
    if 13 <= len(digits) <= 19 and luhn_ok(digits):
        return [run]
    groups = re.split(r"([ \-])", run)
    found = []
    for i in range(0, len(groups), 2):
        for j in range(len(groups) - 1, i, -2):
            piece = "".join(groups[i:j + 1])
            n = sum(len(g) for g in groups[i:j + 1:2])
            if 13 <= n <= 19 and luhn_ok(piece.replace(" ", "").replace("-", "")):
                found.append(piece)
                break
    return found


class Scrubber:
    """Typed-placeholder scrubbing of whole columns, vectorised with Polars.

    ``counts`` is the number of spans replaced per placeholder type. Card
    candidates are confirmed with the Luhn checksum in Python, for the few
    rows that have one. ``NAME`` runs the person-name detector
    (:class:`~pipelines.redaction.names.NameScrubber`) after the typed
    identifiers, with ``allow_terms`` (the spec's allowed proper nouns and
    code-list labels) added to its allow-list.
    """

    def __init__(self, types: Iterable[Placeholder] = tuple(Placeholder),
                 allow_terms: Iterable[str] = ()) -> None:
        wanted = set(types)
        self.types = [t for t in PATTERNS if t in wanted]
        self.names = Placeholder.NAME in wanted
        self.allow_terms = list(allow_terms)
        self.counts: Counter[str] = Counter()
        #: Proper nouns the name scrubber left in the text, by reason (for the report).
        self.kept: Counter[str] = Counter()
        self._any = "|".join(f"(?:{PATTERNS[t][0]})" for t in self.types)

    def scrub_array(self, arr: pa.Array) -> pa.Array:
        """Scrub an Arrow string array; nulls stay null."""
        if len(arr) == 0 or not (self.types or self.names):
            return arr
        out = self.scrub_polars(pl.Series("text", arr, dtype=pl.String))
        return out.to_arrow().cast(pa.string())

    def scrub_polars(self, col: pl.Series) -> pl.Series:
        """Scrub a Polars string column (the production path)."""
        if self.types:
            col = self._typed(col)
        if self.names:
            from pipelines.redaction.names import NameScrubber

            finder = NameScrubber.for_terms(self.allow_terms)
            col = finder.scrub(col)
            if finder.replaced:
                self.counts[Placeholder.NAME.value] += finder.replaced
            self.kept.update(finder.kept)
        return col

    def _typed(self, col: pl.Series) -> pl.Series:
        hit = col.str.contains(self._any).fill_null(False)
        idx = hit.arg_true()
        if idx.len() == 0:
            return col
        sub = col.gather(idx)
        for kind in self.types:
            sub = self._apply(kind, sub, *PATTERNS[kind])
        out = col.clone()
        out.scatter(idx, sub)
        return out

    def _apply(self, kind: Placeholder, sub: pl.Series, pattern: str,
               keeps_prefix: bool) -> pl.Series:
        hit = sub.str.contains(pattern).fill_null(False)
        rows = hit.arg_true()
        if rows.len() == 0:
            return sub
        if kind is Placeholder.CARD:
            # Luhn once per distinct digit run, then one literal replace
            before = sub.gather(rows)
            runs = before.str.extract_all(_CARD_RUN).explode().drop_nulls().unique().to_list()
            valid = sorted({c for r in runs for c in card_numbers(r)}, key=len, reverse=True)
            if not valid:
                return sub
            replaced = before.str.replace_many(valid, [kind.token] * len(valid), leftmost=True)
            self.counts[kind.value] += int(
                (replaced.str.count_matches(kind.token, literal=True)
                 - before.str.count_matches(kind.token, literal=True)).sum())
        else:
            token = kind.token
            before = sub.gather(rows)
            replaced = before.str.replace_all(pattern, ("${1}" + token) if keeps_prefix
                                              else token.replace("$", "$$"))
            self.counts[kind.value] += int(
                (replaced.str.count_matches(token, literal=True)
                 - before.str.count_matches(token, literal=True)).sum())
        sub = sub.clone()
        sub.scatter(rows, replaced)
        return sub

    def scrub_text(self, text: str) -> str:
        """Scrub one string (tests, small inputs)."""
        return self.scrub_array(pa.array([text], type=pa.string()))[0].as_py()

    def scrub_series(self, values: pd.Series) -> pd.Series:
        """Scrub a pandas column, keeping its index and name (Arrow-backed ``string``)."""
        out = self.scrub_array(to_arrow(values))
        return from_arrow(out, values)


def to_arrow(values: pd.Series) -> pa.Array:
    """A string column as an Arrow array (zero-copy when already Arrow-backed)."""
    arr = pa.array(values, type=pa.string(), from_pandas=True)
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def from_arrow(arr: pa.Array, like: pd.Series) -> pd.Series:
    """Back to pandas with ``like``'s index and name.

    The result is Arrow-backed ``string`` (``StringDtype("pyarrow")``, which
    equals ``"string"``): converting back to Python-object storage would cost
    more than the scrubbing itself at a million rows.
    """
    return pd.Series(pd.array(arr, dtype=pd.StringDtype("pyarrow")), index=like.index,
                     name=like.name)


# -- names from other fields of the same record --------------------------------

_HONORIFIC_WORDS = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "lady", "lord",
                    "rev"}


def name_tokens(name: str) -> list[str]:
    """Lower-cased strings to remove for a name: the full name, then each part of 2+ letters.

    Longest first, so "Jane Smith" is replaced as one unit before "Smith" alone.
    """
    parts = [p.strip(".,") for p in re.split(r"\s+", name.strip()) if p.strip(".,")]
    parts = [p for p in parts if p.lower() not in _HONORIFIC_WORDS]
    tokens = {" ".join(parts).lower()} if parts else set()
    tokens |= {p.lower() for p in parts if len(p) >= 2}
    for p in parts:  # double-barrelled names: also each half
        tokens |= {h.lower() for h in re.split(r"[\-’']", p) if len(h) >= 3}
    return sorted((t for t in tokens if t), key=len, reverse=True)


def replace_names(text: str, tokens: list[str], placeholder: str = "[NAME]") -> tuple[str, int]:
    """Replace whole-word, case-insensitive occurrences of ``tokens`` in ``text``.

    Plain string search on a lower-cased copy kept in step with the text (no
    per-record regex compile), which keeps the per-row cost tiny; falls back
    to a regex when lower-casing changes the length (rare non-ASCII mappings).
    Tokens are tried longest first, so a full name goes as one unit.
    """
    low = text.lower()
    if len(low) != len(text):
        n = 0
        for t in tokens:
            text, k = re.subn(rf"(?<!\w){re.escape(t)}(?!\w)", placeholder, text,
                              flags=re.IGNORECASE)
            n += k
        return text, n
    low_placeholder = placeholder.lower()
    width = len(placeholder)
    n = 0
    for t in tokens:
        start = low.find(t)
        while start != -1:
            end = start + len(t)
            before = low[start - 1] if start else " "
            after = low[end] if end < len(low) else " "
            if not (before.isalnum() or before == "_" or after.isalnum() or after == "_"):
                text = text[:start] + placeholder + text[end:]
                low = low[:start] + low_placeholder + low[end:]
                n += 1
                start = low.find(t, start + width)
            else:
                start = low.find(t, start + 1)
    return text, n


def scrub_names_from(texts: pd.Series, name_columns: list[pd.Series]) -> tuple[pd.Series, int]:
    """Remove each record's own names (taken from other columns) from its text.

    Per-record needles cannot go into one regex, so the name tokens are
    computed once per distinct name and a per-row substring test (Polars,
    vectorised) skips every row that does not contain a part of its own name;
    only rows that do go through the (Python) whole-word matcher.
    Returns the new texts and the number of values changed.
    """
    arr = to_arrow(texts)
    low_pl = pl.Series(pc.utf8_lower(arr))
    lowered: dict[int, str] = {}
    # Python strings only for the rows that may change (made on first use)
    values: dict[int, str] = {}
    never = "\uffff\uffff"  # cannot occur in lower-cased text: pads the 3 probe slots
    hits: set[int] = set()
    for names in name_columns:
        codes, uniques = pd.factorize(names.astype("string"), use_na_sentinel=True)
        tokens: list[list[str]] = []
        probe_cols: list[list[str]] = [[], [], []]
        for name in uniques:  # once per distinct name
            toks = name_tokens(str(name))
            # every token contains a minimal token, so probing those suffices;
            # more than three: probe with "" (always a candidate)
            atoms = [t for t in toks if not any(o != t and o in t for o in toks)]
            parts = (atoms if len(atoms) <= 3 else [""]) + [never] * 3
            tokens.append(toks)
            for k in range(3):
                probe_cols[k].append(parts[k])
        tokens.append([])  # code -1 (missing name) indexes this
        probes = pl.DataFrame({"low": low_pl, **{
            f"p{k}": np.asarray([*col, never], dtype=object)[codes] for k, col in
            enumerate(probe_cols)}}, schema_overrides={f"p{k}": pl.String for k in range(3)})
        if lowered:  # texts changed by an earlier names column
            idx = sorted(lowered)
            probes = probes.with_columns(probes["low"].scatter(idx, [lowered[i] for i in idx]))
        low = pl.col("low")
        found = probes.select(
            low.str.contains(pl.col("p0"), literal=True)
            | low.str.contains(pl.col("p1"), literal=True)
            | low.str.contains(pl.col("p2"), literal=True)).to_series().fill_null(False)
        candidates = found.arg_true().to_list()
        originals = arr.take(pa.array(candidates, type=pa.int64())).to_pylist()
        for i, original in zip(candidates, originals, strict=True):
            new, n = replace_names(values.get(i, original), tokens[codes[i]])
            if n:
                values[i] = new
                lowered[i] = new.lower()
                hits.add(i)
    changed = len(hits)
    if not hits:
        return from_arrow(arr, texts), 0
    rows = sorted(hits)
    mask = np.zeros(len(arr), dtype=bool)
    mask[rows] = True
    out = pc.replace_with_mask(arr, pa.array(mask),
                               pa.array([values[i] for i in rows], type=pa.string()))
    return from_arrow(out, texts), changed
