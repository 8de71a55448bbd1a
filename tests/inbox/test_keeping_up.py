"""Keeping up: a resident's new message marks the thread new, tells the owning coordinator
(never with the resident's words), and reaches an open page through a JSON poll that does not
keep an idle session alive."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from frontdoor.inbox import keeping_up
from frontdoor.models import (
    Author,
    Coordinator,
    Direction,
    Message,
    Notification,
    SignIn,
    Thread,
)


@pytest.fixture
def sams_thread(phone, auth, db, client) -> Thread:
    """A Normanton thread Sam has taken and read."""
    phone.text("can i talk to someone, i live in normanton")
    thread = db.session.scalar(sa.select(Thread))
    auth.sign_in("sam")
    auth.post(f"/inbox/threads/{thread.id}/take")
    client.get(f"/inbox/threads/{thread.id}")
    return thread


def sam(db) -> Coordinator:
    return db.session.scalar(sa.select(Coordinator).where(Coordinator.key == "sam-patel"))


def row_of(client, thread: Thread) -> dict:
    rows = client.get("/inbox/threads.json").get_json()["threads"]
    return next(r for r in rows if r["id"] == thread.id)


def test_a_residents_message_marks_the_thread_new_until_it_is_opened(
        sams_thread, phone, client, db):
    assert row_of(client, sams_thread)["unread"] == 0
    assert "tag--new" not in client.get("/inbox").get_data(as_text=True)
    phone.text("thanks, can you ring me after 3?")
    phone.text("on my mobile please")
    assert row_of(client, sams_thread)["unread"] == 2
    page = client.get("/inbox").get_data(as_text=True)
    assert "2 new" in page and "My threads<span id=\"unread-total\"> (2 new)" in page
    client.get(f"/inbox/threads/{sams_thread.id}")
    assert row_of(client, sams_thread)["unread"] == 0


def test_the_owner_is_notified_once_without_the_residents_words(
        sams_thread, phone, app, db, clock):
    alerts = app.extensions["frontdoor.alerts"]
    alerts.notify_pending(clock)
    alerts.notifier.sent.clear()
    clock.now += timedelta(minutes=5)
    phone.text("my landlord changed the locks, ring me on 07700 900888")
    clock.now += timedelta(minutes=1)
    phone.text("please hurry")
    told = db.session.scalars(sa.select(Notification).where(
        Notification.kind == "resident_wrote")).all()
    assert [(n.coordinator_id, n.thread_id) for n in told] == [(sam(db).id, sams_thread.id)]
    alerts.notify_pending(clock)
    ((key, subject, text),) = alerts.notifier.sent
    assert key == "sam-patel" and subject == "A resident wrote on your thread"
    assert f"/inbox/threads/{sams_thread.id}" in text
    for words in ("landlord", "locks", "900888", "hurry"):
        assert words not in subject + text


def test_after_the_owner_reads_the_thread_the_next_message_notifies_again(
        sams_thread, phone, client, db, clock):
    clock.now += timedelta(minutes=5)
    phone.text("one more thing")
    clock.now += timedelta(minutes=5)
    client.get(f"/inbox/threads/{sams_thread.id}")
    clock.now += timedelta(minutes=5)
    phone.text("and another")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.kind == "resident_wrote")) == 2


def test_an_open_thread_gets_new_messages_by_json(sams_thread, phone, client):
    page = client.get(f"/inbox/threads/{sams_thread.id}").get_data(as_text=True)
    assert "Refresh the conversation" in page and 'id="thread-messages"' in page
    last = client.get(f"/inbox/threads/{sams_thread.id}/messages.json").get_json()["messages"]
    phone.text("<b>are you there?</b>")
    new = client.get(f"/inbox/threads/{sams_thread.id}/messages.json?after={last[-1]['id']}"
                     ).get_json()["messages"]
    assert [(m["author"], m["text"]) for m in new] == [("resident", "<b>are you there?</b>")]
    assert new[0]["meta"].startswith("Resident · ")


def test_the_list_has_a_refresh_link_for_pages_without_javascript(sams_thread, client):
    page = client.get("/inbox").get_data(as_text=True)
    assert 'href="/inbox?">Refresh the list</a>' in page
    assert 'data-poll="/inbox/threads.json"' in page


def test_polling_does_not_keep_an_idle_session_alive(sams_thread, client, db, clock, app):
    idle = app.config["INBOX_IDLE_MINUTES"]
    for _ in range(3):
        clock.now += timedelta(minutes=idle // 3)
        assert client.get("/inbox/threads.json").status_code == 200
    clock.now += timedelta(minutes=idle // 3 + 1)
    response = client.get("/inbox/threads.json")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "signed_out"
    assert db.session.scalar(sa.select(SignIn.ended_at)) is not None
    assert client.get("/inbox").status_code == 302


def test_the_bot_does_not_say_the_coordinator_is_not_working_minutes_after_they_replied(
        sams_thread, phone, auth, clock):
    # Tuesday 6pm: after Sam's hours, but Sam has just replied from the office.
    clock.now = clock.now.replace(hour=18)
    auth.sign_in("sam")
    auth.post(f"/inbox/threads/{sams_thread.id}/reply", body="Hi, it's Sam. I'll ring at 9.")
    clock.now += timedelta(minutes=2)
    assert phone.text("ok thanks") == []
    clock.now += timedelta(hours=1)
    (said,) = phone.text("actually can you ring at 10?")
    assert "not working right now" in said


def test_a_poll_from_a_tab_in_the_background_leaves_the_messages_new(sams_thread, phone,
                                                                    client, clock):
    clock.now += timedelta(minutes=5)
    phone.text("are you there?")
    path = f"/inbox/threads/{sams_thread.id}/messages.json"
    assert client.get(path + "?after=0&seen=0").get_json()["messages"]
    assert row_of(client, sams_thread)["unread"] == 1
    client.get(path + "?after=0")
    assert row_of(client, sams_thread)["unread"] == 0


# -- one message as the poll sends it (no database) --------------------------------------------

MONDAY = datetime(2026, 11, 23, 9, 5, tzinfo=UTC)
ON_PAGE = Thread(id=7)


def sent(**fields) -> dict:
    message = Message(id=1, thread_id=7, direction=Direction.IN, author=Author.RESIDENT,
                      channel="sms", body="hello", created_at=MONDAY)
    for name, value in fields.items():
        setattr(message, name, value)
    return keeping_up.staff_message_json(message, ON_PAGE)


@pytest.mark.usefixtures("words_app")
def test_a_residents_text_says_who_when_and_how_and_carries_its_words_as_text():
    assert sent(body="<b>hi</b>") == {"id": 1, "author": "resident",
                                      "meta": "Resident · 23 Nov 09:05 · SMS",
                                      "status": None, "text": "<b>hi</b>"}


@pytest.mark.usefixtures("words_app")
def test_a_reply_says_how_its_sending_went_with_any_error():
    reply = dict(direction=Direction.OUT, author=Author.COORDINATOR,
                 coordinator=Coordinator(name="Sam Patel"), channel="webchat")
    assert sent(**reply, status="delivered")["meta"] == "Sam Patel · 23 Nov 09:05 · web chat"
    assert sent(**reply, status="delivered")["status"] == "delivered"
    assert sent(**reply, status="not_sent", error="opted out")["status"] == \
        "not sent (opted out)"
    assert sent(**reply, status=None)["status"] is None


@pytest.mark.usefixtures("words_app")
def test_a_message_from_another_thread_or_none_says_so():
    assert sent(thread_id=3)["meta"].endswith(" · SMS · earlier thread")
    assert sent(thread_id=None)["meta"].endswith(" · SMS · not in a thread")
