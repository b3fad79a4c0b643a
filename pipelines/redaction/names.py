"""Person names in free text, found without help from other fields.

Per-row NLP over a million texts would not fit the speed budget, so the work
is split by what is expensive:

1. **Candidates, vectorised** (Polars, Rust's regex engine, both cores):
   every run of capitalised words ("Dr Aoife Ní Bhriain", "JOHN O'BRIEN",
   "Home Office") is extracted from the whole column, and so is every short
   context a person can hide in: a kinship or relation word, honorific,
   "named"/"called", "Dear", a sign-off, followed by any word, even in lower
   case ("her brother kowalczyk"); an ordinary-looking capitalised word in the
   middle of a sentence ("we met Rose at"); a word before "said"/"told"/...
2. **Decisions, once per distinct candidate** (Python, here): a column of a
   million rows has a few thousand distinct candidates. Each word is judged
   by the :mod:`~pipelines.redaction.lexicon`: a known non-person proper noun
   (allow-list) or an ordinary English word is kept unless its context says
   person; a word that is neither (an unknown proper noun, in any script
   romanised) is a name, whether or not any list knows it; gazetteer names
   that are also words ("Rose", "Brown", "Preston") are names next to another
   name, after a person context, or alone mid-sentence.
3. **Replacement, vectorised**: one Aho-Corasick pass (leftmost-longest, so a
   context pattern wins over the bare run inside it) rewrites only the rows
   holding something to replace; each maximal run of name words becomes one
   ``[NAME]``, the rest of the text is left as it was.

Lower-case names with no context are found by a second vectorised pass over
the gazetteer's names that are not English words ("spoke to siobhan").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import polars as pl

from pipelines.redaction.holdout import fold
from pipelines.redaction.lexicon import Lexicon, split_terms
from pipelines.redaction.lexicon import load as load_lexicon

PLACEHOLDER = "[NAME]"

# -- the words contexts are made of ----------------------------------------------

#: Words after which the next word is a person, whatever it looks like.
RELATIONS = (
    "brother", "sister", "son", "daughter", "wife", "husband", "partner", "spouse", "mother",
    "father", "mum", "mom", "dad", "mam", "parent", "uncle", "aunt", "auntie", "cousin",
    "nephew", "niece", "grandson", "granddaughter", "grandmother", "grandfather", "grandma",
    "grandad", "granddad", "nan", "nana", "grandchild", "stepson", "stepdaughter",
    "stepfather", "stepmother", "fiance", "fiancé", "fiancee", "fiancée", "boyfriend",
    "girlfriend", "ex", "child", "baby", "sibling", "twin", "in-law", "friend", "neighbour",
    "neighbor", "colleague", "flatmate", "housemate", "lodger", "landlord", "landlady",
    "tenant", "carer", "guardian", "solicitor", "barrister", "lawyer", "advocate",
    "caseworker", "interpreter", "translator", "counsellor", "mp", "councillor", "cllr",
    "officer", "constable", "pc", "dc", "ds", "di", "dci", "sgt", "sergeant", "inspector",
    "detective", "client", "patient", "pupil", "student", "employer", "employee", "manager",
    "supervisor", "boss", "teacher", "headteacher", "doctor", "nurse", "midwife",
    "consultant", "surgeon", "gp", "dentist", "social worker", "mentor", "applicant",
    "appellant", "claimant", "complainant", "requester", "victim", "witness", "suspect",
    "defendant", "offender", "detainee", "prisoner", "sponsor", "dependant", "dependent",
    "son-in-law", "daughter-in-law", "mother-in-law", "father-in-law", "brother-in-law",
    "sister-in-law",
)
#: Titles written before a name ("Mr O'Brien", "Cllr Patel", "Imam Abdullah").
HONORIFICS = (
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "dame", "lady", "lord",
    "rev", "revd", "reverend", "fr", "father", "sr", "sister", "br", "brother", "imam",
    "rabbi", "sheikh", "shaykh", "pastor", "bishop", "canon", "master", "madam", "mme",
    "mlle", "herr", "frau", "senor", "señor", "senora", "señora", "dona", "doña", "don",
    "pani", "pan", "hon", "rt", "baroness", "baron", "earl", "count", "countess", "capt",
    "captain", "major", "col", "colonel", "lt", "lieutenant", "gen", "general", "cpl", "pte",
)
#: Phrases after which a name follows ("known as", "on behalf of", "Dear", "Regards,").
INTRODUCERS = (
    "named", "called", "known as", "aka", "a.k.a.", "alias", "name is", "name was",
    "names are", "names were", "surname is", "surname was", "forename is", "nee", "née",
    "on behalf of", "in the name of", "dear", "hi", "hello", "regards", "kind regards",
    "best regards", "warm regards", "many thanks", "thanks", "thank you", "best wishes",
    "yours sincerely", "yours faithfully", "sincerely", "faithfully", "cheers", "signed",
    "signed by", "from", "to", "cc", "attn", "attention", "approved by", "authorised by",
    "authorized by", "signed off by", "checked by", "certified by", "submitted by",
    "raised by", "requested by", "countersigned by", "prepared by", "written by",
    "reported by", "referred by", "sent by", "spoke to", "spoke with", "speaking to",
    "met with", "meeting with", "contacted", "visited", "interviewed", "arrested",
    "detained", "deported", "removed", "accompanied by", "care of", "c/o",
)
#: Of the introducers, those too common to force a name on an ordinary word:
#: after these, only a word that could be a name ("[NAME]", unknown, gazetteer) is one.
WEAK_INTRODUCERS = frozenset({"from", "to", "thanks", "thank you", "contacted", "visited",
                              "detained", "removed", "arrested", "deported", "interviewed",
                              "cc", "attention", "many thanks"})
#: Verbs that follow a person ("Preston said", "Jordan told us").
SPEECH_VERBS = (
    "said", "says", "told", "tells", "asked", "asks", "wrote", "writes", "rang", "phoned",
    "emailed", "called", "complained", "complains", "stated", "states", "explained",
    "claimed", "claims", "reported", "reports", "confirmed", "confirms", "advised",
    "alleged", "alleges", "replied", "insisted", "denied", "admitted", "attended",
    "arrived", "left", "visited", "requested", "requests", "applied", "appealed",
    "believes", "believed", "feels", "felt", "wants", "wanted", "thinks", "thought",
    "agreed", "refused", "died", "was born",
)
#: Words that are never names, whatever comes before them.
STOP = frozenset(fold(w) for w in (
    "I", "A", "An", "The", "This", "That", "These", "Those", "There", "Their", "They", "Them",
    "We", "Our", "You", "Your", "He", "She", "It", "Its", "His", "Her", "Him", "Me", "My",
    "In", "On", "At", "For", "And", "But", "Or", "If", "Of", "To", "From", "With", "By",
    "As", "Is", "Are", "Was", "Were", "Be", "Been", "Has", "Have", "Had", "Do", "Does", "Did",
    "Not", "No", "Yes", "All", "Any", "Some", "Please", "Thanks", "Thank", "Dear", "Re",
    "Fwd", "Subject", "Sir", "Madam", "Team", "Colleague", "Colleagues", "Hi", "Hello",
    "Regards", "Sincerely", "Faithfully", "Yours", "Kind", "Best", "Many", "Who", "What",
    "When", "Where", "Why", "How", "Which", "Also", "Then", "So", "Can", "Could", "Would",
    "Will", "Should", "May", "Might", "Must", "Shall", "Not", "Nor", "Yet", "After",
    "Before", "During", "Since", "Until", "While", "About", "Today", "Yesterday",
    "Tomorrow", "Unknown", "None", "Other", "Others", "Another", "Each", "Every", "Both",
    "Anonymous", "Name", "Names", "Surname", "Forename", "upon", "under",
))
#: Words in front of a capitalised word that make it a title or a thing, not a person.
DETERMINERS = frozenset({"the", "a", "an", "this", "that", "these", "those", "our", "your",
                         "their", "its", "my", "his", "her", "each", "every", "any", "no",
                         "per", "of", "whose", "which", "what", "such", "same", "another",
                         "some", "all", "both", "either", "neither"})
#: Words that stand before a person more than before a thing ("met John", "told Rose").
PERSON_PREVS = frozenset({"to", "with", "met", "meet", "meeting", "told", "tell", "asked",
                          "ask", "and", "by", "called", "contacted", "visited", "emailed",
                          "phoned", "rang", "against", "thank", "thanked", "informed", "helped",
                          "supported", "represent", "represented", "represents", "accompanied",
                          "married", "divorced", "son", "daughter", "wife", "husband", "whom",
                          "nor", "sister", "brother", "friend", "named"})
#: Lower-case words inside the names of things ("Department for Education").
TITLE_JOINERS = frozenset({"for", "of", "and", "or", "&", "on", "under", "upon", "than",
                           "via", "at", "in", "into", "de", "du", "la", "le", "von", "van"})
#: Name particles written in lower case inside a name ("Ludwig van Beethoven").
PARTICLES = ("van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "dos",
             "das", "la", "le", "bin", "ibn", "binti", "bint", "al", "el", "ap", "ab", "ni",
             "nic", "ní", "ó", "ua", "mac", "y", "ter", "te", "ten", "zu", "st")
_PARTICLES = frozenset(fold(p) for p in PARTICLES)
_HONORIFICS = frozenset(fold(h) for h in HONORIFICS)
_RELATIONS = frozenset(fold(r) for r in RELATIONS)
_SPEECH = frozenset(SPEECH_VERBS)
#: Placeholders other scrubbing wrote ("[EMAIL]"): never candidate names.
_PLACEHOLDER_WORDS = frozenset({"NAME", "EMAIL", "PHONE", "NINO", "POSTCODE", "GWF_REF",
                                "PASSPORT", "DATE_OF_BIRTH", "IP", "CARD", "VEHICLE_REG"})


def _alt(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


# -- the patterns (Rust regex syntax, run by Polars) --------------------------------

_L = r"\p{L}\p{M}"
#: A capitalised word, all caps included, with inner apostrophes and hyphens and an
#: optional lower-case particle glued in front ("al-Rashid", "d'Souza"); or an initial.
TOKEN = (rf"\p{{Lu}}\.|(?:(?:al|el|ad|ud|ul|d|l|de|di|da|du|ibn|bin|ben|abu)['’\-])?"
         rf"\p{{Lu}}[{_L}]*(?:['’\-][{_L}]+)*\b")
#: A run of such words separated by single spaces, name particles allowed inside; a
#: placeholder already written ("[NAME]", "[NINO]") is a word of its own.
_WORD = rf"\[[A-Z_]+\]|\b(?:{TOKEN})"
#: Lower-case words that join the words of a name of a thing ("Newcastle upon Tyne").
JOINERS = ("upon", "of", "for", "on", "and", "the", "under", "in")
RUN = rf"(?:{_WORD})(?:[ ]+(?:(?:{_alt((*PARTICLES, *JOINERS))})[ ]+)*(?:{_WORD}))*"
_LOWER_WORD = rf"\p{{Ll}}[{_L}]*(?:['’\-][{_L}]+)*"
#: A context word (any case) then a run or up to two lower-case words.
_CONTEXT_WORDS = _alt(w for w in (*RELATIONS, *HONORIFICS, *INTRODUCERS))
CONTEXT = (rf"(?i:\b(?:{_CONTEXT_WORDS}))(?:['’]s)?\.?[,:]?(?:[ ]+|[ ]*\n[ ]*)"
           rf"(?:{RUN}|\[NAME\]|{_LOWER_WORD}(?:[ ]+{_LOWER_WORD})?)")
#: A run then a speech verb.
_VERBS = _alt(SPEECH_VERBS)
_WORD_RE = re.compile(r"\S+")
_TOKEN_SPLIT = re.compile(r"([ ]+)")


class Kind:
    """How a single word is judged on its own (before any context)."""

    NAME = "name"          # a gazetteer name that is not a word, or unknown: a person
    AMBIGUOUS = "ambig"    # a gazetteer name that is also an ordinary word ("Rose")
    PLACE_NAME = "place-name"  # a gazetteer name that is also an allowed term ("Preston")
    WORD = "word"          # an ordinary English word
    ALLOWED = "allowed"    # a known non-person proper noun
    ACRONYM = "acronym"    # short all-caps, not a known name ("NHS", "HMRC")
    STOP = "stop"          # function words, titles ("The", "Sir")
    HONORIFIC = "honorific"
    INITIAL = "initial"
    PARTICLE = "particle"
    PLACEHOLDER = "placeholder"
    SHORT_CAPS = "short-caps"  # "LI", "NG": a name next to a name, else an acronym
    PHRASE = "phrase"      # a word of a multi-word allowed term ("Thames Valley Police")


@dataclass
class Vocabulary:
    """The lexicon plus one dataset's own allowed terms (spec ``allow_terms:``, code lists)."""

    lexicon: Lexicon
    allowed: frozenset[str]
    phrases: frozenset[tuple[str, ...]]
    #: The dataset's own allowed words (from its spec), for the report.
    extra: frozenset[str] = frozenset()
    _cache: dict[str, str] = field(default_factory=dict)

    @property
    def longest_phrase(self) -> int:
        if "_longest" not in self.__dict__:
            self.__dict__["_longest"] = max((len(p) for p in self.phrases), default=0)
        return self.__dict__["_longest"]

    @classmethod
    def build(cls, extra_terms: Iterable[str] = ()) -> Vocabulary:
        lex = load_lexicon()
        words, phrases = split_terms(list(extra_terms))
        extra = frozenset(words | {w for p in phrases for w in p})
        return cls(lex, lex.allowed | words, lex.allowed_phrases | phrases, extra)

    def kind(self, token: str) -> str:
        """The :class:`Kind` of one word (memoised: a column has few distinct words)."""
        got = self._cache.get(token)
        if got is None:
            got = self._cache[token] = self._kind(token)
        return got

    def _kind(self, token: str) -> str:
        if token.startswith("["):
            return Kind.NAME if token == PLACEHOLDER else Kind.PLACEHOLDER
        base = re.sub(r"['’]s$", "", token) if len(token) > 3 else token
        if len(base) == 2 and base.endswith(".") or len(base) == 1:
            return Kind.INITIAL if base[0].isupper() and base not in ("I", "A") else Kind.STOP
        key = fold(base)
        if not key:
            return Kind.STOP
        if key in _PARTICLES and base[0].islower():
            return Kind.PARTICLE
        if key in _HONORIFICS and key not in ("brother", "sister", "father", "master",
                                              "general", "major", "count", "don", "pan"):
            return Kind.HONORIFIC
        if key in STOP:
            return Kind.STOP
        lex = self.lexicon
        is_name = key in lex.first_names or key in lex.surnames
        if base.isupper() and len(key) <= 3:
            return Kind.SHORT_CAPS if is_name else Kind.ACRONYM
        if key in self.allowed:
            return Kind.PLACE_NAME if is_name else Kind.ALLOWED
        if key in lex.ordinary:
            return Kind.AMBIGUOUS if is_name else Kind.WORD
        if key in lex.minor_places:
            return Kind.PLACE_NAME
        if "-" in base or "‐" in base:  # hyphenated: judged by its parts
            parts = [p for p in re.split(r"[\-‐]", base) if p]
            kinds = [self.kind(p[0].upper() + p[1:] if p[0].islower() else p) for p in parts]
            if Kind.NAME in kinds:
                return Kind.NAME
            if all(k in (Kind.WORD, Kind.ALLOWED, Kind.STOP, Kind.ACRONYM) for k in kinds):
                return Kind.WORD
        if base.isupper() and not is_name and len(re.findall("[aeiouy]", key)) <= 1 \
                and len(key) <= 6:
            return Kind.ACRONYM  # "HMRC", "DVLA", "NASS"; "LOKE", "RIAD" look like names
        return Kind.NAME

    def is_first(self, token: str) -> bool:
        return fold(re.sub(r"['’]s$", "", token)) in self.lexicon.first_names

    def is_surname(self, token: str) -> bool:
        return fold(re.sub(r"['’]s$", "", token)) in self.lexicon.surnames


# -- deciding one run ----------------------------------------------------------------


def _mark_phrases(vocab: Vocabulary, words: list[str], kinds: list[str]) -> None:
    """Words inside a multi-word allowed term ("Thames Valley Police") are allowed."""
    keys = [fold(w) for w in words]
    longest = vocab.longest_phrase
    i = 0
    while i < len(words):
        for n in range(min(longest, len(words) - i), 1, -1):
            if tuple(keys[i:i + n]) in vocab.phrases:
                kinds[i:i + n] = [Kind.PHRASE] * n
                i += n - 1
                break
        i += 1


def decide(vocab: Vocabulary, words: list[str], *, force_first: bool = False,
           weak_first: bool = False, mid_sentence: bool = False,
           before_verb: bool = False) -> list[bool]:
    """Which words of a capitalised run are (part of) a person's name.

    ``force_first``: a person context stands in front (the first word is a
    name unless it is a function word); ``weak_first``: a weak one ("from"):
    the first word is a name only if it could be one; ``mid_sentence``: the
    run stands alone between lower-case words; ``before_verb``: a speech verb
    follows ("Preston said").
    """
    kinds = [vocab.kind(w) for w in words]
    _mark_phrases(vocab, words, kinds)
    name = [k == Kind.NAME for k in kinds]
    n = len(words)
    caps = [w.isupper() and len(w) > 1 for w in words]
    # person words inside the run itself: honorifics, and (in capitals) relations
    for i, w in enumerate(words[:-1]):
        key = fold(w)
        if kinds[i] == Kind.HONORIFIC or (key in _RELATIONS and (caps[i] or i == 0)) \
                or key in ("dear",):
            j = i + 1
            if kinds[j] not in (Kind.STOP, Kind.PLACEHOLDER, Kind.HONORIFIC):
                name[j] = True
    never = (Kind.STOP, Kind.PLACEHOLDER, Kind.HONORIFIC, Kind.ACRONYM)
    could_be = (Kind.NAME, Kind.AMBIGUOUS, Kind.INITIAL, Kind.SHORT_CAPS)
    if force_first and kinds[0] not in never and (not weak_first or kinds[0] in could_be):
        name[0] = True
    ambiguous = [k == Kind.AMBIGUOUS for k in kinds]
    if (mid_sentence or before_verb) and n == 1 and kinds[0] in (Kind.AMBIGUOUS, Kind.WORD):
        name[0] = True
    if before_verb and kinds[-1] in (Kind.AMBIGUOUS, Kind.PLACE_NAME, Kind.ALLOWED, Kind.WORD,
                                     Kind.INITIAL, Kind.SHORT_CAPS):
        name[-1] = True
    # two gazetteer words in a row, a first name then a surname: "Rose Brown"
    for i in range(n - 1):
        if ambiguous[i] and ambiguous[i + 1] and vocab.is_first(words[i]) \
                and vocab.is_surname(words[i + 1]):
            name[i] = name[i + 1] = True
    # names spread to their neighbours that could be part of them
    joinable = {Kind.AMBIGUOUS, Kind.PLACE_NAME, Kind.INITIAL, Kind.PARTICLE, Kind.NAME,
                Kind.SHORT_CAPS}
    changed = True
    while changed:
        changed = False
        for i in range(n):
            if name[i]:
                continue
            near = (i > 0 and name[i - 1]) or (i + 1 < n and name[i + 1])
            if near and kinds[i] in joinable:
                if kinds[i] == Kind.PARTICLE and not (0 < i < n - 1 and
                                                      (name[i - 1] or name[i + 1])):
                    continue
                name[i] = changed = True
    # an allowed word right after a name word is a surname that is also a place or a
    # thing ("Aaban Jordan", "Kowalczyk Preston"); words of allowed phrases never are
    for i in range(1, n):
        if not name[i] and name[i - 1] and kinds[i] == Kind.ALLOWED \
                and kinds[i - 1] != Kind.HONORIFIC:
            name[i] = True
    # an ordinary word written capitalised right next to a name word in the same run is
    # part of it ("Arnold Kowalczyk", "Kowalczyk Cooper"); allowed terms are not
    changed = True
    while changed:
        changed = False
        for i in range(n):
            if not name[i] and kinds[i] == Kind.WORD and (
                    (i > 0 and name[i - 1] and kinds[i - 1] != Kind.HONORIFIC)
                    or (i + 1 < n and name[i + 1])):
                name[i] = changed = True
    # a word between two name words is part of the name ("Nguyen Van Thanh")
    for i in range(1, n - 1):
        if not name[i] and name[i - 1] and name[i + 1] and kinds[i] in (
                Kind.WORD, Kind.ALLOWED, Kind.ACRONYM):
            name[i] = True
    # a particle or initial cannot be a name on its own
    for i in range(n):
        if name[i] and kinds[i] == Kind.PARTICLE and not (
                (i > 0 and name[i - 1]) and (i + 1 < n and name[i + 1])):
            name[i] = False
    return name


def render(words: list[str], seps: list[str], name: list[bool]) -> str:
    """The run with each maximal stretch of name words replaced by one ``[NAME]``."""
    out: list[str] = []
    i = 0
    while i < len(words):
        if name[i]:
            j = i
            while j + 1 < len(words) and name[j + 1]:
                j += 1
            possessive = re.search(r"['’]s$", words[j]) and len(words[j]) > 3
            out.append(PLACEHOLDER + (words[j][-2:] if possessive else ""))
            i = j + 1
        else:
            out.append(words[i])
            i += 1
        if i < len(words):
            out.append(seps[i - 1] if not name[i - 1] or not name[i] else " ")
    return "".join(out)


def _split_run(run: str) -> tuple[list[str], list[str]]:
    parts = _TOKEN_SPLIT.split(run)
    return parts[0::2], parts[1::2]


# -- the column pass -----------------------------------------------------------------


@lru_cache(maxsize=1)
def _lowercase_names_pattern() -> str | None:
    """Gazetteer names that English never writes in lower case, as one regex."""
    lex = load_lexicon()
    keys = {k for k in lex.first_names | lex.surnames
            if len(k) >= 4 and k not in lex.ordinary and k not in lex.allowed}
    return rf"\b(?:{_alt(keys)})\b" if keys else None


@dataclass
class NameScrubber:
    """Replace person names in a column of free text with ``[NAME]``."""

    vocab: Vocabulary
    #: ``[NAME]`` spans written (a run of name words counts once).
    replaced: int = 0
    #: Capitalised proper nouns left in the text, by why they were kept.
    kept: Counter[str] = field(default_factory=Counter)

    @classmethod
    def for_terms(cls, extra_terms: Iterable[str] = ()) -> NameScrubber:
        return cls(Vocabulary.build(extra_terms))

    def scrub(self, texts: pl.Series) -> pl.Series:
        """The column with names replaced; nulls stay null."""
        if texts.len() == 0:
            return texts
        before = texts.str.count_matches(re.escape(PLACEHOLDER), literal=False).sum() or 0
        patterns: dict[str, str] = {}
        runs = texts.str.extract_all(RUN)
        flat = runs.explode().drop_nulls().unique()
        kept_runs: dict[str, list[str]] = {}
        for run in flat.to_list():
            words, seps = _split_run(run)
            name = decide(self.vocab, words)
            patterns[run] = render(words, seps, name)
            reasons = [self._why_kept(w) for w, n in zip(words, name, strict=True) if not n]
            if any(reasons):
                kept_runs[run] = sorted({r for r in reasons if r})
        contexts: dict[str, str] = {}
        self._contexts(texts, contexts, flat)
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
        if kept_runs:
            counts = runs.explode().drop_nulls().value_counts()
            for run, n in zip(counts[:, 0].to_list(), counts[:, 1].to_list(), strict=True):
                for why in kept_runs.get(run, ()):
                    self.kept[why] += n
        texts = self._unknown_lowercase(texts)
        texts = self._lowercase(texts)
        texts = texts.str.replace_all(r"\[NAME\](?:[ ]+\[NAME\])+", PLACEHOLDER)
        after = texts.str.count_matches(re.escape(PLACEHOLDER), literal=False).sum() or 0
        self.replaced += int(after - before)
        return texts

    def _why_kept(self, word: str) -> str | None:
        """Why a capitalised word that is a proper noun was left (None: not one)."""
        kind = self.vocab.kind(word)
        key = fold(re.sub(r"['’]s$", "", word))
        if kind in (Kind.ALLOWED, Kind.PLACE_NAME, Kind.PHRASE) and key in self.vocab.extra:
            return "dataset allow_terms or schema enum"
        if kind in (Kind.ALLOWED, Kind.PHRASE):
            return "fivestar allow-list (places, public bodies, organisations, calendar)"
        if kind == Kind.PLACE_NAME:
            return "place that is also a name, no person context"
        if kind == Kind.AMBIGUOUS:
            return "name that is also an English word, no person context"
        return None

    def _contexts(self, texts: pl.Series, patterns: dict[str, str], runs: pl.Series) -> None:
        """Context patterns: person words before, a speech verb after, mid-sentence words."""
        for match in texts.str.extract_all(CONTEXT).explode().drop_nulls().unique().to_list():
            out = self._after_context(match)
            if out is not None and out != match:
                patterns[match] = out
        lone = [r for r in runs.to_list() if " " not in r and self.vocab.kind(r) in (
            Kind.AMBIGUOUS, Kind.PLACE_NAME, Kind.WORD, Kind.ALLOWED, Kind.SHORT_CAPS)]
        if not lone:
            return
        alt = _alt(lone)
        verb = rf"\b(?:{alt})[ ]+(?:{_VERBS})\b"
        for match in texts.str.extract_all(verb).explode().drop_nulls().unique().to_list():
            run, rest = match.split(" ", 1)
            if self.vocab.kind(run) != Kind.STOP:
                patterns[match] = PLACEHOLDER + " " + rest
        mid_words = [r for r in lone if self.vocab.kind(r) in (Kind.AMBIGUOUS, Kind.WORD)]
        if not mid_words:
            return
        mid = (rf"\b\p{{Ll}}[\p{{Ll}}']*[ ]+(?:{_alt(mid_words)})"
               rf"(?:[ ]+\p{{Ll}}[\p{{Ll}}']*|[.,;:!?)]|$)")
        for match in texts.str.extract_all(mid).explode().drop_nulls().unique().to_list():
            out = self._mid_sentence(match)
            if out is not None:
                patterns[match] = out

    def _after_context(self, match: str) -> str | None:
        low = match.lower()
        lead = next((w for w in _CONTEXT_SORTED if low.startswith(w)
                     and not low[len(w):len(w) + 1].isalpha()), None)
        if lead is None:
            return None
        m = re.match(r"(?:['’]s)?\.?[,:]?(?:[ ]+|[ ]*\n[ ]*)", match[len(lead):])
        if not m:
            return None
        cut = len(lead) + m.end()
        prefix, rest = match[:cut], match[cut:]
        if rest.startswith("["):
            return None  # already a placeholder
        weak = lead in WEAK_INTRODUCERS
        if rest[:1].isupper():
            words, seps = _split_run(rest)
            return prefix + render(words, seps, decide(self.vocab, words, force_first=True,
                                                       weak_first=weak))
        # lower case after a person word: a name only if English does not have the word
        words = rest.split(" ")
        out = []
        for i, w in enumerate(words):
            key = fold(w)
            is_word = key in self.vocab.lexicon.ordinary or key in self.vocab.allowed \
                or fold(w) in STOP or len(key) < 2
            if is_word or (i > 0 and out[-1] != PLACEHOLDER):
                out.append(w)
                if i == 0:
                    out.extend(words[1:])
                    break
            else:
                out.append(PLACEHOLDER)
        if PLACEHOLDER not in out:
            return None
        return prefix + " ".join(out)

    def _mid_sentence(self, match: str) -> str | None:
        prev, rest = match.split(" ", 1)
        if prev in DETERMINERS or prev in TITLE_JOINERS or fold(prev) in _RELATIONS:
            return None
        m = re.match(r"(\S+?)([ ]+\S+|[.,;:!?)])?$", rest)
        if not m:
            return None
        word, tail = m.group(1), m.group(2) or ""
        if tail.strip() in ("of", "for", "and") and self.vocab.kind(word) == Kind.WORD:
            return None  # "Minister for", "Head of": a title
        if self.vocab.kind(word) == Kind.WORD and prev not in PERSON_PREVS:
            return None  # an ordinary word mid-sentence is a name only after "met", "to"...
        if not decide(self.vocab, [word], mid_sentence=True)[0]:
            return None
        return f"{prev} {PLACEHOLDER}{tail}"

    def _unknown_lowercase(self, texts: pl.Series) -> pl.Series:
        """Lower-case words English does not have ("writing for dianah kanja").

        A word in lower case that is neither an English word nor an allowed
        term is taken for a name written carelessly (a misspelt word is
        removed too: the safe side).
        """
        words = texts.str.extract_all(_LOWER_CANDIDATE).explode().drop_nulls().unique()
        lex = self.vocab.lexicon
        unknown = [w for w in words.to_list()
                   if (k := fold(w)) and len(k) >= 3 and k not in lex.ordinary
                   and k not in self.vocab.allowed and k not in STOP
                   and not _is_inflection(k, lex.ordinary)]
        if not unknown:
            return texts
        pattern = rf"\b(?:{_alt(unknown)})\b"
        rows = texts.str.contains_any(unknown).fill_null(False).arg_true()
        sub = texts.gather(rows)
        hit = sub.str.contains(pattern).fill_null(False)
        rows, sub = rows.filter(hit), sub.filter(hit)
        if rows.len() == 0:
            return texts
        out = texts.clone()
        out.scatter(rows, sub.str.replace_all(pattern, PLACEHOLDER))
        return out

    def _lowercase(self, texts: pl.Series) -> pl.Series:
        """Rows written without capitals: gazetteer names English has no word for.

        Only those rows: in a text that uses capitals, a name in lower case is
        rare, and matching the whole gazetteer everywhere would cost more than
        everything else here together.
        """
        pattern = _lowercase_names_pattern()
        if pattern is None:
            return texts
        rows = texts.str.contains(r"\p{Lu}").not_().fill_null(False).arg_true()
        if rows.len() == 0:
            return texts
        sub = texts.gather(rows)
        hit = sub.str.contains(pattern).fill_null(False)
        if not hit.any():
            return texts
        rows, sub = rows.filter(hit), sub.filter(hit)
        out = texts.clone()
        out.scatter(rows, sub.str.replace_all(pattern, PLACEHOLDER))
        return out


#: A lower-case word of three letters or more (a candidate for an uncapitalised name).
_LOWER_CANDIDATE = rf"\b\p{{Ll}}[{_L}]{{2,}}(?:['’\-][{_L}]+)*\b"
_SUFFIXES = ("s", "es", "ed", "d", "ing", "er", "ers", "ly", "ness", "ment", "ments", "al",
             "ation", "ations", "ised", "ized", "ising", "izing", "ise", "ize", "ful", "less")


def _is_inflection(key: str, ordinary: frozenset[str]) -> bool:
    """An English word with a regular ending the word list lacks ("reallocations")."""
    return any(key.endswith(x) and key[:-len(x)] in ordinary and len(key) - len(x) >= 4
               for x in _SUFFIXES)


_CONTEXT_SORTED = sorted({w.lower() for w in (*RELATIONS, *HONORIFICS, *INTRODUCERS)},
                         key=len, reverse=True)

