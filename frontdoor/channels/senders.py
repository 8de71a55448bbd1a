"""Sending SMS that are not TwiML replies (coordinators' replies, notifications).

One small interface; the provider's quirks stay in its class. create_app() chooses:
Twilio's Messages API, a console sender for the demo, or a fake that records for tests."""

from __future__ import annotations

import logging
import threading
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import requests
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from frontdoor.timings import observe_send

log = logging.getLogger(__name__)

# Twilio error codes that retrying will never fix.
PERMANENT_ERRORS = {
    21211: "invalid phone number",
    21408: "sending to this region is not enabled",
    21610: "the resident has opted out (replied STOP)",
    21612: "this number cannot receive messages from us",
    21614: "not a mobile number",
    30004: "message blocked",
    30005: "unknown number",
    30006: "landline or unreachable carrier",
}


class SendError(Exception):
    """A send that did not go through; `permanent` says whether a retry could help."""

    def __init__(self, reason: str, permanent: bool, code: int | None = None,
                 ambiguous: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.code = code
        # The request may have reached the provider and been accepted (a timeout waiting
        # for the answer, a reset, a 5xx): ask before sending again.
        self.ambiguous = ambiguous


@dataclass(frozen=True)
class Sent:
    provider_ref: str
    status: str


class SmsSender(ABC):
    """Times and logs every send (never the text or the number); subclasses do the call."""

    name = "sms"

    def send(self, to: str, body: str, idempotency_key: str) -> Sent:
        started = time.perf_counter()
        try:
            sent = self._send(to, body, idempotency_key)
        except SendError as error:
            observe_send(self.name, "failed", time.perf_counter() - started)
            log.warning("sms send failed via %s in %.0f ms: %s (permanent=%s)", self.name,
                        (time.perf_counter() - started) * 1000, error.reason, error.permanent)
            raise
        observe_send(self.name, "sent", time.perf_counter() - started)
        log.info("sms sent via %s in %.0f ms: %s", self.name,
                 (time.perf_counter() - started) * 1000, sent.provider_ref)
        return sent

    @abstractmethod
    def _send(self, to: str, body: str, idempotency_key: str) -> Sent: ...

    def find_sent(self, to: str, body: str, since: datetime) -> Sent | None:
        """A message already sent to `to` with this body since `since`, if the provider
        can say: how a retry after a crash avoids sending twice."""
        return None


class TwilioSmsSender(SmsSender):
    name = "twilio"

    def __init__(self, account_sid: str, auth_token: str, *, from_number: str | None = None,
                 messaging_service_sid: str | None = None,
                 api_base_url: str = "https://api.twilio.com",
                 status_callback: str | None = None, timeout: float = 10.0) -> None:
        if not (from_number or messaging_service_sid):
            raise ValueError("set TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID")
        self._account = (account_sid, auth_token, timeout, api_base_url.rstrip("/"))
        # One client (and connection pool) per sending thread (frontdoor/outbox.py sends
        # several residents' messages at once): twilio's HTTP client keeps per-request state.
        self._local = threading.local()
        self.from_number = from_number
        self.messaging_service_sid = messaging_service_sid
        self.status_callback = status_callback

    @property
    def client(self) -> Client:
        client: Client | None = getattr(self._local, "client", None)
        if client is None:
            account_sid, auth_token, timeout, base_url = self._account
            client = Client(account_sid, auth_token,
                            http_client=TwilioHttpClient(timeout=timeout))
            # Load tests and sandboxes point this at a stub instead of Twilio.
            client.api.base_url = base_url
            self._local.client = client
        return client

    def _send(self, to: str, body: str, idempotency_key: str) -> Sent:
        options: dict[str, str] = {"to": to, "body": body}
        if self.messaging_service_sid:
            options["messaging_service_sid"] = self.messaging_service_sid
        else:
            options["from_"] = self.from_number or ""
        if self.status_callback:
            options["status_callback"] = self.status_callback
        try:
            message = self.client.messages.create(**options)
        except TwilioRestException as error:
            permanent = error.code in PERMANENT_ERRORS or (
                400 <= error.status < 500 and error.status != 429)
            reason = PERMANENT_ERRORS.get(error.code or 0) or f"Twilio error {error.code}"
            raise SendError(reason, permanent, error.code,
                            ambiguous=error.status >= 500) from error
        except requests.exceptions.ConnectTimeout as error:
            # Never connected: nothing reached Twilio, so a plain retry is safe.
            raise SendError("could not reach Twilio (ConnectTimeout)", False) from error
        except Exception as error:  # read timeouts, resets: it may have gone
            raise SendError(f"could not reach Twilio ({type(error).__name__})", False,
                            ambiguous=True) from error
        return Sent(message.sid or "", message.status or "queued")

    def find_sent(self, to: str, body: str, since: datetime) -> Sent | None:
        try:
            recent = self.client.messages.list(to=to, date_sent_after=since - timedelta(
                minutes=1), limit=50)
        except TwilioRestException as error:
            raise SendError(f"Twilio error {error.code}", False, error.code) from error
        except Exception as error:
            raise SendError(f"could not reach Twilio ({type(error).__name__})", False) from error
        for message in recent:
            if message.body == body and (message.direction or "").startswith("outbound"):
                return Sent(message.sid or "", message.status or "sent")
        return None


class UnconfiguredSmsSender(SmsSender):
    """Twilio chosen but not set up: every send fails, to be retried once it is."""

    name = "unconfigured"

    def _send(self, to: str, body: str, idempotency_key: str) -> Sent:
        raise SendError("Twilio is not configured (see `frontdoor config check`)", False)


@dataclass
class RecordingSmsSender(SmsSender):
    """Records messages instead of sending them: the demo shows them, tests read them."""

    name: str = "recording"
    sent: list[tuple[str, str]] = field(default_factory=list)

    def _send(self, to: str, body: str, idempotency_key: str) -> Sent:
        # Kept in memory only; the demo's /dev/sms phone page shows them from the database.
        self.sent.append((to, body))
        return Sent(f"SMdemo{idempotency_key[:26]}", "delivered")

    def find_sent(self, to: str, body: str, since: datetime) -> Sent | None:
        return Sent("SMdemo-found", "delivered") if (to, body) in self.sent else None
