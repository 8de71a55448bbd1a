"""The crisis check: runs on every inbound message before anything else is decided.

Two tiers. A **clear** crisis gets the numbers first and an urgent hand-over; a **possible**
concern gets its need answered as usual, one gentle line with a number, and its thread
flagged for a person to check in (not urgent).

Three kinds of evidence make one score: the trained model's probability that the message
is a crisis (any category), the rules (phrasings we know, misspellings and curly
apostrophes included), and cues read with spaCy's Matcher that the words are about the
past, denied, light or a topic of work or giving ("last month", "years ago", "used to",
"not suicidal", "lol", "a suicide prevention charity"). Rules are kept for unambiguous
phrases only: a phrase that also turns up in everyday messages is left to the model.

    score = model probability + RULE_WEIGHT (if a rule matched) - CUE_WEIGHT (if a cue)

A score from CLEAR_AT is a clear crisis, from POSSIBLE_AT a possible concern. The weights
and thresholds were chosen by cross-validation on the training split only
(`bench/crossval.py --tiers`; figures in docs/crisis-thresholds.md), never on a blind set.
Everyday words that only sound alarming ("this heat is killing me") are taught to the model
as hard negatives (intents/crisis/train/not_crisis.txt), not listed here.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from spacy.lang.en import English
from spacy.matcher import Matcher

from frontdoor.triage.reading import CrisisFlag
from frontdoor.triage.text import normalise

CATEGORIES = ("suicide_self_harm", "domestic_abuse", "danger", "medical", "safeguarding_other")
# When a message shows more than one, the reply leads with the most immediate risk.
PRIORITY = ("danger", "medical", "suicide_self_harm", "domestic_abuse", "safeguarding_other")
NO_CRISIS = "no_crisis"
MIN_WORDS_FOR_MODEL = 3
CLEAR = "clear"
POSSIBLE = "possible"
# Chosen by `bench/crossval.py --tiers` (4 folds of intents/crisis/train); see
# docs/crisis-thresholds.md for the grid and the figures at these values.
RULE_WEIGHT = 0.4
CUE_WEIGHT = 0.5
CLEAR_AT = 0.65
POSSIBLE_AT = 0.4

# The rules are data (crisis_rules.toml, the Welsh in crisis_rules_cy.toml): each pattern
# with its category and a message it exists for, so a test can check every rule against
# its example and `bench/rules.py` can find the ones that never fire or are always covered.
RULES_FILES = (Path(__file__).with_name("crisis_rules.toml"),
               Path(__file__).with_name("crisis_rules_cy.toml"))
IDIOM = "idiom"
_RULE_FIELDS = {"category", "pattern", "example", "not_example", "note"}


class RuleError(ValueError):
    """A crisis rules file that cannot be used: the message names the file and the rule."""


@dataclass(frozen=True)
class Rule:
    """One crisis rule, or (category IDIOM) everyday words cut out before the rules look."""

    category: str
    pattern: re.Pattern[str]
    example: str
    not_example: str = ""
    note: str = ""

    def fires_on(self, text: str) -> bool:
        """Whether this rule alone matches the message, read as `rule_categories` reads it."""
        if self.category == IDIOM:
            return bool(self.pattern.search(_plain(text)))
        return bool(self.pattern.search(text_for_rules(text)))


def _rule(where: str, kind: str, entry: object) -> Rule:
    if not isinstance(entry, dict):
        raise RuleError(f"{where}: a [[{kind}]] table is expected")
    fields = {**entry, "category": IDIOM} if kind == IDIOM else entry
    unknown = set(fields) - _RULE_FIELDS
    if unknown:
        raise RuleError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    if kind == "rule" and fields.get("category") not in CATEGORIES:
        raise RuleError(f"{where}: category {fields.get('category')!r} is not one of "
                        f"{', '.join(CATEGORIES)}")
    texts = {name: fields.get(name, "") for name in ("pattern", "example", "not_example", "note")}
    if not all(isinstance(value, str) for value in texts.values()):
        raise RuleError(f"{where}: pattern, example, not_example and note are strings")
    if not texts["pattern"].strip() or not texts["example"].strip():
        raise RuleError(f"{where}: every rule needs a pattern and an example message")
    try:
        # A long pattern is written over several lines; the line breaks are not part of it.
        pattern = re.compile(texts["pattern"].replace("\n", ""))
    except re.error as error:
        raise RuleError(f"{where}: the pattern does not compile ({error})") from error
    return Rule(fields["category"], pattern, texts["example"], texts["not_example"],
                texts["note"])


def load_rules(path: Path) -> tuple[list[Rule], list[Rule]]:
    """(rules, idioms) from a crisis rules file, each checked: a known category, a pattern
    that compiles, an example message."""
    try:
        with Path(path).open("rb") as f:
            book = tomllib.load(f)
    except tomllib.TOMLDecodeError as error:
        raise RuleError(f"{path}: not valid TOML ({error})") from error
    unknown = set(book) - {"rule", IDIOM}
    if unknown:
        raise RuleError(f"{path}: unknown table(s) {', '.join(sorted(unknown))}")
    rules = [_rule(f"{path}, rule {n}", "rule", e) for n, e in enumerate(book.get("rule", []), 1)]
    idioms = [_rule(f"{path}, idiom {n}", IDIOM, e)
              for n, e in enumerate(book.get(IDIOM, []), 1)]
    return rules, idioms


def _load_all(paths: tuple[Path, ...]) -> tuple[tuple[Rule, ...], tuple[Rule, ...]]:
    rules: list[Rule] = []
    idioms: list[Rule] = []
    for path in paths:
        more_rules, more_idioms = load_rules(path)
        rules += more_rules
        idioms += more_idioms
    return tuple(rules), tuple(idioms)


# English and Welsh rules together: one check for both languages. The Welsh idioms are cut
# out of every message before the rules look, while the Welsh model learns from fewer hard
# negatives; the English ones are taught to the model instead.
RULES, IDIOMS = _load_all(RULES_FILES)


def _compile(patterns: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


_IDIOMS = _compile([i.pattern.pattern for i in IDIOMS]) if IDIOMS else None
_RULES = {category: _compile([r.pattern.pattern for r in RULES if r.category == category])
          for category in CATEGORIES}


def _plain(text: str) -> str:
    return normalise(text).replace("\u2019", "'")


def text_for_rules(text: str) -> str:
    """The message as the rules read it: normalised, plain apostrophes, idioms cut out."""
    cleaned = _plain(text)
    return _IDIOMS.sub(" ", cleaned) if _IDIOMS is not None else cleaned


def rule_categories(text: str) -> list[str]:
    """Crisis categories whose rules match, most immediate first."""
    cleaned = text_for_rules(text)
    return [c for c in PRIORITY if _RULES[c].search(cleaned)]


# Cues that the alarming words are about the past, denied, light, or a topic. Token
# patterns for spaCy's Matcher: they weigh against a flag, they never clear one on their own.
_PERIODS = ["week", "weeks", "month", "months", "year", "years", "summer", "winter",
            "spring", "autumn", "christmas", "easter", "time"]
_COUNTS = ["a", "few", "two", "three", "four", "five", "six", "several", "many", "couple",
           "ten", "twenty"]
CUE_PATTERNS: dict[str, list[list[dict[str, object]]]] = {
    "past": [
        [{"LOWER": "last"}, {"LOWER": {"IN": _PERIODS}}],
        [{"LOWER": {"IN": _COUNTS}, "OP": "?"}, {"LIKE_NUM": True, "OP": "?"},
         {"LOWER": {"IN": _PERIODS}}, {"LOWER": "ago"}],
        [{"LOWER": {"IN": ["used", "use"]}}, {"LOWER": "to"}],
        [{"LOWER": "when"}, {"LOWER": {"IN": ["i", "he", "she", "we"]}},
         {"LOWER": {"IN": ["was", "were"]}},
         {"LOWER": {"IN": ["younger", "young", "little", "small", "a", "at", "in"]}}],
        [{"LOWER": "as"}, {"LOWER": "a"}, {"LOWER": {"IN": ["teenager", "teen", "kid",
                                                           "child"]}}],
        [{"LOWER": {"IN": ["in", "since", "back"]}}, {"SHAPE": "dddd"}],
        [{"LOWER": "back"}, {"LOWER": "in"}, {"LOWER": "the"}, {"LOWER": "day"}],
        [{"LOWER": {"IN": ["survivor", "recovered", "recovering"]}}],
        [{"LOWER": "all"}, {"LOWER": "sorted"}],
    ],
    "denied": [
        [{"LOWER": {"IN": ["not", "never"]}}, {"LOWER": {"IN": [
            "suicidal", "unsafe", "dangerous"]}}],
        [{"LOWER": "not"}, {"LOWER": "in"}, {"LOWER": "danger"}],
        [{"LOWER": {"IN": ["nobody", "nobody's", "no"]}}, {"LOWER": {"IN": ["one", "is", "'s"]},
                                                           "OP": "*"},
         {"LOWER": {"IN": ["hurting", "hitting", "harming"]}}, {"LOWER": "me"}],
        [{"LOWER": {"IN": ["'d", "would", "will", "'ll"]}}, {"LOWER": "never"},
         {"LOWER": {"IN": ["hurt", "harm"]}}],
        [{"LOWER": {"IN": ["i", "i'm", "im"]}}, {"LOWER": {"IN": ["am", "'m"]}, "OP": "?"},
         {"LOWER": {"IN": ["safe", "fine", "ok", "okay"]}}, {"LOWER": {"IN": [
             "now", "though", "honestly", "really"]}}],
        # "the toddler hit his head but he's fine now", "bruises from netball, she's fine,"
        [{"LOWER": {"IN": ["he", "she", "they", "we"]}},
         {"LOWER": {"IN": ["'s", "is", "are", "'re"]}},
         {"LOWER": {"IN": ["safe", "fine", "ok", "okay", "alright"]}},
         {"LOWER": {"IN": ["now", "though", "honestly", "really", ","]}}],
        # "i'm not going to hurt myself", "not gonna do anything stupid"
        [{"LOWER": {"IN": ["not", "never"]}}, {"LOWER": {"IN": ["going", "gonna", "gon"]}},
         {"LOWER": {"IN": ["to", "na"]}, "OP": "?"}, {"LOWER": {"IN": ["hurt", "harm", "kill"]}},
         {"LOWER": {"IN": ["myself", "meself"]}}],
        [{"LOWER": {"IN": ["not", "never"]}}, {"LOWER": {"IN": ["going", "gonna", "gon"]}},
         {"LOWER": {"IN": ["to", "na"]}, "OP": "?"}, {"LOWER": "do"}, {"LOWER": "anything"},
         {"LOWER": {"IN": ["stupid", "silly", "daft"]}}],
    ],
    # A crisis as a subject of work, study or giving: "a suicide prevention charity",
    # "domestic abuse awareness training", "volunteer at the women's refuge".
    "topic": [
        [{"LOWER": {"IN": ["suicide", "abuse", "violence", "harm", "refuge", "refuges", "crisis",
                           "safeguarding", "bereavement", "samaritans"]}},
         {"LOWER": {"IN": ["prevention", "awareness", "charity", "charities", "training",
                           "course", "talk", "leaflets", "posters", "support", "worker",
                           "workers", "service", "services", "sector", "fundraiser",
                           "fundraising", "walk", "run", "volunteers"]}}],
        [{"LOWER": {"IN": ["volunteer", "volunteering", "volunteered", "donate", "donating",
                           "work", "working"]}},
         {"LOWER": {"IN": ["at", "for", "with", "to", "in"]}}, {"LOWER": {"IN": [
             "the", "a", "our"]}, "OP": "?"},
         {"LOWER": {"IN": ["women", "womens", "women's", "refuge", "samaritans",
                           "helpline"]}}],
    ],
    "light": [
        [{"LOWER": {"IN": ["lol", "lmao", "haha", "hahaha", "lool", "rofl", "jk"]}}],
        [{"TEXT": {"IN": ["\U0001F602", "\U0001F923", "\U0001F606"]}}],
    ],
}
_cue_nlp = English()
_cues = Matcher(_cue_nlp.vocab)
for _name, _patterns in CUE_PATTERNS.items():
    _cues.add(_name, _patterns)


def cues(text: str) -> list[str]:
    """The kinds of cue a message shows: "past", "denied", "light", "topic"."""
    doc = _cue_nlp.make_doc(normalise(text).replace("\u2019", "'"))
    return sorted({_cue_nlp.vocab.strings[match_id] for match_id, _, _ in _cues(doc)})


def model_probability(scores: Mapping[str, float]) -> tuple[float, str]:
    """The model's probability that a message is a crisis (of any kind), and the most
    likely kind."""
    category = max(CATEGORIES, key=lambda c: scores.get(c, 0.0))
    if NO_CRISIS in scores:
        return max(0.0, min(1.0, 1.0 - scores[NO_CRISIS])), category
    return sum(scores.get(c, 0.0) for c in CATEGORIES), category


def crisis_score(probability: float, rule: bool, cue: bool,
                 rule_weight: float = RULE_WEIGHT, cue_weight: float = CUE_WEIGHT) -> float:
    return probability + (rule_weight if rule else 0.0) - (cue_weight if cue else 0.0)


def level_for(score: float, clear_at: float = CLEAR_AT,
              possible_at: float = POSSIBLE_AT) -> str | None:
    if score >= clear_at:
        return CLEAR
    if score >= possible_at:
        return POSSIBLE
    return None


@dataclass
class SafetyCheck:
    """Rules, cues and the model's crisis scores (category -> probability) when given."""

    scorer: Callable[[str], Mapping[str, float]] | None = None

    def check(self, text: str, model_scores: Mapping[str, float] | None = None
              ) -> CrisisFlag | None:
        """The crisis this message shows and how clearly, or None. Pass the model's scores
        when the caller already has them; otherwise the scorer is asked."""
        matched = rule_categories(text)
        # The model only speaks for messages with some words in them: on a bare "0" or
        # "ok" its scores mean nothing, and a digit is an answer to a numbered question.
        probability, category = 0.0, matched[0] if matched else CATEGORIES[0]
        if self.scorer is not None and len(normalise(text).split()) >= MIN_WORDS_FOR_MODEL:
            scores = model_scores if model_scores is not None else self.scorer(text)
            probability, model_category = model_probability(scores)
            category = matched[0] if matched else model_category
        score = crisis_score(probability, bool(matched), bool(cues(text)))
        level = level_for(score)
        if level is None:
            return None
        return CrisisFlag(category, "rule" if matched else "model", round(min(score, 1.0), 4),
                          level)
