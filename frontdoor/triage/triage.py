"""Triage: one reading of a message (crisis, need with how sure, several needs, place), from
the safety check, the classifier and the place finder together."""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping

from spacy.lang.en import English
from spacy.matcher import PhraseMatcher

from frontdoor.triage.classifier import Classifier, Scores
from frontdoor.triage.data import NeedDefinition
from frontdoor.triage.entities import PlaceFinder
from frontdoor.triage.language import vocabulary
from frontdoor.triage.reading import CrisisFlag, Place, Reading
from frontdoor.triage.safety import SafetyCheck
from frontdoor.triage.text import normalise

# Two thresholds: below MIN_CONFIDENCE, or with the top two needs closer than MIN_MARGIN,
# the front door asks which need the resident means instead of guessing.
MIN_CONFIDENCE = 0.4
MIN_MARGIN = 0.1
# A keyword that plainly names one need lifts that need to at least this confidence.
KEYWORD_CONFIDENCE = 0.7
_WORD = re.compile(r"[^\W\d_]+")
VAGUE_WORDS = 5
# ...unless the model is this sure of it: "need food DE21 6GH" names its need plainly.
SURE_OF_SHORT = 0.85
# Thanks and goodbye: a message of these (read as small talk) gets a warm close.
CLOSING = ("thanks", "thank you", "thankyou", "thank u", "thx", "ta", "cheers", "bye",
           "goodbye", "good bye", "see you", "that's great", "thats great", "brilliant",
           "lovely", "perfect", "that helps", "that's helpful", "much appreciated", "great stuff",
           "will do", "ok great", "sorted")
# A message is read as another language when, of at least OTHER_LANGUAGE_WORDS words, fewer
# than ENGLISH_SHARE are words the model met in training (or most letters are not Latin).
OTHER_LANGUAGE_WORDS = 3
ENGLISH_SHARE = 0.3
# A keyword's need counts towards "several needs" from this model score up.
SEVERAL_MIN = 0.08
# Needs the front door answers from the directory: two of these at once go to a person.
ANSWERABLE = "directory"
HANDOFF = "handoff"


class Triage:
    """The classifier, the crisis check and the need keywords, loaded once per process."""

    def __init__(self, classifier: Classifier, needs: Mapping[str, NeedDefinition]) -> None:
        self.classifier = classifier
        self.needs = needs
        self.answerable = {n.label for n in needs.values() if n.answer == ANSWERABLE}
        # A short message that names no need is asked about, not guessed: these are the
        # needs a guess could land on (a question still offers 0 for the coordinator).
        self.guessable = self.answerable | {n.label for n in needs.values()
                                            if n.answer == HANDOFF}
        self._nlp = English()
        self._keywords = PhraseMatcher(self._nlp.vocab, attr="LOWER")
        for need in needs.values():
            if need.keywords:
                # "lunch clubs" is "lunch club": each keyword is matched in the plural too.
                forms = {form for k in need.keywords for form in (k, _plural(k))}
                self._keywords.add(need.label, [self._nlp.make_doc(k) for k in sorted(forms)])
        self._closing = PhraseMatcher(self._nlp.vocab, attr="LOWER")
        self._closing.add("closing", [self._nlp.make_doc(c) for c in CLOSING])
        # The words the model was trained on, read once: a message with few of them is in
        # another language (or is not words at all).
        # Welsh words count only towards Welsh: "mam" (mum) makes Polish look known.
        known = frozenset(
            s for s in classifier.nlp.vocab.strings if s.isalpha() and s.islower())
        welsh, english = vocabulary("cy"), vocabulary("en")
        self._known_by_language = (known - (welsh - english), welsh & known)
        self.safety = SafetyCheck(
            scorer=(lambda text: classifier.score(text).crisis) if classifier.has_crisis else None)
        # One message at a time in a process: spaCy's vocabulary grows as it meets new words,
        # and is not safe to grow from two threads at once (gunicorn's threaded workers). The
        # reading is CPU work under Python's one lock anyway: nothing is lost by waiting.
        self._reading_lock = threading.Lock()

    def keyword_needs(self, text: str) -> list[str]:
        """Needs named plainly by a keyword, in the order they appear."""
        doc = self._nlp.make_doc(normalise(text))
        seen: list[str] = []
        for match_id, _, _ in sorted(self._keywords(doc), key=lambda m: m[1]):
            label = self._nlp.vocab.strings[match_id]
            if label not in seen:
                seen.append(label)
        return seen

    def closing(self, text: str) -> bool:
        return bool(self._closing(self._nlp.make_doc(normalise(text))))

    def other_language(self, text: str) -> bool:
        """Written in a language the front door was not trained on (Polish, Urdu...): few
        of its words are words the model met in English examples, or in Welsh ones."""
        letters = [ch for ch in text if ch.isalpha()]
        if not letters:
            return False
        if sum(1 for ch in letters if ord(ch) > 0x24F) > len(letters) / 2:
            return True   # mostly letters outside the Latin alphabets
        words = [w for w in _WORD.findall(normalise(text)) if len(w) > 1]
        if len(words) < OTHER_LANGUAGE_WORDS:
            return False
        known = max(sum(1 for w in words if w in vocabulary)
                    for vocabulary in self._known_by_language)
        return known / len(words) < ENGLISH_SHARE

    def safety_check(self, text: str) -> CrisisFlag | None:
        """The crisis check alone."""
        return self.safety.check(text)

    def read(self, text: str, places: PlaceFinder | None = None) -> Reading:
        """Read a message: crisis first, then need and place."""
        with self._reading_lock:
            # One pass of the pipeline gives both the need and the crisis scores.
            scores = self.classifier.score(text)
            crisis = self.safety.check(
                text, scores.crisis if self.classifier.has_crisis else None)
            return self._reading(text, scores, crisis,
                                 places.find(text) if places else Place())

    def _reading(self, text: str, scores: Scores, crisis: CrisisFlag | None,
                 place: Place) -> Reading:
        need_scores = dict(scores.need)
        keyword = self.keyword_needs(text)
        if len(keyword) == 1 and keyword[0] in need_scores:
            need_scores[keyword[0]] = max(need_scores[keyword[0]], KEYWORD_CONFIDENCE)
        ranked = tuple(sorted(need_scores.items(), key=lambda kv: kv[1], reverse=True))
        (top, confidence), runner_up = ranked[0], (ranked[1][1] if len(ranked) > 1 else 0.0)
        unsure = confidence < MIN_CONFIDENCE or confidence - runner_up < MIN_MARGIN
        # A short message that names no need ("i need some help please") gets a question,
        # however sure the model claims to be: guessing a need from it helps nobody.
        if not keyword and top in self.guessable and len(text.split()) <= VAGUE_WORDS \
                and confidence < SURE_OF_SHORT:
            unsure = True
        # A keyword counts towards several needs when the model sees that need in the
        # message too: "on my laptop now, still need that food bank" is one need.
        several = tuple(n for n in keyword if n in self.answerable
                        and scores.need.get(n, 0.0) >= SEVERAL_MIN)
        return Reading(top, round(confidence, 4), unsure, ranked,
                       several if len(several) > 1 else (), crisis, place,
                       closing=top == "smalltalk" and self.closing(text),
                       other_language=self.other_language(text),
                       crisis_scores=scores.crisis if self.classifier.has_crisis else None)


def _plural(keyword: str) -> str:
    """The plural of a keyword's last word ("lunch club" -> "lunch clubs")."""
    if keyword.endswith("s") or not keyword[-1:].isalpha():
        return keyword
    if keyword.endswith("y") and keyword[-2:-1] not in "aeiou":
        return keyword[:-1] + "ies"
    return keyword + ("es" if keyword.endswith(("ch", "sh", "x")) else "s")
