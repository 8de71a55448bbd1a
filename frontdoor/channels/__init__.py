"""Channels translate between a provider and the one conversation engine; no triage here."""

from frontdoor.inbound import (
    HELP_WORDS,
    Channel,
    Command,
    DeliveredBy,
    Inbound,
    ReplyStatus,
    keyword,
)

__all__ = ["HELP_WORDS", "Channel", "Command", "DeliveredBy", "Inbound", "ReplyStatus", "keyword"]
