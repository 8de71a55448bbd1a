"""The README's production section, followed for real: gunicorn with production settings on
the machine's PostgreSQL and Redis, `frontdoor worker` beside it, and a local stand-in for
Twilio's REST API (TWILIO_API_BASE_URL). A signed SMS comes in, a coordinator replies from
the inbox, and the worker delivers the reply to the stub.

Runs in `make test` (CI) whenever PostgreSQL is configured (TEST_DATABASE_URL); it uses its
own schema in that database, so the rest of the suite is untouched."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pyotp
import pytest
import requests
import sqlalchemy as sa
from twilio.request_validator import RequestValidator

from frontdoor.settings import PROJECT_ROOT

pytestmark = [
    pytest.mark.deploy,
    pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"),
                       reason="the deployment test needs PostgreSQL (TEST_DATABASE_URL)"),
]

BIN = Path(sys.executable).parent
SCHEMA = "frontdoor_deploy"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/1")
ACCOUNT_SID = "AC" + "d" * 32
FROM_NUMBER = "+447700900000"
RESIDENT = "+447700900555"
LEAD_EMAIL = "morgan.hale@lac.example.org"
PASSWORD = "a long deploy-test password"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class TwilioStub:
    """Twilio's Messages API on loopback: records each message the worker sends."""

    sent: list[dict[str, str]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> TwilioStub:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if not re.fullmatch(rf"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages\.json",
                                    self.path):
                    self.send_error(404)
                    return
                sid = "SM" + uuid.uuid4().hex
                stub.sent.append({**form, "sid": sid})
                self._json(201, {"sid": sid, "status": "queued", "to": form.get("To"),
                                 "from": form.get("From"), "body": form.get("Body"),
                                 "direction": "outbound-api", "account_sid": ACCOUNT_SID})

            def do_GET(self) -> None:  # noqa: N802 - listing sent messages (crash recovery)
                self._json(200, {"messages": [], "page": 0, "page_size": 50,
                                 "next_page_uri": None, "uri": self.path})

            def _json(self, status: int, payload: dict) -> None:
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def wait_for(self, wanted: Callable[[dict[str, str]], bool],
                 timeout: float = 45) -> list[dict[str, str]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [m for m in self.sent if wanted(m)]
            if found:
                return found
            time.sleep(0.2)
        raise AssertionError(f"not sent in {timeout}s; sent: {len(self.sent)}")


def deploy_database_url() -> str:
    """The test database, with this test's own schema first on the search path."""
    base = sa.engine.make_url(os.environ["TEST_DATABASE_URL"])
    engine = sa.create_engine(base)
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        conn.execute(sa.text(f"CREATE SCHEMA {SCHEMA}"))
    engine.dispose()
    return base.update_query_dict({"options": f"-csearch_path={SCHEMA}"}).render_as_string(
        hide_password=False)


@dataclass
class Deployment:
    env: dict[str, str]
    base_url: str
    stub: TwilioStub
    database_url: str
    logs: Path
    processes: list[subprocess.Popen] = field(default_factory=list)

    def command(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """A `frontdoor` command, as the README writes it, with the production settings."""
        done = subprocess.run([str(BIN / "frontdoor"), *args], env=self.env, cwd=PROJECT_ROOT,
                              capture_output=True, text=True, timeout=600)
        if check:
            assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done

    def start(self, name: str, *argv: str) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("w")
        process = subprocess.Popen(argv, env=self.env, cwd=PROJECT_ROOT, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append(process)
        return process

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text()

    def wait_until(self, path: str, status: int = 200, timeout: float = 90) -> requests.Response:
        deadline = time.monotonic() + timeout
        last: object = None
        while time.monotonic() < deadline:
            for process in self.processes:
                assert process.poll() is None, (process.args, self.log("gunicorn"))
            try:
                last = response = requests.get(self.base_url + path, timeout=5)
                if response.status_code == status:
                    return response
                last = (response.status_code, response.text)
            except requests.ConnectionError as error:
                last = error
            time.sleep(0.5)
        raise AssertionError(f"{path} never answered {status}: {last}")

    def text(self, number: str, body: str) -> str:
        """A resident's SMS through the signed webhook; the reply in the TwiML."""
        fields = {"MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": ACCOUNT_SID,
                  "From": number, "To": FROM_NUMBER, "Body": body, "NumMedia": "0"}
        url = self.env["PUBLIC_BASE_URL"] + "/sms/inbound"
        signature = RequestValidator(self.env["TWILIO_AUTH_TOKEN"]).compute_signature(
            url, fields)
        response = requests.post(self.base_url + "/sms/inbound", data=fields, timeout=15,
                                 headers={"X-Twilio-Signature": signature})
        assert response.status_code == 200, response.text
        return response.text

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


class Browser:
    """A coordinator's browser: keeps cookies itself, as the production cookies are Secure
    and this test talks plain HTTP on loopback."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.cookies: dict[str, str] = {}

    def _keep(self, response: requests.Response) -> requests.Response:
        self.cookies.update({c.name: c.value or "" for c in response.cookies})
        return response

    def get(self, path: str) -> requests.Response:
        return self._keep(requests.get(self.base_url + path, cookies=self.cookies,
                                       allow_redirects=False, timeout=15))

    def post(self, path: str, form_page: str, **data: str) -> requests.Response:
        html = self.get(form_page).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', html)
        assert token, html[:500]
        return self._keep(requests.post(self.base_url + path, cookies=self.cookies,
                                        data={"csrf_token": token.group(1), **data},
                                        allow_redirects=False, timeout=15))


@pytest.fixture
def deployment(model_dir: Path, tmp_path: Path) -> Iterator[Deployment]:
    port = free_port()
    stub = TwilioStub().start()
    database_url = deploy_database_url()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
        # The worktree's code, whichever checkout the virtualenv was installed from.
        "PYTHONPATH": str(PROJECT_ROOT),
        "FRONTDOOR_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": database_url,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "SMS_SENDER": "twilio",
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": secrets.token_hex(16),
        "TWILIO_FROM_NUMBER": FROM_NUMBER,
        "TWILIO_API_BASE_URL": stub.url,
        "NOTIFY_CHANNEL": "sms",
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "MODEL_PATH": str(model_dir),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
    }
    found = Deployment(env, f"http://127.0.0.1:{port}", stub, database_url, tmp_path)
    try:
        yield found
    finally:
        found.stop()
        assert stub.server is not None
        stub.server.shutdown()
        engine = sa.create_engine(os.environ["TEST_DATABASE_URL"])
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        engine.dispose()


@pytest.mark.slow
def test_gunicorn_and_the_worker_deliver_a_coordinators_reply_to_a_signed_sms(
        deployment: Deployment, tmp_path: Path) -> None:
    # The README's deploy steps, in order.
    deployment.command("db", "upgrade")
    deployment.command("load-config", "--dir", "config/demo")
    assert "up to date" in deployment.command("train", "--if-missing").stdout
    added = deployment.command("coordinators", "add", "--name", "Morgan Hale", "--email",
                               LEAD_EMAIL, "--role", "lead").stdout
    invitation = re.search(r"https?://\S+/inbox/welcome/\S+", added)
    assert invitation, added
    assert "Ready to serve" in deployment.command("config", "check").stdout

    deployment.start("gunicorn", str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py",
                     "wsgi:app")
    deployment.wait_until("/healthz")
    not_ready = requests.get(deployment.base_url + "/readyz", timeout=15)
    assert not_ready.status_code == 503 and not_ready.json()["worker"]["ok"] is False
    worker_metrics = free_port()
    deployment.start("worker", str(BIN / "frontdoor"), "worker", "--interval", "0.5",
                     "--metrics-port", str(worker_metrics))
    ready = deployment.wait_until("/readyz").json()
    assert ready["database"]["ok"] and ready["model"]["ok"] and ready["worker"]["ok"]

    # A resident asks for a person; the handoff texts the coordinator's work phone.
    words = "can someone call me back please, I live in DE23 8AB"
    twiml = deployment.text(RESIDENT, words)
    assert "Normanton" in twiml, twiml
    notice = deployment.stub.wait_for(lambda m: "/inbox/threads/" in m.get("Body", ""))[0]
    assert notice["To"].startswith("+4477009001") and RESIDENT not in notice["Body"]

    # The lead accepts the invitation (choosing a password, enrolling an authenticator),
    # signs in with both, and replies from the inbox.
    lead = Browser(deployment.base_url)
    welcome = invitation.group(0).split("/inbox/", 1)[1]
    page = lead.get(f"/inbox/{welcome}").text
    key = re.search(r"Key: <code>([A-Z2-7 ]+)</code>", page).group(1).replace(" ", "")
    accepted = lead.post(f"/inbox/{welcome}", f"/inbox/{welcome}", password=PASSWORD,
                         password_again=PASSWORD, code=pyotp.TOTP(key).now())
    assert accepted.status_code == 200 and "recovery" in accepted.text.lower(), \
        accepted.text[:500]
    asked = lead.post("/inbox/sign-in", "/inbox/sign-in", email=LEAD_EMAIL, password=PASSWORD)
    assert asked.headers.get("Location", "").endswith("/inbox/sign-in/code"), asked.text[:500]
    time.sleep(max(0.0, 30.5 - time.time() % 30))   # each code works once: the next step's
    signed_in = lead.post("/inbox/sign-in/code", "/inbox/sign-in/code",
                          code=pyotp.TOTP(key).now())
    assert signed_in.status_code == 302, signed_in.text[:500]
    thread_id = re.search(r"/inbox/threads/(\d+)", lead.get("/inbox").text).group(1)
    reply = "Hello, this is Morgan from Local Area Coordination. I will ring you at 2pm."
    answered = lead.post(f"/inbox/threads/{thread_id}/reply", f"/inbox/threads/{thread_id}",
                         body=reply)
    assert answered.status_code == 302

    # The worker sends it through "Twilio", once, with the status callback.
    deployment.stub.wait_for(lambda m: m.get("To") == RESIDENT)
    time.sleep(2)   # a second send would have happened by now
    delivered = [m for m in deployment.stub.sent if m.get("To") == RESIDENT]
    assert len(delivered) == 1 and delivered[0]["Body"] == reply
    assert delivered[0]["From"] == FROM_NUMBER
    assert delivered[0]["StatusCallback"] == deployment.env["PUBLIC_BASE_URL"] + "/sms/status"

    # Twilio's delivery report, signed, is recorded against the message.
    status = {"MessageSid": delivered[0]["sid"], "MessageStatus": "delivered",
              "AccountSid": ACCOUNT_SID}
    signature = RequestValidator(deployment.env["TWILIO_AUTH_TOKEN"]).compute_signature(
        delivered[0]["StatusCallback"], status)
    assert requests.post(deployment.base_url + "/sms/status", data=status, timeout=15,
                         headers={"X-Twilio-Signature": signature}).status_code == 204
    engine = sa.create_engine(deployment.database_url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("select status from message where provider_ref = :sid"),
                            {"sid": delivered[0]["sid"]}).scalar() == "delivered"

    # A postcode added with load-config is answered by the running servers, no restart.
    council = tmp_path / "council"
    shutil.copytree(PROJECT_ROOT / "config" / "demo", council)
    with (council / "postcodes.csv").open("a") as f:
        f.write("DE99 9ZZ,E05015521\n")
    deployment.command("load-config", "--dir", str(council))
    time.sleep(1.5)     # CONFIG_CHECK_SECONDS
    for n in range(4):  # whichever web worker answers
        answer = deployment.text(f"+44770090060{n}", "where is a food bank near DE99 9ZZ")
        assert "Normanton" in answer and "across Derby" not in answer, answer

    # The worker's own metrics: the send latency of the reply and the notification.
    sends = requests.get(f"http://127.0.0.1:{worker_metrics}/metrics", timeout=15).text
    assert re.search(r'frontdoor_sms_send_seconds_count\{outcome="sent",provider="twilio"\} '
                     r'[2-9]', sends), sends

    # Metrics from the running server: counts, latencies, and no resident data.
    metrics = requests.get(deployment.base_url + "/metrics", timeout=15).text
    assert re.search(r'frontdoor_messages_in_total\{channel="sms"\} 5\.0', metrics), metrics
    assert re.search(r"frontdoor_triage_seconds_count [1-9]", metrics)
    assert re.search(r'frontdoor_replies_total\{channel="sms",kind="coordinator"\} 1\.0',
                     metrics)
    for private in (RESIDENT, RESIDENT[1:], "7700 900555", "DE23 8AB", "DE99 9ZZ", "call me"):
        assert private not in metrics

    # And the logs of both processes: JSON lines, none carrying a number or the words.
    deployment.stop()
    for name in ("gunicorn", "worker"):
        log = deployment.log(name)
        assert log.strip(), name
        for private in (RESIDENT, RESIDENT[1:], "900555", "DE23 8AB", words, reply):
            assert private not in log, (name, private)
    lines = [json.loads(line) for line in deployment.log("gunicorn").splitlines()
             if line.startswith("{")]
    assert any(line.get("logger") == "gunicorn.access" for line in lines)
    assert any("sms sent via twilio" in json.dumps(line)
               for line in map(json.loads, filter(lambda s: s.startswith("{"),
                                                  deployment.log("worker").splitlines())))

