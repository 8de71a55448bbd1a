"""The resident's rights, for team leads: everything held (JSON and a readable page),
a safeguarding hold, erasure with a reason. Logic in frontdoor/rights.py."""

from __future__ import annotations

import json

from flask import Response, flash, g, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from frontdoor import rights, transactions
from frontdoor.extensions import db
from frontdoor.inbox import access, auth
from frontdoor.inbox.outcomes import _back
from frontdoor.inbox.views import _now, _today, bp
from frontdoor.models import Resident


def _resident(resident_id: int) -> Resident:
    return access.resident_for(g.me, resident_id, _today())


@bp.get("/residents/<int:resident_id>/export.json")
@auth.lead_only
def export_json(resident_id: int) -> Response:
    resident = _resident(resident_id)
    rights.record_export(resident, g.me, _now(), "json")
    record = rights.everything_about(resident)
    return Response(json.dumps(record, indent=2, ensure_ascii=False),
                    mimetype="application/json", headers={
                        "Content-Disposition":
                            f'attachment; filename="resident-{resident.id}.json"',
                        "Cache-Control": "no-store"})


@bp.get("/residents/<int:resident_id>/export")
@auth.lead_only
def export_page(resident_id: int) -> BaseResponse:
    resident = _resident(resident_id)
    rights.record_export(resident, g.me, _now(), "html")
    record = rights.everything_about(resident)
    response = Response(render_template("inbox/resident_export.html", record=record,
                                        standalone=False))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/residents/<int:resident_id>/erase")
@transactions.changes_state
@auth.lead_only
def erase(resident_id: int) -> BaseResponse:
    resident = _resident(resident_id)
    if request.form.get("confirm") != "yes":
        flash("Tick the box to confirm: erasure cannot be undone.", "error")
        return _back(resident, "#erase")
    try:
        removed = rights.erase(resident, g.me, request.form.get("reason", ""),
                               request.form.get("reference", ""), _now())
    except (rights.Refused, ValueError) as error:
        db.session.rollback()
        flash(str(error), "error")
        return _back(resident, "#erase")
    flash(f"Erased: {removed.messages} messages emptied and {removed.notes} notes deleted. "
          "Only counts remain.", "success")
    return _back(resident)


@bp.post("/residents/<int:resident_id>/hold")
@transactions.changes_state
@auth.lead_only
def hold(resident_id: int) -> BaseResponse:
    resident = _resident(resident_id)
    on = request.form.get("hold") == "on"
    try:
        rights.set_hold(resident, g.me, on, request.form.get("reason", ""), _now())
    except rights.Refused as error:
        db.session.rollback()
        flash(str(error), "error")
        return _back(resident, "#hold")
    flash("Safeguarding hold on: the record is kept until a lead lifts it." if on
          else "Safeguarding hold lifted.", "success")
    return _back(resident, "#hold")
