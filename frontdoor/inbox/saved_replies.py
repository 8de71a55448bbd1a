"""Saved replies the team keeps ("canned replies"): any coordinator may add, change or remove
one, and each change is audited. The thread page offers them as a starting point."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from frontdoor import transactions
from frontdoor.edge import record_id
from frontdoor.extensions import db
from frontdoor.inbox import auth
from frontdoor.inbox.slips import count_sms, saved_replies
from frontdoor.inbox.views import MAX_REPLY, _audit, _now, bp
from frontdoor.models import SavedReply


@bp.get("/saved-replies")
@auth.signed_in
def saved_replies_page() -> str:
    editing = db.session.get(SavedReply, request.args.get("edit", type=record_id) or 0)
    replies = saved_replies()
    return render_template("inbox/saved_replies.html", replies=replies, editing=editing,
                           counts={r.id: count_sms(r.body) for r in replies},
                           max_reply=MAX_REPLY)


def _form() -> tuple[str, str] | None:
    title = request.form.get("title", "").strip()[:80]
    body = request.form.get("body", "").replace("\r\n", "\n").strip()
    if not title or not body or len(body) > MAX_REPLY:
        flash(f"A saved reply needs a title and a reply of up to {MAX_REPLY} characters.",
              "error")
        return None
    return title, body


@bp.post("/saved-replies")
@transactions.changes_state
@auth.signed_in
def add_saved_reply() -> Response:
    form = _form()
    if form is not None:
        reply = SavedReply(title=form[0], body=form[1], created_by_id=g.me.id, created_at=_now())
        db.session.add(reply)
        db.session.flush()
        _audit("saved_reply_add", detail=f"saved reply {reply.id}")
        flash(f"Saved reply {form[0]!r} added.", "success")
    return redirect(url_for("inbox.saved_replies_page"))


@bp.post("/saved-replies/<int:reply_id>")
@transactions.changes_state
@auth.signed_in
def change_saved_reply(reply_id: int) -> Response:
    reply = db.session.get(SavedReply, reply_id) or abort(404)
    form = _form()
    if form is None:
        return redirect(url_for("inbox.saved_replies_page", edit=reply.id))
    reply.title, reply.body, reply.updated_at = form[0], form[1], _now()
    _audit("saved_reply_change", detail=f"saved reply {reply.id}")
    flash(f"Saved reply {reply.title!r} changed.", "success")
    return redirect(url_for("inbox.saved_replies_page"))


@bp.post("/saved-replies/<int:reply_id>/delete")
@transactions.changes_state
@auth.signed_in
def delete_saved_reply(reply_id: int) -> Response:
    reply = db.session.get(SavedReply, reply_id) or abort(404)
    db.session.delete(reply)
    _audit("saved_reply_delete", detail=f"saved reply {reply_id}")
    flash(f"Saved reply {reply.title!r} removed.", "success")
    return redirect(url_for("inbox.saved_replies_page"))
