"""'Did it help?': seven days after the front door or a coordinator pointed a resident to
directory entries, one short text asks whether they got the help (1 yes, 2 not yet, 3 it
didn't fit, 0 a person). The worker queues it through the outbox at a decent hour; the
engine hears the answer (`hear`, called from FrontDoor._answer). The answers are the
reports' connection rate, and flag entries that keep failing.

Never sent to a resident who opted out or asked for calls only or web chat only
(outgoing.why_not_text), to a web-chat resident (no number), around a crisis, or while a
coordinator has their thread (the bot never talks over a person); such a follow-up is
marked skipped, with why, and never sent later."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import sqlalchemy as sa

from frontdoor import replies, threads
from frontdoor.extensions import db
from frontdoor.i18n import in_language
from frontdoor.models import (
    Coordinator,
    Council,
    Direction,
    DirectoryEntry,
    FollowUp,
    Message,
    Referral,
    Resident,
    Thread,
    ThreadState,
)
from frontdoor.outgoing import channel_of, queue_reply, why_not_text
from frontdoor.rota import Hours, is_bank_holiday
from frontdoor.transactions import unit_of_work

FOLLOW_UP_AFTER = timedelta(days=7)
# A decent hour in the resident's day: not early, not late, not Sunday or a bank holiday.
SEND_FROM, SEND_UNTIL = time(10, 0), time(18, 0)
SEND_DAYS = range(0, 6)   # Monday to Saturday
# A digit long after the question is an answer to something else.
ANSWER_WINDOW = timedelta(days=14)
ANSWERS = {"1": "yes", "2": "not_yet", "3": "did_not_fit", "0": "person",
           "yes": "yes", "y": "yes", "yeah": "yes", "yep": "yes", "not yet": "not_yet",
           # Welsh: "Gawsoch chi'r help?" is answered "do" (yes, it happened) or "ddim eto".
           "do": "yes", "ie": "yes", "ddim eto": "not_yet", "dim eto": "not_yet"}
ANSWER_WORDS = {"yes": "Yes, got help", "not_yet": "Not yet", "did_not_fit": "It didn't fit",
                "person": "Asked for a person"}
# An entry is flagged when at least this many answers about it came back and at most half
# of them were "yes".
FLAG_MIN_ANSWERS = 3


def pointed(resident: Resident, thread: Thread | None, entries: Sequence[DirectoryEntry],
            need: str | None, by: Coordinator | None, now: datetime) -> FollowUp | None:
    """Record that the resident was pointed to `entries` (by the front door when `by` is
    None). One follow-up per resident at a time: new pointers join one not yet sent."""
    if not entries:
        return None
    follow_up = db.session.scalar(sa.select(FollowUp).where(
        FollowUp.resident_id == resident.id, FollowUp.state == "due"))
    if thread is not None and thread.id is None:
        db.session.flush()   # a new conversation: its id is what the follow-up points to
    if follow_up is None:
        follow_up = FollowUp(resident_id=resident.id, thread_id=thread.id if thread else None,
                             pointed_at=now, due_at=now + FOLLOW_UP_AFTER, state="due")
        db.session.add(follow_up)
    for entry in entries:
        follow_up.referrals.append(Referral(
            resident_id=resident.id, entry_id=entry.id, entry_name=entry.name,
            entry_kind=entry.kind, need=need, coordinator_id=by.id if by else None,
            pointed_at=now))
    return follow_up


def decent_hour(now: datetime, hours: Hours) -> bool:
    """Follow-ups go out Monday to Saturday, 10am to 6pm local time, not bank holidays."""
    local = now.astimezone(hours.zone)
    return (local.weekday() in SEND_DAYS and SEND_FROM <= local.time() < SEND_UNTIL
            and not is_bank_holiday(local.date(), hours))


def why_not_follow_up(follow_up: FollowUp, resident: Resident) -> str | None:
    """Why this follow-up must never be sent, if it must not."""
    if resident.erased_at is not None:
        return "the resident's record was erased"
    if channel_of(resident).delivered_by != "outbox":
        return "web chat: there is no number to text"
    refused = why_not_text(resident)
    if refused:
        return refused
    crisis = db.session.scalar(sa.select(Thread.id).where(
        Thread.resident_id == resident.id, Thread.crisis.is_not(None),
        sa.or_(Thread.id == follow_up.thread_id, Thread.state != ThreadState.CLOSED,
               Thread.handed_off_at >= follow_up.pointed_at - FOLLOW_UP_AFTER)).limit(1))
    if crisis is not None:
        return "a crisis thread: a person follows up, not the front door"
    with_person = db.session.scalar(sa.select(Thread.id).where(
        Thread.resident_id == resident.id, Thread.state.in_(threads.OPEN_STATES)).limit(1))
    if with_person is not None:
        return "a coordinator has their thread: they can ask themselves"
    return None


def queue_due(now: datetime, hours: Hours, limit: int = 50) -> int:
    """Queue the follow-ups whose day has come, through the outbox, at a decent hour.
    Each is sent once: claimed under a row lock and marked sent with its message."""
    if not decent_hour(now, hours):
        return 0
    query = (sa.select(FollowUp).where(FollowUp.state == "due", FollowUp.due_at <= now)
             .order_by(FollowUp.due_at).limit(limit))
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    # Claimed under a row lock and marked sent (or skipped) with their messages, together.
    with unit_of_work():
        due = list(db.session.scalars(query))
        return sum(_queue_one(follow_up, now) for follow_up in due)


def _queue_one(follow_up: FollowUp, now: datetime) -> bool:
    """Queue one follow-up's text, or mark it skipped and say why; True when queued."""
    resident = db.session.get(Resident, follow_up.resident_id)
    assert resident is not None
    reason = why_not_follow_up(follow_up, resident)
    if reason:
        follow_up.state, follow_up.skipped_reason = "skipped", reason
        return False
    thread = db.session.get(Thread, follow_up.thread_id) if follow_up.thread_id else None
    thread = threads.open_thread_of(resident) or thread
    if thread is None:
        follow_up.state, follow_up.skipped_reason = "skipped", "no conversation to send on"
        return False
    named = threads.named_for(resident)
    names = list(dict.fromkeys(r.entry_name for r in follow_up.referrals))
    with in_language(resident.reply_language):
        text = replies.did_it_help(_area_name(), names, named.first_name if named else None)
        # As the resident's channel writes it: by text only (why_not_follow_up), so
        # within the SMS budget.
        rendered = text.render(channel_of(resident))
    message = queue_reply(thread, None, rendered, now)
    # A question the bot asked earlier is not what a digit now answers.
    thread.awaiting = None
    db.session.flush()
    follow_up.state, follow_up.sent_at, follow_up.message_id = "sent", now, message.id
    return True


@dataclass(frozen=True)
class Heard:
    """A resident's answer to 'did it help?'."""

    answer: str

    @property
    def wants_person(self) -> bool:
        return self.answer == "person"

    def reply(self, who: replies.Who | None) -> replies.Reply:
        if self.wants_person:
            assert who is not None
            return replies.Reply((replies.handed_over(who),))
        return replies.follow_up_thanks(self.answer, who)


def answer_in(text: str) -> str | None:
    """The answer to a follow-up that `text` would be ("yes", "not_yet", "did_not_fit",
    "person"), if it were one."""
    return ANSWERS.get(" ".join(text.strip().strip(".!").lower().split()))


def awaiting_answer(resident: Resident, now: datetime) -> FollowUp | None:
    """The follow-up a reply now answers: sent within ANSWER_WINDOW, and still the last
    thing we said to the resident."""
    follow_up = db.session.scalar(sa.select(FollowUp).where(
        FollowUp.resident_id == resident.id, FollowUp.state == "sent",
        FollowUp.sent_at >= now - ANSWER_WINDOW).order_by(FollowUp.sent_at.desc()).limit(1))
    if follow_up is None:
        return None
    last_said = db.session.scalar(sa.select(sa.func.max(Message.id)).where(
        Message.resident_id == resident.id, Message.direction == Direction.OUT))
    return follow_up if last_said == follow_up.message_id else None


def record_answer(follow_up: FollowUp, answer: str, now: datetime) -> Heard:
    """The resident's answer, counted (frontdoor/policy.py decides that it is one)."""
    follow_up.state, follow_up.answer, follow_up.answered_at = "answered", answer, now
    return Heard(answer)


def follow_ups_for(resident: Resident) -> list[FollowUp]:
    return list(db.session.scalars(sa.select(FollowUp).where(
        FollowUp.resident_id == resident.id).order_by(FollowUp.pointed_at.desc())))


def _area_name() -> str:
    council = db.session.get(Council, 1)
    name = council.name if council else ""
    return name.removesuffix(" (demo)").removesuffix(" City Council").removesuffix(" Council")
