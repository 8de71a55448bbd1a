"""Benchmark: a spike of texts, on PostgreSQL with gunicorn and `frontdoor worker`.

Twilio's REST API is replaced by a local stub HTTP server (bench only) that records every
reply the worker sends. First it measures the sustainable rate: the signed webhook with
SMS_REPLIES=inline under gunicorn (4 workers), 16 connections kept busy for --measure
seconds. Then, on a fresh database with SMS_REPLIES=auto and the worker running, it offers
--times (4) x that rate for --seconds (60), open loop (each request leaves at its planned
time, whatever happened to the ones before; its time is counted from then), every request
a new signed message from a new number. It waits up to --drain seconds for the worker and
prints: sent, answered 2xx, stored, answered within Twilio's 15 s, replies delivered (in the
TwiML response or by the worker through the stub) and the time from sending to the reply
(p50/p99/max), and lost (answered 2xx but not stored, or stored with no reply).

    .venv/bin/python bench/spike.py --postgresql URL [--seconds 60] [--times 4]
        [--measure 15] [--rate R] [--workers 4] [--answerers 2] [--nice 19] [--drain 600]

--rate skips the measurement. The database is emptied (its public schema dropped): give it
one of its own. Targets (issue #19): 0 lost, 0 past 15 s, every resident answered within
two minutes. Prints figures; asserts nothing."""

from __future__ import annotations

import argparse
import asyncio
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
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._common import TwilioStubHandler  # noqa: E402 - after the path is set
from bench.webhook import (  # noqa: E402
    BIN,
    ROOT,
    TEXTS,
    app_env,
    closed_loop,
    free_port,
    fresh_database,
    gunicorn,
    signed_message,
    stop,
    warm,
)

SID = "AC" + "0" * 32
TWILIO_TIMEOUT = 15.0
ANSWER_WITHIN = 120.0


# -- Twilio's REST API, as a stub that records what the worker sends ----------------------

class Stub:
    def __init__(self) -> None:
        self.sent: dict[str, list[tuple[float, str]]] = {}
        self.lock = threading.Lock()
        self.count = 0

    def handler(stub) -> type[BaseHTTPRequestHandler]:  # noqa: N805 - closes over the stub
        class Handler(TwilioStubHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                self._json(200, {"messages": [], "next_page_uri": None})

            def do_POST(self) -> None:  # noqa: N802
                form = self.form()
                with stub.lock:
                    stub.count += 1
                    sid = f"SM{stub.count:032d}"
                    stub.sent.setdefault(form.get("To", ""), []).append(
                        (time.time(), form.get("Body", "")))
                self._json(201, {"sid": sid, "status": "queued", "to": form.get("To"),
                                 "body": form.get("Body"), "direction": "outbound-api"})

        return Handler


# -- open-loop load --------------------------------------------------------------------------
# Twilio sends from its own machines; here the load shares the server's cores. So every
# request is made (signed, encoded) before the clock starts, and sent from asyncio rather
# than a thread per request: the load costs the server as little CPU as it can.

def signed_requests(port: int, count: int) -> list[tuple[str, str, bytes]]:
    """(MessageSid, sender, the whole HTTP request) for `count` new texts from new numbers."""
    made = []
    for index in range(count):
        sid = "SM" + uuid.uuid4().hex
        number = f"+447{random.randrange(10**9):09d}"
        body, signature = signed_message(port, TEXTS[index % len(TEXTS)], number, sid)
        head = (f"POST /sms/inbound HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                f"X-Twilio-Signature: {signature}\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n")
        made.append((sid, number, head.encode() + body))
    return made


def _open_loop(args: tuple[int, list[tuple[float, tuple[str, str, bytes]]]]
               ) -> tuple[list[dict[str, object]], float]:
    """Send each request at its planned time, whatever happened to the ones before (open
    loop); each one's time counts from its plan. Returns the results and this process's CPU
    seconds."""
    port, plan = args

    async def one(planned: float, request: tuple[str, str, bytes]) -> dict[str, object]:
        sid, number, data = request
        status, inline = 599, False
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(data)
            response = await asyncio.wait_for(reader.read(), 60)
            writer.close()
            first = response.split(b"\r\n", 1)[0].split()
            status = int(first[1]) if len(first) > 1 else 599
            inline = b"<Message" in response
        except (TimeoutError, OSError, ValueError):
            pass
        return {"sid": sid, "to": number, "planned": planned, "done": time.time(),
                "status": status, "inline": inline}

    async def run() -> list[dict[str, object]]:
        tasks = []
        for planned, request in plan:
            delay = planned - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(planned, request)))
        return list(await asyncio.gather(*tasks))

    cpu = time.process_time()
    results = asyncio.run(run())
    return results, time.process_time() - cpu


def offer(port: int, rate: float, seconds: float, processes: int = 2
          ) -> tuple[list[dict[str, object]], float]:
    """Offer `rate` texts a second for `seconds`: the results, and the load's CPU seconds."""
    total = int(rate * seconds)
    requests = signed_requests(port, total)
    start = time.time() + 2.0
    plan = [(start + i / rate, requests[i]) for i in range(total)]
    parts = [(port, plan[p::processes]) for p in range(processes)]
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        done = pool.map(_open_loop, parts)
    return [r for part, _ in done for r in part], sum(cpu for _, cpu in done)


# -- figures ---------------------------------------------------------------------------------

def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def waiting(url: str) -> int:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        count = conn.scalar(sa.text(
            "SELECT count(*) FROM message WHERE status IN ('deferred', 'pending', 'retrying',"
            " 'sending') OR (direction = 'in' AND thread_id IS NULL)"))
    engine.dispose()
    return int(count or 0)


def stored_sids(url: str) -> set[str]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        sids = set(conn.scalars(sa.text(
            "SELECT provider_id FROM message WHERE direction = 'in'")))
    engine.dispose()
    return sids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgresql", required=True, help="a URL this bench may empty")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--times", type=float, default=4.0)
    parser.add_argument("--measure", type=float, default=15.0)
    parser.add_argument("--rate", type=float, help="the sustainable rate, if known")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--answerers", type=int, default=2, help="`frontdoor worker`s")
    parser.add_argument("--nice", type=int, default=19,
                        help="the workers' niceness (deploy/frontdoor-worker.service: 19)")
    parser.add_argument("--drain", type=float, default=600.0,
                        help="how long to wait for the last reply before counting it lost")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-spike-"))
    log = folder / "servers.log"
    stub = Stub()
    stub_server = ThreadingHTTPServer(("127.0.0.1", 0), stub.handler())
    threading.Thread(target=stub_server.serve_forever, daemon=True).start()
    stub_url = f"http://127.0.0.1:{stub_server.server_address[1]}"
    twilio = {"SMS_SENDER": "twilio", "TWILIO_API_BASE_URL": stub_url,
              "TWILIO_ACCOUNT_SID": SID, "TWILIO_FROM_NUMBER": "+447700900000"}
    print(f"PostgreSQL, gunicorn {args.workers} sync workers, {args.answerers} worker(s), "
          f"{os.cpu_count()} CPUs shared with the load generator and the Twilio stub",
          flush=True)
    try:
        rate = args.rate
        if rate is None:
            url = fresh_database("postgresql", args.postgresql, folder)
            port = free_port()
            server = gunicorn("wsgi:app", port, app_env(url, port, SMS_REPLIES="inline",
                                                        **twilio), args.workers, log)
            try:
                warm(port, 80)
                load = closed_loop(port, args.measure, 16)
            finally:
                stop(server)
            rate = load.rate
            print(f"sustainable (inline, 16 connections, {args.measure:.0f} s): "
                  f"{rate:.0f} texts/s, p50 {load.percentile(0.5) * 1000:.0f} ms, "
                  f"p99 {load.percentile(0.99) * 1000:.0f} ms", flush=True)
        offered = rate * args.times
        url = fresh_database("postgresql", args.postgresql, folder)
        port = free_port()
        env = app_env(url, port, SMS_REPLIES="auto", **twilio)
        server = gunicorn("wsgi:app", port, env, args.workers, log)
        # As deploy/frontdoor-worker.service runs them: at Nice=19, so that under a spike the
        # webhook (Twilio's 15 seconds) comes before the answers.
        answerers = [subprocess.Popen([str(BIN / "frontdoor"), "worker"], env=env, cwd=ROOT,
                                      preexec_fn=lambda: os.nice(args.nice),
                                      stdout=log.open("ab"), stderr=subprocess.STDOUT)
                     for _ in range(args.answerers)]
        try:
            warm(port, 80)
            time.sleep(3)
            stub.sent.clear()
            started = time.time()
            results, load_cpu = offer(port, offered, args.seconds)
            ended = time.time()
            deadline = time.time() + args.drain
            while time.time() < deadline and waiting(url):
                time.sleep(1)
            drained = time.time()
        finally:
            stop(server)
            for answerer in answerers:
                stop(answerer)
        stored = stored_sids(url)
        ok = [r for r in results if 200 <= int(r["status"]) < 300]  # type: ignore[call-overload]
        late = {str(r["sid"]) for r in results
                if float(r["done"]) - float(r["planned"]) > TWILIO_TIMEOUT  # type: ignore[arg-type]
                or int(r["status"]) == 599}  # type: ignore[call-overload]
        not_stored = [r for r in ok if r["sid"] not in stored]
        reply_times, no_reply = [], 0
        for r in results:
            if r["sid"] not in stored:
                continue
            if r["inline"]:
                reply_times.append(float(r["done"]) - float(r["planned"]))  # type: ignore[arg-type]
            elif stub.sent.get(str(r["to"])):
                reply_times.append(stub.sent[str(r["to"])][0][0] - float(r["planned"]))  # type: ignore[arg-type]
            else:
                no_reply += 1
        webhook = [float(r["done"]) - float(r["planned"]) for r in ok]  # type: ignore[arg-type]
        inline = sum(1 for r in results if r["inline"])
        print(f"offered {offered:.0f} texts/s ({args.times:g}x) for {args.seconds:.0f} s: "
              f"sent {len(results)} in {ended - started:.0f} s; answered 2xx {len(ok)}, "
              f"stored {len(stored & {str(r['sid']) for r in results})}; the load itself used "
              f"{load_cpu:.0f} CPU s", flush=True)
        print(f"  webhook: p50 {percentile(webhook, 0.5) * 1000:.0f} ms, "
              f"p99 {percentile(webhook, 0.99) * 1000:.0f} ms, "
              f"max {max(webhook, default=0):.1f} s; past 15 s or failed {len(late)}; "
              f"within 15 s {sum(1 for r in ok if r['sid'] not in late)}", flush=True)
        print(f"  replies delivered {len(reply_times)} ({inline} in the TwiML response, "
              f"{len(reply_times) - inline} by the worker); time to reply p50 "
              f"{percentile(reply_times, 0.5):.1f} s, p99 {percentile(reply_times, 0.99):.1f} s,"
              f" max {max(reply_times, default=0):.1f} s; over two minutes "
              f"{sum(1 for t in reply_times if t > ANSWER_WITHIN)}; last reply "
              f"{drained - ended:.0f} s after the last text", flush=True)
        print(f"  lost {len(not_stored) + no_reply} (2xx but not stored {len(not_stored)}, "
              f"stored with no reply {no_reply})", flush=True)
    finally:
        stub_server.shutdown()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
