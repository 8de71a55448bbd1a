"""Keeping up without reloading: what is new on each thread, the list of threads and an
open thread's messages as JSON for static/inbox.js to poll (the pages work without it, with
a refresh link), and the new-message count and pause banner on every inbox page."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app, g, jsonify, request
from werkzeug.wrappers import Response

from frontdoor.edge import record_id
from frontdoor.extensions import db
from frontdoor.inbox import access, auth, unread
from frontdoor.inbox.rows import author_of, list_rows
from frontdoor.inbox.views import _now, _today, bp, coordinator_filter
from frontdoor.models import Coordinator, Council, Message, SignIn, Thread
from frontdoor.outgoing import channel_label
from frontdoor.threads import OPEN_STATES


def unread_total(me: Coordinator) -> int:
    """New messages from residents on the open threads `me` may see."""
    ids = db.session.scalars(sa.select(Thread.id).where(
        Thread.state.in_(OPEN_STATES), access.visible(me, _today()))).all()
    return sum(unread.unread_counts(me, ids).values())


@bp.context_processor
def keeping_up() -> dict[str, Any]:
    """The pause banner and the new-message count on every inbox page."""
    if not g.get("me"):
        return {}
    council = db.session.get(Council, 1)
    return {"front_door_paused": council if council and council.paused_at else None,
            "unread_total": unread_total(g.me),
            "poll_seconds": current_app.config["INBOX_POLL_SECONDS"]}


def polled(view: Callable[..., Any]) -> Callable[..., Any]:
    """For a page's background poll: like auth.signed_in, but a 401 instead of a redirect,
    and the poll does not count as the coordinator at work, so an open tab never keeps an
    idle session alive (the idle timeout still signs them out)."""
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        me = auth.current_coordinator(_now())
        # Put back the "last seen" that signing in just moved: whatever auth.py checks (a
        # second factor, a leaver), it checks it here too, and only the activity clock is
        # left where the coordinator's last real request put it.
        for item in list(db.session.dirty):
            if isinstance(item, SignIn):
                before = so.attributes.get_history(item, "last_seen_at").deleted
                if before:
                    so.attributes.set_committed_value(item, "last_seen_at", before[0])
        if me is None:
            return jsonify({"error": {"code": "signed_out",
                                      "message": "You have been signed out. Sign in again."}}), 401
        g.me = me
        return view(*args, **kwargs)
    return wrapper


@bp.get("/threads.json")
@polled
def threads_json() -> Response:
    ward = request.args.get("ward") or None
    coordinator_id = coordinator_filter()
    if g.me.role != "lead":
        ward, coordinator_id = None, None
    page = access.open_threads_for(g.me, _today(), ward, coordinator_id,
                                   request.args.get("page", 1, type=access.page_number))
    rows = list_rows(page.threads, _now())
    return jsonify({"threads": rows, "unread": unread_total(g.me), "total": page.total,
                    "first": page.first, "page": page.page, "pages": page.pages})


@bp.get("/threads/<int:thread_id>/messages.json")
@polled
def thread_messages_json(thread_id: int) -> Response:
    thread = access.thread_for(g.me, thread_id, _today())
    after = request.args.get("after", type=record_id) or 0
    messages = db.session.scalars(sa.select(Message).where(
        Message.resident_id == thread.resident_id, Message.id > after)
        .options(so.selectinload(Message.coordinator)).order_by(Message.id).limit(200)).all()
    if messages and request.args.get("seen") != "0":
        # Shown on the open page, in a tab in front: seen. (A tab in the background says
        # seen=0, and the messages stay new in the list.)
        unread.mark_read(g.me, thread, _now())
    return jsonify({"messages": [staff_message_json(m, thread) for m in messages]})


def staff_message_json(message: Message, thread: Thread) -> dict[str, Any]:
    """One message as an open thread's poll sends it; `thread` is the one on the page."""
    meta = (f"{author_of(message)} · {message.created_at:%d %b %H:%M} · "
            f"{channel_label(message.channel)}")
    if message.thread_id is None:
        meta += " · not in a thread"
    elif message.thread_id != thread.id:
        meta += " · earlier thread"
    status = None
    if message.direction.value == "out" and message.status:
        status = message.status.replace("_", " ") + (f" ({message.error})" if message.error
                                                       else "")
    return {"id": message.id, "author": message.author.value, "meta": meta,
            "status": status, "text": message.body}
