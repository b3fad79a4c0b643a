"""The verifier's statistical second opinion: seeded training sentences, the model's
cache key, what the model's spans need to be explained, and what the gate blocks."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import spacy

from benchmarks.names import ner_experiment
from pipelines.errors import FivestarError
from pipelines.redaction import ner, ner_data, verify_names
from pipelines.redaction.holdout import held_out
from pipelines.redaction.verify import _model_findings, _name_problems


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
    before = ner.model_dir()
    assert before.name.startswith("ner-") and before.parent.name == "fivestar"
    monkeypatch.setattr(ner, "TRAINING_VERSION", ner.TRAINING_VERSION + 1)
    assert ner.model_dir() != before
    assert ner.model_dir().parent == before.parent


def test_a_users_code_list_or_allow_list_never_retrains_the_model(tmp_path, monkeypatch):
    """The key (so the model) follows the frozen snapshot only: a statistician's new
    code list explains spans at run time, it does not move the model's readings."""
    from pipelines import paths

    before = ner.model_dir()
    vocab = tmp_path / "vocabularies"
    vocab.mkdir()
    (vocab / "new-list.ttl").write_text(
        '@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n'
        '<urn:x:a> a skos:Concept ; skos:prefLabel "Quarrendon Depot" .\n')
    monkeypatch.setattr(paths, "VOCABULARIES_DIR", vocab)
    assert ner.model_dir() == before
    assert ner_data._things()["code"] == tuple(
        json.loads(ner_data.SNAPSHOT.read_text(encoding="utf-8"))["code"])


def test_a_gate_fails_closed_rather_than_train_a_missing_model(tmp_path, monkeypatch):
    from pipelines import paths

    monkeypatch.setattr(paths, "CACHE_DIR", tmp_path)
    monkeypatch.setattr(ner, "train", _never_trains)
    ner.model.cache_clear()
    try:
        with pytest.raises(FivestarError) as err:
            ner.flagged(["I spoke to Mrs Okonkwo on Monday."])
    finally:
        ner.model.cache_clear()
    assert err.value.problems[0].code == "ner-model-missing"
    assert "make setup" in str(err.value) and "Okonkwo" not in str(err.value)
    assert not any(tmp_path.iterdir())


def test_the_name_like_words_are_asked_again_when_the_verifiers_lists_change(
        tmp_path, monkeypatch):
    """The cached answer is keyed by the words asked about, not only the model: a
    head word added to the verifier later is looked up among the training names."""
    from pipelines import paths

    monkeypatch.setattr(paths, "CACHE_DIR", tmp_path)
    monkeypatch.setattr(ner_data, "names", lambda: ner_data.Names(("Hall", "Zorvan"), ("House",)))
    monkeypatch.setattr(verify_names, "_HEADS", frozenset({"hall", "house", "depot"}))
    ner.name_like_words.cache_clear()
    try:
        assert ner.name_like_words() == {"hall", "house"} | (ner._NOT_NAMES & {"zorvan"})
        monkeypatch.setattr(verify_names, "_HEADS",
                            frozenset({"hall", "house", "depot", "zorvan"}))
        ner.name_like_words.cache_clear()
        assert "zorvan" in ner.name_like_words()
    finally:
        ner.name_like_words.cache_clear()
    assert len(list((tmp_path / "fivestar").glob("*-name-like-*.json"))) == 2


def _never_trains(*_args, **_kwargs):
    raise AssertionError("a gate trained the model")


def test_a_small_model_trains_deterministically_without_pickle(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    ner.train(first, n=300, epochs=1)
    ner.train(second, n=300, epochs=1)
    assert not [p for p in first.rglob("*") if p.suffix in (".pkl", ".pickle")]
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files and all((first / f).read_bytes() == (second / f).read_bytes()
                         for f in files)
    nlp = spacy.load(first)
    texts = ["Dear Mrs Okonkwo, thank you.", "[NAME] rang about [EMAIL] on Monday."]
    spans = ner.persons(texts, nlp)
    assert len(spans) == 2
    for text, sp in zip(texts, spans, strict=True):
        for a, b in sp:
            assert 0 <= a < b <= len(text)
            assert text[a:b] not in ner.PLACEHOLDERS


def _judged(explain: ner.Explainer, text: str, span: str) -> bool:
    start = text.index(span)
    return explain(explain.mask([text])[0], start, start + len(span))


def test_explainer_takes_out_allowed_terms_and_placeholders():
    allow = ner.Explainer("allow", ["Quarrendon Depot", "Yelvertoft"])
    text = ("The Reception desk at the Home Office told Zorvathi about Quarrendon Depot; "
            "THAMES VALLEY POLICE came, o'[NAME] too, and Yelvertoft.")
    for span in ("Reception", "Home Office", "Quarrendon", "Quarrendon Depot",
                 "THAMES VALLEY POLICE", "o'[NAME", "Yelvertoft"):
        assert _judged(allow, text, span), span
    for span in ("Zorvathi", "Office told Zorvathi"):
        assert not _judged(allow, text, span), span
    # a multi-word term explains its words only where it is written whole
    assert not _judged(allow, "Quarrendon rang twice.", "Quarrendon")
    assert not _judged(ner.Explainer("allow"), text, "Quarrendon Depot")


def test_explainer_reads_lower_case_english_and_context_places():
    allow, context = ner.Explainer("allow"), ner.Explainer("context")
    assert _judged(allow, "spoke to [NAME] re delays at the depot", "re delays")
    assert _judged(allow, "my client Mr [NAME] (born [DATE_OF_BIRTH], NINO [NINO])",
                   "born [DATE_OF_BIRTH]")
    assert not _judged(allow, "spoke to zorvathi about the bins", "zorvathi")
    assert not _judged(allow, "Re Delays", "Re Delays")  # capitals: no longer chat
    text = "The van went from Mevagissey to Zorvathi."
    assert not _judged(allow, text, "Mevagissey") and _judged(context, text, "Mevagissey")
    assert not _judged(context, text, "Zorvathi")


def test_explainer_reads_things_roles_and_addresses_but_not_people_so_named():
    allow = ner.Explainer("allow")
    for text, span in (("Counsel's fees - [NAME], March", "Counsel"),
                       ("Helped by Addenbrooke's Hospital in 2019.", "Addenbrooke"),
                       ("Staff from [NAME] School visited.", "School"),
                       ("Staff moved to [NAME] Road, Thame, in July.", "Road, Thame"),
                       ("Talks during Hogmanay at the hall.", "during Hogmanay"),
                       ("my client Mrs [NAME] (born [DATE_OF_BIRTH])", "Mrs [NAME]"),
                       ("Moved from Wellington House to the annexe.", "Wellington House")):
        assert _judged(allow, text, span), span
    for text, span in (("Interview with John Hall about the grievance.", "John Hall"),
                       ("Interview with Will Cross about the grievance.", "Will Cross"),
                       ("SMITH, Zorvathi asked again.", "SMITH, Zorvathi")):
        assert not _judged(allow, text, span), span


def test_explainer_reads_a_verb_in_the_span_and_eponymous_conditions():
    """Spans the model widened over a verb, and conditions named after a person, blocked
    an unseen casework log ("Appeal lodged") and the corpora's clean text."""
    allow = ner.Explainer("allow")
    for text, span in (("Appeal lodged at the Leeds hearing centre.", "Appeal lodged"),
                       ("Visa applications rose by 4 per cent.", "Visa applications"),
                       ("Support for people with Tourette's syndrome.", "Tourette"),
                       ("Living with Hodgkin lymphoma.", "Hodgkin")):
        assert _judged(allow, text, span), span
    for text, span in (("Asks about the EU Settlement Scheme.", "Asks"),
                       ("Noted. Wants an update on the case.", "Wants")):
        assert _judged(allow, text, span), span  # a verb opens the note
    for text, span in (("Ioana Popescu yesterday said no.", "Ioana Popescu yesterday"),
                       ("Rose said no.", "Rose"), ("Zorvathi about the visa.", "Zorvathi"),
                       ("Mr Vardoe lodged it.", "Vardoe lodged")):
        assert not _judged(allow, text, span), span


def test_unexplained_spans_are_replaced_and_the_rest_kept():
    text = "Call from Zorvathi at Reception."
    left = ner.unexplained([text], [[(10, 18), (22, 31)]], ner.Explainer("allow"))
    assert left == [[(10, 18)]]
    assert ner_experiment.replace_spans(text, left[0]) == "Call from [NAME] at Reception."


def test_flagged_keeps_the_first_unexplained_span_of_each_text():
    texts = ["Dear Mrs Okonkwo, thank you for your letter.", None, "",
             "[NAME] rang about [EMAIL] on Monday.", "12 34"]
    found = ner.flagged(texts)
    assert found == {0: "Okonkwo"}
    assert ner.flagged(texts, ["Okonkwo"]) == {}
    # a text in capitals is read in lower case: no word is a name for its capitals
    assert ner.flagged(["RE: DELAY ON MY WIFE'S VISA. MY WIFE [NAME] APPLIED IN MARCH."]) == {}


def test_the_gate_blocks_on_the_model_with_row_and_field_only():
    # names of English words the rule scan lets through, in phrases the model reads
    values = ["The bins were late again.", "Interview with Will Cross about the grievance.",
              "Contact Daisy Field on the number held on file."]
    rules = verify_names.scan_column(pd.Series(values, dtype="string"), [])
    assert rules == []
    found = _model_findings(pa.array(values), set(), [])
    assert found == [(1, ner.FINDING), (2, ner.FINDING)]
    assert _model_findings(pa.array(values), {1}, ["Daisy Field"]) == []
    problems = _name_problems(dict(found), np.array([0, 1, 2, 1]),
                                     SimpleNamespace(id="complaints"), "summary")
    assert [(p.location.row, p.location.field) for p in problems] == [
        (2, "summary"), (3, "summary"), (4, "summary")]
    assert not [p for p in problems for v in values[1:] for w in v.split()
                if len(w) > 3 and w in p.message]


def test_a_text_is_read_on_its_own_so_its_verdict_is_kept():
    """The model reads each text as it reads it alone, whatever its batch holds, so a
    verdict kept from an earlier frame is the verdict the text would get again."""
    from benchmarks.names import corpus_fourth

    texts = [p.text for p in corpus_fourth.planted()[:150]] + corpus_fourth.clean()[:150]
    together = ner.persons(texts)
    assert sum(1 for spans in together if spans) > 50
    assert [ner.persons([t])[0] for t in texts[::7]] == together[::7]
    assert ner.persons(texts[::-1])[::-1] == together

    ner._seen.clear()
    ner._read.clear()
    fresh = ner.flagged(texts)
    again = ner.flagged([None, *texts[::-1], *texts])  # every verdict kept from the first
    n = len(texts)
    assert fresh and {n - i: s for i, s in fresh.items()} | {n + 1 + i: s for i, s in
                                                          fresh.items()} == again
    ner._seen.clear()
    assert ner.flagged(texts, ["Harbour Street"]) == ner.flagged(texts, ["Harbour Street"])


def test_the_model_is_not_asked_about_headings_or_conditions_alone():
    explain = ner.Explainer()
    text = "Summary of Findings\nThe panel found no fault with the Tourette's meet."
    masked = explain.mask([text])[0]
    assert len(masked) == len(text)
    for span in ("Findings", "Tourette"):
        start = text.index(span)
        assert explain(masked, start, start + len(span))
    assert not _judged(explain, "Mrs Parkinson's complaint was upheld.", "Parkinson")


def test_a_hyphenated_place_is_looked_up_whole():
    explain = ner.Explainer()
    assert _judged(explain, "Route: Leeds to Weston-super-Mare via York.", "Weston-super-Mare")
    assert _judged(explain, "A request about Timor-Leste was answered.", "Timor-Leste")
    assert not _judged(explain, "I spoke to Zorva-Quillet about it.", "Zorva-Quillet")


def test_a_number_is_read_by_its_first_digit_and_length_and_judged_as_written(monkeypatch):
    """Texts that differ only in the rest of their numbers are one reading; each keeps its length
    (so the spans' offsets), its letters and its verdict as if read on its own."""
    from benchmarks.names import corpus_fourth, corpus_other

    assert ner.read_as("Ref 2023/0417: call 07700 900123 (٣٤ times, 7 days)") == \
        "Ref 2000/0000: call 00000 900000 (٣0 times, 7 days)"
    texts = [p.text for p in corpus_fourth.planted()[:120]] + corpus_fourth.clean()[:120] \
        + [p.text for p in corpus_other.planted()[:120]]
    with_digits = [t for t in texts if any(c.isdigit() for c in t)]
    assert len(with_digits) > 30
    for t in with_digits:
        r = ner.read_as(t)
        assert len(r) == len(t) and [c for c in r if not c.isdigit()] == [
            c for c in t if not c.isdigit()]

    # the verdicts are those of the explainer on each text's own reading
    ner._seen.clear()
    ner._read.clear()
    found = ner.flagged(texts)
    explain = ner.Explainer("allow")
    chosen = [ner._as_written(t) for t in texts]
    left = ner.unexplained(chosen, ner.persons([ner.read_as(t) for t in chosen]), explain)
    assert found == {i: chosen[i][sp[0][0]:sp[0][1]] for i, sp in enumerate(left) if sp}
    assert any(i for i in found if any(c.isdigit() for c in texts[i]))

    # one reading for texts that differ only in digits; each judged as written
    ner._seen.clear()
    ner._read.clear()
    variants = [f"Tomasz Wróblewski rang on {d} May about case {d}{d}7."
                for d in range(10, 20)] + ["How many of the 3669 staff worked in 2023?",
                                           "How many of the 3412 staff worked in 2019?",
                                           "How many of the 412 staff worked in 2019?"]
    calls = []
    real = ner.persons
    monkeypatch.setattr(ner, "persons",
                        lambda todo, nlp=None: calls.append(list(todo)) or real(todo, nlp))
    out = ner.flagged(variants)
    assert [len(c) for c in calls] == [3]
    assert out == {i: "Tomasz Wróblewski" for i in range(10)}


def test_the_model_reads_on_numpys_blas_as_it_reads_on_blis():
    """The gate's model runs its matrix products on numpy's BLAS, one thread (less CPU);
    its spans are those of thinc's default ops (blis) on the same texts."""
    from benchmarks.names import corpus_fifth

    nlp = ner.model()
    assert not nlp.get_pipe("ner").model.ops.use_blis
    on_blis = spacy.load(ner.model_dir())
    assert on_blis.get_pipe("ner").model.ops.use_blis
    texts = [p.text for p in corpus_fifth.planted()[:150]] + corpus_fifth.clean()[:100]
    spans = ner.persons(texts)
    assert sum(1 for s in spans if s) > 30
    assert spans == ner.persons(texts, on_blis)
