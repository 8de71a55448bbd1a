"""The conversation policy: every per-message rule, as one pure function from plain values to
a `Decision`. No Flask, no database, no model: the engine (frontdoor/conversations.py)
stores the message, has triage read it, gathers the `Situation`, asks `decide`, and applies
the answer (who takes the thread, the words: frontdoor/replies.py).

The rules, in the order they are tried (the first that fits wins):

1. A clear crisis: an urgent hand-over and the numbers, whoever has the thread, even for a
   resident who opted out (who is then told nothing). A possible crisis is answered as
   usual below, each reply with one gentle line and a number, and a person told to check in.
2. Opt-out (the provider's command, then the council's own), a follow-up's answer, opt-in.
3. Nothing more for a resident who opted out; HELP; a language switch word.
4. A thread a person has: an urgent one nobody has taken yet gets the numbers again; any
   other waits for its coordinator (the bot never talks over them).
5. The front door paused by a lead; an empty message; a long one.
6. The need (frontdoor/triage/decide.py): answer, ask, clarify, or hand over.

Which words are a command (STOP, START, HELP) is the channel's to say, not the policy's:
it comes as `Situation.command` (frontdoor/inbound.py Command; frontdoor/channels/).
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Literal

from frontdoor.inbound import Command, keyword
from frontdoor.triage import decide as needs
from frontdoor.triage.reading import Reading

# Twilio's own limit for one message. Longer is a lot for a bot to answer well, and a
# person reads all of it: the hand-over reason "long" is given here and nowhere else.
LONG_MESSAGE = 1600
# The follow-up answer that asks for a person (frontdoor/followups.py ANSWERS).
FOLLOW_UP_PERSON = "person"

ReplyKind = Literal[
    "nothing",              # no reply (opted out; Twilio confirms STOP itself)
    "crisis",               # the crisis numbers and who will call
    "crisis_reminder",      # the numbers again, on an urgent thread nobody has taken yet
    "opted_out",            # confirming the council's own opt-out word (COUNCIL_OPT_OUT)
    "follow_up",            # thanks for answering "did it help?" (or a person, for 0)
    "opted_in",             # welcome back
    "help",                 # what the front door is and how to reach a person
    "language_switched",    # "Cymraeg" / "English" sent alone
    "with_coordinator",     # a person has the thread: at most "they are not working now"
    "paused",               # a lead paused the front door: a person reads it
    "no_words",             # an empty message (a photo alone, spaces)
    "long",                 # longer than LONG_MESSAGE: a person reads it
    "ask_area_for_person",  # a named person needs a ward: asked once
    "need",                 # the need's decision (Decision.need)
]


@dataclass(frozen=True)
class ThreadNow:
    """The resident's current thread, before this message."""

    owned: bool = False            # a coordinator is on it (a place is then only suggested)
    ward_code: str | None = None
    with_person: bool = False      # a person has it (threads.OPEN_STATES)
    urgent_untaken: bool = False   # urgent, with a person, and nobody has acknowledged it
    awaiting: str | None = None    # the question the bot asked: "area", "ward", "choice", ...
    options: tuple[str, ...] = ()
    pending_need: str | None = None


@dataclass(frozen=True)
class ResidentNow:
    opted_out: bool = False
    ward_code: str | None = None


@dataclass(frozen=True)
class CouncilNow:
    paused: bool = False
    # The words that switch language ("CYMRAEG"): empty unless several languages are offered.
    switch_words: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Situation:
    """Everything a per-message rule looks at, as plain values."""

    text: str                      # the whole message, as stored
    reading: Reading               # what triage made of it
    command: Command | None = None   # what the channel read it as (STOP, HELP ...)
    thread: ThreadNow = field(default_factory=ThreadNow)
    resident: ResidentNow = field(default_factory=ResidentNow)
    council: CouncilNow = field(default_factory=CouncilNow)
    # When a follow-up ("did it help?") is the last thing we said, and the text answers it:
    # the answer ("yes", "not_yet", "did_not_fit", "person").
    follow_up_answer: str | None = None
    answerable: AbstractSet[str] = frozenset()   # the needs answered from the directory


@dataclass(frozen=True)
class PlaceNote:
    """What the message's place changes: the resident's ward and postcode and the thread's
    ward (a thread nobody has yet), or only a suggestion for its coordinator."""

    ward_code: str | None = None
    postcode: str | None = None
    suggested_ward_code: str | None = None


@dataclass(frozen=True)
class Decision:
    reply: ReplyKind
    # Why a person takes the thread now (None: the bot keeps it): "crisis", "follow_up",
    # "paused", "long", or the need's reason (decide.Handoff: "asked_for_person", ...).
    hand_over: str | None = None
    crisis: str | None = None      # a clear crisis's category: the hand-over is urgent
    concern: str | None = None     # a possible crisis's category: a gentle line, a check-in
    opted_out: bool | None = None  # the resident's opt-out becomes this (None: unchanged)
    follow_up_answer: str | None = None   # recorded on the follow-up
    need: needs.Decision | None = None    # for reply "need"
    place: PlaceNote = field(default_factory=PlaceNote)


def decide(now: Situation) -> Decision:
    """What to do with one message: the rules in the module's docstring, in that order."""
    place = _place_note(now)
    crisis = now.reading.crisis
    if crisis is not None and crisis.level == "clear":
        # Safety first, every time, whoever owns the thread.
        return Decision("nothing" if now.resident.opted_out else "crisis", hand_over="crisis",
                        crisis=crisis.category, place=place)
    decision = _everyday(now, place.ward_code or now.resident.ward_code)
    concern = crisis.category if crisis is not None else None
    return Decision(decision.reply, decision.hand_over, None, concern, decision.opted_out,
                    decision.follow_up_answer, decision.need, place)


def _place_note(now: Situation) -> PlaceNote:
    """Where the resident says they live routes a new conversation; on a thread a
    coordinator already has, it is only a suggestion for them (resident text never
    changes who may see a thread)."""
    place = now.reading.place
    if not place.ward_code:
        return PlaceNote()
    if now.thread.owned:
        return PlaceNote(suggested_ward_code=place.ward_code
                         if place.ward_code != now.thread.ward_code else None)
    # Only a full postcode ("DE23 8AB") is the resident's; a district says too little.
    postcode = place.postcode if place.postcode and " " in place.postcode \
        and len(place.postcode) > 6 else None
    return PlaceNote(ward_code=place.ward_code, postcode=postcode)


def _everyday(now: Situation, ward_code: str | None) -> Decision:
    text, command = now.text, now.command
    resident, thread = now.resident, now.thread
    if command is Command.OPT_OUT:
        # The provider (Twilio) stops delivery and confirms to the resident itself; we say
        # nothing.
        return Decision("nothing", opted_out=True)
    if command is Command.COUNCIL_OPT_OUT:
        # The council's own words (Welsh ones: STOPIO): Twilio does not know them, so we
        # confirm, once, and the outbox sends nothing more (outgoing.queue_text).
        return Decision("opted_out", opted_out=True)
    if now.follow_up_answer is not None and not resident.opted_out:
        # An answer to "did it help?" (1, 2, 3 or 0): before opt-in, so "yes" is an answer.
        return Decision("follow_up", follow_up_answer=now.follow_up_answer,
                        hand_over="follow_up" if now.follow_up_answer == FOLLOW_UP_PERSON
                        else None)
    if command is Command.OPT_IN and resident.opted_out:
        # Only a resident who opted out is welcomed back; "yes" from anyone else is read
        # like any other message.
        return Decision("opted_in", opted_out=False)
    if resident.opted_out:
        return Decision("nothing")
    if command is Command.HELP:
        return Decision("help")
    if keyword(text) in now.council.switch_words:
        return Decision("language_switched")
    if thread.urgent_untaken:
        # A crisis thread nobody has taken yet never goes quiet, whatever is said next
        # ("forget I said anything" included): the numbers again, every time.
        return Decision("crisis_reminder")
    if thread.with_person:
        # The bot never talks over a coordinator; it only says when they will answer.
        return Decision("with_coordinator")
    if now.council.paused:
        # A lead paused the front door: a person reads every message, and the resident is
        # told so (crisis replies above still go out first).
        return Decision("paused", hand_over="paused")
    if not text.strip():
        return Decision("no_words")
    if len(text) > LONG_MESSAGE:
        return Decision("long", hand_over="long")
    context = needs.Context(ward_code=ward_code, awaiting=thread.awaiting,
                            options=thread.options, pending_need=thread.pending_need)
    need = needs.decide(now.reading, text, context, now.answerable)
    if isinstance(need, needs.Handoff):
        if need.reason == "asked_for_person" and ward_code is None \
                and thread.awaiting not in {"area", "ward"}:
            # A named person needs a ward: ask once, then hand over either way.
            return Decision("ask_area_for_person")
        return Decision("need", hand_over=need.reason, need=need)
    return Decision("need", need=need)
