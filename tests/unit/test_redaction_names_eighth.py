"""The eighth (clinical, court and parliamentary, frozen) evaluation corpus is what its
docstring says."""

from __future__ import annotations

import json
import re

from benchmarks.names import corpus_eighth, evaluate
from pipelines.redaction.holdout import held_out


def test_frozen_file_holds_the_seeded_corpus():
    data = corpus_eighth.frozen.load(corpus_eighth.FROZEN)
    assert data["seed"] == corpus_eighth.SEED
    assert len(corpus_eighth.planted()) == 2400
    assert len(corpus_eighth.clean()) == 1200
    # rebuilt from its seed, the start of the corpus is the committed one
    again = json.loads(json.dumps(corpus_eighth.build(40, 20)))
    assert again == {"seed": corpus_eighth.SEED, "planted": data["planted"][:40],
                     "clean": data["clean"][:20]}


def test_every_planted_token_is_held_out_and_in_its_text():
    records = corpus_eighth.planted()
    assert {r.style for r in records} == set(corpus_eighth.STYLES)
    for rec in records:
        assert rec.tokens
        for token, origin, form in rec.tokens:
            assert held_out(token), "a planted name must be unknown to every detector"
            assert re.search(rf"(?<![^\W_]){re.escape(token)}(?![^\W_])", rec.text)
            assert origin in corpus_eighth.ORIGINS and form


def test_clean_text_names_nobody():
    people = {t.lower() for r in corpus_eighth.planted() for t, o, _ in r.tokens
              if o != "english word"}
    for text in corpus_eighth.clean():
        assert not people & set(re.findall(r"[^\W\d_]+", text.lower()))


def test_scanned_letters_are_wrapped_and_the_eighth_is_not_blind():
    letters = [r.text for r in corpus_eighth.planted() if r.style == "ocr letter"]
    assert letters and all(max(len(line) for line in t.split("\n")) <= 70 for t in letters)
    assert sum("\n" in t for t in letters) == len(letters)
    assert not evaluate.CORPORA["eighth"][1]
