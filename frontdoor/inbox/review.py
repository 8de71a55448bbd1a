"""Inbox pages for the safety net: "Answered by the front door" (the review list, riskiest
first), its one-click actions, and correcting how a message was read. Thin: check who may
see it, call frontdoor/review.py or frontdoor/corrections.py, commit once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response

from frontdoor import corrections, queries, review, threads, transactions
from frontdoor.engine import hours_for
from frontdoor.extensions import db
from frontdoor.inbox import access, auth
from frontdoor.models import Message, MessageReading, Review, Thread, Ward
from frontdoor.triage.data import NEEDS
from frontdoor.triage.safety import CATEGORIES

bp = Blueprint("review", __name__, url_prefix="/inbox")

UNKNOWN = "unknown"


def _now() -> datetime:
    clock: Callable[[], datetime] = current_app.extensions["frontdoor.clock"]
    return clock()


def _today() -> date:
    return _now().astimezone(hours_for(current_app).zone).date()


def _visible_thread(thread_id: int) -> Thread | None:
    return db.session.scalar(sa.select(Thread).where(Thread.id == thread_id,
                                                     access.visible(g.me, _today())))


def _review_for(review_id: int) -> Review:
    """An entry on a thread I may see (which includes entries moved to me)."""
    entry = db.session.get(Review, review_id)
    if entry is None or _visible_thread(entry.thread_id) is None:
        abort(404)
    return entry


@bp.get("/review")
@auth.signed_in
def entries() -> str:
    """My list; a lead also sees every ward's counts and can open any ward's list."""
    now, hours, today = _now(), hours_for(current_app), _today()
    my_wards = access.ward_codes_for(g.me, today)
    chosen = request.args.get("ward") or None
    if chosen and g.me.role != "lead" and chosen not in my_wards:
        chosen = None
    if chosen:
        shown = review.entries_for_ward(None if chosen == UNKNOWN else chosen, now, hours)
    else:
        shown = review.entries_for_person(g.me, my_wards, now, hours)
    summary = []
    if g.me.role == "lead":
        for count in review.ward_summary(now):
            ward = count.ward
            who = threads.choose_coordinator(ward.coordinator if ward else None, ward, now,
                                             hours)
            summary.append((count, who))
    wards = queries.list_wards() \
        if g.me.role == "lead" else db.session.scalars(
            sa.select(Ward).where(Ward.code.in_(my_wards)).order_by(Ward.name)).all()
    return render_template(
        "inbox/review.html", entries=shown, summary=summary, wards=wards, chosen=chosen,
        unknown=UNKNOWN, now=now, needs=NEEDS, categories=CATEGORIES,
        crisis_words=threads.CRISIS_WORDS, contact_note=review.contact_note,
        promise_days=review.promise_days(),
        may_open=lambda thread: _visible_thread(thread.id) is not None)


def _back_to_list() -> Response:
    ward = request.form.get("ward", "")
    return redirect(url_for("review.entries", ward=ward) if ward else url_for("review.entries"))


@bp.post("/review/<int:review_id>/seen")
@transactions.changes_state
@auth.signed_in
def seen(review_id: int) -> Response:
    entry = _review_for(review_id)
    if entry.resolved_at is None:
        review.mark_seen(entry, g.me, _now())
        flash("Marked seen.", "success")
    return _back_to_list()


@bp.post("/review/<int:review_id>/follow-up")
@transactions.changes_state
@auth.signed_in
def follow_up(review_id: int) -> Response:
    entry = _review_for(review_id)
    if entry.resolved_at is not None:
        flash("Someone has already seen this conversation.", "error")
        return _back_to_list()
    message = review.follow_up(entry, g.me, _now(), hours_for(current_app))
    if message.status == "not_sent":
        flash(f"The thread is yours. The resident was not told: {message.error}.", "error")
    else:
        flash("The thread is yours, and the resident has been told you will be in touch.",
              "success")
    return redirect(url_for("inbox.thread_page", thread_id=entry.thread_id))


def _message_for(message_id: int) -> Message:
    """A resident's message on a thread I may see."""
    message = db.session.get(Message, message_id)
    if message is None or message.thread_id is None or message.author.value != "resident" \
            or _visible_thread(message.thread_id) is None:
        abort(404)
    return message


@bp.get("/messages/<int:message_id>/correction")
@auth.signed_in
def correction_page(message_id: int) -> str:
    message = _message_for(message_id)
    return render_template("inbox/correction.html", message=message,
                           reading=db.session.get(MessageReading, message.id), needs=NEEDS,
                           categories=CATEGORIES, crisis_words=threads.CRISIS_WORDS)


@bp.post("/messages/<int:message_id>/correction")
@transactions.changes_state
@auth.signed_in
def correct(message_id: int) -> Response:
    message = _message_for(message_id)
    try:
        done = corrections.correct(message, g.me, _now(), hours_for(current_app),
                                   need=request.form.get("need") or None,
                                   crisis=request.form.get("crisis") or None)
    except corrections.NotACorrection as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("review.correction_page", message_id=message_id))
    if done.urgent_thread is not None:
        flash("Saved, and the thread is now urgent: the escalation ladder has started. "
              "Acknowledge it when you have it.", "success")
        return redirect(url_for("inbox.thread_page", thread_id=done.urgent_thread.id))
    flash("Correction saved for retraining.", "success")
    if request.form.get("back") == "review":
        return _back_to_list()
    return redirect(url_for("inbox.thread_page", thread_id=message.thread_id))
