"""Which language a resident wrote in: Welsh ("cy") or English ("en").

Residents text Welsh the way they speak it: no accents ("sdim bwyd yn y ty"), South Walian
words ("moyn", "ffaelu", "sai'n"), typos, and English words in Welsh sentences ("landlord
wedi rhoi notice i fi"). Language-id libraries learn from written Welsh and stumble on
that, and on two-word messages: measured on the project's held-out examples, py3langid
(English and Welsh only) took "bore da" and "ta ra" for English and "human" and "yo" for
Welsh; lingua missed "helo 'na" and "landlord wedi rhoi notice i fi".

So this is a small model of the project's own: naive Bayes over the character n-grams (1
to 4 letters, inside words padded with spaces) of the English and Welsh examples in
`intents/` (need and crisis training splits; Welsh ones under `cy/`). Function words
("yn", "fi", "gyda", "sdim", "plis") and Welsh spellings ("dd", "ll", "wy", "ff") carry
it. It is rebuilt from the examples each time a process starts (under a second), so new
examples count at once. English is the default: a message is Welsh only when the
evidence for Welsh beats English by MARGIN, so "ok", "PIP", "hi hi" and a bare postcode
stay English.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from frontdoor.triage.text import normalise

Language = Literal["cy", "en"]
LANGUAGES: tuple[Language, ...] = ("cy", "en")

# How much likelier (as a natural log) Welsh must be than English. Chosen on the training
# split by leaving each example out in turn (bench/language.py), never on the test split.
MARGIN = 2.0
SMALLEST, LARGEST = 1, 4
SMOOTHING = 1.0
# No one word counts for more than this, so one long unusual word does not decide.
WORD_LIMIT = 4.0
# Words of letters (and inner apostrophes); words with digits (postcodes, prices) and links
# say nothing about the language.
_WORD = re.compile(r"^[^\W\d_]+(?:'[^\W\d_]+)*$")
_EDGES = re.compile(r"^[^\w']+|[^\w']+$|^'+|'+$")


def words(text: str) -> list[str]:
    """The words of a message, lower case, without punctuation, numbers or links."""
    found = []
    for token in normalise(text).split():
        token = _EDGES.sub("", token)
        if _WORD.match(token):
            found.append(token)
    return found


def char_ngrams(word: str) -> list[str]:
    """A word's character n-grams, padded with spaces so beginnings and ends count."""
    padded = f" {word} "
    return [padded[i:i + n] for n in range(SMALLEST, LARGEST + 1)
            for i in range(len(padded) - n + 1)]


class _Counts:
    """log P(item | language) for Welsh and English, add-one smoothed, with each
    language's counts scaled to the same total: Welsh has far fewer examples, and a rare
    English item must not count as evidence for Welsh."""

    def __init__(self, counts: dict[str, Counter[str]]) -> None:
        vocabulary = set(counts["cy"]) | set(counts["en"])
        scale = max(sum(seen.values()) for seen in counts.values())
        total = scale + SMOOTHING * len(vocabulary)
        self.log_prob: dict[str, dict[str, float]] = {}
        self.unseen = math.log(SMOOTHING / total)
        for language, seen in counts.items():
            factor = scale / sum(seen.values())
            self.log_prob[language] = {item: math.log((c * factor + SMOOTHING) / total)
                                       for item, c in seen.items()}

    def __contains__(self, item: str) -> bool:
        return item in self.log_prob["cy"] or item in self.log_prob["en"]

    def evidence(self, item: str) -> float:
        return (self.log_prob["cy"].get(item, self.unseen)
                - self.log_prob["en"].get(item, self.unseen))


@dataclass(frozen=True)
class LanguageModel:
    """Naive Bayes, word by word: a word met in the examples counts by how often each
    language used it ("help" is as common in both, "diolch" only Welsh); a word never met
    (a typo, a new word) by its character n-grams. Each word counts at most WORD_LIMIT."""

    words: _Counts
    ngrams: _Counts
    margin: float = MARGIN

    @classmethod
    def fit(cls, welsh: Iterable[str], english: Iterable[str],
            margin: float = MARGIN) -> LanguageModel:
        word_counts: dict[str, Counter[str]] = {"cy": Counter(), "en": Counter()}
        for language, texts in (("cy", welsh), ("en", english)):
            for text in texts:
                word_counts[language].update(words(text))
        if not word_counts["cy"] or not word_counts["en"]:
            raise ValueError("a language model needs Welsh and English examples")
        gram_counts: dict[str, Counter[str]] = {
            language: Counter(g for word, n in seen.items() for g in char_ngrams(word)
                              for _ in range(n))
            for language, seen in word_counts.items()}
        return cls(_Counts(word_counts), _Counts(gram_counts), margin)

    def word_evidence(self, word: str) -> float:
        if word in self.words:
            found = self.words.evidence(word)
        else:
            # N-grams neither language has shown say nothing ("asdfgh", names).
            found = sum(self.ngrams.evidence(g) for g in char_ngrams(word) if g in self.ngrams)
        return max(-WORD_LIMIT, min(WORD_LIMIT, found))

    def welsh_evidence(self, text: str) -> float:
        """How much likelier Welsh is than English (a log ratio): above zero leans Welsh."""
        return sum(self.word_evidence(word) for word in words(text))

    def language_of(self, text: str) -> Language:
        return "cy" if self.welsh_evidence(text) > self.margin else "en"

    def vocabulary(self, language: Language) -> frozenset[str]:
        """The words the examples in one language use, and the parts of words with an
        apostrophe ("fi'n": "fi", "n")."""
        return frozenset(part for word in self.words.log_prob[language]
                         for part in (word, *word.split("'")) if part)


def training_texts(intents_dir: Path, split: str = "train") -> dict[Language, list[str]]:
    """Every example of a split by language: need and crisis examples (Welsh under cy/)."""
    from frontdoor.triage.data import load_crisis_examples, load_examples

    texts: dict[Language, list[str]] = {"cy": [], "en": []}
    for example in (*load_examples(intents_dir, split), *load_crisis_examples(intents_dir, split)):
        texts["cy" if example.language == "cy" else "en"].append(example.text)
    return texts


@functools.cache
def model_for(intents_dir: Path) -> LanguageModel:
    texts = training_texts(intents_dir)
    return LanguageModel.fit(texts["cy"], texts["en"])


def default_intents_dir() -> Path:
    # The checkout's intents/ (INTENTS_DIR's default), found from here: triage reads no
    # settings, so it stays free of the app and its database (pyproject.toml's contracts).
    return Path(__file__).resolve().parents[2] / "intents"


def vocabulary(language: Language) -> frozenset[str]:
    """The words the project's examples in one language use."""
    return model_for(default_intents_dir()).vocabulary(language)


def language_of(text: str) -> Language:
    """ "cy" if the message is clearly Welsh, else "en" (short or unclear messages too)."""
    return model_for(default_intents_dir()).language_of(text)
