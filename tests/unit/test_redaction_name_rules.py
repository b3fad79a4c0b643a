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
    # storms, operations and ships are named like people; a relation in front still says
    # person
    ("Storm Velmarine closed the road.", "Storm Velmarine closed the road."),
    ("Operation Quindarrow ended in May.", "Operation Quindarrow ended in May."),
    ("Her daughter Storm Velmarine was excluded.", "Her daughter [NAME] was excluded."),
    ("Ms Velmarine Quodrey attended.", "Ms [NAME] attended."),
    # schools and colleges named after knights, ladies, kings and saints are things;
    # the same title before a person is still a title
    ("Staff from Sir Ostrick Vandle School visited.",
     "Staff from Sir Ostrick Vandle School visited."),
    ("closed Lady Quenvira School.", "closed Lady Quenvira School."),
    ("Staff from St Quenvira's C of E Primary visited.",
     "Staff from St Quenvira's C of E Primary visited."),
    ("Bishop Ostrick Vandle visited.", "Bishop [NAME] visited."),
    # conditions named after the person who described them
    ("The guidance on Vandle syndrome was updated.",
     "The guidance on Vandle syndrome was updated."),
    ("People living with Quodrey's disease meet here.",
     "People living with Quodrey's disease meet here."),
    ("Vandle said the guidance on Vandle syndrome was late.",
     "[NAME] said the guidance on Vandle syndrome was late."),
    # festivals are dates
    ("Extra staff will be on duty over Ramadan.", "Extra staff will be on duty over Ramadan."),
    ("Celebrations for Easter will be held.", "Celebrations for Easter will be held."),
    # a regnal number inside a school's name; a peer's title names a place
    ("Staff from King Ostrevane VI College visited.",
     "Staff from King Ostrevane VI College visited."),
    ("The licence for the Marquis of Granby was reviewed.",
     "The licence for the Marquis of Granby was reviewed."),
    # a condition written without its noun; a person's possessive has a noun after it
    ("People living with Quodrey's meet on Thursdays.",
     "People living with Quodrey's meet on Thursdays."),
    ("I went with Quodrey's mother to the office.", "I went with [NAME]'s mother to the office."),
    ("She is a friend of Quodrey's.", "She is a friend of [NAME]'s."),
    # a product's CamelCase; names with an inner capital start with a prefix or a first name
    ("Case records moved to VendraPoint in May.", "Case records moved to VendraPoint in May."),
    ("The form was signed by DeQuenvo.", "The form was signed by [NAME]."),
    ("We met MacQuenvie yesterday.", "We met [NAME] yesterday."),
    # charities, football clubs and London's termini on the shipped allow-list
    ("Referrals to Mind rose by 20% in May.", "Referrals to Mind rose by 20% in May."),
    ("Road closures are expected when Aston Villa play at home.",
     "Road closures are expected when Aston Villa play at home."),
    ("Passengers changing at Paddington faced delays.",
     "Passengers changing at Paddington faced delays."),
    ("Plaid Cymru and Labour councillors both voted.",
     "Plaid Cymru and Labour councillors both voted."),
    # a role, a comma and the person; a roll's first word; a name broken across a line
    ("The receptionist, Gan, was rude to me.", "The receptionist, [NAME], was rude to me."),
    ("The premises licence holder, Vats, did not attend.",
     "The premises licence holder, [NAME], did not attend."),
    ("The officer, however, was late.", "The officer, however, was late."),
    ("Present: Nine, Quodrey Vandle, the Clerk\nApologies: none",
     "Present: [NAME], [NAME], the Clerk\nApologies: none"),
    ("Cc: Viola\nRe: council tax", "Cc: [NAME]\nRe: council tax"),
    ("Cc: Legal\nApologies: All", "Cc: Legal\nApologies: All"),
    ("Interviewee: Quodrey\nShaw. Note-taker: Vandle.",
     "Interviewee: [NAME]\n[NAME]. Note-taker: [NAME]."),
    # a person's participle after "was"; a place's is no person
    ("Kamal was placed in temporary accommodation.",
     "[NAME] was placed in temporary accommodation."),
    ("Statement: Amrita was excluded for five days.",
     "Statement: [NAME] was excluded for five days."),
    ("Dalton was flooded in March.", "Dalton was flooded in March."),
    ("Mother was upset.", "Mother was upset."),
    # an ex-partner is a relation; the owner of an action; "(known as …)"; "Dear SHE …"
    ("Ex-partner Didim has moved.", "Ex-partner [NAME] has moved."),
    ("Action: Var Kamal to write to the landowner.", "Action: [NAME] to write to the landowner."),
    ("Action: Finance to send the invoice.", "Action: Finance to send the invoice."),
    ("Landlord to repair the boiler.", "Landlord to repair the boiler."),
    ("Til Bhati (known as Quodrey) has asked.", "[NAME] (known as [NAME]) has asked."),
    ("Dear SHE DWIVEDI,\n\nThe response stands.", "Dear [NAME],\n\nThe response stands."),
    ("Dear All,", "Dear All,"),
    # a one-word owner of an action; a family named after a person; what only a person has
    ("Agreed £15 pw. Dicky to send the agreement.", "Agreed £15 pw. [NAME] to send the agreement."),
    ("Contractor booked; the Kits family to attend.",
     "Contractor booked; the [NAME] family to attend."),
    ("The Royal family visited.", "The Royal family visited."),
    ("Mollie's parents say the distance was wrong.",
     "[NAME]'s parents say the distance was wrong."),
    ("The Council's solicitor wrote.", "The Council's solicitor wrote."),
])
def test_rule(scrub, text: str, expected: str):
    assert scrub(text) == expected
