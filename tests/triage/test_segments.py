import pytest

from frontdoor.sms_segments import (
    fit_parts,
    fit_reply,
    fits,
    length_units,
    segments,
    to_gsm_friendly,
    to_gsm_letters,
    trim_to_fit,
)


def test_gsm7_counts_160_then_153_per_segment():
    assert segments("a" * 160) == 1
    assert segments("a" * 161) == 2
    assert segments("a" * 306) == 2
    assert segments("a" * 307) == 3


def test_extension_characters_count_twice():
    assert segments("€" * 80) == 1
    assert segments("€" * 81) == 2


def test_any_character_outside_gsm7_switches_to_ucs2_70_67():
    assert segments("ŵ" + "a" * 69) == 1
    assert segments("ŵ" + "a" * 70) == 2
    assert segments("🙂" * 35) == 1      # an emoji is two UTF-16 code units
    assert segments("🙂" * 36) == 2


def test_trimming_never_cuts_a_word():
    text = " ".join(["word"] * 200)
    trimmed = trim_to_fit(text)
    assert segments(trimmed) <= 3 and trimmed.endswith("word...")


def test_optional_parts_are_dropped_last_first_before_trimming():
    parts = ["Keep me.", "x " * 150, "y " * 150, "Always keep the way to a person."]
    text = fit_parts(parts, optional={1, 2})
    assert segments(text) <= 3
    assert "Keep me." in text and "x x" in text and "y y" not in text


# -- each rule of the arithmetic, one case a row ------------------------------------------------

def test_our_typographic_characters_are_written_as_their_gsm7_stand_ins():
    assert to_gsm_friendly("\u2018a\u2019 \u201cb\u201d 9\u201310 x\u2014y wait\u2026 1\u00a0a") \
        == "'a' \"b\" 9-10 x-y wait... 1 a"


@pytest.mark.parametrize("text, plain", [
    ("Croeso n\u00f4l, \u0175yr \u00e2 \u0177", "Croeso nol, wyr a y"),   # Welsh accents plain
    ("caf\u00e9 \u00fcber \u00e0 \u00d1", "caf\u00e9 \u00fcber \u00e0 \u00d1"),   # GSM-7's own kept
])
def test_only_letters_gsm7_lacks_are_written_plain(text, plain):
    assert to_gsm_letters(text) == plain


@pytest.mark.parametrize("text, units", [
    ("\u00a35 @ 9am", (8, True)),
    ("\u20ac{}", (6, True)),                # each extension character costs two septets
    ("\u0175", (1, False)),                 # one letter outside GSM-7: the message is UCS-2
    ("\u2019", (1, False)),                 # so is a curly quote left in
    ("\U0001f642", (2, False)),             # an emoji is two UTF-16 code units
])
def test_a_message_is_measured_in_septets_or_utf16_units(text, units):
    assert length_units(text) == units


@pytest.mark.parametrize("text, count", [
    ("\u0175" * 134, 2), ("\u0175" * 135, 3),   # UCS-2: 67 a segment once it is split
    ("a" * 459, 3), ("a" * 460, 4),             # GSM-7: 153
])
def test_the_third_segment_ends_where_the_budget_does(text, count):
    assert segments(text) == count


def test_the_budget_can_be_set():
    assert not fits("a" * 161, 1) and fits("a" * 161, 2)


@pytest.mark.parametrize("text, trimmed", [
    ("Short enough.", "Short enough."),                         # nothing to do
    ("word, " * 100, "word, " * 75 + "word..."),                # no dangling comma before ...
])
def test_trimming_keeps_what_fits_and_ends_cleanly(text, trimmed):
    assert trim_to_fit(text) == trimmed


def test_parts_that_fit_are_joined_whole_accents_and_all():
    parts = ["Croeso n\u00f4l.", "Atebwch 0."]
    assert fit_parts(parts, optional={1}) == "Croeso n\u00f4l.\nAtebwch 0."


def test_a_reply_that_fits_only_without_its_accents_loses_the_accents_not_a_part():
    parts = ["\u0175" * 250, "Ffoniwch 999.", "Atebwch 0."]
    text = fit_parts(parts, optional={2})
    assert text == "w" * 250 + "\nFfoniwch 999.\nAtebwch 0."


def test_a_reply_too_long_with_nothing_optional_is_trimmed_at_a_word():
    text = fit_parts(["Keep me.", "word " * 200], optional=set())
    assert text.startswith("Keep me.\nword") and text.endswith("word...") and segments(text) == 3


def test_a_reply_is_made_gsm7_before_it_is_measured():
    assert fit_reply(["\u201cHi\u201d \u2013 it\u2019s Sam."], set()) == '"Hi" - it\'s Sam.'
