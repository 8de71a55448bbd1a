"""A lead's switch to pause the front door, with a reason, audited. While it is paused every
message goes straight to a person, with an honest reply; crisis replies still go out
(frontdoor/conversations.py checks the switch after the crisis check)."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from frontdoor import transactions
from frontdoor.extensions import db
from frontdoor.inbox import auth
from frontdoor.inbox.views import _audit, _now, bp
from frontdoor.models import Council

REASON_LIMIT = 200


def _council() -> Council:
    council = db.session.get(Council, 1)
    if council is None:
        raise LookupError("no council configured: run `frontdoor load-config`")
    return council


@bp.get("/front-door")
@auth.lead_only
def front_door_switch() -> str:
    return render_template("inbox/front_door.html", council=_council(),
                           reason_limit=REASON_LIMIT)


@bp.post("/front-door/pause")
@transactions.changes_state
@auth.lead_only
def pause_front_door() -> Response:
    reason = " ".join(request.form.get("reason", "").split())[:REASON_LIMIT]
    if not reason:
        flash("Say why the front door is paused: the team sees it, and so does the audit.",
              "error")
        return redirect(url_for("inbox.front_door_switch"))
    council = _council()
    council.paused_at, council.pause_reason, council.paused_by_id = _now(), reason, g.me.id
    _audit("pause_front_door", detail=reason)
    flash("The front door is paused: every message now goes straight to a person.", "success")
    return redirect(url_for("inbox.front_door_switch"))


@bp.post("/front-door/resume")
@transactions.changes_state
@auth.lead_only
def resume_front_door() -> Response:
    council = _council()
    if council.paused_at is not None:
        council.paused_at = council.pause_reason = council.paused_by_id = None
        _audit("resume_front_door")
        flash("The front door is answering again.", "success")
    return redirect(url_for("inbox.front_door_switch"))
