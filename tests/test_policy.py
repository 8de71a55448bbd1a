"""The conversation policy (frontdoor/policy.py): one row per rule, each a distinct behaviour,
from plain values to the Decision. No database, no model: the unit tier."""

from __future__ import annotations

from dataclasses import replace

import pytest

from frontdoor import policy
from frontdoor.policy import (
    Command,
    CouncilNow,
    Decision,
    PlaceNote,
    ResidentNow,
    Situation,
    ThreadNow,
)
from frontdoor.triage import decide as needs
from frontdoor.triage.reading import CrisisFlag, Place, Reading

ANSWERABLE = frozenset({"food", "money", "housing", "loneliness"})
NORMANTON, ABBEY, ARBORETUM = "E05015521", "E05015507", "E05015508"


def read(need: str = "food", confidence: float = 0.9, unsure: bool = False,
         ranked: tuple[tuple[str, float], ...] = (), **kwargs: object) -> Reading:
    ranked = ranked or ((need, confidence), ("money", 0.05))
    return Reading(need, confidence, unsure, ranked, **kwargs)  # type: ignore[arg-type]


def crisis(level: str = "clear", category: str = "self_harm") -> CrisisFlag:
    return CrisisFlag(category, "rule", 1.0, level)


def situation(text: str = "need a food bank", reading: Reading | None = None,
              **kwargs: object) -> Situation:
    kwargs.setdefault("resident", ResidentNow(ward_code=NORMANTON))
    return Situation(text=text, reading=reading or read(), answerable=ANSWERABLE,
                     **kwargs)  # type: ignore[arg-type]


OPTED_OUT = ResidentNow(opted_out=True, ward_code=NORMANTON)
NO_WARD = ResidentNow()
WITH_SAM = ThreadNow(owned=True, with_person=True, ward_code=NORMANTON)
URGENT_UNTAKEN = replace(WITH_SAM, urgent_untaken=True)
WELSH_COUNCIL = CouncilNow(switch_words=frozenset({"CYMRAEG", "WELSH", "ENGLISH", "SAESNEG"}))
FOOD_HERE = Decision("need", need=needs.Answer("food", NORMANTON))

RULES = [
    # -- crisis: first, whoever has the thread -------------------------------------------
    ("a clear crisis is handed over urgently with the numbers",
     situation("i want to end it all", read("smalltalk", crisis=crisis())),
     Decision("crisis", hand_over="crisis", crisis="self_harm")),
    ("a clear crisis from a resident who opted out is handed over, and nothing is sent",
     situation("i want to end it all", read("smalltalk", crisis=crisis()), resident=OPTED_OUT),
     Decision("nothing", hand_over="crisis", crisis="self_harm")),
    ("a clear crisis on a thread a person has still gets the numbers",
     situation("he hit me again", read("smalltalk", crisis=crisis(category="abuse")),
               thread=WITH_SAM),
     Decision("crisis", hand_over="crisis", crisis="abuse")),
    ("a clear crisis beats the answer to a numbered question",
     situation("1", read("smalltalk", crisis=crisis()),
               thread=ThreadNow(awaiting="choice", options=("food", "money"))),
     Decision("crisis", hand_over="crisis", crisis="self_harm")),
    ("a clear crisis sent as STOP is still a crisis",
     situation("STOP", read("smalltalk", crisis=crisis()), command=Command.OPT_OUT),
     Decision("crisis", hand_over="crisis", crisis="self_harm")),
    ("a possible crisis is answered as usual, with a concern to carry",
     situation("so tired of everything, need food", read(crisis=crisis("possible", "low_mood"))),
     replace(FOOD_HERE, concern="low_mood")),
    ("a possible crisis from a resident who opted out: nothing sent, the concern kept",
     situation("so tired", read(crisis=crisis("possible", "low_mood")), resident=OPTED_OUT),
     Decision("nothing", concern="low_mood")),
    # -- opting out and in: which words are a command is the channel's to say --------------
    # (tests/channels/test_commands.py); the policy acts on the command.
    ("the provider's opt-out (STOP by text) opts out; Twilio confirms, we say nothing",
     situation(" stop. ", read("smalltalk"), command=Command.OPT_OUT),
     Decision("nothing", opted_out=True)),
    ("a stop the channel does not call a command (the web chat's) is read like any other "
     "message",
     situation("stop", read("smalltalk", 0.3, True)),
     Decision("need", need=needs.Chat("smalltalk"))),
    ("the council's own opt-out word is confirmed by us",
     situation("Stopio", read("smalltalk"), command=Command.COUNCIL_OPT_OUT),
     Decision("opted_out", opted_out=True)),
    ("START after opting out welcomes the resident back",
     situation("START", read("smalltalk"), resident=OPTED_OUT, command=Command.OPT_IN),
     Decision("opted_in", opted_out=False)),
    ("YES after opting out is an opt-in, even when a follow-up waits",
     situation("yes", read("smalltalk"), resident=OPTED_OUT, follow_up_answer="yes",
               command=Command.OPT_IN),
     Decision("opted_in", opted_out=False)),
    ("YES from a resident who never opted out is read like any message",
     situation("yes", read("smalltalk", 0.3, True), command=Command.OPT_IN),
     Decision("need", need=needs.Chat("smalltalk"))),
    ("an answer to 'did it help?' that is also YES is an answer, for a resident in",
     situation("yes", read("smalltalk"), follow_up_answer="yes", command=Command.OPT_IN),
     Decision("follow_up", follow_up_answer="yes")),
    ("anything else from a resident who opted out gets no reply",
     situation("need a food bank", resident=OPTED_OUT),
     Decision("nothing")),
    # -- a follow-up's answer, before opt-in -----------------------------------------------
    ("an answer to 'did it help?' is recorded and thanked",
     situation("1", read("smalltalk"), follow_up_answer="yes"),
     Decision("follow_up", follow_up_answer="yes")),
    ("0 in answer to 'did it help?' is recorded and handed to a person",
     situation("0", read("smalltalk"), follow_up_answer="person"),
     Decision("follow_up", hand_over="follow_up", follow_up_answer="person")),
    # -- control words ----------------------------------------------------------------------
    ("HELP says what the front door is",
     situation("help!", read("smalltalk"), command=Command.HELP), Decision("help")),
    ("HELP from a resident who opted out gets no reply",
     situation("help", read("smalltalk"), resident=OPTED_OUT, command=Command.HELP),
     Decision("nothing")),
    ("help in a sentence is words, not a command",
     situation("help me find a food bank"), FOOD_HERE),
    ("a language word switches language where several are offered",
     situation("Cymraeg", read("smalltalk"), council=WELSH_COUNCIL),
     Decision("language_switched")),
    ("a language word is an ordinary message where one language is offered",
     situation("Cymraeg", read("smalltalk", 0.3, True)),
     Decision("need", need=needs.Chat("smalltalk"))),
    # -- a thread a person has ------------------------------------------------------------
    ("an urgent thread nobody has taken gets the numbers again, whatever is said",
     situation("forget i said anything", read("smalltalk"), thread=URGENT_UNTAKEN),
     Decision("crisis_reminder")),
    ("the bot never talks over a coordinator",
     situation("need a food bank", thread=WITH_SAM), Decision("with_coordinator")),
    ("a thread with a person stays with them while the front door is paused",
     situation("need a food bank", thread=WITH_SAM, council=CouncilNow(paused=True)),
     Decision("with_coordinator")),
    # -- paused, empty, long --------------------------------------------------------------
    ("while a lead has paused the front door, a person reads every message",
     situation("need a food bank", council=CouncilNow(paused=True)),
     Decision("paused", hand_over="paused")),
    ("a message of spaces asks for words",
     situation("  ", read("smalltalk", 0.0, True)), Decision("no_words")),
    ("a message with no text at all (a photo alone) asks for words",
     situation("", read("smalltalk", 0.0, True)), Decision("no_words")),
    ("a message longer than LONG_MESSAGE goes to a person",
     situation("x" * (policy.LONG_MESSAGE + 1)), Decision("long", hand_over="long")),
    ("a message of exactly LONG_MESSAGE is answered",
     situation("x" * policy.LONG_MESSAGE), FOOD_HERE),
    # -- the need ---------------------------------------------------------------------------
    ("a sure need in a known ward is answered there",
     situation(), FOOD_HERE),
    ("a sure need from a resident whose ward is unknown asks the area",
     situation(resident=NO_WARD), Decision("need", need=needs.AskArea("food"))),
    ("several needs at once go to a person",
     situation("food and rent", read(several_needs=("food", "money"))),
     Decision("need", hand_over="several_needs", need=needs.Handoff("several_needs"))),
    ("asking for a person with a known ward hands over",
     situation("can i talk to someone", read("coordinator")),
     Decision("need", hand_over="asked_for_person", need=needs.Handoff("asked_for_person"))),
    ("asking for a person with no ward known asks the area first",
     situation("can i talk to someone", read("coordinator"), resident=NO_WARD),
     Decision("ask_area_for_person")),
    ("asking for a person again after the area question hands over without a ward",
     situation("just someone please", read("coordinator"), resident=NO_WARD,
               thread=ThreadNow(awaiting="area", pending_need="coordinator")),
     Decision("need", hand_over="asked_for_person", need=needs.Handoff("asked_for_person"))),
    ("0 always means a person",
     situation("0", read("smalltalk", 0.3, True)),
     Decision("need", hand_over="asked_for_person", need=needs.Handoff("asked_for_person"))),
    ("thanks or goodbye gets a warm close",
     situation("thanks thats great", read("smalltalk", closing=True)),
     Decision("need", need=needs.Chat("thanks"))),
    ("another language goes to a person who can arrange an interpreter",
     situation("potrzebuje pomocy z jedzeniem", read("smalltalk", 0.3, True,
                                                      other_language=True)),
     Decision("need", hand_over="other_language", need=needs.Handoff("other_language"))),
    ("saying it did not help goes to a person",
     situation("that didnt help"),
     Decision("need", hand_over="did_not_help", need=needs.Handoff("did_not_help"))),
    ("an unsure reading asks which need, with the likely ones",
     situation("stuff", read("food", 0.4, True, (("food", 0.4), ("money", 0.35),
                                                  ("smalltalk", 0.1)))),
     Decision("need", need=needs.Clarify(("food", "money")))),
    # -- places ---------------------------------------------------------------------------
    ("a postcode after the area question answers the need there, and routes the resident",
     situation("DE23 8AB", read("smalltalk", 0.3, True, place=Place("DE23 8AB", (NORMANTON,))),
               resident=NO_WARD, thread=ThreadNow(awaiting="area", pending_need="food")),
     Decision("need", need=needs.Answer("food", NORMANTON),
              place=PlaceNote(ward_code=NORMANTON, postcode="DE23 8AB"))),
    ("a district names the ward but is not kept as the resident's postcode",
     situation("food bank DE23", read(place=Place("DE23", (NORMANTON,))), resident=NO_WARD),
     Decision("need", need=needs.Answer("food", NORMANTON),
              place=PlaceNote(ward_code=NORMANTON))),
    ("a district spanning wards asks which ward",
     situation("food bank DE1", read(place=Place("DE1", (ABBEY, ARBORETUM))), resident=NO_WARD),
     Decision("need", need=needs.AskWard("food", (ABBEY, ARBORETUM), "DE1"))),
    ("a new place on a thread a coordinator has is only suggested to them",
     situation("i moved to DE1 3AA", read(place=Place("DE1 3AA", (ABBEY,))), thread=WITH_SAM),
     Decision("with_coordinator", place=PlaceNote(suggested_ward_code=ABBEY))),
    ("the ward a coordinator's thread already has is not suggested again",
     situation("still DE23 8AB", read(place=Place("DE23 8AB", (NORMANTON,))), thread=WITH_SAM),
     Decision("with_coordinator")),
    ("a crisis still routes a new thread to the ward it names",
     situation("i want to end it all, DE23 8AB", read(
         "smalltalk", crisis=crisis(), place=Place("DE23 8AB", (NORMANTON,))), resident=NO_WARD),
     Decision("crisis", hand_over="crisis", crisis="self_harm",
              place=PlaceNote(ward_code=NORMANTON, postcode="DE23 8AB"))),
]


@pytest.mark.parametrize(("situation", "expected"), [r[1:] for r in RULES],
                         ids=[r[0] for r in RULES])
def test_each_rule(situation: Situation, expected: Decision) -> None:
    assert policy.decide(situation) == expected


def test_every_reply_kind_is_reached_by_a_rule_above() -> None:
    reached = {expected.reply for _, _, expected in RULES}
    assert reached == set(policy.ReplyKind.__args__)  # type: ignore[attr-defined]


def test_the_policy_needs_neither_flask_nor_the_database_nor_spacy() -> None:
    """Imported on its own (the package's __init__, which builds the app, left out), the
    policy loads none of them."""
    import subprocess
    import sys

    from frontdoor.settings import PROJECT_ROOT

    code = ("import sys, types; package = types.ModuleType('frontdoor'); "
            f"package.__path__ = [{str(PROJECT_ROOT / 'frontdoor')!r}]; "
            "sys.modules['frontdoor'] = package; import frontdoor.policy; "
            "print(sorted({'flask', 'sqlalchemy', 'spacy'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
