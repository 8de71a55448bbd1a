"""The landing page and health check."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template
from werkzeug.wrappers import Response

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> str:
    return render_template("index.html", sms_number=current_app.config.get("TWILIO_FROM_NUMBER"),
                           dev_tools=current_app.config["DEV_TOOLS"])


@bp.get("/healthz")
def health() -> Response:
    return jsonify({"status": "ok"})
