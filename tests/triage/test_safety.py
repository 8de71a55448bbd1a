"""The crisis check: every category caught in messages the model never saw in training,
and hard negatives left alone. These read the held-out test split in intents/crisis/test."""

from __future__ import annotations

import pytest

from frontdoor.settings import PROJECT_ROOT
from frontdoor.triage.data import load_crisis_examples
from frontdoor.triage.safety import CATEGORIES, NO_CRISIS, rule_categories

# English: the Welsh held-out messages have their own test (test_welsh_triage.py).
HELD_OUT = [e for e in load_crisis_examples(PROJECT_ROOT / "intents", "test") if e.language == "en"]


@pytest.mark.parametrize("text", ["my battery's dead", "this heat is killing me",
                                  "I'd kill for a cuppa", "dying for a brew",
                                  "my back is killing me after gardening",
                                  "need help cutting the hedge", "gas bill too high",
                                  "my dad had a stroke last year and i'm his carer now",
                                  "the seagulls attacked my chips lol",
                                  "any clubs for older men round here",
                                  "i volunteer at the women's refuge, can i get leaflets"])
def test_the_named_hard_negatives_are_not_flagged(triage, text):
    assert triage.safety_check(text) is None


@pytest.mark.parametrize("text,category", [
    ("i want to kill myself", "suicide_self_harm"),
    ("i can\u2019t go on anymore", "suicide_self_harm"),       # curly apostrophe
    ("thinking of sucide", "suicide_self_harm"),                # misspelt
    ("he hits me when hes drunk", "domestic_abuse"),
    ("someones trying to break in", "danger"),
    ("mum collapsed and isnt breathing", "medical"),
    ("kids next door left home alone again all weekend", "safeguarding_other"),
    ("ive had enough of living", "suicide_self_harm"),
    ("whats the least painful way to go", "suicide_self_harm"),
    ("someone poured petrol through the letterbox", "danger"),
    ("my nan’s gone a funny colour", "medical"),
    ("my husband has had a heart attack and now hes in pain", "medical"),
    ("both lads chasing me", "danger"),
    ("the kids next door have black eyes", "safeguarding_other"),
])
def test_rules_catch_direct_phrasings_misspellings_and_curly_apostrophes(text, category):
    assert rule_categories(text)[0] == category


@pytest.mark.parametrize("text", [
    "I wont be around next week for the appointment", "she'll find me a food bank",
    "my kitchen bills have gone up", "the ceiling has gone a funny colour with damp",
    "I nearly fainted when I saw the gas bill", "my little one is always hungry",
    "my son is being kept in after school", "the catalogue and the bailiffs are chasing me",
])
def test_rules_leave_everyday_messages_with_crisis_words_alone(text):
    assert rule_categories(text) == []


def test_a_bare_digit_is_never_a_crisis(triage):
    for digit in "0123456789":
        assert triage.safety_check(digit) is None


@pytest.mark.parametrize("category", CATEGORIES)
def test_each_crisis_category_is_detected_in_held_out_messages(triage, category):
    texts = [e.text for e in HELD_OUT if e.label == category]
    assert len(texts) >= 20
    missed = [t for t in texts if triage.safety_check(t) is None]
    assert missed == []


def test_held_out_hard_negatives_are_at_most_5_percent_flagged(triage):
    texts = [e.text for e in HELD_OUT if e.label == NO_CRISIS]
    flagged = [t for t in texts if triage.safety_check(t) is not None]
    assert len(flagged) / len(texts) <= 0.05, flagged
