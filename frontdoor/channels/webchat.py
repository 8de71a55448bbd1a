"""Web chat: a page that works without JavaScript, and a small JSON API for the widget.

A conversation is identified by an unguessable token (256 bits). The database keeps only
its SHA-256, so one token can read one conversation and nothing else."""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    current_app,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from frontdoor import edge, queries, transactions
from frontdoor.channels import (
    HELP_WORDS,
    Command,
    DeliveredBy,
    Inbound,
    ReplyStatus,
    keyword,
)
from frontdoor.channels.webchat_openapi import VISIBLE
from frontdoor.engine import front_door
from frontdoor.errors import ApiError
from frontdoor.extensions import csrf, db, limiter
from frontdoor.i18n import COOKIE as LANGUAGE_COOKIE
from frontdoor.i18n import LANGUAGES, offered, page_language
from frontdoor.models import Author, Message, Resident
from frontdoor.settings import cookie_name

bp = Blueprint("webchat", __name__, url_prefix="/chat")
CHANNEL = "webchat"
# No provider stops or starts a web chat ("stop" is words, read like any other message),
# and the council's opt-out words are for texts; but HELP sent alone says what the front
# door is here too (inbound.HELP_WORDS).


class WebChat:
    """What the engine asks of the web chat (registered by the app factory)."""

    name = CHANNEL
    label = "web chat"
    # A conversation is known by a hash of its token: no use to anyone, not shown.
    addressed_by_phone = False
    # A chat message is one message, however long.
    counts_segments = False
    # The chat page links the privacy notice itself (chat.html).
    carries_privacy_notice = False
    # Nothing to send: the resident's chat page polls for what is recorded.
    delivered_by: DeliveredBy = "page"

    def resident_label(self, address: str, record_id: int) -> str:
        # The address is a hash of the token: the record's number tells residents apart.
        return f"Web chat resident {record_id}"

    def render(self, parts: Sequence[str], optional: AbstractSet[int]) -> str:
        # No budget: every part, one to a line.
        return "\n".join(parts)

    def reply_status(self, answered_later: bool) -> ReplyStatus:
        return "shown"   # the resident's chat page polls for it

    def command(self, text: str,
                council_opt_out_words: AbstractSet[str] = frozenset()) -> Command | None:
        return Command.HELP if keyword(text) in HELP_WORDS else None


WEB_CHAT = WebChat()


def cookie() -> str:
    """The chat's cookie: `__Host-frontdoor_chat` wherever cookies are Secure."""
    return cookie_name("frontdoor_chat", current_app.config["SESSION_COOKIE_SECURE"])


def cookie_path() -> str:
    # A __Host- cookie must be for the whole site ("/"); without the prefix, only the chat.
    return "/" if current_app.config["SESSION_COOKIE_SECURE"] else "/chat"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def _resident(token: str | None) -> Resident | None:
    if not token or len(token) > 100:
        return None
    resident = queries.find_resident_by_address(CHANNEL, _hash(token))
    if resident is not None:
        # The page and the API speak the language the resident is answered in (i18n.py).
        g.resident_language = resident.reply_language
    return resident


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else None


def conversation_key() -> str:
    """What the per-conversation limits count against: a conversation that exists (never a
    token or cookie the client just made up: those count against its address)."""
    token = _bearer() or request.cookies.get(cookie())
    if token and _resident(token) is not None:
        return "conversation:" + _hash(token)
    return "address:" + edge.address_key()


def address_key() -> str:
    """What the per-address limits count against: the client's address, which it cannot
    choose (behind TRUSTED_PROXIES, what our proxy says it is)."""
    return "address:" + edge.address_key()


def _has_conversation() -> bool:
    return _resident(request.cookies.get(cookie())) is not None


# Every message posted, from the page or the API, counts against its address too.
address_limit = limiter.shared_limit(
    lambda: current_app.config["RATELIMIT_WEBCHAT_ADDRESS"], scope="webchat-address",
    key_func=address_key)
# Starting a conversation, from the API or by the page's first message, counts against the
# address: a fresh cookie per post cannot make new residents without end. "new_chats" names
# the limit for its own words (errors.py): many people can share one address.
new_conversation_limit = limiter.shared_limit(
    lambda: current_app.config["RATELIMIT_WEBCHAT_NEW"], scope="webchat-new",
    key_func=address_key, error_message="new_chats")
page_new_conversation_limit = limiter.shared_limit(
    lambda: current_app.config["RATELIMIT_WEBCHAT_NEW"], scope="webchat-new",
    key_func=address_key, exempt_when=_has_conversation, error_message="new_chats")


def messages_after(resident: Resident, after: int = 0) -> list[Message]:
    return list(db.session.scalars(
        sa.select(Message).where(Message.resident_id == resident.id, Message.id > after)
        .order_by(Message.id).limit(200)))


def message_json(message: Message) -> dict[str, object]:
    """One message as the chat shows it: who wrote it in the resident's words (a coordinator
    by first name only), and when, in UTC."""
    if message.author == Author.COORDINATOR:
        person = message.coordinator
        who = _("%(name)s, Local Area Coordinator", name=person.first_name) if person \
            else _("Your coordinator")
    else:
        who = {Author.RESIDENT: _("You"), Author.BOT: _("Front door")}.get(message.author, "")
    return {"id": message.id, "author": message.author.value, "from": who,
            "text": message.body, "sent_at": _iso(message.created_at)}


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


_CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def chat_message_id(address: str, client_id: object) -> str | None:
    """A message id the client chose, made unique per conversation: a double post (two
    clicks, a retried request) is stored and answered once, like a Twilio retry."""
    if client_id is None or client_id == "":
        return None
    if not isinstance(client_id, str) or not _CLIENT_ID.match(client_id):
        raise ApiError(400, "invalid_client_id",
                       _("client_id must be 8 to 64 letters, digits, '-' or '_'."))
    return "wc-" + hashlib.sha256(f"{address}:{client_id}".encode()).hexdigest()[:48]


# A message needs one character that is not a space of any kind: the OpenAPI document's
# own pattern, so what it calls valid and what is accepted are one thing.


def _check_text(text: object) -> str:
    return chat_text(text, current_app.config["WEBCHAT_MAX_LENGTH"])


def chat_text(text: object, limit: int) -> str:
    """A chat message's text as posted, when it is one that can be stored and read: some
    visible character, at most `limit` characters, valid UTF-8. Otherwise a clear 4xx."""
    if not isinstance(text, str) or not re.search(VISIBLE, text):
        raise ApiError(400, "empty_message", _("Type a message before sending."))
    if len(text) > limit:
        raise ApiError(413, "message_too_long",
                       _("Messages can be up to %(limit)d characters. Please send it in parts.",
                         limit=limit))
    try:
        return edge.utf8(text)
    except ValueError as error:
        # A lone surrogate ("\ud800" in JSON) is no character at all and cannot be stored.
        raise ApiError(400, "invalid_text", _("The message has characters that are not "
                                              "text. Please type it again.")) from error


# -- the page (works with JavaScript off) ------------------------------------------------

@bp.get("")
@transactions.changes_state_on_get
def page() -> Response:
    resident = _resident(request.cookies.get(cookie()))
    asked = request.args.get("lang")
    languages = offered()
    if resident is not None and asked in languages and len(languages) > 1:
        # The page's own link ("Cymraeg" / "English"): the bot answers in it from now on.
        resident.reply_language = asked
    messages = [message_json(m) for m in messages_after(resident)] if resident else []
    response = make_response(render_template(
        "chat.html", messages=messages, error=request.args.get("error"),
        ended=request.args.get("ended") == "1",
        client_id=uuid.uuid4().hex, embed=request.args.get("embed") == "1",
        other_languages=[code for code in languages if code != page_language()],
        max_length=current_app.config["WEBCHAT_MAX_LENGTH"],
        poll_seconds=current_app.config["WEBCHAT_POLL_SECONDS"]))
    if asked in languages:
        response.set_cookie(LANGUAGE_COOKIE, asked, max_age=60 * 60 * 24 * 365,
                            httponly=True, samesite="Lax", path="/chat",
                            secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


@bp.post("")
@transactions.changes_state
# A first message (no conversation yet) is counted by the new-conversation limit instead.
@limiter.limit(lambda: current_app.config["RATELIMIT_WEBCHAT"], key_func=conversation_key,
               exempt_when=lambda: not _has_conversation())
@address_limit
@page_new_conversation_limit
def post_from_page() -> Response:
    token = request.cookies.get(cookie()) or ""
    if _resident(token) is None:
        token = _new_token()
    text = request.form.get("text", "")
    try:
        _check_text(text)
        provider_id = chat_message_id(_hash(token), request.form.get("client_id"))
    except ApiError as error:
        response = make_response(redirect(url_for("webchat.page", error=error.code)))
    else:
        front_door().receive(Inbound(CHANNEL, _hash(token), text, provider_id=provider_id,
                                     language=page_language(),
                                     origin=edge.origin_of_request(),
                                     command=WEB_CHAT.command(text)))
        response = make_response(redirect(url_for("webchat.page") + "#latest"))
    # A session cookie: on a shared or library computer the conversation ends with the
    # browser, and "End chat" or "Exit this page" end it at once.
    response.set_cookie(cookie(), token, httponly=True, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"], path=cookie_path())
    return response


def _forget(response: Response) -> Response:
    response.delete_cookie(cookie(), path=cookie_path(), httponly=True, samesite="Lax",
                           secure=current_app.config["SESSION_COOKIE_SECURE"])
    response.headers["Clear-Site-Data"] = '"storage"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/end")
@transactions.changes_state
def end_chat() -> Response:
    """End chat: this browser forgets the conversation (the team still has it)."""
    return _forget(make_response(redirect(url_for("webchat.page", ended="1"))))


@bp.get("/exit")
def exit_page() -> Response:
    """Exit this page: forget the conversation here and go to a harmless page at once.
    A GET, so it works as a plain link with JavaScript off."""
    return _forget(make_response(redirect(current_app.config["EXIT_PAGE_URL"])))


# -- the JSON API for the widget ----------------------------------------------------------

@bp.post("/api/conversations")
@transactions.changes_state
@csrf.exempt  # bearer-token API: no cookie is trusted, so there is nothing to forge
@new_conversation_limit
def start_conversation() -> tuple[Response, int]:
    # The body is optional; when there is one, it is the JSON object the document describes.
    body = edge.json_object('{"language": "cy"}') if request.get_data(cache=True) else {}
    if body.get("language") not in (None, *LANGUAGES):
        raise ApiError(400, "invalid_language", _("This language is not offered here."))
    token = _new_token()
    resident = Resident(channel=CHANNEL, address=_hash(token),
                        reply_language=_language_asked(body))
    db.session.add(resident)
    return jsonify({"token": token, "poll_seconds":
                    current_app.config["WEBCHAT_POLL_SECONDS"]}), 201


def _language_asked(body: object) -> str | None:
    """{"language": "cy"}: the language the page is in, when the council offers it."""
    asked = body.get("language") if isinstance(body, dict) else None
    languages = offered()
    return asked if asked in languages and len(languages) > 1 else None


@bp.post("/api/language")
@transactions.changes_state
@csrf.exempt
@limiter.limit(lambda: current_app.config["RATELIMIT_WEBCHAT"], key_func=conversation_key)
@address_limit
def choose_language() -> Response:
    """The page's "Cymraeg" / "English" link, for a conversation the widget holds."""
    resident, _token = _authorised()
    language = _language_asked(edge.json_or_none())
    if language is None:
        raise ApiError(400, "invalid_language", _("This language is not offered here."))
    resident.reply_language = language
    return jsonify({"language": language})


def _authorised() -> tuple[Resident, str]:
    token = _bearer()
    resident = _resident(token)
    if resident is None or token is None:
        raise ApiError(401, "unknown_conversation",
                       _("This conversation was not found. Start a new one."))
    return resident, token


@bp.post("/api/messages")
@transactions.changes_state
@csrf.exempt
@limiter.limit(lambda: current_app.config["RATELIMIT_WEBCHAT"], key_func=conversation_key)
@address_limit
def post_message() -> tuple[Response, int]:
    resident, token = _authorised()
    body = edge.json_object('{"text": "..."}')
    text = _check_text(body.get("text"))
    provider_id = chat_message_id(_hash(token), body.get("client_id"))
    receipt = front_door().receive(Inbound(CHANNEL, _hash(token), text, provider_id=provider_id,
                                           origin=edge.origin_of_request(),
                                           command=WEB_CHAT.command(text)))
    return jsonify({"message_id": receipt.message_id,
                    "messages": [message_json(m) for m in messages_after(
                        resident, receipt.message_id - 1)]}), 201


@bp.get("/api/messages")
def get_messages() -> Response:
    resident, _token = _authorised()
    after_text = request.args.get("after", "0").strip()
    try:
        after = edge.record_id(after_text) if after_text != "0" else 0
    except ValueError as error:
        raise ApiError(400, "invalid_after", _("'after' must be a message id.")) from error
    return jsonify({"messages": [message_json(m) for m in messages_after(resident, after)]})


@bp.get("/api/openapi.json")
def openapi() -> Response:
    from frontdoor.channels.webchat_openapi import document
    return jsonify(document(current_app.config["WEBCHAT_MAX_LENGTH"]))


@bp.get("/widget.js")
def widget() -> Response:
    language = request.args.get("lang")
    # The chat's address comes from PUBLIC_BASE_URL, never the request's Host: a cache in
    # front of this script cannot be made to send residents' chats elsewhere.
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    asked: dict[str, Any] = {"lang": language} if language in offered() else {}
    response = make_response(render_template("widget.js", chat_url=base + url_for(
        "webchat.page", embed="1", **asked)))
    response.mimetype = "text/javascript"
    response.headers["Access-Control-Allow-Origin"] = "*"
    # The same for everyone: the council's pages may cache it a while.
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
