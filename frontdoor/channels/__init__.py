"""Channels translate between a provider and the one conversation engine; no triage here."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Inbound:
    """One resident message, whichever channel carried it."""

    channel: str                    # "sms" | "webchat"
    sender: str                     # E.164 number, or a hash of the web-chat token
    text: str
    provider_id: str | None = None  # Twilio MessageSid: unique, Twilio retries
    media_count: int = 0
