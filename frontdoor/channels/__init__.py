"""Channels translate between a provider and the one conversation engine; no triage here."""

from frontdoor.inbound import Channel, Command, Inbound, keyword

__all__ = ["Channel", "Command", "Inbound", "keyword"]
