"""Free-text scrubbing against the corpus: every planted variant goes, clean text stays.

The corpus is also run through the *verification* detectors, which share no
code with the scrubber: they must see every planted value in the input and
nothing in the scrubbed output or in clean text.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.redaction.scrub import Scrubber, luhn_ok, name_tokens, scrub_names_from
from pipelines.redaction.verify import find_personal_data
from pipelines.spec.redaction import Placeholder

CORPUS = json.loads((Path(__file__).parents[1] / "fixtures" / "redaction" / "corpus.json")
                    .read_text(encoding="utf-8"))
PLANTED = CORPUS["planted"]
CLEAN = CORPUS["clean"]


@pytest.fixture(scope="module")
def scrubbed_planted() -> list[str]:
    """Scrub the whole planted corpus as one column (the production path)."""
    s = Scrubber()
    return s.scrub_series(pd.Series([c["text"] for c in PLANTED], dtype="string")).tolist()


@pytest.mark.parametrize("i", range(len(PLANTED)), ids=[c["type"] for c in PLANTED])
def test_planted_value_is_replaced_by_its_placeholder(i: int, scrubbed_planted: list[str]):
    case = PLANTED[i]
    out = scrubbed_planted[i]
    assert case["secret"].lower() not in out.lower()
    assert f"[{case['type']}]" in out


@pytest.mark.parametrize("text", CLEAN)
def test_clean_text_survives_unchanged(text: str):
    assert Scrubber().scrub_text(text) == text


def test_clean_column_is_unchanged_and_counts_nothing():
    s = Scrubber()
    col = pd.Series(CLEAN + [None], dtype="string")
    out = s.scrub_series(col)
    assert out.iloc[:-1].tolist() == CLEAN
    assert pd.isna(out.iloc[-1])
    assert sum(s.counts.values()) == 0


def test_counts_are_per_type_and_value_free():
    s = Scrubber()
    s.scrub_series(pd.Series([c["text"] for c in PLANTED], dtype="string"))
    expected: dict[str, int] = {}
    for c in PLANTED:
        for kind in [c["type"], *c.get("also", [])]:  # "also": other types in the same text
            expected[kind] = expected.get(kind, 0) + 1
    assert dict(s.counts) == expected


def test_only_the_chosen_types_are_scrubbed():
    s = Scrubber([Placeholder.EMAIL])
    text = "mail a@example.com or call 07700 900123"
    assert s.scrub_text(text) == "mail [EMAIL] or call 07700 900123"


def test_surrounding_text_is_preserved():
    text = "Call 020 7946 0958, or email x@example.org; postcode SW1A 1AA."
    assert Scrubber().scrub_text(text) == "Call [PHONE], or email [EMAIL]; postcode [POSTCODE]."


@pytest.mark.parametrize("i", range(len(PLANTED)), ids=[c["type"] for c in PLANTED])
def test_independent_detector_sees_planted_and_not_scrubbed(i: int, scrubbed_planted: list[str]):
    case = PLANTED[i]
    assert case["type"] in find_personal_data(case["text"])
    assert find_personal_data(scrubbed_planted[i]) == []


@pytest.mark.parametrize("text", CLEAN)
def test_independent_detector_is_quiet_on_clean_text(text: str):
    assert find_personal_data(text) == []


def test_luhn():
    assert luhn_ok("4111111111111111")
    assert luhn_ok("378282246310005")
    assert not luhn_ok("4111111111111112")


@pytest.mark.parametrize("case", CORPUS["names_from"], ids=lambda c: c["text"][:20])
def test_names_from_other_fields(case: dict):
    texts = pd.Series([case["text"], "nothing personal here", None], dtype="string")
    names = pd.Series([case["name"], case["name"], case["name"]], dtype="string")
    out, changed = scrub_names_from(texts, [names])
    for secret in case["secrets"]:
        assert secret.lower() not in out.iloc[0].lower()
    assert "[NAME]" in out.iloc[0]
    assert out.iloc[1] == "nothing personal here"
    assert pd.isna(out.iloc[2])
    assert changed == 1


def test_names_from_matches_whole_words_only():
    out, changed = scrub_names_from(pd.Series(["Annabel met Ann at Annex B"], dtype="string"),
                                    [pd.Series(["Ann Lee"], dtype="string")])
    assert out.iloc[0] == "Annabel met [NAME] at Annex B"
    assert changed == 1


def test_honorific_name_stops_before_a_question_word():
    out = Scrubber().scrub_text("on behalf of Mrs Patel How many visas were granted?")
    assert out == "on behalf of Mrs [NAME] How many visas were granted?"
    assert Scrubber().scrub_text("Dear Mrs Jane Smith,") == "Dear Mrs [NAME],"


def test_name_tokens_longest_first_without_honorifics():
    assert name_tokens("Mrs Jane Smith") == ["jane smith", "smith", "jane"]


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_planted_values_inside_clean_text_are_scrubbed_and_the_rest_kept(data):
    """Property: clean text + planted value + clean text → clean parts intact, value gone."""
    before = data.draw(st.sampled_from(CLEAN))
    after = data.draw(st.sampled_from(CLEAN))
    case = data.draw(st.sampled_from(PLANTED))
    # A name after an honorific may have two words ("Mrs Jane Smith"), so a
    # capitalised word run straight on after a surname, with no punctuation,
    # is read as part of the name: over-redaction is the safe side there.
    # Names are therefore planted at a clause boundary; other types anywhere.
    seps = ["\n", " - ", "; "] if case["type"] == "NAME" else [" ", "\n", " - ", "; "]
    sep = data.draw(st.sampled_from(seps))
    text = f"{before}{sep}{case['text']}{sep}{after}"
    out = Scrubber().scrub_text(text)
    assert case["secret"].lower() not in out.lower()
    assert out.startswith(before) and out.endswith(after)
