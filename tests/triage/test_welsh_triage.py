"""Welsh messages are understood as well as English ones: needs, crisis (rules and model),
and everyday Welsh that borrows crisis words left alone. Figures read the held-out Welsh
split (intents/test/cy, intents/crisis/test/cy), which the model never saw."""

from __future__ import annotations

import pytest

from frontdoor.settings import PROJECT_ROOT
from frontdoor.triage.data import load_crisis_examples, load_examples
from frontdoor.triage.evaluation import need_metrics
from frontdoor.triage.safety import CATEGORIES, NO_CRISIS, rule_categories

INTENTS = PROJECT_ROOT / "intents"


def held_out(language: str):
    return [e for e in load_examples(INTENTS, "test") if e.language == language]


def held_out_crisis(language: str):
    return [e for e in load_crisis_examples(INTENTS, "test") if e.language == language]


@pytest.mark.parametrize("text,category", [
    ("fi moyn lladd fy hun", "suicide_self_harm"),
    ("sai moyn byw rhagor", "suicide_self_harm"),
    ("dwi ddim eisiau byw", "suicide_self_harm"),
    ("meddyliau hunanladdol", "suicide_self_harm"),
    ("fi di bod yn torri fy hun", "suicide_self_harm"),
    ("ma'r gwr yn fy mwrw", "domestic_abuse"),
    ("fe wedi taro fi eto", "domestic_abuse"),
    ("ofn mynd adre", "domestic_abuse"),
    ("ma rhywun yn torri mewn", "danger"),
    ("ma'r ty ar dan", "danger"),
    ("arogl nwy cryf", "danger"),
    ("poen yn fy mrest", "medical"),
    ("mam ffaelu anadlu", "medical"),
    ("ma hi'n cael ffit", "medical"),
    ("plant drws nesa ar ben eu hunain eto", "safeguarding_other"),
    ("gofalwr mam yn dwyn ei harian", "safeguarding_other"),
    ("Fi’n moyn marw", "suicide_self_harm"),   # curly apostrophe, capitals
])
def test_welsh_rules_catch_direct_phrasings(text, category):
    assert rule_categories(text)[0] == category


@pytest.mark.parametrize("text", [
    "ma'r gwres ma'n fy lladd i", "fi'n marw isie paned", "batri'r ffon wedi marw",
    "bwrw glaw eto", "taro i mewn i'r swyddfa fory", "ma mam yn mynd i'n lladd i lol",
    "gwr fi wedi cael strôc llynedd a fi'n ofalwr iddo fe",
    "gwirfoddoli mewn lloches i fenywod", "ffenestri wedi torri landlord ddim yn ateb",
])
def test_welsh_rules_leave_everyday_messages_with_crisis_words_alone(text):
    assert rule_categories(text) == []


def test_welsh_needs_are_classified_about_as_well_as_english(triage):
    figures = {}
    for language in ("en", "cy"):
        examples = held_out(language)
        figures[language] = need_metrics([e.label for e in examples],
                                         [triage.read(e.text).need for e in examples])
    assert figures["en"]["macro_f1"] >= 0.94      # English did not drop (0.960 before Welsh)
    assert figures["cy"]["macro_f1"] >= 0.90
    assert figures["cy"]["accuracy"] >= 0.90


@pytest.mark.parametrize("category", CATEGORIES)
def test_each_crisis_category_is_detected_in_held_out_welsh_messages(triage, category):
    texts = [e.text for e in held_out_crisis("cy") if e.label == category]
    assert len(texts) >= 10
    missed = [t for t in texts if triage.safety_check(t) is None]
    assert len(missed) <= 1, missed


def test_held_out_welsh_hard_negatives_are_at_most_10_percent_flagged(triage):
    texts = [e.text for e in held_out_crisis("cy") if e.label == NO_CRISIS]
    flagged = [t for t in texts if triage.safety_check(t) is not None]
    assert len(flagged) / len(texts) <= 0.10, flagged


@pytest.mark.parametrize("text,need", [
    ("sdim bwyd yn y ty a ma'r plant isie bwyd", "food"),
    ("ma'r landlord moyn fi mas erbyn dydd gwener", "housing"),
    ("fi'n unig ofnadwy ers colli'r gwr", "loneliness"),
    ("help gyda'r credyd cynhwysol plis", "money"),
    ("moyn siarad a person go iawn", "coordinator"),
])
def test_texted_welsh_needs(triage, text, need):
    assert triage.read(text).need == need


def test_welsh_keywords_join_the_english_ones():
    from frontdoor.triage.data import load_need_definitions

    needs = load_need_definitions(INTENTS)
    assert {"food bank", "banc bwyd"} <= set(needs["food"].keywords)
    assert {"universal credit", "credyd cynhwysol"} <= set(needs["money"].keywords)


def test_welsh_keywords_for_a_need_that_does_not_exist_are_refused(tmp_path):
    import shutil

    from frontdoor.triage.data import DataError, load_need_definitions

    shutil.copy(INTENTS / "needs.toml", tmp_path / "needs.toml")
    (tmp_path / "needs_cy.toml").write_text('[needs.bwyd]\nkeywords = ["banc bwyd"]\n')
    with pytest.raises(DataError, match="bwyd"):
        load_need_definitions(tmp_path)


def test_a_welsh_message_naming_two_needs_is_read_as_two(triage):
    reading = triage.read("fi angen banc bwyd a help gyda'r biliau plis")
    assert set(reading.several_needs) == {"food", "money"}


def test_welsh_residents_are_not_asked_to_choose_much_more_often_than_english_ones(triage):
    """A Welsh message the front door is unsure of gets a numbered question, where an
    English one would be answered: the share of each split asked should be close."""
    share = {language: sum(triage.read(e.text).unsure for e in held_out(language))
             / len(held_out(language)) for language in ("en", "cy")}
    assert share["cy"] <= max(0.12, 2 * share["en"]), share
