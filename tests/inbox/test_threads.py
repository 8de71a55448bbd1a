"""Coordinators' threads: who may see what, and every action on a thread."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from frontdoor.inbox import access, rows, views
from frontdoor.models import AuditEvent, Message, Note, Notification, Thread, ThreadState
from tests.conftest import make_phone


@pytest.fixture
def normanton_thread(phone, db) -> Thread:
    phone.text("can i talk to someone, i live in normanton")
    return db.session.scalar(sa.select(Thread))


ROUTES = [("get", ""), ("post", "/take"), ("post", "/reply"), ("post", "/note"),
          ("post", "/hand-over"), ("post", "/close"), ("post", "/reopen")]


@pytest.mark.model   # what the trained model makes of the words
@pytest.mark.parametrize("method,suffix", ROUTES)
def test_a_coordinator_gets_404_for_every_route_of_another_wards_thread(
        auth, client, normanton_thread, db, method, suffix):
    auth.sign_in("hannah")   # Abbey's coordinator
    path = f"/inbox/threads/{normanton_thread.id}{suffix}"
    if method == "get":
        response = client.get(path)
    else:
        response = auth.post(path, body="hello", to="1", outcome="information")
    assert response.status_code == 404
    db.session.refresh(normanton_thread)
    assert normanton_thread.state == ThreadState.WAITING
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Note)) == 0
    assert "Normanton" not in client.get("/inbox").get_data(as_text=True)


@pytest.mark.model   # what the trained model makes of the words
def test_my_threads_lists_urgent_first_then_the_longest_waiting(auth, client, app, db, clock):
    make_phone(client, app, "+447700900301").text("can someone call me, im in normanton")
    clock.now += timedelta(minutes=5)
    make_phone(client, app, "+447700900302").text("my partner hits me, normanton")
    auth.sign_in("sam")
    html = client.get("/inbox").get_data(as_text=True)
    assert html.index("ending 302") < html.index("ending 301")
    assert "Urgent: domestic abuse" in html


def test_the_cover_sees_threads_of_a_ward_whose_coordinator_is_on_leave(auth, client, app, db):
    make_phone(client, app, "+447700900303").text("can someone ring me back, DE1 1AA")
    thread = db.session.scalar(sa.select(Thread))
    auth.sign_in("sam")   # covering Arboretum while Nadia is away
    assert client.get(f"/inbox/threads/{thread.id}").status_code == 200
    auth.sign_in("hannah")
    assert client.get(f"/inbox/threads/{thread.id}").status_code == 404


@pytest.mark.model   # what the trained model makes of the words
def test_a_lead_sees_every_ward_and_can_filter(auth, client, app, db):
    make_phone(client, app, "+447700900304").text("can someone ring me, normanton")
    make_phone(client, app, "+447700900305").text("can someone ring me, i live in abbey")
    auth.sign_in("lead")
    html = client.get("/inbox").get_data(as_text=True)
    assert "ending 304" in html and "ending 305" in html
    filtered = client.get("/inbox?ward=E05015507").get_data(as_text=True)
    assert "ending 305" in filtered and "ending 304" not in filtered


def test_take_reply_note_close_and_reopen(auth, client, normanton_thread, db):
    auth.sign_in("sam")
    base = f"/inbox/threads/{normanton_thread.id}"
    auth.post(base + "/take")
    db.session.refresh(normanton_thread)
    assert normanton_thread.state == ThreadState.WITH_COORDINATOR
    auth.post(base + "/reply", body="Hi, it's Sam. I can ring you at 2pm.")
    auth.post(base + "/note", body="Prefers calls after lunch")
    reply = db.session.scalar(sa.select(Message).where(Message.author == "coordinator"))
    assert reply.status == "pending" and reply.idempotency_key
    page = client.get(base).get_data(as_text=True)
    assert "Prefers calls after lunch" in page and "pending" in page
    auth.post(base + "/close", outcome="community_group")
    db.session.refresh(normanton_thread)
    assert normanton_thread.state == ThreadState.CLOSED
    assert normanton_thread.outcome == "community_group"
    auth.post(base + "/reopen")
    db.session.refresh(normanton_thread)
    assert normanton_thread.state == ThreadState.WITH_COORDINATOR
    actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert {"view", "take", "reply", "note", "close", "reopen"} <= set(actions)
    details = " ".join(db.session.scalars(sa.select(AuditEvent.detail)))
    assert "2pm" not in details and "lunch" not in details, "no message text in the audit"


def test_handing_over_tells_the_resident_the_new_name_and_notifies_them(
        auth, client, normanton_thread, db):
    from frontdoor.models import Coordinator

    hannah = db.session.scalar(sa.select(Coordinator).where(Coordinator.key == "hannah-okafor"))
    auth.sign_in("sam")
    auth.post(f"/inbox/threads/{normanton_thread.id}/hand-over", to=str(hannah.id))
    db.session.refresh(normanton_thread)
    assert normanton_thread.coordinator_id == hannah.id
    told = db.session.scalar(sa.select(Message.body).where(Message.author == "coordinator"))
    assert "Hannah Okafor" in told
    assert db.session.scalar(sa.select(Notification).where(
        Notification.coordinator_id == hannah.id)) is not None
    auth.sign_in("hannah")
    assert client.get(f"/inbox/threads/{normanton_thread.id}").status_code == 200


def test_a_reply_to_a_web_chat_resident_appears_in_their_chat(auth, client, db):
    token = client.post("/chat/api/conversations").get_json()["token"]
    client.post("/chat/api/messages", json={"text": "can i talk to someone, im in normanton"},
                headers={"Authorization": f"Bearer {token}"})
    thread = db.session.scalar(sa.select(Thread))
    auth.sign_in("sam")
    auth.post(f"/inbox/threads/{thread.id}/reply", body="Hello from Sam")
    messages = client.get("/chat/api/messages?after=0",
                          headers={"Authorization": f"Bearer {token}"}).get_json()["messages"]
    assert messages[-1]["text"] == "Hello from Sam"
    assert messages[-1]["from"] == "Sam, Local Area Coordinator"


def test_a_reply_to_an_opted_out_resident_is_not_sent_and_the_coordinator_sees_why(
        auth, client, normanton_thread, phone, db):
    phone.text("STOP")
    auth.sign_in("sam")
    response = auth.post(f"/inbox/threads/{normanton_thread.id}/reply", body="hello?")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Not sent: the resident has opted out (replied STOP)" in page
    assert db.session.scalar(sa.select(Message.status).where(
        Message.author == "coordinator")) == "not_sent"


def test_resident_text_is_shown_as_text_in_the_inbox(auth, client, phone, db):
    phone.text('<script>alert(1)</script><img src=x onerror=alert(2)> call me, normanton')
    thread = db.session.scalar(sa.select(Thread))
    auth.sign_in("sam")
    page = client.get(f"/inbox/threads/{thread.id}").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page


def test_the_team_page_shows_each_coordinators_real_days_and_hours(auth, client, db):
    import re

    from frontdoor.models import Coordinator

    sam = db.session.scalar(sa.select(Coordinator).where(Coordinator.key == "sam-patel"))
    auth.sign_in("lead")
    page = client.get("/inbox/team").get_data(as_text=True)
    for form in ("days-who", "leave-who"):
        options = re.search(rf'<select id="{form}" name="(?:coordinator|who)">(.*?)</select>',
                            page)
        assert options and "Sam Patel" in options.group(1)
    assert "<td>Sam Patel</td><td>coordinator</td><td>Mon, Tue, Wed, Thu, 09:00–17:00</td>" \
        in page
    assert "Grace Adeyemi</td><td>coordinator</td><td>Wed, Thu, Fri, 10:00–15:00" in page
    page = client.get(f"/inbox/team?who={sam.id}").get_data(as_text=True)
    ticked = re.findall(r'name="days" value="(\w+)" checked', page)
    # Sam's own days (Monday to Thursday), then the new-coordinator form's weekdays.
    assert ticked == ["Mon", "Tue", "Wed", "Thu"] + ["Mon", "Tue", "Wed", "Thu", "Fri"]


def test_saving_days_and_hours_for_a_coordinator_keeps_exactly_what_was_ticked(auth, db):
    from datetime import time

    from frontdoor.models import Coordinator

    sam = db.session.scalar(sa.select(Coordinator).where(Coordinator.key == "sam-patel"))
    auth.sign_in("lead")
    auth.post("/inbox/team/days", coordinator=str(sam.id), days=["Mon", "Tue", "Wed", "Thu"],
              starts="08:30", ends="16:30")
    db.session.refresh(sam)
    assert sam.working_days == "Mon,Tue,Wed,Thu"
    assert (sam.starts_work, sam.ends_work) == (time(8, 30), time(16, 30))
    auth.post("/inbox/team/days", coordinator=str(sam.id), days=["Mon"], starts="16:00",
              ends="09:00")
    db.session.refresh(sam)
    assert sam.working_days == "Mon,Tue,Wed,Thu", "an end before the start changes nothing"


def test_leads_manage_leave_and_cover_and_add_coordinators(auth, client, db):
    from frontdoor.models import Coordinator, Ward

    auth.sign_in("sam")
    assert client.get("/inbox/team").status_code == 404
    auth.sign_in("lead")
    sam = db.session.scalar(sa.select(Coordinator).where(Coordinator.key == "sam-patel"))
    auth.post("/inbox/team/leave", coordinator=str(sam.id), **{"from": "2026-12-01",
                                                               "to": "2026-12-05"})
    db.session.refresh(sam)
    assert [(lv.starts.isoformat(), lv.ends.isoformat()) for lv in sam.leave] == [
        ("2026-12-01", "2026-12-05")]
    auth.post("/inbox/team/days", coordinator=str(sam.id), days=["Mon", "Wed"])
    db.session.refresh(sam)
    assert sam.working_days == "Mon,Wed"
    auth.post("/inbox/team/cover", ward="E05015521", cover=str(sam.id))
    assert db.session.get(Ward, "E05015521").cover_id == sam.id
    auth.post("/inbox/team/coordinators", name="Alex Reed", email="alex@lac.example.org",
              role="coordinator", days=["Mon", "Tue"])
    alex = db.session.scalar(sa.select(Coordinator).where(Coordinator.key == "alex-reed"))
    assert alex.working_days == "Mon,Tue" and alex.password_hash is None
    sent = client.application.extensions["frontdoor.alerts"].notifier.sent
    assert sent[-1][0] == "alex-reed" and "/inbox/welcome/" in sent[-1][2]
    audit = client.get("/inbox/audit").get_data(as_text=True)
    assert "add leave" in audit and "set cover" in audit and "add coordinator" in audit
    assert "set days" in audit


def test_a_leads_long_list_comes_a_page_at_a_time_urgent_first(auth, client, db):
    """Issue 13: at a council's size a lead's every-ward list is hundreds of threads; it
    comes in pages of 50, the urgent ones on the first, with links to the rest."""
    from frontdoor.inbox.access import PAGE_SIZE
    from tests.factories import make_resident, make_thread

    for n in range(PAGE_SIZE + 10):
        make_thread(make_resident(phone=f"+4477009{n:05d}"), state=ThreadState.WAITING,
                    handed_after=timedelta(minutes=n))
    make_thread(make_resident(phone="+447700999999"), state=ThreadState.WAITING,
                handed_after=timedelta(hours=5), crisis="domestic_abuse")
    db.session.commit()
    auth.sign_in("lead")
    first = client.get("/inbox").get_data(as_text=True)
    assert first.count('<tr data-thread=') == PAGE_SIZE
    assert "ending 999" in first and first.index("ending 999") < first.index("ending 000")
    assert "Showing 1 to 50 of 61 threads" in first
    assert 'href="/inbox?page=2"' in first and 'aria-current="page"' in first
    second = client.get("/inbox?page=2").get_data(as_text=True)
    assert second.count('<tr data-thread=') == 11 and "Showing 51 to 61 of 61" in second
    assert "ending 999" not in second and "ending 059" in second
    polled = client.get("/inbox/threads.json?page=2").get_json()
    assert len(polled["threads"]) == 11 and polled["total"] == 61 and polled["first"] == 51
    # A mistyped or absurd page is the first or the last page, never an error.
    assert client.get("/inbox?page=abc").status_code == 200
    assert "Showing 51 to 61" in client.get("/inbox?page=999999").get_data(as_text=True)


# -- a row of the list (no database) -----------------------------------------------------------

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(("since", "words"), [
    (None, "–"),
    (NOW - timedelta(minutes=59, seconds=59), "59 min"),
    (NOW - timedelta(hours=1), "1 h 0 min"),
    (NOW - timedelta(hours=1, minutes=5), "1 h 5 min"),
    (NOW - timedelta(hours=23, minutes=59), "23 h 59 min"),
    (NOW - timedelta(days=2, hours=3), "2 days"),
])
def test_how_long_a_thread_has_waited_is_said_in_minutes_hours_or_days(since, words):
    assert rows.waited(since, NOW) == words


def texts(thread: Thread) -> list[str]:
    return [tag["text"] for tag in rows.tags_for(thread)]


def test_an_urgent_thread_names_its_crisis_in_red_until_acknowledged():
    thread = Thread(state=ThreadState.WAITING, urgent=True, crisis="suicide_self_harm")
    assert rows.tags_for(thread)[:2] == [
        {"text": "Urgent: suicide self harm", "urgent": True},
        {"text": "Not acknowledged", "urgent": False}]
    thread.acknowledged_at = NOW
    assert texts(thread) == ["Urgent: suicide self harm", "Waiting"]


def test_an_urgent_thread_in_a_burst_from_one_address_says_so():
    thread = Thread(state=ThreadState.WAITING, urgent=True, acknowledged_at=NOW,
                    alert_grouped=True)
    assert texts(thread) == ["Urgent", "One of several urgent chats from one address",
                             "Waiting"]


def test_a_passed_promise_and_a_check_in_are_tagged_but_check_in_not_when_urgent():
    thread = Thread(state=ThreadState.WITH_COORDINATOR, overdue_at=NOW, check_in=True)
    assert texts(thread) == ["Promised reply time passed", "Check in", "Open"]
    thread.urgent, thread.acknowledged_at = True, NOW
    assert "Check in" not in texts(thread)
    assert texts(Thread(state=ThreadState.CLOSED)) == ["Closed"]


@pytest.mark.parametrize(("asked", "page"), [
    ("3", 3), ("", 1), ("two", 1), ("-2", 1), ("9999999", 1),
])
def test_a_page_of_the_list_is_a_whole_number_or_the_first(asked, page):
    assert access.page_number(asked) == page


def test_a_page_says_which_threads_of_the_whole_it_holds():
    second = access.ThreadPage([Thread()] * 7, total=57, page=2, pages=2)
    assert (second.first, second.last) == (access.PAGE_SIZE + 1, 57)
    assert (access.ThreadPage([], 0, 1, 1).first, access.ThreadPage([], 0, 1, 1).last) == (0, 0)


# -- the team page's forms (no database) -------------------------------------------------------

@pytest.mark.parametrize(("starts", "ends", "span"), [
    ("2026-12-21", "2026-12-24", (date(2026, 12, 21), date(2026, 12, 24))),
    ("2026-12-21", "2026-12-21", (date(2026, 12, 21), date(2026, 12, 21))),   # one day
    ("2026-12-24", "2026-12-21", None),
    ("2026-12-21", "", None),
    ("21/12/2026", "2026-12-24", None),
])
def test_leave_is_a_from_and_to_date_ending_no_earlier_than_it_starts(starts, ends, span):
    assert views.leave_span(starts, ends) == span


@pytest.mark.parametrize(("starts", "ends", "hours"), [
    ("10:00", "15:00", (time(10, 0), time(15, 0))),
    ("", "", (None, None)),                       # the council's own hours
])
def test_a_coordinators_hours_are_both_times_or_neither(starts, ends, hours):
    assert views.working_hours(starts, ends) == hours


@pytest.mark.parametrize(("starts", "ends"), [
    ("10:00", ""), ("", "15:00"), ("15:00", "10:00"), ("10:00", "10:00"), ("10am", "3pm"),
])
def test_hours_with_one_time_an_end_not_after_the_start_or_not_a_time_are_refused(
        starts, ends):
    with pytest.raises(ValueError):
        views.working_hours(starts, ends)
