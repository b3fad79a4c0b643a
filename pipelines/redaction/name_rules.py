"""Whether the words of a capitalised run are a person's name, alone and in context.

A *run* is a stretch of capitalised words ("Dr Aoife Ní Bhriain", "JIE XU",
"Pennine Lettings Ltd"). Each word first gets a :class:`Kind` from the
:mod:`~pipelines.redaction.lexicon` (a word no list explains is a name,
whatever script it was romanised from). :func:`decide` then judges the run on
its own (titles, names next to names, organisations ending in "Ltd" or
"Services"), and :func:`decide_in_context` adds what the words around one
occurrence say:

* a capitalised ordinary word in the middle of a sentence is a name unless a
  determiner, a number or "of" makes it a thing ("met Rose at", "the Minister");
* two or more capitalised words mid-sentence with no organisation or place
  word among them are a name ("about Fang Ding", "Rush Sutton said");
* a place that is also a name is a place only where places go ("in Dalton",
  "from Oran to", "the port of Keith"), a person elsewhere;
* names come in lists and in "Surname, First" ("[NAME] and Derrick",
  "WONG, Summer", "[NAME], Jane is waiting");
* a word before a speech verb is a person ("Keith said").

Nothing here looks at a whole text: the scrubber (:mod:`~pipelines.redaction.names`)
finds runs and their neighbours with Polars and calls these once per distinct
(run, neighbours) it found.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from pipelines.redaction.holdout import fold
from pipelines.redaction.lexicon import Lexicon, accent_key, has_accent, split_terms
from pipelines.redaction.lexicon import load as load_lexicon
from pipelines.redaction.name_words import (
    ACTION_VERBS,
    CALENDAR,
    COLLECTIVES,
    DETERMINERS,
    ENUMERATORS,
    EPONYM_NOUNS,
    EPONYM_STYLES,
    EVENT_HEADS,
    FESTIVALS,
    FOLDED_HONORIFICS,
    FOLDED_PARTICLES,
    FOLDED_RELATIONS,
    FUNCTION_WORDS,
    LOCATIVE,
    MOTION,
    NOTE_VERBS,
    ORG_HEADS,
    ORG_LEADS,
    PERSON_NOUNS,
    PERSON_PARTICIPLES,
    PERSON_PREVS,
    PLACE_HEADS,
    PLACE_OF,
    ROLE_NOUNS,
    ROLES,
    ROLL_LABELS,
    SITE_HEADS,
    SPEECH,
    STOP,
    SURNAME_HEADS,
    THING_LEADS,
)

PLACEHOLDER = "[NAME]"
#: What the typed pass writes for a street address ("14 Acacia Avenue").
_ADDRESS = "[ADDRESS]"
#: Marks the end of a run inside a context token ("Leeds\x03,": a run ended before the comma).
RUN_END = "\x03"
#: Marks the start of a run inside a context token.
RUN_START = "\x02"


class Kind:
    """How a single word is judged on its own (before any context)."""

    NAME = "name"          # a gazetteer name that is not a word, or unknown: a person
    AMBIGUOUS = "ambig"    # a gazetteer name that is also an ordinary word ("Rose")
    PLACE_NAME = "place-name"  # a place that may be a name ("Keith", "Dalton", "Jordan")
    WORD = "word"          # an ordinary English word
    ALLOWED = "allowed"    # a known non-person proper noun
    ACRONYM = "acronym"    # short all-caps without a vowel, not a known name ("DWP", "JC")
    CAPS_UNKNOWN = "caps"  # all-caps word no list knows: a name or an acronym ("XU", "IRC")
    STOP = "stop"          # function words, titles ("The", "Sir")
    HONORIFIC = "honorific"
    INITIAL = "initial"
    PARTICLE = "particle"
    PLACEHOLDER = "placeholder"
    SHORT_CAPS = "short-caps"  # "LI", "NG": a gazetteer name in capitals of 2-3 letters
    PHRASE = "phrase"      # a word of a multi-word allowed term ("Thames Valley Police")


#: Kinds that may be a name when the context says so.
MAYBE = frozenset({Kind.AMBIGUOUS, Kind.WORD, Kind.PLACE_NAME, Kind.CAPS_UNKNOWN,
                   Kind.SHORT_CAPS})
#: Honorifics that are also ordinary words or relations ("Brother", "General").
_WORDY_HONORIFICS = frozenset({"brother", "sister", "father", "master", "general", "major",
                               "count", "don", "pan", "lady", "lord", "canon", "captain"})
_POSSESSIVE = re.compile(r"['’]s$")
#: What follows a word glued to it when the word starts a reference number ("-2024-00017").
_CODE_TAIL = re.compile(r"[\-/_]\d")
#: Tokens that start an item of a list or a new part of a line ("- Passports issued").
_BULLETS = frozenset({"-", "–", "—", "•", "*", "|", ">", "/"})
#: Two or three initials written together ("D.B.", "J.R.R.").
_INITIALS = re.compile(r"(?:[^\W\d_a-z]\.){2,3}")
#: An acronym in the plural ("GPs", "TTOs", "NGOs") or with a small letter inside ("DoLS",
#: "PoA", "NoK"): no name is written so ("McKAY" starts with a name's prefix).
_ACRONYM_FORMS = re.compile(r"[A-Z]{2,5}s|(?!Mc)[A-Z][a-z][A-Z]{1,3}")
#: Endings of the international non-proprietary names of medicines (the WHO's INN stems:
#: "Ramipril", "Sertraline", "Apixaban"), which no name in the gazetteers has: a medicine
#: written with a capital is a thing, not a person.
_MEDICINE = re.compile(
    r"(?:pril|sartan|olol|alol|dipine|statin|prazole|tidine|oxetine|traline|triptyline|"
    r"azepam|zolam|cillin|mycin|cycline|floxacin|conazole|tinib|parin|xaban|gatran|gliptin|"
    r"glitazone|formin|terol|sonide|semide|thiazide|pramine|peridol|apine|idone|profen|"
    r"coxib|caine|setron|lukast|dronate|fenac|orphine|codone|codamol|cetamol|oxine)$")
#: Words joined by inner capitals ("ServiceNow", "MacKenzie"), ASCII letters only.
_CAMEL = re.compile(r"[A-Z][a-z]+(?:[A-Z][a-z]+)+")
#: How names written with an inner capital start ("MacKenzie", "FitzGerald", "VanDyke").
_NAME_PREFIXES = frozenset({"mac", "mc", "fitz", "van", "von", "del", "della", "der", "den",
                            "san", "santa", "ben", "abu", "ibn", "bin", "las", "los", "les",
                            "dal", "dos", "das", "ter", "ten", "lou", "ann", "anne", "mae",
                            "rae", "kay", "joy"})
#: A regnal number ("King Edward VI College", "Henry VIII"): capitals inside a title-case name.
_ROMAN = re.compile(r"(?:X{0,3})(?:IX|IV|V?I{0,3})")
_SENTENCE_END = re.compile(r"[.!?:;]['’\")\]]*$")
_ABBREVIATION = re.compile(r"^(?:[A-Z]|Mr|Mrs|Ms|Dr|St|Prof|Rev|No|Nos|Ref|Cllr|Sgt|Capt|Col|"
                           r"Lt|Gen|Jr|Sr|Snr|Jnr)\.$")
#: English words that name things ("Market", "Town", "Retail"): before a head that is
#: also a surname they make it a place ("Market Hall", "Town Hall", "Village Green").
_THING_NOUNS = ORG_HEADS | PLACE_HEADS | EVENT_HEADS
#: Kinds of a word no list holds as a person's name (English words, allowed terms).
NAMELESS = frozenset({Kind.WORD, Kind.ALLOWED, Kind.PHRASE, Kind.ACRONYM})
#: Job titles that end a run of capitalised words ("Director General", "Chief Executive").
_TITLE_ENDS = ROLES - frozenset({"head", "lead", "nurse", "doctor", "owner", "partner",
                                 "associate", "agent", "governor", "chair", "deputy",
                                 "senior", "principal", "team", "unit", "customer"})


#: Verbs a person's name stands before ("… Via was", "… Said has").
_AUX = frozenset({"was", "is", "has", "had", "were", "are", "will", "would", "did", "does",
                  "said", "says", "told", "asked", "came", "went"})
#: Words that may stand between a name and a verb without being part of it.
_NOT_A_NAME = frozenset({"and", "or", "but", "nor", "who", "which", "that", "then", "also",
                         "still", "never", "not", "now", "he", "she", "they", "it", "we",
                         "i", "you", "there", "here", "this", "today", "yesterday", "staff",
                         "team", "family", "office", "police"}) | frozenset(ROLES)
_NEVER_SPREAD = FOLDED_RELATIONS | FUNCTION_WORDS | COLLECTIVES | NOTE_VERBS
#: Function words after "Dear" that start a greeting, not a name ("Dear Sir", "Dear All").
_NEVER_DEAR = frozenset({"sir", "madam", "all", "team", "colleague", "colleagues", "the",
                         "my", "our", "your", "mr", "mrs", "ms", "dr"})


@dataclass
class Vocabulary:
    """The lexicon plus one dataset's own allowed terms (spec ``allow_terms:``, code lists)."""

    lexicon: Lexicon
    allowed: frozenset[str]
    phrases: frozenset[tuple[str, ...]]
    #: The dataset's own allowed words (from its spec), for the report.
    extra: frozenset[str] = frozenset()
    _cache: dict[str, str] = field(default_factory=dict)

    @cached_property
    def phrase_starts(self) -> dict[str, int]:
        """First word of each multi-word term -> the longest such term's length."""
        starts: dict[str, int] = {}
        for p in self.phrases | self.lexicon.place_phrases:
            starts[p[0]] = max(starts.get(p[0], 0), len(p))
        return starts

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
        base = _POSSESSIVE.sub("", token) if len(token) > 3 else token
        if len(base) == 2 and base.endswith(".") or len(base) == 1:
            return Kind.INITIAL if base[0].isupper() and base not in ("I", "A") else Kind.STOP
        if _ACRONYM_FORMS.fullmatch(base):
            return Kind.ACRONYM
        key = fold(base)
        if not key:
            return Kind.STOP
        if _INITIALS.fullmatch(base) and key not in self.allowed and key != "us":
            return Kind.INITIAL  # "D.B.", "J.R.R." (not "U.K.", "U.S.")
        if key.endswith("s") and key[:-1] in CALENDAR:
            return Kind.ALLOWED  # "on Fridays", "Mondays and Thursdays"
        if key in FOLDED_PARTICLES and base[0].islower():
            return Kind.PARTICLE
        if key in FOLDED_HONORIFICS and key not in _WORDY_HONORIFICS:
            return Kind.HONORIFIC
        if key in STOP:
            return Kind.HONORIFIC if key in FOLDED_HONORIFICS else Kind.STOP
        lex = self.lexicon
        is_name = key in lex.first_names or key in lex.surnames
        caps = base.isupper() and len(key) > 1
        # an accent English and the allow-list do not write that way: "Vân", "LÊ", "ÇAĞ"
        accented = has_accent(base) and accent_key(base) not in lex.accented
        if key in self.allowed or fold(token) in self.allowed:
            if accented:
                return Kind.NAME
            if caps and len(key) <= 3:
                return Kind.ALLOWED if not is_name else Kind.SHORT_CAPS
            return Kind.PLACE_NAME if is_name else Kind.ALLOWED
        if accented:
            return Kind.NAME
        if caps and len(key) <= 3:
            if is_name:
                return Kind.SHORT_CAPS
            if not re.search("[aeiouy]", key) or len(key) == 1:
                return Kind.ACRONYM
            return Kind.WORD if key in lex.ordinary else Kind.CAPS_UNKNOWN
        if key in lex.ordinary:
            return Kind.AMBIGUOUS if is_name else Kind.WORD
        if key in lex.minor_places:
            return Kind.PLACE_NAME
        if "-" in base or "‐" in base:  # hyphenated: judged by its parts
            parts = [p for p in re.split(r"[\-‐]", base) if p]
            if len(parts) > 1 and all(p.islower() for p in parts[1:]) and all(
                    fold(p) in lex.ordinary or fold(p) in STOP for p in parts):
                # an English compound with its tail in lower case ("Match-day",
                # "Drop-in"): a double-barrelled name capitalises every part
                return Kind.WORD
            kinds = [self.kind(p[0].upper() + p[1:] if p[0].islower() else p) for p in parts]
            if Kind.NAME in kinds:
                return Kind.NAME
            if all(k in (Kind.WORD, Kind.ALLOWED, Kind.STOP, Kind.ACRONYM) for k in kinds):
                return Kind.WORD
        if caps and not is_name:
            if not re.search("[aeiouy]", key):
                return Kind.ACRONYM  # "HMRC", "DWP", "BRP"
            return Kind.CAPS_UNKNOWN
        if not is_name and self._brand(base):
            return Kind.ALLOWED
        if not is_name and len(key) >= 7 and _MEDICINE.search(key):
            return Kind.WORD  # "Takes Sertraline and Apixaban": medicines, judged as words
        return Kind.NAME

    def _brand(self, word: str) -> bool:
        """A product's CamelCase ("ServiceNow", "SystmOne", "FaceTime"): words joined with
        an inner capital, the last one English. Names written so start with a particle or
        a short prefix ("MacKenzie", "DeShawn", "LaToya") or with a first name ("LeeAnn",
        "MaryBeth"), and end in a name, not an English word."""
        parts = _CAMEL.fullmatch(word) and re.findall(r"[A-Z][a-z]*", word)
        if not parts:
            return False
        lex = self.lexicon
        head, tail = fold(parts[0]), fold(parts[-1])
        return len(head) >= 3 and head not in _NAME_PREFIXES and head not in lex.first_names \
            and (tail in lex.ordinary or tail in STOP) and tail not in lex.first_names \
            and tail not in lex.surnames

    def is_first(self, token: str) -> bool:
        return fold(_POSSESSIVE.sub("", token)) in self.lexicon.first_names

    def is_surname(self, token: str) -> bool:
        return fold(_POSSESSIVE.sub("", token)) in self.lexicon.surnames


# -- deciding one run on its own --------------------------------------------------------


def _mark_phrases(vocab: Vocabulary, words: list[str], kinds: list[str]) -> None:
    """Words inside a multi-word allowed term ("Thames Valley Police") are allowed; those
    of a smaller place's name ("Budleigh Salterton") are places that may be names."""
    if len(words) < 2:
        return
    keys = [fold(_POSSESSIVE.sub("", w)) for w in words]
    starts = vocab.phrase_starts
    if not any(k in starts for k in keys[:-1]):
        return
    places = vocab.lexicon.place_phrases
    i = 0
    while i < len(words):
        for n in range(min(starts.get(keys[i], 0), len(words) - i), 1, -1):
            span = tuple(keys[i:i + n])
            if span in vocab.phrases:
                kinds[i:i + n] = [Kind.PHRASE] * n
            elif span in places:
                kinds[i:i + n] = [k if k == Kind.PLACEHOLDER else Kind.PLACE_NAME
                                  for k in kinds[i:i + n]]
            else:
                continue
            i += n - 1
            break
        i += 1


def _key(word: str) -> str:
    return fold(_POSSESSIVE.sub("", word))


def _all_caps(word: str) -> bool:
    return word.isupper() and len(word) > 1


def thing_span(words: list[str], kinds: list[str]) -> list[bool]:
    """Which words name an organisation or a place by their last word ("Orbis Catering",
    "Marikina City") or a leading word with "of"/"for" ("University of Leeds")."""
    n = len(words)
    thing = [False] * n
    i = n
    while i > 1:
        i -= 1
        key = _key(words[i])
        if (key in ORG_HEADS or key in PLACE_HEADS or key in EVENT_HEADS
                or key in SITE_HEADS) \
                and words[i][:1].isupper() \
                and kinds[i] not in (Kind.NAME, Kind.HONORIFIC) \
                and (key not in SURNAME_HEADS or kinds[i - 1] in (Kind.ALLOWED, Kind.PHRASE)
                     or kinds[i - 1] == Kind.WORD and _key(words[i - 1]) in _THING_NOUNS):
            # back to the start of the thing's name: across "of", "for", "and" ("Department
            # for Education"), never across "in", "the", a title or a placeholder
            # (nor across a function word or a change between capitals and title case:
            # "MY DAUGHTER ALBERICH WAS DETAINED The Home Office" is two things)
            j = i
            head_caps = _all_caps(words[i])
            while j > 0 and (kinds[j - 1] not in (Kind.HONORIFIC, Kind.PLACEHOLDER, Kind.STOP)
                             or _key(words[j - 1]) in EPONYM_STYLES) \
                    and (not words[j - 1][:1].isupper()
                         or _all_caps(words[j - 1]) == head_caps
                         or bool(_ROMAN.fullmatch(words[j - 1]))) \
                    and words[j - 1] != PLACEHOLDER \
                    and not (head_caps and _key(words[j - 1]) in FUNCTION_WORDS) \
                    and (words[j - 1][:1].isupper() or (
                        words[j - 1] in ("of", "for", "and", "&") and j >= 2
                        and (_key(words[j - 2]) in ORG_HEADS | ORG_LEADS
                             or kinds[j - 2] in (Kind.ALLOWED, Kind.PHRASE)))):
                j -= 1
            for k in range(j, i + 1):
                thing[k] = True
            # on to a thing before it ("Shakespeare Crescent and Telford Road")
            if not (j >= 2 and words[j - 1] in ("and", "&", "or")):
                break
            i = j - 1
    # "Storm Isha", "Operation Midland", "HMS Belfast": a storm's, an operation's, a
    # ship's name
    if n > 1 and _key(words[0]) in THING_LEADS and words[0][:1].isupper() \
            and kinds[0] != Kind.HONORIFIC \
            and words[1][:1].isupper() and kinds[1] not in (Kind.HONORIFIC, Kind.PLACEHOLDER):
        thing = [True] * n
    for i in range(n - 2):
        if _key(words[i]) in ORG_LEADS and words[i + 1] in ("of", "for", "on", "and") \
                and (i == 0 or kinds[i - 1] != Kind.HONORIFIC):
            for k in range(i, n):
                thing[k] = True
            break
    return thing


def decide(vocab: Vocabulary, words: list[str], *, force_first: bool = False,
           weak_first: bool = False) -> list[bool]:
    """Which words of a capitalised run are (part of) a person's name, by the run alone.

    ``force_first``: a person context stands in front (the first word is a
    name unless it is a function word); ``weak_first``: a weak one ("from"):
    the first word is a name only if it could be one.
    """
    kinds = [vocab.kind(w) for w in words]
    if all(k == Kind.NAME for k in kinds) and not any(
            _key(w) in vocab.phrase_starts for w in words[:-1]):
        return [True] * len(words)  # the commonest run, and no rule below can change it
    _mark_phrases(vocab, words, kinds)
    return _decide(vocab, words, kinds, force_first=force_first, weak_first=weak_first)


def _decide(vocab: Vocabulary, words: list[str], kinds: list[str], *, force_first: bool,
            weak_first: bool) -> list[bool]:
    name = [k == Kind.NAME for k in kinds]
    n = len(words)
    caps = [w.isupper() and len(w) > 1 for w in words]
    thing = thing_span(words, kinds)
    if force_first and not weak_first and _key(words[0]) in THING_LEADS:
        thing = [False] * n  # "her daughter Storm Adeyemi": a person after all
    # person words inside the run itself: honorifics, and (in capitals) relations
    for i, w in enumerate(words[:-1]):
        key = fold(w)
        if thing[i] and key in EPONYM_STYLES:
            continue  # "Sir John Cass School": the school is named after him
        if kinds[i] == Kind.HONORIFIC or (key in FOLDED_RELATIONS and (caps[i] or i == 0)) \
                or key == "dear":
            j = i + 1
            if kinds[j] == Kind.PHRASE and kinds[i] != Kind.HONORIFIC:
                continue  # "Dear Border Force": an allowed multi-word term, not a person
            # (a title last, after a title, is the name: "Judge Bishop", "Mr Major")
            if kinds[j] not in (Kind.STOP, Kind.PLACEHOLDER, Kind.HONORIFIC) \
                    or (kinds[j] == Kind.HONORIFIC and kinds[i] == Kind.HONORIFIC
                        and j == n - 1 and _title_case(words[j])
                        and _key(words[j]) not in _NEVER_DEAR) \
                    or (kinds[j] == Kind.STOP and kinds[i] == Kind.HONORIFIC
                        and words[j][:1].isupper() and _key(words[j]) not in FUNCTION_WORDS):
                name[j] = True
                thing[j] = False
            # "Dear SHE DWIVEDI": a function word that is a name ("She", "He", "To"),
            # then a word that can only be one
            elif kinds[j] == Kind.STOP and j + 1 < n and words[j][:1].isupper() \
                    and kinds[j + 1] in (Kind.NAME, Kind.CAPS_UNKNOWN, Kind.SHORT_CAPS) \
                    and _key(words[j]) not in _NEVER_DEAR:
                name[j] = name[j + 1] = True
                thing[j] = thing[j + 1] = False
    never = (Kind.STOP, Kind.PLACEHOLDER, Kind.HONORIFIC)
    # (after a weak introducer, "to Dalton" may be a place: decided in context)
    could_be = (Kind.NAME, Kind.AMBIGUOUS, Kind.INITIAL, Kind.SHORT_CAPS, Kind.CAPS_UNKNOWN)
    # (not after a weak one when the whole run names a thing: "to Westgate House")
    # (nor when the run begins with an allowed multi-word term: "sent by Border Force",
    # "reply from Citizens Advice" name the body that wrote)
    forced = force_first and kinds[0] not in never and kinds[0] != Kind.PHRASE \
        and (not weak_first or kinds[0] in could_be) and not (weak_first and all(thing))
    if forced:
        name[0] = True
        thing[0] = False
    # a thing's name ("Orbis Catering", "Kowalczyk Security Ltd") is not a person (nor
    # after a weak introducer: "from Turing House to")
    for i in range(n):
        if thing[i] and not (forced and i == 0):
            name[i] = False
    # an initial then a capitalised word is a person ("J. Said", "D.B. Sunday"), and so is
    # a capitalised word then an initial ("Hank G."), unless the letter numbers a thing
    # ("Category A. Prisoners", "Plan B."; "annex B. Call me": see decide_in_context)
    for i in range(n - 1):
        # (initials then one word name a person even when the word could end a thing's
        # name: "K.S. Branch")
        initial_first = kinds[i] == Kind.INITIAL and words[i].endswith(".") \
            and (not thing[i + 1] or n == 2 and len(words[0]) > 2) \
            and (kinds[i + 1] in MAYBE | {Kind.NAME}
                                      or kinds[i + 1] == Kind.ALLOWED and len(words[i]) > 2) \
            and not (i > 0 and _key(words[i - 1]) in ENUMERATORS)
        initial_last = kinds[i + 1] == Kind.INITIAL and words[i + 1].endswith(".") \
            and not thing[i] and kinds[i] in MAYBE | {Kind.NAME, Kind.ALLOWED} \
            and words[i][:1].isupper() and _key(words[i]) not in ENUMERATORS | NOTE_VERBS | ROLES
        # the same without the full stop, as forms and logs write them ("S Hood", "Smith
        # J"): a letter that numbers nothing (the run's own word before it is no "Plan")
        # beside a capitalised word in title case that could be a name
        bare_first = kinds[i] == Kind.INITIAL and len(words[i]) == 1 and not thing[i + 1] \
            and _title_case(words[i + 1]) and kinds[i + 1] in MAYBE | {Kind.NAME} \
            and _key(words[i + 1]) not in _NOT_AFTER_LETTER \
            and not (i > 0 and _key(words[i - 1]) in ENUMERATORS)
        bare_last = kinds[i + 1] == Kind.INITIAL and len(words[i + 1]) == 1 and i + 2 == n \
            and not thing[i] and _title_case(words[i]) and kinds[i] in MAYBE | {Kind.NAME} \
            and _key(words[i]) not in ENUMERATORS | NOTE_VERBS | ROLES | _NOT_BEFORE_LETTER
        if initial_first or initial_last or bare_first or bare_last:
            name[i] = name[i + 1] = True
    ambiguous = [k == Kind.AMBIGUOUS for k in kinds]
    # two gazetteer words in a row, a first name then a surname: "Rose Brown"
    for i in range(n - 1):
        if ambiguous[i] and ambiguous[i + 1] and vocab.is_first(words[i]) \
                and vocab.is_surname(words[i + 1]) and not (thing[i] or thing[i + 1]):
            name[i] = name[i + 1] = True
    # a title ends no title: after a first name it is a surname ("Dawn Bishop", "[NAME]
    # Bishop", "Ali Major"); "Station Master", "Holy Father" have an English word before it
    if n >= 2 and kinds[-1] == Kind.HONORIFIC and not thing[-1] and (
            kinds[-2] == Kind.NAME or kinds[-2] == Kind.AMBIGUOUS and vocab.is_first(words[-2])):
        name[-2] = name[-1] = True
    spread(words, kinds, name, thing)
    return name


def _title_case(word: str) -> bool:
    return word[:1].isupper() and not word.isupper() and len(word) > 1


#: Capitalised words a bare letter numbers or names a thing with ("B Wing", "A Level",
#: "E Coli", "X Ray", "T Cell"), and words a letter follows as a grade or a variant
#: ("Vitamin D", "Hepatitis B", "Covid B").
_NOT_AFTER_LETTER = ENUMERATORS | frozenset({
    "level", "levels", "coli", "ray", "rays", "cell", "cells", "turn", "road", "list",
    "team", "shift", "side", "division", "league", "star", "grade", "roads"})
_NOT_BEFORE_LETTER = frozenset({"vitamin", "hepatitis", "strep", "flu", "influenza",
                                "covid", "model", "size", "exhibit", "bay", "platform",
                                "gateway", "wave", "sector", "division", "league", "step"})


def spread(words: list[str], kinds: list[str], name: list[bool], thing: list[bool]) -> None:
    """Names spread to the neighbours in the run that could be part of them (in place)."""
    n = len(words)
    joinable = {Kind.AMBIGUOUS, Kind.PLACE_NAME, Kind.INITIAL, Kind.PARTICLE, Kind.NAME,
                Kind.SHORT_CAPS, Kind.CAPS_UNKNOWN}
    changed = True
    while changed:
        changed = False
        for i in range(n):
            if name[i] or thing[i]:
                continue
            near = (i > 0 and name[i - 1]) or (i + 1 < n and name[i + 1])
            if near and kinds[i] in joinable:
                if kinds[i] == Kind.PARTICLE and not (0 < i < n - 1 and
                                                      (name[i - 1] or name[i + 1])):
                    continue
                name[i] = changed = True
            # an unknown acronym right before a name is initials ("JC [NAME]")
            elif kinds[i] == Kind.ACRONYM and i + 1 < n and name[i + 1]:
                name[i] = changed = True
    # an allowed word next to a name word is a surname or first name that is also a
    # place or a thing ("Aaban Jordan", "Stanley Kowalczyk"); words of allowed phrases never
    for i in range(n):
        if name[i] or thing[i] or kinds[i] != Kind.ALLOWED:
            continue
        if (i > 0 and name[i - 1] and kinds[i - 1] != Kind.HONORIFIC) or \
                (i + 1 < n and name[i + 1] and kinds[i + 1] == Kind.NAME
                 and words[i + 1] != PLACEHOLDER):
            name[i] = True
    # an ordinary word written capitalised right next to a name word in the same run is
    # part of it ("Arnold Kowalczyk", "Kowalczyk Cooper"); allowed terms, relations
    # ("MY SON [NAME]"), function words and the verbs that start notes ("Met") are not
    changed = True
    while changed:
        changed = False
        for i in range(n):
            if not name[i] and not thing[i] and kinds[i] == Kind.WORD \
                    and _key(words[i]) not in _NEVER_SPREAD and (
                    (i > 0 and name[i - 1] and kinds[i - 1] != Kind.HONORIFIC)
                    or (i + 1 < n and name[i + 1])):
                name[i] = changed = True
    # a word between two name words is part of the name ("Nguyen Van Thanh", "DO")
    for i in range(1, n - 1):
        if not name[i] and not thing[i] and name[i - 1] and name[i + 1] and kinds[i] in (
                Kind.WORD, Kind.ALLOWED, Kind.ACRONYM, Kind.STOP) and (
                kinds[i] != Kind.STOP or len(words[i]) <= 3) \
                and words[i] not in ("and", "or", "&"):
            name[i] = True
    # a word between a name and a verb is the name's last word, whatever else it is
    # ("MY DAUGHTER [NAME] VIA WAS DETAINED": a preposition never comes before "was")
    for i in range(1, n - 1):
        if name[i - 1] and not name[i] and not thing[i] and _key(words[i + 1]) in _AUX \
                and _key(words[i]) not in _NOT_A_NAME and kinds[i] != Kind.PLACEHOLDER:
            name[i] = True
    # a particle or initial cannot be a name on its own
    for i in range(n):
        if name[i] and kinds[i] == Kind.PARTICLE and not (
                (i > 0 and name[i - 1]) and (i + 1 < n and name[i + 1])):
            name[i] = False
        if name[i] and kinds[i] == Kind.INITIAL and not (
                (i > 0 and name[i - 1] and words[i - 1] != PLACEHOLDER)
                or (i + 1 < n and name[i + 1] and words[i + 1] != PLACEHOLDER)):
            name[i] = False  # "annex B. [NINO]"


# -- deciding one occurrence in its context --------------------------------------------


@dataclass(frozen=True)
class Around:
    """The tokens either side of one occurrence of a run, as the scrubber found them.

    A token that ends another run carries :data:`RUN_END` after that run's last
    word ("Leeds\\x03,"); one that starts a run carries :data:`RUN_START`.
    ``start``: the run begins a text, a sentence or a line; ``mixed``: the text
    is written in mixed case (not all in capitals); ``listed_line``: the run is
    a line of its own next to a line that is a name (a list of attendees, a
    signature block).
    """

    p2: str = ""
    p1: str = ""
    n1: str = ""
    n2: str = ""
    start: bool = True
    mixed: bool = True
    listed_line: bool = False
    #: the run starts a line right under one that ends in a name ("[NAME]\nShaw.")
    under_name: bool = False

    @classmethod
    def parse(cls, left: str, right: str, *, mixed: bool = True) -> Around:
        """From the left window (ending in RUN_START) and the right (starting with RUN_END)."""
        body = left[:-1] if left.endswith(RUN_START) else left
        tokens = body.split()
        gap = body[len(body.rstrip()):]
        p1 = tokens[-1] if tokens else ""
        p2 = tokens[-2] if len(tokens) > 1 else ""
        start = not tokens or "\n" in gap or tokens[-1] in _BULLETS or bool(
            _SENTENCE_END.search(p1.replace(RUN_END, "")) and not _ABBREVIATION.match(
                p1.replace(RUN_END, "")))
        after = right[1:] if right.startswith(RUN_END) else right
        tail, _, rest = after.partition(" ") if not after[:1].isspace() else ("", "", after)
        nexts = rest.split()
        n1 = tail if tail else (nexts.pop(0) if nexts else "")
        n2 = nexts[0] if nexts else ""
        ends_line = not after.strip() or "\n" in after[:len(after) - len(after.lstrip())]
        titled = PLACEHOLDER in n2 and fold(n1.replace(RUN_START, "")) in FOLDED_HONORIFICS
        # (a line above a street address is who lives there: "Rose Field\n[ADDRESS]")
        listed = ends_line and ("\n" in gap and PLACEHOLDER in p1 or (
            "\n" in after[:len(after) - len(after.lstrip())]
            and (PLACEHOLDER in n1 or titled or _ADDRESS in n1)))
        under = "\n" in gap and PLACEHOLDER in p1
        return cls(p2, p1, n1, n2, start, mixed, listed, under)


def _bare(token: str) -> str:
    """A context token without run marks and surrounding punctuation, lower case."""
    t = token.replace(RUN_END, " ").replace(RUN_START, " ").split()
    word = t[-1] if t else ""
    return word.strip(".,;:!?()[]\"'’“”").lower()


def _is_name_token(vocab: Vocabulary, token: str) -> bool:
    """The token is (or ends with) a placeholder or a word no list explains."""
    if PLACEHOLDER in token:
        return True
    parts = token.replace(RUN_START, " ").split(RUN_END)[0].split()
    if RUN_END in token and parts:
        return vocab.kind(parts[-1]) == Kind.NAME
    if RUN_START in token:
        word = token.split(RUN_START)[-1].strip(",.;:")
        return bool(word) and vocab.kind(word) == Kind.NAME
    return False


def _is_place_token(vocab: Vocabulary, token: str) -> bool:
    """The token ends a run whose last word is a place (allowed or a place-name)."""
    if RUN_END not in token:
        return False
    parts = token.split(RUN_END)[0].split()
    return bool(parts) and vocab.kind(parts[-1]) in (Kind.ALLOWED, Kind.PLACE_NAME,
                                                      Kind.PHRASE)


def _thingy(word: str) -> bool:
    key = _key(word)
    return key in ORG_HEADS or key in ORG_LEADS or key in ROLES or key in PLACE_HEADS \
        or key in EVENT_HEADS


#: Function words that are also name particles ("BRENT AN DEN ROSPAS", "NGUYEN DO"): they
#: do not break a run in capitals.
_CAPS_PARTICLES = FOLDED_PARTICLES | frozenset({"a", "an", "o", "do", "e", "y", "la", "le"})


def decide_in_context(vocab: Vocabulary, words: list[str], around: Around) -> list[bool]:
    """Which words of one occurrence of a run are a name, given the tokens around it.

    A run with lower-case words inside ("October in Birmingham", "Ludwig van
    Beethoven") is judged in segments of consecutive capitalised words, each
    with its own neighbours; names then spread across the run as in :func:`decide`.
    """
    kinds = [vocab.kind(w) for w in words]
    _mark_phrases(vocab, words, kinds)
    name = _decide(vocab, words, kinds, force_first=False, weak_first=False)
    thing = thing_span(words, kinds)
    n = len(words)
    blocked = list(thing)
    # in a run written in capitals, a function word stands where lower case would break
    # the run ("AYANLE QALIB FROM DUTY SCHEME CONTACTED": the scheme is a thing, the two
    # words before "FROM" are judged on their own)
    shouted = n > 2 and all(_all_caps(w) for w in words if len(w) > 1)
    breaks = [w[:1].islower() or (shouted and 0 < i < n - 1
                                  and kinds[i] in (Kind.STOP, Kind.WORD)
                                  and _key(w) in FUNCTION_WORDS
                                  and _key(w) not in _CAPS_PARTICLES)
              for i, w in enumerate(words)]
    segments: list[tuple[int, int]] = []
    i = 0
    while i < n:
        if breaks[i]:
            i += 1
            continue
        j = i
        while j < n and not breaks[j]:
            j += 1
        segments.append((i, j))
        i = j
    for a, b in segments:
        seg_around = Around(
            p2=_marked(words, a - 2) if a >= 2 else (around.p1 if a == 1 else around.p2),
            p1=_marked(words, a - 1) if a >= 1 else around.p1,
            n1=words[b] if b < n else around.n1,
            n2=(RUN_START + words[b + 1] if words[b + 1][:1].isupper() else words[b + 1])
            if b + 1 < n else (around.n1 if b + 1 == n and b < n else around.n2),
            start=around.start if a == 0 else False, mixed=around.mixed,
            listed_line=around.listed_line and a == 0 and b == n,
            under_name=around.under_name and a == 0)
        _segment(vocab, words[a:b], kinds[a:b], name, thing, blocked, a, seg_around)
    spread(words, kinds, name, blocked)
    if _names_a_thing(words, kinds, around):
        head = next((i for i, w in enumerate(words) if w[:1].islower()), n)
        name[:head] = [False] * head
    # "Down syndrome", "Crohn's disease": named after someone, not someone in the text
    if _bare(around.n1) in EPONYM_NOUNS and not any(
            k in (Kind.HONORIFIC, Kind.INITIAL, Kind.PLACEHOLDER) for k in kinds):
        name = [False] * n
    # "living with Tourette's meet", "the guidance on Alzheimer's was updated": a
    # condition written without its noun (a person's possessive has what is theirs after
    # it: "with Tourette's mother"; not after "of": "a friend of Mark's.")
    if n == 1 and _POSSESSIVE.search(words[0]) and _bare(around.p1) in _CONDITION_PREVS \
            and RUN_END not in around.p1 and kinds[0] != Kind.PLACEHOLDER \
            and (_bare(around.n1) in FUNCTION_WORDS or not _bare(around.n1)) \
            and not around.n1[:1].isupper():
        name = [False]
    # "annex B. Tel": a letter that numbers a thing ends the sentence, it is no initial
    if kinds[0] == Kind.INITIAL and _bare(around.p1) in ENUMERATORS:
        name[0] = False
        if n > 1 and kinds[1] != Kind.NAME:
            name[1] = False
    return name


#: Words before a possessive with no noun after it that make it a condition ("living
#: with Tourette's meet", "guidance on Alzheimer's was").
_CONDITION_PREVS = frozenset({"with", "on", "about", "has", "had", "have", "for"})


#: Determiners that make the capitalised word after them a thing ("the Clyde"); not "a"
#: and "an" (Irish particles: "Prof [NAME] an Bheithigh") nor possessives ("her Aoife").
THING_DETERMINERS = frozenset({"the", "this", "these", "those", "each", "every", "any",
                               "such", "same", "another", "some", "all", "both", "either",
                               "neither"})
#: Nouns after "the <Name>" that say the name is a person's ("the Kits family").
_PERSONAL = frozenset({
    "family", "families", "household", "households", "children", "kids", "twins",
    "brothers", "sisters", "boys", "girls", "parents", "siblings", "couple", "case", "cases",
    "file", "matter", "appeal", "claim", "home", "house", "residence", "clan", "estate",
    "children's", "family's", "baby", "sons", "daughters", "grandchildren",
})


def _names_a_thing(words: list[str], kinds: list[str], around: Around) -> bool:
    """A determiner in front and a function word or punctuation after: "along the Clyde
    near", "on the Dee at", "The Case Worker for": a thing or a role, not a person (the
    words up to the run's first lower-case word, if any).

    English puts no article before a person's name; where it does, a word for
    what the person has follows ("the Kits family", "the Nguyen case"), and a
    title, relation or initial inside the run says person.
    """
    det = _bare(around.p1) in THING_DETERMINERS and RUN_END not in around.p1
    # ("The Case Worker for" starts a sentence; "about My Tsarkos" is a name: "My" is one)
    inside = len(words) > 1 and around.start and _key(words[0]) in THING_DETERMINERS \
        and words[0][:1].isupper() and not words[0].isupper()
    if not (det or inside):
        return False
    # a joined run is judged up to its first lower-case word ("the Survey for John
    # Smith": "Survey" only)
    head = next((i for i, w in enumerate(words) if w[:1].islower()), len(words))
    nxt = around.n1.replace(RUN_START, " ").split()
    after = words[head] if head < len(words) else (nxt[0] if nxt else "")
    words, kinds = words[:head], kinds[:head]
    if any(k in (Kind.HONORIFIC, Kind.INITIAL, Kind.PLACEHOLDER) for k in kinds) \
            or any(fold(w) in FOLDED_RELATIONS for w in words):
        return False
    if not after.strip(".,;:!?()[]\"'’“”-–"):
        return True  # punctuation or the end
    if not after.islower():
        return False
    if after in FUNCTION_WORDS or after in _AUX:
        return True
    # "the Ward Sister post", "The Market Hall roof": English words and allowed terms
    # before a noun; never before a word for what a person has ("the Rose family")
    return all(k in NAMELESS or k == Kind.STOP for k in kinds) and after not in _PERSONAL


def _marked(words: list[str], i: int) -> str:
    """Word ``i`` of a run as a context token (a capitalised one ends a run)."""
    return words[i] if words[i][:1].islower() else words[i] + RUN_END


def _segment(vocab: Vocabulary, words: list[str], kinds: list[str], name: list[bool],
             thing: list[bool], blocked: list[bool], at: int, around: Around) -> None:
    """Apply the context rules to consecutive capitalised words ``at``... (in place)."""
    n = len(words)
    p1, p2, n1, n2 = _bare(around.p1), _bare(around.p2), around.n1, around.n2
    n1_word = _bare(n1)
    lower_around = any(c.islower() for c in around.p1 + around.n1 + around.n2)
    # a name just before, as "[NAME]," or "X and" with X a name
    prev_name_comma = around.p1.endswith(",") and _is_name_token(vocab, around.p1)
    prev_name_and = p1 in ("and", "or", "&", "nor") and _is_name_token(vocab, around.p2)
    next_comma_name = n1 == "," and _is_name_token(vocab, n2)
    next_and_name = n1_word in ("and", "or", "&") and _is_name_token(vocab, n2)
    caps_pair = _surname_comma_first(vocab, words, kinds, around)
    if _CODE_TAIL.match(around.n1):
        return  # the prefix of a reference ("FOI-2024-00017", "CT-2021"), not a person
    if any(thing[at:at + n]):
        return
    if n == 1:
        kind, word = kinds[0], words[0]
        if kind == Kind.ALLOWED and (prev_name_and or next_and_name) and not _thingy(word) \
                and not _is_place_context(vocab, around, p1, p2, n1_word):
            name[at] = True  # "Derrick and [NAME] were interviewed": listed with a person
            return
        if kind == Kind.ALLOWED and n1.startswith("(") and n1_word in _ANNOTATIONS \
                and title_case_word(word) and not _thingy(word) and p1 not in DETERMINERS:
            name[at] = True  # "Wellington (Year 4) has an EHCP": a note of who it is
            return
        if name[at] or kind not in MAYBE or _thingy(word):
            return
        name[at] = _single(vocab, word, kind, around, p1, p2, n1, n1_word, listed=(
            prev_name_comma or prev_name_and or next_and_name or caps_pair
            or around.listed_line
            or (next_comma_name and (not around.start or word.isupper()))))
        return
    # listed with a person ("[NAME], [NAME] and Daisy Jacobs"), or a line of its own in a
    # list of names: every word that could be one is one, unless the run names a thing
    if (around.listed_line or prev_name_and or next_and_name or prev_name_comma
            or next_comma_name) \
            and not _thingy(words[-1]) and Kind.PHRASE not in kinds \
            and not all(k == Kind.ALLOWED for k in kinds):
        first = 0 if around.listed_line or not around.start else 1
        for i in range(first, n):
            if not blocked[at + i] and kinds[i] in MAYBE | {Kind.ALLOWED, Kind.NAME,
                                                            Kind.INITIAL}:
                name[at + i] = True
    # the people of a roll or a form's person field, written in full ("Cc: Miles Seed;",
    # "Named on the claim: Hill Rose,"): title-case words that could be names, no thing
    if _label(around.p1) in ROLL_LABELS and not _thingy(words[-1]) \
            and Kind.PHRASE not in kinds and not any(blocked[at:at + n]) \
            and all(_title_case(w) and k in MAYBE | {Kind.NAME} and _key(w) not in _NOT_PEOPLE
                    for w, k in zip(words, kinds, strict=True)):
        for i in range(n):
            name[at + i] = True
    if p1 in DETERMINERS or around.p1.endswith(("'s", "’s")):
        return
    # a first word capitalised only because a sentence starts there ("Met", "Client") is
    # not part of the name after it
    all_caps = all(_POSSESSIVE.sub("", w).isupper() for w in words if len(w) > 1)
    # (a word in capitals is not capitalised because a sentence starts: "DANCY Peregrine")
    s = 1 if around.start and kinds[0] not in (Kind.NAME, Kind.CAPS_UNKNOWN, Kind.SHORT_CAPS) \
        and not all_caps else 0
    if around.start and kinds[0] in (Kind.WORD, Kind.STOP) and (
            _key(words[0]) in NOTE_VERBS or _key(words[0]) in FUNCTION_WORDS):
        name[at] = False
        blocked[at] = True
    # a function word capitalised mid-sentence in front of a name ("about My [NAME]")
    if not around.start and kinds[0] == Kind.STOP and words[0] != "I" and name[at + 1] \
            and words[0][:1].isupper():
        name[at] = True
    # a sentence written in capitals ("MY SON [NAME] WAS DETAINED"): its English words are
    # words; a run in capitals inside a sentence in lower case is a name ("how MARIA CARDINAL")
    shouted = all_caps and (Kind.STOP in kinds or not around.mixed)
    # a word in capitals or an English word before a number is a code or a version
    # ("ISO 8601", "Windows 10"), not a name
    coded = n1[:1].isdigit() and kinds[-1] in (Kind.CAPS_UNKNOWN, Kind.WORD)
    cands = [i for i in range(s, n - 1 if coded else n)
             if kinds[i] in MAYBE | {Kind.ALLOWED, Kind.NAME, Kind.INITIAL}
             and not (shouted and kinds[i] == Kind.WORD)]
    if len(cands) >= 2 and not _thingy(words[-1]) \
            and (lower_around or around.mixed or not all_caps):
        joined = [kinds[i] for i in cands]
        placey = all(k in (Kind.ALLOWED, Kind.PLACE_NAME) for k in joined) and (
            all(k == Kind.ALLOWED for k in joined)
            or _is_place_context(vocab, around, p1, p2, n1_word))
        if all_caps:
            ok = any(k in (Kind.CAPS_UNKNOWN, Kind.SHORT_CAPS, Kind.NAME, Kind.PLACE_NAME,
                           Kind.AMBIGUOUS) for k in joined) and not placey
        else:
            # an English word next to an allowed one is a heading or a thing ("in
            # Manchester Budget line"): a name needs a word that could be one
            ok = any(k not in (Kind.ALLOWED, Kind.WORD, Kind.INITIAL) for k in joined) \
                and not placey \
                or (not around.start and all(k == Kind.WORD for k in joined)
                    and p1 in PERSON_PREVS)
        if ok and _adjacent(cands) and not any(
                k == Kind.PLACEHOLDER for k in kinds[cands[0]:cands[-1]]):
            for i in cands:
                name[at + i] = True
    # in a text written all in capitals (a heading, "RE: SAMPADA SURYAVANSHI - REVIEW"),
    # two words side by side that no list knows and English does not have are a name:
    # an acronym that reads as a word ("NATO", "OFSTED") seldom stands next to another
    if all_caps and not around.mixed:
        unknown = [kinds[i] == Kind.CAPS_UNKNOWN and len(_key(words[i])) >= 4
                   and not thing[at + i] for i in range(n)]
        for i in range(n - 1):
            if unknown[i] and unknown[i + 1]:
                name[at + i] = name[at + i + 1] = True
    # words in capitals inside a sentence written in lower case are a name even when
    # English has them ("about how MARIA CARDINAL was", "made for FANG FANG."), unless
    # one is an acronym or an allowed term ("the NHS ENGLAND budget" has a determiner)
    if all_caps and around.mixed and not around.start and _LOWER_TOKEN.fullmatch(around.p1) \
            and (_LOWER_TOKEN.fullmatch(n1) or n1 in (".", ",", ";", ")", "")) \
            and all(k in (Kind.WORD, Kind.CAPS_UNKNOWN, Kind.AMBIGUOUS, Kind.NAME,
                          Kind.SHORT_CAPS) for k in kinds):
        for i in range(n):
            name[at + i] = True
    # "To Madrigal:" at the head of a letter: the addressee
    if around.start and _key(words[0]) in ("to", "attn", "for") and n1 in (":", ",") \
            and not _thingy(words[-1]) and Kind.PHRASE not in kinds \
            and not any(k == Kind.STOP or _key(w) in COLLECTIVES
                        for w, k in zip(words[1:], kinds[1:], strict=True)):
        for i in range(1, n):
            if kinds[i] in MAYBE | {Kind.NAME, Kind.ALLOWED, Kind.INITIAL}:
                name[at + i] = True
    # "Action: Var Kamal to write to …" (the owner of an action in note form); "Til Bhati
    # (known as …)", "Mark Vandle (née …)": a person
    owner = (around.start and n1_word == "to" and _bare(n2) in ACTION_VERBS
             and not _abstract(words[-1])) or _described(around) \
        or (around.under_name and _bare(n1) in _AUX | SPEECH)
    known = n1.startswith("(") and (n1_word in ("known", "née", "nee", "aka")
                                    or n1_word in _ANNOTATIONS)
    if (owner or known) and not _thingy(words[-1]) and Kind.PHRASE not in kinds \
            and not all(k == Kind.ALLOWED for k in kinds) \
            and not any(_key(w) in _NOT_PEOPLE | _ROLE_NOUNS | PERSON_NOUNS for w in words):
        for i in range(n):
            if not blocked[at + i] and kinds[i] in MAYBE | {Kind.NAME, Kind.ALLOWED}:
                name[at + i] = True
    if n1_word in SPEECH and kinds[-1] in MAYBE | {Kind.ALLOWED} and not _thingy(words[-1]):
        name[at + n - 1] = True
    if n > 1 and n1_word in _AUX and name[at + n - 2] and not thing[at + n - 1] \
            and _key(words[-1]) not in _NOT_A_NAME:
        name[at + n - 1] = True  # "Aoife Via was detained"
    if caps_pair:
        name[at + n - 1] = True
    # "SURNAME First" inside a sentence written in mixed case ("a grievance about STONE
    # Bramble in", "my constituent MEADOW Crow has"): the family name in capitals, as
    # registers write it, then a given name; an acronym is short or has no vowel, and
    # a thing ends in its head word ("ADASS Conference")
    # (also first after a label, before a comma or in a person field: "Re: FIELD Rose,
    # DOB …", "Detained person: POOL Sand.")
    labelled = around.start and bool(_label(around.p1)) and (
        n1 == "," or _label(around.p1) in ROLL_LABELS)
    if n == 2 and around.mixed and (not around.start or labelled) and _all_caps(words[0]) \
            and len(_key(words[0])) >= 4 and _title_case(words[1]) \
            and kinds[0] in MAYBE | {Kind.NAME} and kinds[1] in MAYBE | {Kind.NAME} \
            and not _thingy(words[1]) and not any(blocked[at:at + n]) \
            and _key(words[1]) not in _NOT_PEOPLE:
        name[at] = name[at + 1] = True


def _single(vocab: Vocabulary, word: str, kind: str, around: Around, p1: str, p2: str,
            n1: str, n1_word: str, *, listed: bool) -> bool:
    """One capitalised word that may be a name: is it one here?"""
    if listed and (kind != Kind.WORD or not around.start or word.isupper()):
        return True
    key = _key(word)
    # (not a role that opens a note: "Caller asked about …", "Patient said")
    if n1_word in SPEECH and kind != Kind.CAPS_UNKNOWN and not around.p1.endswith("'s") \
            and not (around.start and key in COLLECTIVES | FUNCTION_WORDS | _ROLE_NOUNS
                     | PERSON_NOUNS):
        return True
    plain = key not in _NOT_PEOPLE
    # who someone is or how old ("Storm Crow, who gave evidence", "Hart, 84, fall at
    # home"); the other half of a name broken across a line, then its verb
    if (_described(around) or around.under_name and n1_word in _AUX | SPEECH) and plain \
            and title_case_word(word) and key not in _ROLE_NOUNS and key not in PERSON_NOUNS \
            and p1 not in DETERMINERS:
        return True
    # a word and a note of who the person is, in brackets ("Rose (chair)", "Bond
    # (nights)", "Wellington (Year 4)", "Hart (aged 9)")
    if n1.startswith("(") and n1_word in _ANNOTATIONS and plain and title_case_word(word) \
            and key not in _ROLE_NOUNS and key not in PERSON_NOUNS:
        return True
    # the first of a roll ("Present: Inga, [NAME]", "Apologies: Nine", "Next of kin: Hogan")
    if _label(around.p1) in ROLL_LABELS and plain:
        return True
    # a role, a comma, the person ("the receptionist, Gan, was rude")
    if _appositive(around) and plain and (n1 in (",", ".", ";", "") or n1_word in _AUX
                                          or n1_word in SPEECH):
        return True
    # the other half of a name broken across a line ("Interviewee: [NAME]\nShaw.")
    if around.under_name and plain and n1 in (",", ".") and not word.isupper():
        return True
    title_case = word[:1].isupper() and not word.isupper()
    # the owner of an action in note form ("Dicky to send the agreement")
    if around.start and n1_word == "to" and _bare(around.n2) in ACTION_VERBS and plain \
            and key not in _ROLE_NOUNS and key not in PERSON_NOUNS and not _abstract(word):
        return True
    # "the Kits family", "the Lynn family say": a family is named after a person
    if p1 == "the" and n1_word in _FAMILY and title_case and key not in _FAMILY_ADJECTIVES:
        return True
    # what only a person has, after a possessive ("Mollie's parents", "Warrington's phone")
    if _POSSESSIVE.search(word) and n1_word in _PERSONAL_POSSESSIONS and title_case \
            and p1 not in DETERMINERS and plain:
        return True
    if key in CALENDAR or key in FESTIVALS:
        return False  # "on 28 April", "June 2024": a date unless a person word says so
    if kind == Kind.WORD and p1 in ("of", "for", "&", "and") and RUN_END in around.p2 \
            and PLACEHOLDER not in around.p2:
        return False  # the tail of a title or a thing's name ("Date of Birth")
    if around.start:
        # an allowed term before a plural noun is a thing's or a place's ("Visa
        # applications", "Bury residents"); a person's name comes before a verb
        if kind == Kind.PLACE_NAME and _key(word) in vocab.allowed and _LOWER_TOKEN.fullmatch(n1) \
                and n1.endswith(("ions", "ents", "ers", "ants", "ities", "ances", "ences")):
            return False
        # a place that may be a name, first in a sentence: a person unless a place
        # is plainly meant ("Dalton, Cumbria", "Dalton is a town")
        # (but "Kamal was placed in temporary accommodation": a person's participle)
        personal = n1_word in ("is", "was") and _bare(around.n2) in PERSON_PARTICIPLES
        if personal and kind in (Kind.WORD, Kind.AMBIGUOUS) and plain \
                and key not in _ROLE_NOUNS and key not in PERSON_NOUNS and not word.isupper():
            return True  # "Amrita was excluded for five days"
        return kind == Kind.PLACE_NAME and not (
            n1 == "," or n1_word in ("is", "was") and not personal
            or _is_place_context(vocab, around, p1, p2, n1_word))
    if kind == Kind.PLACE_NAME:
        return not _is_place_context(vocab, around, p1, p2, n1_word)
    if _key(word) in vocab.lexicon.minor_places and _is_place_context(
            vocab, around, p1, p2, n1_word):
        return False
    title_case = word[:1].isupper() and not (word.isupper() and len(word) > 1)
    if kind in (Kind.WORD, Kind.AMBIGUOUS) and title_case:
        if p1 in DETERMINERS or around.p1.endswith(("'s", "’s")) or p1 in ("per", "no"):
            return False
        if kind == Kind.WORD and p1 not in PERSON_PREVS and not _mid_sentence(around, word):
            return False  # "(…) Passports issued", "Budget: Line 4": run-on text, headings
        return not (n1[:1].isdigit() or (n1_word in ("of", "for") and kind == Kind.WORD))
    return False


_LOWER_TOKEN = re.compile(r"[^\W\d_A-Z]+")
#: Words a roll, a role or a broken line does not make a person ("Present: All",
#: "Cc: Legal", "the officer, Monday,").
_NOT_PEOPLE = FUNCTION_WORDS | COLLECTIVES | CALENDAR | FESTIVALS | ENUMERATORS | ROLES \
    | NOTE_VERBS | ORG_HEADS | PLACE_HEADS | EVENT_HEADS | frozenset({"none", "nil", "n/a"})
_ROLE_NOUNS = frozenset(fold(w) for w in ROLE_NOUNS) | FOLDED_RELATIONS | ROLES


#: Nouns after "the <Name>" that make it a family's name, and the adjectives that do not.
_FAMILY = frozenset({"family", "families", "household", "twins"})
_FAMILY_ADJECTIVES = frozenset({"royal", "whole", "extended", "foster", "host", "immediate",
                                "nuclear", "wider", "entire", "adoptive", "birth", "same",
                                "other", "first", "second", "new", "local", "blended"})
#: What only a person has, after a possessive ("Mollie's parents", "Warrington's phone").
_PERSONAL_POSSESSIONS = FOLDED_RELATIONS | frozenset({
    "parents", "family", "children", "kids", "phone", "mobile", "partner", "carer", "carers",
    "solicitor", "teacher", "behaviour", "injuries", "medication", "birthday", "funeral",
    "wife", "husband", "mum", "dad", "siblings", "grandmother", "grandfather", "doctor",
    "gp", "diagnosis", "pregnancy", "baby", "girlfriend", "boyfriend", "ex",
    # what a party to a case has ("Begum's account of the meeting", "Hart's evidence")
    "account", "evidence", "statement", "recollection", "testimony", "grievance",
})


#: What a note in brackets after a person says they are: a relation or a role
#: ("(brother)", "(chair)", "(HR)" is not one), an age, a school year, a shift.
_ANNOTATIONS = (FOLDED_RELATIONS | frozenset(fold(w) for w in ROLE_NOUNS) | frozenset({
    "aged", "age", "dob", "year", "yr", "nights", "days", "lates", "earlies", "deceased",
    "minor", "adult", "mum", "dad", "nok",
})) - frozenset({"head", "holder", "owner", "keeper", "principal", "member", "resident"})
#: Endings of English abstract nouns and of verb forms that start a note before "to"
#: ("Failure to attend", "Decision to review", "Continue to monitor"), which a
#: person's name seldom has ("Clement": only past four letters before "-ment").
_ABSTRACT = re.compile(r"(?:tion|sion|.{4}ment|ness|ure|ance|ility|ency|ised|ized|ued|ue)$")


def title_case_word(word: str) -> bool:
    """Capitalised, not in capitals ("Rose", not "ROSE" nor "rose")."""
    return word[:1].isupper() and not word.isupper()


_AGE = re.compile(r"\d{1,3}[,;.]")


def _described(around: Around) -> bool:
    """The run is followed by who it is or how old: "…, who", "… who", "…, 84,", "…, 6;",
    "…, director of …"."""
    if RUN_START in around.n2 or RUN_END in around.n1:
        return False
    if around.n1 == ",":
        return _bare(around.n2) in ("who", *_ANNOTATIONS) and around.n2.islower() \
            or bool(_AGE.fullmatch(around.n2))
    return around.n1 == "who"


def _abstract(word: str) -> bool:
    """An English word whose ending makes it an abstract noun or a verb form."""
    key = _key(word)
    return len(key) > 5 and bool(_ABSTRACT.search(key))


def _label(token: str) -> str:
    """A context token that is a label ("Present:", "kin:"), lower case; "" if none."""
    t = token.replace(RUN_END, "").replace(RUN_START, "")
    return t[:-1].lower() if t.endswith(":") and len(t) > 2 else ""


def _appositive(around: Around) -> bool:
    """The run stands after a role word in lower case and a comma ("the receptionist,")."""
    p1 = around.p1
    return p1.endswith(",") and RUN_END not in p1 and RUN_START not in p1 \
        and p1[:-1].islower() and fold(p1[:-1]) in _ROLE_NOUNS \
        and (_bare(around.p2) in DETERMINERS or bool(_LOWER_TOKEN.fullmatch(around.p2)))


def _mid_sentence(around: Around, word: str) -> bool:
    """A word English writes in lower case, capitalised between two lower-case words or
    before a comma or a full stop, is a proper noun ("the supervisor was Fang.", "that
    Jane sent"): a person unless it is a place ("in Reading") or numbers a thing."""
    p1, n1 = around.p1, around.n1
    return bool(_LOWER_TOKEN.fullmatch(p1)) and p1 not in LOCATIVE and p1 not in ("of", "for") \
        and (bool(_LOWER_TOKEN.fullmatch(n1)) or n1 in (".", ",", ";", ")")) \
        and _key(word) not in ENUMERATORS | CALENDAR | COLLECTIVES | ROLES | ORG_HEADS


def _surname_comma_first(vocab: Vocabulary, words: list[str], kinds: list[str],
                         around: Around) -> bool:
    """The run is one half of "SURNAME, First" ("WONG, Summer", "BAI, Fang")."""
    word = words[-1] if around.n1 == "," else words[0]
    if around.n1 == ",":  # this is the surname in capitals, a capitalised word follows
        nxt = around.n2.split(RUN_START)[-1].strip(",.;:?!") if RUN_START in around.n2 else ""
        return word.isupper() and len(word) > 1 and kinds[-1] in MAYBE | {Kind.NAME} \
            and bool(nxt) and nxt[:1].isupper() and not nxt.isupper() \
            and vocab.kind(nxt) in MAYBE | {Kind.NAME, Kind.ALLOWED} and not _thingy(nxt)
    if around.p1.endswith(",") and RUN_END in around.p1 and len(words) == 1:
        parts = around.p1.split(RUN_END)[0].split()
        prev = parts[-1] if parts else ""
        return prev.isupper() and len(prev) > 1 and vocab.kind(prev) in MAYBE | {Kind.NAME} \
            and word[:1].isupper() and not word.isupper() and not _thingy(word)
    return False


def _adjacent(idx: list[int]) -> bool:
    """The candidate words follow one another (joiners and particles may sit between)."""
    return all(b - a <= 2 for a, b in zip(idx, idx[1:], strict=False))


def _is_place_context(vocab: Vocabulary, around: Around, p1: str, p2: str, n1: str) -> bool:
    """A place that may be a name stands where a place does."""
    if p1 in LOCATIVE or p1 in DETERMINERS and p1 not in ("his", "her", "my", "their", "our",
                                                          "your"):
        return True
    if p1 == "of" and p2 in PLACE_OF:
        return True
    if p1 in ("and", "or", "&", "to") and _is_place_token(vocab, around.p2):
        return True
    if around.p1.endswith(",") and (_is_place_token(vocab, around.p1) or _ends_address(
            around.p1)):
        return True  # "Leeds, Bury and …", "Milton Avenue, Bury, during"
    if (n1 in ("and", "or", "&", ",", "to") or around.n1 == ",") and RUN_START in around.n2:
        nxt = around.n2.split(RUN_START)[-1].strip(",.;:")
        if nxt and vocab.kind(nxt) in (Kind.ALLOWED, Kind.PHRASE):
            return True
    if p1 == "to" and p2 in MOTION:
        return True
    if p1 == "for" and p2 in _SEAT_HOLDERS:
        return True  # "the Member for Hexham", "MP for Bolton West": a constituency
    return p1 == "from" and (n1 == "to" or p2 in MOTION)


#: Who holds a seat "for" a place.
_SEAT_HOLDERS = frozenset({"member", "members", "mp", "mps", "msp", "ms", "mla", "candidate",
                           "councillor", "cllr", "constituency", "seat"})


def _ends_address(token: str) -> bool:
    """The token ends a run whose last word is a street's or a place's head ("Avenue,")."""
    if RUN_END not in token:
        return False
    parts = token.split(RUN_END)[0].split()
    return bool(parts) and _key(parts[-1]) in PLACE_HEADS


def render(words: list[str], seps: list[str], name: list[bool]) -> str:
    """The run with each maximal stretch of name words replaced by one ``[NAME]``."""
    out: list[str] = []
    i = 0
    while i < len(words):
        if name[i]:
            j = i
            while j + 1 < len(words) and name[j + 1]:
                j += 1
            possessive = _POSSESSIVE.search(words[j]) and len(words[j]) > 3
            out.append(PLACEHOLDER + (words[j][-2:] if possessive else ""))
            i = j + 1
        else:
            out.append(words[i])
            i += 1
        if i < len(words):
            out.append(seps[i - 1] if not name[i - 1] or not name[i] else " ")
    return "".join(out)
