"""Which threads a coordinator may see: their own wards, wards they are covering for
someone on leave, threads handed to them; a lead sees every ward. Checked on the server
for every inbox route: anything else is a 404."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort

from frontdoor.extensions import db
from frontdoor.models import (
    Coordinator,
    Notification,
    Resident,
    Review,
    Thread,
    ThreadState,
    Ward,
)


def ward_codes_for(me: Coordinator, today: date) -> list[str]:
    """My wards, and the wards I cover whose coordinator is away today."""
    wards = db.session.scalars(sa.select(Ward).where(
        sa.or_(Ward.coordinator_id == me.id, Ward.cover_id == me.id))).all()
    return [w.code for w in wards if w.coordinator_id == me.id or w.coordinator is None
            or w.coordinator.leave_on(today) is not None or not w.coordinator.active]


def visible(me: Coordinator, today: date) -> sa.ColumnElement[bool]:
    if me.role == "lead":
        return sa.true()
    # An urgent thread's escalation ladder (say, to whoever is on call) lets the people it
    # reached open that thread, and nothing else.
    alerted = sa.select(Notification.thread_id).where(
        Notification.coordinator_id == me.id, Notification.kind == "urgent")
    # So does a conversation the review list's promise moved to them (frontdoor/review.py).
    moved = sa.select(Review.thread_id).where(Review.moved_to_id == me.id)
    # One alert for a burst of urgent chats from one address lets them open every one.
    alerted_thread = so.aliased(Thread)
    bursts = sa.select(alerted_thread.origin).join(
        Notification, Notification.thread_id == alerted_thread.id).where(
        Notification.coordinator_id == me.id, Notification.kind == "urgent_group")
    return sa.or_(Thread.coordinator_id == me.id, Thread.ward_code.in_(ward_codes_for(me, today)),
                  Thread.id.in_(alerted), Thread.id.in_(moved),
                  sa.and_(Thread.alert_grouped, Thread.origin.in_(bursts)))


def thread_for(me: Coordinator, thread_id: int, today: date) -> Thread:
    thread = db.session.scalar(sa.select(Thread).where(Thread.id == thread_id,
                                                       visible(me, today)))
    if thread is None:
        abort(404)
    return thread


PAGE_SIZE = 50


def page_number(value: str) -> int:
    """?page=: a whole number, or the first page (a mistyped or huge one is no error)."""
    return int(value) if value.isdigit() and len(value) < 7 else 1


@dataclass(frozen=True)
class ThreadPage:
    """One page of the thread list, and where it sits in the whole."""
    threads: list[Thread]
    total: int
    page: int
    pages: int

    @property
    def first(self) -> int:
        return (self.page - 1) * PAGE_SIZE + 1 if self.threads else 0

    @property
    def last(self) -> int:
        return self.first + len(self.threads) - 1 if self.threads else 0


def open_threads_for(me: Coordinator, today: date, ward: str | None = None,
                     coordinator_id: int | None = None, page: int = 1) -> ThreadPage:
    """Waiting and open threads, urgent first, then the longest waiting, a page at a time:
    a lead's every-ward list runs to hundreds of rows at a council's size, and the urgent
    ones are always on the first page."""
    where = [Thread.state.in_((ThreadState.WAITING, ThreadState.WITH_COORDINATOR)),
             visible(me, today)]
    if ward:
        where.append(Thread.ward_code == ward)
    if coordinator_id:
        where.append(Thread.coordinator_id == coordinator_id)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Thread).where(*where)) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    # The list shows each thread's resident, ward and coordinator: load them in one go.
    query = (sa.select(Thread).where(*where)
             .options(so.selectinload(Thread.resident), so.selectinload(Thread.ward),
                      so.selectinload(Thread.coordinator))
             .order_by(Thread.urgent.desc(), Thread.handed_off_at.asc().nulls_last(), Thread.id)
             .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
    return ThreadPage(list(db.session.scalars(query)), total, page, pages)


def resident_for(me: Coordinator, resident_id: int, today: date) -> Resident:
    """A resident I may see: one with a thread I may see (a lead sees everyone)."""
    resident = db.session.get(Resident, resident_id)
    if resident is None:
        abort(404)
    if me.role != "lead" and db.session.scalar(sa.select(Thread.id).where(
            Thread.resident_id == resident_id, visible(me, today)).limit(1)) is None:
        abort(404)
    return resident
