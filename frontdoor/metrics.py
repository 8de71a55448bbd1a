"""Prometheus metrics at /metrics, with no resident data in any label.

Two kinds, chosen for being right with any number of gunicorn workers and worker processes:

- Counts and states (messages in, replies, handoffs, urgent threads waiting, the outbox,
  the worker's heartbeat) are computed from the database at scrape time. The database is
  the one truth all processes share: the figures survive restarts, agree between web
  workers and hosts, and need no shared files. A scrape costs a few aggregate queries.
- Latencies (triage, SMS sends) are only known inside the process that timed them, so they
  are prometheus-client histograms. Under gunicorn they use its multiprocess mode
  (PROMETHEUS_MULTIPROC_DIR, set up by deploy/gunicorn.conf.py), which sums every web
  worker's files; `frontdoor worker --metrics-port` serves the worker's own. They are
  defined in timings.py, which the engine and the SMS sender use without this module.

Labels only ever carry our own fixed words (channel, author, reason, provider, outcome)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import sqlalchemy as sa
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import REGISTRY, CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from frontdoor.timings import label


class DatabaseCollector(Collector):
    """Counts and states, read from the database when Prometheus scrapes."""

    def __init__(self, clock: Callable[[], Any]) -> None:
        self.clock = clock

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        from frontdoor.extensions import db
        from frontdoor.health import heartbeats, outbox_backlog, urgent_waiting
        from frontdoor.models import Author, Direction, Message, Thread

        now = self.clock()
        messages_in = CounterMetricFamily(
            "frontdoor_messages_in", "Messages received from residents.", labels=["channel"])
        for channel, count in db.session.execute(
                sa.select(Message.channel, sa.func.count(Message.id))
                .where(Message.direction == Direction.IN).group_by(Message.channel)):
            messages_in.add_metric([label(channel)], count)
        yield messages_in

        replies = CounterMetricFamily(
            "frontdoor_replies", "Replies to residents, by who wrote them (bot or coordinator) "
            "and channel.", labels=["kind", "channel"])
        for author, channel, count in db.session.execute(
                sa.select(Message.author, Message.channel, sa.func.count(Message.id))
                .where(Message.direction == Direction.OUT,
                       Message.author.in_((Author.BOT, Author.COORDINATOR)))
                .group_by(Message.author, Message.channel)):
            replies.add_metric([label(author), label(channel)], count)
        yield replies

        handoffs = CounterMetricFamily(
            "frontdoor_handoffs", "Threads handed to a coordinator, by reason.",
            labels=["reason"])
        for reason, count in db.session.execute(
                sa.select(Thread.handoff_reason, sa.func.count(Thread.id))
                .where(Thread.handed_off_at.is_not(None)).group_by(Thread.handoff_reason)):
            handoffs.add_metric([label(reason)], count)
        yield handoffs

        urgent = urgent_waiting(now)
        yield GaugeMetricFamily("frontdoor_urgent_threads_waiting",
                                "Urgent threads no coordinator has taken yet.",
                                value=urgent.threads)
        yield GaugeMetricFamily("frontdoor_urgent_oldest_wait_seconds",
                                "How long the longest-waiting urgent thread has waited.",
                                value=urgent.oldest_wait_seconds or 0)
        backlog = outbox_backlog(now)
        yield GaugeMetricFamily("frontdoor_outbox_pending",
                                "SMS replies waiting for the worker to send them.",
                                value=backlog.pending)
        yield GaugeMetricFamily("frontdoor_outbox_failed",
                                "SMS replies that could not be delivered.",
                                value=backlog.failed)
        yield GaugeMetricFamily("frontdoor_outbox_oldest_pending_seconds",
                                "Age of the oldest SMS reply still waiting to be sent.",
                                value=backlog.oldest_pending_seconds or 0)
        beats = heartbeats(now)
        yield GaugeMetricFamily("frontdoor_workers_alive",
                                "Workers whose heartbeat is under a minute old.",
                                value=beats.fresh_workers)
        yield GaugeMetricFamily("frontdoor_worker_heartbeat_age_seconds",
                                "Seconds since the latest worker heartbeat (-1: never).",
                                value=-1 if beats.last_beat_seconds is None
                                else beats.last_beat_seconds)


def exposition(clock: Callable[[], Any]) -> bytes:
    """The text Prometheus scrapes: this process's (or every web worker's) histograms, then
    the counts and states from the database."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        processes = CollectorRegistry()
        multiprocess.MultiProcessCollector(processes)
        latencies = generate_latest(processes)
    else:
        latencies = generate_latest(REGISTRY)
    database = CollectorRegistry()
    database.register(DatabaseCollector(clock))
    return latencies + generate_latest(database)


def serve_worker_metrics(port: int) -> None:
    """The worker's own histograms (send latency) on 127.0.0.1:`port`, for Prometheus."""
    from prometheus_client import start_http_server

    start_http_server(port, addr="127.0.0.1")
