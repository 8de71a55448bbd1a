"""Benchmark: hostile input at every endpoint, nothing lost and no 5xx (issue 19).

Starts gunicorn with production settings on a fresh database (PostgreSQL by default) and
sends validly signed Twilio webhooks and status callbacks with hostile fields (long, NUL,
non-numeric, out-of-range, huge bodies, odd extra fields, retried MessageSids), web-chat API
calls with broken JSON (lone surrogates, deep nesting, wrong types, out-of-range numbers),
the no-JavaScript chat page, the inbox as a signed-in lead with odd ids and filters, and
sign-in with odd fields and `next`. Then it counts what was answered 2xx but not stored.

    .venv/bin/python bench/fuzz.py [--requests 10000] [--postgresql URL | --sqlite]

Prints status counts per endpoint, 5xx and lost; asserts nothing (target: 0 and 0)."""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import sqlalchemy as sa
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
TOKEN = "fuzz-auth-token"  # noqa: S105 - a local bench server only
LEAD = "morgan.hale@lac.example.org"

from bench._common import free_port, model_path, wait_until_serving  # noqa: E402
from frontdoor.edge import bounded_id  # noqa: E402

# -- hostile values ----------------------------------------------------------------------------

def hostile_text(rng: random.Random) -> str:
    return rng.choice([
        "need a food bank in normanton", "", " ", "\x00", "hi\x00there", "a" * 70,
        "x" * rng.randrange(100, 3000), "💙" * 50, "\u202e\u200b\ufeff", "DROP TABLE message;",
        "<script>alert(1)</script>", "%00%0d%0a", "\r\nSet-Cookie: a=b", "ŵŷ cymraeg",
        "i want to kill myself tonight", "9" * 40, "-1", "2147483648", "9223372036854775808",
        "1e309", "NaN", "null", "{}", "[]", "\\ud800", "\x7f\x01\x02", "ＦＵＬＬＷＩＤＴＨ",
        "".join(chr(rng.randrange(32, 0x2FFFF)) for _ in range(rng.randrange(1, 80)))
        .encode("utf-8", "replace").decode("utf-8", "replace"),
    ])


def hostile_number(rng: random.Random) -> str:
    return rng.choice([
        f"+447{rng.randrange(10**9):09d}", f"07{rng.randrange(10**9):09d}",
        "+44 7700\x00900123", "x" * rng.randrange(129, 600), "", "whatsapp:+447700900123",
        "COUNCIL", "12345", "+" + "9" * 40, "٠٧٧٠٠٩٠٠١٢٣", "\x00", "-1", hostile_text(rng)])


def hostile_sid(rng: random.Random, seen: list[str]) -> str:
    choice = rng.random()
    if choice < 0.1 and seen:
        return rng.choice(seen)                         # a Twilio retry
    if choice < 0.6:
        return "SM" + uuid.uuid4().hex
    return rng.choice(["SM" + "a" * rng.randrange(63, 400), "SM\x00" + uuid.uuid4().hex, "",
                       "SM" + uuid.uuid4().hex + "\r\n", "ЅМ" + uuid.uuid4().hex,
                       hostile_text(rng) + uuid.uuid4().hex])


def hostile_count(rng: random.Random) -> str:
    return rng.choice(["0", "1", "10", "2147483648", "9" * 30, "-5", "abc", "", "1.5",
                       "\x00", "0x10", " 3 "])


def extra_fields(rng: random.Random) -> dict[str, str]:
    return {rng.choice(["FromCity", "SmsStatus", "X" * 50, "Ünïcode", "", "a\x00b"]):
            hostile_text(rng) for _ in range(rng.randrange(0, 3))}


def kind_of(path: str) -> str:
    return path[:30]


def deep_json(depth: int) -> str:
    return '{"text": ' + "[" * depth + "]" * depth + "}"


# -- the run ---------------------------------------------------------------------------------------

@dataclass
class Tally:
    statuses: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    sms_stored: list[tuple[str | None, str]] = field(default_factory=list)
    chat_stored: list[tuple[int, str]] = field(default_factory=list)
    # No answer at all (599 in the counts): what the client saw instead.
    failures: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, kind: str, status: int) -> None:
        with self.lock:
            self.statuses[kind][status] += 1


class Fuzzer:
    def __init__(self, base: str, seed: int, tally: Tally, inbox: requests.Session,
                 inbox_csrf: str, thread_ids: list[int]) -> None:
        self.base, self.tally = base, tally
        self.rng = random.Random(seed)
        self.validator = RequestValidator(TOKEN)
        self.sids: list[str] = []
        self.tokens: list[str] = []
        self.lead, self.inbox_csrf, self.thread_ids = inbox, inbox_csrf, thread_ids
        self.note_as = ""
        self.session = requests.Session()
        # A fresh connection each time: gunicorn recycles workers (max_requests), and a
        # kept-alive connection it closed would look like a request that got no answer.
        self.session.headers["Connection"] = "close"

    def signed(self, path: str, fields: dict[str, str], forged: bool = False) -> int:
        url = self.base + path
        signature = self.validator.compute_signature(url, fields)
        if forged:
            signature = signature[::-1]
        return self._send("post", path, data=fields, headers={"X-Twilio-Signature": signature})

    def _send(self, method: str, path: str, session: requests.Session | None = None,
              **kwargs: Any) -> int:
        response = self._call(method, path, session, **kwargs)
        return response.status_code if response is not None else 599

    def _call(self, method: str, path: str, session: requests.Session | None = None,
              **kwargs: Any) -> requests.Response | None:
        try:
            return (session or self.session).request(method, self.base + path, timeout=60,
                                                     allow_redirects=False, **kwargs)
        except requests.RequestException as error:
            with self.tally.lock:
                self.tally.failures[f"{kind_of(path)}: {type(error).__name__}"] += 1
            return None

    def one(self) -> None:
        kind = self.rng.choices(
            ["sms", "status", "forged", "chat_api", "chat_page", "inbox", "sign_in", "other"],
            [35, 15, 2, 25, 5, 10, 5, 3])[0]
        self.note_as = kind
        status = getattr(self, kind)()
        self.tally.note(self.note_as, status)

    def sms(self) -> int:
        rng = self.rng
        sid = hostile_sid(rng, self.sids)
        if rng.random() < 0.01:
            # 1 MB: refused at once (413) before any of it is read; gunicorn may close the
            # connection while the client is still sending, which is an answer too.
            fields = {"MessageSid": "SM" + uuid.uuid4().hex, "From": "+447700900321",
                      "Body": "help " * 200_000}
            self.note_as = "sms_1MB"
            return self.signed("/sms/inbound", fields)
        body = hostile_text(rng)
        fields = {**extra_fields(rng), "MessageSid": sid, "AccountSid": "AC" + "0" * 32,
                  "From": hostile_number(rng), "To": hostile_number(rng), "Body": body,
                  "NumMedia": hostile_count(rng), "NumSegments": hostile_count(rng)}
        if rng.random() < 0.03:
            del fields["From"]
        status = self.signed("/sms/inbound", fields)
        if 200 <= status < 300:
            with self.tally.lock:
                self.tally.sms_stored.append((bounded_id(sid), body.replace("\x00", "\ufffd")))
        if sid:
            self.sids.append(sid)
        return status

    def status(self) -> int:
        rng = self.rng
        fields = {**extra_fields(rng), "MessageSid": hostile_sid(rng, self.sids),
                  "MessageStatus": rng.choice(["delivered", "failed", "sent", "x" * 300,
                                               hostile_text(rng)]),
                  "ErrorCode": rng.choice(["30003", "3" * 500, "300\x0005", hostile_text(rng)])}
        return self.signed("/sms/status", fields)

    def forged(self) -> int:
        fields = {"MessageSid": "SM" + uuid.uuid4().hex, "From": "+447700900999",
                  "Body": "forged"}
        return self.signed("/sms/inbound", fields, forged=True)

    def chat_api(self) -> int:
        rng = self.rng
        if not self.tokens or rng.random() < 0.1:
            response = self._call("post", "/chat/api/conversations", json=rng.choice(
                [None, {"language": "cy"}, {"language": hostile_text(rng)}]))
            if response is not None and response.status_code == 201:
                self.tokens.append(response.json()["token"])
            return response.status_code if response is not None else 599
        token = rng.choice(self.tokens) if rng.random() < 0.8 else rng.choice(
            ["made-up", "", "x" * 200, "\x00"])
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        action = rng.random()
        if action < 0.5:
            text = hostile_text(rng)
            body = json.dumps({"text": text, "client_id": rng.choice(
                [None, uuid.uuid4().hex])}) if rng.random() < 0.6 else rng.choice([
                json.dumps({"text": text, "client_id": rng.choice(["bad id", "x" * 100])}),
                '{"text": "help \\ud800 me"}', deep_json(1000), deep_json(20), "{nope",
                json.dumps({"text": 42}), json.dumps(["text"]), "",
                json.dumps({"text": "x" * 2000}), json.dumps({"text": text}) * 2])
            response = self._call("post", "/chat/api/messages", data=body.encode(
                "utf-8", "surrogatepass"), headers=headers)
            if response is not None and response.status_code == 201:
                sent = json.loads(body)["text"]
                with self.tally.lock:
                    self.tally.chat_stored.append((response.json()["message_id"],
                                                   sent.replace("\x00", "\ufffd")))
            return response.status_code if response is not None else 599
        if action < 0.8:
            after = rng.choice(["0", "1", "-1", "9223372036854775808", "2147483648", "abc",
                                "1e3", "", "\x00", "9" * 40])
            return self._send("get", "/chat/api/messages", params={"after": after},
                              headers=headers)
        path = rng.choice(["/chat/api/phone", "/chat/api/phone/code", "/chat/api/language"])
        body = rng.choice([json.dumps({"phone": hostile_number(rng)}),
                           json.dumps({"code": hostile_text(rng)[:30]}),
                           '{"phone": "07700 \\udfff900123"}', deep_json(1000),
                           json.dumps({"language": hostile_text(rng)}), "[]"])
        return self._send("post", path, data=body.encode("utf-8", "surrogatepass"),
                          headers=headers)

    def chat_page(self) -> int:
        session = requests.Session()
        page = self._call("get", "/chat", session, params={
            "error": hostile_text(self.rng), "embed": self.rng.choice(["1", "\x00", ""]),
            "lang": self.rng.choice(["cy", "en", hostile_text(self.rng)])})
        if page is None or page.status_code != 200:
            return page.status_code if page is not None else 599
        found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        data = {"text": hostile_text(self.rng), "client_id": self.rng.choice(
            [uuid.uuid4().hex, "x" * 100, "\x00"])}
        if found and self.rng.random() < 0.9:
            data["csrf_token"] = found.group(1)
        return self._send("post", "/chat", session, data=data)

    def inbox(self) -> int:
        rng = self.rng
        odd = rng.choice(["1" * 30, "0", "-1", "abc", "2147483648", "\x00", "",
                          str(rng.choice(self.thread_ids or [1]))])
        choice = rng.random()
        if choice < 0.3:
            return self._send("get", "/inbox", self.lead, params={
                "coordinator": odd, "ward": rng.choice(["E05015521", "\x00", "x" * 300, ""])})
        if choice < 0.5:
            return self._send("get", f"/inbox/threads/{odd}", self.lead)
        if choice < 0.65:
            return self._send("get", "/inbox/threads.json", self.lead, params={
                "coordinator": odd, "after": odd})
        if choice < 0.8:
            return self._send("get", f"/inbox/residents/{odd}", self.lead)
        thread = rng.choice(self.thread_ids or [1])
        return self._send("post", f"/inbox/threads/{thread}/note", self.lead, data={
            "csrf_token": self.inbox_csrf, "body": hostile_text(rng)}) if choice < 0.9 \
            else self._send("post", f"/inbox/threads/{thread}/hand-over", self.lead, data={
                "csrf_token": self.inbox_csrf, "to": odd})

    def sign_in(self) -> int:
        session = requests.Session()
        target = self.rng.choice(["/inbox/\r\nSet-Cookie: a=b", "/inbox/threads\n1",
                                  "//evil.example", "/inbox/" + "a" * 5000, "\x00"])
        page = self._call("get", "/inbox/sign-in", session, params={"next": target})
        if page is None or page.status_code != 200:
            return page.status_code if page is not None else 599
        found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        return self._send("post", "/inbox/sign-in", session, data={
            "csrf_token": found.group(1) if found else "", "next": target,
            "email": self.rng.choice([f"x{uuid.uuid4().hex}@example.org", "\x00", "a" * 400,
                                      hostile_text(self.rng)]),
            "password": hostile_text(self.rng)})

    def other(self) -> int:
        rng = self.rng
        path = rng.choice(["/chat/widget.js", "/healthz", "/", "/chat/api/openapi.json",
                           "/inbox/threads/%00", "/chat/%ff%fe", "/sms/inbound",
                           "/dev/sms", "/" + "a" * 3000, "/inbox/review"])
        return self._send(rng.choice(["get", "post", "put"]), path,
                          headers={"Host": rng.choice(["attacker.example", "127.0.0.1"])})


def start_server(url: str, port: int, folder: Path, workers: int) -> subprocess.Popen:
    env = {**os.environ, "FRONTDOOR_ENV": "production", "DATABASE_URL": url,
           "SECRET_KEY": secrets.token_hex(32), "MODEL_PATH": str(model_path()),
           "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", "SMS_SENDER": "console",
           "NOTIFY_CHANNEL": "console", "TWILIO_AUTH_TOKEN": TOKEN,
           # The bench's own client keeps cookies over plain http on this machine.
           "SESSION_COOKIE_SECURE": "false", "LOG_LEVEL": "WARNING",
           "PYTHONPATH": str(ROOT), "GUNICORN_BIND": f"127.0.0.1:{port}",
           "GUNICORN_WORKERS": str(workers), "GUNICORN_THREADS": "4"}
    for command in (["db", "upgrade"], ["load-config"]):
        subprocess.run([str(BIN / "frontdoor"), *command], env=env, cwd=folder, check=True,
                       capture_output=True)
    log = (folder / "server.log").open("w")
    server = subprocess.Popen([str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py",
                               "wsgi:app"], env=env, cwd=ROOT, stdout=log, stderr=log)
    wait_until_serving(server, port, str(folder / "server.log"), seconds=120)
    return server


def signed_in_lead(base: str, url: str) -> tuple[requests.Session, str]:
    """A lead's session, with a password and authenticator set directly in the database."""
    import pyotp

    from frontdoor import create_app
    from frontdoor.extensions import db
    from frontdoor.inbox import people, second_factor
    from frontdoor.models import utcnow
    from frontdoor.queries import find_coordinator_by_email

    key = pyotp.random_base32()
    app = create_app({"ENV_NAME": "test", "DATABASE_URL": url}, role=None)
    with app.app_context():
        person = find_coordinator_by_email(LEAD)
        people.set_password(person, "fuzz bench lead password")
        second_factor.enrol(person, key, utcnow(), used_step=None)
        db.session.commit()
        db.engine.dispose()
    session = requests.Session()
    session.headers["Connection"] = "close"   # as the other clients (see Fuzzer)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"',
                     session.get(base + "/inbox/sign-in").text).group(1)
    session.post(base + "/inbox/sign-in", data={"csrf_token": csrf, "email": LEAD,
                                                "password": "fuzz bench lead password"})
    page = session.get(base + "/inbox/sign-in/code").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    session.post(base + "/inbox/sign-in/code", data={"csrf_token": csrf,
                                                     "code": pyotp.TOTP(key).now()})
    inbox = session.get(base + "/inbox")
    if inbox.status_code != 200 or "/inbox/sign-in" in inbox.url:
        sys.exit("the bench could not sign the lead in")
    return session, re.search(r'name="csrf_token" value="([^"]+)"', inbox.text).group(1)


def lost(url: str, tally: Tally) -> tuple[int, int]:
    """(SMS, chat) answered 2xx whose words are not stored as sent."""
    engine = sa.create_engine(url)
    missing_sms = missing_chat = 0
    with engine.connect() as conn:
        bodies = set(conn.execute(sa.text(
            "SELECT body FROM message WHERE direction = 'in' AND channel = 'sms'")).scalars())
        by_sid = {row[0]: row[1] for row in conn.execute(sa.text(
            "SELECT provider_id, body FROM message WHERE provider_id IS NOT NULL"))}
        for provider_id, body in tally.sms_stored:
            if provider_id is None:
                missing_sms += body not in bodies
            elif provider_id not in by_sid:
                missing_sms += 1
        chat = {row[0]: row[1] for row in conn.execute(sa.text(
            "SELECT id, body FROM message WHERE channel = 'webchat'"))}
        for message_id, body in tally.chat_stored:
            missing_chat += chat.get(message_id) != body
    engine.dispose()
    return missing_sms, missing_chat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--postgresql", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/bench"))
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file instead")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--clients", type=int, default=6, help="requests at once")
    parser.add_argument("--seed", type=int, default=19)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    if args.sqlite:
        url = f"sqlite:///{folder / 'fuzz.db'}"
    else:
        url = args.postgresql
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public;"))
        engine.dispose()
    port = free_port()
    server = start_server(url, port, folder, args.workers)
    base = f"http://127.0.0.1:{port}"
    tally = Tally()
    started = time.perf_counter()
    try:
        inbox, csrf = signed_in_lead(base, url)
        # A few threads for the inbox requests to aim at.
        seed_thread = Fuzzer(base, args.seed, tally, inbox, csrf, [])
        for text in ("can i talk to someone, i live in normanton", "i need help with money"):
            seed_thread.signed("/sms/inbound", {"MessageSid": "SM" + uuid.uuid4().hex,
                                                "From": f"+447{random.randrange(10**9):09d}",
                                                "Body": text})
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            thread_ids = list(conn.execute(sa.text("SELECT id FROM thread")).scalars())
        engine.dispose()
        fuzzers = [Fuzzer(base, args.seed + n, tally, inbox, csrf, thread_ids)
                   for n in range(args.clients)]
        # Every request asked for is sent: the first clients take the remainder.
        shares = [args.requests // args.clients + (1 if n < args.requests % args.clients else 0)
                  for n in range(args.clients)]

        def run(fuzzer: Fuzzer, share: int) -> None:
            for _ in range(share):
                fuzzer.one()

        with ThreadPoolExecutor(args.clients) as pool:
            list(pool.map(run, fuzzers, shares))
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(30)
    missing_sms, missing_chat = lost(url, tally)
    total: Counter[int] = Counter()
    print(f"fuzz: {sum(sum(c.values()) for c in tally.statuses.values())} hostile requests "
          f"in {elapsed:.0f} s, gunicorn ({args.workers} workers, production settings) on "
          f"{'SQLite' if args.sqlite else 'PostgreSQL'}, {args.clients} clients at once")
    for kind, counts in sorted(tally.statuses.items()):
        total.update(counts)
        print(f"  {kind:<10} {sum(counts.values()):>5}  {dict(sorted(counts.items()))}")
    fives = sum(v for k, v in total.items() if 500 <= k < 599)
    print(f"  all        {sum(total.values()):>5}  {dict(sorted(total.items()))}")
    print(f"5xx {fives}; no answer (599) {total[599]}; answered 2xx: "
          f"{len(tally.sms_stored)} texts, {len(tally.chat_stored)} chat messages; "
          f"lost {missing_sms + missing_chat} (texts {missing_sms}, chat {missing_chat})")
    if tally.failures:
        print(f"no answer: {dict(tally.failures)}")
    if fives:
        print(f"server log: {folder / 'server.log'}")
    else:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
