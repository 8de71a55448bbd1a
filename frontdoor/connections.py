"""How a pooled PostgreSQL connection is checked before use: without a round trip.

A connection the server has closed (a restart, an administrator, an idle timeout) must not
reach a request: the text it carries would fail to store. SQLAlchemy's `pool_pre_ping` finds
one by sending a statement on every checkout, a whole round trip per request, a quarter of
the webhook's. A server that closes a connection says so on its socket first (a goodbye
message, then the end of the stream), so an idle connection whose socket has something to
read has been closed or is about to be: it is thrown away and the pool hands out another
(SQLAlchemy's DisconnectionError on checkout), with no statement sent.

SQLite keeps the pre-ping: there is no server, and it costs nothing.

`statement_by_statement` is the other half of the webhook's round trips: on PostgreSQL a
statement that stands alone (the webhook's "any waiting?", and storing a text in one
statement) runs on a connection of its own in autocommit, so it needs no BEGIN and no
COMMIT round trip: it is committed as it finishes."""

from __future__ import annotations

import select
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc

from frontdoor.extensions import db


def engine_options(url: str, options: dict[str, Any]) -> dict[str, Any]:
    """The engine's options for `url`: no pre-ping where `watch_for_goodbyes` does its job."""
    if sa.engine.make_url(url).get_backend_name() == "postgresql":
        return {**options, "pool_pre_ping": False}
    return options


def watch_for_goodbyes(engine: sa.Engine) -> None:
    """Check each PostgreSQL connection as the pool hands it out (see the module's note)."""
    if engine.dialect.name != "postgresql":
        return
    sa.event.listen(engine, "checkout", _refuse_if_closed_by_server)


def _refuse_if_closed_by_server(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    if closed_by_server(dbapi_connection):
        # The pool discards it and tries a fresh connection (up to three times).
        raise exc.DisconnectionError("the server closed this connection")


def closed_by_server(dbapi_connection: Any) -> bool:
    """Whether an idle psycopg connection is dead or has unread words from the server: an
    idle connection is owed nothing, so anything to read is the server saying goodbye."""
    if dbapi_connection.closed or dbapi_connection.broken:
        return True
    pgconn = dbapi_connection.pgconn
    try:
        socket = pgconn.socket
    except Exception:  # psycopg raises when the connection has no socket left
        return True
    poller = select.poll()
    poller.register(socket, select.POLLIN | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(0))


@contextmanager
def statement_by_statement() -> Iterator[sa.Connection]:
    """A connection on which each statement commits as it finishes: on PostgreSQL, one of
    the pool's own, in autocommit; on SQLite, the session's (a file needs no round trips;
    its caller commits)."""
    if db.engine.dialect.name != "postgresql":
        yield db.session.connection()
        return
    with db.engine.connect() as connection:
        yield connection.execution_options(isolation_level="AUTOCOMMIT")
