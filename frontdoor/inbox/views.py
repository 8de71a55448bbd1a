"""Inbox pages. Thin: check who is signed in and what they may see, change the thread,
record the audit event; `transactions.changes_state` commits once (GET pages never do)."""

from __future__ import annotations

from datetime import date, datetime, time

import sqlalchemy as sa
import sqlalchemy.orm as so
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

from frontdoor import linking, queries, threads, transactions
from frontdoor.edge import record_id
from frontdoor.engine import hours_for
from frontdoor.extensions import db
from frontdoor.inbox import access, auth, rows, slips, unread
from frontdoor.models import (
    AuditEvent,
    Coordinator,
    Leave,
    Message,
    Note,
    Thread,
    ThreadState,
    Ward,
)
from frontdoor.outgoing import CONTACT_CHOICES, channel_label, channel_of, queue_reply

bp = Blueprint("inbox", __name__, url_prefix="/inbox")
# Pages name a resident as the JSON poll does: one function, asking the resident's channel.
bp.add_app_template_global(rows.resident_label, "resident_label")
bp.add_app_template_global(channel_label, "channel_label")

OUTCOMES = {
    "community_group": "Connected to a community group",
    "signposted": "Signposted to a service",
    "information": "Resolved by information",
    "no_reply": "Resident did not reply",
    "safeguarding": "Referred for safeguarding",
    "other": "Other",
}
MAX_REPLY = 1600


def _now() -> datetime:
    return auth.clock_now()


def _today() -> date:
    return _now().astimezone(hours_for(current_app).zone).date()


def _audit(action: str, thread: Thread | None = None, detail: str = "") -> None:
    db.session.add(AuditEvent(coordinator_id=g.me.id, action=action,
                              thread_id=thread.id if thread else None, detail=detail,
                              created_at=_now()))


# -- threads --------------------------------------------------------------------------------

def coordinator_filter() -> int | None:
    """The list's `coordinator=` filter: a 400 for anything that cannot be a coordinator."""
    raw = request.args.get("coordinator", "")
    if not raw:
        return None
    try:
        return record_id(raw)
    except ValueError:
        abort(400)

@bp.get("")
@auth.signed_in
def my_threads() -> str:
    ward = request.args.get("ward") or None
    coordinator_id = coordinator_filter()
    if g.me.role != "lead":
        ward, coordinator_id = None, None
    page = access.open_threads_for(g.me, _today(), ward, coordinator_id,
                                   request.args.get("page", 1, type=access.page_number))
    return render_template(
        "inbox/threads.html", threads=page.threads, rows=rows.list_rows(page.threads, _now()),
        page=page, now=_now(),
        wards=queries.list_wards(),
        coordinators=_coordinators(), ward=ward, coordinator_id=coordinator_id)


@bp.get("/threads/<int:thread_id>")
@auth.signed_in
def thread_page(thread_id: int) -> str:
    thread = access.thread_for(g.me, thread_id, _today())
    _audit("view", thread)
    unread.mark_read(g.me, thread, _now())
    return _thread_page(thread)


def _thread_page(thread: Thread, draft: str = "", **extra: object) -> str:
    history = db.session.scalars(sa.select(Message).where(
        Message.resident_id == thread.resident_id).options(
        so.selectinload(Message.coordinator)).order_by(Message.id)).all()
    notes = db.session.scalars(sa.select(Note).where(Note.thread_id == thread.id)
                               .order_by(Note.id)).all()
    coordinators = _coordinators()
    return render_template("inbox/thread.html", thread=thread, history=history, notes=notes,
                           outcomes=OUTCOMES, coordinators=coordinators, now=_now(),
                           max_reply=MAX_REPLY, escalation=threads.escalation_so_far(thread),
                           contact_choices=CONTACT_CHOICES,
                           ask_before_texting=_ask_before_texting(thread),
                           **slips.thread_aids(thread, _today(), hours_for(current_app),
                                               request.args, coordinators, draft), **extra)


def _ask_before_texting(thread: Thread) -> bool:
    """Domestic abuse: someone else may read the resident's texts, so ask first."""
    resident = thread.resident
    if not channel_of(resident).addressed_by_phone or resident.contact_by is not None:
        return False   # no phone to text, or they have said how to reach them
    return thread.crisis == "domestic_abuse" or db.session.scalar(sa.select(Thread.id).where(
        Thread.resident_id == thread.resident_id, Thread.crisis == "domestic_abuse")
        .limit(1)) is not None


def _thread_action(thread_id: int) -> Thread:
    return access.thread_for(g.me, thread_id, _today())


def _back(thread: Thread, anchor: str = "") -> Response:
    return redirect(url_for("inbox.thread_page", thread_id=thread.id) + anchor)


@bp.post("/threads/<int:thread_id>/take")
@transactions.changes_state
@auth.signed_in
def take(thread_id: int) -> Response:
    thread = _thread_action(thread_id)
    threads.take(thread, g.me, _now())
    return _back(thread)


@bp.post("/threads/<int:thread_id>/acknowledge")
@transactions.changes_state
@auth.signed_in
def acknowledge(thread_id: int) -> Response:
    thread = _thread_action(thread_id)
    threads.acknowledge(thread, g.me, _now())
    flash("Acknowledged: nobody else will be alerted about this thread.", "success")
    return _back(thread)


@bp.post("/threads/<int:thread_id>/not-urgent")
@transactions.changes_state
@auth.signed_in
def not_urgent(thread_id: int) -> Response:
    thread = _thread_action(thread_id)
    if request.form.get("confirm") != "yes":
        flash("Tick the box to confirm this thread is no longer urgent.", "error")
        return _back(thread, "#urgency")
    threads.clear_urgent(thread, g.me, _now())
    return _back(thread)


@bp.post("/threads/<int:thread_id>/contact")
@transactions.changes_state
@auth.signed_in
def contact_by(thread_id: int) -> Response:
    thread = _thread_action(thread_id)
    choice = request.form.get("contact_by", "")
    if choice not in CONTACT_CHOICES:
        flash("Choose how the resident said they may be contacted.", "error")
        return _back(thread, "#contact")
    linking.set_contact_by(thread.resident, choice)
    _audit("contact_by", thread, choice)
    flash(f"Saved: {CONTACT_CHOICES[choice]}.", "success")
    return _back(thread, "#contact")


@bp.post("/threads/<int:thread_id>/move-ward")
@transactions.changes_state
@auth.signed_in
def move_ward(thread_id: int) -> Response:
    thread = _thread_action(thread_id)
    ward = db.session.get(Ward, request.form.get("ward", "")[:9]) or abort(400)
    if ward.code != thread.suggested_ward_code:
        abort(400)
    threads.move_ward(thread, ward, g.me, _now())
    flash(f"The thread is now in {ward.name}.", "success")
    return _back(thread)


@bp.post("/threads/<int:thread_id>/reply")
@transactions.changes_state
@auth.signed_in
def reply(thread_id: int) -> Response | str:
    thread = _thread_action(thread_id)
    # Browsers send a textarea's line breaks as CRLF: one break is one character in a text.
    body = request.form.get("body", "").replace("\r\n", "\n").strip()
    if not body or len(body) > MAX_REPLY:
        flash(f"Write a reply of up to {MAX_REPLY} characters.", "error")
        return _back(thread, "#reply")
    if channel_of(thread.resident).counts_segments and slips.count_sms(body).too_many \
            and request.form.get("long_ok") != "yes":
        # Nothing is sent: the page comes back with the reply as written, to shorten or confirm.
        return _thread_page(thread, draft=body, long_reply=True)
    threads.replied(thread, g.me, _now())
    message = queue_reply(thread, g.me, body, _now())
    _audit("reply", thread)
    if message.status == "not_sent":
        flash(f"Not sent: {message.error}.", "error")
    return _back(thread, "#latest")


@bp.post("/threads/<int:thread_id>/note")
@transactions.changes_state
@auth.signed_in
def note(thread_id: int) -> Response:
    thread = _thread_action(thread_id)
    body = request.form.get("body", "").strip()
    if body:
        db.session.add(Note(thread_id=thread.id, coordinator_id=g.me.id, body=body[:5000],
                            created_at=_now()))
        _audit("note", thread)
    return _back(thread, "#notes")


@bp.post("/threads/<int:thread_id>/hand-over")
@transactions.changes_state
@auth.signed_in
def hand_over(thread_id: int) -> Response:
    thread = _thread_action(thread_id)
    if not request.form.get("to"):
        flash("Choose who to hand this thread to.", "error")
        return _back(thread, "#hand-over")
    to = db.session.get(Coordinator, request.form.get("to", type=record_id) or 0)
    if to is None or not to.active or to.id == thread.coordinator_id:
        abort(400)
    hours = hours_for(current_app)
    away = slips.away(to, _today(), hours, thread)
    if away is not None and request.form.get("on_leave_ok") != "yes":
        # Say who is away and offer their cover before anything changes.
        return redirect(url_for("inbox.thread_page", thread_id=thread.id, hand_to=to.id)
                        + "#hand-over")
    threads.hand_over(thread, to, reason=thread.handoff_reason or "hand_over", now=_now(),
                      hours=hours, by=g.me)
    queue_reply(thread, g.me, slips.handed_over_words(to, away), _now())
    return redirect(url_for("inbox.my_threads"))


@bp.post("/threads/<int:thread_id>/close")
@transactions.changes_state
@auth.signed_in
def close(thread_id: int) -> Response:
    thread = _thread_action(thread_id)
    # Closing asks for a deliberate choice (no default), but not for a code: "none" is a
    # choice, since what changed for the resident is recorded in their outcome domains
    # (/inbox/residents/<id>/outcomes), not forced into one code here.
    choice = request.form.get("outcome", "")
    if not choice:
        flash("Choose how the thread ended (or 'No code') before closing it.", "error")
        return _back(thread, "#close")
    outcome = None if choice == "none" else choice
    if outcome is not None and outcome not in OUTCOMES:
        abort(400)
    threads.close(thread, g.me, _now(), outcome)
    return _back(thread)


@bp.post("/threads/<int:thread_id>/reopen")
@transactions.changes_state
@auth.signed_in
def reopen(thread_id: int) -> Response:
    thread = _thread_action(thread_id)
    if thread.state != ThreadState.CLOSED:
        abort(400)
    threads.reopen(thread, g.me, _now())
    return _back(thread)


# -- team leads -----------------------------------------------------------------------------

def _coordinators() -> list[Coordinator]:
    return list(db.session.scalars(sa.select(Coordinator).where(Coordinator.active)
                                   .order_by(Coordinator.name)))


def _team_change(action: str, detail: str, message: str | None = None) -> Response:
    """Record a lead's change to the team in the audit, save it, back to the team page."""
    _audit(action, detail=detail)
    return _back_to_team(message, "success")


def _back_to_team(message: str | None, category: str) -> Response:
    if message:
        flash(message, category)
    return redirect(url_for("inbox.team"))


@bp.get("/team")
@auth.lead_only
def team() -> str:
    from frontdoor.inbox.people import DAYS

    hours = hours_for(current_app)
    editing = db.session.get(Coordinator, request.args.get("who", type=record_id) or 0)
    return render_template("inbox/team.html", coordinators=_coordinators(), days=DAYS,
                           editing=editing if editing and editing.active else None,
                           council_hours=(hours.start, hours.end),
                           wards=queries.list_wards())


def leave_span(starts: str, ends: str) -> tuple[date, date] | None:
    """A spell of leave from a form's from and to dates (one day may be both); None when
    either is not a date or it ends before it starts."""
    try:
        span = date.fromisoformat(starts), date.fromisoformat(ends)
    except ValueError:
        return None
    return span if span[0] <= span[1] else None


def working_hours(starts: str, ends: str) -> tuple[time | None, time | None]:
    """A coordinator's own hours from a form: both times, the end after the start, or
    neither (the council's hours); ValueError otherwise."""
    if not starts and not ends:
        return None, None
    start, end = time.fromisoformat(starts), time.fromisoformat(ends)
    if end <= start:
        raise ValueError("the end is not after the start")
    return start, end


@bp.post("/team/leave")
@transactions.changes_state
@auth.lead_only
def add_leave() -> Response:
    person = db.session.get(Coordinator, request.form.get("coordinator", type=record_id) or 0)
    span = leave_span(request.form.get("from", ""), request.form.get("to", ""))
    if person is None or span is None:
        return _back_to_team("Choose a coordinator and a valid from and to date.", "error")
    starts, ends = span
    person.leave.append(Leave(starts=starts, ends=ends))
    return _team_change("add_leave", f"{person.key} {starts}..{ends}",
                        f"Leave added for {person.name}.")


@bp.post("/team/days")
@transactions.changes_state
@auth.lead_only
def set_days() -> Response:
    from frontdoor.inbox.people import DAYS

    person = db.session.get(Coordinator, request.form.get("coordinator", type=record_id) or 0)
    days = [d for d in DAYS if d in request.form.getlist("days")]
    if person is None or not days:
        return _back_to_team("Choose at least one working day.", "error")
    try:
        starts, ends = working_hours(request.form.get("starts", ""), request.form.get("ends", ""))
    except ValueError:
        return _back_to_team("Give both a start and an end time, the end after the start, "
                             "or leave both empty.", "error")
    person.working_days = ",".join(days)
    person.starts_work, person.ends_work = starts, ends
    hours = f" {starts:%H:%M}-{ends:%H:%M}" if starts and ends else ""
    return _team_change("set_days", f"{person.key} {person.working_days}{hours}",
                        f"Working days and hours saved for {person.name}.")


@bp.post("/team/leave/<int:leave_id>/delete")
@transactions.changes_state
@auth.lead_only
def delete_leave(leave_id: int) -> Response:
    leave = db.session.get(Leave, leave_id) or abort(404)
    detail = f"{leave.coordinator.key} {leave.starts}..{leave.ends}"
    db.session.delete(leave)
    return _team_change("delete_leave", detail)


@bp.post("/team/cover")
@transactions.changes_state
@auth.lead_only
def set_cover() -> Response:
    ward = db.session.get(Ward, request.form.get("ward", "")) or abort(404)
    cover = db.session.get(Coordinator, request.form.get("cover", type=record_id) or 0)
    ward.cover_id = cover.id if cover else None
    return _team_change("set_cover", f"{ward.code} {cover.key if cover else '-'}",
                        f"Cover for {ward.name} saved.")


@bp.post("/team/coordinators")
@transactions.changes_state
@auth.lead_only
def add_coordinator() -> Response:
    from frontdoor.inbox import people, sso

    try:
        person = people.add_person(request.form.get("name", ""), request.form.get("email", ""),
                                   request.form.get("role", ""), request.form.getlist("days"))
        # Nobody chooses a password for someone else: they get a link to choose their own.
        token = people.invite(person, g.me, _now()) if sso.passwords_allowed() else None
    except people.PeopleError as error:
        db.session.rollback()
        return _back_to_team(str(error), "error")
    sent = team_access.send_link(person, token) if token else " They sign in with single sign-on."
    return _team_change("add_coordinator", person.key, f"{person.name} is added." + sent)


@bp.get("/audit")
@auth.lead_only
def audit() -> str:
    events = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())
                                .limit(500)).all()
    return render_template("inbox/audit.html", events=events)


# Sign-in, account and team sign-in routes live in their own modules, on this blueprint.
from frontdoor.inbox import signin, team_access  # noqa: E402,F401
