"""The crisis rules as data (frontdoor/triage/crisis_rules.toml, crisis_rules_cy.toml): every
rule matches the message it exists for and the check gives its category; the files are
well-formed, and a malformed one is refused by name. No model, no app."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

import pytest

from frontdoor.settings import PROJECT_ROOT
from frontdoor.triage.safety import (
    CATEGORIES,
    IDIOMS,
    RULES,
    RULES_FILES,
    RuleError,
    load_rules,
    rule_categories,
)


# One test over all the rules, naming every one that fails: hundreds of rules as separate
# test items would cost the unit tier a second for nothing.
def test_every_rule_matches_its_example_and_the_check_gives_its_category():
    failing = [f"{r.category}: {r.example!r} /{r.pattern.pattern}/" for r in RULES
               if not (r.fires_on(r.example) and r.category in rule_categories(r.example))]
    assert failing == []


def test_a_rule_leaves_alone_the_message_it_is_shaped_not_to_match():
    shaped = [r for r in RULES if r.not_example]
    assert shaped
    assert [r.not_example for r in shaped if r.fires_on(r.not_example)] == []


def test_every_welsh_idiom_matches_its_everyday_example_and_no_rule_reads_it_as_a_crisis():
    assert IDIOMS
    assert [i.example for i in IDIOMS if not i.fires_on(i.example)] == []
    assert {i.example: rule_categories(i.example) for i in IDIOMS} == {
        i.example: [] for i in IDIOMS}


def test_the_rules_files_are_well_formed_and_cover_every_category_in_both_languages():
    english, welsh = (load_rules(path)[0] for path in RULES_FILES)
    for rules in (english, welsh):
        assert {r.category for r in rules} == set(CATEGORIES)
    for rule in RULES:
        assert rule.category in CATEGORIES
        assert rule.pattern.pattern and "\n" not in rule.pattern.pattern
        assert rule.example.strip()
    assert len(RULES) == len(english) + len(welsh)
    # One example, one rule: two rules sharing a message would hide a missing one.
    assert len({r.example for r in RULES}) == len(RULES)


def test_the_rules_files_ship_with_the_package():
    with (PROJECT_ROOT / "pyproject.toml").open("rb") as f:
        shipped = tomllib.load(f)["tool"]["setuptools"]["package-data"]["frontdoor"]
    package = PROJECT_ROOT / "frontdoor"
    for path in RULES_FILES:
        inside = path.relative_to(package).as_posix()
        assert path.exists() and any(fnmatch.fnmatch(inside, glob) for glob in shipped)


GOOD = 'category = "danger"\npattern = \'\\bintruder\\b\'\nexample = "there is an intruder"\n'


@pytest.mark.parametrize(("second", "problem"), [
    ('category = "fire"\npattern = \'fire\'\nexample = "fire"\n', "not one of"),
    ('category = "danger"\npattern = \'(unclosed\'\nexample = "x"\n', "does not compile"),
    ('category = "danger"\npattern = \'\\bknife\\b\'\n', "needs a pattern and an example"),
    ('category = "danger"\npattern = \'\\bknife\\b\'\nexample = ""\n', "needs a pattern"),
    ('category = "danger"\npattern = \'\\bknife\\b\'\nexample = "a knife"\nexamples = "x"\n',
     "unknown field"),
])
def test_a_malformed_rules_file_is_refused_naming_the_rule(tmp_path: Path, second, problem):
    path = tmp_path / "rules.toml"
    path.write_text(f"[[rule]]\n{GOOD}\n[[rule]]\n{second}", encoding="utf-8")
    with pytest.raises(RuleError, match=problem) as refused:
        load_rules(path)
    assert "rule 2" in str(refused.value)


def test_a_pattern_over_several_lines_is_one_pattern(tmp_path: Path):
    path = tmp_path / "rules.toml"
    path.write_text("[[rule]]\ncategory = \"danger\"\npattern = '''\n\\bsmoke\\s+\neverywhere\\b'''"
                    "\nexample = \"smoke everywhere\"\n", encoding="utf-8")
    (rule,), idioms = load_rules(path)
    assert rule.pattern.pattern == r"\bsmoke\s+everywhere\b" and idioms == []
    assert rule.fires_on("Smoke   everywhere!") and not rule.fires_on("smoke\u2019s everywhere")


# Rules removed because another rule of the same category matches everything they did
# (bench/rules.py: shadowed, their example caught too; bench/triage.py's figures unchanged).
# Their messages must keep their category.
@pytest.mark.parametrize(("text", "category"), [
    ("wont be here tomorrow so it doesnt matter", "suicide_self_harm"),
    ("sucidel thoughts won't stop", "suicide_self_harm"),
    ("I think about ending it every night", "suicide_self_harm"),
    ("I want to stop my selfharm but I can't", "suicide_self_harm"),
    ("I'm scared I'll start harming myself again", "suicide_self_harm"),
    ("she has threatened me twice this week", "domestic_abuse"),
    ("my ex was abusive and I'm scared he's found me", "domestic_abuse"),
    ("someone tried to get into my house last night", "danger"),
    ("someone tried the door at 3am and I'm on my own", "danger"),
    ("the building is on fire and the alarms are going", "danger"),
    ("my husband is not breathing", "medical"),
    ("I think the little boy next door is being abused", "safeguarding_other"),
])
def test_messages_of_the_rules_removed_as_covered_still_get_their_category(text, category):
    assert category in rule_categories(text)
