"""The landing page and health check."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template
from werkzeug.wrappers import Response

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> str:
    return render_template("index.html", sms_number=current_app.config.get("TWILIO_FROM_NUMBER"),
                           dev_tools=current_app.config["DEV_TOOLS"])


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
    return jsonify({"status": "ok"})
