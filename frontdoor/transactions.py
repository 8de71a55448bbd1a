"""The one commit rule: where a web request's writes are committed, and what a GET may write.

- A view that changes state is wrapped in `@changes_state`: its writes are committed once,
  when it returns (whatever page it returns: a refused sign-in still records the attempt),
  and rolled back if it raises (an `abort`, a bug), so nothing is left half-written. The
  view body, the helpers it calls and the sign-in decorators never call `commit()`.
  Outside a request (the worker, the command line) the same rule is `unit_of_work()`.
  Two commits stay bare, each saying why: storing a resident's message
  (conversations.store_inbound, committed before anything else) and the engine's answer to
  it (FrontDoor.answer, committed by the webhook or flushed into the worker's batch).
- A GET (or HEAD) changes nothing. It may leave only a record that the read happened
  (`READ_RECORDS`: the audit line that a person's record was seen or exported, a thread
  marked read, the session's last-seen time or its end), and those are committed by
  `commit_what_a_read_left`, after the page is drawn, never by the view or a decorator.
  A GET that wrote anything else is a bug: its writes are rolled back and it fails loudly.
- The two GETs that must change state say so with `@changes_state_on_get`: the single sign-on
  callback (the identity provider can only redirect, so signing in arrives as a GET) and
  the web chat page's language link (it works without JavaScript).

tests/test_transactions.py walks the inbox's and the chat's GET pages and fails if any of
them commits from inside the view or writes more than a read record.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy.orm as so
from flask import Flask, g, request
from sqlalchemy import event
from werkzeug.wrappers import Response

from frontdoor.extensions import db

log = logging.getLogger(__name__)

# What reading a page may leave behind (by model name, so this module needs no models).
READ_RECORDS = frozenset({"AuditEvent", "SignIn", "ThreadRead"})
READING = frozenset({"GET", "HEAD"})
_WRITTEN = "frontdoor.written"


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Commit once if the block finishes, roll back if it raises."""
    session = db.session
    try:
        yield
    except BaseException:
        session.rollback()
        raise
    session.commit()


def changes_state(view: Callable[..., Any]) -> Callable[..., Any]:
    """The view's writes are one unit of work (see the module's docstring). A page that is
    both a form and its POST (`methods=["GET", "POST"]`) is read-only on its GET."""
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if request.method in READING:
            return view(*args, **kwargs)
        g.changes_state = True
        with unit_of_work():
            return view(*args, **kwargs)
    wrapper.changes_state = "POST"  # type: ignore[attr-defined]
    return wrapper


def changes_state_on_get(view: Callable[..., Any]) -> Callable[..., Any]:
    """The documented exception: a GET that must change state (see the module's
    docstring for the two there are). Its writes are one unit of work, like a POST's; when
    it wrote nothing (the chat page without its language link) it commits nothing."""
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        g.changes_state = True
        try:
            response = view(*args, **kwargs)
            db.session.flush()
        except BaseException:
            db.session.rollback()
            raise
        if written():
            db.session.commit()
        else:
            db.session.rollback()
        return response
    wrapper.changes_state = "GET"  # type: ignore[attr-defined]
    return wrapper


def written() -> set[str]:
    """The model names this session has written since its last commit or rollback."""
    found: set[str] = db.session().info.setdefault(_WRITTEN, set())
    return found


def _note_flush(session: so.Session, context: Any) -> None:
    session.info.setdefault(_WRITTEN, set()).update(
        type(item).__name__ for item in (*session.new, *session.dirty, *session.deleted)
        if session.is_modified(item) or item in session.new or item in session.deleted)


def _note_statement(state: so.ORMExecuteState) -> None:
    # Bulk INSERT/UPDATE/DELETE statements (an upserted read marker) never pass a flush.
    if state.is_insert or state.is_update or state.is_delete:
        mapper = state.bind_mapper
        state.session.info.setdefault(_WRITTEN, set()).add(
            mapper.class_.__name__ if mapper is not None else "?")


def _forget(session: so.Session, *_: Any) -> None:
    session.info.pop(_WRITTEN, None)


def commit_what_a_read_left(response: Response) -> Response:
    """After a GET's page is drawn: commit its read records; refuse anything else."""
    if request.method not in READING or g.get("changes_state"):
        return response
    db.session.flush()  # a change nothing has flushed yet (a session ended) counts too
    wrote = written()
    if not wrote:
        return response
    if response.status_code >= 500:  # the view failed: keep nothing it half did
        db.session.rollback()
        return response
    others = wrote - READ_RECORDS
    if others:
        db.session.rollback()
        # A programming error, not the visitor's: the page must not look as if it saved.
        raise RuntimeError(f"GET {request.endpoint} wrote {sorted(others)}: "
                           "state changes belong in a POST (frontdoor/transactions.py)")
    g.committing_read_records = True
    try:
        db.session.commit()
    finally:
        g.committing_read_records = False
    return response


def init_app(app: Flask) -> None:
    """Register the GET hook; the write tracking is installed once per process."""
    if not event.contains(so.Session, "after_flush", _note_flush):
        event.listen(so.Session, "after_flush", _note_flush)
        event.listen(so.Session, "do_orm_execute", _note_statement)
        event.listen(so.Session, "after_commit", _forget)
        event.listen(so.Session, "after_rollback", _forget)
    app.after_request(commit_what_a_read_left)
