"""Replies that always arrive, once. Where a coordinator's reply leaves.

A reply is committed to the database with the thread change (status "pending"); the worker
(`frontdoor worker`) sends it. Timeouts, 5xx and 429 are retried with backoff; permanent
Twilio errors stop and show on the thread. Before re-sending a message whose last attempt may
have reached Twilio (its worker died mid-send, or the attempt timed out, was reset or got a
5xx after the request was written), the worker asks Twilio whether it went out, so it is sent
once; when Twilio cannot tell us after every attempt, the message is marked "unknown" on the
thread for the coordinator rather than guessed. Several workers can run side by side on
PostgreSQL (rows are claimed with SKIP LOCKED).

The worker also keeps watch for people: urgent threads climb the escalation ladder and
promised reply times that pass are acted on (both in frontdoor/threads.py)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from frontdoor import replies, review, threads
from frontdoor.channels.senders import SendError, Sent, SmsSender
from frontdoor.extensions import db
from frontdoor.health import beat as heartbeat
from frontdoor.i18n import in_language
from frontdoor.models import (
    Direction,
    Message,
    Notification,
    Thread,
    utcnow,
)
from frontdoor.notify import Notifier
from frontdoor.outgoing import outbox_channels, queue_reply, why_not_text
from frontdoor.rota import Hours
from frontdoor.transactions import unit_of_work

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# A worker that has held a message this long without recording a result has died.
SENDING_LEASE = timedelta(minutes=2)
# Twilio's message states in the order they happen; a late callback never goes backwards.
STATUS_RANK = {
    "pending": -1, "retrying": -1, "accepted": 0, "scheduled": 0, "queued": 1, "sending": 2,
    "sent": 3, "receiving": 3, "received": 3, "undelivered": 4, "failed": 4, "delivered": 4,
    "read": 5,
}


def backoff(attempt: int) -> timedelta:
    """10s, 20s, 40s ... capped at 30 minutes."""
    return timedelta(seconds=min(10 * 2 ** max(attempt - 1, 0), 1800))


def _claim(now: datetime, limit: int) -> list[tuple[Message, bool]]:
    """Due messages, marked as being sent; True where an earlier worker died mid-send."""
    due = sa.or_(
        sa.and_(Message.status.in_(("pending", "retrying")), Message.next_attempt_at <= now),
        sa.and_(Message.status == "sending", Message.sending_since < now - SENDING_LEASE))
    query = (sa.select(Message).where(Message.direction == Direction.OUT,
                                      Message.channel.in_(outbox_channels()), due)
             .order_by(Message.id).limit(limit))
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    # Marked "sending" and committed before Twilio is called: another worker leaves them be,
    # and one that finds them still "sending" after the lease asks Twilio first.
    with unit_of_work():
        claimed = [(message, message.status == "sending")
                   for message in db.session.scalars(query)]
        for message, _resent in claimed:
            message.status = "sending"
            message.sending_since = now
            message.attempts += 1
    return claimed


@dataclass
class Delivery:
    """One claimed message on its way to the provider: what the sending thread may read
    (plain values, never the database) and what it found out."""

    message: Message
    to: str
    body: str
    key: str
    since: datetime
    check_first: bool
    refused: str | None = None
    sent: Sent | None = None
    error: SendError | None = None


def prepare_delivery(message: Message, recovering: bool) -> Delivery:
    """A claimed message made ready to send: refused (with why) when the resident must not
    be texted, and asked about first when it may already have gone."""
    # The front door's answer to a text the resident has just sent goes back as a text,
    # as it would have in the webhook's response; only an opt-out stops it.
    refused = why_not_text(message.resident) if message.reply_to_id is None else (
        why_not_text(message.resident) if message.resident.opted_out else None)
    if recovering:
        # The last worker died mid-send: it may have gone.
        message.maybe_sent = True
    return Delivery(message, message.resident.address, message.body,
                    message.idempotency_key or str(message.id), message.created_at,
                    check_first=bool(message.maybe_sent), refused=refused)


def call_provider(sender: SmsSender, deliveries: list[Delivery]) -> None:
    """One resident's messages, in order (run on a sending thread: no database here)."""
    for delivery in deliveries:
        if delivery.refused:
            continue
        try:
            if delivery.check_first:
                # The last attempt may have reached Twilio: ask before sending again.
                delivery.sent = sender.find_sent(delivery.to, delivery.body, delivery.since)
            if delivery.sent is None:
                delivery.check_first = False
                delivery.sent = sender.send(delivery.to, delivery.body, delivery.key)
        except SendError as error:
            delivery.error = error


def record_result(delivery: Delivery, now: datetime) -> None:
    """What one send came to, on its message: sent, retrying after a backoff, failed (a
    permanent error, or MAX_ATTEMPTS), unknown (never guessed) or not sent (refused)."""
    message, error = delivery.message, delivery.error
    if delivery.refused:
        message.status, message.error = "not_sent", delivery.refused
        return
    if error is not None:
        message.error = error.reason
        message.maybe_sent = delivery.check_first or error.ambiguous
        if message.attempts >= MAX_ATTEMPTS and message.maybe_sent:
            # Never guessed: a coordinator sees it and can check with the resident.
            message.status = "unknown"
            message.error = (f"could not confirm whether it was sent ({error.reason}): "
                             "check with the resident before sending it again")
        elif error.permanent or message.attempts >= MAX_ATTEMPTS:
            message.status = "failed"
        else:
            message.status = "retrying"
            message.next_attempt_at = now + backoff(message.attempts)
        return
    assert delivery.sent is not None
    message.provider_ref = delivery.sent.provider_ref
    message.status = delivery.sent.status if delivery.sent.status in STATUS_RANK else "sent"
    message.error = None
    message.maybe_sent = False


_pools: dict[int, ThreadPoolExecutor] = {}


def _sending_pool(size: int) -> ThreadPoolExecutor:
    """The process's sending threads, kept between rounds: each keeps its own Twilio client,
    so its HTTPS connection to Twilio is reused rather than set up again every round."""
    pool = _pools.get(size)
    if pool is None:
        pool = _pools[size] = ThreadPoolExecutor(size, thread_name_prefix="send")
    return pool


def send_due(sender: SmsSender, clock: Callable[[], datetime] = utcnow, limit: int = 50,
             concurrency: int | None = None) -> int:
    """Send what is due: up to `limit` messages, several residents' at once (Twilio's API
    takes a few hundred milliseconds a call; one after another, a backlog would take hours),
    each resident's in order. The results are committed together: a worker that dies first
    leaves them "sending", and the next one asks Twilio before sending again (call_provider)."""
    claimed = _claim(clock(), limit)
    if not claimed:
        return 0
    workers = concurrency or current_app.config.get("SEND_CONCURRENCY", 1)
    by_resident: dict[int, list[Delivery]] = {}
    for message, recovering in claimed:
        by_resident.setdefault(message.resident_id, []).append(
            prepare_delivery(message, recovering))
    if workers > 1 and len(by_resident) > 1:
        list(_sending_pool(workers).map(partial(call_provider, sender),
                                        by_resident.values()))
    else:
        for deliveries in by_resident.values():
            call_provider(sender, deliveries)
    now = clock()
    with unit_of_work():
        for deliveries in by_resident.values():
            for delivery in deliveries:
                record_result(delivery, now)
                delivery.message.sending_since = None
    return len(claimed)


def is_news(current: str | None, reported: str) -> bool:
    """Whether a reported state moves a message on (or repeats where it is): callbacks come
    late and out of order, and a message's state never goes backwards."""
    return STATUS_RANK.get(reported, -1) >= STATUS_RANK.get(current or "", -1)


def record_status(provider_ref: str, status: str, error_code: str | None) -> bool:
    """A Twilio status callback: keep the furthest state, whatever order they arrive in."""
    message = db.session.scalar(sa.select(Message).where(Message.provider_ref == provider_ref))
    if message is None:
        return False
    with unit_of_work():
        if is_news(message.status, status):
            message.status = status
            if error_code and status in {"failed", "undelivered"}:
                message.error = f"Twilio error {error_code}"
    return True


NOTIFICATION_SUBJECTS = {
    "handoff": "New thread for you",
    "overdue": "A resident's promised reply time has passed",
    "review": "Conversations the front door answered are waiting for you to see them",
    "review_moved": "Conversations the front door answered were passed to you to see",
    "resident_wrote": "A resident wrote on your thread",
}


def notification_subject(item: Notification, thread: Thread | None) -> str:
    """What a notification says: URGENT and the crisis category for an urgent thread;
    never anything the resident wrote."""
    if item.kind == "urgent":
        category = threads.CRISIS_WORDS.get(thread.crisis or "", "crisis") if thread else "crisis"
        return f"URGENT: {category}"
    if item.kind == "urgent_group":
        return f"URGENT: {threads.burst_size(thread) if thread else 'several'} urgent web " \
               "chats from one address"
    return NOTIFICATION_SUBJECTS.get(item.kind, "A thread needs you")


@dataclass
class Alerts:
    notifier: Notifier
    base_url: str
    hours: Hours

    def notify_pending(self, clock: Callable[[], datetime] = utcnow) -> int:
        pending = db.session.scalars(sa.select(Notification).where(
            Notification.sent_at.is_(None), Notification.error.is_(None))).all()
        for item in pending:
            thread = db.session.get(Thread, item.thread_id)
            link = f"{self.base_url.rstrip('/')}/inbox/threads/{item.thread_id}"
            subject = notification_subject(item, thread)
            text = (f"Thread {item.thread_id} needs a person now. Open it to acknowledge: {link}"
                    if item.kind == "urgent" else
                    f"{threads.burst_size(thread) if thread else 'Several'} new urgent web "
                    "chats came from one address within minutes: one person, a group, or "
                    "someone flooding the front door. Each is in the inbox, marked urgent; "
                    f"the first is {link}"
                    if item.kind == "urgent_group" else
                    f"Thread {item.thread_id} has a new message: {link}"
                    if item.kind == "resident_wrote" else
                    f"Thread {item.thread_id} is waiting: {link}")
            # One at a time: each is recorded as sent (or failed) before the next is tried.
            with unit_of_work():
                try:
                    self.notifier.notify(item.coordinator, subject, text)
                    item.sent_at = clock()
                except Exception as error:  # a notification must never stop the worker
                    item.error = type(error).__name__
                    log.warning("notification %s failed: %s", item.id, type(error).__name__)
        return len(pending)

    def escalate_urgent(self, clock: Callable[[], datetime] = utcnow) -> int:
        """Urgent threads nobody has acknowledged in time go up the ladder (threads.py)."""
        with unit_of_work():
            moved = threads.escalate_due(clock(), self.hours)
        return moved

    def move_overdue(self, clock: Callable[[], datetime] = utcnow) -> int:
        """Promised reply times that passed: tell the resident once, kindly, with the way to
        reach someone now, and move the thread to the cover or a lead."""
        now = clock()
        overdue = threads.overdue_threads(now)
        for thread in overdue:
            # Each thread moved and its resident told together, one thread at a time.
            with unit_of_work():
                was = thread.coordinator
                now_with = threads.move_overdue(thread, now, self.hours)
                ward = thread.ward
                with in_language(thread.resident.reply_language):
                    text = replies.overdue(
                        was.first_name if was else _("Your coordinator"),
                        now_with.name if now_with else None,
                        ward.name if ward and now_with and ward.cover_id == now_with.id
                        else None)
                queue_reply(thread, None, text, now)
        return len(overdue)


def run_worker(sender: SmsSender, alerts: Alerts, interval: float = 2.0, once: bool = False,
               clock: Callable[[], datetime] = utcnow,
               stop: Callable[[], bool] = lambda: False) -> None:
    """The worker loop: answer texts left for it, send due replies, escalate, move overdue
    waits, notify, queue follow-ups, apply retention once a day; then sleep.

    It keeps going through database blips and network errors: a failed round is rolled
    back, logged (the error's type only, never data) and retried with a growing pause, and
    work claimed before the failure is found again (a stale "sending" row is checked with
    Twilio before it is sent again)."""
    failures = 0
    while not stop():
        try:
            heartbeat()   # /readyz and /metrics tell from this that replies still go out
            # Texts the webhook left for us (frontdoor/deferred.py), answered first so their
            # replies go out in this same round.
            answered = _answer_waiting(clock)
            sent = _send_round(sender, clock)
            alerts.escalate_urgent(clock)
            alerts.move_overdue(clock)
            # Conversations the front door answered alone, seen within the promise (review.py).
            review.keep_promises(clock(), alerts.hours)
            alerts.notify_pending(clock)
            _follow_ups_and_retention(clock, alerts.hours)
        except Exception as error:  # the worker must outlive any one bad round
            failures += 1
            pause = min(60.0, interval * 2 ** min(failures, 5))
            log.warning("worker round failed (%s); trying again in %.0f s",
                        type(error).__name__, pause)
            _reset_session()
            if once:
                return
            time.sleep(pause)
            continue
        failures = 0
        if once:
            return
        if not sent and not answered:
            time.sleep(interval)


# Most replies a round sends before it looks at escalations and notifications again: enough
# for everything the round's answers queued (deferred.ROUND answers, a reply or two each).
SEND_ROUND = 500


def _send_round(sender: SmsSender, clock: Callable[[], datetime], batch: int = 50) -> int:
    """Everything due, a batch at a time, up to SEND_ROUND."""
    sent = 0
    while sent < SEND_ROUND:
        count = send_due(sender, clock, limit=batch)
        sent += count
        if count < batch:
            break
    return sent


def _answer_waiting(clock: Callable[[], datetime]) -> int:
    from flask import current_app

    from frontdoor.deferred import answer_waiting
    from frontdoor.engine import front_door

    return answer_waiting(front_door(current_app._get_current_object()),  # type: ignore[attr-defined]
                          clock)


def _follow_ups_and_retention(clock: Callable[[], datetime], hours: Hours) -> None:
    """'Did it help?' texts that are due (frontdoor/followups.py), and, once a day, the
    council's retention policy (frontdoor/retention.py)."""
    from frontdoor import followups, retention

    followups.queue_due(clock(), hours)
    retention.apply_if_due(clock())


def _reset_session() -> None:
    """Throw away the failed transaction and its connection; the pool's check at checkout
    (frontdoor/connections.py) gives the next round a live one."""
    try:
        db.session.rollback()
    except Exception as error:  # the connection may be gone: removing the session is enough
        log.debug("rollback after a failed round: %s", type(error).__name__)
    db.session.remove()
