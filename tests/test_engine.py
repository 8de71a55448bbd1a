"""The engine applies the policy's decisions to a real database, with a FakeTriage saying how
each message reads (create_app(..., triage=...)): no model, the integration tier."""

from __future__ import annotations

import json

import sqlalchemy as sa

from frontdoor.conversations import READ_LIMIT
from frontdoor.models import Direction, Message, Thread, ThreadState
from frontdoor.policy import LONG_MESSAGE
from frontdoor.triage.reading import CrisisFlag, Place
from tests.fakes import reading

NORMANTON = "E05015521"


def test_create_app_reads_with_the_triage_it_is_given(fake_triage, phone):
    phone.text("hello there")
    assert fake_triage.asked == ["hello there"]


def test_a_clear_crisis_read_in_any_words_is_handed_over_urgently(fake_triage, phone, db):
    fake_triage.readings["nice weather today"] = reading(
        "smalltalk", crisis=CrisisFlag("suicide_self_harm", "rule", 1.0))
    (reply,) = phone.text("nice weather today")
    thread = db.session.scalar(sa.select(Thread))
    assert thread.urgent and thread.crisis == "suicide_self_harm"
    assert thread.handoff_reason == "crisis" and thread.state != ThreadState.BOT
    assert "999" in reply


def test_a_possible_crisis_answers_as_usual_with_a_gentle_line_and_a_check_in(
        fake_triage, phone, db):
    fake_triage.readings["need a food bank DE23 8AB"] = reading(
        "food", crisis=CrisisFlag("suicide_self_harm", "model", 0.6, "possible"),
        place=Place("DE23 8AB", (NORMANTON,)))
    (reply,) = phone.text("need a food bank DE23 8AB")
    thread = db.session.scalar(sa.select(Thread))
    assert thread.check_in and not thread.urgent and thread.state == ThreadState.BOT
    assert thread.need == "food" and thread.ward_code == NORMANTON
    assert reply.count("116 123") == 1 and "Samaritans" in reply


def test_a_huge_message_is_stored_whole_read_up_to_the_limit_and_handed_over(
        fake_triage, phone, db):
    text = "my situation is complicated. " * (READ_LIMIT // 20)
    assert len(text) > READ_LIMIT > LONG_MESSAGE
    (reply,) = phone.text(text)
    assert fake_triage.asked == [text[:READ_LIMIT]]
    stored = db.session.scalar(sa.select(Message.body).where(Message.direction == Direction.IN))
    assert stored == text
    assert db.session.scalar(sa.select(Thread.handoff_reason)) == "long"
    assert "a person will read it" in reply and "passed this to" in reply


def test_an_empty_message_is_not_read_and_asks_for_words(fake_triage, phone, db):
    (reply,) = phone.text("   ")
    assert fake_triage.asked == []
    assert db.session.scalar(sa.select(Thread.state)) == ThreadState.BOT
    assert reply


def test_loading_the_model_freezes_it_out_of_the_garbage_collectors_way(model_dir):
    """A full collection used to walk the pipeline's ~200,000 objects (about 100 ms, a pause
    in whichever request it fell). In a fresh process, as a web worker starts."""
    import subprocess
    import sys

    script = (
        "import gc, json, os\n"
        "os.environ['FRONTDOOR_ENV'] = 'test'\n"
        "from frontdoor import create_app\n"
        "from frontdoor.engine import load_triage\n"
        f"app = create_app({{'MODEL_PATH': {str(model_dir)!r}}})\n"
        "load_triage(app)\n"
        "print(json.dumps([gc.get_freeze_count(), len(gc.get_objects())]))\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=True, timeout=120)
    frozen, walked = json.loads(result.stdout.strip().splitlines()[-1])
    assert frozen > 100_000
    assert walked < frozen / 5
