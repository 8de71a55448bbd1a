"""Benchmark: nothing lost, nothing sent twice.

Part 1 starts the real web server (gunicorn when installed, else Flask's threaded server, as
`make demo` runs it) on a fresh database and sends pairs and triples of signed texts at the
same moment, from new numbers and from numbers it has seen, plus concurrent retries of one
MessageSid; it prints what was sent, stored, answered 5xx, and residents left with more
than one open thread. Part 2 runs the outbox worker against a local Twilio stub that hangs
past the timeout, resets the connection and answers 500 *after* accepting a message, and
prints messages delivered, duplicates and lost.

    .venv/bin/python bench/concurrency.py [--pairs 200] [--triples 50] [--postgresql URL]

Prints figures; asserts nothing (targets are in issue #16 and the README)."""

from __future__ import annotations

import argparse
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import requests
import sqlalchemy as sa
from _common import TwilioStubHandler, free_port, model_path, wait_until_serving
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
TOKEN = "bench-auth-token"  # noqa: S105 - a local bench server only
TEXTS = [("hi i need some help", "with food please, im in normanton"),
         ("hello", "need a food bank in normanton"),
         ("can someone call me", "i live in normanton"),
         ("im lonely", "live in abbey", "any lunch clubs?")]


# -- part 1: concurrent texts ----------------------------------------------------------------

def start_server(url: str, port: int, folder: Path) -> subprocess.Popen:
    env = {**os.environ, "FRONTDOOR_ENV": "development", "DATABASE_URL": url,
           "MODEL_PATH": str(model_path()), "TWILIO_AUTH_TOKEN": TOKEN,
           "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", "SMS_SENDER": "console",
           "NOTIFY_CHANNEL": "console"}
    for command in (["db", "upgrade"], ["load-config"]):
        subprocess.run([str(BIN / "frontdoor"), *command], env=env, cwd=folder, check=True,
                       capture_output=True)
    if shutil.which("gunicorn", path=str(BIN)):
        command = [str(BIN / "gunicorn"), "-w", "2", "--threads", "8", "-b",
                   f"127.0.0.1:{port}", "wsgi:app"]
        env["PYTHONPATH"] = str(ROOT)
    else:
        command = [str(BIN / "frontdoor"), "run", "--host", "127.0.0.1", "--port", str(port),
                   "--with-threads"]
    server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    wait_until_serving(server, port, "the server's output (not kept: run it by hand)")
    return server


def post(port: int, number: str, body: str, sid: str | None = None) -> int:
    url = f"http://127.0.0.1:{port}/sms/inbound"
    sid = sid or "SM" + uuid.uuid4().hex
    fields = {"MessageSid": sid, "From": number, "To": "+447700900000", "Body": body,
              "NumMedia": "0", "AccountSid": "AC" + "0" * 32}
    signature = RequestValidator(TOKEN).compute_signature(url, fields)
    try:
        return requests.post(url, data=fields, headers={"X-Twilio-Signature": signature},
                             timeout=30).status_code
    except requests.RequestException:
        return 599


def together(port: int, sends: list[tuple[str, str, str | None]]) -> list[int]:
    barrier = threading.Barrier(len(sends))

    def one(args: tuple[str, str, str | None]) -> int:
        barrier.wait()
        return post(port, *args)

    with ThreadPoolExecutor(len(sends)) as pool:
        return list(pool.map(one, sends))


def concurrent_texts(name: str, url: str, pairs: int, triples: int) -> None:
    folder = Path(tempfile.mkdtemp())
    port = free_port()
    server = start_server(url, port, folder)
    rng = random.Random(16)
    statuses: Counter[int] = Counter()
    sent = 0
    known = [f"+44770090{n:04d}" for n in range(1000, 1040)]
    started = time.perf_counter()
    try:
        for n in range(pairs + triples):
            texts = rng.choice(TEXTS[:3]) if n < pairs else TEXTS[3]
            # One in four from a number seen before; the rest from new numbers.
            number = rng.choice(known) if n % 4 == 3 else f"+447{rng.randrange(10**9):09d}"
            results = together(port, [(number, text, None) for text in texts])
            statuses.update(results)
            sent += len(texts)
        retry_sids = 40
        for _ in range(retry_sids):
            number, sid = f"+447{rng.randrange(10**9):09d}", "SM" + uuid.uuid4().hex
            results = together(port, [(number, "need food in normanton", sid)] * 5)
            statuses.update(results)
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(10)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        stored = conn.scalar(sa.text("SELECT count(*) FROM message WHERE direction = 'in'"))
        unanswered = conn.scalar(sa.text(
            "SELECT count(*) FROM message WHERE direction = 'in' AND thread_id IS NULL"))
        doubled = conn.scalar(sa.text(
            "SELECT count(*) FROM (SELECT resident_id FROM thread WHERE state != 'closed' "
            "GROUP BY resident_id HAVING count(*) > 1) AS d"))
        residents = conn.scalar(sa.text(
            "SELECT count(*) FROM (SELECT channel, address FROM resident "
            "GROUP BY channel, address HAVING count(*) > 1) AS d"))
    engine.dispose()
    shutil.rmtree(folder, ignore_errors=True)
    expected = sent + retry_sids
    fives = sum(v for k, v in statuses.items() if k >= 500)
    print(f"{name:<11} {pairs} pairs + {triples} triples ({sent} texts) and {retry_sids} "
          f"MessageSids retried 5 times at once, in {elapsed:.1f} s")
    print(f"  sent {expected} distinct messages, stored {stored}, lost {expected - stored}, "
          f"5xx {fives}, unanswered {unanswered}, statuses {dict(sorted(statuses.items()))}")
    print(f"  residents with more than one open thread {doubled}, duplicate residents "
          f"{residents}")


# -- part 2: the worker against a faulty Twilio ----------------------------------------------

class Stub:
    """A Twilio Messages API that accepts every message and then, sometimes, fails to say so."""

    def __init__(self, seed: int) -> None:
        self.accepted: list[dict[str, str]] = []
        self.lock = threading.Lock()
        self.rng = random.Random(seed)
        self.faults: Counter[str] = Counter()

    def handler(stub) -> type[BaseHTTPRequestHandler]:  # noqa: N805 - closes over the stub
        class Handler(TwilioStubHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                to = parse_qs(urlparse(self.path).query).get("To", [""])[0]
                with stub.lock:
                    found = [dict(m, direction="outbound-api", status="sent")
                             for m in stub.accepted if not to or m["to"] == to]
                self._json(200, {"messages": found, "next_page_uri": None})

            def do_POST(self) -> None:  # noqa: N802
                form = self.form()
                with stub.lock:
                    sid = f"SM{len(stub.accepted):032d}"
                    stub.accepted.append({"sid": sid, "to": form.get("To", ""),
                                          "body": form.get("Body", "")})
                    fault = stub.rng.choice(["ok", "ok", "hang", "reset", "500"])
                    stub.faults[fault] += 1
                if fault == "hang":
                    time.sleep(1.5)          # past the sender's 1 s timeout
                    return
                if fault == "reset":
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if fault == "500":
                    self._json(500, {"code": 20500, "message": "oops", "status": 500})
                    return
                self._json(201, {"sid": sid, "status": "queued"})
        return Handler


def faulty_worker(messages: int) -> None:
    from frontdoor import create_app, outbox, outgoing
    from frontdoor.channels.senders import TwilioSmsSender
    from frontdoor.extensions import db
    from frontdoor.models import Coordinator, Resident, Thread, ThreadState, utcnow

    stub = Stub(seed=16)
    server = ThreadingHTTPServer(("127.0.0.1", 0), stub.handler())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    folder = Path(tempfile.mkdtemp())
    app = create_app({"ENV_NAME": "test", "DATABASE_URL": f"sqlite:///{folder / 'w.db'}"})
    sid = "AC" + "0" * 32
    sender = TwilioSmsSender(sid, TOKEN, from_number="+447700900000", api_base_url=base,
                             timeout=1.0)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        sam = Coordinator(key="sam", name="Sam Patel")
        db.session.add(sam)
        bodies = []
        for n in range(messages):
            resident = Resident(channel="sms", address=f"+4477009{n:05d}")
            thread = Thread(resident=resident, state=ThreadState.WITH_COORDINATOR,
                            coordinator=sam)
            db.session.add(thread)
            db.session.flush()
            body = f"Reply {n}: I'll ring you at 2pm."
            bodies.append(body)
            outgoing.queue_reply(thread, sam, body, utcnow())
        db.session.commit()
        clock_offset = [0.0]

        def clock():
            from datetime import timedelta
            return utcnow() + timedelta(seconds=clock_offset[0])

        started = time.perf_counter()
        for _ in range(200):
            outbox.send_due(sender, clock, limit=50)
            pending = db.session.scalar(sa.text(
                "SELECT count(*) FROM message WHERE status IN ('pending', 'retrying', "
                "'sending')"))
            if not pending:
                break
            clock_offset[0] += 1800   # jump past any backoff
        elapsed = time.perf_counter() - started
        states = Counter(db.session.scalars(sa.text(
            "SELECT status FROM message WHERE direction = 'out'")).all())
    server.shutdown()
    shutil.rmtree(folder, ignore_errors=True)
    accepted = Counter(m["body"] for m in stub.accepted)
    delivered = sum(1 for b in bodies if accepted[b] >= 1)
    duplicates = sum(accepted[b] - 1 for b in bodies if accepted[b] > 1)
    print(f"worker vs faulty Twilio: {messages} replies, faults injected "
          f"{dict(stub.faults)}, {elapsed:.1f} s")
    print(f"  delivered {delivered}, duplicates {duplicates}, lost {messages - delivered}, "
          f"final states {dict(states)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--triples", type=int, default=50)
    parser.add_argument("--replies", type=int, default=300)
    parser.add_argument("--postgresql", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/bench"))
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    concurrent_texts("SQLite", f"sqlite:///{folder / 'bench.db'}", args.pairs, args.triples)
    try:
        engine = sa.create_engine(args.postgresql)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public;"))
        engine.dispose()
    except sa.exc.OperationalError:
        print(f"PostgreSQL   skipped: cannot reach {args.postgresql}")
    else:
        concurrent_texts("PostgreSQL", args.postgresql, args.pairs, args.triples)
    faulty_worker(args.replies)
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
