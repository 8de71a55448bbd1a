"""Development only: /dev/sms plays a resident's phone in the browser. It posts properly
signed webhooks to /sms/inbound, so everything after the signature check is the real path."""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from twilio.request_validator import RequestValidator
from werkzeug.wrappers import Response

from frontdoor import queries
from frontdoor.extensions import db
from frontdoor.models import Message

bp = Blueprint("dev", __name__, url_prefix="/dev")
DEMO_PHONE = "+447700900123"


@bp.before_request
def only_in_development() -> None:
    if not current_app.config["DEV_TOOLS"]:
        abort(404)


def signed_webhook(sender: str, body: str) -> Response:
    """Send a webhook exactly as Twilio would, signed with the configured auth token."""
    sid = "SM" + secrets.token_hex(16)
    fields = {"MessageSid": sid, "SmsSid": sid, "SmsMessageSid": sid, "AccountSid":
              current_app.config.get("TWILIO_ACCOUNT_SID") or "AC" + "0" * 32,
              "From": sender, "To": current_app.config.get("TWILIO_FROM_NUMBER") or "",
              "Body": body, "NumMedia": "0", "NumSegments": "1", "SmsStatus": "received",
              "ApiVersion": "2010-04-01"}
    url = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + "/sms/inbound"
    signature = RequestValidator(current_app.config["TWILIO_AUTH_TOKEN"]).compute_signature(
        url, fields)
    client = current_app.test_client()
    return client.post("/sms/inbound", data=fields, headers={"X-Twilio-Signature": signature})


@bp.get("/sms")
def phone() -> str:
    number = request.args.get("from", DEMO_PHONE)
    resident = queries.find_resident_by_address("sms", number)
    messages = db.session.scalars(sa.select(Message).where(
        Message.resident_id == resident.id).order_by(Message.id)).all() if resident else []
    return render_template("dev_sms.html", number=number, messages=messages)


@bp.post("/sms")
def send_from_phone() -> Response:
    number = request.form.get("from") or DEMO_PHONE
    signed_webhook(number, request.form.get("body", ""))
    return redirect(url_for("dev.phone") + "?" + urlencode({"from": number}) + "#latest")
