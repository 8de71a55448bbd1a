"""Settings, chosen by environment (FRONTDOOR_ENV): production, development or test.

Typed with pydantic-settings: every field below can be set with an environment variable of
the same name (an empty value counts as unset); config/example.env lists them all with their
defaults. Production refuses to serve when something it needs is missing or inconsistent,
with one line naming the setting (`problems`); `frontdoor config check` prints every setting
as set, default or missing. Commands that serve nobody (classify, chat, train ...) need none.

To add a setting: one typed field on `Config` (a different default for development or tests
goes on their class), a line in config/example.env, and a rule in `problems` if production
cannot do without it.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import os
from pathlib import Path
from typing import Any, ClassVar, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

Role = Literal["web", "worker"]
# Shown as "********" by `frontdoor config check`; passwords inside URLs are hidden too.
SECRETS = {"SECRET_KEY", "TWILIO_AUTH_TOKEN", "SMTP_PASSWORD", "SENTRY_DSN", "METRICS_TOKEN"}
URLS_WITH_PASSWORDS = {"DATABASE_URL", "RATELIMIT_STORAGE_URI"}
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class SettingsError(RuntimeError):
    """A setting that is missing or inconsistent, named in one line."""


class Config(BaseSettings):
    """Production: secure unless told otherwise, and refusing to guess."""

    model_config = SettingsConfigDict(case_sensitive=True, env_ignore_empty=True,
                                      extra="ignore", validate_default=True)
    ENV_NAME: ClassVar[str] = "production"

    SECRET_KEY: str | None = None
    # Unset means "a SQLite file in the instance folder": fine for commands and the demo;
    # production servers refuse to start without it.
    DATABASE_URL: str | None = None
    # The URL Twilio is configured to call, e.g. https://frontdoor.example.gov.uk.
    # Signatures are computed over this, never over whatever Host header arrived.
    PUBLIC_BASE_URL: str = "http://127.0.0.1:5000"
    # Only when a reverse proxy we control sets X-Forwarded-For/Proto: how many to trust,
    # and their addresses (comma separated; networks allowed). A request from anywhere else
    # is taken as it came: its X-Forwarded-* headers are ignored.
    TRUSTED_PROXIES: int = Field(0, ge=0)
    TRUSTED_PROXY_ADDRESSES: str = "127.0.0.1,::1"
    # The largest request body read (bytes): a bigger one gets 413 before any of it is read.
    # Twilio's largest webhook is about 20 KB; a chat message is at most WEBCHAT_MAX_LENGTH.
    MAX_CONTENT_LENGTH: int = Field(64 * 1024, ge=8 * 1024)

    TWILIO_ACCOUNT_SID: str | None = None
    TWILIO_AUTH_TOKEN: str | None = None
    TWILIO_FROM_NUMBER: str | None = None
    TWILIO_MESSAGING_SERVICE_SID: str | None = None
    # Load tests and sandboxes point this at a stub; the default is Twilio's own API.
    TWILIO_API_BASE_URL: str = "https://api.twilio.com"
    # "twilio" needs the credentials above; "console" records and shows messages and sends
    # nothing (the demo); "fake" records for tests. Production needs an explicit choice.
    SMS_SENDER: Literal["twilio", "console", "fake"] | None = None

    COUNCIL_DATA_DIR: str = str(PROJECT_ROOT / "config" / "demo")
    INTENTS_DIR: str = str(PROJECT_ROOT / "intents")
    # Unset means "model/ in the instance folder".
    MODEL_PATH: str | None = None
    DEFAULT_REGION: str = "GB"
    TIMEZONE: str = "Europe/London"
    WORKING_HOURS_START: int = Field(9, ge=0, le=23)
    WORKING_HOURS_END: int = Field(17, ge=1, le=24)
    BANK_HOLIDAYS_SUBDIVISION: Literal["ENG", "WLS", "SCT", "NIR"] = "ENG"

    WEBCHAT_MAX_LENGTH: int = Field(1000, ge=1)
    WEBCHAT_POLL_SECONDS: int = Field(4, ge=1)
    RATELIMIT_ENABLED: bool = True
    RATELIMIT_STORAGE_URI: str = "memory://"
    # Per conversation, and per address across all its conversations (the address is the
    # one thing a client cannot choose; a library or an office shares one, so it is generous).
    RATELIMIT_WEBCHAT: str = "20 per minute;200 per day"
    RATELIMIT_WEBCHAT_ADDRESS: str = "120 per minute;3000 per day"
    # New web chats from one network address (by the API, or the page's first message):
    # generous, as a library, a school or a mobile network puts many people behind one
    # address. A burst of urgent ones reaches the lead as one alert (threads.py).
    RATELIMIT_WEBCHAT_NEW: str = "60 per minute;2000 per day"
    # Where "Exit this page" on the web chat goes (GOV.UK's pattern): a harmless page.
    EXIT_PAGE_URL: str = "https://www.bbc.co.uk/weather"
    # The council's own sites that may show the chat in a frame (the widget), as origins,
    # comma separated: https://www.derby.gov.uk,https://libraries.derby.gov.uk. No other page
    # may be framed by anyone.
    CHAT_EMBED_ORIGINS: str = ""

    # Telling coordinators about new threads: "email" (SMTP below), "sms" (to their work
    # phone), "console" (the demo) or "recording" (tests). Production needs an explicit choice.
    NOTIFY_CHANNEL: Literal["email", "sms", "console", "recording"] = "email"
    SMTP_HOST: str = "localhost"
    SMTP_PORT: int = 587
    SMTP_FROM: str = "frontdoor@localhost"
    SMTP_USERNAME: str | None = None
    SMTP_PASSWORD: str | None = None
    SMTP_STARTTLS: bool = True
    # Every conversation the front door answered alone is seen by a person within this many
    # of the council's working days (the review list; the worker reminds, then moves it on).
    REVIEW_PROMISE_WORKING_DAYS: int = Field(1, ge=1)
    # Coordinators' sessions end after this long without a request, and after this many
    # hours however busy they are.
    INBOX_IDLE_MINUTES: int = Field(30, ge=1)
    INBOX_SESSION_HOURS: int = Field(12, ge=1)
    # How often an open inbox page asks for new messages (it works without JavaScript too).
    INBOX_POLL_SECONDS: int = Field(10, ge=1)
    # Single sign-on through the council's OpenID Connect provider (Entra ID, Google
    # Workspace): on when the issuer, client id and secret are all set.
    OIDC_ISSUER: str | None = None
    OIDC_CLIENT_ID: str | None = None
    OIDC_CLIENT_SECRET: str | None = None
    OIDC_PROVIDER_NAME: str = "your council account"
    # Only these email domains may sign in through it (comma separated; empty: any).
    OIDC_EMAIL_DOMAINS: str = ""
    # Passwords (with a second factor) can be switched off once single sign-on is set up.
    PASSWORD_SIGN_IN: bool = True
    INVITATION_HOURS: int = Field(72, ge=1)
    # Failed sign-ins are counted here when set (shared by every worker), else in the database.
    REDIS_URL: str | None = None
    # Failed sign-ins before an account is locked, and for how long.
    SIGN_IN_LOCK_AFTER: int = Field(10, ge=1)
    SIGN_IN_LOCK_MINUTES: int = Field(60, ge=1)
    # Failed sign-ins from one address before it is slowed down (an office shares one).
    SIGN_IN_ADDRESS_ALLOWANCE: int = Field(30, ge=1)

    # Secure cookies (https only) with the __Host- prefix: no other site or subdomain can set
    # or read them. Off only for development on http://127.0.0.1.
    SESSION_COOKIE_SECURE: bool = True
    # Flask's debugger runs any code typed into an error page: development only, and refused
    # by production settings.
    FLASK_DEBUG: bool = False
    # The /dev/sms phone page: plays a resident's phone with properly signed webhooks.
    DEV_TOOLS: bool = False

    # Logs: JSON lines on stderr (for journald and log shippers) or plain text.
    LOG_LEVEL: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    LOG_FORMAT: Literal["json", "text"] = "json"
    # Error tracking, only when set (needs `pip install 'frontdoor[production]'`).
    SENTRY_DSN: str | None = None
    # When set, /metrics asks for "Authorization: Bearer <token>".
    METRICS_TOKEN: str | None = None
    # How often a running process looks for a newer `frontdoor load-config` (seconds).
    CONFIG_CHECK_SECONDS: float = Field(1.0, ge=0)
    # How the SMS webhook answers (frontdoor/deferred.py): "inline" in its own response;
    # "outbox": stored, acknowledged at once and answered by the worker; "auto": inline
    # while calm, by the worker while busy (at least SMS_BUSY_ANSWERING other texts being
    # answered at that moment, or a text still waiting for the worker).
    SMS_REPLIES: Literal["auto", "inline", "outbox"] = "auto"
    SMS_BUSY_ANSWERING: int = Field(1, ge=1)
    # How many residents' texts the worker sends at once through Twilio's API (each call
    # takes a few hundred milliseconds; one resident's texts always go in order).
    SEND_CONCURRENCY: int = Field(8, ge=1, le=64)

    @field_validator("TRUSTED_PROXY_ADDRESSES")
    @classmethod
    def _networks(cls, value: str) -> str:
        for part in (p.strip() for p in value.replace(" ", ",").split(",") if p.strip()):
            try:
                ipaddress.ip_network(part, strict=False)
            except ValueError as error:
                raise ValueError(f"{part!r} is not an address or network") from error
        return value

    @field_validator("CHAT_EMBED_ORIGINS")
    @classmethod
    def _origins(cls, value: str) -> str:
        for origin in embed_origins(value):
            url = urlsplit(origin)
            if url.scheme not in {"http", "https"} or not url.hostname \
                    or url.path not in {"", "/"} or url.query or url.fragment:
                raise ValueError(f"{origin!r} is not an origin like https://www.example.gov.uk")
        return value

    @field_validator("TIMEZONE")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}") from error
        return value

    def flask_config(self) -> dict[str, Any]:
        """Everything Flask and its extensions read, settings and fixed choices alike."""
        return {**self.model_dump(), "ENV_NAME": self.ENV_NAME,
                # Database errors never carry the resident's words or number as parameters.
                "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
                "SESSION_COOKIE_NAME": cookie_name("session", self.SESSION_COOKIE_SECURE),
                "DEBUG": self.FLASK_DEBUG,
                "RATELIMIT_HEADERS_ENABLED": True, "SESSION_COOKIE_HTTPONLY": True,
                "SESSION_COOKIE_SAMESITE": "Lax", "WTF_CSRF_TIME_LIMIT": None,
                "TESTING": False}


class DevelopmentConfig(Config):
    ENV_NAME: ClassVar[str] = "development"
    SECRET_KEY: str | None = "dev-only-not-secret"  # noqa: S105 - development only
    TWILIO_AUTH_TOKEN: str | None = "demo-auth-token"  # noqa: S105 - development only
    SMS_SENDER: Literal["twilio", "console", "fake"] | None = "console"
    NOTIFY_CHANNEL: Literal["email", "sms", "console", "recording"] = "console"
    SESSION_COOKIE_SECURE: bool = False
    DEV_TOOLS: bool = True
    LOG_FORMAT: Literal["json", "text"] = "text"


class TestConfig(Config):
    ENV_NAME: ClassVar[str] = "test"
    SECRET_KEY: str | None = "test-secret"  # noqa: S105 - tests only
    TWILIO_ACCOUNT_SID: str | None = "AC00000000000000000000000000000000"
    TWILIO_AUTH_TOKEN: str | None = "test-auth-token"  # noqa: S105 - tests only
    TWILIO_FROM_NUMBER: str | None = "+447700900000"
    # Twilio's REST API is reached only through `responses` in tests; an unmocked call
    # to this host fails loudly instead of reaching the network.
    TWILIO_API_BASE_URL: str = "https://you-forgot-to-mock-twilio.invalid"
    PUBLIC_BASE_URL: str = "https://frontdoor.test"
    SMS_SENDER: Literal["twilio", "console", "fake"] | None = "fake"
    NOTIFY_CHANNEL: Literal["email", "sms", "console", "recording"] = "recording"
    SESSION_COOKIE_SECURE: bool = False
    DEV_TOOLS: bool = True
    LOG_FORMAT: Literal["json", "text"] = "text"
    CONFIG_CHECK_SECONDS: float = 0.0
    # Answered inline, as each test expects; the tests of "auto" and "outbox" ask for them
    # (tests/channels/test_sms_later.py).
    SMS_REPLIES: Literal["auto", "inline", "outbox"] = "inline"
    # One send at a time, so tests can read replies in the order they were queued; the test
    # of sending side by side asks for more (tests/test_outbox.py).
    SEND_CONCURRENCY: int = 1

    @classmethod
    def settings_customise_sources(
            cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Tests see only what they pass: a developer's own SMS_SENDER=twilio or DATABASE_URL
        # in the shell must never reach a test.
        return (init_settings,)

    def flask_config(self) -> dict[str, Any]:
        return {**super().flask_config(), "TESTING": True}


CONFIGS: dict[str, type[Config]] = {
    "production": Config,
    "development": DevelopmentConfig,
    "test": TestConfig,
}


def cookie_name(name: str, secure: bool) -> str:
    """`__Host-` cookies (Secure, whole site, no Domain) when cookies are Secure: a sibling
    subdomain of the council's can then neither set nor overwrite them."""
    return f"__Host-{name}" if secure else name


def embed_origins(value: str) -> list[str]:
    return [o.strip().rstrip("/") for o in value.replace(" ", ",").split(",") if o.strip()]


def config_for(name: str | None) -> type[Config]:
    """The settings class for an environment name (default: FRONTDOOR_ENV, then production)."""
    name = name or os.environ.get("FRONTDOOR_ENV") or "production"
    if name not in CONFIGS:
        raise SettingsError(f"FRONTDOOR_ENV must be one of {', '.join(CONFIGS)}, not {name!r}")
    return CONFIGS[name]


def load_settings(env_name: str | None = None, **overrides: Any) -> Config:
    """Read the settings from the environment (and `overrides`), or say in one line why not."""
    cls = config_for(env_name)
    try:
        return cls(**overrides)
    except ValidationError as error:
        first = error.errors()[0]
        name = ".".join(str(part) for part in first["loc"]) or "settings"
        raise SettingsError(f"{name} is not valid: {first['msg']}") from None


def sender_choice(settings: Config) -> str:
    """The SMS sender in use: an explicit SMS_SENDER, else Twilio when it has an account."""
    if settings.SMS_SENDER:
        return settings.SMS_SENDER
    return "twilio" if settings.TWILIO_ACCOUNT_SID else "console"


Problem = tuple[str, str]


def problems(settings: Config, role: Role) -> list[Problem]:
    """What stops `role` serving in production, as (setting, one-line reason) pairs.

    "web" serves requests (gunicorn, `frontdoor run`); "worker" sends replies and
    notifications (`frontdoor worker`). Development and tests are never refused. The first
    one found is the one `require` names, so the order is the order to fix them in."""
    if settings.ENV_NAME != "production":
        return []
    return [*(_secret_problems(settings) if role == "web" else []),
            *_unset(settings, "DATABASE_URL", "production keeps residents' messages in the "
                    "council's PostgreSQL (postgresql+psycopg://user:password@host:5432/"
                    "frontdoor)"),
            *_address_problems(settings), *_sender_problems(settings),
            *_notify_problems(settings),
            *(_debugging_problems(settings) if role == "web" else []),
            *_installed_problems(settings)]


def _unset(settings: Config, name: str, why: str) -> list[Problem]:
    return [] if name in settings.model_fields_set else [(name, f"{name} is not set: {why}")]


def _secret_problems(settings: Config) -> list[Problem]:
    found = _unset(settings, "SECRET_KEY", "sessions and forms need a long random secret "
                   "(python -c 'import secrets; print(secrets.token_hex(32))')")
    if settings.SECRET_KEY and len(settings.SECRET_KEY) < 32:
        found.append(("SECRET_KEY", "SECRET_KEY is too short: use at least 32 random "
                                    "characters"))
    return found


def _address_problems(settings: Config) -> list[Problem]:
    if "PUBLIC_BASE_URL" not in settings.model_fields_set:
        return _unset(settings, "PUBLIC_BASE_URL",
                      "the public https:// address Twilio calls and links point to")
    url = urlsplit(settings.PUBLIC_BASE_URL)
    if url.scheme not in {"http", "https"} or not url.hostname:
        return [("PUBLIC_BASE_URL", "PUBLIC_BASE_URL must be an address such as "
                                    "https://frontdoor.example.gov.uk")]
    if url.scheme != "https" and url.hostname not in LOOPBACK:
        # Twilio signs, and residents type, the https address; plain http is only for a
        # trial on this machine.
        return [("PUBLIC_BASE_URL", "PUBLIC_BASE_URL must start with https://")]
    return []


def _sender_problems(settings: Config) -> list[Problem]:
    sender = settings.SMS_SENDER
    if sender is None and not settings.TWILIO_ACCOUNT_SID:
        return [("SMS_SENDER", "SMS_SENDER is not set: set SMS_SENDER=twilio with the "
                               "TWILIO_* settings, or choose SMS_SENDER=console to send "
                               "nothing and only record replies")]
    if sender == "fake":
        return [("SMS_SENDER", "SMS_SENDER=fake is for tests: use twilio (or console "
                               "to send nothing)")]
    if sender_choice(settings) != "twilio":
        return []
    found = [*_unset(settings, "TWILIO_ACCOUNT_SID", "SMS_SENDER=twilio needs the account"),
             *_unset(settings, "TWILIO_AUTH_TOKEN", "SMS_SENDER=twilio needs it (it also "
                     "checks every webhook's signature)")]
    if not (settings.TWILIO_FROM_NUMBER or settings.TWILIO_MESSAGING_SERVICE_SID):
        found.append(("TWILIO_FROM_NUMBER", "TWILIO_FROM_NUMBER is not set (nor "
                                            "TWILIO_MESSAGING_SERVICE_SID): Twilio needs "
                                            "a number or a Messaging Service to send from"))
    return found


def _notify_problems(settings: Config) -> list[Problem]:
    channel = settings.NOTIFY_CHANNEL
    if "NOTIFY_CHANNEL" not in settings.model_fields_set:
        return [("NOTIFY_CHANNEL", "NOTIFY_CHANNEL is not set: email (with SMTP_HOST "
                                   "and SMTP_FROM), sms (to work phones) or console")]
    if channel == "recording":
        return [("NOTIFY_CHANNEL", "NOTIFY_CHANNEL=recording is for tests")]
    if channel == "email":
        return [*_unset(settings, "SMTP_HOST", "NOTIFY_CHANNEL=email needs the council's "
                        "mail server"),
                *_unset(settings, "SMTP_FROM", "NOTIFY_CHANNEL=email needs the address "
                        "notifications come from")]
    if channel == "sms" and sender_choice(settings) != "twilio":
        return [("NOTIFY_CHANNEL", "NOTIFY_CHANNEL=sms needs SMS_SENDER=twilio: "
                                   "coordinators' work phones are texted through Twilio")]
    return []


def _debugging_problems(settings: Config) -> list[Problem]:
    found = []
    if settings.FLASK_DEBUG:
        found.append(("FLASK_DEBUG", "FLASK_DEBUG must be off in production: the debugger "
                                     "runs any code typed into an error page"))
    if settings.DEV_TOOLS:
        found.append(("DEV_TOOLS", "DEV_TOOLS must be off in production: /dev/sms shows "
                                   "any number's conversation"))
    return found


def _installed_problems(settings: Config) -> list[Problem]:
    found = []
    if settings.RATELIMIT_STORAGE_URI.startswith(("redis://", "rediss://")) \
            and importlib.util.find_spec("redis") is None:
        found.append(("RATELIMIT_STORAGE_URI", "RATELIMIT_STORAGE_URI uses Redis but the "
                                               "Redis client is not installed: pip install "
                                               "'frontdoor[production]'"))
    if settings.SENTRY_DSN and importlib.util.find_spec("sentry_sdk") is None:
        found.append(("SENTRY_DSN", "SENTRY_DSN is set but sentry-sdk is not installed: "
                                    "pip install 'frontdoor[production]'"))
    return found


def require(settings: Config, role: Role) -> None:
    """Refuse to serve as `role` with the first problem, in one line naming the setting."""
    found = problems(settings, role)
    if found:
        raise SettingsError(found[0][1])


def shown(settings: Config, name: str) -> str:
    """A setting's value as `frontdoor config check` prints it: secrets hidden."""
    value = getattr(settings, name)
    if value is None:
        return ""
    if name in SECRETS:
        return "********"
    if name in URLS_WITH_PASSWORDS:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError
        try:
            return make_url(str(value)).render_as_string(hide_password=True)
        except ArgumentError:
            return str(value)
    return str(value)
