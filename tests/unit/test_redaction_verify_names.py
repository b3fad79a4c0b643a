"""The verifier's own name scan (verify_names) and the scrubber fixes it was built beside.

The verifier must fail closed on a person left in text and stay quiet on
ordinary public-sector prose; each case here is one of its rules.
"""

from __future__ import annotations

import pandas as pd
import polars as pl
import pytest

from pipelines.redaction import verify_names
from pipelines.redaction.names import NameScrubber


def _flagged(texts: list[str], allow: list[str] | None = None) -> set[int]:
    found = verify_names.scan_column(pd.Series(texts, dtype="string"), allow or [])
    return {row for row, _ in found}


@pytest.mark.parametrize("text", [
    "The caseworker Bishop does not answer.",              # an English word after a role
    "I wish to complain about my brother [NAME] Born.",    # the other half of a name
    "Please tell [NAME], Zorvathi that the file is lost.",  # a word English does not have
    "This is about how QUILLAN VARDEKOS was treated.",     # capitals inside a sentence
    "Met ZENTARO, [NAME] at the centre.",                  # capitals before a placeholder
    "Kind regards, [NAME] xarbu",                          # lower case after a placeholder
    "Dear [NAME]\n\nYour hearing is listed.\n\nOrlenka\nCaseworker",  # a signature line
    "Yuki said the office was closed.",                    # a place that is also a name
])
def test_person_left_in_text_is_found(text):
    assert _flagged([text]) == {0}


@pytest.mark.parametrize("text", [
    "Funding was agreed with Harbourside Cleaning Services and Orbis Catering.",
    "How many of the staff at 2 Marsham Street worked overtime?",
    "Flights from Changzheng to London were cancelled on 28 April.",
    "The report compares Leeds and Irthlingborough with Ichinomiya.",
    "Please disclose the risk register for the Gretna site as at May 2019.",
    "Dear Mr [NAME], thank you. Reply to [EMAIL]. NINO [NINO].",
    "Approved by Mrs [NAME], Grants",
    "Widgets plc",
    "Consultancy, phase 2.",
    "THE OFFICE WAS CLOSED ON MONDAY.",
])
def test_ordinary_prose_is_not_flagged(text):
    assert _flagged([text]) == set()


def test_allowed_phrase_explains_its_words_only_together():
    text = "Cleaning at Quarrendon Depot for the trust."
    assert _flagged([text]) == {0}
    assert _flagged([text], ["Quarrendon Depot"]) == set()
    # the phrase does not make its words allowed on their own
    assert _flagged(["Her brother Quarrendon called."], ["Quarrendon Depot"]) == {0}


def test_rows_are_found_per_distinct_candidate_across_a_column():
    texts = ["Office chairs."] * 50 + ["The caseworker Bishop does not answer."] * 3
    assert _flagged(texts) == {50, 51, 52}


def _scrub(texts: list[str]) -> list[str]:
    return NameScrubber.for_terms().scrub(pl.Series(texts, dtype=pl.String)).to_list()


def test_scrubber_keeps_dates_places_titles_and_references():
    texts = ["Flights were cancelled on 3 June.",
             "The office in Southend-on-Sea closed.",
             "Date of Birth: withheld",
             "Request FOI-2024-00017 was answered.",
             "Figures: - Passports issued in 2023."]
    assert _scrub(texts) == texts


def test_scrubber_reads_a_sentence_in_capitals():
    out = _scrub(["We met. MY DAUGHTER QUILLAN NÍ VARDEKOS WAS DETAINED"])[0]
    assert "QUILLAN" not in out and "VARDEKOS" not in out
    assert "DAUGHTER" in out and "WAS DETAINED" in out
