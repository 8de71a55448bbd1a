"""Fewer slips: a hand-over to someone on leave is warned about and their cover offered;
hand-over and close have no choice made in advance; an SMS reply is counted in text messages
and one of more than 3 is only sent when the coordinator confirms it."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa
from markupsafe import escape

from frontdoor.inbox.slips import Away, count_sms, handed_over_words
from frontdoor.models import Coordinator, Message, Thread, ThreadState
from tests.conftest import make_phone


def person(db, key: str) -> Coordinator:
    return db.session.scalar(sa.select(Coordinator).where(Coordinator.key == key))


@pytest.fixture
def abbey_thread(client, app, db) -> Thread:
    make_phone(client, app, "+447700900321").text("can someone ring me, i live in abbey")
    return db.session.scalar(sa.select(Thread))


@pytest.mark.model   # what the trained model makes of the words
def test_handing_to_someone_on_leave_warns_offers_their_cover_and_changes_nothing(
        auth, client, abbey_thread, db):
    nadia, sam = person(db, "nadia-hussain"), person(db, "sam-patel")
    auth.sign_in("hannah")
    page = client.get(f"/inbox/threads/{abbey_thread.id}").get_data(as_text=True)
    assert f'<option value="{nadia.id}">Nadia Hussain (on leave until 8 Jan)</option>' in page
    response = auth.post(f"/inbox/threads/{abbey_thread.id}/hand-over", to=str(nadia.id))
    db.session.refresh(abbey_thread)
    assert abbey_thread.coordinator.key == "hannah-okafor", "nothing handed over yet"
    assert db.session.scalar(sa.select(Message).where(Message.author == "coordinator")) is None
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Nadia Hussain is on leave" in page
    assert "away until 8 January 2027 and back on Monday 11 January" in page
    assert "Hand to Sam Patel, who is covering" in page

    auth.post(f"/inbox/threads/{abbey_thread.id}/hand-over", to=str(sam.id))
    db.session.refresh(abbey_thread)
    assert abbey_thread.coordinator_id == sam.id


def test_handing_to_someone_on_leave_anyway_tells_the_resident_when_they_are_back(
        auth, client, abbey_thread, db):
    nadia = person(db, "nadia-hussain")
    auth.sign_in("hannah")
    auth.post(f"/inbox/threads/{abbey_thread.id}/hand-over", to=str(nadia.id), on_leave_ok="yes")
    db.session.refresh(abbey_thread)
    assert abbey_thread.coordinator_id == nadia.id
    told = db.session.scalar(sa.select(Message.body).where(Message.author == "coordinator"))
    assert "Nadia is away until Monday 11 January" in told and "will be in touch." not in told


def test_the_resident_is_told_who_has_their_conversation_and_when_they_are_back():
    # Coordinators never stored: the words are decided from the person and their leave.
    nadia = Coordinator(name="Nadia Hussain")
    assert handed_over_words(nadia, None) == (
        "Your conversation is now with Nadia Hussain, a Local Area Coordinator. Nadia will be "
        "in touch.")
    away = Away(nadia, until=date(2027, 1, 8), back=date(2027, 1, 11), cover=None)
    told = handed_over_words(nadia, away)
    assert "Nadia is away until Monday 11 January and will be in touch after that." in told
    assert "will be in touch." not in told and "In an emergency call 999." in told


@pytest.mark.model   # what the trained model makes of the words
def test_hand_over_and_close_have_no_choice_made_in_advance(auth, client, abbey_thread, db):
    auth.sign_in("hannah")
    page = client.get(f"/inbox/threads/{abbey_thread.id}").get_data(as_text=True)
    for select in ("hand-to", "outcome"):
        options = re.search(rf'<select id="{select}" name="\w+" required>(.*?)</select>', page,
                            re.S).group(1)
        assert re.match(r'\s*<option value="">Choose', options), select
        assert "selected" not in options, select
    response = auth.post(f"/inbox/threads/{abbey_thread.id}/hand-over", to="")
    assert "Choose who to hand this thread to." in client.get(
        response.headers["Location"]).get_data(as_text=True)
    response = auth.post(f"/inbox/threads/{abbey_thread.id}/close", outcome="")
    assert "Choose how the thread ended (or &#39;No code&#39;) before closing it." in client.get(
        response.headers["Location"]).get_data(as_text=True)
    db.session.refresh(abbey_thread)
    assert abbey_thread.state == ThreadState.WAITING
    assert abbey_thread.coordinator.key == "hannah-okafor"


LONG_REPLY = ("Hello, it's Hannah. " + "I have found a few things that might help with this. "
              * 15).strip()


def test_a_reply_of_more_than_three_texts_is_held_until_the_coordinator_confirms(
        auth, client, abbey_thread, db):
    assert count_sms(LONG_REPLY).segments == 6
    auth.sign_in("hannah")
    response = auth.post(f"/inbox/threads/{abbey_thread.id}/reply", body=LONG_REPLY)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Not sent yet." in page and "would go as 6 text messages" in page
    assert f">{escape(LONG_REPLY)}</textarea>" in page, "the reply comes back as written"
    assert "6 text messages. That is more than 3" in page
    assert db.session.scalar(sa.select(Message).where(Message.author == "coordinator")) is None
    auth.post(f"/inbox/threads/{abbey_thread.id}/reply", body=LONG_REPLY, long_ok="yes")
    assert db.session.scalar(sa.select(Message.body).where(
        Message.author == "coordinator")) == LONG_REPLY


def test_a_long_reply_to_web_chat_is_not_counted_in_texts(auth, client, db):
    token = client.post("/chat/api/conversations").get_json()["token"]
    client.post("/chat/api/messages", json={"text": "can i talk to someone, im in normanton"},
                headers={"Authorization": f"Bearer {token}"})
    thread = db.session.scalar(sa.select(Thread))
    auth.sign_in("sam")
    assert 'id="reply-count"' not in client.get(f"/inbox/threads/{thread.id}").get_data(
        as_text=True)
    auth.post(f"/inbox/threads/{thread.id}/reply", body=LONG_REPLY)
    assert db.session.scalar(sa.select(Message.body).where(
        Message.author == "coordinator")) == LONG_REPLY


@pytest.mark.parametrize("text,words", [
    ("", "0 characters: 1 text message."),
    ("a" * 160, "160 characters: 1 text message."),
    ("a" * 161, "161 characters: 2 text messages."),
    ("€" * 80, "160 characters: 1 text message."),
    ("See you soon 🙂", "15 characters: 1 text message. It has characters outside the basic "
                       "text alphabet, so each text holds fewer."),
    ("a" * 460, "460 characters: 4 text messages. That is more than 3: shorten it if you can."),
])
def test_the_reply_counter_counts_text_messages_as_sms_does(text, words):
    assert count_sms(text).describe() == words


def test_the_sms_reply_box_shows_the_counter(auth, client, abbey_thread):
    auth.sign_in("hannah")
    page = client.get(f"/inbox/threads/{abbey_thread.id}").get_data(as_text=True)
    assert '<p id="reply-count" class="hint">0 characters: 1 text message.</p>' in page
    assert 'aria-describedby="reply-count"' in page
