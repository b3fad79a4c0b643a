"""The verifier's rules of session 13: what the structure of a text says about a word.

Each rule is tested both ways: the person it finds and the ordinary text it must
let through (a false alarm makes a statistician add ``allow_terms``). The names
used are English words or places on purpose: that is where the earlier rules
read a name as a word.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipelines.redaction import ner, verify_names


def _flagged(texts: list[str], allow: list[str] | None = None) -> set[int]:
    found = verify_names.scan_column(pd.Series(texts, dtype="string"), allow or [])
    return {row for row, _ in found}


@pytest.mark.parametrize("text", [
    "Children: [NAME], 9; [NAME], 6; Field, 2.",              # an item of a list of people
    "Named on the claim: [NAME], [NAME], Stone.",
    "Dependants:\n- [NAME]\n- Heather\n- Strong",              # bullets, one per line
    "Dependants:\n- Brook Hardy\n- [NAME]\n- [NAME]",
])
def test_an_item_listed_with_replaced_names_is_a_person(text):
    assert _flagged([text]) == {0}


@pytest.mark.parametrize("text", [
    "Present: [NAME], [NAME], the Clerk",                    # a determiner: a role
    "Present: [NAME], Housing Officer, Chair.",              # posts
    "Offices in [NAME], [NAME] and York.",                   # not every item a name's shape
    "Agenda:\n- Minutes\n- [NAME]\n- Any Other Business",     # a heading's words
])
def test_a_list_of_roles_or_things_beside_names_is_not(text):
    assert _flagged([text]) == set()


@pytest.mark.parametrize("text", [
    "Detained person: ROSE Tree. Arresting officer [NAME].",   # family name first
    "The exploiter, STONE Hope, took her passport in Bucharest.",
    "Judge Tree adjourned the hearing.",                       # an office as a title
    "Sponsor licence holder Rose of Kings Road Care Ltd employs [NAME].",  # a role, then
    "can someone call tree back, she rang twice",              # lower case: called back
    "lucky's appeal is listed for the 14th",                   # a possessive, no article
])
def test_names_that_are_words_where_structure_says_person(text):
    assert _flagged([text]) == {0}


@pytest.mark.parametrize("text", [
    "FINAL Notice was sent in March.",                      # emphasis, then a word
    "NHS England will reply by Friday.",                    # an acronym
    "URGENT Please call the office.",
    "the council's appeal is listed for the 14th",          # a possessive after an article
    "can someone call them back",
    "Agreed to call back Tues with bank statements.",        # a verb opens the note
    "Summary: two debts. Referred to the money advice team.",
    "Mon - shelter on Hope Street smashed again. Reported on FixMyStreet.",  # camel case
    "The toilets in the Wedgwood Gallery were out of order.",  # a venue named after someone
    "I refer the hon. [NAME] to the answer given on 3 February.",  # an honorific
    "Removed from class. [NAME] called, no answer.",         # "called" as a verb
    "Cc: Detention Engagement Team; Removals Casework",      # a team
    "Officer: Please confirm your address.\nInterpreter: He says he lives in Dover.",
    "Data from the Labour Force Survey for Watton and Northolt is published in May.",
    "The report compares Risca and Basildon with Bukhara and Pontianak.",
])
def test_ordinary_text_the_structure_explains(text):
    assert _flagged([text]) == set()


def test_a_list_of_places_explains_nothing_after_a_relation():
    assert _flagged(["Her son Preston and Kendal came to the office."]) == {0}
    assert _flagged(["Officer: Do you know Hood Pool?\nApplicant: Yes, she lived next door."]) \
        == {0}


def test_regular_verb_forms_are_english():
    english = verify_names._english()
    for word in ("referred", "cancelled", "stopping", "admitted"):
        assert verify_names._english_word(word, english), word
    assert verify_names._past_tense("agreed", english)
    assert verify_names._past_tense("referred", english)
    for name in ("ahmed", "saeed", "reed", "fred", "mohammed"):
        assert not verify_names._past_tense(name, english), name


def _judged(explain: ner.Explainer, text: str, span: str) -> bool:
    start = text.index(span)
    return explain(explain.mask([text])[0], start, start + len(span))


def test_explainer_reads_nouns_coordinated_and_towns_of_addresses_and_place_lists():
    explain = ner.Explainer()
    assert _judged(explain, "Joy and relief were reported by families.", "Joy")
    assert _judged(explain, "Green and amber cases are reviewed weekly.", "Green")
    assert not _judged(explain, "Joy and her mother were seen.", "Joy")   # a person's kin
    assert not _judged(explain, "Joy and colleagues attended.", "Joy")
    assert _judged(explain, "Staff moved to Stephenson Way, Otley, in May.", "Otley")
    assert not _judged(explain, "Staff moved to Stephenson Way, Okonkwo, in May.", "Okonkwo")
    assert _judged(explain, "The report compares Leicester and Sheffield with Katsuta.",
                   "Katsuta") is False  # "with" alone lists nothing
    assert _judged(explain, "The report compares Portsmouth and Irthlingborough with "
                   "Ichinomiya and Bengaluru.", "Ichinomiya")
    assert _judged(explain, "seized 7 kg of cannabis at the port.", "cannabis")


def test_the_finding_names_row_and_field_never_the_word():
    from types import SimpleNamespace

    from pipelines.redaction.verify import _name_problems

    values = ["The bins were late.", "Children: [NAME], 9; Field, 2; [NAME], 6."]
    found = verify_names.scan_column(pd.Series(values, dtype="string"), [])
    assert [row for row, _ in found] == [1]
    problems = _name_problems(dict(found), np.array([0, 1]),
                              SimpleNamespace(id="households"), "notes")
    assert [(p.location.row, p.location.field) for p in problems] == [(2, "notes")]
    assert "Field" not in problems[0].message


def test_explainer_reads_a_subject_line_as_a_title_not_a_name_written_there():
    explain = ner.Explainer()
    text = "Cc: Removals Casework\nSubject: RE: Risk Assessment - Hanoi"
    assert _judged(explain, text, "Risk Assessment - Hanoi")
    assert _judged(explain, "From: Team\nSubject: Re: NEXT STEPS", "NEXT STEPS")
    assert _judged(explain, "Subject: Re: Vulnerability Factors", "Vulnerability Factors")
    # nothing inflected, or a word English lacks: a name, even of English words
    assert not _judged(explain, "Subject: Re: Hope Stone", "Hope Stone")
    assert not _judged(explain, "Subject: Re: Grace Hill", "Grace Hill")
    assert not _judged(explain, "Subject: Okonkwo complaint", "Okonkwo")
    # the same words outside a subject line are judged as ever
    assert not _judged(explain, "I met Hope Stone on Friday.", "Hope Stone")


@pytest.mark.parametrize("text", [
    "Patient awaiting TTOs from pharmacy.",                   # a plural acronym
    "Dr [NAME] to replace the DoLS form.",                    # a mixed-case acronym
    "Known Parkinson disease. Takes Ramipril and Apixaban daily.",  # medicines (INN stems)
    "Plan: Whipple procedure next week.",                     # a procedure named after someone
    "On arrival; Waterlow score 14.",                          # a scale
    "We wrote to HM Courts and Tribunals Service.",            # a Crown body
])
def test_clinical_and_crown_words_are_explained(text):
    assert _flagged([text]) == set()


def test_a_name_beside_a_medicine_or_an_acronym_is_still_found():
    assert _flagged(["Takes Christine to school on Tuesdays."]) == {0}
    assert _flagged(["Her son Jo Okonkwo takes Ramipril."]) == {0}
    assert not verify_names._acronym("Jo") and not verify_names._acronym("Ed")
    assert not verify_names._medicine("christine") and not verify_names._medicine("pamela")


def test_explainer_reads_days_medicines_and_a_note_opening_with_a_verb():
    explain = ner.Explainer()
    assert _judged(explain, "Clinic on Tuesdays and Fridays.", "Tuesdays")
    assert _judged(explain, "Started on Lansoprazole.", "Lansoprazole")
    assert _judged(explain, "Transferred to ward 4 at noon.", "Transferred")
    assert not _judged(explain, "Okonkwo transferred to ward 4.", "Okonkwo")
