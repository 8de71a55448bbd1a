"""Messages to residents, recorded to go: on the resident's own channel, never a text they
said not to send. The worker sends what is recorded here (outbox.py).

Apart from the sending, so the engine, the review list and the follow-ups can queue a
message without importing the worker, the SMS sender or the engine above them (the layers
in pyproject.toml's import-linter contract). How a message leaves is its channel's to say
(Channel.delivered_by), asked through the registry the app factory sets up, so nothing
here or below imports a channel."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime

from flask import current_app

from frontdoor.extensions import db
from frontdoor.inbound import Channel
from frontdoor.models import Author, Coordinator, Direction, Message, Resident, Thread

CONTACT_CHOICES = {
    "sms": "Safe to text",
    "call_only": "Call only: do not text",
    "webchat_only": "Web chat only: do not text",
}


def registered_channels() -> Mapping[str, Channel]:
    """Every channel by name (frontdoor/channels/, registered by the app factory)."""
    channels: Mapping[str, Channel] = current_app.extensions["frontdoor.channels"]
    return channels


def channel_of(resident: Resident) -> Channel:
    """The channel the resident is reached on."""
    return registered_channels()[resident.channel]


def channel_label(name: str) -> str:
    """A channel as named in a sentence ("SMS", "web chat"); one no longer registered by its
    own name."""
    channel = registered_channels().get(name)
    return channel.label if channel is not None else name


def outbox_channels() -> list[str]:
    """The channels whose messages the worker sends; the others' are shown on a page."""
    return [name for name, channel in registered_channels().items()
            if channel.delivered_by == "outbox"]


def phone_channels() -> list[str]:
    """The channels whose residents are known by their phone number."""
    return [name for name, channel in registered_channels().items()
            if channel.addressed_by_phone]


def why_not_text(resident: Resident) -> str | None:
    """Why the outbox must not text this resident, if it must not."""
    if resident.opted_out:
        return "the resident has opted out (replied STOP)"
    if resident.contact_by == "call_only":
        return "the resident asked for calls only: it may not be safe to text"
    if resident.contact_by == "webchat_only":
        return "the resident asked for web chat only: it may not be safe to text"
    return None


def queue_reply(thread: Thread, author: Coordinator | None, body: str,
                now: datetime) -> Message:
    """Record a message to the resident (a coordinator's, or the front door's own when
    `author` is None), on the resident's own channel."""
    return _queue(thread.resident, thread, author, body, now)


def queue_text(resident: Resident, body: str, now: datetime) -> Message:
    """A text from the front door outside any thread (a code proving a phone is theirs)."""
    return _queue(resident, None, None, body, now)


def _queue(resident: Resident, thread: Thread | None, author: Coordinator | None, body: str,
           now: datetime) -> Message:
    message = Message(thread=thread, resident=resident, direction=Direction.OUT,
                      author=Author.COORDINATOR if author else Author.BOT,
                      coordinator_id=author.id if author else None,
                      channel=resident.channel, body=body, created_at=now)
    refused = why_not_text(resident)
    if channel_of(resident).delivered_by == "page":
        message.status = "shown"     # the resident's chat page polls for it
    elif refused:
        message.status, message.error = "not_sent", refused
    else:
        # "pending" is ours; "queued", "sent", "delivered" ... are Twilio's, once it has it.
        message.status = "pending"
        message.idempotency_key = uuid.uuid4().hex
        message.next_attempt_at = now
    db.session.add(message)
    return message
