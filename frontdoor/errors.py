"""Domain errors mapped to HTTP in one place: JSON for APIs, pages for people."""

from __future__ import annotations

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_limiter.errors import RateLimitExceeded
from werkzeug.exceptions import HTTPException

# Page titles for the errors a resident may meet (in Welsh on a Welsh page); others keep
# the HTTP name.
TITLES = {400: lazy_gettext("Something was wrong with that request"),
          403: lazy_gettext("You cannot see this page"),
          404: lazy_gettext("Page not found"),
          500: lazy_gettext("Something went wrong")}


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _wants_json() -> bool:
    return request.path.startswith("/chat/api/") or request.path.startswith("/api/")


def _json(status: int, code: str, message: str) -> tuple[Response, int]:
    return jsonify({"error": {"code": code, "message": message}}), status


def answer(error: ApiError) -> tuple[Response, int]:
    """The API's refusal as a response, for a view that returns it rather than raising:
    what it wrote before refusing (a wrong code's try) is kept, where raising rolls back."""
    return _json(error.status, error.code, error.message)


def init_app(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def api_error(error: ApiError) -> tuple[Response, int]:
        return answer(error)

    @app.errorhandler(RateLimitExceeded)
    def rate_limited(error: RateLimitExceeded) -> tuple[Response | str, int]:
        if error.description == "new_chats":
            # Many people share one address (a library, a mobile network): say what is busy.
            said = _("A lot of new chats are starting from your network just now. Please "
                     "try again in a few minutes. In an emergency call 999.")
            if _wants_json():
                return _json(429, "busy", said)
            return render_template("error.html", status=429, message=said), 429
        if _wants_json():
            return _json(429, "rate_limited", _("Too many messages. Please wait a minute."))
        return render_template("error.html", status=429,
                               message=_("Too many messages. Please wait a minute.")), 429

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[Response | str, int]:
        status = error.code or 500
        if request.path.startswith("/sms/"):
            return Response("", status=status), status
        if _wants_json():
            return _json(status, error.name.lower().replace(" ", "_"),
                         error.description or error.name)
        return render_template("error.html", status=status,
                               message=str(TITLES.get(status, error.name))), status
