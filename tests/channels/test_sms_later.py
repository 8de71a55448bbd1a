"""Texts answered later (frontdoor/deferred.py): the webhook stores, acknowledges with empty
TwiML and the worker answers through the outbox (Twilio's REST API mocked with `responses`),
in "outbox" mode always and in "auto" mode while busy; and nothing stored is left unanswered
when a web process dies."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import parse_qs

import pytest
import responses
import sqlalchemy as sa

from frontdoor import outbox
from frontdoor.channels import Inbound
from frontdoor.conversations import DEFERRED, store_inbound
from frontdoor.models import Direction, Message, Notification, Thread
from tests.conftest import make_phone

SID = "AC" + "0" * 32
MESSAGES = f"https://twilio-stub.test/2010-04-01/Accounts/{SID}/Messages.json"
FOOD = "need a food bank, I live in Normanton"


@pytest.fixture
def stub():
    """Twilio's Messages API: every send accepted, each with its own MessageSid."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        count = iter(range(10_000))
        mock.add_callback(responses.POST, MESSAGES, callback=lambda request: (
            201, {}, json.dumps({"sid": f"SM{next(count):032d}", "status": "queued",
                                 "body": "x"})))
        yield mock


def sent(stub) -> list[tuple[str, str]]:
    """(to, body) of every message sent through Twilio's REST API, in order."""
    out = []
    for call in stub.calls:
        body = call.request.body
        fields = parse_qs(body if isinstance(body, str) else body.decode())
        out.append((fields["To"][0], fields["Body"][0]))
    return out


def work(app, twilio, clock) -> None:
    """One round of `frontdoor worker`."""
    outbox.run_worker(twilio, app.extensions["frontdoor.alerts"], once=True, clock=clock)


def inbound(db) -> list[Message]:
    return list(db.session.scalars(sa.select(Message).where(
        Message.direction == Direction.IN).order_by(Message.id)))


def test_outbox_mode_acknowledges_at_once_and_the_worker_sends_one_reply(
        app, client, db, twilio, clock, stub):
    (inline,) = make_phone(client, app, "+447700900111").text(FOOD)
    app.config["SMS_REPLIES"] = "outbox"
    phone = make_phone(client, app, "+447700900222")
    response = phone.send(FOOD)
    assert b"<Message" not in response.data and b"<Response" in response.data, \
        "empty TwiML: Twilio is answered at once"
    later = inbound(db)[-1]
    assert later.status == DEFERRED and later.thread_id is None, "stored, waiting"
    work(app, twilio, clock)
    assert sent(stub) == [("+447700900222", inline)], "one reply, worded as inline"
    reply = db.session.scalar(sa.select(Message).where(Message.reply_to_id == later.id))
    assert reply.status == "queued" and reply.idempotency_key and reply.provider_ref
    db.session.refresh(later)
    assert later.status is None and later.thread_id is not None
    work(app, twilio, clock)
    assert len(stub.calls) == 1, "nothing answered or sent twice"


def test_auto_answers_inline_when_calm_and_defers_when_busy(
        app, client, db, twilio, clock, stub):
    from frontdoor.engine import front_door

    app.config.update(SMS_REPLIES="auto", SMS_BUSY_ANSWERING=1)
    a, b, c = (make_phone(client, app, f"+44770090030{i}") for i in range(3))
    assert a.text(FOOD), "calm: answered inline"
    # Another web worker has stored a text and is answering it at this moment.
    busy = store_inbound(Inbound("sms", c.number, FOOD, provider_id="SM" + "e" * 32), clock())
    assert b.text(FOOD) == [], "every worker taken: stored, acknowledged, deferred"
    (reply,) = front_door(app).answer(busy.message_id).replies   # that worker's answer
    assert "Normanton Community Pantry" in reply
    assert a.text("thanks") == [], "nothing being answered, but a text still waits: deferred"
    work(app, twilio, clock)
    # Different residents' replies go side by side (outbox.send_due), in any order.
    assert sorted(to for to, _ in sent(stub)) == sorted([b.number, a.number])
    assert a.text(FOOD), "calm and nothing waiting: inline again"
    assert all(m.status is None and m.thread_id for m in inbound(db))


def test_a_residents_deferred_texts_are_answered_in_order(
        app, client, db, twilio, clock, stub, phone):
    app.config["SMS_REPLIES"] = "outbox"
    assert phone.text("need a food bank") == []
    assert phone.text("normanton") == []
    work(app, twilio, clock)
    (first, second) = [body for _, body in sent(stub)]
    assert "postcode" in first.lower() and "Normanton Community Pantry" in second


def test_a_text_behind_a_waiting_one_waits_too_whatever_the_mode(
        app, client, db, twilio, clock, stub, phone):
    app.config["SMS_REPLIES"] = "outbox"
    assert phone.text("need a food bank") == []
    app.config["SMS_REPLIES"] = "inline"
    assert phone.text("normanton") == [], "its earlier text waits: so does this one"
    assert [m.status for m in inbound(db)] == [DEFERRED, DEFERRED]
    work(app, twilio, clock)
    (first, second) = [body for _, body in sent(stub)]
    assert "postcode" in first.lower() and "Normanton Community Pantry" in second


def test_a_message_stored_but_never_answered_is_answered_by_the_worker_once(
        app, db, twilio, clock, stub):
    # What a web process that died just after storing leaves behind.
    store_inbound(Inbound("sms", "+447700900444", FOOD, provider_id="SM" + "c" * 32), clock())
    work(app, twilio, clock)
    assert sent(stub) == [], "not while a webhook could still be answering it"
    clock.now += timedelta(seconds=61)
    work(app, twilio, clock)
    work(app, twilio, clock)
    ((to, body),) = sent(stub)
    assert to == "+447700900444" and "Normanton Community Pantry" in body
    (message,) = inbound(db)
    assert message.thread_id is not None and message.status is None


def test_a_retry_of_a_deferred_message_is_answered_once(
        app, client, db, twilio, clock, stub, phone):
    app.config["SMS_REPLIES"] = "outbox"
    sid = "SM" + "d" * 32
    assert phone.text(FOOD, sid=sid) == [] and phone.text(FOOD, sid=sid) == []
    work(app, twilio, clock)
    assert phone.text(FOOD, sid=sid) == [], "the outbox sent the reply; TwiML repeats nothing"
    app.config["SMS_REPLIES"] = "inline"
    assert phone.text(FOOD, sid=sid) == []
    work(app, twilio, clock)
    assert len(sent(stub)) == 1 and len(inbound(db)) == 1


def test_a_deferred_crisis_still_gets_the_numbers_and_the_urgent_hand_over(
        app, client, db, twilio, clock, stub, phone):
    app.config["SMS_REPLIES"] = "outbox"
    assert phone.text("i want to kill myself tonight normanton") == []
    work(app, twilio, clock)
    ((_, body),) = sent(stub)
    assert "116 123" in body and "999" in body and "Sam Patel" in body
    thread = db.session.scalar(sa.select(Thread))
    assert thread.urgent and thread.crisis == "suicide_self_harm"
    assert db.session.scalar(sa.select(Notification).where(
        Notification.thread_id == thread.id, Notification.kind == "urgent"))


@pytest.fixture
def broken_for(monkeypatch):
    """Fault injection: answering any message containing the given words raises, as a bug
    in the engine would (everything else runs for real)."""
    from frontdoor.conversations import FrontDoor

    words: list[str] = []
    answer = FrontDoor._answer

    def failing(self, message, resident, thread, inbound, reading):
        if any(word in inbound.text for word in words):
            raise RuntimeError("a bug")
        return answer(self, message, resident, thread, inbound, reading)

    monkeypatch.setattr(FrontDoor, "_answer", failing)
    return words


def test_one_message_failing_does_not_stop_the_rest_of_its_batch(
        app, client, db, twilio, clock, stub, broken_for):
    app.config["SMS_REPLIES"] = "outbox"
    broken_for.append("BREAKS")
    numbers = ["+447700900501", "+447700900502", "+447700900503"]
    for number, text in zip(numbers, [FOOD, "BREAKS " + FOOD, FOOD], strict=True):
        assert make_phone(client, app, number).text(text) == []
    work(app, twilio, clock)
    assert sorted(to for to, _ in sent(stub)) == [numbers[0], numbers[2]]
    broken = db.session.scalar(sa.select(Message).where(Message.body.startswith("BREAKS")))
    assert broken.status == DEFERRED and broken.attempts == 1 and broken.thread_id is None
    assert broken.next_attempt_at > clock()


def test_a_message_that_cannot_be_answered_goes_to_a_person_and_stops_blocking(
        app, client, db, twilio, clock, stub, broken_for):
    app.config["SMS_REPLIES"] = "outbox"
    broken_for.append("BREAKS")
    phone = make_phone(client, app, "+447700900504")
    assert phone.text("BREAKS need a food bank, I live in Normanton") == []
    assert phone.text("are you there?") == []
    for _ in range(5):
        work(app, twilio, clock)
        clock.now += timedelta(minutes=10)
    work(app, twilio, clock)
    broken, later = inbound(db)
    assert broken.status == "unanswered" and broken.attempts == 5
    thread = db.session.get(Thread, broken.thread_id)
    assert thread.state.value == "waiting_for_coordinator"
    assert thread.handoff_reason == "not_answered" and thread.coordinator is not None
    assert db.session.scalar(sa.select(Notification).where(
        Notification.thread_id == thread.id, Notification.kind == "handoff",
        Notification.coordinator_id == thread.coordinator_id))
    # The resident's next text was not held behind it for ever: it is answered, on the
    # same thread, now with a person (the front door does not talk over them).
    assert later.thread_id == thread.id and later.status is None
