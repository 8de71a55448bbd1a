"""Where the resident is: UK postcodes in any common form and ward names (misspellings too),
found with spaCy matchers and mapped to wards through the council's postcode table."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from spacy.lang.en import English
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Span
from spacy.util import filter_spans
from spacy.vocab import Vocab

from frontdoor.triage.reading import Place
from frontdoor.triage.text import normalise

OUTWARD = r"[a-z]{1,2}\d[a-z\d]?"
INWARD = r"\d[a-z]{2}"
_FULL = re.compile(rf"^({OUTWARD})\s*({INWARD})$")
# Postcodes as people type them: "DE 23 8AB", "de23-8ab", "DE23  8AB" are all "de23 8ab".
_LOOSE_POSTCODE = re.compile(
    r"\b([a-z]{1,2})\s?(\d[a-z\d]?)(?:\s*[-./]\s*|\s+)?(\d[a-z]{2})\b")
# A word that begins the names of several wards ("chaddesden" for Chaddesden East, North
# and West) names all of them; a shorter word is too likely an ordinary one.
AREA_WORD_LENGTH = 5


@dataclass(frozen=True)
class WardName:
    code: str
    name: str
    aliases: tuple[str, ...] = ()


def _joined(match: re.Match[str]) -> str:
    """A loosely typed postcode, written the one way the matcher reads."""
    outward, inward = match.group(1) + match.group(2), match.group(3)
    if not re.fullmatch(OUTWARD, outward):
        return match.group(0)
    return f"{outward} {inward}"


def format_postcode(raw: str) -> str | None:
    """'de238ab' -> 'DE23 8AB'; None when it is not a full postcode."""
    match = _FULL.match(raw.strip().lower().replace(" ", ""))
    if not match:
        return None
    return f"{match.group(1)} {match.group(2)}".upper()


@dataclass
class PlaceFinder:
    """Built once from the council's wards and postcode table; finds places in messages."""

    wards: Iterable[WardName]
    postcodes: Mapping[str, str]  # "DE23 8AB" or "DE23 8" -> ward code
    _nlp: English = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._nlp = English()
        vocab: Vocab = self._nlp.vocab
        self._by_district: dict[str, set[str]] = {}
        for key, ward_code in self.postcodes.items():
            self._by_district.setdefault(key.split(" ")[0], set()).add(ward_code)
        self._wards = list(self.wards)
        self._phrases = PhraseMatcher(vocab, attr="LOWER")
        self._fuzzy = Matcher(vocab)
        for ward in self._wards:
            names = {ward.name.lower(), ward.name.lower().replace("&", "and"), *ward.aliases}
            self._phrases.add(ward.code, [self._nlp.make_doc(n) for n in names if n])
            # One typo (two in long names) on each word of the ward's name, e.g. "normantn".
            for name in {ward.name.lower(), *ward.aliases}:
                words = [w for w in name.replace("&", " ").split() if len(w) >= 6]
                if len(words) == 1 and len(name.split()) == 1:
                    fuzz = "FUZZY2" if len(words[0]) >= 8 else "FUZZY1"
                    self._fuzzy.add(ward.code, [[{"LOWER": {fuzz: words[0]}}]])
        # Names that begin several wards' names (or their aliases): "alvaston".
        starts: dict[str, set[str]] = {}
        for ward in self._wards:
            for name in {ward.name.lower(), *ward.aliases}:
                first = name.replace("&", " ").split()[0] if name.split() else ""
                if len(first) >= AREA_WORD_LENGTH and len(name.split()) > 1:
                    starts.setdefault(first, set()).add(ward.code)
        self._areas = {word: tuple(sorted(codes)) for word, codes in starts.items()
                       if len(codes) > 1}
        for word in self._areas:
            self._phrases.add(f"area:{word}", [self._nlp.make_doc(word)])
        self._postcode = Matcher(vocab)
        self._postcode.add("FULL", [[{"LOWER": {"REGEX": rf"^{OUTWARD}{INWARD}$"}}],
                                    [{"LOWER": {"REGEX": rf"^{OUTWARD}$"}},
                                     {"LOWER": {"REGEX": rf"^{INWARD}$"}}]])
        self._postcode.add("DISTRICT", [[{"LOWER": {"REGEX": rf"^{OUTWARD}$"}}]])

    def find(self, text: str) -> Place:
        """The postcode or ward a message names, if any."""
        doc = self._nlp.make_doc(_LOOSE_POSTCODE.sub(_joined, normalise(text)))
        matches = sorted(self._postcode(doc), key=lambda m: (m[1], -(m[2] - m[1])))
        for match_id, start, end in matches:
            kind = self._nlp.vocab.strings[match_id]
            span = doc[start:end].text
            if kind == "FULL":
                postcode = format_postcode(span)
                if postcode:
                    return self._place_for_postcode(postcode)
        for match_id, start, end in matches:
            district = doc[start:end].text.upper()
            # A bare district is only a postcode if it is one of the council's own:
            # "m1" or "b12" in a message is more likely a motorway or a vitamin.
            if self._nlp.vocab.strings[match_id] == "DISTRICT" and district in self._by_district:
                return Place(district, tuple(sorted(self._by_district[district])))
        # The longest name wins where names overlap: "chaddesden east" over "chaddesden".
        spans = filter_spans([Span(doc, start, end, label=match_id)
                              for match_id, start, end in self._phrases(doc)])
        found = [span.label_ for span in sorted(spans, key=lambda s: s.start)]
        if not found:
            found = [self._nlp.vocab.strings[m] for m, _, _ in self._fuzzy(doc)]
        if found:
            # The first ward named wins; naming two wards is rare and the first is the usual home.
            if found[0].startswith("area:"):
                word = found[0].removeprefix("area:")
                return Place(None, self._areas[word], area=word.title())
            return Place(None, (found[0],))
        return Place()

    def _place_for_postcode(self, postcode: str) -> Place:
        sector = postcode[:-2]
        ward_code = self.postcodes.get(postcode) or self.postcodes.get(sector)
        if ward_code:
            return Place(postcode, (ward_code,))
        district = postcode.split(" ")[0]
        return Place(postcode, tuple(sorted(self._by_district.get(district, ()))))
