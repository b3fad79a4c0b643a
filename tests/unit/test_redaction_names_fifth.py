"""The fifth (blind, frozen) evaluation corpus is what its docstring says it is."""

from __future__ import annotations

import re

from benchmarks.names import corpus_fifth, frozen
from pipelines.redaction.holdout import held_out


def test_frozen_file_holds_the_seeded_corpus_with_its_four_sources():
    data = frozen.load(corpus_fifth.FROZEN)
    assert data["seed"] == corpus_fifth.SEED
    assert set(data["sources"]) == set(corpus_fifth.WHEELS)
    for source in data["sources"].values():
        assert re.fullmatch(r"[0-9a-f]{64}", source["sha256"])
    assert len(corpus_fifth.planted()) == 2400
    assert len(corpus_fifth.clean()) == 1200


def test_every_planted_token_is_held_out_and_in_its_text():
    records = corpus_fifth.planted()
    assert {r.style for r in records} == set(corpus_fifth.STYLES)
    for rec in records:
        assert rec.tokens
        for token, origin, form in rec.tokens:
            assert held_out(token), "a planted name must be unknown to every detector"
            assert re.search(rf"(?<![^\W_]){re.escape(token)}(?![^\W_])", rec.text)
            assert origin in corpus_fifth.ORIGINS and form


def test_romanisation_is_bgn_pcgn_not_the_detectors_table():
    assert corpus_fifth._romanise("Щукин") == "Shchukin"
    assert corpus_fifth._romanise("Евдокимов") == "Yevdokimov"
    assert corpus_fifth._romanise("Абрамов-Сергеев") == "Abramov-Sergeev"
