"""Channels translate between a provider and the one conversation engine; no triage here."""

from frontdoor.inbound import Channel, Command, Inbound, ReplyStatus, keyword

__all__ = ["Channel", "Command", "Inbound", "ReplyStatus", "keyword"]
