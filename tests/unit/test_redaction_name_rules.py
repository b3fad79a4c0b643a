"""The scrubber's general rules, one behaviour each, on invented names.

The names here are made up (no list holds them), so each case shows what the
scrubber does with a name it has never seen; the clean cases show the words
it must leave.
"""

from __future__ import annotations

import pytest

from pipelines.redaction.scrub import Scrubber


@pytest.fixture(scope="module")
def scrub():
    return Scrubber().scrub_text


@pytest.mark.parametrize(("text", "expected"), [
    # an English compound with its tail in lower case is no double-barrelled name
    ("Match-day parking is restricted.", "Match-day parking is restricted."),
    ("Drop-in sessions run on Fridays.", "Drop-in sessions run on Fridays."),
    ("Ostravel-Kimbury was late again.", "[NAME] was late again."),
    # weekdays in the plural are dates, not people
    ("Clinics meet on Mondays and Thursdays.", "Clinics meet on Mondays and Thursdays."),
    # a heading in capitals: two unknown words side by side are a name
    ("RE: ZORVADINE KULPRETSOVA - REVIEW OF DECISION", "RE: [NAME] - REVIEW OF DECISION"),
    ("RE: OFSTED INSPECTION REPORT", "RE: OFSTED INSPECTION REPORT"),
])
def test_rule(scrub, text: str, expected: str):
    assert scrub(text) == expected
