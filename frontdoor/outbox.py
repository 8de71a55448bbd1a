"""Replies that always arrive, once. Where a coordinator's reply leaves.

A reply is committed to the database with the thread change (status "pending"); the worker
(`frontdoor worker`) sends it. Timeouts, 5xx and 429 are retried with backoff; permanent
Twilio errors stop and show on the thread. Before re-sending a message whose worker died
mid-send, the worker asks Twilio whether the first attempt went out, so it is sent once.
Several workers can run side by side on PostgreSQL (rows are claimed with SKIP LOCKED)."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from frontdoor.channels.senders import SendError, SmsSender
from frontdoor.extensions import db
from frontdoor.health import beat as heartbeat
from frontdoor.models import (
    Author,
    Coordinator,
    Direction,
    Message,
    Notification,
    Thread,
    ThreadState,
    utcnow,
)
from frontdoor.notify import Notifier

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


def queue_reply(thread: Thread, author: Coordinator, body: str, now: datetime) -> Message:
    """Record a coordinator's message to the resident, on the resident's own channel."""
    resident = thread.resident
    message = Message(thread=thread, resident=resident, direction=Direction.OUT,
                      author=Author.COORDINATOR, coordinator_id=author.id,
                      channel=resident.channel, body=body, created_at=now)
    if resident.channel == "webchat":
        message.status = "shown"     # the resident's chat page polls for it
    elif resident.opted_out:
        message.status = "not_sent"
        message.error = "the resident has opted out (replied STOP)"
    else:
        # "pending" is ours; "queued", "sent", "delivered" ... are Twilio's, once it has it.
        message.status = "pending"
        message.idempotency_key = uuid.uuid4().hex
        message.next_attempt_at = now
    db.session.add(message)
    return message


def _claim(now: datetime, limit: int) -> list[tuple[Message, bool]]:
    """Due messages, marked as being sent; True where an earlier worker died mid-send."""
    due = sa.or_(
        sa.and_(Message.status.in_(("pending", "retrying")), Message.next_attempt_at <= now),
        sa.and_(Message.status == "sending", Message.sending_since < now - SENDING_LEASE))
    query = (sa.select(Message).where(Message.direction == Direction.OUT,
                                      Message.channel == "sms", due)
             .order_by(Message.id).limit(limit))
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    claimed = [(message, message.status == "sending") for message in db.session.scalars(query)]
    for message, _ in claimed:
        message.status = "sending"
        message.sending_since = now
        message.attempts += 1
    db.session.commit()
    return claimed


def _deliver(message: Message, sender: SmsSender, now: datetime, recovering: bool) -> None:
    if message.resident.opted_out:
        message.status, message.error = "not_sent", "the resident has opted out (replied STOP)"
        return
    key = message.idempotency_key or str(message.id)
    try:
        sent = None
        if recovering:
            # The last worker died mid-send: it may have gone. Ask before sending again.
            sent = sender.find_sent(message.resident.address, message.body,
                                    message.created_at)
        sent = sent or sender.send(message.resident.address, message.body, key)
    except SendError as error:
        message.error = error.reason
        if error.permanent or message.attempts >= MAX_ATTEMPTS:
            message.status = "failed"
        else:
            message.status = "retrying"
            message.next_attempt_at = now + backoff(message.attempts)
        return
    message.provider_ref = sent.provider_ref
    message.status = sent.status if sent.status in STATUS_RANK else "sent"
    message.error = None


def send_due(sender: SmsSender, clock: Callable[[], datetime] = utcnow, limit: int = 20) -> int:
    """Send what is due. Each message's result is committed as soon as it is known."""
    claimed = _claim(clock(), limit)
    for message, recovering in claimed:
        _deliver(message, sender, clock(), recovering)
        message.sending_since = None
        db.session.commit()
    return len(claimed)


def record_status(provider_ref: str, status: str, error_code: str | None) -> bool:
    """A Twilio status callback: keep the furthest state, whatever order they arrive in."""
    message = db.session.scalar(sa.select(Message).where(Message.provider_ref == provider_ref))
    if message is None:
        return False
    current = STATUS_RANK.get(message.status or "", -1)
    if STATUS_RANK.get(status, -1) >= current:
        message.status = status
        if error_code and status in {"failed", "undelivered"}:
            message.error = f"Twilio error {error_code}"
    db.session.commit()
    return True


@dataclass
class Alerts:
    notifier: Notifier
    base_url: str
    urgent_minutes: int = 15

    def notify_pending(self, clock: Callable[[], datetime] = utcnow) -> int:
        pending = db.session.scalars(sa.select(Notification).where(
            Notification.sent_at.is_(None), Notification.error.is_(None))).all()
        for item in pending:
            link = f"{self.base_url.rstrip('/')}/inbox/threads/{item.thread_id}"
            subject = ("Urgent thread not yet taken" if item.kind == "urgent_not_taken"
                       else "New thread for you")
            try:
                self.notifier.notify(item.coordinator, subject,
                                     f"Thread {item.thread_id} is waiting: {link}")
                item.sent_at = clock()
            except Exception as error:  # a notification must never stop the worker
                item.error = type(error).__name__
                log.warning("notification %s failed: %s", item.id, type(error).__name__)
            db.session.commit()
        return len(pending)

    def escalate_urgent(self, clock: Callable[[], datetime] = utcnow) -> int:
        """Urgent threads nobody has taken in time: tell the team leads."""
        cutoff = clock() - timedelta(minutes=self.urgent_minutes)
        overdue = db.session.scalars(sa.select(Thread).where(
            Thread.urgent, Thread.state == ThreadState.WAITING, Thread.handed_off_at <= cutoff,
            Thread.lead_alerted_at.is_(None))).all()
        leads = db.session.scalars(sa.select(Coordinator).where(
            Coordinator.role == "lead", Coordinator.active)).all()
        for thread in overdue:
            thread.lead_alerted_at = clock()
            for lead in leads:
                db.session.add(Notification(coordinator_id=lead.id, thread_id=thread.id,
                                            kind="urgent_not_taken", created_at=clock()))
        db.session.commit()
        return len(overdue)


def notify_on_handoff(thread: Thread) -> None:
    """Engine listener: a new handoff tells the coordinator who has it."""
    if thread.coordinator_id is not None:
        db.session.add(Notification(coordinator_id=thread.coordinator_id, thread_id=thread.id,
                                    kind="handoff", created_at=utcnow()))


def run_worker(sender: SmsSender, alerts: Alerts, interval: float = 2.0, once: bool = False,
               clock: Callable[[], datetime] = utcnow) -> None:
    """The worker loop: send due replies, notify, escalate; then sleep a little."""
    while True:
        heartbeat()   # /readyz and /metrics tell from this that replies are still going out
        sent = send_due(sender, clock)
        alerts.escalate_urgent(clock)
        alerts.notify_pending(clock)
        if once:
            return
        if not sent:
            time.sleep(interval)
