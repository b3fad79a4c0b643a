"""Street addresses in free text: a house number and street become [ADDRESS] in the
scrubber, and the verifier (its own pattern) blocks one the scrubber left."""

from __future__ import annotations

import pytest

from pipelines.redaction.scrub import Scrubber
from pipelines.redaction.verify import find_personal_data
from pipelines.spec.redaction import Placeholder

ADDRESSES = ["28 Acacia Avenue", "7 St. John's Road", "Flat 3, 12B Mill Lane", "14 MILL LANE",
             "51 Heol y Coed", "4 Ffordd Las", "9-11 Victoria Terrace", "3 Wiśniewski Close",
             "102 Ó Briain Gardens"]
NOT_ADDRESSES = ["paid 3 times on the road", "Section 8 of the Act applies",
                 "The 2 Home Office teams met", "in 2024 Station Road was closed",
                 "over 25 St Albans residents", "a £25 Park Lane voucher",
                 "12 rue de la Paix", "3 heol y coed"]


@pytest.mark.parametrize("address", ADDRESSES)
def test_an_address_is_replaced_and_the_verifier_sees_it(address):
    text = f"The caller's neighbour at {address} was warned on Monday."
    scrubbed = Scrubber([Placeholder.ADDRESS]).scrub_text(text)
    assert scrubbed == "The caller's neighbour at [ADDRESS] was warned on Monday."
    assert "ADDRESS" in find_personal_data(text)
    assert "ADDRESS" not in find_personal_data(scrubbed)


@pytest.mark.parametrize("text", NOT_ADDRESSES)
def test_numbers_and_streets_that_are_no_address_stay(text):
    assert Scrubber([Placeholder.ADDRESS]).scrub_text(text) == text
    assert "ADDRESS" not in find_personal_data(text)


def test_every_type_by_default_includes_addresses_and_counts_them():
    scrubber = Scrubber()
    out = scrubber.scrub_text("Reporter says the group gathers outside 5 Church Street.")
    assert out == "Reporter says the group gathers outside [ADDRESS]."
    assert scrubber.counts["ADDRESS"] == 1
