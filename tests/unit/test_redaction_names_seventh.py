"""The seventh (Home Office-style, frozen) evaluation corpus is what its docstring says."""

from __future__ import annotations

import re

import pytest

from benchmarks.names import corpus_seventh, evaluate
from pipelines.redaction.holdout import held_out


def test_frozen_file_holds_the_seeded_corpus():
    data = corpus_seventh.frozen.load(corpus_seventh.FROZEN)
    assert data["seed"] == corpus_seventh.SEED
    assert "faker" in data["sources"]
    assert len(corpus_seventh.planted()) == 2400
    assert len(corpus_seventh.clean()) == 1200


def test_every_planted_token_is_held_out_and_in_its_text():
    records = corpus_seventh.planted()
    assert {r.style for r in records} == set(corpus_seventh.STYLES)
    for rec in records:
        assert rec.tokens
        for token, origin, form in rec.tokens:
            assert held_out(token), "a planted name must be unknown to every detector"
            assert re.search(rf"(?<![^\W_]){re.escape(token)}(?![^\W_])", rec.text)
            assert origin in corpus_seventh.ORIGINS and form


def test_clean_text_names_nobody():
    people = {t.lower() for r in corpus_seventh.planted() for t, o, _ in r.tokens
              if o != "english word"}
    for text in corpus_seventh.clean():
        assert not people & set(re.findall(r"[^\W\d_]+", text.lower()))


def test_ukrainian_is_romanised_by_the_passport_table_not_the_detectors():
    assert corpus_seventh.romanise_uk("Григорій") == "Hryhorii"
    assert corpus_seventh.romanise_uk("Юлія") == "Yuliia"
    assert corpus_seventh.romanise_uk("Їжак") == "Yizhak"
    assert corpus_seventh.romanise_uk("Згурський") == "Zghurskyi"


def test_the_evaluation_keeps_the_sixth_blind_and_refuses_unknown_corpora():
    assert evaluate.CORPORA["sixth"][1] and not evaluate.CORPORA["seventh"][1]
    with pytest.raises(SystemExit):
        evaluate.main(["--corpora", "seventh,ninth"])
