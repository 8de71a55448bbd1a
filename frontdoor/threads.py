"""What happens to a thread: the one place a thread changes hands or state.

Choosing the coordinator, handing over, taking, acknowledging, closing, reopening, and the
two things the worker does on its own (escalating urgent threads, moving waits that passed
their promised time) all live here, and the conversation engine, the inbox and the worker
all call these functions. Nothing here commits: the caller's unit of work does.

The clocks, written down once:

- `handed_off_at` is when the resident was first passed to a person on this thread: the
  resident's wait, shown in the inbox as "Waited". Later hand-overs keep it.
- `escalated_at` is when the person at the current step of the escalation ladder was told.
  Every hand-over to a new person restarts it (step 0, now), so a colleague handed an urgent
  thread gets the full wait before anyone above them is told.
- `reply_due_at` is the reply time the resident was promised. A coordinator's reply clears it;
  the worker tells the resident once when it passes and moves the thread on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeGuard

import sqlalchemy as sa

from frontdoor.extensions import db
from frontdoor.models import (
    AuditEvent,
    Author,
    Coordinator,
    Council,
    Direction,
    Message,
    Notification,
    OnCall,
    Resident,
    Thread,
    ThreadRead,
    ThreadState,
    Ward,
)
from frontdoor.rota import Hours, is_council_open, is_working_now, next_on_duty

OPEN_STATES = (ThreadState.WAITING, ThreadState.WITH_COORDINATOR)
LADDER_STEPS = ("named", "cover", "on_call", "lead")
DEFAULT_LADDER = "named:15,cover:15,on_call:15,lead:15"
CRISIS_WORDS = {
    "suicide_self_harm": "suicide or self-harm",
    "domestic_abuse": "domestic abuse",
    "danger": "danger now",
    "medical": "medical emergency",
    "safeguarding_other": "someone else at risk",
}


class NobodyToHandTo(LookupError):
    """No active coordinator at all: the council's data has not been loaded."""


@dataclass(frozen=True)
class Rung:
    """One step of the escalation ladder and how long it waits for an acknowledgement."""

    step: str
    minutes: int


def parse_ladder(text: str) -> list[Rung]:
    """'named:15,cover:15,on_call:15,lead:15' -> rungs; a clear error names a bad step."""
    rungs = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        step, _, minutes = part.partition(":")
        if step not in LADDER_STEPS or not minutes.isdigit() or int(minutes) < 1:
            raise ValueError(f"escalation step {part!r}: use one of {', '.join(LADDER_STEPS)} "
                             "with minutes, like named:15")
        rungs.append(Rung(step, int(minutes)))
    if not rungs:
        raise ValueError("the escalation ladder needs at least one step")
    return rungs


def ladder() -> list[Rung]:
    council = db.session.get(Council, 1)
    return parse_ladder(council.escalation_ladder if council else DEFAULT_LADDER)


# -- who -------------------------------------------------------------------------------------

def named_for(resident: Resident) -> Coordinator | None:
    """The resident's named coordinator: the one remembered, else their ward's."""
    if resident.coordinator is not None and resident.coordinator.active:
        return resident.coordinator
    ward = resident.ward
    return ward.coordinator if ward else None


def find_leads() -> list[Coordinator]:
    return list(db.session.scalars(sa.select(Coordinator).where(
        Coordinator.role == "lead", Coordinator.active).order_by(Coordinator.id)))


def find_on_call(now: datetime, hours: Hours) -> Coordinator | None:
    """Whoever the rota has on call at `now`; outside office hours with nobody on the rota,
    the council's out-of-hours duty team (a coordinator entry with role "duty")."""
    on_rota = db.session.scalar(
        sa.select(Coordinator).join(OnCall, OnCall.coordinator_id == Coordinator.id)
        .where(OnCall.starts <= now, OnCall.ends > now, Coordinator.active)
        .order_by(OnCall.starts.desc()))
    if on_rota is not None or is_council_open(now, hours):
        return on_rota
    return db.session.scalar(sa.select(Coordinator).where(
        Coordinator.role == "duty", Coordinator.active).order_by(Coordinator.id))


def _present(person: Coordinator | None, day_of: datetime, hours: Hours) -> TypeGuard[Coordinator]:
    return (person is not None and person.active
            and person.leave_on(day_of.astimezone(hours.zone).date()) is None)


def choose_coordinator(named: Coordinator | None, ward: Ward | None, now: datetime,
                       hours: Hours) -> Coordinator:
    """The named coordinator, or their cover when they are away, or the team lead."""
    if _present(named, now, hours):
        return named
    cover = ward.cover if ward else None
    if _present(cover, now, hours):
        return cover
    leads = find_leads()
    if leads:
        return leads[0]
    anyone = db.session.scalar(sa.select(Coordinator).where(Coordinator.active)
                               .order_by(Coordinator.id))
    if anyone is None:
        raise NobodyToHandTo("no active coordinator to hand to: run `frontdoor load-config`")
    return anyone


def choose_for_crisis(named: Coordinator | None, ward: Ward | None, now: datetime,
                      hours: Hours) -> Coordinator:
    """Whoever on the team will be at work soonest: the named coordinator if they are at work
    now, else the cover, else a lead; out of hours, the one back first (named on a tie)."""
    soonest = soonest_at_work((named, ward.cover if ward else None, *find_leads()), now, hours)
    return soonest if soonest is not None else choose_coordinator(named, ward, now, hours)


def soonest_at_work(people: Sequence[Coordinator | None], now: datetime,
                    hours: Hours) -> Coordinator | None:
    """Of `people` (most preferred first), whoever is at work now or back first, the more
    preferred on a tie; None when none of them is here at all (gone, or on leave today)."""
    present = [p for p in people if _present(p, now, hours)]
    if not present:
        return None
    return min(enumerate(present), key=lambda item: (next_on_duty(item[1], now, hours),
                                                     item[0]))[1]


def people_at(step: str, thread: Thread, now: datetime, hours: Hours) -> list[Coordinator]:
    """Who a ladder step would tell right now: nobody when they are off duty."""
    if step == "named":
        people = [thread.coordinator] if thread.coordinator else []
    elif step == "cover":
        cover = thread.ward.cover if thread.ward else None
        people = [cover] if cover and cover.id != thread.coordinator_id else []
    elif step == "on_call":
        on_call = find_on_call(now, hours)
        # The rota says when they are on call: their usual working hours do not apply.
        return [on_call] if on_call else []
    else:
        people = find_leads()
    return [p for p in people if p.active and is_working_now(p, now, hours)]


# -- changing hands ---------------------------------------------------------------------------

def hand_over(thread: Thread, to: Coordinator, *, reason: str, now: datetime,
              hours: Hours, by: Coordinator | None = None, crisis: str | None = None,
              reply_due: datetime | None = None, keep_owner: bool = False) -> None:
    """Give the thread to `to` (waiting for them to take it), with a fresh escalation clock.

    `by` is the coordinator handing it over (audited here), None for the front door or the
    command line. `crisis` marks it urgent; only a coordinator lowers that (`clear_urgent`).
    With `keep_owner` (the front door, when the resident writes again) a thread a
    coordinator already has open stays theirs."""
    if thread.state == ThreadState.WITH_COORDINATOR and thread.coordinator is not None \
            and keep_owner:
        to = thread.coordinator
    already_theirs = thread.state in OPEN_STATES and thread.coordinator_id == to.id
    if not (already_theirs and thread.state == ThreadState.WITH_COORDINATOR):
        thread.state = ThreadState.WAITING
    thread.coordinator = to
    if crisis:
        thread.urgent, thread.crisis, thread.handoff_reason = True, crisis, "crisis"
        # A new crisis needs a person again, even on a thread someone acknowledged before.
        thread.acknowledged_at = thread.acknowledged_by_id = None
    elif not (thread.handoff_reason == "crisis" and keep_owner):
        thread.handoff_reason = reason
    thread.handed_off_at = thread.handed_off_at or now
    thread.awaiting = None
    thread.reply_due_at = reply_due
    if not keep_owner:
        thread.resident.coordinator = to
        if by is not None:
            _audit(by, "hand_over", thread, f"to {to.key}", now)
        if thread.urgent and not already_theirs:
            # The colleague has not seen it yet: the ladder starts again, from them.
            thread.acknowledged_at = thread.acknowledged_by_id = None
    db.session.flush()
    if thread.urgent and thread.acknowledged_at is None:
        if crisis or not already_theirs or thread.escalated_at is None:
            _start_escalation(thread, now, hours)
    elif not already_theirs:
        _notify(to, thread, "handoff", now)


def open_thread_of(resident: Resident) -> Thread | None:
    """The resident's open thread (one at most: ix_thread_one_open_per_resident)."""
    return db.session.scalar(sa.select(Thread).where(
        Thread.resident_id == resident.id, Thread.state != ThreadState.CLOSED)
        .order_by(Thread.id.desc()).limit(1))


def open_or_start(resident: Resident, now: datetime) -> tuple[Thread, bool]:
    """The resident's open thread, or a new one with the front door (True)."""
    thread = open_thread_of(resident)
    if thread is not None:
        return thread, False
    thread = Thread(resident=resident, state=ThreadState.BOT, created_at=now,
                    ward_code=resident.ward_code)
    db.session.add(thread)
    return thread, True


def hand_over_unanswered(message: Message, now: datetime, hours: Hours) -> Thread:
    """A text the front door failed to answer, time after time (frontdoor/deferred.py): put
    on the resident's open thread (or a new one) and given to their coordinator, or cover,
    or a lead, who is told like any hand-over. The resident's words reach a person even
    when the software that should answer them is broken."""
    resident = message.resident
    thread, _ = open_or_start(resident, now)
    message.thread = thread
    to = choose_coordinator(named_for(resident), resident.ward, now, hours)
    hand_over(thread, to, reason="not_answered", now=now, hours=hours, keep_owner=True)
    return thread


def take(thread: Thread, by: Coordinator, now: datetime) -> None:
    """A coordinator takes the thread: it is theirs, and acknowledged."""
    thread.state = ThreadState.WITH_COORDINATOR
    thread.coordinator_id = by.id
    thread.taken_at = thread.taken_at or now
    _acknowledge(thread, by, now)
    _audit(by, "take", thread, "", now)


def follow_up(thread: Thread, by: Coordinator, now: datetime, reply_due: datetime) -> None:
    """A coordinator takes up a thread nobody handed them (the review list's "I'll follow
    up") and promises the resident a reply by `reply_due`. The resident's wait starts now
    unless they had been passed to a person before (`handed_off_at`, above)."""
    take(thread, by, now)
    thread.handoff_reason = thread.handoff_reason or "follow_up"
    thread.handed_off_at = thread.handed_off_at or now
    thread.reply_due_at = reply_due


def acknowledge(thread: Thread, by: Coordinator, now: datetime) -> None:
    """'I have seen this urgent thread': stops the escalation ladder."""
    if thread.acknowledged_at is None:
        _acknowledge(thread, by, now)
        _audit(by, "acknowledge", thread, "", now)


def _acknowledge(thread: Thread, by: Coordinator, now: datetime) -> None:
    if thread.acknowledged_at is None:
        thread.acknowledged_at, thread.acknowledged_by_id = now, by.id


def replied(thread: Thread, by: Coordinator, now: datetime) -> None:
    """A coordinator wrote to the resident: the promise of a reply is kept."""
    if thread.state != ThreadState.WITH_COORDINATOR or thread.coordinator_id != by.id:
        take(thread, by, now)
    _acknowledge(thread, by, now)
    thread.reply_due_at = None
    thread.first_reply_at = thread.first_reply_at or now


def resident_wrote(thread: Thread, now: datetime) -> None:
    """The resident wrote on a thread a coordinator holds: tell the owner (never what was
    written), once until they open the thread. An urgent thread nobody has acknowledged is
    on the escalation ladder already."""
    owner = thread.coordinator
    if owner is None or thread.state not in OPEN_STATES or (
            thread.urgent and thread.acknowledged_at is None):
        return
    read_at = db.session.scalar(sa.select(ThreadRead.read_at).where(
        ThreadRead.coordinator_id == owner.id, ThreadRead.thread_id == thread.id))
    told = sa.select(Notification.id).where(Notification.thread_id == thread.id,
                                            Notification.coordinator_id == owner.id)
    if read_at is not None:
        told = told.where(Notification.created_at > read_at)
    if db.session.scalar(told.limit(1)) is None:
        _notify(owner, thread, "resident_wrote", now)


def clear_urgent(thread: Thread, by: Coordinator, now: datetime) -> None:
    """Only a coordinator lowers a thread's urgency; the resident's words never do."""
    thread.urgent = False
    _acknowledge(thread, by, now)
    _audit(by, "not_urgent", thread, thread.crisis or "", now)


def close(thread: Thread, by: Coordinator, now: datetime, outcome: str | None = None) -> None:
    """Close the thread, with an optional code for how it ended."""
    thread.state, thread.outcome, thread.closed_at = ThreadState.CLOSED, outcome, now
    thread.reply_due_at = None
    _acknowledge(thread, by, now)
    _audit(by, "close", thread, outcome or "", now)


def reopen(thread: Thread, by: Coordinator, now: datetime) -> None:
    thread.state, thread.closed_at, thread.outcome = ThreadState.WITH_COORDINATOR, None, None
    thread.coordinator_id = by.id
    _audit(by, "reopen", thread, "", now)


def move_ward(thread: Thread, ward: Ward, by: Coordinator, now: datetime) -> None:
    """A coordinator agrees the resident lives in another ward (never the resident's words
    alone: they only suggest it)."""
    thread.ward_code = ward.code
    thread.resident.ward_code = ward.code
    thread.suggested_ward_code = None
    _audit(by, "move_ward", thread, ward.code, now)


# -- the escalation ladder -------------------------------------------------------------------

def _start_escalation(thread: Thread, now: datetime, hours: Hours) -> None:
    rungs = ladder()
    start = _next_rung(rungs, -1, thread, now, hours)
    thread.escalation_step = start if start is not None else 0
    thread.escalated_at = now
    if _in_a_burst(thread, now):
        # Many new urgent threads from one address in a few minutes: a flood more likely than
        # a crowd in crisis, but each may be real. Each is shown, urgent, in the inbox; the
        # people who would be told hear of them once, together (`_alert_burst`).
        first_of_burst = not _grouped_threads(thread.origin, excluding=thread)
        thread.alert_grouped = True
        if first_of_burst:
            _alert_burst(thread, now, hours)
        return
    people = people_at(rungs[thread.escalation_step].step, thread, now, hours) \
        if start is not None else []
    # Out of hours with nobody on the ladder on duty, the owner is still told: it is the
    # first thing they see when they are back.
    for person in people or ([thread.coordinator] if thread.coordinator else []):
        _notify(person, thread, "urgent", now, rungs[thread.escalation_step].step)


# -- bursts: many urgent threads from one address -------------------------------------------

# Up to BURST_AFTER urgent threads from one address within BURST_MINUTES are alerted one by
# one (two people at one library can both be in crisis); from the next, they are grouped.
BURST_AFTER = 2
BURST_MINUTES = 15


def _recent_urgent_from(origin: str, now: datetime) -> sa.Select[Thread]:
    return sa.select(Thread).where(
        Thread.origin == origin, Thread.urgent, Thread.handed_off_at.is_not(None),
        Thread.handed_off_at >= now - timedelta(minutes=BURST_MINUTES))


def _in_a_burst(thread: Thread, now: datetime) -> bool:
    if thread.origin is None or thread.alert_grouped:
        return thread.alert_grouped
    others = db.session.scalar(sa.select(sa.func.count()).select_from(
        _recent_urgent_from(thread.origin, now).where(Thread.id != thread.id).subquery()))
    return (others or 0) >= BURST_AFTER


def _grouped_threads(origin: str | None, excluding: Thread | None = None) -> list[Thread]:
    """The grouped urgent threads from `origin` nobody has acknowledged, oldest first."""
    query = sa.select(Thread).where(
        Thread.origin == origin, Thread.alert_grouped, Thread.urgent,
        Thread.acknowledged_at.is_(None), Thread.state.in_(OPEN_STATES))
    if excluding is not None and excluding.id is not None:
        query = query.where(Thread.id != excluding.id)
    return list(db.session.scalars(query.order_by(Thread.id)))


def burst_people(now: datetime, hours: Hours) -> list[Coordinator]:
    """The people told of a burst of urgent chats now (who_hears_of_a_burst, from the
    leads and whoever is on call)."""
    return who_hears_of_a_burst(find_leads(), find_on_call(now, hours), now, hours)


def who_hears_of_a_burst(leads: Sequence[Coordinator], on_call: Coordinator | None,
                         now: datetime, hours: Hours) -> list[Coordinator]:
    """Who hears of a burst: the leads at work, else whoever is on call, else every lead
    (it is the first thing they see when they are back)."""
    at_work = [p for p in leads if is_working_now(p, now, hours)]
    return at_work or ([on_call] if on_call else []) or list(leads)


def burst_size(thread: Thread) -> int:
    """How many grouped urgent threads from this thread's address still wait for a person."""
    if not thread.alert_grouped:
        return 1
    return len(_grouped_threads(thread.origin)) or 1


def _alert_burst(thread: Thread, now: datetime, hours: Hours) -> None:
    for person in burst_people(now, hours):
        _notify(person, thread, "urgent_group", now, "lead")


def escalate_bursts(now: datetime, hours: Hours) -> int:
    """A burst nobody has acknowledged all of is raised again, as one alert, each time the
    top of the ladder's wait passes (escalate_due does not move grouped threads)."""
    rungs = ladder()
    wait = timedelta(minutes=rungs[-1].minutes)
    raised = 0
    waiting = db.session.scalars(sa.select(Thread).where(
        Thread.alert_grouped, Thread.urgent, Thread.acknowledged_at.is_(None),
        Thread.state.in_(OPEN_STATES)).order_by(Thread.id)).all()
    by_origin: dict[str | None, list[Thread]] = {}
    for thread in waiting:
        by_origin.setdefault(thread.origin, []).append(thread)
    for group in by_origin.values():
        last = max(t.escalated_at or t.handed_off_at or now for t in group)
        if now - last < wait:
            continue
        _alert_burst(group[0], now, hours)
        for thread in group:
            thread.escalated_at = now
        raised += 1
    return raised


def _next_rung(rungs: Sequence[Rung], after: int, thread: Thread, now: datetime,
               hours: Hours) -> int | None:
    for index in range(after + 1, len(rungs)):
        if people_at(rungs[index].step, thread, now, hours):
            return index
    return None


def escalate_due(now: datetime, hours: Hours) -> int:
    """Urgent threads nobody has acknowledged in their step's time go up the ladder; at the
    top, the last people told are told again, until someone acknowledges in the inbox."""
    rungs = ladder()
    moved = 0
    for thread in db.session.scalars(sa.select(Thread).where(
            Thread.urgent, Thread.acknowledged_at.is_(None), Thread.state.in_(OPEN_STATES),
            Thread.alert_grouped.is_(False))):
        step = min(thread.escalation_step, len(rungs) - 1)
        since = thread.escalated_at or thread.handed_off_at or now
        if now - since < timedelta(minutes=rungs[step].minutes):
            continue
        following = _next_rung(rungs, step, thread, now, hours)
        if following is None:
            # Nobody further up is on duty: retry the highest step that has someone.
            following = next((i for i in range(len(rungs) - 1, -1, -1)
                              if people_at(rungs[i].step, thread, now, hours)), None)
        people = people_at(rungs[following].step, thread, now, hours) \
            if following is not None else find_leads()
        thread.escalation_step = following if following is not None else len(rungs) - 1
        thread.escalated_at = now
        for person in people:
            _notify(person, thread, "urgent", now, rungs[thread.escalation_step].step)
        moved += 1
    return moved + escalate_bursts(now, hours)


def escalation_so_far(thread: Thread) -> list[Notification]:
    """Who has been told about this urgent thread, oldest first: shown in the inbox."""
    return list(db.session.scalars(sa.select(Notification).where(
        Notification.thread_id == thread.id, Notification.kind == "urgent")
        .order_by(Notification.id)))


# -- waits that passed their promised time -----------------------------------------------------

def overdue_threads(now: datetime) -> list[Thread]:
    return list(db.session.scalars(sa.select(Thread).where(
        Thread.reply_due_at <= now, Thread.overdue_at.is_(None),
        Thread.state.in_(OPEN_STATES)).order_by(Thread.reply_due_at)))


def move_overdue(thread: Thread, now: datetime, hours: Hours) -> Coordinator | None:
    """The promised reply time passed: hand the thread to the cover or a lead (who is at work
    if anyone is), once. Returns who has it now, or None when nobody else can take it."""
    thread.overdue_at = now
    owner = thread.coordinator
    ward = thread.ward
    options = [p for p in (ward.cover if ward else None, *find_leads())
               if _present(p, now, hours) and (owner is None or p.id != owner.id)]
    at_work = [p for p in options if is_working_now(p, now, hours)]
    chosen = (at_work or options)[0] if options else None
    if chosen is None:
        return None
    thread.state = ThreadState.WAITING
    thread.coordinator = chosen
    thread.reply_due_at = None
    db.session.flush()
    _notify(chosen, thread, "overdue", now)
    db.session.add(AuditEvent(coordinator_id=None, action="overdue_moved", thread_id=thread.id,
                              detail=f"from {owner.key if owner else '-'} to {chosen.key}",
                              created_at=now))
    return chosen


# -- helpers ---------------------------------------------------------------------------------

def _notify(person: Coordinator, thread: Thread, kind: str, now: datetime,
            step: str | None = None) -> None:
    db.session.add(Notification(coordinator_id=person.id, thread_id=thread.id, kind=kind,
                                step=step, created_at=now))


def _audit(by: Coordinator, action: str, thread: Thread, detail: str, now: datetime) -> None:
    db.session.add(AuditEvent(coordinator_id=by.id, action=action, thread_id=thread.id,
                              detail=detail, created_at=now))


def last_coordinator_message_at(thread: Thread) -> datetime | None:
    return db.session.scalar(sa.select(sa.func.max(Message.created_at)).where(
        Message.thread_id == thread.id, Message.direction == Direction.OUT,
        Message.author == Author.COORDINATOR))
