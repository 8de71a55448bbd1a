"""'Did it help?': seven days after the front door pointed a resident to local options, the
worker sends one text, at a decent hour, through the outbox; never to an opted-out,
call-only, web-chat-only or crisis thread; the engine hears 1, 2, 3 and 0."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from frontdoor import followups, outbox, outgoing
from frontdoor.channels.senders import RecordingSmsSender
from frontdoor.models import Direction, FollowUp, Message, Referral, Resident, Thread
from tests.conftest import TUESDAY_10AM, make_phone

FOOD = "need a food bank, I live in Normanton"


def run_worker(app) -> RecordingSmsSender:
    sender = app.extensions["frontdoor.sms_sender"]
    assert isinstance(sender, RecordingSmsSender)
    # Twice: the first round queues the follow-up, the second sends what is queued.
    for _ in range(2):
        outbox.run_worker(sender, app.extensions["frontdoor.alerts"], once=True,
                          clock=app.extensions["frontdoor.clock"])
    return sender


def follow_up_texts(sender: RecordingSmsSender, number: str = "+447700900123") -> list[str]:
    return [body for to, body in sender.sent if to == number and "Did you get the help" in body]


def test_an_answer_records_what_the_resident_was_pointed_to(phone, db):
    reply = phone.text(FOOD)[0]
    follow_up = db.session.scalar(sa.select(FollowUp))
    names = [r.entry_name for r in follow_up.referrals]
    assert names and all(name in reply for name in names)
    assert follow_up.due_at == TUESDAY_10AM + timedelta(days=7)
    assert {r.entry_kind for r in follow_up.referrals} <= {"community", "service"}


def test_the_follow_up_is_sent_once_seven_days_later_through_the_outbox(phone, app, db, clock):
    phone.text(FOOD)
    clock.now = TUESDAY_10AM + timedelta(days=6, hours=23)
    assert follow_up_texts(run_worker(app)) == [], "not before the seventh day"
    clock.now = TUESDAY_10AM + timedelta(days=7)
    sender = run_worker(app)
    clock.now += timedelta(hours=2)
    run_worker(app)
    texts = follow_up_texts(sender)
    assert len(texts) == 1
    assert "Reply 1 yes, 2 not yet, 3 it didn't fit, or 0 to talk to Sam" in texts[0]
    sent = db.session.scalar(sa.select(Message).where(Message.body == texts[0]))
    assert sent.status == "delivered" and sent.author.value == "bot"
    assert db.session.scalar(sa.select(FollowUp.state)) == "sent"


@pytest.mark.parametrize("local_hour,weekday_offset", [(22, 0), (7, 1), (12, 5)])
def test_the_follow_up_waits_for_a_decent_hour(phone, app, db, clock, local_hour,
                                               weekday_offset):
    """10pm Tuesday, 7am Wednesday and noon on Sunday are not decent hours."""
    phone.text(FOOD)
    # TUESDAY_10AM is 10:00 UTC and 10:00 in London (November).
    clock.now = TUESDAY_10AM + timedelta(days=7 + weekday_offset, hours=local_hour - 10)
    assert follow_up_texts(run_worker(app)) == []
    assert db.session.scalar(sa.select(FollowUp.state)) == "due"


@pytest.mark.parametrize("before", ["STOP", "call_only", "webchat_only"])
def test_no_follow_up_to_an_opted_out_call_only_or_web_chat_only_resident(
        phone, app, db, clock, before):
    phone.text(FOOD)
    if before == "STOP":
        phone.text("STOP")
    else:
        db.session.scalar(sa.select(Resident)).contact_by = before
        db.session.commit()
    clock.now = TUESDAY_10AM + timedelta(days=7)
    assert follow_up_texts(run_worker(app)) == []
    follow_up = db.session.scalar(sa.select(FollowUp))
    assert follow_up.state == "skipped"
    assert follow_up.skipped_reason == outgoing.why_not_text(db.session.scalar(sa.select(Resident)))


def test_no_follow_up_around_a_crisis(phone, app, db, clock, auth):
    phone.text(FOOD)
    clock.now += timedelta(days=2)
    phone.text("my partner hits me and im scared")
    thread = db.session.scalar(sa.select(Thread).where(Thread.crisis.is_not(None)))
    auth.sign_in("sam")
    auth.post(f"/inbox/threads/{thread.id}/close", outcome="none")
    clock.now = TUESDAY_10AM + timedelta(days=7)
    assert follow_up_texts(run_worker(app)) == []
    follow_up = db.session.scalar(sa.select(FollowUp))
    assert follow_up.state == "skipped" and "crisis" in follow_up.skipped_reason


def test_no_follow_up_to_a_web_chat_resident(client, app, db, clock):
    token = client.post("/chat/api/conversations").get_json()["token"]
    client.post("/chat/api/messages", json={"text": FOOD},
                headers={"Authorization": f"Bearer {token}"})
    assert db.session.scalar(sa.select(FollowUp)) is not None
    clock.now = TUESDAY_10AM + timedelta(days=7)
    run_worker(app)
    assert db.session.scalar(sa.select(FollowUp.skipped_reason)).startswith("web chat")


@pytest.mark.parametrize("answer,counted", [("1", "yes"), ("yes", "yes"), ("2", "not_yet"),
                                            ("3", "did_not_fit")])
def test_the_engine_hears_the_answer_and_counts_it(phone, app, db, clock, answer, counted):
    phone.text(FOOD)
    clock.now = TUESDAY_10AM + timedelta(days=7)
    run_worker(app)
    reply = phone.text(answer)
    follow_up = db.session.scalar(sa.select(FollowUp))
    assert follow_up.state == "answered" and follow_up.answer == counted
    assert "Welcome back" not in reply[0], "'yes' to the follow-up is not an opt-in"
    assert "Reply 0 to talk to Sam" in reply[0]


def test_answering_0_hands_the_resident_to_their_coordinator(phone, app, db, clock):
    phone.text(FOOD)
    clock.now = TUESDAY_10AM + timedelta(days=7)
    run_worker(app)
    reply = phone.text("0")
    assert "Sam Patel" in reply[0]
    thread = db.session.scalar(sa.select(Thread).order_by(Thread.id.desc()))
    assert thread.handoff_reason == "follow_up" and thread.coordinator.key == "sam-patel"
    assert db.session.scalar(sa.select(FollowUp.answer)) == "person"


def test_a_digit_after_something_else_was_said_is_not_a_follow_up_answer(phone, app, db, clock):
    phone.text(FOOD)
    clock.now = TUESDAY_10AM + timedelta(days=7)
    run_worker(app)
    phone.text("hello")          # the front door answers: the follow-up is no longer the last
    phone.text("1")
    assert db.session.scalar(sa.select(FollowUp.answer)) is None


def test_a_second_pointer_in_the_week_joins_the_same_follow_up(phone, app, db, clock):
    phone.text(FOOD)
    clock.now += timedelta(days=1)
    phone.text("help with money and debts please")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FollowUp)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Referral)) > 3


def test_two_residents_each_get_their_own_follow_up(client, app, db, clock):
    for number in ("+447700900401", "+447700900402"):
        make_phone(client, app, number).text(FOOD)
    clock.now = TUESDAY_10AM + timedelta(days=7)
    sender = run_worker(app)
    assert len(follow_up_texts(sender, "+447700900401")) == 1
    assert len(follow_up_texts(sender, "+447700900402")) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Message).where(
        Message.direction == Direction.OUT, Message.body.contains("Did you get the help"))) == 2


def test_the_decent_hour_rule_in_london_time():
    from datetime import UTC, datetime

    from frontdoor.rota import Hours

    hours = Hours()
    assert followups.decent_hour(datetime(2026, 7, 7, 9, 30, tzinfo=UTC), hours)   # 10:30 BST
    assert not followups.decent_hour(datetime(2026, 7, 7, 17, 30, tzinfo=UTC), hours)  # 18:30
    assert not followups.decent_hour(datetime(2026, 12, 25, 12, 0, tzinfo=UTC), hours)
