"""Logs that are useful and private: a unique violation and a database outage, with marked
words and numbers, leave none of them in the captured output, in this process and in the
stderr of a real `frontdoor` process. Sentry events are scrubbed the same way."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from frontdoor import conversations, logs
from frontdoor.models import Message, Resident
from frontdoor.settings import PROJECT_ROOT

MARKED_WORDS = "zebra-marmalade-quartz"
MARKED_NUMBER = "+447700900987"
MARKED_BODY = (f"{MARKED_WORDS} please ring 07700 900987 or mail zeb.quartz@example.org, "
               f"I live at DE23 8AB")
PRIVATE = (MARKED_WORDS, "zebra", MARKED_NUMBER, MARKED_NUMBER[1:], "7700 900987", "900987",
           "zeb.quartz@example.org", "DE23 8AB")


@pytest.fixture
def captured():
    """Our logging set up as in production (JSON on a stream), undone afterwards."""
    stream = io.StringIO()
    root = logging.getLogger()
    level, hooks = root.level, (sys.excepthook, threading.excepthook)
    logs.configure("INFO", "json", stream)
    yield stream
    for handler in list(root.handlers):
        if handler.get_name() == logs.HANDLER_NAME:
            root.removeHandler(handler)
    root.setLevel(level)
    sys.excepthook, threading.excepthook = hooks


def assert_private(output: str) -> None:
    for private in PRIVATE:
        assert private not in output, private


@pytest.mark.parametrize(("raw", "scrubbed"), [
    ("from +44 7700 900123 and 07700-900123", "from [number] and [number]"),
    ("call (01332) 293111 or +44 (0)7700 900123", "call [number] or [number]"),
    ("at de23 8ab, DE238AB or DE23-8AB", "at [postcode], [postcode] or [postcode]"),
    ("mail sam.patel+lac@council.example.gov.uk", "mail [email]"),
    ("Key (channel, address)=(sms, alice) already exists.", "Key (channel, address)=(…) "
                                                            "already exists."),
    ("Failing row contains (7, null, help me, sms).", "Failing row contains (…)."),
    # A traceback inside a JSON line: each detail on its own, the text between them kept.
    ('"CheckViolation\\nDETAIL:  Failing row contains (7, hi :) x).\\n\\nThe above '
     'exception\\nIntegrityError\\nDETAIL:  Failing row contains (7, hi :) x).\\n[SQL: INSERT"',
     '"CheckViolation\\nDETAIL:  Failing row contains (…).\\n\\nThe above exception\\n'
     'IntegrityError\\nDETAIL:  Failing row contains (…).\\n[SQL: INSERT"'),
    ("2026-11-24 10:00:00,123 thread 1234 SM0123456789abcdef0123456789abcdef 192.168.10.200",
     "2026-11-24 10:00:00,123 thread 1234 SM0123456789abcdef0123456789abcdef 192.168.10.200"),
])
def test_scrubbing_removes_numbers_postcodes_emails_and_row_values_and_keeps_the_rest(
        raw, scrubbed):
    assert logs.scrub(raw) == scrubbed


def test_log_lines_and_tracebacks_are_json_and_scrubbed(captured):
    log = logging.getLogger("frontdoor.test")
    log.info("resident %s wrote from %s", MARKED_NUMBER, "DE23 8AB")
    try:
        raise ValueError(f"could not parse {MARKED_BODY}")
    except ValueError:
        log.exception("parsing failed")
    lines = [json.loads(line) for line in captured.getvalue().splitlines()]
    assert lines[0]["message"] == "resident [number] wrote from [postcode]"
    assert lines[0]["level"] == "INFO" and lines[0]["logger"] == "frontdoor.test"
    assert "ValueError: could not parse" in lines[1]["exc_info"]
    assert_private(captured.getvalue().replace(MARKED_WORDS, ""))   # the words are not PII


def signed_fields(phone, sid: str) -> dict[str, str]:
    return phone.fields(MARKED_BODY, sid=sid)


def test_a_unique_violation_in_the_webhook_logs_neither_the_words_nor_the_number(
        app, client, db, phone, captured, monkeypatch):
    app.config["PROPAGATE_EXCEPTIONS"] = False   # served as in production: logged, a 500
    phone.number = MARKED_NUMBER
    phone.text("hello")
    # What a database without upserts would do with two deliveries racing: the second
    # insert of the resident (number in the row) breaks the unique constraint...
    upsert = conversations._insert

    class Plain:
        """An INSERT whose ON CONFLICT clause is ignored."""

        def __init__(self, model) -> None:
            self.statement = sa.insert(model)

        def values(self, *columns, **values):
            self.statement = self.statement.values(*columns, **values)
            return self

        def from_select(self, names, select):
            self.statement = self.statement.from_select(names, select)
            return self

        @property
        def excluded(self):
            return self.statement.table.c

        def on_conflict_do_nothing(self, **_):
            return self.statement

        def on_conflict_do_update(self, **_):
            return self.statement

        def returning(self, *columns):
            return self.statement.returning(*columns)

    # store_inbound builds its statements once: built again here, with the stand-in.
    monkeypatch.setattr(conversations, "_store_statements", {})
    monkeypatch.setattr(conversations, "_insert", Plain)
    assert phone.signed_post(signed_fields(phone, "SM" + uuid.uuid4().hex)).status_code == 500
    db.session.rollback()   # the test shares the request's session
    # ...and a MessageSid stored meanwhile (the words are in the failing row).
    sid = "SM" + uuid.uuid4().hex
    resident_id = db.session.scalar(sa.select(Resident.id).where(
        Resident.address == MARKED_NUMBER))
    db.session.add(Message(resident_id=resident_id, direction="in", author="resident",
                           channel="sms", body="earlier", provider_id=sid))
    db.session.commit()
    monkeypatch.setattr(conversations, "_store_statements", {})
    monkeypatch.setattr(conversations, "_insert",
                        lambda table: Plain(table) if table is Message.__table__ else upsert(table))
    assert phone.signed_post(signed_fields(phone, sid)).status_code == 500
    monkeypatch.undo()

    output = captured.getvalue()
    assert output.count("IntegrityError") >= 2, output
    assert "[SQL parameters hidden" in output
    assert_private(output)


def test_a_database_outage_mid_request_logs_neither_the_words_nor_the_number(
        app, client, db, phone, captured):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    phone.number = MARKED_NUMBER

    def outage(conn, cursor, statement, parameters, context, executemany):
        # Storing the text (on PostgreSQL inside one WITH statement with the resident's).
        if re.search(r"INSERT INTO message\b", statement, re.IGNORECASE):
            raise db.engine.dialect.loaded_dbapi.OperationalError(
                "server closed the connection unexpectedly")

    sa.event.listen(db.engine, "before_cursor_execute", outage)
    try:
        assert phone.signed_post(signed_fields(phone, "SM" + uuid.uuid4().hex)
                                 ).status_code == 500
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", outage)
    output = captured.getvalue()
    assert "OperationalError" in output and "server closed the connection" in output
    assert "INSERT INTO message" in output and "[SQL parameters hidden" in output
    assert_private(output)


@pytest.fixture(params=["sqlite", "postgresql"])
def failing_database(request, tmp_path):
    """A migrated database that refuses to store any message with the marked words: SQLite
    through a trigger, PostgreSQL through a CHECK constraint, whose error repeats the whole
    row (the words included) unless it is scrubbed."""
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path),
           "PYTHONPATH": str(PROJECT_ROOT), "FRONTDOOR_ENV": "production",
           "MODEL_PATH": os.environ.get("TEST_MODEL_PATH",
                                        str(PROJECT_ROOT / "instance" / "model"))}
    if request.param == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'frontdoor.db'}"
    else:
        if not os.environ.get("TEST_DATABASE_URL"):
            pytest.skip("PostgreSQL is not configured (TEST_DATABASE_URL)")
        base = sa.engine.make_url(os.environ["TEST_DATABASE_URL"])
        engine = sa.create_engine(base)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA IF EXISTS frontdoor_logs CASCADE; "
                                 "CREATE SCHEMA frontdoor_logs"))
        engine.dispose()
        env["DATABASE_URL"] = base.update_query_dict(
            {"options": "-csearch_path=frontdoor_logs"}).render_as_string(hide_password=False)
    frontdoor = str(Path(sys.executable).parent / "frontdoor")
    for command in (["db", "upgrade"], ["load-config"]):
        subprocess.run([frontdoor, *command], env=env, cwd=PROJECT_ROOT, check=True,
                       capture_output=True, timeout=300)
    engine = sa.create_engine(env["DATABASE_URL"])
    with engine.begin() as conn:
        if request.param == "sqlite":
            conn.execute(sa.text(
                f"CREATE TRIGGER outage BEFORE INSERT ON message WHEN NEW.body LIKE "
                f"'%{MARKED_WORDS}%' BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END"))
        else:
            conn.execute(sa.text(f"ALTER TABLE message ADD CONSTRAINT outage CHECK "
                                 f"(body NOT LIKE '%{MARKED_WORDS}%')"))
    engine.dispose()
    yield env
    if request.param == "postgresql":
        engine = sa.create_engine(os.environ["TEST_DATABASE_URL"])
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA IF EXISTS frontdoor_logs CASCADE"))
        engine.dispose()


@pytest.mark.slow
def test_a_real_process_that_fails_to_store_a_message_prints_a_scrubbed_traceback(
        failing_database, model_dir):
    done = subprocess.run(
        [str(Path(sys.executable).parent / "frontdoor"), "chat", "--as", MARKED_NUMBER],
        env=failing_database, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300,
        input=MARKED_BODY + "\n")
    assert done.returncode != 0
    crash = json.loads(done.stderr.strip().splitlines()[-1])
    assert crash["level"] == "CRITICAL" and "Traceback" in crash["exc_info"]
    assert "IntegrityError" in crash["exc_info"] and "[SQL parameters hidden" in done.stderr
    assert_private(done.stderr + done.stdout.replace("you> ", ""))


def test_sentry_events_are_scrubbed_before_they_leave(captured):
    import sentry_sdk
    from sentry_sdk.transport import Transport

    class Recording(Transport):
        def __init__(self, options=None):
            super().__init__(options)
            self.envelopes: list[str] = []

        def capture_envelope(self, envelope):
            self.envelopes.append(envelope.serialize().decode())

    transport = Recording()
    logs.init_sentry("https://public@sentry.example.invalid/1", "test", transport=transport)
    try:
        logging.getLogger("frontdoor.test").warning("reading a text from %s", MARKED_NUMBER)
        try:
            raise RuntimeError(f"failed on {MARKED_BODY}")
        except RuntimeError as error:
            sentry_sdk.capture_exception(error)
        sentry_sdk.flush()
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.init()
    sent = "\n".join(transport.envelopes)
    assert "RuntimeError" in sent and "failed on" in sent
    assert_private(sent.replace(MARKED_WORDS, ""))
