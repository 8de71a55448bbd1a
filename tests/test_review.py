"""The safety net behind the model (issue 20) and the learning loop's corrections (issue 11,
item 5): every conversation the front door answered alone reaches a person, riskiest first;
"seen, fine", "I'll follow up" and "read wrongly"; the promise kept by the worker; early help
suggested, never sent; corrections exported scrubbed in the intents/ format."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
import sqlalchemy as sa

from frontdoor import outbox, review
from frontdoor.channels.senders import RecordingSmsSender
from frontdoor.models import (
    AuditEvent,
    Correction,
    Direction,
    Message,
    MessageReading,
    Notification,
    Resident,
    Review,
    Thread,
    ThreadState,
)
from frontdoor.rota import Hours
from frontdoor.triage.data import load_crisis_examples, load_examples
from frontdoor.triage.safety import POSSIBLE_AT
from tests.conftest import TUESDAY_10AM, make_account, make_phone

NORMANTON, ABBEY = "E05015521", "E05015507"
FOOD = "need a food bank, i live in normanton"
# Written for this test: the crisis model scores it below its reply threshold (0.25 against
# 0.35) and no rule matches, so the front door answers it as an everyday need. These lie
# close to what the model has learnt, so a model trained on new data may move them: pick
# others, as the assertions below say. (Earlier examples, "dad has been really quiet and not
# eating and keeps falling asleep in his chair" and "i havent left the flat in a month", read
# as a crisis or near one to the model trained on this session's crisis data.)
QUIETLY_WORRYING = "i dont go out much these days"
# Also written for these tests: below the threshold (0.16), no rule, no word of distress.
SUB_THRESHOLD = "i dont go out much since my husband passed away last year"
EVERYDAY = ["is there a lunch club in normanton", "help with my gas bill please, normanton",
            "any free wifi near me, normanton", "looking for volunteering in normanton",
            "need a food bank, DE23 8AB"]


def thread_of(db, number: str) -> Thread:
    return db.session.scalar(sa.select(Thread).join(Thread.resident).where(
        Resident.address == number).order_by(Thread.id.desc()))


def open_reviews(db) -> list[Review]:
    return list(db.session.scalars(sa.select(Review).where(Review.resolved_at.is_(None))))


def review_list(runner, *args: str) -> list[dict]:
    result = runner.invoke(args=["review", "list", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def page(client, path: str = "/inbox/review") -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


# -- 1. the review list -------------------------------------------------------------------------

def test_a_conversation_the_front_door_answered_alone_is_in_its_wards_list_until_marked_seen(
        phone, db, auth, client, runner):
    (answer,) = phone.text(FOOD)
    assert "Here are some options" in answer
    auth.sign_in("sam")
    html = page(client)
    assert FOOD in html and "Here are some options" in html, "their words and what it said"
    assert "Read as: food" in html, "what the front door read"
    assert [row["first_words"] for row in review_list(runner, "--ward", NORMANTON)] == [FOOD]

    (entry,) = open_reviews(db)
    auth.post(f"/inbox/review/{entry.id}/seen")
    assert FOOD not in page(client)
    assert review_list(runner, "--ward", NORMANTON) == []
    db.session.refresh(entry)
    assert entry.outcome == "fine" and entry.resolved_by.key == "sam-patel"


def test_a_later_message_after_it_was_seen_is_a_new_entry_with_only_the_new_words(
        phone, db, auth, client, clock):
    phone.text(FOOD)
    auth.sign_in("sam")
    auth.post(f"/inbox/review/{open_reviews(db)[0].id}/seen")
    clock.now += timedelta(hours=2)
    phone.text("is there a lunch club too")
    auth.sign_in("sam")
    html = page(client)
    assert "is there a lunch club too" in html and FOOD not in html


def test_during_leave_the_cover_has_the_wards_list(app, client, db, auth):
    make_phone(client, app, "+447700900401").text("need a food bank in arboretum")
    auth.sign_in("sam")       # covering Arboretum while Nadia is on leave
    assert "need a food bank in arboretum" in page(client)
    auth.sign_in("hannah")
    assert "need a food bank in arboretum" not in page(client)


def test_a_conversation_whose_ward_is_not_known_is_in_the_leads_list(
        phone, db, auth, client, runner):
    phone.text("is there a lunch club")
    assert [r["first_words"] for r in review_list(runner, "--unknown-ward")] == [
        "is there a lunch club"]
    auth.sign_in("sam")
    assert "is there a lunch club" not in page(client)
    auth.sign_in("lead")
    assert "is there a lunch club" in page(client)


def test_a_conversation_handed_to_a_person_leaves_the_list_and_is_read_on_the_thread(
        phone, db, runner):
    phone.text(FOOD)
    assert len(review_list(runner, "--ward", NORMANTON)) == 1
    phone.text("can someone call me please")
    assert review_list(runner, "--ward", NORMANTON) == []
    assert db.session.scalar(sa.select(Review.outcome)) == "with_a_person"


def test_every_inbound_message_has_its_reading_recorded_with_the_crisis_models_own_score(
        phone, db):
    phone.text(FOOD)
    phone.text(QUIETLY_WORRYING)
    readings = {m.body: db.session.get(MessageReading, m.id) for m in db.session.scalars(
        sa.select(Message).where(Message.direction == Direction.IN))}
    assert readings[FOOD].need == "food" and readings[FOOD].crisis is None
    worrying = readings[QUIETLY_WORRYING]
    assert worrying.crisis is None and 0.05 < worrying.crisis_score < POSSIBLE_AT


def test_a_coordinator_cannot_see_or_act_on_another_wards_entries(phone, db, auth, client):
    phone.text(FOOD)
    entry = open_reviews(db)[0]
    auth.sign_in("hannah")    # Abbey's coordinator
    assert FOOD not in page(client)
    assert page(client, f"/inbox/review?ward={NORMANTON}").count(FOOD) == 0
    assert auth.post(f"/inbox/review/{entry.id}/seen").status_code == 404
    assert auth.post(f"/inbox/review/{entry.id}/follow-up").status_code == 404
    message = db.session.scalar(sa.select(Message).where(Message.body == FOOD))
    assert auth.post(f"/inbox/messages/{message.id}/correction",
                     crisis="medical").status_code == 404
    assert open_reviews(db) == [entry]


# -- "I'll follow up" -------------------------------------------------------------------------

def test_ill_follow_up_takes_the_thread_and_tells_the_resident_who_will_be_in_touch(
        phone, db, auth, client, clock):
    phone.text(FOOD)
    auth.sign_in("sam")
    response = auth.post(f"/inbox/review/{open_reviews(db)[0].id}/follow-up")
    assert response.status_code == 302
    thread = thread_of(db, phone.number)
    assert thread.state == ThreadState.WITH_COORDINATOR and thread.coordinator.key == "sam-patel"
    told = db.session.scalar(sa.select(Message).where(Message.author == "coordinator"))
    assert told.status == "pending" and told.channel == "sms"
    assert "Sam Patel" in told.body and "will be in touch by 5pm today" in told.body
    assert thread.reply_due_at is not None, "the worker keeps that promise too"
    assert FOOD not in page(client)
    sender = RecordingSmsSender()
    outbox.send_due(sender, clock)
    assert sender.sent == [(phone.number, told.body)]


def test_following_up_never_texts_a_resident_who_opted_out(phone, db, auth, client):
    phone.text(FOOD)
    phone.text("STOP")
    auth.sign_in("sam")
    auth.post(f"/inbox/review/{open_reviews(db)[0].id}/follow-up")
    told = db.session.scalar(sa.select(Message).where(Message.author == "coordinator"))
    assert told.status == "not_sent" and "opted out" in told.error
    assert thread_of(db, phone.number).coordinator.key == "sam-patel"
    assert "not told" in page(client, f"/inbox/threads/{thread_of(db, phone.number).id}")


# -- "read wrongly" (one correction for issue 20 and issue 11) -------------------------------

def test_a_crisis_correction_makes_the_thread_urgent_at_once_and_is_exported(
        phone, db, auth, client, app, runner, tmp_path):
    phone.text("hi i live in normanton")
    phone.text(QUIETLY_WORRYING)
    phone_thread = thread_of(db, phone.number)
    assert phone_thread.state == ThreadState.BOT and not phone_thread.urgent
    message = db.session.scalar(sa.select(Message).where(Message.body == QUIETLY_WORRYING))
    auth.sign_in("sam")
    response = auth.post(f"/inbox/messages/{message.id}/correction", crisis="medical",
                         back="review")
    assert response.status_code == 302 and f"/threads/{phone_thread.id}" in response.location
    db.session.refresh(phone_thread)
    assert phone_thread.urgent and phone_thread.crisis == "medical"
    assert phone_thread.state == ThreadState.WAITING and phone_thread.acknowledged_at is None
    ladder = db.session.scalars(sa.select(Notification).where(
        Notification.thread_id == phone_thread.id, Notification.kind == "urgent")).all()
    assert [n.coordinator.key for n in ladder] == ["sam-patel"]
    assert QUIETLY_WORRYING not in page(client)
    correction = db.session.scalar(sa.select(Correction))
    assert (correction.crisis, correction.crisis_read) == ("medical", None)
    audit = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "correction"))
    assert "falling" not in audit.detail and "medical" in audit.detail, "labels, never words"
    result = runner.invoke(args=["corrections", "export", "--out", str(tmp_path)])
    assert "0 need, 1 crisis and 0 not-crisis corrections" in result.output
    assert [(e.label, e.text) for e in load_crisis_examples(tmp_path, "train")] == [
        ("medical", QUIETLY_WORRYING)]


def test_a_correction_on_the_thread_page_is_recorded_and_exported_scrubbed(
        phone, db, auth, client, runner, tmp_path):
    words = ("hi my name is Jo Bloggs, my neighbour Doreen needs help with shopping, "
             "DE23 8AB, ring 07700 900456")
    phone.text(words)
    thread = thread_of(db, phone.number)
    message = db.session.scalar(sa.select(Message).where(Message.body == words))
    auth.sign_in("sam")
    assert f"/inbox/messages/{message.id}/correction" in page(client, f"/inbox/threads/{thread.id}")
    assert words in page(client, f"/inbox/messages/{message.id}/correction")
    auth.post(f"/inbox/messages/{message.id}/correction", need="caring")
    phone.text("my phone died so i couldnt reply, normanton")
    false_alarm = db.session.scalar(sa.select(Message).where(Message.body.like("my phone%")))
    auth.post(f"/inbox/messages/{false_alarm.id}/correction", crisis="no_crisis")

    result = runner.invoke(args=["corrections", "export", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "1 need, 0 crisis and 1 not-crisis corrections" in result.output
    (caring,) = load_examples(tmp_path, "train")
    assert caring.label == "caring"
    assert caring.text == ("hi my name is [name] [name], my neighbour [name] needs help with "
                           "shopping, [postcode], ring [phone]")
    assert [(e.label, e.text) for e in load_crisis_examples(tmp_path, "train")] == [
        ("no_crisis", "my phone died so i couldnt reply, normanton")]


def test_a_correction_needs_a_need_or_a_crisis_and_only_a_known_one(phone, db, auth, client):
    phone.text(FOOD)
    message = db.session.scalar(sa.select(Message).where(Message.body == FOOD))
    auth.sign_in("sam")
    # Each correction refused, and why: tests/test_corrections.py. Here: the page sends the
    # coordinator back to the form and records nothing.
    response = auth.post(f"/inbox/messages/{message.id}/correction", need="pizza")
    assert response.status_code == 302
    assert "/correction" in response.location
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Correction)) == 0
    assert len(open_reviews(db)) == 1


# -- 2. riskiest first ------------------------------------------------------------------------

def test_the_list_puts_a_sub_threshold_crisis_score_above_everyday_messages(
        app, client, db, runner, clock):
    worried = make_phone(client, app, "+447700900599")
    today = clock.now
    clock.now = today - timedelta(days=35)
    worried.text("hi i live in normanton")       # weeks ago, and seen since
    for entry in open_reviews(db):
        review.resolve(entry, None, clock.now, "fine")
    db.session.commit()
    clock.now = today
    for i, text in enumerate(EVERYDAY):
        make_phone(client, app, f"+4477009005{i:02d}").text(text)
        clock.now += timedelta(minutes=7)
    worried.text(SUB_THRESHOLD)
    message = db.session.scalar(sa.select(Message).where(Message.body == SUB_THRESHOLD))
    reading = db.session.get(MessageReading, message.id)
    assert reading.crisis is None and 0.05 < reading.crisis_score < 0.2, \
        "the example must stay below the crisis check's threshold: pick another if not"
    rows = review_list(runner, "--ward", NORMANTON)
    assert len(rows) == len(EVERYDAY) + 1
    top = rows[0]
    assert top["thread"] == message.thread_id, "sent last, but first in the list"
    assert top["reasons"] == [f"crisis score {reading.crisis_score:.2f}"], "nothing else"
    assert [row["risk"] for row in rows] == sorted((row["risk"] for row in rows), reverse=True)


def test_the_score_weighs_each_signal_and_says_why_in_a_few_words():
    everyday = review.score(review.Signals(crisis_score=0.002))
    assert everyday.points < 1 and everyday.reasons == ()
    worrying = review.score(review.Signals(crisis_score=0.12))
    busy = review.score(review.Signals(crisis_score=0.02, contacts_week=3,
                                       needs=("money", "housing")))
    assert worrying.points > busy.points > everyday.points
    assert busy.reasons == ("crisis score 0.02", "third contact this week",
                            "several needs: money, housing")
    night = review.score(review.Signals(night_at=datetime(2026, 11, 24, 2, 30)))
    assert night.reasons == ("sent at 2:30am",)
    distressed = review.score(review.Signals(distress=("fear", "harm")))
    assert distressed.reasons == ("words of distress (fear, harm)",)
    possible = review.score(review.Signals(possible_concern="suicide_self_harm"))
    assert possible.reasons == ("possible concern: suicide or self-harm",)
    assert review.score(review.Signals(unanswered=True)).reasons == ("question left unanswered",)


def test_a_possible_concern_from_the_crisis_check_tops_the_list_and_suggests_early_help(
        app, client, db, runner, clock):
    for i, text in enumerate(EVERYDAY):
        make_phone(client, app, f"+4477009006{i:02d}").text(text)
    make_phone(client, app, "+447700900699").text("need a food bank, DE23 8AB")
    message = db.session.scalar(sa.select(Message).where(Message.direction == Direction.IN)
                                .order_by(Message.id.desc()))
    # What a crisis check with a "possible concern" tier records, on a thread it left with
    # the front door (the tier itself belongs to the triage module).
    reading = db.session.get(MessageReading, message.id)
    reading.crisis, reading.crisis_level = "suicide_self_harm", "possible"
    db.session.commit()
    top = review_list(runner, "--ward", NORMANTON)[0]
    assert top["thread"] == message.thread_id
    assert top["reasons"][0] == "possible concern: suicide or self-harm"
    assert "a possible concern" in top["early_help"]


@pytest.mark.parametrize("distress", review.DISTRESS, ids=lambda d: d.kind)
def test_each_kind_of_distress_finds_its_example(distress):
    assert distress.kind in review.distress_in(distress.example)


def test_everyday_words_show_no_distress():
    assert review.distress_in("need a food bank in normanton please") == []


def test_repeated_contacts_count_conversations_not_messages(phone, db, runner, clock):
    phone.text("need a food bank, i live in normanton")
    phone.text("thanks")                          # the same conversation
    (first,) = review_list(runner, "--ward", NORMANTON)
    assert not any("contact" in reason for reason in first["reasons"])
    entry = open_reviews(db)[0]
    review.resolve(entry, None, clock.now, "fine")
    db.session.commit()
    for _ in range(2):
        clock.now += timedelta(days=1)
        phone.text("any food banks open today")
        review.resolve(open_reviews(db)[0], None, clock.now, "fine")
        db.session.commit()
    clock.now += timedelta(days=1)
    phone.text("need food again sorry")
    (row,) = review_list(runner, "--ward", NORMANTON)
    assert "fourth contact this week" in row["reasons"]
    assert "4 contacts this month" in row["early_help"]


# -- 3. a promise kept --------------------------------------------------------------------------

def test_the_promise_is_one_working_day_skipping_weekends_and_bank_holidays():
    hours = Hours()
    tuesday_10am = TUESDAY_10AM
    assert review.promise_due(tuesday_10am, hours) == datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    friday_4pm = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)
    assert review.promise_due(friday_4pm, hours) == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    saturday = datetime(2026, 11, 28, 11, 0, tzinfo=UTC)
    assert review.promise_due(saturday, hours) == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    christmas_eve_3pm = datetime(2026, 12, 24, 15, 0, tzinfo=UTC)
    assert review.promise_due(christmas_eve_3pm, hours) == \
        datetime(2026, 12, 29, 15, 0, tzinfo=UTC), "Christmas and Boxing Day's Monday skipped"
    assert review.promise_due(tuesday_10am, hours, working_days=2) == \
        datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


def test_an_unseen_entry_past_the_promise_reminds_the_coordinator_and_then_moves_to_the_cover(
        phone, db, app, clock, auth, client):
    alerts = app.extensions["frontdoor.alerts"]
    sender = RecordingSmsSender()
    phone.text(FOOD)
    (entry,) = open_reviews(db)
    clock.now = datetime(2026, 11, 25, 9, 59, tzinfo=UTC)
    outbox.run_worker(sender, alerts, once=True, clock=clock)
    assert db.session.scalar(sa.select(Notification).where(
        Notification.kind.like("review%"))) is None, "not yet past the promise"

    clock.now = datetime(2026, 11, 25, 10, 1, tzinfo=UTC)
    outbox.run_worker(sender, alerts, once=True, clock=clock)
    assert ("sam-patel", outbox.NOTIFICATION_SUBJECTS["review"]) in [
        (key, subject) for key, subject, _ in alerts.notifier.sent]
    clock.now += timedelta(hours=1)
    outbox.run_worker(sender, alerts, once=True, clock=clock)
    db.session.refresh(entry)
    assert entry.moved_to is None, "a reminder is given time to be acted on"

    clock.now = datetime(2026, 11, 25, 14, 2, tzinfo=UTC)
    outbox.run_worker(sender, alerts, once=True, clock=clock)
    db.session.refresh(entry)
    assert entry.moved_to.key == "marcus-reid"       # Normanton's cover
    assert ("marcus-reid", outbox.NOTIFICATION_SUBJECTS["review_moved"]) in [
        (key, subject) for key, subject, _ in alerts.notifier.sent]
    assert all(FOOD not in text for _, _, text in alerts.notifier.sent), "never their words"
    auth.sign_in("sam")
    assert FOOD not in page(client)
    make_account("marcus.reid@lac.example.org", key=pyotp.random_base32())
    db.session.commit()
    auth.sign_in("marcus.reid@lac.example.org")
    assert FOOD in page(client)
    assert client.get(f"/inbox/threads/{entry.thread_id}").status_code == 200, \
        "the cover may open a thread moved to them"


def test_an_entry_still_unseen_by_the_cover_goes_to_the_lead(phone, db, app, clock):
    phone.text(FOOD)
    (entry,) = open_reviews(db)
    for at in ("2026-11-25T10:01", "2026-11-25T14:02", "2026-11-25T18:00",
               "2026-11-26T09:00", "2026-11-26T13:01"):
        clock.now = datetime.fromisoformat(at).replace(tzinfo=UTC)
        review.keep_promises(clock.now, Hours())
    db.session.refresh(entry)
    assert entry.moved_to.key == "lead"


def test_no_reminders_while_the_council_is_closed(phone, db, clock):
    phone.text(FOOD)
    clock.now = datetime(2026, 11, 25, 22, 0, tzinfo=UTC)
    assert review.keep_promises(clock.now, Hours()) == 0


def test_the_leads_page_shows_per_ward_unseen_counts_and_the_oldest(app, client, db, auth,
                                                                     clock):
    make_phone(client, app, "+447700900601").text(FOOD)
    clock.now += timedelta(hours=2)
    make_phone(client, app, "+447700900602").text("is there a lunch club in normanton")
    make_phone(client, app, "+447700900603").text("need a food bank in abbey")
    make_phone(client, app, "+447700900604").text("is there a lunch club")
    auth.sign_in("lead")
    html = page(client)
    table = html[html.index("Unseen, by ward"):html.index("</table>")]
    rows = {name: table[table.index(name):].split("</tr>")[0]
            for name in ("Normanton", "Abbey", "Ward not known")}
    assert "<td>2</td>" in rows["Normanton"] and "2 h 0 min" in rows["Normanton"]
    assert "<td>1</td>" in rows["Abbey"] and "<td>1</td>" in rows["Ward not known"]
    assert "Sam Patel" in rows["Normanton"] and "Hannah Okafor" in rows["Abbey"]
    assert "is there a lunch club" in html, "the lead's own list: ward not known"
    assert "need a food bank in abbey" in page(client, f"/inbox/review?ward={ABBEY}")
    auth.sign_in("sam")
    assert "Unseen, by ward" not in page(client)


# -- 4. early help --------------------------------------------------------------------------------

def test_money_and_housing_together_are_suggested_for_early_help_and_nothing_is_sent(
        phone, db, auth, client):
    phone.text("behind on my council tax and struggling with money, normanton")
    phone.text("and the landlord says we might lose the flat")
    outbound_before = db.session.scalar(sa.select(sa.func.count()).select_from(Message).where(
        Message.direction == Direction.OUT))
    auth.sign_in("sam")
    html = page(client)
    assert "Early help:" in html and "money and housing together" in html
    assert "They can be texted." in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Message).where(
        Message.direction == Direction.OUT)) == outbound_before, "a suggestion, never a message"


def test_early_help_says_when_a_resident_must_not_be_texted(phone, db, auth, client):
    phone.text("behind on my rent and struggling with money, normanton")
    thread_of(db, phone.number).resident.contact_by = "call_only"
    db.session.commit()
    auth.sign_in("sam")
    assert "Do not text: the resident asked for calls only" in page(client)


# -- 5. for scripts ------------------------------------------------------------------------------

def test_review_list_needs_one_ward_and_names_a_wrong_code(runner):
    result = runner.invoke(args=["review", "list", "--ward", "E99999999", "--json"])
    assert result.exit_code == 2 and "no ward with code 'E99999999'" in result.output
    result = runner.invoke(args=["review", "list", "--json"])
    assert result.exit_code == 2 and "--unknown-ward" in result.output


# -- the signals an entry is scored on (no database) --------------------------------------------

@pytest.mark.parametrize(("signals", "markers"), [
    (review.Signals(contacts_month=3), ("3 contacts this month",)),
    (review.Signals(contacts_month=2), ()),
    (review.Signals(needs=("money",), needs_month=("housing",)), ("money and housing together",)),
    (review.Signals(needs_month=("caring", "loneliness")), ("caring with loneliness",)),
    (review.Signals(needs=("caring", "food")), ()),
    (review.Signals(possible_concern="suicide_self_harm"), ("a possible concern",)),
    (review.Signals(contacts_month=4, needs=("money", "housing"), possible_concern="abuse"),
     ("4 contacts this month", "money and housing together", "a possible concern")),
])
def test_early_help_is_suggested_for_repeated_contact_needs_that_go_together_or_a_concern(
        signals, markers):
    assert review.early_help(signals) == markers


def test_the_crisis_score_counts_from_its_floor_to_its_most_at_the_reply_threshold():
    assert review.crisis_points(review.CRISIS_FLOOR) == 0
    assert review.crisis_points(0.0) == 0
    assert review.crisis_points(review.CRISIS_CEILING) == review.CRISIS_POINTS
    assert review.crisis_points(0.9) == review.CRISIS_POINTS
    # A log scale: halfway there at the geometric mean.
    middle = (review.CRISIS_FLOOR * review.CRISIS_CEILING) ** 0.5
    assert review.crisis_points(middle) == pytest.approx(review.CRISIS_POINTS / 2)


def test_a_contact_past_the_tenth_this_week_is_counted_in_figures():
    assert review.score(review.Signals(contacts_week=2)).reasons == ("second contact this week",)
    assert review.score(review.Signals(contacts_week=11)).reasons == ("11th contact this week",)
    # Past the most counted, more contacts add no more points.
    assert review.score(review.Signals(contacts_week=9)).points == \
        review.score(review.Signals(contacts_week=1 + review.CONTACTS_MOST)).points


@pytest.mark.parametrize(("at", "said"), [
    (datetime(2026, 11, 24, 0, 5), "sent at 12:05am"),
    (datetime(2026, 11, 24, 23, 0), "sent at 11pm"),
])
def test_a_night_message_says_its_time_as_people_do(at, said):
    assert review.score(review.Signals(night_at=at)).reasons == (said,)


@pytest.mark.parametrize(("minutes", "week", "month"), [
    ((-170, -140, 0), 1, 1),          # one conversation, however many messages
    ((-180, 0), 2, 2),                # three hours apart: two
    ((-60 * 24 * 8, 0), 1, 2),        # eight days before: this month, not this week
    ((-60 * 24 * 40, 0), 1, 1),       # forty days before: neither
    ((-200, 60), 1, 1),               # after the entry's last message: not counted
])
def test_contacts_are_conversations_three_hours_apart_within_the_week_or_month(
        minutes, week, month):
    times = [TUESDAY_10AM + timedelta(minutes=m) for m in minutes]
    assert (review.contacts_in(times, TUESDAY_10AM, 7),
            review.contacts_in(times, TUESDAY_10AM, 30)) == (week, month)


@pytest.mark.parametrize(("text", "question"), [
    ("is the food bank open today", True),
    ("How do I get a bus pass", True),
    ("my rent went up?", True),
    ("thanks, that is all", False),
    ("island tours", False),          # "is" only as a word
])
def test_a_question_is_a_question_mark_or_a_question_word_first(text, question):
    assert review.looks_like_question(text) is question


@pytest.mark.parametrize(("utc", "night"), [
    (datetime(2026, 11, 24, 21, 59, tzinfo=UTC), False),
    (datetime(2026, 11, 24, 22, 0, tzinfo=UTC), True),
    (datetime(2026, 11, 25, 5, 59, tzinfo=UTC), True),
    (datetime(2026, 11, 25, 6, 0, tzinfo=UTC), False),
    (datetime(2026, 7, 1, 21, 30, tzinfo=UTC), True),   # 10:30pm in London's summer
])
def test_night_is_ten_till_six_in_the_councils_own_time(utc, night):
    assert review.is_night(utc, Hours()) is night


def test_the_needs_a_message_named_are_its_everyday_keywords_and_a_likely_model_need():
    assert review.needs_named(MessageReading(need="housing", confidence=0.8,
                                             several_needs="money;crisis_help")) == [
        "housing", "money"]
    assert review.needs_named(MessageReading(need="housing", confidence=0.3,
                                             several_needs="")) == []
    assert review.needs_named(MessageReading(need="money", confidence=0.9,
                                             several_needs="money;food")) == ["money", "food"]
    assert review.needs_named(MessageReading(need="other", confidence=0.9)) == []
