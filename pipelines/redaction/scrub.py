"""Free-text scrubbing: personal data inside text replaced by typed placeholders.

Presidio was considered and not used: its recognisers need a spaCy language
model, which is downloaded from a model hub at install/run time, and fivestar
must run fully offline from PyPI packages. UK identifiers have well-defined
shapes, so compiled regular expressions (one combined alternation, one pass
per value) plus a Luhn check for card numbers and a per-record name match do
the job deterministically and fast.

Every pattern is anchored on word boundaries and, where the bare shape is
ambiguous (passport numbers, dates of birth), on a context keyword, so that
ordinary numbers, event dates, prices and case references survive.

The independent post-redaction scanner lives in ``verify.py`` and does not
import anything from here.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipelines.spec.redaction import Placeholder

_MONTHS = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
           r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_DATE = (rf"(?:\d{{1,2}}[/.\-]\d{{1,2}}[/.\-](?:\d{{4}}|\d{{2}})"
         rf"|\d{{4}}-\d{{2}}-\d{{2}}"
         rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS}\.?,?\s+\d{{4}}"
         rf"|{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})")
_HONORIFIC = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Lady|Lord|Rev|MR|MRS|MS|MISS|DR|PROF)"
_NAME_WORD = (r"(?:[A-Z][a-z]+(?:['’\-][A-Z]?[a-z]+)*|[A-Z]['’][A-Z][a-z]+"
              r"|[A-Z]{2,}(?:['’\-][A-Z]+)*)")

#: Patterns in RE2 syntax (run by Arrow's vectorised C++ regex engine), in the
#: order they are applied: earlier types claim text first (an email's digits are
#: never seen as a phone number). RE2 has no look-around, so a boundary that
#: cannot be written as ``\b`` is captured as group ``pre`` and written back.
#: ``(pattern, keeps_prefix_group)``.
PATTERNS: dict[Placeholder, tuple[str, bool]] = {
    Placeholder.EMAIL: (
        r"\b[A-Za-z0-9][A-Za-z0-9._%+'\-]*"
        r"(?:@|\s?[\[(](?i:at)[\])]\s?)"
        r"[A-Za-z0-9\-]+(?:(?:\.|\s?[\[(](?i:dot)[\])]\s?)[A-Za-z0-9\-]+)*"
        r"(?:\.|\s?[\[(](?i:dot)[\])]\s?)[A-Za-z]{2,}\b", False),
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
    Placeholder.VEHICLE_REG: (
        r"\b(?:[A-Z]{2}\d{2}[ ]?[A-Z]{3}|[a-z]{2}\d{2}[ ]?[a-z]{3}"
        r"|[A-HJ-PR-Y]\d{1,3}[ ][A-Z]{3})\b", False),
    Placeholder.NAME: (
        rf"\b{_HONORIFIC}\.?[ ]+(?:[A-Z]\.?[ ]+){{0,2}}{_NAME_WORD}(?:[ \-]{_NAME_WORD})?\b",
        False),
}

#: Second patterns for a type, applied after the first: names introduced by a
#: phrase that only ever precedes a person ("Approved by Jane Smith").
EXTRA_PATTERNS: dict[Placeholder, tuple[str, bool]] = {
    Placeholder.NAME: (
        r"(\b(?i:approved|authori[sz]ed|signed(?: off)?|checked|certified|submitted|raised"
        r"|requested|countersigned) by[ ]+)"
        rf"(?:[A-Z]\.?[ ]+){{0,2}}{_NAME_WORD}(?:[ \-]{_NAME_WORD}){{1,2}}\b", True),
}

#: Capitalised words that start sentences or clauses, never names: after an
#: honorific, "Mrs Patel How many…" is a name followed by a question.
_NOT_NAMES = (
    "How|What|When|Where|Why|Who|Whom|Whose|Which|The|This|That|These|Those|There|Their|They"
    "|We|I|It|Its|In|On|At|For|And|But|Or|If|Please|Thank|Thanks|Can|Could|Would|Will|Should"
    "|Is|Are|Was|Were|Do|Does|Did|Has|Have|Had|My|Our|Your|His|Her|A|An|As|To|From|With|By"
    "|Of|Re|Dear|Yes|No|Not|All|Any|Some|Many|Much|More|Most|Also|Then|So|Since|Because"
)
#: The honorific pattern again in Python's ``re`` (RE2 cannot look ahead), run
#: only over the few rows the RE2 pattern matched.
_NAME_PY = re.compile(
    rf"\b{_HONORIFIC}\.?[ ]+(?:[A-Z]\.?[ ]+){{0,2}}(?!(?:{_NOT_NAMES})\b){_NAME_WORD}"
    rf"(?:[ \-](?!(?:{_NOT_NAMES})\b){_NAME_WORD})?\b"
)


#: Luhn: the value of a doubled digit (2 × d, minus 9 when above 9).
_LUHN_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)


def luhn_ok(digits: str) -> bool:
    """True for a digit string passing the Luhn checksum (real card numbers do)."""
    kept = sum(map(int, digits[-1::-2]))
    doubled = sum(map(_LUHN_DOUBLED.__getitem__, map(int, digits[-2::-2])))
    return (kept + doubled) % 10 == 0


_CARD_PY = re.compile(r"(?<![\d\-])\d(?:[ \-]?\d){12,18}(?![\d\-])")
_CARD_TOKEN = Placeholder.CARD.token


def _scrub_cards(text: str) -> tuple[str, int]:
    """Replace Luhn-valid 13-19 digit runs (only these are card numbers)."""
    n = 0

    def rep(m: re.Match[str]) -> str:
        nonlocal n
        found = m.group()
        # the pattern allows only digits, spaces and dashes
        if luhn_ok(found.replace(" ", "").replace("-", "")):
            n += 1
            return _CARD_TOKEN
        return found

    return _CARD_PY.sub(rep, text), n


class Scrubber:
    """Typed-placeholder scrubbing of whole columns, vectorised with Arrow (RE2).

    One combined match finds the rows holding anything at all; then one
    replace pass per placeholder type runs over only those rows. Card
    candidates are confirmed with the Luhn checksum in Python, for the few
    rows that have one. ``counts`` is the number of values in which each
    placeholder type was substituted.
    """

    def __init__(self, types: Iterable[Placeholder] = tuple(Placeholder)) -> None:
        wanted = set(types)
        self.types = [t for t in PATTERNS if t in wanted]
        self.counts: Counter[str] = Counter()
        self._any = "|".join(f"(?:{PATTERNS[t][0]})" for t in self.types)
        extra = [EXTRA_PATTERNS[t][0] for t in self.types if t in EXTRA_PATTERNS]
        self._any = "|".join([self._any, *(f"(?:{p})" for p in extra)])

    def scrub_array(self, arr: pa.Array) -> pa.Array:
        """Scrub an Arrow string array; nulls stay null."""
        if not self.types or len(arr) == 0:
            return arr
        mask = pc.fill_null(pc.match_substring_regex(arr, self._any), False)
        idx = pc.indices_nonzero(mask)
        if len(idx) == 0:
            return arr
        sub = pc.take(arr, idx)
        for kind in self.types:
            sub = self._apply(kind, sub, *PATTERNS[kind])
            if kind in EXTRA_PATTERNS:
                sub = self._apply(kind, sub, *EXTRA_PATTERNS[kind])
        # scatter the scrubbed subset back into place (mask order = subset order)
        return pc.replace_with_mask(arr, mask, sub.cast(arr.type))

    def _apply(self, kind: Placeholder, sub: pa.Array, pattern: str,
               keeps_prefix: bool) -> pa.Array:
        if kind is Placeholder.CARD:
            hit = pc.fill_null(pc.match_substring_regex(sub, pattern), False)
            hit_idx = pc.indices_nonzero(hit).to_numpy()
            if len(hit_idx) == 0:
                return sub
            values = sub.to_numpy(zero_copy_only=False).astype(object)
            for i in hit_idx:
                values[i], n = _scrub_cards(values[i])
                if n:
                    self.counts[kind.value] += 1
            return pa.array(values, type=sub.type)
        # matching is ~3x cheaper than replacing: replace only in the rows that match
        hit = pc.fill_null(pc.match_substring_regex(sub, pattern), False)
        changed = pc.sum(hit).as_py() or 0
        if not changed:
            return sub
        if kind is Placeholder.NAME and pattern == PATTERNS[kind][0]:
            rows = pc.filter(sub, hit).to_pylist()
            replaced = pa.array([_NAME_PY.sub(kind.token, t) for t in rows], type=sub.type)
            self.counts[kind.value] += sum(a != b for a, b in zip(rows, replaced.to_pylist(),
                                                                  strict=True))
            return pc.replace_with_mask(sub, hit, replaced)
        replacement = (r"\1" + kind.token) if keeps_prefix else kind.token
        replaced = pc.replace_substring_regex(pc.filter(sub, hit), pattern, replacement)
        self.counts[kind.value] += changed
        return pc.replace_with_mask(sub, hit, replaced)

    def scrub_text(self, text: str) -> str:
        """Scrub one string (tests, small inputs)."""
        return self.scrub_array(pa.array([text], type=pa.string()))[0].as_py()

    def scrub_series(self, values: pd.Series) -> pd.Series:
        """Scrub a pandas column, keeping its dtype and index."""
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

    Per-record needles cannot be vectorised with a regex engine, so this is a
    tight Python loop: the lower-casing is done by Arrow, the name tokens are
    computed once per distinct name, and a plain substring test skips every row that
    does not contain a name part; only rows that do go through the matcher.
    Returns the new texts and the number of values changed.
    """
    arr = to_arrow(texts)
    lowered = pc.utf8_lower(arr).to_numpy(zero_copy_only=False)
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
        pa_, pb_, pc_ = (np.asarray([*col, never], dtype=object)[codes] for col in probe_cols)
        candidates = [i for i, (low, a, b, c) in enumerate(zip(lowered, pa_, pb_, pc_,
                                                               strict=True))
                      if low is not None and (a in low or b in low or c in low)]
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
