"""The NER experiment's parts: seeded training sentences, the model's cache, what it flags."""

from __future__ import annotations

import spacy

from benchmarks.names import ner_data
from benchmarks.names import ner_experiment as ne
from pipelines.redaction.holdout import held_out


def test_training_sentences_are_seeded_and_label_only_names():
    a, b = ner_data.examples(200, seed=5), ner_data.examples(200, seed=5)
    assert a == b
    assert a != ner_data.examples(200, seed=6)
    with_people = [(t, s) for t, s in a if s]
    assert 0 < len(with_people) < len(a)  # person-free texts are there too
    for text, spans in with_people:
        for start, end in spans:
            span = text[start:end]
            assert span.strip() == span and any(c.isalpha() for c in span)
            assert "[NAME]" not in span
    assert any(t == t.lower() and s for t, s in a)  # chat in lower case, names too
    assert any(t == t.upper() and s for t, s in a)


def test_no_held_out_name_is_ever_taught():
    names = ner_data.names()
    assert len(names.first) > 10_000 and len(names.last) > 10_000
    assert not any(held_out(n) for n in names.first + names.last)


def test_cache_key_follows_the_training_settings(monkeypatch):
    before = ne.model_dir()
    monkeypatch.setattr(ne, "TRAINING_VERSION", ne.TRAINING_VERSION + 1)
    assert ne.model_dir() != before
    assert ne.model_dir().parent == before.parent


def test_a_small_model_trains_saves_without_pickle_and_reads_spans(tmp_path):
    out = tmp_path / "ner"
    ne.train(out, n=300, epochs=1)
    assert not [p for p in out.rglob("*") if p.suffix in (".pkl", ".pickle")]
    nlp = spacy.load(out)
    texts = ["Dear Mrs Okonkwo, thank you.", "[NAME] rang about [EMAIL] on Monday."]
    spans = ne.persons(texts, nlp)
    assert len(spans) == 2
    for text, sp in zip(texts, spans, strict=True):
        for a, b in sp:
            assert 0 <= a < b <= len(text)
            assert text[a:b] not in ne.PLACEHOLDERS


def test_explainer_explains_allowed_terms_places_and_lower_case_english():
    allow, context = ne.Explainer("allow"), ne.Explainer("context")
    text = "The Reception desk told Zorvathi about Truro; it was a depot."
    assert allow("Reception", text) and allow("[NAME]", text)
    assert not allow("Zorvathi", text) and not context("Zorvathi", text)
    assert context("Truro", text)
    assert context("depot", text)  # lower case in a text that writes capitals
    assert not context("depot", text.lower())  # in chat, lower case says nothing


def test_unexplained_spans_are_replaced_and_the_rest_kept():
    text = "Call from Zorvathi at Reception."
    explain = ne.Explainer("allow")
    spans = [(10, 18), (22, 31)]
    left = ne.unexplained([text], [spans], explain)
    assert left == [[(10, 18)]]
    assert ne.replace_spans(text, left[0]) == "Call from [NAME] at Reception."
