"""Nobody in crisis is left alone at night or at the weekend: out-of-hours crisis replies,
crisis threads that never go quiet, the escalation ladder to whoever is on call, promised
reply times kept, and "safe to text" respected by the outbox. Every test sets the clock."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from frontdoor import outbox, outgoing, replies, threads
from frontdoor.channels.senders import RecordingSmsSender
from frontdoor.channels.sms import SMS
from frontdoor.conversations import (
    RECENT_REPLY,
    out_of_hours_ack_owed,
    safeguarding_line,
    who_answers,
)
from frontdoor.i18n import in_language
from frontdoor.models import (
    AuditEvent,
    Author,
    Coordinator,
    Council,
    Leave,
    Message,
    OnCall,
    Thread,
    ThreadState,
    Ward,
)
from frontdoor.rota import Hours
from tests.conftest import TUESDAY_10AM

# London is on UTC in November and December.
TUESDAY_4AM = datetime(2026, 11, 24, 4, 0, tzinfo=UTC)
SATURDAY = datetime(2026, 11, 28, 11, 0, tzinfo=UTC)
CHRISTMAS_DAY = datetime(2026, 12, 25, 11, 0, tzinfo=UTC)   # a Friday and a bank holiday
SUICIDAL = "i dont see the point anymore. everyone would be better off if i just wasnt here"
NEIGHBOUR = ("im really worried about my neighbour hes 90 and i havent seen him for four days, "
             "his curtains are shut, normanton")
OUT_OF_HOURS_LINE = "01332 786968"
DAYTIME_LINE = "01332 717777"


def thread_of(db) -> Thread:
    return db.session.scalar(sa.select(Thread).order_by(Thread.id.desc()))


def person(db, key: str) -> Coordinator:
    return db.session.scalar(sa.select(Coordinator).where(Coordinator.key == key))


def alerts(app) -> outbox.Alerts:
    return app.extensions["frontdoor.alerts"]


def told(app) -> list[tuple[str, str, str]]:
    return alerts(app).notifier.sent


# -- 1. honest out-of-hours crisis replies ----------------------------------------------------

# What the reply says is decided from the rota and the council alone
# (conversations.who_answers, safeguarding_line; replies.crisis): each moment is a unit test
# below; the one end to end here shows the engine wires them to a resident's crisis (in
# working hours: tests/channels/test_sms.py).

def test_out_of_hours_a_crisis_reply_says_nobody_is_at_work_who_picks_it_up_and_when(
        phone, db, clock):
    clock.now = TUESDAY_4AM
    phone.text("i live in normanton")
    (reply,) = phone.text(SUICIDAL)
    assert reply.startswith("Please stay safe.") and "116 123" in reply and "999" in reply
    assert "Nobody from our team is at work right now" in reply
    assert "Sam will read it at 9am today" in reply
    assert "as soon as they can" not in reply


def test_out_of_hours_the_crisis_reply_says_the_on_call_worker_has_been_told(phone, db, clock):
    clock.now = TUESDAY_4AM
    phone.text("i live in normanton")
    (reply,) = phone.text(SUICIDAL)
    assert "on-call worker has been told" in reply
    thread = thread_of(db)
    assert [n.coordinator.key for n in threads.escalation_so_far(thread)] == ["duty-team"]


# In office hours, at weekends and on bank holidays: unit tests below (safeguarding_line).
def test_the_safeguarding_reply_uses_the_out_of_hours_line_out_of_hours(phone, clock):
    clock.now = TUESDAY_4AM
    (reply,) = phone.text(NEIGHBOUR)
    assert OUT_OF_HOURS_LINE in reply and DAYTIME_LINE not in reply
    assert "out of hours" in reply


# -- 1b. the same, without a database: who answers and which line, from the rota ------------

HOURS = Hours()
DERBY = Council(name="Derby City Council", safeguarding_phone=DAYTIME_LINE,
                safeguarding_out_of_hours_phone=OUT_OF_HOURS_LINE)


def sam() -> Coordinator:
    """Sam Patel as config/demo has him: Normanton, Monday to Thursday, council hours."""
    return Coordinator(id=1, key="sam-patel", name="Sam Patel", working_days="Mon,Tue,Wed,Thu",
                       leave=[])


def crisis_reply(category: str, now: datetime, council: Council = DERBY,
                 on_call_told: bool = False) -> str:
    with in_language("en"):   # as the engine builds every reply
        who = who_answers(sam(), None, "Normanton", now, HOURS)
        return replies.crisis(category, who, **safeguarding_line(council, now, HOURS),
                              on_call_told=on_call_told).render(SMS)


@pytest.mark.parametrize("moment, back", [
    (TUESDAY_4AM, "Sam will read it at 9am today"),
    (SATURDAY, "Sam will read it at 9am on Monday"),
    # Boxing Day falls on a Saturday: Monday 28 December is its substitute bank holiday.
    (CHRISTMAS_DAY, "Sam will read it at 9am on Tuesday"),
])
def test_out_of_hours_the_crisis_words_say_nobody_is_at_work_and_when_they_will_read_it(
        words_app, moment, back):
    reply = crisis_reply("suicide_self_harm", moment)
    assert reply.startswith("Please stay safe.") and "116 123" in reply and "999" in reply
    assert "Nobody from our team is at work right now" in reply
    assert "I've passed this to Sam Patel, the Local Area Coordinator for Normanton" in reply
    assert back in reply
    assert "as soon as they can" not in reply


def test_in_working_hours_the_crisis_words_say_they_will_contact_you_as_soon_as_they_can(
        words_app):
    reply = crisis_reply("suicide_self_harm", TUESDAY_10AM)
    assert reply.startswith("Please stay safe.") and "Sam Patel" in reply
    assert "They will contact you as soon as they can" in reply
    assert "Nobody from our team" not in reply


def test_the_on_call_line_is_said_only_when_the_on_call_worker_was_told(words_app):
    assert "on-call worker has been told" in crisis_reply(
        "suicide_self_harm", TUESDAY_4AM, on_call_told=True)
    assert "on-call worker" not in crisis_reply("suicide_self_harm", TUESDAY_4AM)


@pytest.mark.parametrize("moment", [TUESDAY_4AM, SATURDAY, CHRISTMAS_DAY])
def test_out_of_office_hours_the_safeguarding_words_give_the_out_of_hours_line(
        words_app, moment):
    reply = crisis_reply("safeguarding_other", moment)
    assert OUT_OF_HOURS_LINE in reply and DAYTIME_LINE not in reply
    assert "Derby City Council out of hours on 01332 786968" in reply


def test_in_office_hours_the_safeguarding_words_give_the_daytime_line(words_app):
    reply = crisis_reply("safeguarding_other", TUESDAY_10AM)
    assert "Derby City Council on 01332 717777" in reply and OUT_OF_HOURS_LINE not in reply


def test_a_council_without_an_out_of_hours_line_gives_its_daytime_line_at_night(words_app):
    daytime_only = Council(name="Derby City Council", safeguarding_phone=DAYTIME_LINE,
                           safeguarding_out_of_hours_phone="")
    reply = crisis_reply("safeguarding_other", TUESDAY_4AM, council=daytime_only)
    assert "Derby City Council on 01332 717777" in reply and "out of hours" not in reply


@pytest.mark.parametrize("moment, read", [
    (TUESDAY_10AM, "Sam has your messages and will read them as soon as they can."),
    (TUESDAY_4AM, "Sam has your messages and will read them at 9am today."),
])
def test_the_crisis_reminder_says_when_the_messages_will_be_read(words_app, moment, read):
    with in_language("en"):
        who = who_answers(sam(), None, "Normanton", moment, HOURS)
        reminder = replies.crisis_reminder("suicide_self_harm", who, **safeguarding_line(
            DERBY, moment, HOURS)).render(SMS)
    assert reminder.startswith(read) and "116 123" in reminder and "999" in reminder


def test_a_coordinators_own_hours_decide_the_reply_time_and_when_they_are_off(words_app):
    # Grace Adeyemi works Wednesday to Friday, 10am to 3pm (config/demo/coordinators.toml).
    grace = Coordinator(id=3, key="grace-adeyemi", name="Grace Adeyemi",
                        working_days="Wed,Thu,Fri", starts_work=time(10), ends_work=time(15),
                        leave=[])
    wednesday_11am = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)
    with in_language("en"):
        at_work = who_answers(grace, None, "Mickleover", wednesday_11am, HOURS)
        after_her_day = who_answers(grace, None, "Mickleover",
                                    datetime(2026, 11, 25, 15, 30, tzinfo=UTC), HOURS)
        ack = replies.out_of_hours(after_her_day).render(SMS)
    assert at_work.at_work and at_work.reply_by == "3pm today"
    assert at_work.days == "Wednesday to Friday"
    assert not after_her_day.at_work and after_her_day.back_at == "10am tomorrow"
    assert ack.startswith("Thanks, Grace has your message. Grace is not working right now "
                          "and will reply by 3pm tomorrow.")


@pytest.mark.parametrize("now_with, ward, moved", [
    ("Marcus Reid", "Normanton", "I've asked Marcus Reid, who covers Normanton, to pick this up."),
    ("Marcus Reid", None, "I've asked Marcus Reid to pick this up."),
    (None, None, "I've asked the team to pick this up."),
])
def test_a_missed_reply_time_is_owned_up_to_with_who_picks_it_up_and_the_numbers(
        words_app, now_with, ward, moved):
    with in_language("en"):
        notice = replies.overdue("Sam", now_with, ward)
    assert notice.startswith(f"Sorry, Sam hasn't been able to reply yet. {moved} ")
    assert "999" in notice and "116 123" in notice


NINE_PM = datetime(2026, 11, 24, 21, 0, tzinfo=UTC)


@pytest.mark.parametrize("last_reply, acknowledged, owed", [
    (None, None, True),                                        # the first message of a wait
    (None, NINE_PM - timedelta(minutes=5), False),             # told once per wait
    (NINE_PM - timedelta(hours=3), NINE_PM - timedelta(hours=4), True),   # a new wait
    (NINE_PM - timedelta(hours=3), NINE_PM - timedelta(hours=1), False),  # told in this one
    (NINE_PM - timedelta(minutes=10), None, False),            # replied minutes ago
    (NINE_PM - RECENT_REPLY, None, True),                      # long enough ago
])
def test_a_resident_is_told_the_coordinator_is_off_once_a_wait_and_not_just_after_a_reply(
        last_reply, acknowledged, owed):
    assert out_of_hours_ack_owed(last_reply, acknowledged, NINE_PM) is owed


# -- 2. a crisis thread never goes quiet -------------------------------------------------------

def test_the_next_message_on_an_untaken_crisis_thread_repeats_the_numbers(phone, db, clock):
    clock.now = TUESDAY_4AM
    phone.text("i live in normanton")
    phone.text(SUICIDAL)
    clock.now += timedelta(minutes=3)
    (reply,) = phone.text("its fine forget i said anything")
    assert "116 123" in reply and "999" in reply
    assert "Sam has your messages and will read them at 9am today" in reply
    clock.now += timedelta(minutes=3)
    (again,) = phone.text("honestly im ok")
    assert "116 123" in again, "every further message, not just the first"
    thread = thread_of(db)
    assert thread.urgent and thread.crisis == "suicide_self_harm", "never lowered by words"


def test_only_a_coordinator_lowers_the_urgency(phone, db, clock, auth, client):
    clock.now = TUESDAY_10AM
    phone.text("i live in normanton")
    phone.text(SUICIDAL)
    thread = thread_of(db)
    auth.sign_in("sam")
    unconfirmed = auth.post(f"/inbox/threads/{thread.id}/not-urgent")
    assert unconfirmed.status_code == 302
    db.session.refresh(thread)
    assert thread.urgent, "not without the confirmation"
    auth.post(f"/inbox/threads/{thread.id}/not-urgent", confirm="yes")
    db.session.refresh(thread)
    assert not thread.urgent and thread.acknowledged_at is not None
    assert db.session.scalar(sa.select(AuditEvent.action).where(
        AuditEvent.thread_id == thread.id, AuditEvent.action == "not_urgent")) == "not_urgent"


def test_once_acknowledged_further_messages_are_left_to_the_coordinator(phone, db, clock):
    clock.now = TUESDAY_10AM
    phone.text("i live in normanton")
    phone.text(SUICIDAL)
    thread = thread_of(db)
    threads.take(thread, person(db, "sam-patel"), clock.now)
    db.session.commit()
    assert phone.text("thank you") == [], "the bot never talks over a coordinator"


# -- 3. on call: the escalation ladder ---------------------------------------------------------

def test_the_ladder_reaches_the_on_call_person_when_coordinator_cover_and_lead_are_off(
        phone, db, clock, app):
    # Kwame Mensah is on the rota for this Saturday; Sam, his cover and the lead are off.
    clock.now = SATURDAY
    db.session.add(OnCall(coordinator_id=person(db, "kwame-mensah").id,
                          starts=SATURDAY - timedelta(hours=20), ends=SATURDAY + timedelta(days=2)))
    db.session.commit()
    phone.text("i live in normanton")
    phone.text(SUICIDAL)
    thread = thread_of(db)
    ladder = threads.escalation_so_far(thread)
    assert [(n.coordinator.key, n.step) for n in ladder] == [("kwame-mensah", "on_call")]
    alerts(app).notify_pending(clock)
    ((key, subject, text),) = told(app)
    assert key == "kwame-mensah" and subject == "URGENT: suicide or self-harm"
    assert "better off" not in text and "point" not in text and "+44" not in text
    # Kwame can open the thread the ladder sent him, and nothing else in Normanton.
    clock.now += timedelta(minutes=16)
    alerts(app).escalate_urgent(clock)
    assert [n.coordinator.key for n in threads.escalation_so_far(thread)] == [
        "kwame-mensah", "kwame-mensah"], "retried until acknowledged"


def test_in_hours_the_ladder_climbs_named_cover_lead_each_after_its_wait(phone, db, clock, app):
    clock.now = TUESDAY_10AM
    phone.text("my partner hits me and im scared to go home, normanton")
    thread = thread_of(db)
    assert [(n.coordinator.key, n.step) for n in threads.escalation_so_far(thread)] == [
        ("sam-patel", "named")]
    assert alerts(app).escalate_urgent(clock) == 0, "not before the wait"
    clock.now += timedelta(minutes=16)
    assert alerts(app).escalate_urgent(clock) == 1
    clock.now += timedelta(minutes=16)
    alerts(app).escalate_urgent(clock)   # nobody on call in office hours: on to the lead
    assert [(n.coordinator.key, n.step) for n in threads.escalation_so_far(thread)] == [
        ("sam-patel", "named"), ("marcus-reid", "cover"), ("lead", "lead")]
    alerts(app).notify_pending(clock)
    assert {subject for _, subject, _ in told(app)} == {"URGENT: domestic abuse"}
    assert all("hits" not in text for _, _, text in told(app))


def test_an_acknowledged_urgent_thread_climbs_no_further(phone, db, clock, app, auth, client):
    clock.now = TUESDAY_10AM
    phone.text("my partner hits me and im scared to go home, normanton")
    thread = thread_of(db)
    auth.sign_in("sam")
    page = client.get(f"/inbox/threads/{thread.id}").get_data(as_text=True)
    assert "Not yet acknowledged" in page and "Escalation so far" in page
    auth.post(f"/inbox/threads/{thread.id}/acknowledge")
    clock.now += timedelta(minutes=25)
    assert alerts(app).escalate_urgent(clock) == 0
    page = client.get(f"/inbox/threads/{thread.id}").get_data(as_text=True)
    assert "Acknowledged by Sam Patel" in page


def test_the_inbox_shows_an_urgent_threads_escalation_so_far(phone, db, clock, app, auth,
                                                               client):
    clock.now = TUESDAY_10AM
    phone.text("my partner hits me and im scared to go home, normanton")
    clock.now += timedelta(minutes=16)
    alerts(app).escalate_urgent(clock)
    alerts(app).notify_pending(clock)
    auth.sign_in("lead")
    page = client.get(f"/inbox/threads/{thread_of(db).id}").get_data(as_text=True)
    assert "Sam Patel (their coordinator)" in page and "Marcus Reid (cover)" in page


def test_an_urgent_thread_handed_to_a_colleague_gets_a_fresh_escalation_clock(
        phone, db, clock, app, auth, client):
    clock.now = TUESDAY_10AM
    phone.text("my partner hits me and im scared to go home, normanton")
    thread = thread_of(db)
    auth.sign_in("sam")
    auth.post(f"/inbox/threads/{thread.id}/take")
    clock.now += timedelta(minutes=25)   # past Sam's own 15 minutes
    hannah = person(db, "hannah-okafor")
    auth.post(f"/inbox/threads/{thread.id}/hand-over", to=str(hannah.id))
    db.session.refresh(thread)
    assert thread.coordinator_id == hannah.id and thread.acknowledged_at is None
    assert alerts(app).escalate_urgent(clock) == 0, "Hannah gets her full wait first"
    assert threads.escalation_so_far(thread)[-1].coordinator.key == "hannah-okafor"
    clock.now += timedelta(minutes=16)
    assert alerts(app).escalate_urgent(clock) == 1


def test_an_urgent_thread_up_the_ladder_handed_to_a_colleague_starts_again_from_them(
        phone, db, clock, app, auth):
    clock.now = TUESDAY_10AM
    phone.text("my partner hits me and im scared to go home, normanton")
    thread = thread_of(db)
    clock.now += timedelta(minutes=16)
    alerts(app).escalate_urgent(clock)   # nobody answered Sam: on to his cover
    db.session.refresh(thread)
    assert thread.escalation_step == 1
    clock.now += timedelta(minutes=5)
    auth.sign_in("lead")
    hannah = person(db, "hannah-okafor")
    auth.post(f"/inbox/threads/{thread.id}/hand-over", to=str(hannah.id))
    db.session.refresh(thread)
    # Step 0 again, from the moment of the hand-over: Hannah is the one told, and has her
    # whole wait before her cover hears of it.
    assert thread.escalation_step == 0 and thread.escalated_at == clock.now
    assert [(n.coordinator.key, n.step) for n in threads.escalation_so_far(thread)][-1] == (
        "hannah-okafor", "named")
    clock.now += timedelta(minutes=14)
    assert alerts(app).escalate_urgent(clock) == 0
    clock.now += timedelta(minutes=2)
    assert alerts(app).escalate_urgent(clock) == 1


def test_urgent_notifications_say_urgent_and_the_category_and_never_the_residents_words(
        phone, db, clock, app):
    clock.now = TUESDAY_10AM
    phone.text("i live in normanton")
    phone.text(SUICIDAL)
    phone.text("im so sorry mum")
    alerts(app).notify_pending(clock)
    assert told(app), "someone was told"
    for _, subject, text in told(app):
        assert subject == "URGENT: suicide or self-harm"
        for word in ("point", "better off", "sorry", "mum", phone.number):
            assert word not in subject + text


# -- 3b. the ladder's rules, without a database ------------------------------------------------
# Which steps a council's ladder has (parse_ladder, read by load-config), who a step tells
# now (people_at, for the steps the thread itself names), and who takes a crisis
# (soonest_at_work): plain rows, the unit tier. Who is on call and who leads are queries,
# shown by the end-to-end tests above.

@pytest.mark.parametrize("text, rungs", [
    (threads.DEFAULT_LADDER, [threads.Rung("named", 15), threads.Rung("cover", 15),
                              threads.Rung("on_call", 15), threads.Rung("lead", 15)]),
    (" named:10 , lead:30 ,", [threads.Rung("named", 10), threads.Rung("lead", 30)]),
])
def test_a_ladder_is_its_steps_in_order_each_with_its_wait(text, rungs):
    assert threads.parse_ladder(text) == rungs


@pytest.mark.parametrize("text, names", [
    ("named:15,boss:15", "'boss:15'"),      # not a step
    ("named", "'named'"),                   # no wait
    ("named:0", "'named:0'"),               # a wait of nothing
    ("named:15m", "'named:15m'"),           # not a number of minutes
    (" , ", "at least one step"),
])
def test_a_ladder_the_front_door_cannot_follow_is_refused_naming_the_fault(text, names):
    with pytest.raises(ValueError, match=names):
        threads.parse_ladder(text)


def colleague(id: int, days: str = "Mon,Tue,Wed,Thu,Fri", **kwargs) -> Coordinator:
    kwargs.setdefault("active", True)
    return Coordinator(id=id, key=f"c{id}", name=f"Colleague {id}", working_days=days,
                       leave=kwargs.pop("leave", []), **kwargs)


FRIDAY_10AM = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


def test_a_crisis_goes_to_the_named_coordinator_when_they_are_at_work():
    named, cover = colleague(1, "Mon,Tue,Wed,Thu"), colleague(2)
    assert threads.soonest_at_work((named, cover), TUESDAY_10AM, HOURS) is named


def test_a_crisis_on_the_named_coordinators_day_off_goes_to_a_cover_at_work():
    named, cover = colleague(1, "Mon,Tue,Wed,Thu"), colleague(2)
    assert threads.soonest_at_work((named, cover), FRIDAY_10AM, HOURS) is cover


def test_out_of_hours_a_crisis_goes_to_whoever_is_back_first_the_named_on_a_tie():
    named, cover = colleague(1, "Mon,Tue,Wed,Thu"), colleague(2)
    assert threads.soonest_at_work((named, cover), TUESDAY_4AM, HOURS) is named
    weekend_lead = colleague(3, "Sat,Sun")
    assert threads.soonest_at_work((named, cover, weekend_lead), SATURDAY, HOURS) \
        is weekend_lead


def test_a_crisis_passes_over_a_colleague_on_leave_or_gone_and_a_ward_without_cover():
    on_leave = colleague(1, leave=[Leave(starts=TUESDAY_10AM.date(), ends=TUESDAY_10AM.date())])
    gone, cover = colleague(2, active=False), colleague(3, "Wed,Thu")
    assert threads.soonest_at_work((on_leave, gone, None, cover), TUESDAY_10AM, HOURS) is cover
    assert threads.soonest_at_work((on_leave, gone, None), TUESDAY_10AM, HOURS) is None


def urgent_thread(coordinator: Coordinator | None, cover: Coordinator | None = None,
                  ward: bool = True) -> Thread:
    return Thread(coordinator=coordinator,
                  coordinator_id=coordinator.id if coordinator else None,
                  ward=Ward(code="E05015521", name="Normanton", cover=cover) if ward else None)


@pytest.mark.parametrize("step, thread, now, told", [
    ("named", urgent_thread(colleague(1)), TUESDAY_10AM, ["c1"]),
    ("named", urgent_thread(colleague(1)), TUESDAY_4AM, []),        # off duty: nobody yet
    ("named", urgent_thread(None), TUESDAY_10AM, []),
    ("cover", urgent_thread(colleague(1), colleague(2)), TUESDAY_10AM, ["c2"]),
    ("cover", urgent_thread(colleague(1), colleague(1)), TUESDAY_10AM, []),   # told already
    ("cover", urgent_thread(colleague(1), colleague(2, active=False)), TUESDAY_10AM, []),
    ("cover", urgent_thread(colleague(1), ward=False), TUESDAY_10AM, []),
])
def test_a_step_of_the_ladder_tells_its_person_only_when_they_are_at_work(step, thread, now,
                                                                        told):
    assert [p.key for p in threads.people_at(step, thread, now, HOURS)] == told


# -- 4. no silent waits ----------------------------------------------------------------------

def test_a_wait_past_its_promised_time_tells_the_resident_once_and_moves_the_thread(
        phone, db, clock, app, auth, client):
    clock.now = TUESDAY_10AM
    (reply,) = phone.text("can someone ring me back please, i live in normanton")
    assert "will reply by 5pm today" in reply
    thread = thread_of(db)
    clock.now = datetime(2026, 11, 24, 17, 1, tzinfo=UTC)
    assert alerts(app).move_overdue(clock) == 1
    db.session.refresh(thread)
    assert thread.coordinator.key == "marcus-reid" and thread.overdue_at is not None
    notice = db.session.scalar(sa.select(Message).where(
        Message.thread_id == thread.id, Message.author == Author.BOT,
        Message.status == "pending"))
    assert notice is not None
    assert "Sorry, Sam hasn't been able to reply yet" in notice.body
    assert "Marcus Reid" in notice.body and "999" in notice.body
    clock.now += timedelta(days=2)
    assert alerts(app).move_overdue(clock) == 0, "told once"
    sender = RecordingSmsSender()
    outbox.send_due(sender, clock)
    assert [to for to, _ in sender.sent] == [phone.number]
    alerts(app).notify_pending(clock)
    assert ("marcus-reid", "A resident's promised reply time has passed") in [
        (k, s) for k, s, _ in told(app)]
    auth.sign_in("lead")
    listing = client.get("/inbox").get_data(as_text=True)
    assert "Promised reply time passed" in listing


def test_a_coordinators_reply_keeps_the_promise(phone, db, clock, app, auth, client):
    clock.now = TUESDAY_10AM
    phone.text("can someone ring me back please, i live in normanton")
    thread = thread_of(db)
    auth.sign_in("sam")
    auth.post(f"/inbox/threads/{thread.id}/reply", body="Hi, it's Sam. I'll ring at 2pm.")
    clock.now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    assert alerts(app).move_overdue(clock) == 0
    db.session.refresh(thread)
    assert thread.coordinator.key == "sam-patel"


# -- 5. safe to text -------------------------------------------------------------------------

def test_a_domestic_abuse_thread_asks_first_and_a_call_only_resident_gets_no_sms(
        phone, db, clock, app, auth, client):
    clock.now = TUESDAY_10AM
    phone.text("my partner hits me and im scared to go home, normanton")
    thread = thread_of(db)
    auth.sign_in("sam")
    page = client.get(f"/inbox/threads/{thread.id}").get_data(as_text=True)
    assert "May not be safe to text: ask first." in page
    auth.post(f"/inbox/threads/{thread.id}/contact", contact_by="call_only")
    page = client.get(f"/inbox/threads/{thread.id}").get_data(as_text=True)
    assert "May not be safe to text" not in page and "Call only: do not text" in page
    auth.post(f"/inbox/threads/{thread.id}/reply", body="I'll ring you at 2pm.")
    sender = RecordingSmsSender()
    outbox.send_due(sender, clock)
    assert sender.sent == []
    reply = db.session.scalar(sa.select(Message).where(
        Message.thread_id == thread.id, Message.author == Author.COORDINATOR))
    assert reply.status == "not_sent" and "calls only" in reply.error


def test_a_call_only_choice_made_after_a_reply_was_queued_still_stops_the_sms(
        phone, db, clock, app):
    clock.now = TUESDAY_10AM
    phone.text("my partner hits me and im scared to go home, normanton")
    thread = thread_of(db)
    outgoing.queue_reply(thread, person(db, "sam-patel"), "Are you safe to talk?", clock.now)
    thread.resident.contact_by = "webchat_only"
    db.session.commit()
    sender = RecordingSmsSender()
    outbox.send_due(sender, clock)
    assert sender.sent == []


def test_a_safe_to_text_resident_gets_the_coordinators_sms(phone, db, clock, app):
    clock.now = TUESDAY_10AM
    phone.text("my partner hits me and im scared to go home, normanton")
    thread = thread_of(db)
    thread.resident.contact_by = "sms"
    threads.replied(thread, person(db, "sam-patel"), clock.now)
    outgoing.queue_reply(thread, person(db, "sam-patel"), "Are you safe to talk?", clock.now)
    db.session.commit()
    sender = RecordingSmsSender()
    outbox.send_due(sender, clock)
    assert sender.sent == [(phone.number, "Are you safe to talk?")]
    assert thread.state == ThreadState.WITH_COORDINATOR
