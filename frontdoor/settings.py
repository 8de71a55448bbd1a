"""Settings, chosen by environment (FRONTDOOR_ENV): production, development or test.

Every value can be set with an environment variable of the same name; see
config/example.env for the full list with explanations.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _env_bool(name: str, default: bool) -> bool:
    value = _env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = _env(name)
    return int(value) if value is not None else default


class Config:
    """Production defaults: secure unless told otherwise."""

    ENV_NAME = "production"
    SECRET_KEY = _env("SECRET_KEY")
    # None means "a SQLite file in the instance folder", worked out in create_app.
    DATABASE_URL = _env("DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}

    # The URL Twilio is configured to call, e.g. https://frontdoor.example.gov.uk.
    # Signatures are computed over this, never over whatever Host header arrived.
    PUBLIC_BASE_URL = _env("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    # Only when a reverse proxy we control sets X-Forwarded-*: number of proxies to trust.
    TRUSTED_PROXIES = _env_int("TRUSTED_PROXIES", 0)

    TWILIO_ACCOUNT_SID = _env("TWILIO_ACCOUNT_SID")
    TWILIO_AUTH_TOKEN = _env("TWILIO_AUTH_TOKEN")
    TWILIO_FROM_NUMBER = _env("TWILIO_FROM_NUMBER")
    TWILIO_MESSAGING_SERVICE_SID = _env("TWILIO_MESSAGING_SERVICE_SID")
    # Load tests and sandboxes point this at a stub; the default is Twilio's own API.
    TWILIO_API_BASE_URL = _env("TWILIO_API_BASE_URL", "https://api.twilio.com")
    # "twilio" needs the credentials above; "console" records and shows messages (the demo).
    SMS_SENDER = _env("SMS_SENDER")

    COUNCIL_DATA_DIR = _env("COUNCIL_DATA_DIR", str(PROJECT_ROOT / "config" / "demo"))
    INTENTS_DIR = _env("INTENTS_DIR", str(PROJECT_ROOT / "intents"))
    # None means "model/ in the instance folder".
    MODEL_PATH = _env("MODEL_PATH")
    DEFAULT_REGION = _env("DEFAULT_REGION", "GB")
    TIMEZONE = _env("TIMEZONE", "Europe/London")
    WORKING_HOURS_START = _env_int("WORKING_HOURS_START", 9)
    WORKING_HOURS_END = _env_int("WORKING_HOURS_END", 17)
    BANK_HOLIDAYS_SUBDIVISION = _env("BANK_HOLIDAYS_SUBDIVISION", "ENG")

    WEBCHAT_MAX_LENGTH = _env_int("WEBCHAT_MAX_LENGTH", 1000)
    WEBCHAT_POLL_SECONDS = _env_int("WEBCHAT_POLL_SECONDS", 4)
    RATELIMIT_STORAGE_URI = _env("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_WEBCHAT = _env("RATELIMIT_WEBCHAT", "20 per minute;200 per day")
    RATELIMIT_HEADERS_ENABLED = True

    # Telling coordinators about new threads: "email" (SMTP below), "sms" (to their work
    # phone) or "console" (the demo).
    NOTIFY_CHANNEL = _env("NOTIFY_CHANNEL", "email")
    SMTP_HOST = _env("SMTP_HOST", "localhost")
    SMTP_PORT = _env_int("SMTP_PORT", 587)
    SMTP_FROM = _env("SMTP_FROM", "frontdoor@localhost")
    SMTP_USERNAME = _env("SMTP_USERNAME")
    SMTP_PASSWORD = _env("SMTP_PASSWORD")
    SMTP_STARTTLS = _env_bool("SMTP_STARTTLS", True)
    # An urgent (crisis) thread not taken in this many minutes is raised with the team lead.
    URGENT_TAKE_MINUTES = _env_int("URGENT_TAKE_MINUTES", 15)
    # Coordinators' sessions end after this long without a request.
    INBOX_IDLE_MINUTES = _env_int("INBOX_IDLE_MINUTES", 30)
    # How often an open inbox page asks for new messages (it works without JavaScript too).
    INBOX_POLL_SECONDS = _env_int("INBOX_POLL_SECONDS", 10)
    RATELIMIT_SIGN_IN = _env("RATELIMIT_SIGN_IN", "5 per minute;30 per hour")

    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", True)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None
    DEV_TOOLS = False
    TESTING = False


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    SECRET_KEY = _env("SECRET_KEY", "dev-only-not-secret")  # noqa: S105 - development only
    TWILIO_AUTH_TOKEN = _env("TWILIO_AUTH_TOKEN", "demo-auth-token")  # noqa: S105
    SMS_SENDER = _env("SMS_SENDER", "console")
    NOTIFY_CHANNEL = _env("NOTIFY_CHANNEL", "console")
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
    # The /dev/sms phone page: plays a resident's phone with properly signed webhooks.
    DEV_TOOLS = _env_bool("DEV_TOOLS", True)


class TestConfig(Config):
    ENV_NAME = "test"
    TESTING = True
    SECRET_KEY = "test-secret"  # noqa: S105 - tests only
    TWILIO_ACCOUNT_SID = "AC00000000000000000000000000000000"
    TWILIO_AUTH_TOKEN = "test-auth-token"  # noqa: S105 - tests only
    TWILIO_FROM_NUMBER = "+447700900000"
    # Twilio's REST API is reached only through `responses` in tests; an unmocked call
    # to this host fails loudly instead of reaching the network.
    TWILIO_API_BASE_URL = "https://you-forgot-to-mock-twilio.invalid"
    PUBLIC_BASE_URL = "https://frontdoor.test"
    SMS_SENDER = "fake"
    NOTIFY_CHANNEL = "recording"
    SESSION_COOKIE_SECURE = False
    RATELIMIT_ENABLED = True
    DEV_TOOLS = True


CONFIGS: dict[str, type[Config]] = {
    "production": Config,
    "development": DevelopmentConfig,
    "test": TestConfig,
}


def config_for(name: str | None) -> type[Config]:
    return CONFIGS[name or _env("FRONTDOOR_ENV", "production") or "production"]
