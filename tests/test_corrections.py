"""Scrubbing corrections before export: phone numbers, postcodes, emails and names go;
everyday words stay, so the line is still worth training on."""

from __future__ import annotations

import pytest

from frontdoor.corrections import Scrubber, known_words
from frontdoor.settings import PROJECT_ROOT


@pytest.fixture(scope="module")
def scrub() -> Scrubber:
    return Scrubber(known_words(PROJECT_ROOT / "intents"), frozenset({"sam", "patel"}))


@pytest.mark.parametrize("text, scrubbed", [
    ("ring me on 07700 900456 please", "ring me on [phone] please"),
    ("call +44 7700 900 456 after 5", "call [phone] after 5"),
    ("my number is 01332 293111", "my number is [phone]"),
    # Any long number could be someone's phone number: it goes too.
    ("ref 12345678 on the letter", "ref [phone] on the letter"),
    ("my mobile is 7700 900 456", "my mobile is [phone]"),
    ("email jo.bloggs@example.com", "email [email]"),
])
def test_numbers_and_emails_are_replaced(scrub, text, scrubbed):
    assert scrub(text) == scrubbed


@pytest.mark.parametrize("text, scrubbed", [
    ("need food DE23 8AB", "need food [postcode]"),
    ("i live at de238ab", "i live at [postcode]"),
    ("de23-8ab please", "[postcode] please"),
    ("anything in DE23 8", "anything in [postcode]"),
    ("im in de23 near the park", "im in [postcode] near the park"),
])
def test_postcodes_in_any_form_are_replaced(scrub, text, scrubbed):
    assert scrub(text) == scrubbed


@pytest.mark.parametrize("text, scrubbed", [
    ("My name is Jo Bloggs and I need help", "My name is [name] [name] and I need help"),
    ("my son jack is 5", "my son [name] is 5"),
    ("Mrs Okonkwo next door is struggling", "Mrs [name] next door is struggling"),
    ("saw Doreen at the lunch club", "saw [name] at the lunch club"),
    ("thanks Sam that was great", "thanks [name] that was great"),
    ("can i talk to sam patel", "can i talk to [name] [name]"),
])
def test_names_are_replaced(scrub, text, scrubbed):
    assert scrub(text) == scrubbed


@pytest.mark.parametrize("text", [
    "my son is 5 and needs a school uniform",
    "can you call me back",
    "need a food bank in normanton",
    "I live in Derby and need help with my gas bill",
])
def test_everyday_words_stay(scrub, text):
    assert scrub(text) == text
