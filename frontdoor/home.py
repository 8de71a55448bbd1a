"""The landing page, and the probes: /healthz (alive), /readyz (able to serve), /metrics."""

from __future__ import annotations

import hmac

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> str:
    from frontdoor.demo import DEMO_PASSWORD, demo_second_factor_key, demo_sign_ins

    dev_tools = current_app.config["DEV_TOOLS"]
    return render_template("index.html", sms_number=current_app.config.get("TWILIO_FROM_NUMBER"),
                           dev_tools=dev_tools, demo_people=demo_sign_ins() if dev_tools else [],
                           demo_password=DEMO_PASSWORD, demo_key=demo_second_factor_key)


@bp.get("/accessibility")
def accessibility() -> str:
    """The accessibility statement, in the GOV.UK model wording."""
    from frontdoor.extensions import db
    from frontdoor.models import Council

    council = db.session.get(Council, 1)
    return render_template("accessibility.html",
                           site=current_app.config["PUBLIC_BASE_URL"],
                           contact=council.accessibility_contact if council else "",
                           reviewed=council.accessibility_reviewed if council else None)


@bp.get("/healthz")
def health() -> Response:
    """Liveness: the process answers. Touches nothing else, so a database outage does not
    make the supervisor restart servers that would recover by themselves."""
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def ready() -> tuple[Response, int]:
    """Readiness, as JSON: database reachable, model loaded, a worker's heartbeat under a
    minute old, and the outbox backlog. 503 when any check fails."""
    from frontdoor.health import readiness

    ok, report = readiness(current_app._get_current_object())  # type: ignore[attr-defined]
    response = jsonify(report)
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if ok else 503


@bp.get("/metrics")
def metrics() -> Response:
    """Prometheus metrics (no resident data in any label); a bearer token when configured."""
    from frontdoor.metrics import exposition
    from frontdoor.models import utcnow

    token = current_app.config.get("METRICS_TOKEN")
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if not hmac.compare_digest(given.encode(), token.encode()):
            abort(401)
    return Response(exposition(utcnow), mimetype="text/plain; version=0.0.4; charset=utf-8")
