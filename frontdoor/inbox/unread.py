"""What is new for a coordinator: how far each of them has read each thread, and the
resident's messages since. Read markers are per coordinator: a thread handed to a colleague
is new to them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.dialects import postgresql, sqlite

from frontdoor.extensions import db
from frontdoor.models import Author, Coordinator, Message, Thread, ThreadRead


def mark_read(me: Coordinator, thread: Thread, now: datetime) -> None:
    """Everything on the thread so far has been seen by `me`."""
    latest = db.session.scalar(sa.select(sa.func.max(Message.id)).where(
        Message.thread_id == thread.id)) or 0
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    insert = dialect.insert(ThreadRead).values(coordinator_id=me.id, thread_id=thread.id,
                                               last_message_id=latest, read_at=now)
    # Two tabs open on one thread both mark it read: an upsert, never a duplicate key.
    db.session.execute(insert.on_conflict_do_update(
        index_elements=["coordinator_id", "thread_id"],
        set_={"last_message_id": sa.func.max(ThreadRead.last_message_id, latest)
              if dialect is sqlite else sa.func.greatest(ThreadRead.last_message_id, latest),
              "read_at": now}))


def unread_counts(me: Coordinator, thread_ids: Iterable[int]) -> dict[int, int]:
    """Thread id -> how many of the resident's messages `me` has not seen yet."""
    ids = list(thread_ids)
    if not ids:
        return {}
    read = so.aliased(ThreadRead)
    rows = db.session.execute(
        sa.select(Message.thread_id, sa.func.count())
        .outerjoin(read, sa.and_(read.thread_id == Message.thread_id,
                                 read.coordinator_id == me.id))
        .where(Message.thread_id.in_(ids), Message.author == Author.RESIDENT,
               Message.id > sa.func.coalesce(read.last_message_id, 0))
        .group_by(Message.thread_id)).all()
    return {thread_id: count for thread_id, count in rows if thread_id is not None}
