"""Plain factory functions with sensible defaults, for records the reports and the
resident's rights read (Notify's tests/app/db.py style)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa

from frontdoor.extensions import db
from frontdoor.models import (
    Author,
    Coordinator,
    Direction,
    Message,
    Note,
    Notification,
    Resident,
    Thread,
    ThreadState,
)
from tests.conftest import TUESDAY_10AM

NORMANTON, ABBEY = "E05015521", "E05015507"


def coordinator(key: str = "sam-patel") -> Coordinator:
    person = db.session.scalar(sa.select(Coordinator).where(Coordinator.key == key))
    assert person is not None, key
    return person


def make_resident(phone: str | None = None, ward: str = NORMANTON, channel: str = "sms",
                  at: datetime = TUESDAY_10AM, coordinator_key: str | None = "sam-patel",
                  postcode: str | None = "DE23 8AB") -> Resident:
    resident = Resident(channel=channel, address=phone or "+4477009" + uuid.uuid4().hex[:5],
                        ward_code=ward, postcode=postcode, created_at=at, last_contact_at=at,
                        coordinator=coordinator(coordinator_key) if coordinator_key else None)
    db.session.add(resident)
    db.session.flush()
    return resident


def make_thread(resident: Resident, need: str | None = "food", at: datetime = TUESDAY_10AM,
                state: ThreadState = ThreadState.CLOSED, handed_after: timedelta | None = None,
                crisis: str | None = None, coordinator_key: str | None = "sam-patel") -> Thread:
    thread = Thread(resident=resident, need=need, created_at=at, state=state,
                    ward_code=resident.ward_code, crisis=crisis, urgent=crisis is not None,
                    coordinator=coordinator(coordinator_key) if coordinator_key and (
                        handed_after is not None) else None,
                    handed_off_at=at + handed_after if handed_after is not None else None)
    db.session.add(thread)
    db.session.flush()
    return thread


def make_message(thread: Thread, body: str = "hello", at: datetime = TUESDAY_10AM,
                 author: Author = Author.RESIDENT, by: str | None = None) -> Message:
    message = Message(thread=thread, resident=thread.resident, body=body, created_at=at,
                      direction=Direction.IN if author == Author.RESIDENT else Direction.OUT,
                      author=author, channel=thread.resident.channel,
                      coordinator=coordinator(by) if by else None,
                      provider_id="SM" + uuid.uuid4().hex if author == Author.RESIDENT else None,
                      status=None if author == Author.RESIDENT else "delivered")
    if author == Author.COORDINATOR and (thread.first_reply_at is None
                                         or at < thread.first_reply_at):
        thread.first_reply_at = at   # as threads.replied records it
    db.session.add(message)
    db.session.flush()
    return message


def make_note(thread: Thread, body: str, by: str = "sam-patel",
              at: datetime = TUESDAY_10AM) -> Note:
    note = Note(thread_id=thread.id, coordinator_id=coordinator(by).id, body=body, created_at=at)
    db.session.add(note)
    db.session.flush()
    return note


def make_urgent_alert(thread: Thread, at: datetime, to: str = "sam-patel") -> Notification:
    alert = Notification(coordinator_id=coordinator(to).id, thread_id=thread.id,
                         kind="urgent", step="named", created_at=at)
    db.session.add(alert)
    db.session.flush()
    return alert
