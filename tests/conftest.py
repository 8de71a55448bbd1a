"""Fixtures: `app`, `client`, `runner`, `db`, a settable `clock`, and helpers that speak to
the front door as Twilio and as a web-chat widget would.

The suite runs on SQLite, and on PostgreSQL too when TEST_DATABASE_URL is set: every
database test is parametrised over both. The model is trained once (when missing or stale)
and loaded once per session."""

from __future__ import annotations

import base64
import os
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from twilio.request_validator import RequestValidator

from frontdoor import create_app
from frontdoor.extensions import db as _db
from frontdoor.settings import PROJECT_ROOT

MODEL_DIR = Path(os.environ.get("TEST_MODEL_PATH", PROJECT_ROOT / "instance" / "model"))
DEMO_DATA = PROJECT_ROOT / "config" / "demo"
# A Tuesday, 10am in London: Sam Patel (Normanton, Mon-Thu) is at work.
TUESDAY_10AM = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


# -- the tiers ---------------------------------------------------------------------------------
# Every test is in one tier, a marker given here from what it uses (pyproject.toml registers
# them): `pytest -m unit` runs the tests that need neither a database nor the trained model.
#   browser      real Chromium against a live server, the trained model reading (marked in
#                the test file)
#   model        the trained pipeline: the `triage` or `model_dir` fixture, or a module below
#   integration  a database (the `app` fixture and everything built on it), or the app's
#                own processes started (`@pytest.mark.integration`); no model
#   unit         neither
# Modules whose tests send residents' words through the app and assert what the trained
# model makes of them (a hand-over for "can i talk to someone", a crisis, a need); in other
# modules such a test is marked `@pytest.mark.model` itself.
READS_WITH_THE_MODEL = {
    "tests/channels/test_floods.py", "tests/channels/test_hostile_input.py",
    "tests/channels/test_phone_link.py", "tests/channels/test_sms.py",
    "tests/channels/test_sms_later.py", "tests/channels/test_webchat.py",
    "tests/conversations/test_stories.py", "tests/deploy/test_deployment.py",
    "tests/directory/test_answers.py", "tests/inbox/test_leavers.py", "tests/test_cli.py",
    "tests/test_conversation_fixes.py", "tests/test_followups.py", "tests/test_nothing_lost.py",
    "tests/test_out_of_hours.py", "tests/test_outbox.py", "tests/test_readme.py",
    "tests/test_review.py", "tests/test_welsh.py",
}
MODEL_FIXTURES = {"triage", "model_dir", "queued"}
DATABASE_FIXTURES = {"app", "migrated"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("browser"):
            continue
        uses = set(getattr(item, "fixturenames", ()))
        module = item.nodeid.split("::")[0]
        if uses & MODEL_FIXTURES or item.get_closest_marker("model") or (
                module in READS_WITH_THE_MODEL and uses & DATABASE_FIXTURES):
            item.add_marker(pytest.mark.model)
        elif uses & DATABASE_FIXTURES or item.get_closest_marker("integration"):
            item.add_marker(pytest.mark.integration)
        else:
            item.add_marker(pytest.mark.unit)


@pytest.fixture(scope="session")
def model_dir() -> Path:
    from frontdoor.triage import classifier
    from frontdoor.triage.data import load_crisis_examples, load_examples

    intents = PROJECT_ROOT / "intents"
    examples, crisis = load_examples(intents, "train"), load_crisis_examples(intents, "train")
    if classifier.model_fingerprint(MODEL_DIR) != classifier.data_fingerprint(examples, crisis):
        classifier.train(examples, crisis, MODEL_DIR, progress=False)
    return MODEL_DIR


@pytest.fixture(scope="session")
def triage(model_dir: Path):
    from frontdoor.triage.classifier import Classifier
    from frontdoor.triage.data import load_need_definitions
    from frontdoor.triage.triage import Triage

    return Triage(Classifier(model_dir), load_need_definitions(PROJECT_ROOT / "intents"))


@pytest.fixture(scope="session")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """One migrated database per backend, made once; tests copy or empty it."""
    urls = {}
    template = tmp_path_factory.mktemp("db") / "template.db"
    urls["sqlite"] = f"sqlite:///{template}"
    if "postgresql" in BACKENDS:
        url = os.environ["TEST_DATABASE_URL"]
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public;"))
        engine.dispose()
        urls["postgresql"] = url
    from flask_migrate import upgrade

    for url in urls.values():
        app = create_app({"ENV_NAME": "test", "DATABASE_URL": url})
        with app.app_context():
            upgrade()
            _db.engine.dispose()
    return urls


@dataclass
class Clock:
    now: datetime = TUESDAY_10AM

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def fake_triage():
    """What the app reads messages with, unless the test is in the model tier: give it
    readings (`fake_triage.readings[text] = reading(...)`), see what it was asked."""
    from tests.fakes import DEMO_DIRECTORY_READINGS, FakeTriage

    return FakeTriage(dict(DEMO_DIRECTORY_READINGS))


@pytest.fixture(params=BACKENDS)
def app(request, migrated, tmp_path, clock):
    """The app on a fresh copy of the migrated database, with the demo council loaded. Its
    messages are read by the trained model for a test in the model tier (below), and by
    `fake_triage` for any other: those never wait for the model to load."""
    backend = request.param
    real = any(request.node.get_closest_marker(tier) for tier in ("model", "browser"))
    reader = request.getfixturevalue("triage" if real else "fake_triage")
    if backend == "sqlite":
        path = tmp_path / "frontdoor.db"
        shutil.copy(migrated["sqlite"].removeprefix("sqlite:///"), path)
        url = f"sqlite:///{path}"
    else:
        url = migrated["postgresql"]
    app = create_app({"ENV_NAME": "test", "DATABASE_URL": url, "MODEL_PATH": str(MODEL_DIR)},
                     triage=reader)

    def fresh_g() -> None:
        # Tests hold an app context open (to use db.session), and Flask then reuses it for
        # test-client requests, so `g` would carry over between requests. In production
        # every request has its own; make it so here, before any other hook runs.
        from flask import g
        g.__dict__.clear()

    app.before_request_funcs.setdefault(None, []).insert(0, fresh_g)
    with app.app_context():
        if backend == "postgresql":
            tables = ", ".join(f'"{t.name}"' for t in _db.metadata.sorted_tables)
            _db.session.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            _db.session.commit()
        from frontdoor.council_data import load_council_data

        load_council_data(DEMO_DATA, timezone=app.config["TIMEZONE"])
        if not real:
            reader.asked.clear()   # the directory import's own reading (fakes.py)
        app.extensions["frontdoor.clock"] = clock
        yield app
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture(scope="session")
def _app_without_a_database():
    # Made once: building an app costs a tenth of a second, and the unit tier has many such
    # tests. Each test still gets its own app context (a fresh `g`).
    return create_app({"ENV_NAME": "test", "DATABASE_URL": "sqlite://"}, role=None)


@pytest.fixture
def words_app(_app_without_a_database):
    """An app for what Flask-Babel needs to build replies in a language, and nothing else:
    its database is never opened, no council is loaded (the unit tier)."""
    with _app_without_a_database.app_context():
        yield _app_without_a_database


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@dataclass
class Phone:
    """A resident's phone talking to the front door through the signed Twilio webhook."""

    client: object
    app: object
    number: str = "+447700900123"
    sent_sids: list[str] = field(default_factory=list)

    def signed_post(self, fields: dict[str, str], signature: str | None = None,
                    token: str | None = None):
        url = self.app.config["PUBLIC_BASE_URL"] + "/sms/inbound"
        validator = RequestValidator(token or self.app.config["TWILIO_AUTH_TOKEN"])
        headers = {"X-Twilio-Signature": signature if signature is not None
                   else validator.compute_signature(url, fields)}
        return self.client.post("/sms/inbound", data=fields, headers=headers)

    def fields(self, body: str, sid: str | None = None, **extra: str) -> dict[str, str]:
        sid = sid or "SM" + uuid.uuid4().hex
        return {"MessageSid": sid, "SmsSid": sid, "AccountSid": "AC" + "0" * 32,
                "From": self.number, "To": "+447700900000", "Body": body, "NumMedia": "0",
                "NumSegments": "1", "SmsStatus": "received", "ApiVersion": "2010-04-01",
                **extra}

    def send(self, body: str, sid: str | None = None, **extra: str):
        response = self.signed_post(self.fields(body, sid, **extra))
        assert response.status_code == 200, response.data
        return response

    def text(self, body: str, **extra: str) -> list[str]:
        """Send a text; return the replies in the TwiML, as the resident would read them."""
        from xml.etree import ElementTree

        root = ElementTree.fromstring(self.send(body, **extra).data)
        return [m.text or "" for m in root.iter("Message")]


@pytest.fixture
def phone(client, app) -> Phone:
    return Phone(client, app)


def make_phone(client, app, number: str) -> Phone:
    return Phone(client, app, number)


PASSWORD = "correct horse battery staple"
ACCOUNTS = {"sam": "sam.patel@lac.example.org", "lead": "morgan.hale@lac.example.org",
            "hannah": "hannah.okafor@lac.example.org", "nadia": "nadia.hussain@lac.example.org"}
# Every password account has a second factor: each test account's authenticator key.
TOTP_KEYS = {email: base64.b32encode(email.encode()[:20].ljust(20, b"-")).decode()
             for email in ACCOUNTS.values()}


def totp_code(who: str) -> str:
    """The code a test account's authenticator app shows now."""
    import pyotp

    return pyotp.TOTP(TOTP_KEYS[ACCOUNTS.get(who, who)]).now()


@dataclass
class AuthActions:
    """Signs coordinators in and out of the inbox, with real forms and CSRF tokens: the
    password, then the code from the account's authenticator."""

    client: object
    app: object

    def csrf(self, path: str = "/inbox/sign-in") -> str:
        import re
        html = self.client.get(path).get_data(as_text=True)
        return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)

    def sign_in(self, who: str = "sam", password: str = PASSWORD, code: str | None = None):
        """Both steps; returns the password step's answer if it did not ask for a code."""
        from frontdoor.queries import find_coordinator_by_email

        email = ACCOUNTS.get(who, who)
        response = self.client.post("/inbox/sign-in", data={
            "csrf_token": self.csrf(), "email": email, "password": password})
        if not response.headers.get("Location", "").endswith("/inbox/sign-in/code"):
            return response
        if code is None:
            import pyotp

            person = find_coordinator_by_email(email)
            # A code is accepted once per 30 seconds; tests sign in faster than people do.
            person.totp_last_step = None
            _db.session.commit()
            code = pyotp.TOTP(person.totp_secret).now()
        return self.client.post("/inbox/sign-in/code", data={
            "csrf_token": self.csrf("/inbox/sign-in/code"), "code": code})

    def sign_out(self):
        return self.client.post("/inbox/sign-out", data={"csrf_token": self.csrf("/inbox")})

    def post(self, path: str, **data):
        """A form post from the inbox with a valid CSRF token."""
        return self.client.post(path, data={"csrf_token": self.csrf("/inbox"), **data})


def make_account(email: str, password: str = PASSWORD, key: str | None = None):
    """A coordinator (from the demo data) with this password and an authenticator key."""
    from frontdoor.inbox import people, second_factor
    from frontdoor.models import Coordinator, utcnow

    person = _db.session.scalar(sa.select(Coordinator).where(Coordinator.email == email))
    people.set_password(person, password)
    second_factor.enrol(person, key or TOTP_KEYS[email], utcnow(), used_step=None)
    return person


@pytest.fixture
def auth(app, client) -> AuthActions:
    with app.app_context():
        for email in ACCOUNTS.values():
            make_account(email)
        _db.session.commit()
    return AuthActions(client, app)


@pytest.fixture
def twilio():
    """Twilio's REST API through the real library, at a stub address `responses` answers."""
    from frontdoor.channels.senders import TwilioSmsSender

    return TwilioSmsSender("AC" + "0" * 32, "test-auth-token", from_number="+447700900000",
                           api_base_url="https://twilio-stub.test")


@pytest.fixture
def queued(phone, db, clock):
    """A coordinator's reply to an SMS resident, committed to the outbox."""
    from frontdoor import outgoing
    from frontdoor.models import Coordinator, Thread

    phone.text("can i talk to someone, i live in normanton")
    thread = db.session.scalar(sa.select(Thread))
    sam = db.session.scalar(sa.select(Coordinator).where(Coordinator.key == "sam-patel"))
    message = outgoing.queue_reply(thread, sam, "Hi, it's Sam. I'll ring at 2pm.", clock())
    db.session.commit()
    return message
