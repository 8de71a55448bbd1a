"""A pooled PostgreSQL connection the server closed is found at checkout without a round
trip (frontdoor/connections.py): a text arriving after a database restart is stored, and no
request pays for a pre-ping."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from frontdoor import connections
from frontdoor.models import Direction, Message
from tests.fakes import terminate_other_connections


def test_postgresql_is_checked_at_checkout_and_sqlite_keeps_the_pre_ping():
    options = {"pool_pre_ping": True, "hide_parameters": True}
    assert connections.engine_options("postgresql+psycopg://u@h/db", options) == {
        "pool_pre_ping": False, "hide_parameters": True}
    assert connections.engine_options("sqlite:///x.db", options) == options


def _postgresql_only(db) -> None:
    if db.engine.url.get_backend_name() != "postgresql":
        pytest.skip("a server-side close is PostgreSQL's; SQLite keeps the pre-ping")


def test_an_idle_connection_the_server_closed_is_seen_as_closed(app, db):
    _postgresql_only(db)
    db.session.remove()   # the test's own session holds no connection the close could break
    raw = db.engine.raw_connection()
    try:
        dbapi = raw.driver_connection
        assert not connections.closed_by_server(dbapi)
        terminate_other_connections(db.engine.url)
        deadline = time.monotonic() + 5
        while not connections.closed_by_server(dbapi) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert connections.closed_by_server(dbapi)
    finally:
        raw.invalidate()


def test_a_text_after_a_database_restart_is_stored_without_a_ping_per_request(
        app, db, phone, monkeypatch):
    _postgresql_only(db)
    pings: list[object] = []
    real_ping = db.engine.dialect.do_ping
    monkeypatch.setattr(db.engine.dialect, "do_ping",
                        lambda conn: pings.append(conn) or real_ping(conn))
    phone.send("hello")
    db.session.remove()
    terminate_other_connections(db.engine.url)   # what a restart does to every pooled connection
    time.sleep(0.2)
    for n in range(3):
        phone.send(f"still there {n}")
    db.session.remove()
    bodies = db.session.scalars(sa.select(Message.body).where(
        Message.direction == Direction.IN).order_by(Message.id)).all()
    assert bodies == ["hello", "still there 0", "still there 1", "still there 2"]
    assert pings == []


def test_on_postgresql_a_deferred_text_is_stored_by_one_statement_that_commits_itself(
        app, db, phone):
    _postgresql_only(db)
    app.config["SMS_REPLIES"] = "outbox"
    db.session.remove()
    sent: list[str] = []
    commits: list[object] = []

    def statement(_conn, _cursor, sql, *_args) -> None:
        sent.append(sql)

    def commit(conn) -> None:
        commits.append(conn)

    sa.event.listen(db.engine, "before_cursor_execute", statement)
    sa.event.listen(db.engine, "commit", commit)
    try:
        phone.send("need food in normanton")
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", statement)
        sa.event.remove(db.engine, "commit", commit)
    # The resident and the message in one statement; no BEGIN or COMMIT was needed. (Tests
    # check the council's settings on every request: a read.)
    writes = [sql for sql in sent if not sql.lstrip().upper().startswith("SELECT")]
    assert len(writes) == 1 and writes[0].lstrip().startswith("WITH")
    assert commits == []
    # ...and it is committed: another connection sees it at once.
    other = sa.create_engine(db.engine.url)
    try:
        with other.connect() as conn:
            assert conn.scalar(sa.select(Message.status).where(
                Message.body == "need food in normanton")) == "deferred"
    finally:
        other.dispose()


def test_a_text_from_a_resident_the_session_has_just_written_is_stored_in_its_transaction(
        app, db, phone):
    """A session holding an uncommitted write of the resident's row (a command's earlier
    write, a factory here) must not be waited on by a second connection: that would be for
    ever. Each checkout waits at most 5 s for a lock here, so a wrong turn fails, not hangs."""
    _postgresql_only(db)
    from tests.factories import make_resident

    def bounded_lock_wait(dbapi_connection, _record, _proxy) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '5s'")

    db.session.remove()
    sa.event.listen(db.engine, "checkout", bounded_lock_wait)
    try:
        resident = make_resident(phone=phone.number)   # flushed, not committed
        phone.send("need food in normanton")
        stored = db.session.scalars(sa.select(Message).where(
            Message.body == "need food in normanton")).one()
        assert stored.resident_id == resident.id
    finally:
        db.session.rollback()
        sa.event.remove(db.engine, "checkout", bounded_lock_wait)
