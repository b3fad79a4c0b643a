"""Person names in free text, found without help from other fields.

Per-row NLP over a million texts would not fit the speed budget, so the work
is split by what is expensive:

1. **Candidates, vectorised** (Polars, Rust's regex engine, both cores):
   every run of capitalised words ("Dr Aoife Ní Bhriain", "JOHN O'BRIEN",
   "Home Office") is extracted from the whole column, and so is every short
   context a person can hide in: a kinship or relation word, honorific,
   "named"/"called", "Dear", a sign-off, followed by any word, even in lower
   case ("her brother kowalczyk").
2. **Decisions, once per distinct candidate** (Python,
   :mod:`~pipelines.redaction.name_rules`): a column of a million rows has a
   few thousand distinct candidates. A word no list explains (an unknown
   proper noun, in any script romanised) is a name, whether or not any list
   knows it; a run that a word like "Ltd" or "Services" ends names an
   organisation. Runs whose verdict depends on the words around them (an
   ordinary word capitalised mid-sentence, a place that is also a name, a
   word in a list of names) are decided once per distinct
   (run, neighbours): each occurrence is marked, its two tokens either side
   are extracted with Polars, and the verdicts are joined back.
3. **Replacement, vectorised**: Aho-Corasick (leftmost-longest) for verdicts
   that hold everywhere, a join for those that hold in one context; each
   maximal run of name words becomes one ``[NAME]``, the rest of the text is
   left as it was.

Names in lower case are found by two more vectorised passes: words English
does not have ("spoke to siobhan"), with the lower-case words next to them
that are not function words ("fang [NAME]"); and, in texts written without
capitals, the gazetteer's names that are not English words. Last, name
particles between or in front of placeholders ("[NAME] van [NAME]", "Prof de
[NAME]") join them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import polars as pl

from pipelines.redaction.holdout import fold
from pipelines.redaction.lexicon import load as load_lexicon
from pipelines.redaction.name_rules import (
    MAYBE,
    NAMELESS,
    PLACEHOLDER,
    RUN_END,
    RUN_START,
    THING_DETERMINERS,
    Around,
    Kind,
    Vocabulary,
    decide,
    decide_in_context,
    render,
    thing_span,
)
from pipelines.redaction.name_words import (
    COLLECTIVES,
    EPONYM_NOUNS,
    EPONYM_STYLES,
    FOLDED_RELATIONS,
    FOREIGN_PARTICLES,
    FUNCTION_WORDS,
    HONORIFICS,
    INTRODUCERS,
    LINE_LABELS,
    ORG_HEADS,
    PARTICLES,
    RELATIONS,
    ROLES,
    SIGN_OFFS,
    SPEAKER_ROLES,
    SPEECH,
    STOP,
    STRONG_RELATIONS,
    WEAK_INTRODUCERS,
)

__all__ = ["PLACEHOLDER", "NameScrubber", "Vocabulary"]


def _alt(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


def _any_case(words: Iterable[str]) -> str:
    """An alternation matching the words in any case, each letter a class ("[mM][rR]").

    Rust's ``(?i)`` folds case by Unicode rules (``k`` also matches the Kelvin sign),
    which makes this long alternation several times slower to search with."""
    def letters(w: str) -> str:
        return "".join(f"[{c.lower()}{c.upper()}]" if c.lower() != c.upper() else re.escape(c)
                       for c in w)
    return "|".join(letters(w) for w in sorted(set(words), key=len, reverse=True))


# -- the patterns (Rust regex syntax, run by Polars) --------------------------------

_L = r"\p{L}\p{M}"
#: A capitalised word, all caps included, with inner apostrophes and hyphens and an
#: optional lower-case particle glued in front ("al-Rashid", "d'Souza"); or an initial.
TOKEN = (rf"(?:\p{{Lu}}\.){{1,3}}|(?:(?:al|el|ad|ud|ul|d|l|de|di|da|du|ibn|bin|ben|abu)['’\-])?"
         rf"\p{{Lu}}[{_L}]*(?:['’\-][{_L}]+)*\b")
#: A run of such words separated by single spaces, name particles allowed inside; a
#: placeholder already written ("[NAME]", "[NINO]") is a word of its own.
_WORD = rf"\[[A-Z_]+\]|\b(?:{TOKEN})"
#: Lower-case words that join the words of a name of a thing ("Newcastle upon Tyne").
JOINERS = ("upon", "of", "for", "on", "and", "the", "under", "in")
RUN = rf"(?:{_WORD})(?:[ ]+(?:(?:{_alt((*PARTICLES, *JOINERS))})[ ]+)*(?:{_WORD}))*"
_LOWER_WORD = rf"\p{{Ll}}[{_L}]*(?:['’\-][{_L}]+)*"
#: A context word (any case) then a run or up to two lower-case words.
#: (Only a title takes a full stop: "Dr. Patel", but "Thanks. Regards" is two sentences.)
CONTEXT = (rf"\b(?:(?:{_any_case(HONORIFICS)})\.?|(?:{_any_case((*RELATIONS, *INTRODUCERS))})"
           rf"(?:['’][sS])?)"
           rf"[,:]?(?:[ ]+|[ ]*\n[ ]*)"
           rf"(?:{RUN}|\[NAME\]|{_LOWER_WORD}(?:[ ]+{_LOWER_WORD})?)")
_TOKEN_SPLIT = re.compile(r"([ ]+)")
#: Speech verbs a note in lower case puts after who spoke ("hope says", "tree rang").
SPEECH_NOW = ("says", "said", "rang", "called", "asked", "told", "wants", "thinks", "reports",
              "confirmed", "phoned", "emailed")
#: A sentence's first word in lower case, then a speech verb.
_LOWER_SPEAKER = (rf"(?m)(?:^|[.!?][ ]+)[ \t]*\p{{Ll}}[{_L}]*[ ]+"
                  rf"(?:{'|'.join(SPEECH_NOW)})\b")
#: A line that starts with a speaker's role and a colon: the text is a transcript.
_TRANSCRIPT = rf"(?m)^[ \t]*(?:{_any_case(SPEAKER_ROLES)}):"
#: A one-word label at the start of a line, with its colon.
_SPEAKER = rf"(?m)^[ \t]*\p{{Lu}}[{_L}]*(?:['’\-][{_L}]+)*:"
#: The two tokens before a marked run, and the two after it (see :meth:`_in_context`).
_LEFT = rf"(?:[^\s{RUN_START}]*\s+){{0,2}}{RUN_START}"
_RIGHT = rf"{RUN_END}[^\s{RUN_START}]*(?:\s+[^\s{RUN_END}]+){{0,2}}"
_MARKED = rf"{RUN_START}[^{RUN_END}]*{RUN_END}"
#: A lower-case word of two letters or more (a candidate for an uncapitalised name).
_LOWER_CANDIDATE = rf"\b\p{{Ll}}[{_L}]+(?:['’\-][{_L}]+)*\b"
#: A placeholder written for a lower-case word, before its neighbours are looked at.
_LOW_MARK = "[NAME\x04]"
_NEIGHBOUR = rf"\p{{Ll}}[{_L}]*(?:['’][{_L}]+)?"
_LOW_WINDOW = (rf"(?:\b{_NEIGHBOUR}[ ]+)?{re.escape(_LOW_MARK)}"
               rf"(?:[ ]+{re.escape(_LOW_MARK)})*(?:[ ]+{_NEIGHBOUR}\b)?")
#: A capitalised word next to a placeholder, across a comma or "and"/"or".
_NEXT_TO_NAME = (r"\[NAME\](?:,|[ ]+(?:and|or|&))[ ]+\p{Lu}"
                 r"|\p{Lu}[^\s\[]*(?:,|[ ]+(?:and|or|&))[ ]+\[NAME\]")
_SUFFIXES = ("s", "es", "ed", "d", "ing", "er", "ers", "ly", "ness", "ment", "ments", "al",
             "ation", "ations", "ised", "ized", "ising", "izing", "ise", "ize", "ful", "less")
_CONTEXT_SORTED = sorted({w.lower() for w in (*RELATIONS, *HONORIFICS, *INTRODUCERS)},
                         key=len, reverse=True)
#: The context word a context match starts with (longest first, not inside a longer word).
_LEAD = re.compile("(?:" + "|".join(re.escape(w) for w in _CONTEXT_SORTED) + r")(?![^\W\d_])")
_ENGLISH_PARTICLES = sorted(p for p in {*PARTICLES, "a", "an", "o", "do", "e", "y"}
                            if p not in FOREIGN_PARTICLES)
#: Particles between two placeholders, or in front of one after a title or a greeting.
_BETWEEN = (rf"\[NAME\](?:[ ]+(?i:{_alt((*FOREIGN_PARTICLES, *_ENGLISH_PARTICLES))}))+"
            rf"[ ]+\[NAME\]")
_BEFORE = (rf"\b(?i:{_alt(FOREIGN_PARTICLES)})(?:[ ]+(?i:{_alt(FOREIGN_PARTICLES)}))*"
           rf"[ ]+\[NAME\]")
_TITLED = (rf"((?i:\b(?:{_alt(HONORIFICS)}|dear|to)\.?[ ]+))"
           rf"(?:(?i:{_alt((*FOREIGN_PARTICLES, *_ENGLISH_PARTICLES))})[ ]+)+\[NAME\]")


#: A capitalised word right before a noun for what is named after a person ("Down
#: syndrome", "Crohn's disease").
_BEFORE_EPONYM = (rf"\p{{Lu}}[{_L}]*(?:['’\-][{_L}]+)*[ ]+(?:{_alt(EPONYM_NOUNS)})\b")
#: A capitalised possessive after "with", "on" … ("living with Tourette's meet"): a
#: condition when no noun follows it (decided per occurrence).
_CONDITION_POSSESSIVE = (rf"\b(?:with|on|about|has|had|have|for)[ ]+"
                         rf"\p{{Lu}}[{_L}]*['’]s\b")
#: A capitalised word right after a determiner ("the Clyde", "our Kindle").
_AFTER_DETERMINER = rf"\b(?:{_any_case(THING_DETERMINERS)})[ ]+\p{{Lu}}[{_L}]*(?:['’\-][{_L}]+)*"


def _split_run(run: str) -> tuple[list[str], list[str]]:
    parts = _TOKEN_SPLIT.split(run)
    return parts[0::2], parts[1::2]


def _is_inflection(key: str, ordinary: frozenset[str]) -> bool:
    """An English word with a regular ending the word list lacks ("reallocations").

    English drops a final "e" before an ending that starts with a vowel
    ("base" -> "baser"), so "base" + "er" is not taken for one ("baseer").
    """
    for x in _SUFFIXES:
        if key.endswith(x) and len(key) - len(x) >= 4:
            stem = key[:-len(x)]
            if stem in ordinary and not (stem.endswith("e") and x[0] in "aeiou"):
                return True
    return False


def _without_capitals(texts: pl.Series) -> pl.Series:
    """Rows written without capitals (placeholders written already do not count)."""
    return texts.str.replace_all(r"\[[A-Z_]+\]", "").str.contains(r"\p{Lu}").not_() \
        .fill_null(False)


#: Prefixes English writes before a hyphen ("non-molestation", "co-worker").
_PREFIXES = frozenset({"non", "pre", "post", "re", "co", "ex", "sub", "anti", "self", "multi",
                       "inter", "semi", "mid", "pro", "de", "un", "mis"})


def _english_compound(parts: list[str], ordinary: frozenset[str]) -> bool:
    """Hyphenated English: every part English, and a particle or a prefix among them
    ("drop-in", "non-molestation") or every part of four letters or more ("long-term");
    syllables of a name are short and often English too ("sang-en", "sang-woo")."""
    keys = [fold(p) for p in parts]
    small = [k in FUNCTION_WORDS or k in STOP or k in _PREFIXES for k in keys]
    return all(k and (k in ordinary or s) for k, s in zip(keys, small, strict=True)) \
        and (any(small) or all(len(k) >= 4 for k in keys))


def _is_compound(key: str, ordinary: frozenset[str]) -> bool:
    """Two English words of four letters or more written as one ("timesheets")."""
    for i in range(4, len(key) - 3):
        head, tail = key[:i], key[i:]
        if head in ordinary and (tail in ordinary or tail.endswith("s")
                                 and tail[:-1] in ordinary):
            return True
    return False


def _verbish(word: str) -> bool:
    """A lower-case word that reads as a verb or an adverb ("arrived", "speaking", "only")."""
    return word.endswith(("ed", "ing", "ly")) and len(word) > 4


@lru_cache(maxsize=1)
def _lowercase_names() -> frozenset[str]:
    """Gazetteer names that English never writes in lower case."""
    lex = load_lexicon()
    return frozenset(k for k in lex.first_names | lex.surnames
                     if len(k) >= 4 and k not in lex.ordinary and k not in lex.allowed)


@dataclass
class NameScrubber:
    """Replace person names in a column of free text with ``[NAME]``."""

    vocab: Vocabulary
    #: ``[NAME]`` spans written (a run of name words counts once).
    replaced: int = 0
    #: Capitalised proper nouns left in the text, by why they were kept.
    kept: Counter[str] = field(default_factory=Counter)
    _verdicts: dict[str, str] = field(default_factory=dict)

    @classmethod
    def for_terms(cls, extra_terms: Iterable[str] = ()) -> NameScrubber:
        return cls(Vocabulary.build(extra_terms))

    def scrub(self, texts: pl.Series) -> pl.Series:
        """The column with names replaced; nulls stay null.

        Each distinct value is scrubbed once and the results are put back in every
        row that holds it. This gives the same column as scrubbing row by row: a
        row's output depends on its own text and on what the column holds (its
        distinct candidates, contexts and determiners), never on how often a value
        repeats; the counts (``replaced``, ``kept``) are weighted by the repeats.
        """
        if texts.len() == 0:
            return texts
        values = texts.to_frame("text").group_by("text", maintain_order=True).len()
        values = values.drop_nulls("text")
        if values.height == 0:
            return texts
        weights = values["len"].cast(pl.Int64)
        out = self._scrub_distinct(values["text"], weights)
        return texts.replace_strict(values["text"], out, return_dtype=pl.String)

    def _scrub_distinct(self, texts: pl.Series, weights: pl.Series) -> pl.Series:
        """:meth:`scrub` on distinct non-null values, ``weights`` the rows holding each."""
        def placeholders(col: pl.Series) -> int:
            counts = col.str.count_matches(re.escape(PLACEHOLDER), literal=False)
            return int((counts.cast(pl.Int64) * weights).sum() or 0)

        before = placeholders(texts)
        runs = texts.str.extract_all(RUN)
        flat = runs.explode().drop_nulls().unique()
        patterns: dict[str, str] = {}
        in_context: list[str] = []
        # words written after a determiner somewhere in the column: "the Clyde" may
        # name a river where "Clyde said" names a man (judged per occurrence)
        after_det = set(texts.str.extract_all(_AFTER_DETERMINER).explode().drop_nulls()
                        .str.split(" ").list.last().unique().to_list())
        # ... and before "syndrome", "disease": "Down syndrome" names a condition where
        # "Down said" may name a man
        eponyms = set(texts.str.extract_all(_BEFORE_EPONYM).explode().drop_nulls()
                      .str.split(" ").list.first().unique().to_list())
        eponyms |= set(texts.str.extract_all(_CONDITION_POSSESSIVE).explode().drop_nulls()
                       .str.split(" ").list.last().unique().to_list())
        for run in flat.to_list():
            words, seps = _split_run(run)
            name = decide(self.vocab, words)
            if self._depends_on_context(words, name) or (
                    any(name) and (words[0] in after_det or words[-1] in eponyms)):
                in_context.append(run)
                patterns[run] = run
            else:
                patterns[run] = render(words, seps, name)
        contexts: dict[str, str] = {}
        self._person_contexts(texts, contexts)
        changed = [p for p, out in patterns.items() if out != p]
        if changed or contexts:
            hit = runs.list.eval(pl.element().is_in(changed)).list.any().fill_null(False)
            if contexts:
                hit = hit | texts.str.contains_any(list(contexts)).fill_null(False)
            patterns.update(contexts)
            pats = sorted(patterns, key=len, reverse=True)  # leftmost, then longest
            rows = hit.arg_true()
            new = texts.gather(rows).str.replace_many(pats, [patterns[p] for p in pats],
                                                      leftmost=True)
            texts = texts.clone()
            texts.scatter(rows, new)
        if in_context:
            texts = self._in_context(texts, in_context)
            # a name written in that pass decides its neighbours in a list or in
            # "Surname, First" ("[NAME], Yuki", "BECK, [NAME]"): once more for those rows
            texts = self._in_context(texts, in_context, near=_NEXT_TO_NAME)
        texts = self._speakers(texts)
        self._count_kept(texts, weights)
        texts = self._unknown_lowercase(texts)
        texts = self._lowercase(texts)
        texts = self._lower_speakers(texts)
        texts = self._particles(texts)
        texts = texts.str.replace_all(r"\[NAME\](?:[ ]+\[NAME\])+", PLACEHOLDER)
        self.replaced += placeholders(texts) - before
        return texts

    def _depends_on_context(self, words: list[str], name: list[bool]) -> bool:
        """Whether the words around an occurrence can change the verdict on this run:
        a word that may be a name by context is not one yet, or a capitalised function
        word stands in front of a name ("My [NAME]")."""
        kinds = [self.vocab.kind(w) for w in words]
        if kinds[0] == Kind.INITIAL:
            return True  # "J. Said" or "annex B. Tel": the word in front decides
        if all(name):
            return False
        if any(not n and k in MAYBE for k, n in zip(kinds, name, strict=True)):
            return True
        return len(words) > 1 and kinds[0] == Kind.STOP and any(name[1:])

    # -- occurrences decided in their context -------------------------------------------

    def _in_context(self, texts: pl.Series, in_context: list[str],
                    near: str | None = None) -> pl.Series:
        """Decide every run of the rows holding a context-dependent run, occurrence by
        occurrence, from the two tokens either side (all vectorised but the verdicts);
        ``near``: only the rows that also match this pattern."""
        hit = texts.str.contains_any(in_context).fill_null(False)
        if near is not None:
            hit = hit & texts.str.contains(near).fill_null(False)
        rows = hit.arg_true()
        if rows.len() == 0:
            return texts
        sub = texts.gather(rows)
        marked = sub.str.replace_all(RUN, f"{RUN_START}${{0}}{RUN_END}")
        occ = pl.DataFrame({
            "row": pl.int_range(0, sub.len(), eager=True, dtype=pl.UInt32),
            "left": marked.str.extract_all(_LEFT), "run": marked.str.extract_all(_MARKED),
            "right": marked.str.extract_all(_RIGHT),
            # written in mixed case (a word of three lower-case letters), not in capitals
            "mixed": sub.str.contains(r"\p{Ll}{3}").fill_null(False),
        }).explode(["left", "run", "right"]).drop_nulls("run")
        occ = occ.with_columns(pl.int_range(pl.len()).over("row").alias("k"),
                               (pl.when(pl.col("mixed")).then(pl.lit("m")).otherwise(pl.lit(""))
                                + "\x01" + pl.col("left") + "\x01" + pl.col("run") + "\x01"
                                + pl.col("right")).alias("key"))
        verdicts = self._verdicts
        keys = occ["key"].unique().to_list()
        for key in keys:
            if key not in verdicts:
                mixed, left, run, right = key.split("\x01")
                words, seps = _split_run(run[1:-1])
                name = decide_in_context(self.vocab, words,
                                         Around.parse(left, right, mixed=bool(mixed)))
                verdicts[key] = render(words, seps, name)
        occ = occ.with_columns(pl.col("key").replace_strict(
            keys, [verdicts[k] for k in keys], return_dtype=pl.String).alias("out"))
        changed = occ.filter(pl.col("out") != pl.col("run").str.slice(1).str.head(-1))
        if changed.is_empty():
            return texts
        # rebuild only the rows where something changed: split at the run starts, put the
        # verdict in place of each run, join the pieces again
        touched = changed["row"].unique()
        pieces = pl.DataFrame({"row": touched, "text": marked.gather(touched)}).with_columns(
            pl.col("text").str.split(RUN_START)).explode("text").with_columns(
            (pl.int_range(pl.len()).over("row") - 1).alias("k"))
        pieces = pieces.join(occ.select("row", "k", "out"), on=["row", "k"], how="left")
        pieces = pieces.with_columns(pl.when(pl.col("k") < 0).then(pl.col("text")).otherwise(
            pl.col("out") + pl.col("text").str.splitn(RUN_END, 2).struct.field("field_1")
            .fill_null("")).alias("text"))
        rebuilt = pieces.group_by("row", maintain_order=True).agg(pl.col("text").str.join(""))
        out = texts.clone()
        out.scatter(rows.gather(rebuilt["row"]), rebuilt["text"])
        return out

    def _count_kept(self, texts: pl.Series, weights: pl.Series) -> None:
        """Capitalised proper nouns still in the text, counted by why they were kept
        (``weights``: how many rows hold each text)."""
        counts = pl.DataFrame({"run": texts.str.extract_all(RUN), "n": weights}) \
            .explode("run").drop_nulls("run").group_by("run").agg(pl.col("n").sum())
        for run, n in zip(counts["run"].to_list(), counts["n"].to_list(), strict=True):
            words, _ = _split_run(run)
            for why in {r for w in words if (r := self._why_kept(w))}:
                self.kept[why] += n

    def _why_kept(self, word: str) -> str | None:
        """Why a capitalised word that is a proper noun was left (None: not one)."""
        kind = self.vocab.kind(word)
        key = fold(re.sub(r"['’]s$", "", word))
        if kind in (Kind.ALLOWED, Kind.PLACE_NAME) and key in self.vocab.extra:
            return "dataset allow_terms or schema enum"
        if kind == Kind.ALLOWED:
            return "fivestar allow-list (places, public bodies, organisations, calendar)"
        if kind == Kind.PLACE_NAME:
            return "place that is also a name, where places are written"
        if kind == Kind.AMBIGUOUS:
            return "name that is also an English word, no person context"
        if kind == Kind.NAME:
            return "part of an organisation's or a place's name"
        return None

    # -- speakers in a transcript --------------------------------------------------------

    def _speakers(self, texts: pl.Series) -> pl.Series:
        """In a transcript (a line starts with a role and a colon: "Officer:", "Q:"), the
        other one-word speaker labels at the start of a line are people ("Seed: My name
        is [NAME]"), even when English has the word; labels of a form or a header
        ("Subject:", "Outcome:") and words for roles or groups are not."""
        rows = texts.str.contains(_TRANSCRIPT).fill_null(False).arg_true()
        if rows.len() == 0:
            return texts
        sub = texts.gather(rows)
        labels = sub.str.extract_all(_SPEAKER).explode().drop_nulls().unique().to_list()
        people = [lab for lab in labels if self._speaker(lab.strip()[:-1])]
        if not people:
            return texts
        words = _alt(lab.strip()[:-1] for lab in people)
        new = sub.str.replace_all(rf"(?m)^([ \t]*)(?:{words}):", "${1}[NAME]:")
        out = texts.clone()
        out.scatter(rows, new)
        return out

    def _speaker(self, word: str) -> bool:
        key = fold(word)
        if key in SPEAKER_ROLES or key in LINE_LABELS or key in STOP or key in FUNCTION_WORDS \
                or key in COLLECTIVES or key in ROLES or key in FOLDED_RELATIONS \
                or key in ORG_HEADS:
            return False
        return self.vocab.kind(word) in MAYBE | {Kind.NAME}

    # -- person words in front ------------------------------------------------------------

    def _person_contexts(self, texts: pl.Series, patterns: dict[str, str]) -> None:
        """A relation, title, greeting or sign-off, then the words it introduces."""
        for match in texts.str.extract_all(CONTEXT).explode().drop_nulls().unique().to_list():
            out = self._after_context(match)
            if out is not None and out != match:
                patterns[match] = out

    def _after_context(self, match: str) -> str | None:
        low = match.lower()
        found = _LEAD.match(low)
        if found is None:
            return None
        lead = found.group(0)
        m = re.match(r"(['’]s)?\.?[,:]?(?:[ ]+|[ ]*\n[ ]*)", match[len(lead):])
        if not m:
            return None
        cut = len(lead) + m.end()
        prefix, rest = match[:cut], match[cut:]
        if rest.startswith("["):
            return None  # already a placeholder
        weak = lead in WEAK_INTRODUCERS
        if rest[:1].isupper():
            words, seps = _split_run(rest)
            kinds = [self.vocab.kind(w) for w in words]
            if fold(lead) in EPONYM_STYLES and all(thing_span(words, kinds)):
                return None  # "Lady Margaret School", "Sir John Cass School": a thing
            ordinary = self.vocab.lexicon.ordinary
            if lead in SIGN_OFFS and kinds[0] in (Kind.ALLOWED, Kind.PHRASE) and all(
                    w in JOINERS or k in NAMELESS and fold(w) in ordinary
                    for w, k in zip(words, kinds, strict=True)):
                # "Kind regards,\nHousing Options": a team signs (an allowed English word
                # first, no word a list holds as a name; "Regards, Fang" and "Regards,
                # Stanley" are people)
                return None
            if lead in SIGN_OFFS and "," in m.group(0) \
                    and fold(words[-1]) not in ORG_HEADS | ROLES:
                weak = False  # "Thanks, Said Fellah" (not "Regards, Finance Team")
            first = self.vocab.kind(words[0])
            if weak and ("\n" in m.group(0) or len(words) == 1) and first not in (
                    Kind.NAME, Kind.AMBIGUOUS, Kind.INITIAL):
                return None  # "thanks ISO 8601", "thanks\nISO": judged in context instead
            return prefix + render(words, seps, decide(self.vocab, words, force_first=True,
                                                       weak_first=weak))
        # lower case after a person word: a name if English does not have the word, or,
        # after a kinship word or a title (not "her brother's"), if it is not a function word
        strong = lead in STRONG_RELATIONS and not m.group(1)
        words = rest.split(" ")
        out: list[str] = []
        for i, w in enumerate(words):
            if i > 0 and out[-1] != PLACEHOLDER:
                out.append(w)
                continue
            key = fold(w)
            if i > 0:  # the word after a name in lower case: its other half ("jie xu")
                out.append(PLACEHOLDER if self._joins(w, key) else w)
                continue
            unknown = not (key in self.vocab.lexicon.ordinary or key in self.vocab.allowed
                           or key in STOP or len(key) < 2)
            nameable = strong and key not in FUNCTION_WORDS and key not in COLLECTIVES \
                and not _verbish(key) and len(key) >= 2
            out.append(PLACEHOLDER if unknown or nameable else w)
        if PLACEHOLDER not in out:
            return None
        return prefix + " ".join(out)

    # -- lower case -----------------------------------------------------------------------

    def _unknown_lowercase(self, texts: pl.Series) -> pl.Series:
        """Lower-case words English does not have ("writing for dianah kanja").

        A word in lower case that is neither an English word nor an allowed
        term is taken for a name written carelessly (a misspelt word is
        removed too: the safe side). The lower-case words right next to it are
        part of the name unless they are function words, verbs or adverbs
        ("with fang [NAME] and", "then [NAME] ding said").
        """
        words = texts.str.extract_all(_LOWER_CANDIDATE).explode().drop_nulls().unique()
        unknown = [w for w in words.to_list() if self._unknown_lower(w)]
        if not unknown:
            return texts
        # two English words written as one ("timesheets", "caseload") are English in a
        # text that capitalises its names; in one written all in lower case, a name
        ordinary = self.vocab.lexicon.ordinary
        plain = [w for w in unknown if not _is_compound(fold(w), ordinary)]
        rows = texts.str.contains_any(unknown).fill_null(False).arg_true()
        sub = texts.gather(rows)
        marked = sub.str.replace_all(rf"\b(?:{_alt(unknown)})\b", _LOW_MARK)
        if len(plain) < len(unknown):
            in_caps = sub.str.replace_all(rf"\b(?:{_alt(plain)})\b", _LOW_MARK) \
                if plain else sub
            lower_only = _without_capitals(sub)
            marked = pl.select(pl.when(lower_only).then(marked).otherwise(in_caps)).to_series()
        hit = (marked != sub).fill_null(False)
        return self._finish_lowercase(texts, rows.filter(hit), marked.filter(hit))

    def _finish_lowercase(self, texts: pl.Series, rows: pl.Series, sub: pl.Series
                          ) -> pl.Series:
        """Join the marked lower-case words' neighbours and write the placeholders back."""
        if rows.len() == 0:
            return texts
        windows = sub.str.extract_all(_LOW_WINDOW).explode().drop_nulls().unique().to_list()
        joined = {w: self._join_neighbours(w) for w in windows}
        pats = sorted(joined, key=len, reverse=True)
        if pats:
            sub = sub.str.replace_many(pats, [joined[p] for p in pats], leftmost=True)
        sub = sub.str.replace_all(re.escape(_LOW_MARK), PLACEHOLDER, literal=False)
        out = texts.clone()
        out.scatter(rows, sub)
        return out

    def _unknown_lower(self, word: str) -> bool:
        key = fold(word)
        lex = self.vocab.lexicon
        if not key or key in self.vocab.allowed or key in STOP or key in FUNCTION_WORDS:
            return False
        if any(c.isupper() for c in word):
            return False  # the tail of a capitalised word ("on-Sea" of "Southend-on-Sea")
        if len(key) == 2 and not any(ord(c) > 127 for c in word):
            return False  # "ok", "xx": too short to call a name without an accent
        if any(ord(c) > 127 for c in word) and word.lower() not in lex.accented:
            return True  # "lê", "vân": an accent English does not write
        if "-" in word and _english_compound(word.split("-"), lex.ordinary):
            return False  # "drop-in", "follow-up", "non-molestation": an English compound
        return key not in lex.ordinary and not _is_inflection(key, lex.ordinary)

    def _joins(self, word: str, key: str) -> bool:
        """A lower-case word next to a name in lower case is part of it unless it is a
        function word, a verb or adverb, a word for people or a relation."""
        return key not in FUNCTION_WORDS and key not in COLLECTIVES and key not in STOP \
            and not (_verbish(key) and key in self.vocab.lexicon.ordinary) and len(key) >= 2 \
            and key not in FOLDED_RELATIONS and "'" not in word and key not in SPEECH

    def _join_neighbours(self, window: str) -> str:
        """A lower-case placeholder with the lower-case words next to it that name too."""
        words = [w for w in window.split(" ") if w]
        return " ".join(w if w == _LOW_MARK or not self._joins(w, fold(w)) else _LOW_MARK
                        for w in words)

    def _lowercase(self, texts: pl.Series) -> pl.Series:
        """Rows written without capitals: gazetteer names English has no word for.

        Only those rows: in a text that uses capitals, a name in lower case is
        rare, and matching the whole gazetteer everywhere would cost more than
        everything else here together.
        """
        rows = _without_capitals(texts).arg_true()
        if rows.len() == 0:
            return texts
        sub = texts.gather(rows)
        # the distinct words of those rows looked up in a set, then a pattern of only the
        # names found (a pattern of the whole gazetteer takes longer to compile than
        # the rest of the scrubbing takes to run)
        names = _lowercase_names()
        words = sub.str.extract_all(r"\b[a-z]{4,}\b").explode().drop_nulls().unique()
        found = [w for w in words.to_list() if w in names]
        if not found:
            return texts
        pattern = rf"\b(?:{_alt(found)})\b"
        hit = sub.str.contains(pattern).fill_null(False)
        if not hit.any():
            return texts
        rows, sub = rows.filter(hit), sub.filter(hit)
        out = texts.clone()
        out.scatter(rows, sub.str.replace_all(pattern, PLACEHOLDER))
        return out

    def _lower_speakers(self, texts: pl.Series) -> pl.Series:
        """Rows written without capitals: the word that starts a sentence before a speech
        verb is who speaks ("hope says the brp ...", "tree rang twice"), unless it is a
        function word, a relation, a role or a group ("mum says", "staff said")."""
        rows = _without_capitals(texts).arg_true()
        if rows.len() == 0:
            return texts
        sub = texts.gather(rows)
        found = sub.str.extract_all(_LOWER_SPEAKER).explode().drop_nulls().unique().to_list()
        people = sorted({m.split(" ")[-2] for m in found if self._lower_speaker(m.split(" ")[-2])})
        if not people:
            return texts
        new = sub.str.replace_all(rf"(?m)((?:^|[.!?][ ]+)[ \t]*)(?:{_alt(people)})([ ]+"
                                  rf"(?:{_alt(SPEECH_NOW)})\b)", "${1}[NAME]${2}")
        out = texts.clone()
        out.scatter(rows, new)
        return out

    def _lower_speaker(self, word: str) -> bool:
        key = fold(word)
        return len(key) >= 3 and key not in FUNCTION_WORDS and key not in STOP \
            and key not in COLLECTIVES and key not in FOLDED_RELATIONS and key not in ROLES \
            and key not in self.vocab.allowed

    @staticmethod
    def _particles(texts: pl.Series) -> pl.Series:
        """Name particles join the placeholders around them ("[NAME] van [NAME]")."""
        rows = texts.str.contains(r"\[NAME\]").fill_null(False).arg_true()
        if rows.len() == 0:
            return texts
        sub = texts.gather(rows)
        new = sub.str.replace_all(_BETWEEN, PLACEHOLDER)
        new = new.str.replace_all(_TITLED, "${1}" + PLACEHOLDER.replace("$", "$$"))
        new = new.str.replace_all(_BEFORE, PLACEHOLDER)
        if (new == sub).all():
            return texts
        out = texts.clone()
        out.scatter(rows, new)
        return out
