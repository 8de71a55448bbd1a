"""The safety net behind the model: a person sees every conversation the front door answered
by itself, riskiest first.

No classifier catches every crisis told in a resident's own words, so every stretch of a
conversation the front door answered alone waits in its ward's "Answered by the front door"
list until a person marks it seen (the named coordinator's; the cover's during leave; the
lead's when the ward is unknown). The list is ordered by risk, not time, and this module is
the one place that risk is scored (`score`), measured by bench/safety_net.py.

What happens here:

- `note` is called by the engine once per inbound message, after it is answered: how the
  message was read (MessageReading, scores only) and the review it belongs to.
- `entries_for_ward`, `entries_for_person`, `ward_summary`: the lists, scored.
- `mark_seen`, `follow_up`: a person's one-click actions ("read wrongly" is
  frontdoor/corrections.py, which resolves the review through `resolve`).
- `keep_promises`: the worker's watch on the promise that a person sees each one within
  REVIEW_PROMISE_WORKING_DAYS: a reminder to whoever should see it, then a move to the cover
  or a lead.

Nothing here commits, except `keep_promises`, which is a worker job of its own."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app, has_app_context

from frontdoor import threads
from frontdoor.extensions import db
from frontdoor.models import (
    AuditEvent,
    Coordinator,
    Direction,
    Message,
    MessageReading,
    Notification,
    Review,
    Thread,
    ThreadState,
    Ward,
)
from frontdoor.outgoing import channel_of, queue_reply, why_not_text
from frontdoor.rota import Hours, describe_when, is_bank_holiday, is_council_open, reply_by
from frontdoor.transactions import unit_of_work
from frontdoor.triage.text import normalise

if TYPE_CHECKING:
    from frontdoor.triage.triage import Reading, Triage

NO_CRISIS = "no_crisis"
# The crisis model is only asked about messages with a few words in them (as the crisis
# check itself does): on "ok" or "2" its scores mean nothing.
MIN_WORDS_FOR_SCORE = 3
# Contacts: messages closer together than this are one conversation.
CONTACT_GAP = timedelta(hours=3)
NIGHT_FROM, NIGHT_TO = time(22, 0), time(6, 0)
# Needs the front door answers from the directory, for "several needs at once".
EVERYDAY_NEEDS = {"food", "money", "housing", "loneliness", "caring", "health", "daily_living",
                  "digital", "work_learning", "volunteering", "family"}
# A need the model read with at least this confidence counts for "several needs".
NEED_CONFIDENCE = 0.5
# How long after a reminder the worker moves an unseen entry on (and reminds again, at the
# top), in office hours only.
MOVE_AFTER = timedelta(hours=4)

# -- the score ----------------------------------------------------------------------------------
#
# Points, roughly out of 100. The crisis model's own score carries the most: on the held-out
# development split (intents/crisis/test), the crisis messages the model scored below its
# reply threshold still mostly scored above 90% of everyday messages. It is read on a log
# scale because everyday messages crowd near zero (median 0.002, 90th percentile 0.03): from
# CRISIS_FLOOR (nothing) to CRISIS_CEILING (the most; the crisis check's tiers start
# higher, at safety.POSSIBLE_AT, so a message scored this high already gets the full points).
# The weights were set on that development split and the intents/test need messages, never
# on the blind set.
CRISIS_FLOOR, CRISIS_CEILING = 0.003, 0.2
CRISIS_POINTS = 45.0
POSSIBLE_CONCERN_POINTS = 40.0
DISTRESS_POINTS, DISTRESS_MOST = 15.0, 3          # per kind of distress, up to 3 kinds
CONTACT_POINTS, CONTACTS_MOST = 4.0, 3            # per contact this week beyond the first
SEVERAL_NEEDS_POINTS = 6.0
NIGHT_POINTS = 5.0
UNANSWERED_POINTS = 5.0
SHOW_CRISIS_SCORE = 0.01


@dataclass(frozen=True)
class Distress:
    """One kind of distress, the words that show it, and a message it must find."""

    kind: str
    pattern: str
    example: str


# Words of distress, read in the resident's own words. They only order the list (a person
# reads every entry whatever its place), so they are broad on purpose.
DISTRESS = (
    Distress("fear", r"\b(scared|frightened|terrified|afraid|petrified|panic\w*|shaking|"
             r"trembling|fear)\b", "every time i hear the door i start shaking"),
    Distress("despair", r"\b(hopeless|worthless|pointless|burden|give\s+up|giving\s+up|gave\s+up|"
             r"can'?t\s+cope|cannot\s+cope|cant\s+cope|not\s+coping|can'?t\s+go\s+on|"
             r"can'?t\s+take\s+(it|this|any\s*more)|end\s+of\s+my\s+tether|breaking\s+point|"
             r"falling\s+apart|at\s+rock\s+bottom|no\s+way\s+out|no\s+future|no\s+point|"
             r"what'?s\s+the\s+point|deserve)\b", "i cant cope with any of it"),
    Distress("crying", r"\b(crying|cried|in\s+tears|sobbing|can'?t\s+stop\s+crying)\b",
             "been in tears all day"),
    Distress("alone", r"\b(all\s+alone|no\s*one\s+(to|cares|else|would)|nobody\s+(to|cares|else|"
             r"would)|no\s+one\s+left|nobody\s+left|on\s+my\s+own\s+with)\b",
             "there is no one to help me"),
    Distress("harm", r"\b(hurt\w*|pain|bleed\w*|blood|bruis\w*|injur\w*|neck|throat|"
             r"breath\w*|gasp\w*|chok\w*|faint\w*|collaps\w*|not\s+responding|unresponsive|"
             r"swallow\w*|tablets|pills|bleach|overdose|fits?|seizure|burn\w*)\b",
             "he put his hands round my neck"),
    Distress("danger", r"\b(unsafe|not\s+safe|danger\w*|threat\w*|police|locked\s+(in|out)|"
             r"trapped|refuge|follow(ed|ing)\s+me|won'?t\s+let\s+me|control\w*|"
             r"leaking|on\s+fire|fire\s+in|smell\w*\s+(of\s+)?(gas|smoke|burning)|"
             r"smoke\s+(coming|everywhere|in\s+the)|flood\w*|weapon|knife)\b",
             "i need a refuge for me and the kids"),
    Distress("finality", r"\b(goodbye|good\s*bye|for\s*ever|without\s+me|last\s+time|"
             r"sorry\s+for\s+everything|won'?t\s+need|wont\s+need|not\s+be\s+(here|around)|"
             r"fall\s+asleep|end\s+it|had\s+enough|stopped\s+eating|given\s+away)\b",
             "this is goodbye thank you for trying"),
    Distress("someone at risk", r"\b(confused|not\s+making\s+sense|wander\w*|not\s+eating|"
             r"not\s+eaten|doesn'?t\s+know\s+(who|where)|doesnt\s+know\s+(who|where)|"
             r"(keeps|kept)\s+falling|had\s+a\s+fall|fell\s+over|"
             r"hasn'?t\s+(answered|eaten|been\s+seen)|hasnt\s+(answered|eaten)|no\s+answer|"
             r"not\s+answering|home\s+alone|left\s+alone|on\s+(their|his|her)\s+own|"
             r"no\s+food\s+in|neglect\w*|shouting\s+at)\b",
             "my mum is suddenly really confused and doesnt know where she is"),
    Distress("urgency", r"\b(urgent\w*|emergency|right\s+now|tonight|asap|desperate\w*|"
             r"please\s+help\s+me|help\s+me\s+please|someone\s+help)\b",
             "please help me its urgent"),
)
_DISTRESS = [(d.kind, re.compile(d.pattern)) for d in DISTRESS]


def distress_in(text: str) -> list[str]:
    """The kinds of distress a message's words show, in DISTRESS order."""
    cleaned = normalise(text)
    return [kind for kind, pattern in _DISTRESS if pattern.search(cleaned)]


@dataclass(frozen=True)
class Signals:
    """What is known about one entry, for its score: plain values, no database."""

    crisis_score: float = 0.0
    crisis_top: str | None = None
    possible_concern: str | None = None        # a category, when the check said "possible"
    distress: tuple[str, ...] = ()
    contacts_week: int = 1                     # this one included
    contacts_month: int = 1
    needs: tuple[str, ...] = ()                # everyday needs in this stretch
    needs_month: tuple[str, ...] = ()          # and in the resident's month
    night_at: datetime | None = None           # local time of a message sent at night
    unanswered: bool = False


@dataclass(frozen=True)
class Risk:
    points: float
    reasons: tuple[str, ...]


def _ordinal(n: int) -> str:
    words = {2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth", 7: "seventh",
             8: "eighth", 9: "ninth", 10: "tenth"}
    return words.get(n, f"{n}th")


def crisis_points(score: float) -> float:
    """The crisis model's score on a log scale, from nothing at CRISIS_FLOOR to
    CRISIS_POINTS at the reply threshold."""
    if score <= CRISIS_FLOOR:
        return 0.0
    share = math.log(score / CRISIS_FLOOR) / math.log(CRISIS_CEILING / CRISIS_FLOOR)
    return CRISIS_POINTS * min(share, 1.0)


def score(signals: Signals) -> Risk:
    """How much this entry needs a person soon, and why, in a few words."""
    parts: list[tuple[float, str]] = []
    if signals.possible_concern:
        words = threads.CRISIS_WORDS.get(signals.possible_concern, "crisis")
        parts.append((POSSIBLE_CONCERN_POINTS, f"possible concern: {words}"))
    points = crisis_points(signals.crisis_score)
    if signals.crisis_score >= SHOW_CRISIS_SCORE:
        parts.append((points, f"crisis score {signals.crisis_score:.2f}"))
    elif points:
        parts.append((points, ""))
    if signals.distress:
        kinds = signals.distress[:DISTRESS_MOST]
        parts.append((DISTRESS_POINTS * len(kinds), f"words of distress ({', '.join(kinds)})"))
    if signals.contacts_week > 1:
        extra = min(signals.contacts_week - 1, CONTACTS_MOST)
        parts.append((CONTACT_POINTS * extra,
                      f"{_ordinal(signals.contacts_week)} contact this week"))
    if len(signals.needs) > 1:
        parts.append((SEVERAL_NEEDS_POINTS,
                      "several needs: " + ", ".join(n.replace("_", " ") for n in signals.needs)))
    if signals.night_at is not None:
        at = signals.night_at
        clock = f"{at.hour % 12 or 12}{f':{at.minute:02d}' if at.minute else ''}" \
                f"{'am' if at.hour < 12 else 'pm'}"
        parts.append((NIGHT_POINTS, f"sent at {clock}"))
    if signals.unanswered:
        parts.append((UNANSWERED_POINTS, "question left unanswered"))
    parts.sort(key=lambda part: -part[0])
    return Risk(round(sum(p for p, _ in parts), 1), tuple(words for _, words in parts if words))


def early_help(signals: Signals) -> tuple[str, ...]:
    """Why a conversation with the coordinator would likely help: a suggestion for a person,
    never an automatic message."""
    markers = []
    if signals.contacts_month >= 3:
        markers.append(f"{signals.contacts_month} contacts this month")
    month = set(signals.needs_month) | set(signals.needs)
    if {"money", "housing"} <= month:
        markers.append("money and housing together")
    if {"caring", "loneliness"} <= month:
        markers.append("caring with loneliness")
    if signals.possible_concern:
        markers.append("a possible concern")
    return tuple(markers)


# -- recording each reading (called by the engine) ----------------------------------------------

def crisis_model_score(triage: Triage, text: str,
                       reading: Reading | None = None) -> tuple[float, str | None]:
    """The crisis model's highest score for this message and its category, whether or not
    it reached the reply threshold; (0, None) when there is no model or too few words.
    Taken from the reading when it kept them (the model runs once per message)."""
    scorer = triage.safety.scorer
    if scorer is None or len(normalise(text).split()) < MIN_WORDS_FOR_SCORE:
        return 0.0, None
    kept = reading.crisis_scores if reading is not None else None
    scores = {c: s for c, s in (kept if kept is not None else scorer(text)).items()
              if c != NO_CRISIS}
    if not scores:
        return 0.0, None
    category = max(scores, key=lambda c: scores[c])
    return round(float(scores[category]), 4), category


def note(message: Message, reading: Reading, triage: Triage, now: datetime,
         hours: Hours, new_thread: bool = False) -> None:
    """After the engine answered `message`: keep how it was read, and keep the conversation
    in its ward's review list while the front door has it alone (a thread opened by this
    message has no review yet)."""
    flag = reading.crisis
    crisis_score, crisis_top = crisis_model_score(triage, message.body, reading)
    db.session.add(MessageReading(
        message_id=message.id, need=reading.need, confidence=float(reading.confidence),
        unsure=reading.unsure, several_needs=";".join(reading.several_needs) or None,
        crisis=flag.category if flag else None,
        # Today every flag is a clear crisis; a crisis check with a "possible" tier says so.
        crisis_level=getattr(flag, "level", "clear") if flag else None,
        crisis_source=flag.source if flag else None,
        crisis_score=crisis_score, crisis_top=crisis_top))
    thread = message.thread
    if thread is None:
        return
    current = None if new_thread else open_review(thread)
    if thread.state != ThreadState.BOT:
        # A person has the thread now and reads it there.
        if current is not None:
            resolve(current, None, now, "with_a_person")
        return
    if current is None:
        db.session.add(Review(thread=thread, first_message_id=message.id,
                              last_message_id=message.id, created_at=now,
                              due_at=promise_due(now, hours, promise_days())))
    else:
        current.last_message_id = message.id


def promise_days() -> int:
    """REVIEW_PROMISE_WORKING_DAYS: seen by a person within this many working days."""
    return int(current_app.config.get("REVIEW_PROMISE_WORKING_DAYS", 1)) \
        if has_app_context() else 1


def open_review(thread: Thread) -> Review | None:
    return db.session.scalar(sa.select(Review).where(
        Review.thread_id == thread.id, Review.resolved_at.is_(None)).order_by(Review.id.desc()))


# -- the promise ---------------------------------------------------------------------------------

def _council_day(day: date, hours: Hours) -> bool:
    return day.weekday() < 5 and not is_bank_holiday(day, hours)


def promise_due(start: datetime, hours: Hours, working_days: int = 1) -> datetime:
    """When a person must have seen a conversation answered at `start`: that many of the
    council's working days after it (counted from the next opening when it came in while the
    council was closed)."""
    zone = hours.zone
    local = start.astimezone(zone)
    if not is_council_open(start, hours):
        day = local.date()
        if not (_council_day(day, hours) and local.time() < time(hours.start)):
            day += timedelta(days=1)
            while not _council_day(day, hours):
                day += timedelta(days=1)
        local = datetime.combine(day, time(hours.start), zone)
    day, clock = local.date(), local.time()
    for _ in range(working_days):
        day += timedelta(days=1)
        while not _council_day(day, hours):
            day += timedelta(days=1)
    return datetime.combine(day, clock, zone)


def _present(person: Coordinator | None, now: datetime, hours: Hours) -> bool:
    return person is not None and person.active and \
        person.leave_on(now.astimezone(hours.zone).date()) is None


def reviewer(review: Review, now: datetime, hours: Hours) -> Coordinator:
    """Who should see this entry now: whoever it was moved to, else the ward's coordinator,
    their cover during leave, or a lead (also when the ward is not known)."""
    if review.moved_to is not None and review.moved_to.active:
        return review.moved_to
    ward = review.thread.ward
    return threads.choose_coordinator(ward.coordinator if ward else None, ward, now, hours)


def _next_reviewer(review: Review, current: Coordinator, now: datetime,
                   hours: Hours) -> Coordinator | None:
    ward = review.thread.ward
    order = [ward.cover if ward else None, *threads.find_leads()]
    if current.role == "lead":
        order = order[1:]
    return next((p for p in order if p is not None and p.id != current.id
                 and _present(p, now, hours)), None)


def keep_promises(now: datetime, hours: Hours, move_after: timedelta = MOVE_AFTER) -> int:
    """Entries past the promise: remind whoever should see them; a reminder not acted on is
    moved to the cover or a lead. In office hours only. Commits; returns how many changed."""
    if not is_council_open(now, hours):
        return 0
    with unit_of_work():
        due = db.session.scalars(_open_query().where(Review.due_at <= now)
                                 .order_by(Review.created_at, Review.id)).all()
        reminders: dict[int, tuple[Coordinator, Review]] = {}
        for review in due:
            current = reviewer(review, now, hours)
            moved_to = _next_reviewer(review, current, now, hours) \
                if review.reminded_at is not None else None
            if moved_to is not None:
                review.moved_to, review.moved_at = moved_to, now
                review.reminded_at, review.due_at = None, now + move_after
                db.session.add(Notification(coordinator_id=moved_to.id,
                                            thread_id=review.thread_id,
                                            kind="review_moved", created_at=now))
                db.session.add(AuditEvent(coordinator_id=None, action="review_moved",
                                          thread_id=review.thread_id,
                                          detail=f"from {current.key} to {moved_to.key}",
                                          created_at=now))
            else:
                review.reminded_at, review.due_at = now, now + move_after
                # One reminder per person per round, about their oldest: not one per entry.
                reminders.setdefault(current.id, (current, review))
        for person, oldest in reminders.values():
            db.session.add(Notification(coordinator_id=person.id, thread_id=oldest.thread_id,
                                        kind="review", created_at=now))
    return len(due)


# -- the lists -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    """One conversation in a review list, with its risk and what a person needs to see."""

    review: Review
    thread: Thread
    risk: Risk
    early_help: tuple[str, ...]
    words: tuple[Message, ...]        # the resident's, in this stretch
    said: tuple[Message, ...]         # the front door's
    readings: dict[int, MessageReading]

    @property
    def conversation(self) -> list[Message]:
        """The resident's words and the front door's replies, in order."""
        return sorted((*self.words, *self.said), key=lambda m: m.id)

    @property
    def first_words(self) -> str:
        text = " ".join(self.words[0].body.split()[:10]) if self.words else ""
        return text[:80]


def _open_query() -> sa.Select[Review]:
    return (sa.select(Review).join(Thread, Review.thread_id == Thread.id)
            .where(Review.resolved_at.is_(None), Thread.state == ThreadState.BOT)
            .options(so.contains_eager(Review.thread).selectinload(Thread.resident),
                     so.contains_eager(Review.thread).selectinload(Thread.ward)))


def entries_for_ward(ward_code: str | None, now: datetime, hours: Hours) -> list[Entry]:
    """A ward's list (None: the residents whose ward is not known), riskiest first."""
    query = _open_query().where(Thread.ward_code.is_(None) if ward_code is None
                                else Thread.ward_code == ward_code)
    return _entries(db.session.scalars(query).unique().all(), hours)


def entries_for_person(me: Coordinator, ward_codes: Sequence[str], now: datetime,
                       hours: Hours) -> list[Entry]:
    """My list: entries moved to me, and my wards' (a lead's "wards" are the unknown ward)."""
    mine = [Review.moved_to_id == me.id]
    unmoved = Review.moved_to_id.is_(None)
    if me.role == "lead":
        mine.append(sa.and_(unmoved, Thread.ward_code.is_(None)))
    if ward_codes:
        mine.append(sa.and_(unmoved, Thread.ward_code.in_(ward_codes)))
    query = _open_query().where(sa.or_(*mine))
    return _entries(db.session.scalars(query).unique().all(), hours)


def entry_for(review_id: int, hours: Hours) -> Entry | None:
    review = db.session.scalar(_open_query().where(Review.id == review_id))
    return _entries([review], hours)[0] if review is not None else None


def _local(moment: datetime, hours: Hours) -> datetime:
    return moment.astimezone(hours.zone)


def is_night(moment: datetime, hours: Hours) -> bool:
    """Sent between 10pm and 6am the council's time."""
    clock = _local(moment, hours).time()
    return clock >= NIGHT_FROM or clock < NIGHT_TO


def contacts_in(times: Iterable[datetime], until: datetime, days: int) -> int:
    """Separate conversations (CONTACT_GAP apart) in the `days` up to `until`."""
    since = until - timedelta(days=days)
    count, last = 0, None
    for moment in sorted(t for t in times if since <= t <= until):
        if last is None or moment - last >= CONTACT_GAP:
            count += 1
        last = moment
    return max(count, 1)


def looks_like_question(text: str) -> bool:
    """A question mark, or the first word a question starts with."""
    words = normalise(text)
    return "?" in words or bool(re.match(
        r"^(is|are|can|could|do|does|when|where|what|how|who|why|which|will|have)\b", words))


def _entries(reviews: Sequence[Review], hours: Hours) -> list[Entry]:
    if not reviews:
        return []
    thread_ids = [r.thread_id for r in reviews]
    first = min(r.first_message_id for r in reviews)
    messages = db.session.scalars(sa.select(Message).where(
        Message.thread_id.in_(thread_ids), Message.id >= first).order_by(Message.id)).all()
    by_thread: dict[int, list[Message]] = defaultdict(list)
    for message in messages:
        if message.thread_id is not None:
            by_thread[message.thread_id].append(message)
    # A month of each resident's messages and readings: their contacts and needs.
    resident_ids = {r.thread.resident_id for r in reviews}
    oldest = min(r.created_at for r in reviews) - timedelta(days=31)
    history = db.session.execute(
        sa.select(Message.id, Message.resident_id, Message.created_at, MessageReading)
        .outerjoin(MessageReading, MessageReading.message_id == Message.id)
        .where(Message.resident_id.in_(resident_ids), Message.direction == Direction.IN,
               Message.created_at >= oldest)).all()
    times: dict[int, list[datetime]] = defaultdict(list)
    month_readings: dict[int, list[tuple[datetime, MessageReading]]] = defaultdict(list)
    readings: dict[int, MessageReading] = {}
    for message_id, resident_id, created_at, reading in history:
        times[resident_id].append(created_at)
        if reading is not None:
            readings[message_id] = reading
            month_readings[resident_id].append((created_at, reading))

    entries = []
    for review in reviews:
        thread = review.thread
        stretch = [m for m in by_thread[thread.id] if m.id >= review.first_message_id]
        words = tuple(m for m in stretch if m.direction == Direction.IN)
        said = tuple(m for m in stretch if m.direction == Direction.OUT)
        signals = _signals(review, thread, stretch, words, readings,
                           times[thread.resident_id], month_readings[thread.resident_id], hours)
        entries.append(Entry(review, thread, score(signals), early_help(signals), words, said,
                             {m.id: readings[m.id] for m in words if m.id in readings}))
    entries.sort(key=lambda e: (-e.risk.points, e.review.created_at, e.review.id))
    return entries


def needs_named(reading: MessageReading) -> list[str]:
    """The everyday needs a message named: its keywords', and the model's top need when it
    was more likely right than not ("hi i live in normanton" names none)."""
    named = [n for n in (reading.several_needs or "").split(";") if n in EVERYDAY_NEEDS]
    if reading.confidence >= NEED_CONFIDENCE and reading.need in EVERYDAY_NEEDS \
            and reading.need not in named:
        named.insert(0, reading.need)
    return named


def _signals(review: Review, thread: Thread, stretch: list[Message], words: tuple[Message, ...],
             readings: dict[int, MessageReading], times: list[datetime],
             month: list[tuple[datetime, MessageReading]], hours: Hours) -> Signals:
    read = [readings[m.id] for m in words if m.id in readings]
    top = max(read, key=lambda r: r.crisis_score, default=None)
    # A flagged reading on a thread the front door kept: the check's "possible concern".
    possible = next((r.crisis for r in read if r.crisis is not None), None)
    distress: list[str] = []
    for message in words:
        distress += [k for k in distress_in(message.body) if k not in distress]
    needs: list[str] = []
    for reading in read:
        for need in needs_named(reading):
            if need not in needs:
                needs.append(need)
    last = words[-1].created_at if words else review.created_at
    since = last - timedelta(days=30)
    needs_month = tuple(sorted({need for at, r in month if at >= since
                                for need in needs_named(r)}))
    night = next((_local(m.created_at, hours) for m in words if is_night(m.created_at, hours)),
                 None)
    # Left unanswered: the resident went quiet after the front door asked them something, or
    # their own question was not understood.
    ends_with_our_question = bool(stretch) and stretch[-1].direction == Direction.OUT \
        and thread.awaiting not in {None, "entries"}
    not_understood = any(looks_like_question(m.body) and m.id in readings
                         and (readings[m.id].unsure or readings[m.id].need == "out_of_scope")
                         for m in words)
    return Signals(
        crisis_score=top.crisis_score if top else 0.0, crisis_top=top.crisis_top if top else None,
        possible_concern=possible, distress=tuple(distress),
        contacts_week=contacts_in(times, last, 7), contacts_month=contacts_in(times, last, 30),
        needs=tuple(needs), needs_month=needs_month, night_at=night,
        unanswered=ends_with_our_question or not_understood)


@dataclass(frozen=True)
class WardCount:
    """For the lead: how many entries a ward has unseen, the oldest, and how many are past
    the promise."""

    ward: Ward | None
    unseen: int
    oldest: datetime
    past_promise: int


def ward_summary(now: datetime) -> list[WardCount]:
    """Unseen entries per ward (None: ward not known), the ward with the oldest first."""
    rows = db.session.execute(
        sa.select(Thread.ward_code, sa.func.count(Review.id), sa.func.min(Review.created_at),
                  sa.func.count(Review.id).filter(Review.due_at <= now))
        .select_from(Review).join(Thread, Review.thread_id == Thread.id)
        .where(Review.resolved_at.is_(None), Thread.state == ThreadState.BOT)
        .group_by(Thread.ward_code)).all()
    wards = {w.code: w for w in db.session.scalars(sa.select(Ward))}
    counts = [WardCount(wards.get(code) if code else None, unseen, oldest, past)
              for code, unseen, oldest, past in rows]
    return sorted(counts, key=lambda c: c.oldest)


# -- a person's actions --------------------------------------------------------------------------

def resolve(review: Review, by: Coordinator | None, now: datetime, outcome: str) -> None:
    """The entry leaves the list: seen by `by` (None: the thread went to a person)."""
    if review.resolved_at is not None:
        return
    review.resolved_at, review.resolved_by, review.outcome = now, by, outcome
    db.session.add(AuditEvent(coordinator_id=by.id if by else None, action="review",
                              thread_id=review.thread_id, detail=outcome, created_at=now))


def mark_seen(review: Review, by: Coordinator, now: datetime) -> None:
    """'Seen, fine': a person read it and nothing more is needed."""
    resolve(review, by, now, "fine")


def follow_up(review: Review, by: Coordinator, now: datetime, hours: Hours) -> Message:
    """"I'll follow up": the thread is theirs, and the resident is told who will be in touch
    and by when, on their own channel (never a text they said not to send)."""
    thread = review.thread
    due = reply_by(by, now, hours)
    threads.follow_up(thread, by, now, due)
    resolve(review, by, now, "follow_up")
    ward = thread.ward
    area = f" for {ward.name}" if ward else ""
    return queue_reply(thread, by, (
        f"Hello, this is {by.name}, a Local Area Coordinator{area}. I have read your messages "
        f"and I will be in touch by {describe_when(due, now, hours)}. In an emergency call 999."),
        now)


def contact_note(thread: Thread) -> str:
    """How reaching out would go, for the early-help suggestion: channel choices and opt-outs
    (the same rule the outbox keeps)."""
    resident = thread.resident
    if channel_of(resident).delivered_by == "page":
        return "Web chat: they see a message when they come back to the chat."
    refused = why_not_text(resident)
    return f"Do not text: {refused}." if refused else "They can be texted."
