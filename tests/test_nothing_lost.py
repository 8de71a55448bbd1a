"""Nothing lost, nothing sent twice, nothing shown to the wrong coordinator: concurrent texts
from one new number, concurrent Twilio retries, ambiguous send failures, and resident words
that name another ward. Runs on SQLite and on PostgreSQL (TEST_DATABASE_URL)."""

from __future__ import annotations

import threading
import uuid
from xml.etree import ElementTree

import pytest
import responses
import sqlalchemy as sa
from requests.exceptions import ReadTimeout

from frontdoor import outbox, threads
from frontdoor.channels import webchat
from frontdoor.errors import ApiError
from frontdoor.i18n import in_language
from frontdoor.models import Coordinator, Message, Note, Resident, Thread, ThreadState
from tests.conftest import Phone

SID = "AC" + "0" * 32
BASE = "https://twilio-stub.test"
MESSAGES = f"{BASE}/2010-04-01/Accounts/{SID}/Messages.json"


def at_once(app, jobs: list) -> list:
    """Run each job in its own thread, released together; return their results."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = jobs[index]()
        except Exception as error:  # recorded, and failed on below
            results[index] = error

    workers = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    return results


def replies_in(response) -> list[str]:
    return [m.text or "" for m in ElementTree.fromstring(response.data).iter("Message")]


def new_number() -> str:
    return "+4477009" + str(uuid.uuid4().int)[:5]


def counts(db, number: str) -> tuple[int, int, int]:
    residents = db.session.scalars(sa.select(Resident).where(Resident.address == number)).all()
    ids = [r.id for r in residents]
    stored = db.session.scalar(sa.select(sa.func.count()).select_from(Message).where(
        Message.resident_id.in_(ids), Message.direction == "in"))
    open_threads = db.session.scalar(sa.select(sa.func.count()).select_from(Thread).where(
        Thread.resident_id.in_(ids), Thread.state != ThreadState.CLOSED))
    return len(residents), stored, open_threads


@pytest.mark.parametrize("texts", [
    ["hi i need some help", "with food please, im in normanton"],
    ["hello", "i need food", "i live in normanton"],
])
def test_concurrent_first_texts_from_a_new_number_are_all_stored_once_in_one_thread(
        app, client, db, texts):
    phone = Phone(client, app, new_number())
    posts = [phone.fields(text) for text in texts]
    results = at_once(app, [lambda f=f: phone.signed_post(f) for f in posts])
    assert [getattr(r, "status_code", r) for r in results] == [200] * len(texts)
    db.session.expire_all()
    assert counts(db, phone.number) == (1, len(texts), 1)
    bodies = sorted(db.session.scalars(sa.select(Message.body).where(
        Message.direction == "in")).all())
    assert bodies == sorted(texts)
    answered = db.session.scalar(sa.select(sa.func.count()).select_from(Message).where(
        Message.direction == "in", Message.thread_id.is_(None)))
    assert answered == 0, "every message was answered, in the one thread"


def test_two_texts_sent_together_get_answers_that_follow_on(app, client, db):
    phone = Phone(client, app, new_number())
    first, second = phone.fields("hi i need some help"), phone.fields(
        "with food please, im in normanton")
    results = at_once(app, [lambda: phone.signed_post(first), lambda: phone.signed_post(second)])
    answers = [replies_in(r)[0] for r in results]
    assert answers[0] != answers[1], "not two identical menus"
    assert any("Normanton" in a for a in answers), "the food answer for the ward"


def test_concurrent_retries_of_one_new_message_sid_are_all_answered_200_and_stored_once(
        app, client, db):
    phone = Phone(client, app, new_number())
    fields = phone.fields("need a food bank, I live in Normanton")
    results = at_once(app, [lambda: phone.signed_post(fields) for _ in range(5)])
    assert [getattr(r, "status_code", r) for r in results] == [200] * 5
    db.session.expire_all()
    assert counts(db, phone.number) == (1, 1, 1)
    answers = [replies_in(r) for r in results]
    assert all(a == answers[0] for a in answers), "each retry gets the first answer"


def test_one_open_thread_per_resident_is_kept_by_the_database(app, db, phone):
    phone.text("i need food")
    resident = db.session.scalar(sa.select(Resident))
    db.session.add(Thread(resident_id=resident.id, state=ThreadState.WAITING))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_web_chat_posts_from_two_tabs_at_once_make_one_thread(app, client, db):
    token = client.post("/chat/api/conversations").get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    texts = ["hi", "i need food in normanton"]
    results = at_once(app, [
        lambda t=t: client.post("/chat/api/messages", json={"text": t}, headers=headers)
        for t in texts])
    assert [getattr(r, "status_code", r) for r in results] == [201, 201]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Thread)) == 1


# -- nothing sent twice -------------------------------------------------------------------------

def sent_by_twilio(body: str) -> dict:
    return {"messages": [{"sid": "SM" + "7" * 32, "status": "sent", "body": body,
                          "direction": "outbound-api"}], "next_page_uri": None}


# A read timeout here; that a reset too may have sent the text (and a connect timeout not) is
# the sender's to say: tests/channels/test_senders.py.
@responses.activate
def test_a_send_that_failed_after_twilio_accepted_it_is_not_sent_again(
        queued, twilio, db, clock):
    responses.post(MESSAGES, body=ReadTimeout())
    responses.get(MESSAGES, json=sent_by_twilio(queued.body))
    outbox.send_due(twilio, clock)
    db.session.refresh(queued)
    assert queued.status == "retrying" and queued.maybe_sent
    clock.now = queued.next_attempt_at
    outbox.send_due(twilio, clock)
    db.session.refresh(queued)
    assert [c.request.method for c in responses.calls] == ["POST", "GET"], "asked, not re-sent"
    assert queued.status == "sent" and queued.provider_ref == "SM" + "7" * 32


@responses.activate
def test_a_5xx_after_the_request_was_written_is_checked_before_sending_again(
        queued, twilio, db, clock):
    responses.post(MESSAGES, status=503, json={"code": 20503, "message": "x", "status": 503})
    responses.get(MESSAGES, json={"messages": [], "next_page_uri": None})
    responses.post(MESSAGES, status=201, json={"sid": "SM" + "8" * 32, "status": "queued"})
    outbox.send_due(twilio, clock)
    clock.now = db.session.get(Message, queued.id).next_attempt_at
    outbox.send_due(twilio, clock)
    assert [c.request.method for c in responses.calls] == ["POST", "GET", "POST"]
    assert db.session.get(Message, queued.id).status == "queued"


@responses.activate
def test_when_twilio_can_never_say_whether_it_went_the_message_waits_for_a_person(
        queued, twilio, db, clock, auth, client):
    responses.post(MESSAGES, body=ReadTimeout())
    responses.get(MESSAGES, body=ReadTimeout())
    for _ in range(outbox.MAX_ATTEMPTS):
        message = db.session.get(Message, queued.id)
        db.session.refresh(message)
        if message.next_attempt_at:
            clock.now = max(clock.now, message.next_attempt_at)
        outbox.send_due(twilio, clock)
    db.session.refresh(message)
    assert message.status == "unknown" and "check with the resident" in message.error
    posts = [c for c in responses.calls if c.request.method == "POST"]
    assert len(posts) == 1, "never guessed into a second send"
    auth.sign_in("sam")
    page = client.get(f"/inbox/threads/{message.thread_id}").get_data(as_text=True)
    assert "could not confirm whether it was sent" in page


# -- nothing shown to the wrong coordinator -----------------------------------------------------

def test_a_resident_naming_another_ward_on_an_owned_thread_gives_that_coordinator_no_access(
        app, phone, db, clock, auth, client):
    phone.text("can i talk to someone, i live in abbey")
    thread = db.session.scalar(sa.select(Thread))
    hannah = db.session.scalar(sa.select(Coordinator).where(Coordinator.key == "hannah-okafor"))
    assert thread.coordinator_id == hannah.id
    threads.take(thread, hannah, clock())
    db.session.add(Note(thread_id=thread.id, coordinator_id=hannah.id,
                        body="PRIVATE: worried about her son"))
    db.session.commit()
    phone.text("oh and my sister in normanton needs help too")
    db.session.refresh(thread)
    assert thread.ward.name == "Abbey" and thread.coordinator_id == hannah.id
    assert thread.suggested_ward.name == "Normanton"
    auth.sign_in("sam")
    assert client.get(f"/inbox/threads/{thread.id}").status_code == 404
    assert "PRIVATE" not in client.get("/inbox").get_data(as_text=True)
    auth.sign_out()
    auth.sign_in("hannah")
    page = client.get(f"/inbox/threads/{thread.id}").get_data(as_text=True)
    assert "The resident mentioned Normanton" in page
    # Only Hannah's action moves it.
    auth.post(f"/inbox/threads/{thread.id}/move-ward", ward=thread.suggested_ward_code)
    db.session.refresh(thread)
    assert thread.ward.name == "Normanton"


def test_a_web_chat_double_post_stores_one_message_and_answers_once(app, client, db):
    token = client.post("/chat/api/conversations").get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    post = {"text": "i need food in normanton", "client_id": uuid.uuid4().hex}
    first = client.post("/chat/api/messages", json=post, headers=headers)
    again = client.post("/chat/api/messages", json=post, headers=headers)
    assert first.status_code == again.status_code == 201
    # The second post is acknowledged with the same message and the same answer.
    assert first.get_json() == again.get_json()
    assert [m["author"] for m in again.get_json()["messages"]] == ["resident", "bot"]
    assert count(db, "in") == 1
    assert count(db, "out") == 1


def test_the_same_words_posted_with_a_new_client_id_are_a_new_message(app, client, db):
    # The id, not the words, makes a post the same one: a resident may well say "yes" twice.
    token = client.post("/chat/api/conversations").get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    for _ in range(2):
        client.post("/chat/api/messages", headers=headers,
                    json={"text": "hello", "client_id": uuid.uuid4().hex})
    assert count(db, "in") == 2


def test_the_no_javascript_chat_form_posted_twice_stores_one_message(app, client, db):
    import re

    page = client.get("/chat").get_data(as_text=True)
    form = {name: re.search(rf'name="{name}" value="([^"]+)"', page).group(1)
            for name in ("csrf_token", "client_id")}
    posts = [client.post("/chat", data={**form, "text": "i need food in normanton"})
             for _ in range(2)]
    assert [p.status_code for p in posts] == [302, 302]
    assert posts[0].headers["Location"] == posts[1].headers["Location"]
    assert count(db, "in") == 1
    assert count(db, "out") == 1, "answered once"
    # The page after the second post shows the one message and its one answer.
    shown = client.get("/chat").get_data(as_text=True)
    assert shown.count("i need food in normanton") == 1


def count(db, direction: str) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Message).where(
        Message.direction == direction))


def test_a_malformed_client_id_is_a_clear_400(app, client):
    token = client.post("/chat/api/conversations").get_json()["token"]
    response = client.post("/chat/api/messages", json={"text": "hi", "client_id": "<b>"},
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_client_id"


# -- a web-chat message's own id, from the client's (webchat.chat_message_id; the unit tier) --

def test_a_double_post_has_one_message_id_and_a_new_client_id_another(words_app):
    first = webchat.chat_message_id("conversation-a", "a1b2c3d4e5f6")
    assert first is not None and first.startswith("wc-") and len(first) <= 64
    assert webchat.chat_message_id("conversation-a", "a1b2c3d4e5f6") == first
    assert webchat.chat_message_id("conversation-a", "a1b2c3d4e5f7") != first
    # Another conversation choosing the same client id is another message.
    assert webchat.chat_message_id("conversation-b", "a1b2c3d4e5f6") != first


@pytest.mark.parametrize("client_id", [None, ""])
def test_a_post_without_a_client_id_has_no_message_id(words_app, client_id):
    assert webchat.chat_message_id("conversation-a", client_id) is None


@pytest.mark.parametrize("client_id", ["<b>", "short", "x" * 65, "has space in it", 12345678,
                                       ["a1b2c3d4e5f6"], "a1b2c3d4\x00"])
def test_a_malformed_client_id_is_refused_with_a_clear_code(words_app, client_id):
    with in_language("en"), pytest.raises(ApiError) as refused:
        webchat.chat_message_id("conversation-a", client_id)
    assert refused.value.status == 400 and refused.value.code == "invalid_client_id"
