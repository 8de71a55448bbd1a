"""Benchmark: what the signed SMS webhook costs, beside a bare Flask endpoint.

For each database (SQLite; PostgreSQL with --postgresql) and each SMS_REPLIES mode (inline,
auto), it starts gunicorn (2 sync workers) on a fresh database, and a bare Flask endpoint
under the same gunicorn in the same run, and keeps 16 connections busy for --seconds with
every request a new signed message (a new MessageSid from a new number, signed with the real
twilio RequestValidator). It prints requests per second, p50/p99, the ratio to bare Flask,
and the SQL statements and commits per message (counted in-process on the same database
through the same code path). Targets (issue #11): p99 <= 50 ms and at least 0.15x bare.

    .venv/bin/python bench/webhook.py [--seconds 20] [--postgresql URL] [--modes inline,auto]

The PostgreSQL database is emptied (its public schema dropped): give it one of its own.
The load generator is Python (several processes of threads) on the same machine: on a small
shared machine its own CPU is part of what limits the bare figure. Prints figures; asserts
nothing."""

from __future__ import annotations

import argparse
import http.client
import itertools
import multiprocessing
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import Flask, Response, request
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# As bench._common, not _common: gunicorn imports this module as bench.webhook (the bare
# endpoint), where the bench folder itself is not on the path.
from bench._common import (  # noqa: E402 - after the path is set
    free_port,
    model_path,
    stop,
    wait_until_serving,
)

BIN = Path(sys.executable).parent
TOKEN = "bench-auth-token"  # noqa: S105 - a local bench server only
TEXTS = ["need a food bank, I live in Normanton", "im lonely, I live in DE23",
         "hello", "can someone call me back please, normanton",
         "any lunch clubs in littleover?", "i need help with money DE23 8AB",
         "where can i get help with the rent", "thanks"]

# The bare endpoint: what Flask and gunicorn cost with nothing behind them.
bare = Flask("bare")


@bare.post("/sms/inbound")
def bare_inbound() -> Response:
    request.form.get("Body")
    return Response('<?xml version="1.0" encoding="UTF-8"?><Response />',
                    mimetype="text/xml")


@bare.get("/healthz")
def bare_health() -> str:
    return "ok"


# -- servers -----------------------------------------------------------------------------

def app_env(url: str, port: int, **settings: str) -> dict[str, str]:
    return {**os.environ, "FRONTDOOR_ENV": "development", "DATABASE_URL": url,
            "MODEL_PATH": str(model_path()), "TWILIO_AUTH_TOKEN": TOKEN,
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", "SMS_SENDER": "console",
            "NOTIFY_CHANNEL": "console", "LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT),
            **settings}


def fresh_database(kind: str, postgresql: str | None, folder: Path) -> str:
    """A migrated database with the demo council loaded."""
    if kind == "sqlite":
        url = f"sqlite:///{folder / 'bench.db'}"
    else:
        assert postgresql
        url = postgresql
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public;"))
        engine.dispose()
    env = app_env(url, 0)
    for command in (["db", "upgrade"], ["load-config"]):
        subprocess.run([str(BIN / "frontdoor"), *command], env=env, cwd=folder, check=True,
                       capture_output=True)
    return url


def gunicorn(app: str, port: int, env: dict[str, str], workers: int, log: Path,
             threads: int = 1) -> subprocess.Popen[bytes]:
    """gunicorn with `workers` processes of `threads` threads each (sync workers when 1);
    returns once every worker has answered (and, for the front door, loaded its model)."""
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "-w", str(workers), "--threads", str(threads),
         "-b", f"127.0.0.1:{port}", "--backlog", "4096", "--timeout", "60", app],
        env=env, cwd=ROOT, stdout=log.open("ab"), stderr=subprocess.STDOUT)
    wait_until_serving(server, port, str(log))
    return server


# -- signed messages ---------------------------------------------------------------------

def signed_message(port: int, body: str, number: str | None = None,
                   sid: str | None = None) -> tuple[bytes, str]:
    """A new message as Twilio would post it: a new MessageSid, signed for this server."""
    url = f"http://127.0.0.1:{port}/sms/inbound"
    sid = sid or "SM" + uuid.uuid4().hex
    fields = {"MessageSid": sid, "SmsSid": sid, "AccountSid": "AC" + "0" * 32,
              "From": number or f"+447{random.randrange(10**9):09d}", "To": "+447700900000",
              "Body": body, "NumMedia": "0", "NumSegments": "1", "SmsStatus": "received",
              "ApiVersion": "2010-04-01"}
    signature = RequestValidator(TOKEN).compute_signature(url, fields)
    return urlencode(fields).encode(), signature


def post(port: int, payload: bytes, signature: str, timeout: float = 30.0) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("POST", "/sms/inbound", body=payload, headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signature})
        response = connection.getresponse()
        response.read()
        return response.status
    except OSError:
        return 599
    finally:
        connection.close()


# -- closed-loop load: N connections, each sending the next as soon as it is answered -----

@dataclass
class Load:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    elapsed: float = 0.0

    def add(self, other: Load) -> None:
        self.latencies += other.latencies
        self.statuses.update(other.statuses)
        self.elapsed = max(self.elapsed, other.elapsed)

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0


def _connections(port: int, threads: int, until: float) -> Load:
    load = Load()
    lock = threading.Lock()
    texts = itertools.cycle(TEXTS)

    def one() -> None:
        while time.monotonic() < until:
            with lock:
                body = next(texts)
            payload, signature = signed_message(port, body)
            started = time.perf_counter()
            status = post(port, payload, signature)
            took = time.perf_counter() - started
            with lock:
                load.latencies.append(took)
                load.statuses[status] += 1

    started = time.monotonic()
    workers = [threading.Thread(target=one) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    load.elapsed = time.monotonic() - started
    return load


def _connections_process(args: tuple[int, int, float]) -> Load:
    return _connections(*args)


def closed_loop(port: int, seconds: float, connections: int = 16, processes: int = 4) -> Load:
    until = time.monotonic() + seconds
    per = [connections // processes + (1 if i < connections % processes else 0)
           for i in range(processes)]
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        parts = pool.map(_connections_process, [(port, n, until) for n in per if n])
    total = Load()
    for part in parts:
        total.add(part)
    return total


def warm(port: int, requests: int = 40) -> None:
    """Every worker has loaded the model and the places before timing starts."""
    for n in range(requests):
        post(port, *signed_message(port, TEXTS[n % len(TEXTS)]))


# -- statements per message, counted in-process -------------------------------------------

def statements_per_message(url: str, mode: str, messages: int = 100) -> tuple[float, float]:
    """SQL statements (commits counted apart) per signed message through the real webhook."""
    port = 5000
    os.environ.update(app_env(url, port, SMS_REPLIES=mode))
    from frontdoor import create_app
    from frontdoor.extensions import db

    app = create_app({"DATABASE_URL": url, "SMS_REPLIES": mode,
                      "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
                      "TWILIO_AUTH_TOKEN": TOKEN, "MODEL_PATH": str(model_path())})
    client = app.test_client()
    counts = Counter[str]()
    with app.app_context():
        engine = db.engine

    def statement(conn: sa.Connection, _cursor: object, sql: str, *_args: object) -> None:
        counts["statements"] += 1
        # On PostgreSQL the webhook stores in autocommit: a write there is its own commit.
        autocommit = conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT"
        if autocommit and not sql.lstrip().upper().startswith("SELECT"):
            counts["commits"] += 1

    def commit(*_args: object) -> None:
        counts["commits"] += 1

    def send(n: int) -> None:
        payload, signature = signed_message(port, TEXTS[n % len(TEXTS)])
        response = client.post("/sms/inbound", data=payload, headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signature})
        assert response.status_code == 200, response.status_code

    for n in range(10):
        send(n)
    sa.event.listen(engine, "before_cursor_execute", statement)
    sa.event.listen(engine, "commit", commit)
    for n in range(messages):
        send(n)
    sa.event.remove(engine, "before_cursor_execute", statement)
    sa.event.remove(engine, "commit", commit)
    engine.dispose()
    return counts["statements"] / messages, counts["commits"] / messages


def later(url: str) -> tuple[int, int, int]:
    """Texts the worker answered (their replies went through the outbox), texts still
    waiting for it, and all texts stored."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        answered = conn.scalar(sa.text(
            "SELECT count(DISTINCT reply_to_id) FROM message WHERE direction = 'out' "
            "AND idempotency_key IS NOT NULL AND reply_to_id IS NOT NULL"))
        waiting = conn.scalar(sa.text(
            "SELECT count(*) FROM message WHERE status = 'deferred'"))
        stored = conn.scalar(sa.text("SELECT count(*) FROM message WHERE direction = 'in'"))
    engine.dispose()
    return int(answered or 0) + int(waiting or 0), int(waiting or 0), int(stored or 0)


def report(name: str, load: Load, bare: Load | None = None, sql: tuple[float, float] | None
           = None) -> None:
    ratio = f"  {load.rate / bare.rate:5.2f}x bare" if bare and bare.rate else ""
    statements = f"  {sql[0]:.1f} statements + {sql[1]:.1f} commits/message" if sql else ""
    errors = sum(v for k, v in load.statuses.items() if k != 200)
    print(f"  {name:<22} {load.rate:7.0f} req/s  p50 {load.percentile(0.5) * 1000:6.1f} ms"
          f"  p99 {load.percentile(0.99) * 1000:6.1f} ms  non-200 {errors}{ratio}{statements}",
          flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1,
                        help="threads per worker (gunicorn's gthread workers when above 1)")
    parser.add_argument("--postgresql", help="a PostgreSQL URL this bench may empty")
    parser.add_argument("--modes", default="inline,auto")
    args = parser.parse_args()
    kinds = ["sqlite"] + (["postgresql"] if args.postgresql else [])
    kind = "sync workers" if args.threads == 1 else f"workers of {args.threads} threads"
    print(f"gunicorn {args.workers} {kind}, {args.connections} connections, "
          f"{args.seconds:.0f} s per run, every request a new signed message "
          f"({os.cpu_count()} CPUs, shared with the load generator)", flush=True)
    folder = Path(tempfile.mkdtemp(prefix="bench-webhook-"))
    log = folder / "gunicorn.log"
    try:
        port = free_port()
        server = gunicorn("bench.webhook:bare", port, app_env("sqlite://", port),
                          args.workers, log, args.threads)
        try:
            warm(port)
            bare_load = closed_loop(port, args.seconds, args.connections)
        finally:
            stop(server)
        report("bare Flask", bare_load)
        for kind in kinds:
            for mode in args.modes.split(","):
                url = fresh_database(kind, args.postgresql, folder)
                port = free_port()
                env = app_env(url, port, SMS_REPLIES=mode)
                server = gunicorn("wsgi:app", port, env, args.workers, log, args.threads)
                # Beside "auto", the worker answers what the webhook left for it, at Nice=19
                # as deploy/frontdoor-worker.service runs it.
                worker = subprocess.Popen(
                    [str(BIN / "frontdoor"), "worker", "--interval", "0.5"], env=env,
                    cwd=ROOT, stdout=log.open("ab"), stderr=subprocess.STDOUT,
                    preexec_fn=lambda: os.nice(19)) \
                    if mode != "inline" else None
                try:
                    warm(port)
                    load = closed_loop(port, args.seconds, args.connections)
                finally:
                    stop(server)
                    if worker is not None:
                        stop(worker)
                waiting = later(url)
                sql = statements_per_message(url, mode)
                report(f"{kind} {mode}", load, bare_load, sql)
                if mode != "inline":
                    print(f"  {'':<22} {waiting[0]} of {waiting[2]} texts left for the worker,"
                          f" {waiting[1]} still waiting at the end", flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
