"""Deciding what to do, as a pure function of a reading and the conversation so far."""

from __future__ import annotations

import pytest

from frontdoor.triage import decide as d
from frontdoor.triage.reading import Place, Reading

ANSWERABLE = {"food", "money", "housing", "loneliness"}


def reading(need="food", confidence=0.9, unsure=False, ranked=None, place=Place(), crisis=None,
            several=()):
    ranked = ranked or ((need, confidence), ("money", 0.05))
    return Reading(need, confidence, unsure, ranked, several, crisis, place)


def test_a_sure_need_with_a_ward_is_answered_for_that_ward():
    assert d.decide(reading(), "food bank", d.Context(ward_code="W1"), ANSWERABLE) == \
        d.Answer("food", "W1")


def test_a_sure_need_without_a_ward_asks_for_the_area():
    assert d.decide(reading(), "food bank", d.Context(), ANSWERABLE) == d.AskArea("food")


def test_low_confidence_asks_a_numbered_question_with_the_likely_needs():
    unsure = reading("food", 0.4, True, (("food", 0.4), ("money", 0.35), ("smalltalk", 0.1),
                                         ("housing", 0.05)))
    assert d.decide(unsure, "stuff", d.Context(), ANSWERABLE) == d.Clarify(
        ("food", "money", "housing"))


def test_a_digit_answers_the_numbered_question():
    context = d.Context(ward_code="W1", awaiting="choice", options=("food", "money", "housing"))
    anything = reading("smalltalk", 0.3, True)
    assert d.decide(anything, "2", context, ANSWERABLE) == d.Answer("money", "W1")
    assert d.decide(anything, " 3. ", context, ANSWERABLE) == d.Answer("housing", "W1")
    assert d.decide(anything, "0", context, ANSWERABLE) == d.Handoff("asked_for_person")
    assert d.decide(anything, "7", context, ANSWERABLE) == d.Clarify(context.options)


def test_several_needs_at_once_go_to_a_person():
    assert d.decide(reading(several=("food", "money")), "x", d.Context(), ANSWERABLE) == \
        d.Handoff("several_needs")


def test_saying_it_did_not_help_goes_to_a_person():
    for text in ["that didnt help", "none of those", "not what i need", "useless"]:
        assert d.decide(reading(), text, d.Context(ward_code="W1"), ANSWERABLE) == \
            d.Handoff("did_not_help"), text


def test_a_district_answer_asks_which_ward_and_a_digit_picks_it():
    place = Place("DE23", ("W1", "W2"))
    ask = d.decide(reading(place=place), "DE23", d.Context(awaiting="area", pending_need="food"),
                   ANSWERABLE)
    assert ask == d.AskWard("food", ("W1", "W2"), "DE23")
    context = d.Context(awaiting="ward", options=("W1", "W2"), pending_need="food")
    assert d.decide(reading("smalltalk"), "2", context, ANSWERABLE) == d.Answer("food", "W2")
    assert d.decide(reading("smalltalk"), "3", context, ANSWERABLE) == d.Answer("food", None)


# One row per need rule the tests above do not show, each a different branch of decide.py.
UNSURE = reading("smalltalk", 0.3, True)
AFTER_AREA = d.Context(awaiting="area", pending_need="food")
AFTER_ANSWER = d.Context(ward_code="W1", awaiting=d.ENTRIES, options=("e1", "e2", "e3"))
NEED_RULES = [
    ("a council service goes to the contact centre",
     reading("council_service"), "my bins were not collected", d.Context(), d.ContactCentre()),
    ("something the front door does not answer is out of scope",
     reading("out_of_scope"), "whats the football score", d.Context(), d.Chat("out_of_scope")),
    ("a need the directory cannot answer is out of scope, not a guess",
     reading("transport"), "need a taxi", d.Context(ward_code="W1"), d.Chat("out_of_scope")),
    ("a full postcode outside the council gets what is open to everyone",
     reading(place=Place("NG1 1AA")), "food bank NG1 1AA", d.Context(), d.Answer("food", None)),
    ("asked the area once, a second area-less answer still gets something useful",
     reading(), "just tell me about food", d.Context(awaiting="area"), d.Answer("food", None)),
    ("'don't know' to the area question answers city-wide",
     UNSURE, "dont know", AFTER_AREA, d.Answer("food", None)),
    ("1 to the area question means 'anywhere': city-wide",
     UNSURE, "1", AFTER_AREA, d.Answer("food", None)),
    ("1 to the area question for a person hands over",
     UNSURE, "1", d.Context(awaiting="area", pending_need="coordinator"),
     d.Handoff("asked_for_person")),
    ("a ward named after the area question answers there",
     reading("smalltalk", place=Place(None, ("W2",))), "normanton", AFTER_AREA,
     d.Answer("food", "W2")),
    ("a new request during the area question is read afresh: its need, not asked again",
     reading("money"), "actually i need help with my rent arrears", AFTER_AREA,
     d.Answer("money", None)),
    ("a digit names an entry of the last answer",
     UNSURE, "2", AFTER_ANSWER, d.EntryDetail("e2", 2)),
    ("an ordinal asks about one entry of the last answer",
     reading("food"), "is the 1st one open saturday", AFTER_ANSWER, d.EntryDetail("e1", 1)),
    ("'the last one' is the last entry",
     reading("food"), "where is the last one", AFTER_ANSWER, d.EntryDetail("e3", 3)),
    ("an ordinal beyond the entries is read as a new message",
     reading("food"), "is the 5th one open", AFTER_ANSWER, d.Answer("food", "W1")),
    ("a digit nobody asked for is small talk",
     UNSURE, "5", d.Context(), d.Chat("smalltalk")),
    ("a place that answers nothing we asked repeats the numbered question",
     reading("smalltalk", 0.3, True, place=Place("DE23 8AB", ("W1",))), "DE23 8AB",
     d.Context(awaiting="choice", options=("food", "money")), d.Clarify(("food", "money"))),
]


@pytest.mark.parametrize(("said", "text", "context", "expected"), [r[1:] for r in NEED_RULES],
                         ids=[r[0] for r in NEED_RULES])
def test_each_need_rule(said, text, context, expected):
    assert d.decide(said, text, context, ANSWERABLE) == expected
