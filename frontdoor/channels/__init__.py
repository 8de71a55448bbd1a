"""Channels translate between a provider and the one conversation engine; no triage here."""

from frontdoor.inbound import Channel, Command, DeliveredBy, Inbound, ReplyStatus, keyword

__all__ = ["Channel", "Command", "DeliveredBy", "Inbound", "ReplyStatus", "keyword"]
