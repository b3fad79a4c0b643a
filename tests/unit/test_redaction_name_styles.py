"""Name styles of Home Office-like text (session 12): held-out names in custody logs in
capitals, after bare initials, as speakers in transcripts, in chat written in lower case.

Names are drawn from the seventh corpus's held-out lists, without the ones that are
English words or allowed terms (those need a person context, tested by example), so
each test asks what a rule promises for names no list holds.
"""

from __future__ import annotations

import re

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.names import corpus_seventh
from pipelines.redaction.holdout import fold, held_out
from pipelines.redaction.lexicon import load as load_lexicon
from pipelines.redaction.scrub import Scrubber


def _unknown_names() -> tuple[list[str], list[str]]:
    lex = load_lexicon()
    lists = corpus_seventh._lists()

    def keep(name: str) -> bool:
        return all(held_out(p) and len(fold(p)) >= 4 and fold(p) not in lex.ordinary
                   and fold(p) not in lex.allowed and fold(p) not in lex.minor_places
                   for p in name.split("-"))
    first = sorted({n for o, v in lists.items() if o != "english word" for n in v["first"]
                    if keep(n)})
    last = sorted({n for o, v in lists.items() if o != "english word" for n in v["last"]
                   if keep(n)})
    return first, last


FIRST, LAST = _unknown_names()


def _scrub(texts: list[str]) -> list[str]:
    return Scrubber().scrub_series(pd.Series(texts, dtype="string")).tolist()


def _survives(token: str, text: str) -> bool:
    return re.search(rf"(?<![^\W_]){re.escape(token)}(?![^\W_])", text) is not None


def test_the_planted_names_are_held_out_and_unknown():
    lex = load_lexicon()
    assert len(FIRST) > 50 and len(LAST) > 50
    for name in FIRST + LAST:
        assert held_out(name) and fold(name) not in lex.first_names | lex.surnames


CAPS_LOGS = [
    "02:40 DP REQUESTED SOLICITOR. {n} FROM DUTY SCHEME CONTACTED.",
    "INTEL: {n} SEEN IN COMPANY OF {m} NEAR DOVER DOCKS.",
    "SUBJECT {n} ARRESTED AT HEATHROW TERMINAL 4 UNDER THE IMMIGRATION ACT 1971.",
    "{n} WITH {m} AT THE HOTEL IN CROYDON.",
]


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.tuples(st.sampled_from(CAPS_LOGS), st.sampled_from(FIRST),
                               st.sampled_from(LAST), st.sampled_from(FIRST),
                               st.sampled_from(LAST)), min_size=6, max_size=6))
def test_names_in_a_log_written_in_capitals_go_whatever_follows_them(rows):
    """A function word in a run in capitals breaks it as lower case would: a thing after
    it ("DUTY SCHEME", "DOVER DOCKS") no longer hides the name before it."""
    planted = [(t.format(n=f"{a} {b}".upper(), m=f"{c} {d}".upper()),
                [a, b] + ([c, d] if "{m}" in t else [])) for t, a, b, c, d in rows]
    out = _scrub([text for text, _ in planted])
    for (text, tokens), scrubbed in zip(planted, out, strict=True):
        for part in (p.upper() for token in tokens for p in token.split("-")):
            assert not _survives(part, scrubbed), (text, scrubbed)


def test_a_log_in_capitals_keeps_its_things_and_words():
    texts = ["NO FURTHER ACTION. FILE CLOSED 3 MAY.",
             "SUBJECT DETAINED AT DOVER UNDER THE IMMIGRATION ACT 1971.",
             "CASE REFERRED TO THE HOME OFFICE FROM KENT POLICE.",
             "BOOKED IN AT 02:14. DUTY SOLICITOR FROM THE DUTY SCHEME INFORMED."]
    assert _scrub(texts) == texts


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.tuples(st.sampled_from(["{i} {s}, director of Sunrise Kitchens, "
                                                "was interviewed.",
                                                "Alias: {s} {i} (cousin)",
                                                "Appropriate adult {s} {i} attended 09:15."]),
                               st.sampled_from("BCDFGHJKLMNPRSTW"), st.sampled_from(LAST)),
                     min_size=6, max_size=6))
def test_a_bare_initial_and_a_surname_are_a_name(rows):
    texts = [t.format(i=i, s=s) for t, i, s in rows]
    for (_, _, s), out in zip(rows, _scrub(texts), strict=True):
        assert all(not _survives(p, out) for p in s.split("-")), out


def test_a_letter_that_numbers_a_thing_is_no_initial():
    texts = ["Held on B Wing since Plan B failed; Vitamin D given.",
             "Category A prisoners; see Annex C for A Level results."]
    assert _scrub(texts) == texts


def test_speakers_in_a_transcript_are_people_even_when_english_has_the_word():
    texts = ["Officer: What is your full name?\nSeed: My name is given below.",
             "Glen: I was taken to the camp.\nOfficer: When was this?",
             "Q: Who travelled with you?\nHardy: My sister."]
    for speaker, out in zip(("Seed", "Glen", "Hardy"), _scrub(texts), strict=True):
        assert not _survives(speaker, out) and "[NAME]:" in out, out


def test_labels_of_a_form_or_a_header_are_not_speakers():
    texts = ["Subject: appeal bundle\nOfficer: please review\nOutcome: refused",
             "Officer: Please confirm your address.\nInterpreter: He says Croydon.",
             "Seed: planted in March\nHarvest: September"]
    assert _scrub(texts) == texts


def test_the_people_of_a_roll_or_a_person_field_go_even_when_english_has_the_words():
    texts = ["Cc: Miles Seed; Asylum Casework\nSubject: removal directions",
             "Children: Gold, 9; Storm, 6.", "Key contact: Moon, Seed, HR Manager."]
    for speaker, out in zip(("Seed", "Gold", "Moon"), _scrub(texts), strict=True):
        assert not _survives(speaker, out), out


def test_a_roll_of_teams_and_services_is_kept():
    texts = ["Present: Housing Team, Finance", "Cc: Legal Services",
             "Cc: Detention Engagement Team; Removals Casework"]
    assert _scrub(texts) == texts


def test_who_speaks_in_a_note_in_lower_case_goes_and_pronouns_and_relations_stay():
    out = _scrub(["hope says the van is late", "mum says she is fine. tree rang twice",
                  "she says ok. staff said no"])
    assert out == ["[NAME] says the van is late", "mum says she is fine. [NAME] rang twice",
                   "she says ok. staff said no"]
