"""Replies that always arrive, once: the outbox worker against Twilio's REST API (mocked with
`responses`), status callbacks, notifications and the urgent escalation."""

from __future__ import annotations

import contextlib
import threading
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import pytest
import responses
import sqlalchemy as sa
from flask import url_for
from requests.exceptions import ConnectTimeout
from twilio.request_validator import RequestValidator

from frontdoor import _status_callback_url, outbox, outgoing
from frontdoor.channels.senders import (
    PERMANENT_ERRORS,
    RecordingSmsSender,
    SendError,
    Sent,
    TwilioSmsSender,
    UnconfiguredSmsSender,
)
from frontdoor.models import Coordinator, Message, Notification, Resident, Thread
from tests.fakes import terminate_other_connections

SID = "AC" + "0" * 32
BASE = "https://twilio-stub.test"
MESSAGES = f"{BASE}/2010-04-01/Accounts/{SID}/Messages.json"


def created(sid: str = "SM" + "1" * 32, status: str = "queued") -> dict:
    return {"sid": sid, "status": status, "body": "x", "direction": "outbound-api"}


@responses.activate
def test_the_worker_sends_a_queued_reply_through_twilio(queued, twilio, db, clock):
    responses.post(MESSAGES, status=201, json=created())
    assert outbox.send_due(twilio, clock) == 1
    db.session.refresh(queued)
    assert queued.status == "queued" and queued.provider_ref == "SM" + "1" * 32
    assert len(responses.calls) == 1
    assert "Body=Hi%2C+it%27s+Sam" in responses.calls[0].request.body
    assert outbox.send_due(twilio, clock) == 0, "nothing is sent twice"


@responses.activate
def test_a_500_and_a_timeout_are_retried_with_backoff(queued, twilio, db, clock):
    responses.post(MESSAGES, status=500, json={"code": 20500, "message": "oops", "status": 500})
    # A 500 may come after Twilio accepted the message: it is asked before the next send.
    responses.get(MESSAGES, json={"messages": [], "next_page_uri": None})
    responses.post(MESSAGES, body=ConnectTimeout())
    responses.post(MESSAGES, status=201, json=created())
    outbox.send_due(twilio, clock)
    db.session.refresh(queued)
    assert queued.status == "retrying" and queued.next_attempt_at > clock()
    assert outbox.send_due(twilio, clock) == 0, "not before the backoff"
    for _ in range(2):
        clock.now = queued.next_attempt_at + timedelta(seconds=1)
        outbox.send_due(twilio, clock)
        db.session.refresh(queued)
    assert queued.status == "queued" and queued.provider_ref and queued.attempts == 3
    assert [c.request.method for c in responses.calls] == ["POST", "GET", "POST", "POST"]


@responses.activate
def test_a_worker_that_died_after_sending_does_not_send_twice(queued, twilio, db, clock):
    # What a crash between Twilio's answer and our commit leaves behind:
    queued.status, queued.attempts = "sending", 1
    queued.sending_since = clock() - outbox.SENDING_LEASE - timedelta(seconds=1)
    db.session.commit()
    responses.get(MESSAGES, json={"messages": [dict(created("SM" + "9" * 32, "sent"),
                                                    body=queued.body)],
                                  "next_page_uri": None})
    assert outbox.send_due(twilio, clock) == 1
    db.session.refresh(queued)
    assert queued.provider_ref == "SM" + "9" * 32 and queued.status == "sent"
    assert [c.request.method for c in responses.calls] == ["GET"], "found, not re-sent"


@responses.activate
def test_a_worker_that_died_before_sending_sends_once(queued, twilio, db, clock):
    queued.status, queued.attempts = "sending", 1
    queued.sending_since = clock() - outbox.SENDING_LEASE - timedelta(seconds=1)
    db.session.commit()
    responses.get(MESSAGES, json={"messages": [], "next_page_uri": None})
    responses.post(MESSAGES, status=201, json=created())
    outbox.send_due(twilio, clock)
    assert [c.request.method for c in responses.calls] == ["GET", "POST"]


@responses.activate
def test_21610_opted_out_fails_with_the_reason_shown_on_the_thread(queued, twilio, db, clock,
                                                                    auth, client):
    responses.post(MESSAGES, status=400, json={"code": 21610, "message": "unsubscribed",
                                               "status": 400})
    outbox.send_due(twilio, clock)
    db.session.refresh(queued)
    assert queued.status == "failed"
    assert queued.error == "the resident has opted out (replied STOP)"
    clock.now += timedelta(hours=1)
    assert outbox.send_due(twilio, clock) == 0, "a permanent failure is not retried"
    auth.sign_in("sam")
    page = client.get(f"/inbox/threads/{queued.thread_id}").get_data(as_text=True)
    assert "failed" in page and "the resident has opted out (replied STOP)" in page


def status_callback(client, app, sid: str, status: str):
    fields = {"MessageSid": sid, "MessageStatus": status, "AccountSid": SID}
    url = app.config["PUBLIC_BASE_URL"] + "/sms/status"
    signature = RequestValidator(app.config["TWILIO_AUTH_TOKEN"]).compute_signature(url, fields)
    return client.post("/sms/status", data=fields, headers={"X-Twilio-Signature": signature})


@responses.activate
def test_behind_a_path_prefix_twilio_reports_to_the_status_route_at_the_address_it_signs(
        queued, db, clock, client, app):
    """Twilio is given the status route's own address (url_for) under PUBLIC_BASE_URL, path
    and all; a report it signs for that address is accepted where the route is served."""
    app.config["PUBLIC_BASE_URL"] = "https://www.example.gov.uk/frontdoor/"
    callback = _status_callback_url(app)
    with app.test_request_context():
        route = url_for("sms.status")   # where the app serves Twilio's status callbacks
    assert callback == "https://www.example.gov.uk/frontdoor" + route
    sender = TwilioSmsSender(SID, "test-auth-token", from_number="+447700900000",
                             api_base_url=BASE, status_callback=callback)
    responses.post(MESSAGES, status=201, json=created())
    assert outbox.send_due(sender, clock) == 1
    assert parse_qs(responses.calls[0].request.body)["StatusCallback"] == [callback]
    fields = {"MessageSid": "SM" + "1" * 32, "MessageStatus": "delivered", "AccountSid": SID}
    signature = RequestValidator(app.config["TWILIO_AUTH_TOKEN"]).compute_signature(
        callback, fields)
    # The council's proxy serves the front door under /frontdoor/ and passes the rest on.
    response = client.post(route, data=fields, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 204
    db.session.refresh(queued)
    assert queued.status == "delivered"


@responses.activate
def test_status_callbacks_out_of_order_and_repeated_leave_the_right_final_state(
        queued, twilio, db, clock, client, app):
    responses.post(MESSAGES, status=201, json=created())
    outbox.send_due(twilio, clock)
    sid = "SM" + "1" * 32
    for status in ["sent", "delivered", "sent", "queued", "delivered"]:
        assert status_callback(client, app, sid, status).status_code == 204
    db.session.refresh(queued)
    assert queued.status == "delivered"
    assert status_callback(client, app, "SMunknown", "delivered").status_code == 204
    forged = client.post("/sms/status", data={"MessageSid": sid, "MessageStatus": "failed"},
                         headers={"X-Twilio-Signature": "forged"})
    assert forged.status_code == 403


def test_a_handoff_notifies_the_coordinator_without_the_residents_words(phone, db, app, clock):
    phone.text("can i talk to someone about my secret debts, i live in normanton")
    alerts = app.extensions["frontdoor.alerts"]
    alerts.notify_pending(clock)
    ((key, subject, text),) = alerts.notifier.sent
    assert key == "sam-patel" and subject == "New thread for you"
    assert "/inbox/threads/" in text and "debts" not in text


def test_several_workers_side_by_side_send_each_message_once(app, phone, db, clock, request):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs one worker; side-by-side workers are a PostgreSQL feature")
    phone.text("can i talk to someone, i live in normanton")
    thread = db.session.scalar(sa.select(Thread))
    sam = db.session.scalar(sa.select(Coordinator).where(Coordinator.key == "sam-patel"))
    for n in range(30):
        outgoing.queue_reply(thread, sam, f"message {n}", clock())
    db.session.commit()
    sender = RecordingSmsSender()

    def work() -> None:
        with app.app_context():
            while outbox.send_due(sender, clock, limit=3):
                pass
            db.session.remove()

    workers = [threading.Thread(target=work) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    bodies = sorted(body for _, body in sender.sent)
    assert bodies == sorted(f"message {n}" for n in range(30))


class BlipAfterSending(RecordingSmsSender):
    """Twilio accepts the first message, then the database drops every connection before
    the worker can record that it went."""

    def __init__(self, blip) -> None:
        super().__init__()
        self.blip = blip

    def _send(self, to, body, idempotency_key):
        sent = super()._send(to, body, idempotency_key)
        if len(self.sent) == 1:
            self.blip()
        return sent


def database_blip(db):
    """What a database restart does to the worker: its connections are gone (PostgreSQL),
    or the database is locked for longer than the worker waits (SQLite)."""
    url = db.engine.url
    if url.get_backend_name() == "postgresql":
        return lambda: terminate_other_connections(url)

    def blip() -> None:
        import sqlite3

        locker = sqlite3.connect(url.database, isolation_level=None, check_same_thread=False)
        locker.execute("BEGIN EXCLUSIVE")
        timer = threading.Timer(6.0, lambda: (locker.execute("COMMIT"), locker.close()))
        timer.start()
    return blip


def test_the_worker_outlives_a_database_blip_and_delivers_the_reply_once(
        queued, db, app, clock):
    sender = BlipAfterSending(database_blip(db))
    done = threading.Event()
    errors: list[BaseException] = []

    def work() -> None:
        with app.app_context():
            try:
                outbox.run_worker(sender, app.extensions["frontdoor.alerts"], interval=0.05,
                                  clock=clock, stop=done.is_set)
            except BaseException as error:  # recorded and failed on below
                errors.append(error)
            finally:
                db.session.remove()

    worker = threading.Thread(target=work)
    worker.start()
    try:
        for _ in range(400):
            if sender.sent:
                break
            threading.Event().wait(0.05)
        # After the blip the claimed reply looks like a worker died mid-send: once its
        # lease has passed, the worker asks before sending again.
        threading.Event().wait(7.0 if db.engine.url.get_backend_name() == "sqlite" else 1.0)
        clock.now += outbox.SENDING_LEASE + timedelta(seconds=1)
        for _ in range(400):
            with app.app_context():
                status = db.session.scalar(sa.select(Message.status).where(
                    Message.id == queued.id))
                db.session.remove()
            if status not in {"pending", "sending", "retrying"}:
                break
            threading.Event().wait(0.05)
    finally:
        done.set()
        worker.join(timeout=30)
    assert not errors and not worker.is_alive(), "the worker kept going and stopped when told"
    assert status == "delivered"
    assert sender.sent == [(queued.resident.address, queued.body)], "sent once"


def test_several_residents_texts_go_at_once_each_residents_in_order(db, twilio, clock):
    """Twilio's API takes a few hundred milliseconds a call: the worker sends different
    residents' texts side by side, and one resident's always one after another, in order."""
    from tests.factories import make_resident, make_thread

    lock, in_flight, most = threading.Lock(), [0], [0]
    order: dict[str, list[str]] = {}
    gate = threading.Barrier(4, timeout=2)
    sids = iter(range(100))

    def accept(request):
        from urllib.parse import parse_qs

        fields = parse_qs(request.body)
        with lock:
            in_flight[0] += 1
            most[0] = max(most[0], in_flight[0])
        with contextlib.suppress(threading.BrokenBarrierError):
            gate.wait()   # only passes when four calls are in flight together
        with lock:
            in_flight[0] -= 1
            order.setdefault(fields["To"][0], []).append(fields["Body"][0])
        return 201, {}, f'{{"sid": "SM{next(sids):032d}", "status": "queued"}}'

    threads = [make_thread(make_resident(phone=f"+44770090{n:04d}")) for n in range(6)]
    for thread in threads:
        for part in ("first", "second", "third"):
            outbox.queue_reply(thread, None, part, clock())
    db.session.commit()
    with responses.RequestsMock() as mock:
        mock.add_callback(responses.POST, MESSAGES, callback=accept)
        assert outbox.send_due(twilio, clock, concurrency=4) == 18
    assert most[0] == 4
    assert order == {t.resident.address: ["first", "second", "third"] for t in threads}
    assert db.session.scalar(sa.select(sa.func.count()).where(
        Message.status == "queued")) == 18


def test_the_sending_threads_and_their_twilio_connections_are_kept_between_rounds(
        db, twilio, clock):
    """A new thread each round would mean a new Twilio client, and a new HTTPS connection
    to Twilio, for every round of a backlog."""
    from tests.factories import make_resident, make_thread

    # The threads and clients themselves, kept alive so no id is reused. Which of the pool's
    # threads takes which send is the pool's choice (one may take all eight), so the test
    # asks that every send went from a thread of the one kept pool, each with one client.
    senders: set[tuple[threading.Thread, object]] = set()

    def accept(request):
        senders.add((threading.current_thread(), twilio.client))
        return 201, {}, f'{{"sid": "SM{uuid.uuid4().hex}", "status": "queued"}}'

    with responses.RequestsMock() as mock:
        mock.add_callback(responses.POST, MESSAGES, callback=accept)
        for round_ in range(2):
            for n in range(8):
                thread = make_thread(make_resident(phone=f"+4477009{round_}{n:04d}"))
                outbox.queue_reply(thread, None, "hello", clock())
            db.session.commit()
            assert outbox.send_due(twilio, clock, concurrency=2) == 8
    threads = {sending for sending, _ in senders}
    assert threads <= set(outbox._sending_pool(2)._threads)
    assert len(threads) == len(senders)   # one Twilio client per thread, both rounds


# -- what one send comes to, on its message (outbox.record_result; no database: the unit tier)

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def delivery(attempts: int = 1, sent: Sent | None = None, error: SendError | None = None,
             refused: str | None = None, check_first: bool = False) -> outbox.Delivery:
    """A claimed message (its `attempts` counted by the claim) and what the send found."""
    message = Message(status="sending", attempts=attempts, maybe_sent=False, body="Hi")
    return outbox.Delivery(message, "+447700900123", "Hi", "key", NOW, check_first,
                           refused=refused, sent=sent, error=error)


def test_a_send_twilio_accepted_records_its_sid_and_status():
    done = delivery(sent=Sent("SM" + "1" * 32, "queued"))
    outbox.record_result(done, NOW)
    assert (done.message.status, done.message.provider_ref) == ("queued", "SM" + "1" * 32)
    assert done.message.error is None and not done.message.maybe_sent


def test_a_status_twilio_answers_that_we_do_not_know_is_recorded_as_sent():
    done = delivery(sent=Sent("SM1", "something-new"))
    outbox.record_result(done, NOW)
    assert done.message.status == "sent"


def test_a_passing_error_is_retried_after_the_backoff():
    done = delivery(attempts=2, error=SendError("Twilio 500", permanent=False))
    outbox.record_result(done, NOW)
    assert done.message.status == "retrying" and done.message.error == "Twilio 500"
    assert done.message.next_attempt_at == NOW + outbox.backoff(2) == NOW + timedelta(seconds=20)


def test_a_permanent_error_fails_at_once_with_its_reason():
    done = delivery(error=SendError(PERMANENT_ERRORS[21610], permanent=True, code=21610))
    outbox.record_result(done, NOW)
    assert done.message.status == "failed"
    assert done.message.error == "the resident has opted out (replied STOP)"


def test_a_passing_error_on_the_last_attempt_fails():
    done = delivery(attempts=outbox.MAX_ATTEMPTS, error=SendError("Twilio 500", False))
    outbox.record_result(done, NOW)
    assert done.message.status == "failed"


def test_an_error_that_may_have_sent_it_is_checked_first_next_time():
    done = delivery(error=SendError("read timeout", permanent=False, ambiguous=True))
    outbox.record_result(done, NOW)
    assert done.message.status == "retrying" and done.message.maybe_sent


def test_on_the_last_attempt_a_message_that_may_have_gone_waits_for_a_person():
    done = delivery(attempts=outbox.MAX_ATTEMPTS,
                    error=SendError("read timeout", permanent=False, ambiguous=True))
    outbox.record_result(done, NOW)
    assert done.message.status == "unknown"
    assert "check with the resident before sending it again" in done.message.error


def test_a_message_the_resident_must_not_be_texted_is_not_sent_with_the_reason():
    done = delivery(refused="the resident asked for calls only: it may not be safe to text")
    outbox.record_result(done, NOW)
    assert done.message.status == "not_sent" and "calls only" in done.message.error


# -- what a claimed message is before it goes, and what the sending thread asks Twilio ------
# (outbox.prepare_delivery, call_provider: plain rows and a recording sender, the unit tier)

def claimed(resident: Resident, reply_to_id: int | None = None, maybe_sent: bool = False,
            key: str | None = "reply-7") -> Message:
    return Message(id=7, resident=resident, reply_to_id=reply_to_id, body="Hi",
                   idempotency_key=key, maybe_sent=maybe_sent, created_at=NOW)


def texter(**kwargs) -> Resident:
    kwargs.setdefault("opted_out", False)
    return Resident(channel="sms", address="+447700900123", **kwargs)


@pytest.mark.parametrize("message, refused", [
    (claimed(texter()), None),
    (claimed(texter(contact_by="call_only")), "calls only"),
    (claimed(texter(contact_by="webchat_only")), "web chat only"),
    (claimed(texter(opted_out=True)), "opted out"),
    # The front door's answer to the text the resident just sent goes back as a text, as it
    # would have in the webhook's response: only an opt-out stops it.
    (claimed(texter(contact_by="call_only"), reply_to_id=6), None),
    (claimed(texter(opted_out=True), reply_to_id=6), "opted out"),
])
def test_a_message_is_refused_before_it_goes_when_the_resident_must_not_be_texted(
        message, refused):
    ready = outbox.prepare_delivery(message, recovering=False)
    assert (ready.refused is None) if refused is None else (refused in ready.refused)


def test_a_message_goes_to_the_residents_number_under_its_own_key():
    message = claimed(texter())
    message.created_at = NOW - timedelta(minutes=5)
    ready = outbox.prepare_delivery(message, recovering=False)
    # Twilio is searched from when the reply was queued, not from this attempt: a send
    # that went before a crash is found, not sent again.
    assert (ready.to, ready.body, ready.key, ready.since) == ("+447700900123", "Hi",
                                                             "reply-7", message.created_at)
    assert not ready.check_first
    assert outbox.prepare_delivery(claimed(texter(), key=None), False).key == "7"


@pytest.mark.parametrize("maybe_sent, recovering", [(True, False), (False, True)])
def test_a_message_that_may_have_gone_is_asked_about_first(maybe_sent, recovering):
    message = claimed(texter(), maybe_sent=maybe_sent)
    ready = outbox.prepare_delivery(message, recovering=recovering)
    assert ready.check_first and message.maybe_sent


def ready(check_first: bool = False, refused: str | None = None) -> outbox.Delivery:
    return outbox.Delivery(Message(id=7), "+447700900123", "Hi", "reply-7", NOW, check_first,
                           refused=refused)


def test_a_ready_message_is_sent_once():
    sender, sending = RecordingSmsSender(), ready()
    outbox.call_provider(sender, [sending])
    assert sender.sent == [("+447700900123", "Hi")] and sending.sent is not None


def test_a_message_twilio_already_has_is_not_sent_again():
    sender, sending = RecordingSmsSender(sent=[("+447700900123", "Hi")]), ready(True)
    outbox.call_provider(sender, [sending])
    assert sender.sent == [("+447700900123", "Hi")] and sending.sent.provider_ref == \
        "SMdemo-found"


def test_a_message_twilio_does_not_have_is_sent_and_no_longer_needs_asking_about():
    sender, sending = RecordingSmsSender(), ready(True)
    outbox.call_provider(sender, [sending])
    assert sender.sent == [("+447700900123", "Hi")] and not sending.check_first


def test_a_refused_message_never_reaches_twilio():
    sender, sending = RecordingSmsSender(), ready(refused="calls only")
    outbox.call_provider(sender, [sending])
    assert sender.sent == [] and sending.sent is None


def test_a_failed_send_is_kept_for_its_message_to_record():
    failing = ready()
    outbox.call_provider(UnconfiguredSmsSender(), [failing])
    assert isinstance(failing.error, SendError) and failing.sent is None
    assert "not configured" in failing.error.reason


@pytest.mark.parametrize("attempt, wait", [(0, 10), (1, 10), (2, 20), (3, 40), (8, 1280),
                                           (9, 1800), (40, 1800)])
def test_the_backoff_doubles_from_10_seconds_to_at_most_30_minutes(attempt, wait):
    assert outbox.backoff(attempt) == timedelta(seconds=wait)


@pytest.mark.parametrize("current, reported", [
    ("pending", "queued"), ("queued", "sent"), ("sent", "delivered"), ("sent", "failed"),
    ("sent", "undelivered"), ("delivered", "read"), ("delivered", "delivered"), (None, "sent")])
def test_a_callback_that_moves_the_message_on_is_news(current, reported):
    assert outbox.is_news(current, reported)


@pytest.mark.parametrize("current, reported", [
    ("delivered", "sent"), ("delivered", "queued"), ("sent", "queued"), ("read", "delivered"),
    ("queued", "accepted")])
def test_a_late_callback_never_moves_a_message_back(current, reported):
    assert not outbox.is_news(current, reported)


# -- what a coordinator's notification says (outbox.notification_subject; the unit tier) ------

@pytest.mark.parametrize("category, subject", [
    ("suicide_self_harm", "URGENT: suicide or self-harm"),
    ("domestic_abuse", "URGENT: domestic abuse"),
    ("danger", "URGENT: danger now"), ("medical", "URGENT: medical emergency"),
    ("safeguarding_other", "URGENT: someone else at risk"), (None, "URGENT: crisis")])
def test_an_urgent_notification_says_urgent_and_the_category_only(category, subject):
    thread = Thread(crisis=category, need="food")
    assert outbox.notification_subject(Notification(kind="urgent"), thread) == subject


@pytest.mark.parametrize("kind, subject", [
    ("handoff", "New thread for you"),
    ("overdue", "A resident's promised reply time has passed"),
    ("resident_wrote", "A resident wrote on your thread"),
    ("something_new", "A thread needs you")])
def test_every_other_notification_says_what_happened_and_nothing_the_resident_wrote(
        kind, subject):
    assert outbox.notification_subject(Notification(kind=kind), Thread(crisis=None)) == subject


def test_a_grouped_alert_without_its_thread_says_several():
    assert outbox.notification_subject(Notification(kind="urgent_group"), None) == \
        "URGENT: several urgent web chats from one address"
