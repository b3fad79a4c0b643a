"""Rules of session 13: who a person is, noted in brackets or in note form, and the
capitalised words of clinical and parliamentary text that are no one (acronyms in the
plural, medicines, constituencies, roles that open a note, abstract nouns before "to").

Planted names are held out and English words (the seventh corpus's list of them), so
no gazetteer knows them and only the context can say they are people.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.names import corpus_seventh
from pipelines.redaction.holdout import held_out
from pipelines.redaction.lexicon import load as load_lexicon
from pipelines.redaction.name_rules import Kind, Vocabulary
from pipelines.redaction.name_words import (
    EVENT_HEADS,
    FOLDED_HONORIFICS,
    ORG_HEADS,
    ORG_LEADS,
    PLACE_HEADS,
    SITE_HEADS,
    THING_LEADS,
)
from pipelines.redaction.scrub import Scrubber

THINGS = ORG_HEADS | ORG_LEADS | PLACE_HEADS | SITE_HEADS | EVENT_HEADS | THING_LEADS


def _english_word_names() -> list[str]:
    lex = load_lexicon()
    return sorted(n for n in corpus_seventh.ENGLISH_WORDS
                  if held_out(n) and n.lower() in lex.ordinary and n.lower() not in lex.allowed
                  and n.lower() not in FOLDED_HONORIFICS  # "Bishop": a title first
                  # "Church", "Field", "Storm": a thing's head or lead word (a building, a storm)
                  and n.lower() not in THINGS
                  and n.lower() not in ("page", "will", "may", "major", "long", "little"))


WORDS = _english_word_names()
_ONCE = Scrubber()


def _scrub(texts: list[str]) -> list[str]:
    return _ONCE.scrub_series(pd.Series(texts, dtype="string")).tolist()


def _survives(token: str, text: str) -> bool:
    return re.search(rf"(?<![^\W_]){re.escape(token)}(?![^\W_])", text) is not None


def test_the_planted_names_are_held_out_english_words():
    assert len(WORDS) >= 15
    assert all(held_out(w) for w in WORDS)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(WORDS),
       note=st.sampled_from(["chair", "nights", "Year 4", "aged 9", "patient", "brother",
                             "caller", "mum"]))
def test_a_note_in_brackets_says_the_word_before_is_a_person(name, note):
    out = _scrub([f"Panel: Dr Okafor, {name} ({note}), and the minutes clerk."])[0]
    assert not _survives(name, out)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(WORDS), verb=st.sampled_from(["keep", "lead", "monitor", "refer"]))
def test_the_owner_of_an_action_in_note_form_is_a_person(name, verb):
    out = _scrub([f"Outcome: {name} to {verb} the support plan."])[0]
    assert not _survives(name, out)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(WORDS),
       relation=st.sampled_from(["Co-defendant", "co-accused", "caller", "her siblings"]))
def test_plural_and_co_relations_introduce_people(name, relation):
    out = _scrub([f"Notes: {relation} {name} did not attend on Monday."])[0]
    assert not _survives(name, out)


@pytest.mark.parametrize("text", [
    "Bed 6: for discharge, awaiting TTOs. Bed 7: NBM from midnight.",
    "Liberty protection safeguards replace DoLS under the Mental Capacity Act 2005.",
    "Known Crohn's disease. Takes Sertraline and Apixaban.",
    "Referred with Bell's palsy; started on Ramipril 5 mg once daily.",
    "The Member for Hexham asked about school transport.",
    "Caller asked about the opening hours and was signposted.",
    "Patient said the pain was worse at night.",
    "Failure to attend the hearing was noted.",
    "Decision to review was made in March.",
    "Continue to monitor weekly.",
    "Bolton (Head Office) will reply.",
    "Housing (lead agency) to review.",
])
def test_no_one_is_named(text):
    assert _scrub([text])[0] == text


def test_the_word_shapes_behind_the_rules():
    vocab = Vocabulary.build()
    assert vocab.kind("GPs") == vocab.kind("DoLS") == Kind.ACRONYM
    assert vocab.kind("McKAY") != Kind.ACRONYM  # a name's prefix, then capitals
    assert vocab.kind("Sertraline") == vocab.kind("Apixaban") == Kind.WORD
    assert vocab.kind("Josephine") != Kind.WORD  # no medicine's ending in a name


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=st.sampled_from(WORDS), last=st.sampled_from(WORDS),
       form=st.sampled_from(["The claimant was line managed by {n}, who gave evidence.",
                             "Bed 4: {n}, 84, fall at home.",
                             "He met {n} who was there."]))
def test_who_someone_is_or_how_old_says_a_person(first, last, form):
    out = _scrub([form.format(n=f"{first} {last}")])[0]
    assert not _survives(first, out) and not _survives(last, out)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=st.sampled_from(WORDS), last=st.sampled_from(WORDS),
       form=st.sampled_from(["My constituent {F} {l} has waited a year.",
                             "The claimant raised a grievance about {F} {l} in writing.",
                             "He helps {F} {l} with the food bank."]))
def test_surname_in_capitals_then_a_given_name_inside_a_sentence(first, last, form):
    out = _scrub([form.format(F=last.upper(), l=first)])[0]
    assert not _survives(last.upper(), out) and not _survives(first, out)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=st.sampled_from(WORDS), last=st.sampled_from(WORDS))
def test_form_fields_and_the_line_above_an_address_are_people(first, last):
    out = _scrub([f"Surname: {last.upper()}\nForename(s): {first}",
                  f"Our ref: 1234\n{first} {last}\n14 Acacia Avenue\nBolton",
                  f"Child: {first}, aged 6."])
    assert not _survives(last.upper(), out[0]) and not _survives(first, out[0])
    assert not _survives(first, out[1]) and not _survives(last, out[1])
    assert not _survives(first, out[2])


@pytest.mark.parametrize("text", [
    "We contacted Early Help, who said no.",
    "Legal Services, who replied on Monday.",
    "We watched ITV News at six.",
    "The URGENT Referral was sent.",
    "Please read the ACTION Plan today.",
    "Housing Options\n14 Acacia Avenue\nBolton",
    "Bolton Council\n14 Acacia Avenue",
    "Subject: Housing repairs\nCc: Legal Services",
])
def test_no_one_is_named_here_either(text):
    out = _scrub([text])[0]
    assert "[NAME]" not in out


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=st.sampled_from(WORDS), last=st.sampled_from(WORDS),
       noun=st.sampled_from(["account", "evidence", "statement"]))
def test_a_label_then_surname_first_and_what_a_party_has(first, last, noun):
    out = _scrub([f"Re: {last.upper()} {first}, DOB withheld",
                  f"{last}'s {noun} of the meeting was consistent with the notes."])
    assert not _survives(last.upper(), out[0]) and not _survives(first, out[0])
    assert not _survives(last, out[1])


def test_a_label_then_a_heading_in_capitals_and_a_body_s_account_stay():
    assert _scrub(["Re: ACTION Plan", "The Council's account was clear."]) == [
        "Re: ACTION Plan", "The Council's account was clear."]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(a=st.sampled_from(WORDS), b=st.sampled_from(WORDS), c=st.sampled_from(WORDS))
def test_ages_in_a_list_a_judge_a_spelling_and_a_person_field(a, b, c):
    out = _scrub([f"Children: Okafor, 9; {a}, 6; {b}, 2.",
                  f"Employment Judge {c} adjourned the hearing.",
                  f"Spelling variant Okafor also recorded (also spelt {a}).",
                  f"Detained person: {b.upper()} {c}. Arresting officer PC Okafor.",
                  f"{a} {b}, director of Sunrise Kitchens, was interviewed."])
    assert not _survives(a, out[0]) and not _survives(b, out[0])
    assert not _survives(c, out[1])
    assert not _survives(a, out[2])
    assert not _survives(b.upper(), out[3]) and not _survives(c, out[3])
    assert not _survives(a, out[4]) and not _survives(b, out[4])


@pytest.mark.parametrize("text", [
    "Dear Sir Madam, please find the report attached.",
    "Bolton, 6 miles away, has a new depot.",
    "We met in Leeds, who else would host it?",
    "The Ministry of Justice replied on Monday.",
])
def test_titles_places_and_bodies_stay(text):
    assert _scrub([text])[0] == text
