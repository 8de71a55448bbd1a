"""Deciding what to do about a message's need once it has been read: answer, ask, clarify or
hand over to a person. A pure function of the reading and the conversation so far, called by
the conversation policy (frontdoor/policy.py) after the rules that come first (crisis,
opt-out, help, a thread a person has, an empty or a long message)."""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from frontdoor.triage.reading import Reading
from frontdoor.triage.text import normalise

# "Reply 0 to talk to ..." is offered on every bot reply, so 0 always means a person.
PERSON_DIGIT = "0"
_DIGIT = re.compile(r"^\s*(\d)\s*[.)!]?\s*$")
_DONT_KNOW = re.compile(
    r"\b(don'?t|dont|do\s+not|dunno|not\s+sure|no\s+idea|rather\s+not|prefer\s+not|"
    r"don'?t\s+want\s+to\s+say|skip|not\s+telling|anywhere)\b|^\s*(no|nope|idk|pass)\s*$")
_DID_NOT_HELP = re.compile(
    r"\b(did\s*n'?o?t|didnt|does\s*n'?t|doesnt|not|wasn'?t|isn'?t|none\s+of\s+(that|those|"
    r"them|these))\s*(help|helpful|useful|any\s+good|work|what\s+i\s+(need|want|asked))|"
    r"\bnone\s+of\s+(that|those|them|these)\b|\b(useless|no\s+use|not\s+what\s+i)\b")


# "the 1st one", "the second", "number 2", "no. 3": which entry of an answer is meant.
_ORDINAL = re.compile(
    r"\b(?:(?P<word>first|second|third|1st|2nd|3rd|last)\b|(?:number|no\.?|#)\s*(?P<digit>\d)\b)")
_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3}
ENTRIES = "entries"   # awaiting: the answer's numbered entries (their ids in options)


@dataclass(frozen=True)
class Context:
    """What the conversation already knows."""

    ward_code: str | None = None
    awaiting: str | None = None          # "area", "ward", "choice", "entries"
    options: tuple[str, ...] = ()        # needs (choice), ward codes (ward), entry ids
    pending_need: str | None = None


@dataclass(frozen=True)
class Answer:
    need: str
    ward_code: str | None          # None: city-wide entries


@dataclass(frozen=True)
class AskArea:
    need: str


@dataclass(frozen=True)
class AskWard:
    need: str
    ward_codes: tuple[str, ...]
    postcode: str | None


@dataclass(frozen=True)
class Clarify:
    needs: tuple[str, ...]


@dataclass(frozen=True)
class EntryDetail:
    """More about one entry of the last answer: when it is open, where, how to reach it."""

    entry_id: str
    number: int


@dataclass(frozen=True)
class Handoff:
    # Why, from the need: "asked_for_person", "did_not_help", "several_needs",
    # "other_language". (A crisis, a long message, a pause and a follow-up answer are handed
    # over by the policy before the need is decided: frontdoor/policy.py.)
    reason: str


@dataclass(frozen=True)
class ContactCentre:
    pass


@dataclass(frozen=True)
class Chat:
    kind: str       # "smalltalk", "thanks" (a warm close) or "out_of_scope"


Decision = Answer | AskArea | AskWard | Clarify | Handoff | ContactCentre | Chat | EntryDetail


def decide(reading: Reading, text: str, context: Context,
           answerable: AbstractSet[str]) -> Decision:
    """What to do about the need in a message the classifier has read. A clear crisis never
    gets here: the policy hands it over first, whatever the message also asks."""
    ward = reading.place.ward_code or context.ward_code
    digit = _DIGIT.match(text)
    if digit:
        return _numbered(digit.group(1), reading, context, answerable)
    if context.awaiting in {"area", "ward"} and context.pending_need:
        answered = _answer_to_place_question(reading, text, context, answerable)
        if answered is not None:
            return answered
    if context.awaiting == ENTRIES:
        entry = _entry_named(text, context.options)
        if entry is not None:
            return entry
    if reading.other_language:
        return Handoff("other_language")
    if _DID_NOT_HELP.search(normalise(text)):
        return Handoff("did_not_help")
    if reading.several_needs:
        return Handoff("several_needs")
    if reading.closing and reading.need == "smalltalk":
        return Chat("thanks")
    if context.awaiting == "choice" and context.options and reading.unsure \
            and (reading.place.ward_codes or reading.place.postcode):
        # The place answers nothing we asked: the same question again, now the place is known.
        return Clarify(context.options)
    if reading.unsure and reading.need not in {"smalltalk"}:
        options = tuple(reading.likely_needs(answerable))
        if options:
            return Clarify(options)
    decision = _for_need(reading.need, reading, ward, answerable)
    if isinstance(decision, AskArea) and context.awaiting == "area":
        # We asked once already: whatever came back, the resident gets something useful.
        return Answer(decision.need, None)
    return decision


def _entry_named(text: str, entry_ids: tuple[str, ...]) -> EntryDetail | None:
    """ "is the 1st one open sat?" after an answer: the entry it asks about."""
    match = _ORDINAL.search(normalise(text))
    if match is None or not entry_ids:
        return None
    word, digit = match.group("word"), match.group("digit")
    number = len(entry_ids) if word == "last" else (_ORDINALS[word] if word else int(digit))
    if not 1 <= number <= len(entry_ids):
        return None
    return EntryDetail(entry_ids[number - 1], number)


def _for_need(need: str, reading: Reading, ward: str | None,
              answerable: AbstractSet[str]) -> Decision:
    if need == "coordinator":
        return Handoff("asked_for_person")
    if need == "council_service":
        return ContactCentre()
    if need in {"smalltalk", "out_of_scope"} or need not in answerable:
        return Chat(need if need in {"smalltalk", "out_of_scope"} else "out_of_scope")
    if ward:
        return Answer(need, ward)
    if len(reading.place.ward_codes) > 1:
        return AskWard(need, reading.place.ward_codes,
                       reading.place.postcode or reading.place.area)
    if reading.place.postcode:
        # A postcode outside the council's area: share what is open to everyone.
        return Answer(need, None)
    return AskArea(need)


def _numbered(digit: str, reading: Reading, context: Context,
              answerable: AbstractSet[str]) -> Decision:
    if digit == PERSON_DIGIT:
        return Handoff("asked_for_person")
    index = int(digit) - 1
    if context.awaiting == "choice" and 0 <= index < len(context.options):
        need = context.options[index]
        return _for_need(need, reading, context.ward_code, answerable)
    if context.awaiting == "ward" and context.pending_need:
        if 0 <= index < len(context.options):
            return Answer(context.pending_need, context.options[index])
        if index == len(context.options):   # the last option: "I don't know"
            return Answer(context.pending_need, None)
    if context.awaiting == "area" and context.pending_need and digit == "1":
        return Handoff("asked_for_person") if context.pending_need == "coordinator" \
            else Answer(context.pending_need, None)
    if context.awaiting == "choice":
        return Clarify(context.options)
    if context.awaiting == ENTRIES and 0 <= index < len(context.options):
        return EntryDetail(context.options[index], index + 1)
    return Chat("smalltalk")


def _answer_to_place_question(reading: Reading, text: str, context: Context,
                              answerable: AbstractSet[str]) -> Decision | None:
    need = context.pending_need or ""
    place = reading.place
    if place.ward_code:
        return (Handoff("asked_for_person") if need == "coordinator"
                else Answer(need, place.ward_code))
    if len(place.ward_codes) > 1:
        return AskWard(need, place.ward_codes, place.postcode or place.area)
    if _DONT_KNOW.search(normalise(text)) or place.postcode:
        return Handoff("asked_for_person") if need == "coordinator" else Answer(need, None)
    if not reading.unsure and reading.need in answerable | {"council_service", "coordinator"}:
        return None   # a new request: read it afresh
    # We ask once; whatever comes back, the resident gets something useful.
    return Handoff("asked_for_person") if need == "coordinator" else Answer(need, None)
