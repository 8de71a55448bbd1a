"""A resident's outcomes page (/inbox/residents/<id>/outcomes): scores in the council's
outcome domains recorded with them at the start and at each review, demand avoided,
directory entries they were pointed to and what they said when asked 'did it help?'.
Leads also find the resident's rights here: export, safeguarding hold, erasure."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from flask import flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from frontdoor import followups, outcomes, rights, transactions
from frontdoor.edge import record_id
from frontdoor.extensions import db
from frontdoor.inbox import access, auth
from frontdoor.inbox.views import _now, _today, bp
from frontdoor.models import DirectoryEntry, OutcomeReview, Resident, Thread


def _resident(resident_id: int) -> Resident:
    return access.resident_for(g.me, resident_id, _today())


def _back(resident: Resident, anchor: str = "") -> Response:
    return redirect(url_for("inbox.resident_outcomes", resident_id=resident.id) + anchor)


@bp.get("/residents/<int:resident_id>/outcomes")
@auth.signed_in
def resident_outcomes(resident_id: int) -> str:
    resident = _resident(resident_id)
    outcomes.audit(g.me, "view_outcomes", resident, "", _now())
    reviews = outcomes.reviews_for(resident)
    latest_thread = db.session.scalar(sa.select(Thread).where(
        Thread.resident_id == resident.id).order_by(Thread.id.desc()).limit(1))
    entries = db.session.scalars(sa.select(DirectoryEntry).order_by(
        DirectoryEntry.kind, DirectoryEntry.name)).all()
    return render_template(
        "inbox/outcomes.html", resident=resident, reviews=reviews,
        domains=outcomes.domains(), domain_labels=outcomes.labels("domain"),
        demand_events=outcomes.domains("demand"), demand_labels=outcomes.labels("demand"),
        demand_avoided=outcomes.demand_avoided_for(resident), stages=outcomes.STAGES,
        follow_ups=followups.follow_ups_for(resident), answers=followups.ANSWER_WORDS,
        entries=entries, latest_thread=latest_thread, reasons=rights.ERASURE_REASONS,
        changes=changes_in(reviews))


def changes_in(reviews: Sequence[OutcomeReview]) -> dict[str, int]:
    """Each domain's change from its first score to its latest (`reviews` oldest first)."""
    first: dict[str, int] = {}
    latest: dict[str, int] = {}
    for review in reviews:
        for score in review.scores:
            first.setdefault(score.domain, score.score)
            latest[score.domain] = score.score
    return {key: latest[key] - first[key] for key in first}


@bp.post("/residents/<int:resident_id>/outcomes")
@transactions.changes_state
@auth.signed_in
def record_outcomes(resident_id: int) -> Response:
    resident = _resident(resident_id)
    scores = {key.removeprefix("score-"): value for key, value in request.form.items()
              if key.startswith("score-")}
    recorded = outcomes.record_review(resident, g.me, request.form.get("stage", ""), scores,
                                      _now())
    if recorded.problems:
        db.session.rollback()
        for problem in recorded.problems:
            flash(problem, "error")
        return _back(resident, "#record")
    flash("Outcomes saved.", "success")
    return _back(resident, "#scores")


@bp.post("/residents/<int:resident_id>/demand-avoided")
@transactions.changes_state
@auth.signed_in
def record_demand_avoided(resident_id: int) -> Response:
    resident = _resident(resident_id)
    if outcomes.record_demand_avoided(resident, g.me, request.form.get("event", ""),
                                      _now()) is None:
        flash("Choose what was avoided.", "error")
        return _back(resident, "#demand")
    flash("Saved.", "success")
    return _back(resident, "#demand")


@bp.post("/residents/<int:resident_id>/pointed")
@transactions.changes_state
@auth.signed_in
def record_pointed(resident_id: int) -> Response:
    resident = _resident(resident_id)
    entry = db.session.get(DirectoryEntry, request.form.get("entry", type=record_id) or 0)
    if entry is None:
        flash("Choose the group or service you pointed them to.", "error")
        return _back(resident, "#pointed")
    thread = db.session.scalar(sa.select(Thread).where(
        Thread.resident_id == resident.id).order_by(Thread.id.desc()).limit(1))
    followups.pointed(resident, thread, [entry], thread.need if thread else None, g.me, _now())
    outcomes.audit(g.me, "pointed", resident, entry.kind, _now())
    flash(f"Saved: the front door will ask them whether {entry.name} helped, in "
          f"{followups.FOLLOW_UP_AFTER.days} days.", "success")
    return _back(resident, "#pointed")
