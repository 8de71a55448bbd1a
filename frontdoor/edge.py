"""What arrives at the edge, cleaned and bounded before it reaches triage or a column.

A signed Twilio request is stored whatever it carries (its odd fields are cleaned here, see
channels/sms.py); everything else that is malformed gets a clear 4xx, never a 500:
NUL bytes (PostgreSQL text cannot hold them), ids beyond what an integer column holds,
JSON nested past reason or carrying lone surrogates (which cannot be stored as UTF-8)."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
import unicodedata
from typing import Any

from flask import Flask, abort, current_app, request
from werkzeug.routing import IntegerConverter

from frontdoor.errors import ApiError

# Every id column is a 32-bit integer: bigger numbers cannot name a row.
LARGEST_ID = 2**31 - 1
# JSON from the chat widget is one flat object; anything deeper is not ours.
JSON_DEPTH = 8
_PRINTABLE_ID = re.compile(r"^[A-Za-z0-9_.:-]+$")


class RecordId(IntegerConverter):
    """`<int:...>` in a route, up to the largest id a column holds (beyond it: 404)."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:  # noqa: A002 (werkzeug's name)
        kwargs.setdefault("max", LARGEST_ID)
        super().__init__(map, *args, **kwargs)


def record_id(value: str) -> int:
    """A row id from a query or form field; ValueError (so `type=` gives None) otherwise."""
    if not value.isascii() or not value.isdigit() or len(value) > 10:
        raise ValueError("not a record id")
    number = int(value)
    if not 0 < number <= LARGEST_ID:
        raise ValueError("not a record id")
    return number


def no_controls(value: str) -> str:
    """The value without NUL and other control characters (newlines and tabs too)."""
    if value.isprintable():
        return value
    return "".join(c for c in value if unicodedata.category(c) not in {"Cc", "Cs"})


def bounded_id(raw: str, limit: int = 64) -> str | None:
    """A provider's id as sent when it is a plain id that fits; otherwise a digest of exactly
    what was sent, so a retry of the same odd id is still recognised as the same message."""
    if not raw:
        return None
    if len(raw) <= limit and _PRINTABLE_ID.match(raw):
        return raw
    return "h-" + hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:limit - 2]


def bounded_text(raw: str, limit: int) -> str:
    """Cleaned text that fits a column of `limit` characters: when it would not, its start
    and a digest of the whole, so two different long values never become one."""
    value = no_controls(raw).strip()
    if len(value) <= limit:
        return value
    digest = hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"{value[:limit - 18]}~{digest}"


def bounded_count(raw: str | None, largest: int) -> int:
    """A count a provider sent (NumMedia): 0 when it is not a number, at most `largest`."""
    text = (raw or "").strip()
    if not text.isascii() or not text.isdigit():
        return 0
    return min(int(text[:12]), largest)


def utf8(value: str) -> str:
    """The value when it can be stored as UTF-8 (no lone surrogates); ValueError if not."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValueError("lone surrogate") from error
    return value


def json_or_none() -> Any:
    """The request's JSON, or None when there is none or it cannot be read."""
    try:
        return request.get_json(silent=True)
    except RecursionError:   # nested far past anything the widget sends
        return None


def json_object(example: str) -> dict[str, Any]:
    """The request's JSON object, or a 400 that says what to send instead."""
    body = json_or_none()
    if not isinstance(body, dict) or _depth(body) > JSON_DEPTH:
        raise ApiError(400, "invalid_json", f"Send JSON like {example}.")
    return body


def _depth(value: Any, level: int = 1) -> int:
    if level > JSON_DEPTH:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level)
    return level


# -- who is asking: the address the client cannot choose --------------------------------------

def client_address() -> str:
    """The client's address: the TCP peer, or what our own proxies say it is (create_app
    believes X-Forwarded-For only from TRUSTED_PROXY_ADDRESSES)."""
    return request.remote_addr or "unknown"


def address_key(address: str | None = None) -> str:
    """An IPv4 address, or the /64 of an IPv6 one (a household or phone has a whole /64, and
    could otherwise pick a new address for every request)."""
    address = address if address is not None else client_address()
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def origin_of_request() -> str:
    """Where a web-chat message came from, as a keyed digest: threads from one address can
    be grouped (threads.py) without the address itself being stored."""
    key = (current_app.config.get("SECRET_KEY") or "").encode()
    return hmac.new(key, address_key().encode(), hashlib.sha256).hexdigest()[:32]


class TrustedProxies:
    """ProxyFix, believed only when the request comes from one of our own proxies: anyone
    else's X-Forwarded-For is ignored, so it can neither pick the address a limit counts
    against nor dodge one. The host is never taken from headers: every absolute address the
    app makes is built from PUBLIC_BASE_URL."""

    def __init__(self, app: Any, count: int, proxies: str) -> None:
        from werkzeug.middleware.proxy_fix import ProxyFix

        self.app = app
        self.fixed = ProxyFix(app, x_for=count, x_proto=count)
        self.networks = [ipaddress.ip_network(p.strip(), strict=False)
                         for p in proxies.replace(" ", ",").split(",") if p.strip()]

    def _from_proxy(self, peer: str) -> bool:
        try:
            ip = ipaddress.ip_address(peer)
        except ValueError:
            return False
        return any(ip in network for network in self.networks)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if self._from_proxy(environ.get("REMOTE_ADDR", "")):
            return self.fixed(environ, start_response)
        return self.app(environ, start_response)


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = RecordId

    @app.before_request
    def refuse_nul() -> None:
        # PostgreSQL text cannot hold NUL, and no form or address of ours has a use for one.
        # The SMS webhook cleans its fields itself: a signed text is stored whatever it holds.
        if request.blueprint == "sms":
            return
        values = [request.path, *(v for _, v in request.args.items(multi=True))]
        if request.mimetype in {"application/x-www-form-urlencoded", "multipart/form-data"}:
            values += [v for _, v in request.form.items(multi=True)]
        if any("\x00" in value for value in values):
            abort(400)
