"""frontdoor: one accessible front door (SMS and web chat) to a council's Local Area
Coordinators. create_app() is the one place that wires config, database, channels and
triage together and chooses adapters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask, Response, request

from frontdoor.settings import Role, config_for, load_settings, require

MIGRATIONS = str(Path(__file__).parent / "migrations")


def create_app(config: dict[str, Any] | None = None, role: Role | None = "web", *,
               triage: Any = None) -> Flask:
    """The app, with settings from the environment and `config` (ENV_NAME picks the class).

    `triage` reads messages instead of the trained pipeline at MODEL_PATH (loaded on first
    use: engine.load_triage): a test's stand-in (tests/fakes.py FakeTriage) or a pipeline
    already loaded.

    `role` is what this process will do: "web" (the default: gunicorn, `frontdoor run`) and
    "worker" refuse missing production settings with one line naming the setting
    (SettingsError); None (other commands) refuses nothing."""
    app = Flask(__name__, instance_relative_config=True)
    overrides = dict(config or {})
    cls = config_for(overrides.pop("ENV_NAME", None))
    fields = {k: overrides.pop(k) for k in list(overrides) if k in cls.model_fields}
    settings = load_settings(cls.ENV_NAME, **fields)
    if role is not None:
        require(settings, role)
    app.config.update(settings.flask_config())
    app.config.update(overrides)    # Flask's own keys, e.g. WTF_CSRF_ENABLED in a test
    app.extensions["frontdoor.settings"] = settings
    if triage is not None:
        app.extensions["frontdoor.triage"] = triage
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config["SQLALCHEMY_DATABASE_URI"] = app.config.get("DATABASE_URL") or (
        f"sqlite:///{Path(app.instance_path) / 'frontdoor.db'}")

    from frontdoor import logs
    logs.init_app(app)

    from frontdoor import connections, edge, errors
    from frontdoor.extensions import csrf, db, limiter, migrate

    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = connections.engine_options(
        app.config["SQLALCHEMY_DATABASE_URI"], app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS)
    csrf.init_app(app)
    limiter.init_app(app)
    errors.init_app(app)
    from frontdoor import i18n
    i18n.init_app(app)
    edge.init_app(app)   # before the blueprints: their `<int:...>` routes use its converter
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            _sqlite_pragmas(db.engine)
        connections.watch_for_goodbyes(db.engine)
    if app.config["TRUSTED_PROXIES"]:
        app.wsgi_app = edge.TrustedProxies(  # type: ignore[method-assign]
            app.wsgi_app, app.config["TRUSTED_PROXIES"], app.config["TRUSTED_PROXY_ADDRESSES"])

    from frontdoor import home
    from frontdoor.channels import Channel, dev, sms, webchat
    from frontdoor.channels import webchat_phone as _phone  # noqa: F401  (routes on webchat.bp)

    app.register_blueprint(home.bp)
    app.register_blueprint(sms.bp)
    app.register_blueprint(webchat.bp)
    app.register_blueprint(dev.bp)
    # What the engine asks of each channel (frontdoor/inbound.py Channel), by name.
    channels: dict[str, Channel] = {sms.SMS.name: sms.SMS,
                                    webchat.WEB_CHAT.name: webchat.WEB_CHAT}
    app.extensions["frontdoor.channels"] = channels

    # The coordinator's workspace: its routes join the inbox blueprint from their own modules.
    # More pages on the inbox blueprint, in their own modules: imported before it is used.
    from frontdoor.inbox import (  # noqa: F401  # noqa: F401
        keeping_up,
        outcomes,
        pause,
        reports,
        residents,
        rights,
        saved_replies,
        search,
    )
    from frontdoor.inbox import review as review_pages
    from frontdoor.inbox import views as inbox

    app.register_blueprint(inbox.bp)
    app.register_blueprint(review_pages.bp)

    from frontdoor import cli
    cli.init_app(app)
    _choose_adapters(app)

    @app.context_processor
    def council_details() -> dict[str, str]:
        from frontdoor.models import Council
        try:
            council = db.session.get(Council, 1)
        except sa.exc.SQLAlchemyError:
            council = None
        return {"council_name": council.name if council else "Your council",
                "privacy_notice_url": council.privacy_notice_url if council else ""}

    app.after_request(_security_headers(app))
    from frontdoor import transactions
    transactions.init_app(app)
    return app


# Powerful browser features no page here uses: refused, for any script that got in.
PERMISSIONS_POLICY = ("camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
                      "serial=(), bluetooth=(), hid=(), midi=(), browsing-topics=()")
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}")


def _security_headers(app: Flask) -> Any:
    """Headers on every response: what it may load, who may frame it, that it is never
    kept by a browser or cache (residents use shared council and library computers), and
    HSTS in production."""
    from frontdoor.settings import embed_origins

    def security_headers(response: Response) -> Response:
        config = app.config
        # Only the chat page may be framed (the widget's dialog, on the council's sites);
        # the inbox, with its reply and close buttons, never, not even by this site.
        chat_page = request.endpoint in {"webchat.page", "webchat.post_from_page"}
        ancestors = " ".join(["'self'", *embed_origins(config["CHAT_EMBED_ORIGINS"])]) \
            if chat_page else "'none'"
        response.headers.setdefault("Content-Security-Policy", CSP.format(ancestors=ancestors))
        if not chat_page:
            response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if config["ENV_NAME"] == "production" and config["PUBLIC_BASE_URL"].startswith("https:"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if request.endpoint != "static" and "Cache-Control" not in response.headers:
            # Pages and API answers carry residents' words: no browser history, back button
            # cache or shared proxy keeps them. Static files and the widget script say
            # otherwise themselves.
            response.headers["Cache-Control"] = "no-store"
        return response

    return security_headers


def _sqlite_pragmas(engine: sa.Engine) -> None:
    @sa.event.listens_for(engine, "connect")
    def on_connect(connection: Any, _record: Any) -> None:
        cursor = connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        if not str(engine.url).endswith(":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


def _status_callback_url(app: Flask) -> str:
    """Where Twilio reports what became of a text: the SMS channel's status route, at the
    public address Twilio signs its callbacks for (PUBLIC_BASE_URL, with any path)."""
    from flask import url_for

    # No request is being served here: a request context at the public address lets
    # url_for build the route's full address from the routes themselves.
    with app.test_request_context(base_url=app.config["PUBLIC_BASE_URL"]):
        return url_for("sms.status", _external=True)


def _choose_adapters(app: Flask) -> None:
    """The one place that picks concrete senders: Twilio or a recording stand-in."""
    from frontdoor import notify, outbox
    from frontdoor.channels.senders import (
        RecordingSmsSender,
        SmsSender,
        TwilioSmsSender,
        UnconfiguredSmsSender,
    )
    from frontdoor.models import utcnow
    from frontdoor.settings import sender_choice

    config = app.config
    sms: SmsSender
    twilio = sender_choice(app.extensions["frontdoor.settings"]) == "twilio"
    if twilio and not (config["TWILIO_ACCOUNT_SID"] and config["TWILIO_AUTH_TOKEN"] and (
            config["TWILIO_FROM_NUMBER"] or config["TWILIO_MESSAGING_SERVICE_SID"])):
        # Only a command that sends nothing gets this far (servers are refused at start-up):
        # a reply it queues waits, marked "Twilio is not configured", rather than faking it.
        sms = UnconfiguredSmsSender()
    elif twilio:
        sms = TwilioSmsSender(
            config["TWILIO_ACCOUNT_SID"], config["TWILIO_AUTH_TOKEN"],
            from_number=config["TWILIO_FROM_NUMBER"],
            messaging_service_sid=config["TWILIO_MESSAGING_SERVICE_SID"],
            api_base_url=config["TWILIO_API_BASE_URL"],
            status_callback=_status_callback_url(app))
    else:
        sms = RecordingSmsSender()
    notifier: notify.Notifier = {
        "email": lambda: notify.EmailNotifier(
            config["SMTP_HOST"], config["SMTP_PORT"], config["SMTP_FROM"],
            config["SMTP_USERNAME"], config["SMTP_PASSWORD"], config["SMTP_STARTTLS"]),
        "sms": lambda: notify.SmsNotifier(sms),
        "console": notify.ConsoleNotifier,
        "recording": notify.RecordingNotifier,
    }[config["NOTIFY_CHANNEL"]]()
    app.extensions["frontdoor.sms_sender"] = sms
    # What time it is, for the engine, the inbox and the worker alike (tests set a clock).
    app.extensions.setdefault("frontdoor.clock", utcnow)
    from frontdoor.engine import hours_for

    app.extensions["frontdoor.alerts"] = outbox.Alerts(
        notifier, config["PUBLIC_BASE_URL"], hours_for(app))
    # Engine listeners for each handoff (metrics, say); notifications come from threads.py.
    app.extensions["frontdoor.handoff_listeners"] = []
