"""Telling Welsh from English (frontdoor/triage/language.py): texted Welsh, short messages,
mixed messages, and English as the default."""

from __future__ import annotations

import pytest

from frontdoor.triage.language import (
    LanguageModel,
    default_intents_dir,
    language_of,
    training_texts,
    words,
)


@pytest.mark.parametrize("text", [
    "helo", "shwmae", "diolch", "diolch yn fawr", "bwyd plis", "bore da", "nos da", "hwyl",
    "iawn diolch", "Diolch!!", "diolchh",  # a typo it never saw
    "sdim bwyd yn y ty", "fi moyn siarad a rhywun", "ffaelu talu'r biliau",
    "Shwmae, dw i angen help efo'r dreth gyngor",  # Northern forms, with accents and caps
    "Mae'n ddrwg gen i, does gen i ddim bwyd i'r plant",
])
def test_texted_and_written_welsh_is_welsh(text):
    assert language_of(text) == "cy"


@pytest.mark.parametrize("text", [
    "landlord wedi rhoi notice i fi", "help gyda'r bills plis", "ma'r universal credit wedi stopio",
    "fi angen food bank yn townhill",
])
def test_welsh_with_english_words_in_it_is_welsh(text):
    assert language_of(text) == "cy"


@pytest.mark.parametrize("text", [
    "", "   ", "ok", "hi", "hello", "thanks", "help", "yes", "no", "PIP", "GP", "SA1 2AB",
    "07700 900123", "??", "asdfghjkl", "https://example.org/x", "i feel sucidal",
    "need help with my rent please", "lookin for wrk pls", "benifits help pls",
])
def test_english_short_and_unclear_messages_are_english(text):
    assert language_of(text) == "en"


@pytest.mark.parametrize("text", [
    "i live in Treforys and need a food bank", "any lunch clubs in Sgeti or Gorseinon",
    "im in Llansamlet, bins not collected", "moving to Pontarddulais need a gp",
])
def test_english_naming_welsh_places_is_english(text):
    assert language_of(text) == "en"


def test_words_drop_numbers_links_and_punctuation():
    assert words("Helo!! SA1 2AB, ffoniwch 07700900123 https://x.org/a fi'n iawn.") == [
        "helo", "ffoniwch", "fi'n", "iawn"]


def test_the_held_out_examples_are_told_apart():
    """The figures bench/language.py prints: on the test split, which the model never saw."""
    test = training_texts(default_intents_dir(), "test")
    assert len(test["cy"]) >= 150 and len(test["en"]) >= 500
    welsh = sum(language_of(t) == "cy" for t in test["cy"]) / len(test["cy"])
    english = sum(language_of(t) == "en" for t in test["en"]) / len(test["en"])
    assert welsh >= 0.95
    assert english >= 0.99


def test_a_word_common_in_both_languages_is_not_evidence_for_either():
    model = LanguageModel.fit(
        ["help gyda bwyd", "help plis", "diolch am yr help"],
        ["help with food", "help please", "thanks for the help", "food bank please",
         "can you help me with my bills", "help me find a job", "i need help"])
    assert abs(model.word_evidence("help")) < 1.0
    assert model.word_evidence("diolch") > 1.0
    assert model.language_of("help") == "en"
    assert model.language_of("diolch am yr help") == "cy"


def test_the_few_welsh_examples_do_not_make_rare_english_words_welsh():
    """Welsh has far fewer examples; counts are scaled so a word seen once in English
    is not likelier Welsh than English."""
    model = LanguageModel.fit(["diolch"] * 3, ["thanks"] * 50 + ["tribunal"])
    assert model.word_evidence("tribunal") < 0


def test_it_needs_both_languages():
    with pytest.raises(ValueError):
        LanguageModel.fit([], ["hello"])


def test_each_language_has_its_own_vocabulary():
    from frontdoor.triage.language import vocabulary

    welsh, english = vocabulary("cy"), vocabulary("en")
    assert {"diolch", "bwyd", "fi", "moyn"} <= welsh
    assert {"food", "help", "benefits"} <= english
    assert "diolch" not in english and "benefits" not in welsh
