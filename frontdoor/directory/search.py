"""Choosing the directory entries that fit what a resident said: their words, their need,
their age and their place. One function, `offers_for`, serves the SMS and web-chat answers
and `frontdoor directory search`.

How an entry is chosen:

1. Only entries a resident may be sent: assured or modified within the council's freshness
   limit; in the resident's ward, a nearby ward (one sharing a postcode district) or
   city-wide; and, when the message gives an age ("my 3 year old", "im 78"), whose age
   range includes it.
2. Relevance to the message's words, on the entry's name, taxonomy terms and description.
   A resident's word also searches for the words directories use for it ("doctor" -> "GP",
   "leccy" -> "energy", synonyms.toml), and a slip ("benifits") is read as the nearest word
   the directory uses. Entries meeting the resident's need count in full, others at half.
3. An entry fits when its relevance is a fair share of the best one's. Among entries that
   fit: community groups first, then the resident's own ward, then a stated age the entry
   is made for. Nothing that does not fit is offered to pad the list: when nothing fits,
   the front door says so and offers the coordinator.
4. A message with no words the directory knows ("need help with that") falls back to the
   need alone, as before: community first, the resident's ward first.

Why these libraries rather than scoring by hand: relevance is BM25 from `bm25s` (the
standard ranking function for short keyword documents, with no training data needed, and
fast sparse scoring: under a millisecond for 5,000 entries); spelling slips are corrected by
`symspellpy` (SymSpell: the nearest of the directory's own words by edit distance, and its
English word list keeps real words such as "teach" from being "corrected" to "tech"); words
are reduced to their stem by `PyStemmer` (Snowball), so "registering" finds "registration";
stop words are spaCy's. The hand-written part is only the council's policy above (need,
place, community, age)."""

from __future__ import annotations

import calendar
import importlib.resources
import logging
import re
import threading
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import bm25s
import numpy as np
import sqlalchemy as sa
import Stemmer
from flask import current_app
from spacy.lang.en.stop_words import STOP_WORDS
from symspellpy import SymSpell, Verbosity

from frontdoor.directory.schedules import bank_holiday_note, describe_schedules
from frontdoor.extensions import db
from frontdoor.models import Council, DirectoryEntry, Postcode, Ward
from frontdoor.rota import Hours
from frontdoor.triage.text import normalise

SYNONYMS = Path(__file__).with_name("synonyms.toml")
# bm25s says "Building index from tokens" at DEBUG on every build; not worth a log line.
logging.getLogger("bm25s").setLevel(logging.WARNING)

# Weights. A word the resident said counts 1; a word it stands for (a synonym) counts less,
# and a corrected slip a little less than the word itself.
SYNONYM_WEIGHT = 0.6
SLIP_WEIGHT = 0.85
# An entry outside the resident's need still counts, at this share: the need classifier
# can be wrong, and a strong match on the resident's own words should not be lost.
OFF_NEED = 0.5
# An entry fits when its relevance is at least this share of the best entry's.
FIT_SHARE = 0.4
# Among entries that fit (relevance scaled to 0..1): the policy's nudges.
COMMUNITY_FIRST = 0.15
IN_WARD = 0.15
NEARBY_OR_CITYWIDE = 0.05
MADE_FOR_AGE = 0.1
MAX_AGE = 130
# BM25's usual settings (Lucene's defaults).
BM25_K1, BM25_B = 1.2, 0.75
# A name counts twice, and so do the council's taxonomy terms: both say what an entry is.
NAME_REPEAT, TERM_REPEAT = 2, 2

_TOKEN = re.compile(r"[a-z0-9]+")
_POSTCODE = re.compile(r"\b[a-z]{1,2}\d[a-z\d]?\s*(\d[a-z]{2})?\b")

NUMBER_WORDS = {w: n for n, w in enumerate((
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty"))}
NUMBER_WORDS |= {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
                 "eighty": 80, "ninety": 90}
_NUMBER = r"(\d{1,3}|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[ -](?:one|two|three|four|five|six|seven|eight|nine))?|" + \
    "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + ")"  # noqa: E501
AGE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"\b{_NUMBER}\s*(?:-|\s)?\s*(?:years?|yrs?|yo|y/o|yr)(?:\s*-?\s*olds?)?\b"),
     "years"),
    (re.compile(rf"\b{_NUMBER}\s*(?:-|\s)?\s*(?:months?|mths?|weeks?|wks?)\s*-?\s*old\b"),
     "baby"),
    (re.compile(rf"\b(?:i'?m|i am|aged?|age of)\s+{_NUMBER}\b(?!\s*(?:mins?|minutes|hours?|"
                r"days?|weeks?|miles?|am|pm|quid|pounds?|%))"), "years"),
    (re.compile(rf"\b(?:he|she|they)\s*(?:is|'s|s|are|'re)\s+{_NUMBER}\b(?!\s*(?:mins?|minutes|"
                r"hours?|days?|weeks?|miles?|am|pm))"), "years"),
    (re.compile(rf"\b(?:son|daughter|boy|girl|kid|child|grandson|granddaughter|mum|dad|nan)\s+"
                rf"(?:is|who'?s|whos|aged?)\s+{_NUMBER}\b"), "years"),
    (re.compile(rf"\bover\s+{_NUMBER}s?\b"), "over"),
)
WORD_AGES: tuple[tuple[re.Pattern[str], tuple[int, int]], ...] = (
    (re.compile(r"\b(?:teen|teens|teenage|teenager|teenagers)\b"), (13, 17)),
    (re.compile(r"\b(?:toddler|toddlers)\b"), (1, 3)),
    (re.compile(r"\b(?:newborn|new born|(?:my|our|the|new) (?:baby|babies))\b"), (0, 1)),
    (re.compile(r"\b(?:pensioner|oap|on my pension|state pension age)\b"), (66, MAX_AGE)),
)


@dataclass(frozen=True)
class AgeRange:
    low: int
    high: int

    def __str__(self) -> str:
        if self.low == self.high:
            return f"age {self.low}"
        return f"ages {self.low}+" if self.high >= MAX_AGE else f"ages {self.low}-{self.high}"


def _number(text: str) -> int | None:
    text = text.strip()
    if text.isdigit():
        return int(text)
    parts = re.split(r"[ -]", text)
    total = 0
    for part in parts:
        if part not in NUMBER_WORDS:
            return None
        total += NUMBER_WORDS[part]
    return total


def ages_in(message: str) -> tuple[AgeRange, ...]:
    """The ages a message gives: '3 year old', 'im 78', 'teenage son', 'over 60s'."""
    text = normalise(message)
    found: list[AgeRange] = []
    for pattern, kind in AGE_PATTERNS:
        for match in pattern.finditer(text):
            n = _number(match.group(1))
            if n is None or n > 110:
                continue
            age = AgeRange(0, 0) if kind == "baby" else AgeRange(n, MAX_AGE) if kind == "over" \
                else AgeRange(n, n)
            if age not in found:
                found.append(age)
    for pattern, (low, high) in WORD_AGES:
        if pattern.search(text) and AgeRange(low, high) not in found:
            found.append(AgeRange(low, high))
    return tuple(found)


# -- what the search holds -----------------------------------------------------------------

@dataclass(frozen=True)
class Listing:
    """One directory entry as the search sees it: plain values."""

    id: int
    oruk_id: str
    name: str
    summary: str
    description: str
    terms: tuple[str, ...]
    needs: frozenset[str]
    community: bool
    citywide: bool
    wards: frozenset[str]
    min_age: int | None
    max_age: int | None
    fresh_on: date | None          # the later of assured_date and last_modified
    contact: str
    hours: str
    schedules: tuple[Mapping[str, Any], ...] = ()
    address: str | None = None     # never set for a confidential location
    confidential: bool = False


@dataclass(frozen=True)
class Places:
    """The council's wards, as the search needs them."""

    names: Mapping[str, str]                       # ward code -> name
    phrases: tuple[str, ...] = ()                  # ward names and aliases, lower case
    nearby: Mapping[str, frozenset[str]] = field(default_factory=dict)
    area_words: tuple[str, ...] = ()               # the council's own name: "derby"

    @classmethod
    def from_wards(cls, wards: Iterable[tuple[str, str, str]], postcodes: Mapping[str, str],
                   area: str = "") -> Places:
        """From (code, name, aliases) rows and the postcode table: wards sharing a postcode
        district count as nearby (the data every council has; no map needed)."""
        wards = list(wards)
        districts: dict[str, set[str]] = {}
        for postcode, ward in postcodes.items():
            districts.setdefault(postcode.split(" ")[0], set()).add(ward)
        nearby: dict[str, set[str]] = {code: set() for code, _, _ in wards}
        for members in districts.values():
            for ward in members:
                nearby.setdefault(ward, set()).update(members - {ward})
        phrases = set()
        for _, name, aliases in wards:
            phrases |= {name.lower(), name.lower().replace("&", "and")}
            phrases |= {a.strip().lower() for a in aliases.split(";") if a.strip()}
        return cls({code: name for code, name, _ in wards},
                   tuple(sorted(phrases, key=len, reverse=True)),
                   {k: frozenset(v) for k, v in nearby.items()},
                   tuple(w for w in _TOKEN.findall(area.lower()) if w not in
                         {"city", "council", "borough", "county", "district", "demo"}))


@dataclass(frozen=True)
class Offer:
    """One entry offered, with the reasons it was chosen."""

    oruk_id: str
    name: str
    summary: str
    contact: str
    hours: str
    kind: str
    score: float
    why: tuple[str, ...]
    wards: tuple[str, ...]
    citywide: bool
    address: str | None
    min_age: int | None
    max_age: int | None
    needs: tuple[str, ...]


@dataclass(frozen=True)
class Offers:
    """What the search found for one message."""

    entries: tuple[Offer, ...]
    words: tuple[str, ...]               # the words it searched for
    ages: tuple[AgeRange, ...]

    @property
    def nothing_fits(self) -> bool:
        return not self.entries


# -- words ---------------------------------------------------------------------------------

def _tokens(text: str) -> list[str]:
    text = re.sub(r"'s\b", "", text)
    return _TOKEN.findall(text.replace("'", ""))


@dataclass(frozen=True)
class WordLists:
    """synonyms.toml: the words that say nothing, and the groups of words that say the same."""

    filler: frozenset[str]
    groups: tuple[tuple[str, ...], ...]


@lru_cache(maxsize=4)
def load_word_lists(path: Path = SYNONYMS) -> WordLists:
    """The filler words and synonym groups (synonyms.toml)."""
    with path.open("rb") as f:
        data = tomllib.load(f)
    return WordLists(frozenset(str(w).lower() for w in data.get("filler", [])),
                     tuple(tuple(str(w).lower() for w in group) for group in data["groups"]))


@dataclass(frozen=True)
class Concept:
    """One thing the resident asked about: the words that say it, each with its weight."""

    members: tuple[tuple[tuple[str, ...], float, str], ...]   # (stems, weight, as said)


class DirectoryIndex:
    """The directory held in memory for searching; built once per directory version."""

    def __init__(self, listings: Sequence[Listing], places: Places,
                 words: WordLists | None = None,
                 freshness_months: int = 12) -> None:
        self.listings = list(listings)
        self.places = places
        self.freshness_months = freshness_months
        self._stemmer = Stemmer.Stemmer("english")
        lists = words or load_word_lists()
        self._filler = lists.filler | STOP_WORDS
        groups = lists.groups
        self._groups = [tuple(tuple(_tokens(normalise(w))) for w in group) for group in groups]
        self._by_first: dict[str, list[tuple[tuple[str, ...], int]]] = {}
        for n, group in enumerate(self._groups):
            for member in group:
                if member:
                    self._by_first.setdefault(member[0], []).append((member, n))
        for members in self._by_first.values():
            # The longest phrase wins: "food bank" is one thing, not "food" and then "bank".
            members.sort(key=lambda m: -len(m[0]))
        documents = [self._document(listing) for listing in self.listings]
        self._bm25 = bm25s.BM25(k1=BM25_K1, b=BM25_B)
        self._bm25.index(documents or [[""]], show_progress=False)
        self._vocab: dict[str, int] = dict(self._bm25.vocab_dict)
        surface = {t for listing in self.listings for t in self._surface(listing)}
        surface |= {t for group in self._groups for member in group for t in member
                    if self._content(t)}
        self._known = surface
        english_words()   # loaded now, not on the first resident's message
        self._speller = SymSpell(max_dictionary_edit_distance=2, prefix_length=7)
        for word in surface:
            if len(word) >= 4:
                self._speller.create_dictionary_entry(word, 1)
        names = [*self.places.phrases, *self.places.area_words]
        self._place_words = re.compile(
            r"\b(?:" + "|".join(re.escape(n) for n in names) + r")\b") if names else None
        self._arrays()

    # building

    def _content(self, token: str) -> bool:
        """A word that can say which entry fits: not a stop word, filler, a digit or a letter."""
        return len(token) > 1 and not token.isdigit() and token not in self._filler

    def _surface(self, listing: Listing) -> list[str]:
        text = normalise(" ".join((listing.name, " ".join(listing.terms), listing.description)))
        return [t for t in _tokens(text) if self._content(t)]

    def _stems(self, words: Sequence[str]) -> list[str]:
        return list(self._stemmer.stemWords(list(words))) if words else []

    def _document(self, listing: Listing) -> list[str]:
        def words(text: str) -> list[str]:
            return [t for t in _tokens(normalise(text)) if self._content(t)]
        tokens = words(listing.name) * NAME_REPEAT + \
            words(" ".join(listing.terms)) * TERM_REPEAT + words(listing.description)
        return self._stems(tokens) or [""]

    def _arrays(self) -> None:
        listings = self.listings
        self._fresh = np.array([lst.fresh_on.toordinal() if lst.fresh_on else -1
                                for lst in listings], dtype=np.int64)
        self._citywide = np.array([lst.citywide for lst in listings], dtype=bool)
        self._community = np.array([lst.community for lst in listings], dtype=bool)
        self._min_age = np.array([lst.min_age if lst.min_age is not None else 0
                                  for lst in listings], dtype=np.int64)
        self._max_age = np.array([lst.max_age if lst.max_age is not None else MAX_AGE
                                  for lst in listings], dtype=np.int64)
        self._bounded = np.array([lst.min_age is not None or lst.max_age is not None
                                  for lst in listings], dtype=bool)
        self._needs: dict[str, np.ndarray] = {}
        self._wards: dict[str, np.ndarray] = {}
        for i, listing in enumerate(listings):
            for need in listing.needs:
                self._needs.setdefault(need, np.zeros(len(listings), dtype=bool))[i] = True
            for ward in listing.wards:
                self._wards.setdefault(ward, np.zeros(len(listings), dtype=bool))[i] = True
        self._none = np.zeros(len(listings), dtype=bool)
        self._name_rank = np.argsort(np.argsort([lst.name.casefold() for lst in listings]))

    # reading a message

    def _without_places(self, text: str) -> str:
        # Where the resident lives is the place rule's business, not a word to match: "im in
        # Oakwood" should not find Oakwood's lunch club for a doctor.
        text = _POSTCODE.sub(" ", text)
        return self._place_words.sub(" ", text) if self._place_words else text

    def _correct(self, token: str) -> str | None:
        """The directory's word nearest a slip, or None: one edit, two in long words.

        A real English word is never a slip, even when the directory lacks it."""
        if token in self._known or not self._content(token) or len(token) < 4 \
                or token in english_words():
            return None
        limit = 1 if len(token) < 8 else 2
        suggestions = self._speller.lookup(token, Verbosity.CLOSEST, max_edit_distance=limit)
        # A slip seldom changes the first letter; holding it fixed keeps real words apart.
        return next((s.term for s in suggestions if s.term[0] == token[0]), None)

    def concepts(self, message: str) -> list[Concept]:
        """What the message asks about, as weighted words the directory can be searched for."""
        raw = _tokens(self._without_places(normalise(message)))
        slips = {}
        for n, token in enumerate(raw):
            corrected = self._correct(token)
            if corrected:
                slips[corrected] = token
                raw[n] = corrected
        concepts: list[Concept] = []
        covered: set[int] = set()
        seen_groups: set[int] = set()
        for start, token in enumerate(raw):
            if start in covered:
                continue
            for member, group in self._by_first.get(token, []):
                if tuple(raw[start:start + len(member)]) != member or group in seen_groups:
                    continue
                seen_groups.add(group)
                covered.update(range(start, start + len(member)))
                said = " ".join(member)
                members = []
                for other in self._groups[group]:
                    words = [t for t in other if self._content(t)]
                    if not words:
                        continue
                    weight = 1.0 if other == member else SYNONYM_WEIGHT
                    if other == member and said in slips:
                        weight = SLIP_WEIGHT
                    members.append((tuple(self._stems(words)), weight, " ".join(other)))
                if members:
                    concepts.append(Concept(tuple(members)))
        for n, token in enumerate(raw):
            if n in covered or not self._content(token):
                continue
            weight = SLIP_WEIGHT if token in slips else 1.0
            concept = Concept(((tuple(self._stems([token])), weight, token),))
            if concept not in concepts:
                concepts.append(concept)
        return concepts

    def _known_concepts(self, concepts: Sequence[Concept]) -> list[Concept]:
        return [c for c in concepts
                if any(all(s in self._vocab for s in stems) for stems, _, _ in c.members)]

    def _relevance(self, concepts: Sequence[Concept]) -> tuple[np.ndarray, list[np.ndarray],
                                                              list[np.ndarray]]:
        """Per entry: the relevance, and for each concept its score and best member."""
        cache: dict[str, np.ndarray] = {}

        def scores(stem: str) -> np.ndarray:
            if stem not in cache:
                cache[stem] = self._bm25.get_scores_from_ids([self._vocab[stem]]) \
                    if stem in self._vocab else np.zeros(len(self.listings), dtype=np.float32)
            return cache[stem]

        def phrase(stems: tuple[str, ...]) -> np.ndarray:
            parts = [scores(s) for s in stems]
            total = np.sum(parts, axis=0)
            # A phrase counts only where all its words are: "passed away" is not "bus pass".
            return total if len(parts) == 1 else total * np.all(np.stack(parts) > 0, axis=0)

        total = np.zeros(len(self.listings), dtype=np.float64)
        per_concept, best_member = [], []
        for concept in concepts:
            raw = [phrase(stems) for stems, _, _ in concept.members]
            tops = [float(r.max()) for r in raw]
            scale = max(tops)
            # Each word of a concept is measured against the best any entry does on that word,
            # so a common synonym ("pantry", in every pantry) is not worth less than a rare
            # one; the concept as a whole keeps the weight of its best-matched word.
            stacked = np.stack([weight * r / top * scale if top > 0 else r
                                for r, top, (_, weight, _) in zip(raw, tops, concept.members,
                                                                  strict=True)])
            # One concept counts once, through the best of its words: a directory that lists
            # many synonyms should not outrank one that names the thing plainly.
            best = stacked.max(axis=0)
            total += best
            per_concept.append(best)
            best_member.append(stacked.argmax(axis=0))
        return total, per_concept, best_member

    # choosing

    def search(self, message: str, need: str | None, ward_code: str | None, today: date,
               limit: int = 3, hours: Hours | None = None) -> Offers:
        """The entries that fit the message, best first; none when nothing fits."""
        hours = hours or Hours()
        size = len(self.listings)
        ages = ages_in(message)
        said = self.concepts(message)
        concepts = self._known_concepts(said)
        words = tuple(dict.fromkeys(m[2] for c in concepts for m in c.members
                                    if m[1] >= SLIP_WEIGHT))
        if size == 0 or (said and not concepts) or (not concepts and need is None):
            # The resident asked for something in words the directory has none of ("a
            # solicitor"), or for nothing in particular: say so and offer the coordinator,
            # rather than guess.
            return Offers((), words, ages)

        cutoff = _months_before(today, self.freshness_months).toordinal()
        allowed = self._fresh >= cutoff
        in_ward = self._wards.get(ward_code, self._none) if ward_code else self._none
        nearby = self._none.copy()
        if ward_code:
            for other in self.places.nearby.get(ward_code, ()):
                nearby |= self._wards.get(other, self._none)
            nearby &= ~in_ward
        allowed &= in_ward | nearby | self._citywide
        if ages:
            fits_age = self._none.copy()
            made_for = self._none.copy()
            for age in ages:
                overlap = (self._min_age <= age.high) & (self._max_age >= age.low)
                fits_age |= overlap
                made_for |= overlap & self._bounded
            allowed &= fits_age
        meets = self._needs.get(need, self._none) if need else np.ones(size, dtype=bool)

        if concepts:
            relevance, per_concept, best_member = self._relevance(concepts)
            adjusted = relevance * np.where(meets, 1.0, OFF_NEED)
            adjusted[~allowed] = 0.0
            best = float(adjusted.max())
            if best <= 0:
                return Offers((), words, ages)
            fits = adjusted >= FIT_SHARE * best
            score = adjusted / best
        else:
            # No word the directory knows: the need alone, as the front door always did.
            per_concept, best_member = [], []
            fits = allowed & meets
            score = fits.astype(np.float64)
        fits &= allowed
        score = score + COMMUNITY_FIRST * self._community + IN_WARD * in_ward \
            + NEARBY_OR_CITYWIDE * (nearby | (self._citywide & ~in_ward))
        if ages:
            score = score + MADE_FOR_AGE * made_for
        candidates = np.flatnonzero(fits)
        # Best score first, then by name so equal scores always come in the same order.
        chosen = [int(i) for i in candidates[np.lexsort((self._name_rank[candidates],
                                                         -score[candidates]))]]
        if not concepts:
            chosen = _keep_one_service(chosen, self._community, limit)
        offers = []
        for i in chosen[:limit]:
            listing = self.listings[i]
            why = [*_words_matched(i, concepts, per_concept, best_member),
                   *self._why_this_entry(listing, need, ward_code, bool(in_ward[i]),
                                         bool(nearby[i]), ages)]
            opening = describe_schedules(listing.schedules, today) if listing.schedules \
                else listing.hours
            note = bank_holiday_note(listing.schedules, today, hours)
            offers.append(Offer(
                oruk_id=listing.oruk_id, name=listing.name, summary=listing.summary,
                contact=listing.contact, hours=f"{opening}, {note}" if opening and note
                else opening or note, kind="community" if listing.community else "service",
                score=round(float(score[i]), 3), why=tuple(why),
                wards=tuple(sorted(self.places.names.get(w, w) for w in listing.wards)),
                citywide=listing.citywide,
                address=None if listing.confidential else listing.address,
                min_age=listing.min_age, max_age=listing.max_age,
                needs=tuple(sorted(listing.needs))))
        return Offers(tuple(offers), words, ages)

    def _why_this_entry(self, listing: Listing, need: str | None, ward_code: str | None,
                        in_ward: bool, nearby: bool, ages: Sequence[AgeRange]) -> list[str]:
        """Why an entry was offered besides its words: need, place, kind, age."""
        why = []
        if need and need in listing.needs:
            why.append(f"need: {need}")
        if ward_code and in_ward:
            why.append(f"in {self.places.names.get(ward_code, ward_code)}")
        elif ward_code and nearby:
            why.append("nearby: " + ", ".join(sorted(
                self.places.names.get(w, w) for w in listing.wards)))
        elif listing.citywide:
            why.append("city-wide")
        if listing.community:
            why.append("community group")
        if ages and (listing.min_age is not None or listing.max_age is not None):
            why.append(f"{', '.join(map(str, ages))} fits {_age_words(listing)}")
        return why


def _words_matched(i: int, concepts: Sequence[Concept], per_concept: Sequence[np.ndarray],
                   best_member: Sequence[np.ndarray]) -> list[str]:
    """The words of the message that matched entry `i`."""
    why = []
    for c, concept in enumerate(concepts):
        if per_concept[c][i] > 0:
            _, _, said = concept.members[best_member[c][i]]
            asked = next((m[2] for m in concept.members if m[1] >= SLIP_WEIGHT), said)
            why.append(f"'{said}'" + (f" (for '{asked}')" if asked != said else ""))
    return why


def _keep_one_service(chosen: list[Any], community: np.ndarray, limit: int) -> list[Any]:
    """With the need alone to go on, lead with the community but keep one formal service
    in view when there is one (the front door's rule before words counted)."""
    top = chosen[:limit]
    if not top or not all(community[i] for i in top):
        return chosen
    service = next((i for i in chosen[limit:] if not community[i]), None)
    if service is None:
        return chosen
    return top[:limit - 1] + [service] + [i for i in chosen if i not in top and i != service]


def _age_words(listing: Listing) -> str:
    low, high = listing.min_age, listing.max_age
    if low is not None and high is not None:
        return f"{low}-{high}"
    return f"{low}+" if low is not None else f"up to {high}"


def _months_before(day: date, months: int) -> date:
    """The same day `months` earlier (the month's last day when it has fewer days)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """English words (SymSpell's frequency list, about 83,000 words, shipped with it)."""
    listing = importlib.resources.files("symspellpy") / "frequency_dictionary_en_82_765.txt"
    return frozenset(line.split(" ", 1)[0] for line in listing.read_text().splitlines())


# -- from the database ---------------------------------------------------------------------

_lock = threading.Lock()
_EXTENSION = "frontdoor.directory_index"


def listing_from(entry: DirectoryEntry) -> Listing:
    fresh = [d for d in (entry.assured_date,
                         entry.last_modified.date() if entry.last_modified else None) if d]
    return Listing(
        id=entry.id, oruk_id=entry.oruk_id or str(entry.id), name=entry.name,
        summary=entry.summary, description=entry.description,
        terms=tuple(t for t in entry.terms.split(";") if t), needs=frozenset(entry.need_list),
        community=entry.kind == "community", citywide=entry.citywide,
        wards=frozenset(w.code for w in entry.wards), min_age=entry.min_age,
        max_age=entry.max_age, fresh_on=max(fresh) if fresh else None, contact=entry.contact,
        hours=entry.hours, schedules=tuple(entry.schedules or ()),
        address=None if entry.confidential else entry.address, confidential=entry.confidential)


_VERSION = sa.select(
    sa.select(sa.func.count()).select_from(DirectoryEntry).scalar_subquery(),
    sa.select(sa.func.max(DirectoryEntry.updated_at)).scalar_subquery(),
    sa.select(sa.func.count()).select_from(Postcode).scalar_subquery(),
    sa.select(sa.func.count(Ward.code) + sa.func.coalesce(
        sa.func.sum(sa.func.length(Ward.aliases)), 0)).scalar_subquery(),
    sa.select(Council.directory_freshness_months).where(Council.id == 1).scalar_subquery(),
    sa.select(Council.name).where(Council.id == 1).scalar_subquery(),
)


def _version() -> tuple[Any, ...]:
    """Changes whenever an import, or `load-config`, changes what the search would hold."""
    # One small statement per search (about a millisecond): every web worker notices an
    # import at once, with nothing to tell them.
    return tuple(db.session.execute(_VERSION).one())


def build_index() -> DirectoryIndex:
    """The directory, wards and freshness limit as they are in the database now."""
    entries = db.session.scalars(sa.select(DirectoryEntry).options(
        sa.orm.selectinload(DirectoryEntry.wards))).all()
    council = db.session.get(Council, 1)
    wards = db.session.execute(sa.select(Ward.code, Ward.name, Ward.aliases)).all()
    postcodes = dict(db.session.execute(sa.select(Postcode.postcode,
                                                  Postcode.ward_code)).all())
    places = Places.from_wards(wards, postcodes, council.name if council else "")
    return DirectoryIndex([listing_from(e) for e in entries], places,
                          freshness_months=council.directory_freshness_months if council
                          else 12)


def directory_index() -> DirectoryIndex:
    """The index for this process, rebuilt when the directory has changed since it was built."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    version = _version()
    cached = app.extensions.get(_EXTENSION)
    if cached is not None and cached[0] == version:
        return cached[1]
    with _lock:
        cached = app.extensions.get(_EXTENSION)
        if cached is not None and cached[0] == version:
            return cached[1]
        index = build_index()
        app.extensions[_EXTENSION] = (version, index)
        return index


def offers_for(message: str, need: str | None, ward_code: str | None, today: date,
               limit: int = 3, hours: Hours | None = None) -> Offers:
    """The directory entries to offer for a message, a need and a ward, best first."""
    return directory_index().search(message, need, ward_code, today, limit=limit, hours=hours)
