"""Latencies timed where they happen: reading a message (the engine) and handing an SMS to
the provider (the sender), as prometheus-client histograms that /metrics serves
(metrics.py). A leaf: what it times imports it, and it imports nothing of ours.

Labels only ever carry our own fixed words (provider, outcome)."""

from __future__ import annotations

import re
from typing import Any

from prometheus_client import Histogram

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)

TRIAGE_SECONDS = Histogram(
    "frontdoor_triage_seconds", "Time to read one message: crisis, need and place.",
    buckets=LATENCY_BUCKETS)
SEND_SECONDS = Histogram(
    "frontdoor_sms_send_seconds", "Time to hand one SMS to the provider.",
    ["provider", "outcome"], buckets=LATENCY_BUCKETS)

_WORD = re.compile(r"[a-z_]{1,32}")


def label(value: object) -> str:
    """A label value from a column we fill ourselves, checked anyway: never free text."""
    text = str(value or "none")
    return text if _WORD.fullmatch(text) else "other"


def observe_send(provider: str, outcome: str, seconds: float) -> None:
    SEND_SECONDS.labels(label(provider), label(outcome)).observe(seconds)


class TimedTriage:
    """The triage the engine uses, with every read timed into TRIAGE_SECONDS."""

    def __init__(self, triage: Any) -> None:
        self._triage = triage

    def read(self, *args: Any, **kwargs: Any) -> Any:
        with TRIAGE_SECONDS.time():
            return self._triage.read(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._triage, name)
