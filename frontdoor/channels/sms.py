"""SMS through Twilio: the inbound webhook. Where an SMS enters the front door."""

from __future__ import annotations

import phonenumbers
from flask import Blueprint, Response, abort, current_app, request
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from frontdoor.channels import Inbound
from frontdoor.deferred import answer_later
from frontdoor.engine import front_door
from frontdoor.extensions import csrf
from frontdoor.outbox import record_status

bp = Blueprint("sms", __name__, url_prefix="/sms")


def public_url() -> str:
    """The URL Twilio called, as Twilio saw it: what the signature covers."""
    if current_app.config["TRUSTED_PROXIES"]:
        # ProxyFix (set up in create_app) has already applied X-Forwarded-Proto/Host.
        return request.url
    query = request.query_string.decode()
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return f"{base}{request.path}" + (f"?{query}" if query else "")


def signature_is_valid() -> bool:
    token = current_app.config.get("TWILIO_AUTH_TOKEN")
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        return False
    # Every posted field counts: Twilio adds fields without notice.
    return RequestValidator(token).validate(public_url(), request.form, signature)


def e164(number: str, region: str) -> str:
    """+447700900123 form where the number parses; other addresses are kept as sent."""
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return number.strip()
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def twiml(replies: list[str]) -> Response:
    response = MessagingResponse()
    for text in replies:
        response.message(text)
    return Response(str(response), mimetype="text/xml")


@bp.post("/status")
@csrf.exempt
def status() -> Response:
    """Twilio's delivery status callbacks for messages the worker sent."""
    if not signature_is_valid():
        abort(403)
    sid = request.form.get("MessageSid", "")
    state = request.form.get("MessageStatus", "").lower()
    if sid and state:
        # An unknown MessageSid is still acknowledged: Twilio would only retry it.
        record_status(sid, state, request.form.get("ErrorCode") or None)
    return Response("", status=204)


@bp.post("/inbound")
@csrf.exempt  # Twilio signs its requests; there is no browser session to forge.
def inbound() -> Response:
    if not signature_is_valid():
        # Nothing is stored for a request we cannot prove came from Twilio.
        abort(403)
    form = request.form
    sender = e164(form.get("From", ""), current_app.config["DEFAULT_REGION"])
    if not sender:
        abort(400, "From is required")
    try:
        media = int(form.get("NumMedia") or 0)
    except ValueError:
        media = 0
    engine = front_door()
    # When busy, stored and acknowledged at once; the worker answers (frontdoor/deferred.py).
    receipt = engine.receive(Inbound(
        channel="sms", sender=sender, text=form.get("Body", ""),
        provider_id=form.get("MessageSid") or None, media_count=media),
        later=answer_later(engine.clock()))
    return twiml(receipt.replies)
