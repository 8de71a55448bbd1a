"""Deciding what to do, as a pure function of a reading and the conversation so far."""

from __future__ import annotations

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
