"""'Did it help?': seven days after the front door pointed a resident to local options, the
worker sends one text, at a decent hour, through the outbox; never to an opted-out,
call-only, web-chat-only or crisis thread; the engine hears 1, 2, 3 and 0."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from frontdoor import followups, outbox, outgoing, replies
from frontdoor.channels.senders import RecordingSmsSender
from frontdoor.channels.sms import SMS
from frontdoor.i18n import in_language
from frontdoor.models import Direction, FollowUp, Message, Referral, Resident, Thread
from frontdoor.rota import Hours
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


def test_the_follow_up_waits_for_a_decent_hour(phone, app, db, clock):
    """10pm on the seventh day is not a decent hour (every rule of it: decent_hour, below)."""
    phone.text(FOOD)
    # TUESDAY_10AM is 10:00 UTC and 10:00 in London (November).
    clock.now = TUESDAY_10AM + timedelta(days=7, hours=12)
    assert follow_up_texts(run_worker(app)) == []
    assert db.session.scalar(sa.select(FollowUp.state)) == "due"


def test_no_follow_up_to_a_resident_who_opted_out(phone, app, db, clock):
    # Calls only and web chat only too, at the rule itself: test_a_follow_up_is_never_*.
    phone.text(FOOD)
    phone.text("STOP")
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


def test_the_engine_hears_the_answer_and_counts_it(phone, app, db, clock):
    # Which words answer what: test_the_answers_to_did_it_help; "yes" from a resident who
    # never opted out is an answer, not an opt-in: tests/test_policy.py.
    phone.text(FOOD)
    clock.now = TUESDAY_10AM + timedelta(days=7)
    run_worker(app)
    reply = phone.text("yes")
    follow_up = db.session.scalar(sa.select(FollowUp))
    assert follow_up.state == "answered" and follow_up.answer == "yes"
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


# -- the rules themselves, without a database (the unit tier) ---------------------------------

def test_the_decent_hour_rule_in_london_time():
    hours = Hours()
    assert followups.decent_hour(datetime(2026, 7, 7, 9, 30, tzinfo=UTC), hours)   # 10:30 BST
    assert not followups.decent_hour(datetime(2026, 7, 7, 17, 30, tzinfo=UTC), hours)  # 18:30
    assert not followups.decent_hour(datetime(2026, 12, 25, 12, 0, tzinfo=UTC), hours)


@pytest.mark.parametrize("moment", [
    datetime(2026, 12, 1, 22, 0, tzinfo=UTC),    # 10pm Tuesday
    datetime(2026, 12, 2, 7, 0, tzinfo=UTC),     # 7am Wednesday
    datetime(2026, 12, 6, 12, 0, tzinfo=UTC),    # noon on Sunday
    datetime(2026, 12, 1, 18, 0, tzinfo=UTC),    # 6pm: the end is not included
])
def test_late_early_and_sunday_are_not_decent_hours(moment):
    assert not followups.decent_hour(moment, Hours())


@pytest.mark.parametrize("moment", [
    datetime(2026, 12, 1, 10, 0, tzinfo=UTC),    # 10am Tuesday: the start is included
    datetime(2026, 12, 5, 17, 59, tzinfo=UTC),   # a minute before 6pm on Saturday
])
def test_weekdays_and_saturday_from_10_to_6_are_decent_hours(moment):
    assert followups.decent_hour(moment, Hours())


@pytest.mark.parametrize("text, answer", [
    ("1", "yes"), ("yes", "yes"), ("Yes!", "yes"), ("yeah", "yes"), ("2", "not_yet"),
    ("not  yet.", "not_yet"), ("3", "did_not_fit"), ("0", "person"), ("Do", "yes"),
    ("ddim eto", "not_yet"), ("4", None), ("yes please", None), ("STOP", None), ("", None)])
def test_the_answers_to_did_it_help(text, answer):
    assert followups.answer_in(text) == answer


@pytest.mark.parametrize("resident, why", [
    (Resident(channel="sms", opted_out=True), "opted out"),
    (Resident(channel="sms", opted_out=False, contact_by="call_only"), "calls only"),
    (Resident(channel="sms", opted_out=False, contact_by="webchat_only"), "web chat only"),
    (Resident(channel="webchat", opted_out=False), "web chat: there is no number"),
    (Resident(channel="sms", opted_out=False, erased_at=TUESDAY_10AM), "erased"),
])
def test_a_follow_up_is_never_sent_to_a_resident_it_must_not_reach(words_app, resident, why):
    reason = followups.why_not_follow_up(FollowUp(pointed_at=TUESDAY_10AM), resident)
    assert reason is not None and why in reason


def test_the_follow_up_asks_about_what_was_suggested_and_how_to_answer(words_app):
    with in_language("en"):
        text = replies.did_it_help("Derby", ["Normanton Community Pantry", "Sinfin Larder"],
                                   "Sam").render(SMS)
    assert text.startswith("Hello from Derby Local Area Coordination. Last week we suggested "
                           "Normanton Community Pantry and other options.")
    assert "Reply 1 yes, 2 not yet, 3 it didn't fit, or 0 to talk to Sam" in text


def test_one_suggestion_is_named_alone_and_without_a_coordinator_a_person_is_offered(
        words_app):
    with in_language("en"):
        text = replies.did_it_help("Derby", ["Sinfin Larder"], None).render(SMS)
    assert text.startswith("Hello from Derby Local Area Coordination. Last week we suggested "
                           "Sinfin Larder. Did you get")
    assert text.endswith("Reply 1 yes, 2 not yet, 3 it didn't fit, or 0 to talk to a person.")


def test_an_answer_from_a_resident_without_a_coordinator_offers_a_person(words_app):
    with in_language("en"):
        text = followups.Heard("yes").reply(None).render(SMS)
    assert "that's good to hear" in text and text.endswith("Reply 0 to talk to a person.")


@pytest.mark.parametrize("answer, says", [
    ("yes", "that's good to hear"), ("not_yet", "tell us what got in the way"),
    ("did_not_fit", "Sorry it wasn't right for you")])
def test_each_answer_is_thanked_in_its_own_words_with_the_coordinator_offered(
        words_app, answer, says):
    who = replies.Who("Sam Patel", "Sam", "Normanton", "Monday to Thursday", "5pm today")
    with in_language("en"):
        text = followups.Heard(answer).reply(who).render(SMS)
    assert says in text and "Reply 0 to talk to Sam" in text
