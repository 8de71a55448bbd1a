"""The crisis check: every category caught in messages the model never saw in training,
and hard negatives left alone; two tiers (clear, possible) from the model, the rules and
the cues. These read the held-out test split in intents/crisis/test."""

from __future__ import annotations

import pytest

from frontdoor.settings import PROJECT_ROOT
from frontdoor.triage.data import load_crisis_examples
from frontdoor.triage.safety import (
    CATEGORIES,
    CLEAR,
    NO_CRISIS,
    POSSIBLE,
    crisis_score,
    cues,
    level_for,
    rule_categories,
)

# English: the Welsh held-out messages have their own test (test_welsh_triage.py).
HELD_OUT = [e for e in load_crisis_examples(PROJECT_ROOT / "intents", "test") if e.language == "en"]


@pytest.mark.parametrize("text", ["my battery's dead", "this heat is killing me",
                                  "I'd kill for a cuppa", "dying for a brew",
                                  "my back is killing me after gardening",
                                  "need help cutting the hedge", "gas bill too high",
                                  "my dad had a stroke last year and i'm his carer now",
                                  "the seagulls attacked my chips lol",
                                  "any clubs for older men round here",
                                  "i volunteer at the women's refuge, can i get leaflets",
                                  "I wont be around next week for the appointment",
                                  "she'll find me a food bank", "my kitchen bills have gone up",
                                  "I nearly fainted when I saw the gas bill",
                                  "my little one is always hungry",
                                  "my son is being kept in after school",
                                  "the catalogue and the bailiffs are chasing me",
                                  # issue 11: everyday messages that got a crisis reply
                                  "my phone died so i couldnt reply",
                                  "i broke my arm last month and cant do the shopping",
                                  "i'm in the west end"])
def test_the_named_hard_negatives_never_get_a_clear_crisis_reply(triage, text):
    # A rule that matches with no cue against it is at least a possible concern (a gentle
    # line under the answer, a check-in): docs/crisis-thresholds.md. Never a clear crisis.
    flag = triage.safety_check(text)
    assert flag is None or flag.level == "possible", flag


@pytest.mark.parametrize("text", ["my phone died so i couldnt reply", "i'm in the west end",
                                  "i broke my arm last month and cant do the shopping",
                                  "this heat is killing me", "dying for a brew",
                                  "my dad had a stroke last year and i'm his carer now",
                                  "not suicidal or anything just really lonely"])
def test_everyday_messages_from_the_issue_are_not_flagged_at_all(triage, text):
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
    "i want to kill myself tonight", "he hits me when hes drunk and im scared to go home",
    "someone is trying to break in to my flat right now",
    "my dad has collapsed and he cant breathe",
    "the kids next door are left home alone all night with no food",
])
def test_plain_crises_are_clear(triage, text):
    flag = triage.safety_check(text)
    assert flag is not None and flag.level == "clear", (text, flag)


@pytest.mark.parametrize("text,kinds", [
    ("i broke my arm last month", ["past"]), ("i used to self harm", ["past"]),
    ("i tried it 5 years ago", ["past"]), ("not suicidal just lonely", ["denied"]),
    ("nobody is hurting me, honest", ["denied"]), ("mum will kill me lol", ["light"]),
    ("i want to kill myself tonight", []), ("i'm not safe", []),
])
def test_cues_read_the_past_denial_and_jokes(text, kinds):
    assert cues(text) == kinds


def test_a_cue_weighs_against_a_flag_and_a_rule_for_it():
    assert crisis_score(0.1, rule=True, cue=False) > crisis_score(0.1, rule=False, cue=False)
    assert crisis_score(0.6, rule=False, cue=True) < crisis_score(0.6, rule=False, cue=False)
    assert level_for(1.0) == "clear" and level_for(0.0) is None


# The tiers' settings as the product promises them (docs/crisis-thresholds.md, third pass).
@pytest.mark.parametrize(("probability", "rule", "cue", "level"), [
    (0.0, True, False, POSSIBLE),    # a rule with no cue against it is never ignored
    (0.24, True, False, POSSIBLE),
    (0.25, True, False, CLEAR),      # a rule and a model a quarter sure: clear
    (0.39, False, False, None),      # the model alone: possible from 0.4, clear from 0.65
    (0.4, False, False, POSSIBLE),
    (0.64, False, False, POSSIBLE),
    (0.65, False, False, CLEAR),
    (0.49, True, True, None),        # a rule and a cue need the model at 0.5 to flag
    (0.5, True, True, POSSIBLE),
    (1.0, False, True, POSSIBLE),    # a cue alone keeps even a sure model from clear
])
def test_the_tiers_flag_a_message_as_the_product_promises(probability, rule, cue, level):
    assert level_for(crisis_score(probability, rule=rule, cue=cue)) == level


def test_a_bare_digit_is_never_a_crisis(triage):
    for digit in "0123456789":
        assert triage.safety_check(digit) is None


@pytest.mark.parametrize("category", CATEGORIES)
def test_each_crisis_category_is_detected_in_held_out_messages(triage, category):
    texts = [e.text for e in HELD_OUT if e.label == category]
    assert len(texts) >= 20
    missed = [t for t in texts if triage.safety_check(t) is None]
    assert missed == []


def test_held_out_crises_are_mostly_clear(triage):
    texts = [e.text for e in HELD_OUT if e.label != NO_CRISIS]
    clear = [t for t in texts if (f := triage.safety_check(t)) is not None and f.level == "clear"]
    assert len(clear) / len(texts) >= 0.85


def test_held_out_hard_negatives_are_at_most_5_percent_flagged(triage):
    texts = [e.text for e in HELD_OUT if e.label == NO_CRISIS]
    flagged = [t for t in texts if triage.safety_check(t) is not None]
    assert len(flagged) / len(texts) <= 0.05, flagged
