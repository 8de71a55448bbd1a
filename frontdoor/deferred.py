"""Texts answered later: when the webhook is busy, and whatever the web process did.

SMS_REPLIES chooses how the SMS webhook answers (frontdoor/channels/sms.py):

- "inline": in the webhook's own response (TwiML), as soon as the message is stored;
- "outbox": the message is stored marked "deferred", Twilio gets an empty response at once,
  and the worker (`frontdoor worker`) answers it with the same engine and the same decisions;
  its replies leave through the outbox (retried, sent once, delivery reported);
- "auto" (the default): inline while calm, deferred while busy: at least
  SMS_BUSY_ANSWERING other texts are being answered at this moment (stored in the last
  15 seconds, not yet answered: every web worker is taken, and texts would queue behind
  them), or a deferred text still waits (so one resident's texts are never answered out of
  order). A rate of arrivals would not do: a saturated server sees only the rate it can
  serve, whatever is queued in front of it.

The worker also answers any inbound message stored but never answered (the web process died
after storing it) once it is STRANDED_AFTER old: past Twilio's 15-second timeout, so never
racing an answer still being made in a webhook. Answering is idempotent: a message with a
thread was answered and is only replayed. On PostgreSQL several workers share the waiting
messages (FOR UPDATE SKIP LOCKED), each resident's oldest first."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from frontdoor import threads
from frontdoor.connections import statement_by_statement
from frontdoor.conversations import DEFERRED, FrontDoor, waiting_for_worker
from frontdoor.extensions import db
from frontdoor.models import Direction, Message
from frontdoor.rota import Hours
from frontdoor.transactions import unit_of_work

log = logging.getLogger(__name__)

MODES = ("auto", "inline", "outbox")
# Twilio gives up on a webhook after 15 seconds; an unanswered message older than this was
# left behind by a web process that died.
STRANDED_AFTER = timedelta(seconds=60)
# A text stored this recently and not yet answered is being answered by a web worker.
IN_FLIGHT = timedelta(seconds=15)
# A message whose answer fails this many times stops blocking its resident's later texts,
# and goes to a person.
MAX_ANSWER_ATTEMPTS = 5
# Deferred messages the worker claims and answers together (one transaction on PostgreSQL),
# and how many it answers before sending what is due (frontdoor/outbox.py's round).
BATCH = 50
ROUND = 200


def answer_later(now: datetime) -> bool:
    """Whether the SMS webhook should store, acknowledge and leave the answer to the worker.

    In "auto" mode, one cheap statement while texts wait for the worker (a partial index
    holds only those): during a spike that is every request, so the webhook's cost must not
    grow with the backlog. Only when nothing waits, a second: is the n-th text being
    answered right now (texts without a thread and not deferred are the few in flight: read
    through the index on thread_id)."""
    mode = current_app.config["SMS_REPLIES"]
    if mode != "auto":
        return bool(mode == "outbox")
    # Reads outside the session's transaction: on PostgreSQL no BEGIN, no COMMIT.
    with statement_by_statement() as connection:
        if connection.execute(_ANY_WAITING).first() is not None:
            return True
        return connection.execute(_NTH_ANSWERING, {
            "since": now - IN_FLIGHT, "nth": current_app.config["SMS_BUSY_ANSWERING"] - 1,
        }).first() is not None


# answer_later's two statements, on the table itself and built once: they run on every text.
# "Any waiting?" reads the partial index from its newest end: the worker answers the oldest
# first, and until PostgreSQL cleans up, each answered row leaves an entry at the old end that
# a forward scan must step over (253 heap reads for one row after a 10-second bench; 1 read
# backwards).
_messages = Message.__table__
_ANY_WAITING = (sa.select(_messages.c.id).where(waiting_for_worker(_messages.c))
                .order_by(_messages.c.resident_id.desc(), _messages.c.id.desc()).limit(1))
_NTH_ANSWERING = (
    sa.select(_messages.c.id)
    .where(_messages.c.thread_id.is_(None), _messages.c.status.is_(None),
           _messages.c.direction == Direction.IN,
           _messages.c.created_at > sa.bindparam("since"))
    .order_by(_messages.c.id).limit(1).offset(sa.bindparam("nth")))


def mark_stranded(now: datetime) -> int:
    """Inbound messages stored but never answered, old enough that no webhook is still at
    them: the worker answers them like deferred ones."""
    with unit_of_work():
        result = db.session.execute(
            sa.update(Message).where(Message.direction == Direction.IN,
                                     Message.thread_id.is_(None), Message.status.is_(None),
                                     Message.created_at < now - STRANDED_AFTER)
            .values(status=DEFERRED).execution_options(synchronize_session=False))
    count = int(getattr(result, "rowcount", 0) or 0)
    if count:
        log.warning("%d stored message(s) were never answered; answering them now", count)
    return count


def _claim(now: datetime, size: int) -> list[Message]:
    """The oldest deferred messages whose residents have no older one waiting (one per
    resident), locked for this worker until their answers are committed (with their
    residents, read in the same statement). On PostgreSQL other workers skip them."""
    older = so.aliased(Message)
    waiting_before = sa.select(older.id).where(
        waiting_for_worker(older), older.resident_id == Message.resident_id,
        older.id < Message.id).exists()
    query = (sa.select(Message).options(so.joinedload(Message.resident, innerjoin=True))
             .where(waiting_for_worker(Message), ~waiting_before,
                    sa.or_(Message.next_attempt_at.is_(None), Message.next_attempt_at <= now))
             .order_by(Message.id).limit(size))
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=Message)
    return list(db.session.scalars(query).unique())


def answer_waiting(engine: FrontDoor, clock: Callable[[], datetime],
                   limit: int = ROUND) -> int:
    """Answer up to `limit` deferred and stranded messages.

    On PostgreSQL they are claimed BATCH at a time and each batch is answered in one
    transaction, each message inside its own savepoint (one failing is rolled back alone
    and tried again later): one claim, one commit and one read of the council's settings per
    batch, not per message, so the worker catches up with a spike faster than the webhook
    could answer it inline. On SQLite (one writer, a small council) each is answered and
    committed in turn."""
    mark_stranded(clock())
    if db.engine.dialect.name != "postgresql":
        return _answer_one_at_a_time(engine, clock, limit)
    answered = 0
    while answered < limit:
        # The answers' commit need not wait for the disk: if the database crashed before
        # writing it, the messages would still be "deferred" and be answered again; and
        # their replies are sent only after the outbox's own (durable) commit, which writes
        # everything before it.
        db.session.execute(sa.text("SET LOCAL synchronous_commit TO OFF"))
        # A resident's next text is claimable once this batch has answered the one before.
        claimed = [message.id for message in _claim(clock(), min(BATCH, limit - answered))]
        if not claimed:
            db.session.rollback()
            break
        failed: list[tuple[int, Exception]] = []
        # The claim above and the batch's answers are one transaction, committed once.
        with unit_of_work():
            for message_id in claimed:
                try:
                    with db.session.begin_nested():
                        engine.answer(message_id, commit=False)
                except Exception as error:  # one message must not stop the others
                    failed.append((message_id, error))
            for message_id, failure in failed:
                _answer_failed(message_id, clock(), failure, engine.hours)
        answered += len(claimed)
    return answered


def _answer_one_at_a_time(engine: FrontDoor, clock: Callable[[], datetime],
                          limit: int) -> int:
    answered = 0
    while answered < limit:
        claimed = _claim(clock(), 1)
        if not claimed:
            db.session.rollback()
            break
        answered += 1
        message_id = claimed[0].id
        try:
            engine.answer(message_id)
        except Exception as error:  # one message must not stop the others being answered
            db.session.rollback()
            with unit_of_work():
                _answer_failed(message_id, clock(), error, engine.hours)
    return answered


def _answer_failed(message_id: int, now: datetime, error: Exception, hours: Hours) -> None:
    """Counted, and tried again later; after MAX_ANSWER_ATTEMPTS the message is given to a
    person (the resident's coordinator, else a lead) on a thread, so nobody's words are left
    with no one to read them."""
    log.error("answering message %s failed (%s)", message_id, type(error).__name__)
    message = db.session.get(Message, message_id)
    if message is None:
        return
    message.attempts = (message.attempts or 0) + 1
    if message.attempts >= MAX_ANSWER_ATTEMPTS:
        message.status, message.error = "unanswered", type(error).__name__
        try:
            with db.session.begin_nested():
                threads.hand_over_unanswered(message, now, hours)
        except Exception as failure:  # still "unanswered": /readyz and the logs say so
            log.error("message %s could not be given to a person either (%s)", message_id,
                      type(failure).__name__)
    else:
        message.next_attempt_at = now + timedelta(seconds=10 * 2 ** message.attempts)
