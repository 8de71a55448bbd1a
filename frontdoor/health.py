"""Is it working? The worker's heartbeat, and the readiness checks behind /readyz.

`frontdoor worker` sends every coordinator's reply and every urgent escalation: if it stops,
nobody sees an error, residents just hear nothing. So each round of its loop stamps a row,
and /readyz fails when no worker has stamped for a minute."""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app

from frontdoor.extensions import db
from frontdoor.models import Direction, Message, Thread, ThreadState, WorkerHeartbeat, utcnow
from frontdoor.outgoing import outbox_channels
from frontdoor.transactions import unit_of_work

log = logging.getLogger(__name__)

HEARTBEAT_FRESH = timedelta(minutes=1)
# A worker that has not beaten for a day has gone for good: its row is removed.
HEARTBEAT_FORGET = timedelta(days=1)
OUTBOX_WAITING = ("pending", "retrying", "sending")
OUTBOX_FAILED = ("failed", "undelivered")


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def beat(app: Flask | None = None) -> None:
    """Stamp this worker's heartbeat, and follow a newer `load-config`; never raises, so a
    database blip shows as a stale heartbeat rather than stopping the worker."""
    from frontdoor.engine import forget_stale_places

    now = utcnow()
    try:
        with unit_of_work():
            row = db.session.get(WorkerHeartbeat, worker_name())
            if row is None:
                db.session.add(WorkerHeartbeat(worker=worker_name(), beat_at=now))
            else:
                row.beat_at = now
            db.session.execute(sa.delete(WorkerHeartbeat).where(
                WorkerHeartbeat.beat_at < now - HEARTBEAT_FORGET))
        forget_stale_places(app or current_app._get_current_object())  # type: ignore[attr-defined]
    except sa.exc.SQLAlchemyError as error:
        db.session.rollback()
        log.warning("worker heartbeat not recorded: %s", type(error).__name__)


@dataclass(frozen=True)
class Heartbeats:
    fresh_workers: int
    last_beat_seconds: float | None


@dataclass(frozen=True)
class Backlog:
    pending: int
    failed: int
    oldest_pending_seconds: float | None


@dataclass(frozen=True)
class UrgentWaiting:
    threads: int
    oldest_wait_seconds: float | None


def _age(now: datetime, then: datetime | None) -> float | None:
    return round((now - then).total_seconds(), 1) if then is not None else None


def heartbeats(now: datetime) -> Heartbeats:
    """How many workers beat in the last minute, and how long ago the latest did."""
    fresh, last = db.session.execute(sa.select(
        sa.func.count(WorkerHeartbeat.worker).filter(
            WorkerHeartbeat.beat_at >= now - HEARTBEAT_FRESH),
        sa.func.max(WorkerHeartbeat.beat_at))).one()
    return Heartbeats(fresh, _age(now, _aware(last)))


def outbox_backlog(now: datetime) -> Backlog:
    """SMS replies waiting for the worker, those that failed, and the oldest wait."""
    outbound_sms = sa.and_(Message.direction == Direction.OUT,
                           Message.channel.in_(outbox_channels()))
    pending, failed, oldest = db.session.execute(sa.select(
        sa.func.count(Message.id).filter(Message.status.in_(OUTBOX_WAITING)),
        sa.func.count(Message.id).filter(Message.status.in_(OUTBOX_FAILED)),
        sa.func.min(Message.created_at).filter(Message.status.in_(OUTBOX_WAITING)),
    ).where(outbound_sms)).one()
    return Backlog(pending, failed, _age(now, _aware(oldest)))


def urgent_waiting(now: datetime) -> UrgentWaiting:
    """Urgent threads no coordinator has taken yet, and the longest such wait."""
    count, oldest = db.session.execute(sa.select(
        sa.func.count(Thread.id), sa.func.min(Thread.handed_off_at)).where(
        Thread.urgent, Thread.state == ThreadState.WAITING)).one()
    return UrgentWaiting(count, _age(now, _aware(oldest)))


def _aware(value: datetime | None) -> datetime | None:
    # min() and max() keep the column's type (aware UTC); this is only a safety net.
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def readiness(app: Flask) -> tuple[bool, dict[str, Any]]:
    """The checks behind /readyz: database, model, worker heartbeat; and the outbox backlog."""
    from frontdoor.engine import load_triage

    now = utcnow()
    report: dict[str, Any] = {}
    try:
        db.session.execute(sa.text("SELECT 1"))
        report["database"] = {"ok": True}
    except sa.exc.SQLAlchemyError as error:
        db.session.rollback()
        log.warning("readiness: database unreachable: %s", type(error).__name__)
        report["database"] = {"ok": False, "error": "unreachable"}
    try:
        load_triage(app)
        report["model"] = {"ok": True}
    except Exception as error:  # a missing or unreadable model: not ready, whatever the cause
        log.warning("readiness: model not loaded: %s", type(error).__name__)
        report["model"] = {"ok": False, "error": "not loaded: run `frontdoor train`"}
    if report["database"]["ok"]:
        try:
            beats = heartbeats(now)
            report["worker"] = {"ok": beats.fresh_workers > 0, **asdict(beats)}
            report["outbox"] = asdict(outbox_backlog(now))
        except sa.exc.SQLAlchemyError as error:
            db.session.rollback()
            log.warning("readiness: queries failed: %s", type(error).__name__)
            report["worker"] = {"ok": False, "error": "unknown"}
    else:
        report["worker"] = {"ok": False, "error": "unknown: no database"}
    ready = all(check.get("ok", True) for check in report.values())
    return ready, {"status": "ready" if ready else "not ready", **report}
