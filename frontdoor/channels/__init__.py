"""Channels translate between a provider and the one conversation engine; no triage here."""

from frontdoor.inbound import Inbound

__all__ = ["Inbound"]
