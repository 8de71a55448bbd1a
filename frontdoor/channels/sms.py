"""SMS through Twilio: the inbound webhook. Where an SMS enters the front door."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

import phonenumbers
from flask import Blueprint, Response, abort, current_app, request
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from frontdoor import edge
from frontdoor.channels import (
    HELP_WORDS,
    Command,
    DeliveredBy,
    Inbound,
    ReplyStatus,
    keyword,
)
from frontdoor.deferred import answer_later
from frontdoor.engine import front_door
from frontdoor.extensions import csrf
from frontdoor.outbox import STATUS_RANK, record_status
from frontdoor.sms_segments import fit_reply

bp = Blueprint("sms", __name__, url_prefix="/sms")

# Twilio's default opt-out, opt-in and help keywords, matched when sent alone in any case.
# Twilio acts on the first two itself (it stops delivery, and confirms).
OPT_OUT = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE",
                     "OPTOUT"})
OPT_IN = frozenset({"START", "YES", "UNSTOP"})


class Sms:
    """What the engine asks of the SMS channel (registered by the app factory)."""

    name = "sms"
    label = "SMS"
    # The resident's number, E.164 where it parses (e164 below).
    addressed_by_phone = True
    counts_segments = True
    # A text has no page to link the privacy notice from: a reply carries its address.
    carries_privacy_notice = True
    # A text leaves through the outbox: retried, sent once, its delivery reported, and never
    # to a number that opted out or asked not to be texted.
    delivered_by: DeliveredBy = "outbox"

    def resident_label(self, address: str, record_id: int) -> str:
        # The last three digits tell a coordinator which of a resident's numbers it is,
        # without a whole number on every page and poll.
        return f"SMS ending {address[-3:]}"

    def render(self, parts: Sequence[str], optional: AbstractSet[int]) -> str:
        """Within 3 segments, GSM-7 where it can be (frontdoor/sms_segments.py)."""
        return fit_reply(parts, optional)

    def reply_status(self, answered_later: bool) -> ReplyStatus:
        # Answered by the worker, the webhook's response is long gone: the reply leaves
        # through the outbox (retried, sent once, its delivery reported).
        return "pending" if answered_later else "twiml"

    def command(self, text: str,
                council_opt_out_words: AbstractSet[str] = frozenset()) -> Command | None:
        """Twilio's keywords, and the council's own opt-out words (which Twilio does not
        know): a first match wins, in that order."""
        word = keyword(text)
        if word in OPT_OUT:
            return Command.OPT_OUT
        if word in council_opt_out_words:
            return Command.COUNCIL_OPT_OUT
        if word in OPT_IN:
            return Command.OPT_IN
        if word in HELP_WORDS:
            return Command.HELP
        return None


SMS = Sms()


def public_url() -> str:
    """The URL Twilio called, as Twilio saw it: what the signature covers. Always built from
    PUBLIC_BASE_URL, never from Host or X-Forwarded-Host: a signature made for another
    address must not pass here."""
    query = request.query_string.decode("latin-1")
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return f"{base}{request.path}" + (f"?{query}" if query else "")


def signature_is_valid() -> bool:
    token = current_app.config.get("TWILIO_AUTH_TOKEN")
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        return False
    # Every posted field counts: Twilio adds fields without notice.
    return RequestValidator(token).validate(public_url(), request.form, signature)


# A sender is a phone number, or (WhatsApp, an alphanumeric sender id) an address kept as
# sent, up to what the column holds.
SENDER_LIMIT = 128
# Twilio allows 10 media items on a message; a larger count is not a count of anything.
MEDIA_LIMIT = 100
# Twilio's error codes are five digits; anything else is kept short (it is shown to staff).
ERROR_CODE_LIMIT = 20


def e164(number: str, region: str) -> str:
    """+447700900123 form where the number parses; other addresses are kept as sent
    (without control characters, and bounded: see edge.bounded_text)."""
    cleaned = edge.no_controls(number).strip()
    if len(cleaned) <= 40:
        try:
            parsed = phonenumbers.parse(cleaned, region)
        except phonenumbers.NumberParseException:
            pass
        else:
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return edge.bounded_text(number, SENDER_LIMIT)


# What Twilio hears for a text left to the worker: built once (every text of a spike).
EMPTY_TWIML = str(MessagingResponse())


def twiml(replies: list[str]) -> Response:
    if not replies:
        return Response(EMPTY_TWIML, mimetype="text/xml")
    response = MessagingResponse()
    for text in replies:
        response.message(text)
    return Response(str(response), mimetype="text/xml")


@dataclass(frozen=True)
class StatusReport:
    """A delivery status callback, cleaned and bounded."""

    sid: str                  # the MessageSid the worker stored (Message.provider_ref)
    state: str                # one of outbox.STATUS_RANK
    error_code: str | None    # shown to staff: at most ERROR_CODE_LIMIT characters


def status_report(form: Mapping[str, str]) -> StatusReport | None:
    """What a status callback says, when it can name a message of ours: only a sid we could
    have stored and a state Twilio has."""
    sid = edge.no_controls(form.get("MessageSid", ""))
    state = form.get("MessageStatus", "").strip().lower()
    error_code = edge.bounded_text(form.get("ErrorCode", ""), ERROR_CODE_LIMIT)
    if sid and len(sid) <= 64 and state in STATUS_RANK:
        return StatusReport(sid, state, error_code or None)
    return None


@bp.post("/status")
@csrf.exempt
def status() -> Response:
    """Twilio's delivery status callbacks for messages the worker sent."""
    if not signature_is_valid():
        abort(403)
    report = status_report(request.form)
    # Anything else matches no message, and is acknowledged all the same (Twilio would only
    # send it again).
    if report is not None:
        record_status(report.sid, report.state, report.error_code)
    return Response("", status=204)


@bp.post("/inbound")
@csrf.exempt  # Twilio signs its requests; there is no browser session to forge.
def inbound() -> Response:
    if not signature_is_valid():
        # Nothing is stored for a request we cannot prove came from Twilio.
        abort(403)
    form = request.form
    # Whatever a signed request carries, it is stored: odd fields are cleaned and bounded
    # here so that none of them can stop the message reaching the database.
    sender = e164(form.get("From", ""), current_app.config["DEFAULT_REGION"]) or "unknown"
    text = form.get("Body", "")
    engine = front_door()
    # When busy, stored and acknowledged at once; the worker answers (frontdoor/deferred.py).
    receipt = engine.receive(Inbound(
        channel="sms", sender=sender, text=text,
        provider_id=edge.bounded_id(form.get("MessageSid", "")),
        media_count=edge.bounded_count(form.get("NumMedia"), MEDIA_LIMIT),
        command=SMS.command(text)),
        later=answer_later(engine.clock()))
    return twiml(receipt.replies)
