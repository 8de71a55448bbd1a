"""The Welsh training data in intents/: enough of it for every need and crisis category,
kept apart from the English files, the splits and blind sets disjoint, and read with its
language."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from frontdoor.settings import PROJECT_ROOT
from frontdoor.triage.data import (
    NEEDS,
    load_crisis_examples,
    load_examples,
    load_need_definitions,
    load_welsh_blind,
)
from frontdoor.triage.language import language_of
from frontdoor.triage.safety import CATEGORIES, NO_CRISIS
from frontdoor.triage.text import normalise

INTENTS = PROJECT_ROOT / "intents"


def welsh(examples):
    return [e for e in examples if e.language == "cy"]


def test_every_need_has_at_least_40_welsh_training_examples_and_some_held_out():
    assert set(load_need_definitions(INTENTS)) == set(NEEDS)
    train = Counter(e.label for e in welsh(load_examples(INTENTS, "train")))
    test = Counter(e.label for e in welsh(load_examples(INTENTS, "test")))
    blind, _ = load_welsh_blind(INTENTS)
    for need in NEEDS:
        assert train[need] >= 40, need
        assert test[need] >= 10, need
        assert sum(e.label == need for e in blind) >= 5, need


def test_every_crisis_category_has_welsh_examples_and_welsh_hard_negatives():
    for split, least, negatives in (("train", 25, 50), ("test", 10, 20)):
        counts = Counter(e.label for e in welsh(load_crisis_examples(INTENTS, split)))
        for category in CATEGORIES:
            assert counts[category] >= least, (split, category)
        assert counts[NO_CRISIS] >= negatives, split
    _, blind = load_welsh_blind(INTENTS)
    counts = Counter(e.label for e in blind)
    assert all(counts[c] >= 5 for c in CATEGORIES) and counts[NO_CRISIS] >= 15


def test_english_files_are_read_as_english_and_welsh_files_as_welsh():
    train = load_examples(INTENTS, "train")
    english = [e for e in train if e.language == "en"]
    assert len(english) >= 15 * 200
    assert {e.language for e in train} == {"en", "cy"}
    cy_food = (INTENTS / "train" / "cy" / "food.txt").read_text(encoding="utf-8")
    assert all(e.text in cy_food for e in welsh(train) if e.label == "food")
    assert not any(e.text in cy_food.splitlines() for e in english if e.label == "food")


def test_no_welsh_message_is_in_two_of_train_test_and_blind():
    sets = {
        "train": welsh(load_examples(INTENTS, "train"))
        + welsh(load_crisis_examples(INTENTS, "train")),
        "test": welsh(load_examples(INTENTS, "test"))
        + welsh(load_crisis_examples(INTENTS, "test")),
        "blind": [e for part in load_welsh_blind(INTENTS) for e in part],
    }
    texts = {name: {normalise(e.text) for e in examples} for name, examples in sets.items()}
    assert not texts["train"] & texts["test"]
    assert not texts["train"] & texts["blind"]
    assert not texts["test"] & texts["blind"]


def test_the_welsh_files_are_welsh_to_the_language_model():
    """A Welsh file holding English by mistake would teach the wrong thing to both models.
    (Single words such as "ta" or "GP" are fair in either language, so most, not all.)"""
    for split in ("train", "test"):
        examples = welsh(load_examples(INTENTS, split))
        assert sum(language_of(e.text) == "cy" for e in examples) / len(examples) >= 0.95


def test_a_one_file_data_set_can_say_which_language_each_row_is_in(tmp_path):
    path = tmp_path / "data.jsonl"
    path.write_text("\n".join(json.dumps(row) for row in (
        {"text": "angen banc bwyd", "label": "food", "language": "cy"},
        {"text": "need a food bank", "label": "food"})))
    assert [e.language for e in load_examples(path)] == ["cy", "en"]
    csv = tmp_path / "data.csv"
    csv.write_text("text,label,language\nangen banc bwyd,food,cy\nneed a food bank,food,\n")
    assert [e.language for e in load_examples(csv)] == ["cy", "en"]


@pytest.mark.parametrize("folder", ["blind", "blind_v2"])
def test_the_english_blind_sets_hold_no_welsh_folder(folder):
    """The Welsh blind set sits beside them (crisis/blind_cy), never inside them."""
    assert not (INTENTS / "crisis" / folder / "cy").exists()
