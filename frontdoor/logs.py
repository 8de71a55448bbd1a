"""Logs that are useful and private: JSON lines (or text) on stderr for the web server and the
worker, at LOG_LEVEL, with phone numbers, postcodes and email addresses scrubbed from every
line and traceback, and the same scrubbing for Sentry when SENTRY_DSN is set.

Scrubbing is the second line of defence: the first is never logging what residents wrote
and never letting the database print statement parameters (`hide_parameters`)."""

from __future__ import annotations

import logging
import re
import sys
import threading
import traceback
from collections.abc import Mapping
from types import TracebackType
from typing import IO, Any

from flask import Flask
from pythonjsonlogger.json import JsonFormatter

# Phone numbers: 9 to 15 digits, with single spaces or dashes between them, a country code
# with an optional "(0)", or an area code in brackets ("+44 (0)7700 900123", "07700-900123",
# "(01332) 293111", "447700900123"). Not inside a longer token (Twilio's SIDs and hex ids are
# left alone), not a date and time ("2026-11-24 10"), not a decimal.
_PHONE = re.compile(r"(?<![\w.+])(?!\d{4}-\d\d-\d\d)"
                    r"(?:(?:\+|00)\d{1,3}[ \-]?(?:\(0\)[ \-]?)?|\(\d{2,5}\)[ \-]?)?"
                    r"\d(?:[ \-]?\d){4,14}(?![\w.])")


def _phone(match: re.Match[str]) -> str:
    digits = sum(c.isdigit() for c in match.group())
    return "[number]" if 9 <= digits <= 17 else match.group()


# UK postcodes, spaced or not, any case ("DE23 8AB", "de238ab", "DE23-8AB").
POSTCODE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{1,2}\d[A-Za-z\d]?[ \-]{0,2}\d[A-Za-z]{2}"
                      r"(?![A-Za-z0-9])")
EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
# PostgreSQL's error details repeat the values of the row: the conflicting key of a unique
# violation, or the whole row (message text included) of a NOT NULL or CHECK violation.
ROW_VALUES = re.compile(r"(Key \([^)]*\)=\().*?(\) (?:already exists|is not present|"
                        r"conflicts))|(Failing row contains \().*?(\))(?=\.?(?:\\n|\n|\"|$))",
                        re.MULTILINE)


def scrub(text: str) -> str:
    """The text with numbers, postcodes, emails and database row values replaced."""
    text = ROW_VALUES.sub(lambda m: (m.group(1) or m.group(3)) + "…" + (m.group(2)
                                                                         or m.group(4)), text)
    text = EMAIL.sub("[email]", text)
    text = _PHONE.sub(_phone, text)
    return POSTCODE.sub("[postcode]", text)


class ScrubFilter(logging.Filter):
    """Rewrites a record in place, message and traceback, so this handler and any after it
    see it scrubbed."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the line, nor leak its args
            message = str(record.msg)
        record.msg = scrub(message)
        record.args = None
        if record.exc_info:
            record.exc_text = scrub("".join(traceback.format_exception(*record.exc_info))
                                    ).rstrip("\n")
            # Formatters re-render exc_info when it is there; the scrubbed text is enough.
            record.exc_info = None
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


class ScrubbingJsonFormatter(JsonFormatter):
    """One JSON object a line; the whole line is scrubbed again, extra fields included."""

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


class ScrubbingTextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


def formatter(kind: str) -> logging.Formatter:
    if kind == "json":
        return ScrubbingJsonFormatter(
            "{asctime}{levelname}{name}{message}", style="{",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            timestamp=False, json_ensure_ascii=False)
    return ScrubbingTextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")


HANDLER_NAME = "frontdoor"
# Libraries that narrate every call at INFO: Twilio's client prints each request's headers,
# Alembic its plugins on import. Their warnings and errors still show.
NOISY = ("twilio.http_client", "alembic.runtime.plugins")


def stderr_handler(kind: str = "json", stream: IO[str] | None = None) -> logging.Handler:
    """Our one handler: scrubbed records to stderr (deploy/gunicorn.conf.py uses it too)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(formatter(kind))
    handler.addFilter(ScrubFilter())
    return handler


def configure(level: str = "INFO", kind: str = "json", stream: IO[str] | None = None) -> None:
    """Send every log record (ours, Flask's, SQLAlchemy's, gunicorn's) to stderr, scrubbed.

    Idempotent: a second call replaces the handler it added, and leaves other handlers (a
    test runner's) alone. Uncaught exceptions in any thread are logged the same way, so a
    crash's traceback is scrubbed too."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == HANDLER_NAME:
            root.removeHandler(handler)
    root.addHandler(stderr_handler(kind, stream))
    root.setLevel(level)
    for noisy in NOISY:
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    sys.excepthook = _log_uncaught
    threading.excepthook = _log_uncaught_in_thread


_crash = logging.getLogger("frontdoor.crash")


def _log_uncaught(kind: type[BaseException], error: BaseException,
                  tb: TracebackType | None) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, error, tb)
        return
    _crash.critical("stopped by an uncaught %s", kind.__name__, exc_info=(kind, error, tb))


def _log_uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is not None:
        _log_uncaught(args.exc_type, args.exc_value, args.exc_traceback)


def init_app(app: Flask) -> None:
    """Logging for this process at LOG_LEVEL, and Sentry when SENTRY_DSN is set.

    Tests configure logging themselves, so pytest's own capture stays in charge there."""
    if not app.testing:
        configure(app.config["LOG_LEVEL"], app.config["LOG_FORMAT"])
    if app.config.get("SENTRY_DSN"):
        init_sentry(app.config["SENTRY_DSN"], app.config["ENV_NAME"])


def init_sentry(dsn: str, environment: str, **options: Any) -> None:
    """Error tracking that sends no resident data: no request bodies, cookies, local
    variables or user details, and every string of an event scrubbed before it leaves."""
    import sentry_sdk
    from sentry_sdk.integrations.flask import FlaskIntegration

    sentry_sdk.init(
        dsn=dsn, environment=environment, integrations=[FlaskIntegration()],
        include_local_variables=False, max_request_body_size="never",
        before_send=scrub_event, before_breadcrumb=scrub_breadcrumb, **options)


def _scrubbed(value: Any) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, Mapping):
        return {key: _scrubbed(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrubbed(item) for item in value]
    return value


def scrub_event(event: Any, hint: Any) -> Any:
    """Sentry's before_send: the query string, cookies and body go; every string is scrubbed."""
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("query_string", "cookies", "data", "env"):
            request.pop(key, None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {k: v for k, v in headers.items()
                                  if k.lower() not in {"cookie", "authorization"}}
    event.pop("user", None)
    return _scrubbed(event)


def scrub_breadcrumb(crumb: Any, hint: Any) -> Any:
    return _scrubbed(crumb)
