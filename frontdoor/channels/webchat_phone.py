"""Web chat: a resident links their mobile phone to the chat, with proof. They ask for a
6-digit code to be texted to the number and type it back; only then are the two records one
person (frontdoor/linking.py). On the page (works without JavaScript) and in the JSON API.

What the chat is told never depends on the number's owner: "a code is on its way if that
number can get our texts" whether or not it has opted out or asked not to be texted, so
nobody learns from the chat who else is in touch with the team."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from flask import Response, current_app, jsonify, redirect, request, url_for
from flask_babel import lazy_gettext
from werkzeug.wrappers import Response as BaseResponse

from frontdoor import edge, linking, replies, transactions
from frontdoor.channels.sms import SMS
from frontdoor.channels.webchat import (
    _authorised,
    _resident,
    address_key,
    bp,
    conversation_key,
    cookie,
)
from frontdoor.errors import ApiError, answer
from frontdoor.extensions import csrf, db, limiter
from frontdoor.i18n import in_language, page_language
from frontdoor.models import PhoneCode, Resident
from frontdoor.outgoing import queue_text

# A chat asks for few codes; the daily cap per chat and per number is in linking.py. Codes
# are texts the council pays for: an address (a library's included) asks for a few dozen.
CODE_LIMIT = "10 per hour"
TRY_LIMIT = "20 per hour"
ADDRESS_CODE_LIMIT = "40 per hour"
address_code_limit = limiter.shared_limit(ADDRESS_CODE_LIMIT, scope="webchat-phone-address",
                                          key_func=address_key)
SAID = {
    "sent": lazy_gettext("If that number can get our texts, a 6-digit code is on its way. "
                         "Type it below. It works for %(minutes)d minutes.",
                         minutes=linking.CODE_MINUTES),
    "linked": lazy_gettext("Thank you. Your phone is linked: your coordinator sees your texts "
                           "and this chat together."),
    "wrong": lazy_gettext("That code is not right. Check the text and try again."),
    "expired": lazy_gettext("That code has run out. Ask for a new one."),
    "too_many_tries": lazy_gettext("That code was tried too many times. Ask for a new one."),
    "no_code": lazy_gettext("Ask for a code first."),
    "no_conversation": lazy_gettext("Send us a message first, then you can link your phone."),
    "bad_number": lazy_gettext("That does not look like a mobile number. Try again, like "
                               "07700 900123."),
    "too_many_codes": lazy_gettext("Enough codes have been sent today. Please try again "
                                   "tomorrow, or ask your coordinator."),
}
# Errors from linking, carried through the page's redirect by a short key.
_ERRORS: dict[type[Exception], str] = {linking.PhoneNumberError: "bad_number",
                                       linking.TooManyCodes: "too_many_codes"}


def _now() -> datetime:
    clock: Callable[[], datetime] = current_app.extensions["frontdoor.clock"]
    return clock()


def _send_code(chat: Resident, number: str) -> None:
    """Raises linking.PhoneNumberError or linking.TooManyCodes with words for the resident."""
    now = _now()
    phone = linking.mobile_number(number, current_app.config["DEFAULT_REGION"])
    code = linking.request_code(chat, phone, now, current_app.config["SECRET_KEY"])
    # Through the outbox like every text: retried, sent once, and never to a number that
    # opted out or asked not to be texted.
    with in_language(chat.reply_language or page_language()):
        text = replies.phone_code(code.code, linking.CODE_MINUTES).render(SMS)
    queue_text(code.phone_record, text, now)


def _check_code(chat: Resident, typed: str) -> str:
    result = linking.verify_code(chat, typed, _now(), current_app.config["SECRET_KEY"])
    return result


@bp.context_processor
def phone_link() -> dict[str, object]:
    """The chat page's phone section: what was just said, and whether a code is waiting."""
    chat = _resident(request.cookies.get(cookie()))
    waiting = chat is not None and db.session.scalar(sa.select(PhoneCode.id).where(
        PhoneCode.webchat_resident_id == chat.id, PhoneCode.used_at.is_(None),
        PhoneCode.expires_at > _now()).limit(1)) is not None
    said = request.args.get("phone", "")
    return {"phone_said": str(SAID.get(said, "")), "phone_code_waiting": waiting}


def _back(said: str) -> BaseResponse:
    return redirect(url_for("webchat.page", phone=said) + "#phone")


# -- the page (no JavaScript) --------------------------------------------------------------

@bp.post("/phone")
@transactions.changes_state
@limiter.limit(CODE_LIMIT, key_func=conversation_key)
@address_code_limit
def phone_code_page() -> BaseResponse:
    chat = _resident(request.cookies.get(cookie()))
    if chat is None:
        return _back("no_conversation")
    try:
        _send_code(chat, request.form.get("phone", "")[:40])
    except (linking.PhoneNumberError, linking.TooManyCodes) as error:
        return _back(_ERRORS[type(error)])
    return _back("sent")


@bp.post("/phone/code")
@transactions.changes_state
@limiter.limit(TRY_LIMIT, key_func=conversation_key)
def phone_check_page() -> BaseResponse:
    chat = _resident(request.cookies.get(cookie()))
    if chat is None:
        return _back("no_conversation")
    return _back(_check_code(chat, request.form.get("code", "")[:20]))


# -- the JSON API (the widget) -------------------------------------------------------------

@bp.post("/api/phone")
@transactions.changes_state
@csrf.exempt  # bearer-token API
@limiter.limit(CODE_LIMIT, key_func=conversation_key)
@address_code_limit
def phone_code_api() -> tuple[Response, int]:
    chat, _ = _authorised()
    body = edge.json_object('{"phone": "07700 900123"}')
    if not isinstance(body.get("phone"), str):
        raise ApiError(400, "invalid_json", 'Send JSON like {"phone": "07700 900123"}.')
    try:
        _send_code(chat, edge.no_controls(body["phone"][:40]))
    except linking.PhoneNumberError as error:
        raise ApiError(400, "bad_number", str(SAID["bad_number"])) from error
    except linking.TooManyCodes as error:
        raise ApiError(429, "too_many_codes", str(SAID["too_many_codes"])) from error
    return jsonify({"status": "sent", "message": str(SAID["sent"])}), 202


@bp.post("/api/phone/code")
@transactions.changes_state
@csrf.exempt
@limiter.limit(TRY_LIMIT, key_func=conversation_key)
def phone_check_api() -> tuple[Response, int]:
    chat, _ = _authorised()
    body = edge.json_object('{"code": "123456"}')
    if not isinstance(body.get("code"), str):
        raise ApiError(400, "invalid_json", 'Send JSON like {"code": "123456"}.')
    result = _check_code(chat, edge.no_controls(body["code"][:20]))
    if result != "linked":
        # Answered, not raised: the wrong try is counted (raising would roll it back).
        return answer(ApiError(400, result, str(SAID[result])))
    return jsonify({"status": "linked", "message": str(SAID["linked"])}), 200
