"""Scrubbing corrections before export: phone numbers, postcodes, emails and names go;
everyday words stay, so the line is still worth training on. And what a correction must say."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from frontdoor.corrections import NotACorrection, Scrubber, correct, known_words
from frontdoor.models import Coordinator, Direction, Message
from frontdoor.rota import Hours
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


# -- what a correction must say ----------------------------------------------------------------

@pytest.mark.parametrize("direction,need,crisis,refused", [
    (Direction.OUT, "food", None, "Only a resident's message can be corrected."),
    (Direction.IN, "pizza", None, "Choose one of the needs."),
    (Direction.IN, None, "bad_day", "Choose a kind of crisis, or not a crisis."),
    (Direction.IN, "", "", "Choose the need, or whether it is a crisis, or both."),
    (Direction.IN, None, None, "Choose the need, or whether it is a crisis, or both."),
])
def test_a_correction_needs_a_residents_message_and_a_known_need_or_crisis(
        direction, need, crisis, refused):
    # Refused before anything is recorded: the message and the coordinator are never stored.
    message = Message(direction=direction, body="need food")
    with pytest.raises(NotACorrection, match=re.escape(refused)):
        correct(message, Coordinator(role="coordinator"), datetime(2026, 11, 24, tzinfo=UTC),
                Hours(), need=need, crisis=crisis)
