from frontdoor.sms_segments import fit_parts, segments, trim_to_fit


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
