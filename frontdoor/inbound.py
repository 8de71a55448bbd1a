"""One resident message as every channel hands it to the engine.

Here, below the engine and the channels alike, so the engine never imports a channel
(the layers in pyproject.toml's import-linter contract)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Inbound:
    """One resident message, whichever channel carried it."""

    channel: str                    # "sms" | "webchat"
    sender: str                     # E.164 number, or a hash of the web-chat token
    text: str
    # Twilio's MessageSid, or a web-chat client message id made unique per conversation:
    # a Twilio retry or a double post is stored once.
    provider_id: str | None = None
    media_count: int = 0
    # The language the resident's page is in (web chat), for a first message with no words
    # to tell it from ("0"); the words of a message count for more (conversations.py).
    language: str | None = None
    # Web chat: a keyed digest of the address it came from (edge.origin_of_request), so a
    # burst of urgent threads from one address reaches the lead as one alert (threads.py).
    origin: str | None = None
