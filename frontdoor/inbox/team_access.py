"""The team page's sign-in part, for leads: who can sign in and how, locked accounts, wards
left without a coordinator; deactivating a leaver, changing a role, resetting a password or
a second factor, unlocking, sending an invitation again.

Changing another lead's account needs the acting lead to have confirmed it is them in the
last few minutes (auth.CONFIRM_MINUTES); the last active lead cannot be demoted or
deactivated."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import abort, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from frontdoor import transactions
from frontdoor.extensions import db
from frontdoor.inbox import auth, people, second_factor, sso, throttle
from frontdoor.inbox.views import bp
from frontdoor.models import Coordinator


@dataclass(frozen=True)
class AccessRow:
    person: Coordinator
    sign_in: str             # how they sign in, in words
    locked_until: datetime | None


def sign_in_words(person: Coordinator, now: datetime) -> str:
    """How a person signs in, in words for the team page (an invitation is looked up only
    for someone with no way yet)."""
    if not person.active:
        return "Deactivated"
    ways = []
    if person.sso_subject:
        ways.append("single sign-on")
    if person.password_hash and second_factor.is_enrolled(person):
        ways.append("password and code")
    elif person.password_hash:
        ways.append("password; second factor not set up yet")
    if not ways:
        if people.has_open_invitation(person, now):
            return "Invited, not signed in yet"
        return "Single sign-on (not used yet)" if sso.is_configured() \
            else "No way to sign in: send an invitation"
    return ", ".join(ways).capitalize()


def team_access() -> dict[str, object]:
    """What the team page's sign-in section shows (a template global: team.html includes it)."""
    now = auth.clock_now()
    everyone = db.session.scalars(sa.select(Coordinator).order_by(
        Coordinator.active.desc(), Coordinator.name)).all()
    rows = [AccessRow(p, sign_in_words(p, now),
                      throttle.locked_until(p.email, now) if p.active else None)
            for p in everyone]
    return {"rows": rows, "uncovered": people.wards_without_coordinator()}


bp.add_app_template_global(team_access, "team_access")


def _person(person_id: int) -> Coordinator:
    return db.session.get(Coordinator, person_id) or abort(404)


def _needs_confirmation(person: Coordinator) -> bool:
    return person.role == "lead" and person.id != g.me.id and not auth.recently_confirmed(
        auth.clock_now())


def _ask_to_confirm() -> Response:
    flash("Changing another team lead's account: confirm it is you first, then try again.",
          "error")
    return redirect(url_for("inbox.confirm", next=url_for("inbox.team")))


def _change(person_id: int, change: Callable[[Coordinator, datetime], str]) -> Response:
    """Check, make the change, commit and go back to the team page with what happened."""
    person = _person(person_id)
    if _needs_confirmation(person):
        return _ask_to_confirm()
    try:
        message = change(person, auth.clock_now())
    except people.PeopleError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("inbox.team"))
    flash(message, "success")
    return redirect(url_for("inbox.team"))


def send_link(person: Coordinator, token: str) -> str:
    """Send an invitation link; what to tell the lead about it."""
    try:
        people.send_invitation(person, token)
    except Exception as error:  # the link is still valid: say so rather than fail the change
        return f" The link could not be sent ({type(error).__name__}): send it again later."
    return f" A link to set up sign-in was sent to {person.name}."


@bp.get("/team/people/<int:person_id>/deactivate")
@auth.lead_only
def deactivate_page(person_id: int) -> str:
    """What deactivating will do, before the lead confirms it."""
    from frontdoor.models import Thread, ThreadState, Ward

    person = _person(person_id)
    open_threads = db.session.scalar(sa.select(sa.func.count()).select_from(Thread).where(
        Thread.coordinator_id == person.id,
        Thread.state.in_((ThreadState.WAITING, ThreadState.WITH_COORDINATOR)))) or 0
    wards = db.session.scalars(sa.select(Ward).where(Ward.coordinator_id == person.id)
                               .order_by(Ward.name)).all()
    return render_template("inbox/deactivate.html", person=person, open_threads=open_threads,
                           wards=wards)


@bp.post("/team/people/<int:person_id>/deactivate")
@transactions.changes_state
@auth.lead_only
def deactivate(person_id: int) -> Response:
    def change(person: Coordinator, now: datetime) -> str:
        moved = people.deactivate(person, g.me, now)
        where = "; ".join(f"thread {m.thread_id} to {m.to.name}" for m in moved)
        return (f"{person.name} is deactivated and signed out everywhere."
                + (f" Open threads handed over: {where}." if moved else ""))
    return _change(person_id, change)


@bp.post("/team/people/<int:person_id>/reactivate")
@transactions.changes_state
@auth.lead_only
def reactivate(person_id: int) -> Response:
    def change(person: Coordinator, now: datetime) -> str:
        people.reactivate(person, g.me, now)
        return f"{person.name} is active again."
    return _change(person_id, change)


@bp.post("/team/people/<int:person_id>/role")
@transactions.changes_state
@auth.lead_only
def change_role(person_id: int) -> Response:
    def change(person: Coordinator, now: datetime) -> str:
        people.change_role(person, request.form.get("role", ""), g.me, now)
        return f"{person.name} is now a {'team lead' if person.role == 'lead' else 'coordinator'}."
    return _change(person_id, change)


@bp.post("/team/people/<int:person_id>/reset-password")
@transactions.changes_state
@auth.lead_only
def reset_password(person_id: int) -> Response:
    def change(person: Coordinator, now: datetime) -> str:
        token = people.reset_password(person, g.me, now)
        return f"{person.name}'s password no longer works; they are signed out." + send_link(
            person, token)
    return _change(person_id, change)


@bp.post("/team/people/<int:person_id>/reset-second-factor")
@transactions.changes_state
@auth.lead_only
def reset_second_factor(person_id: int) -> Response:
    def change(person: Coordinator, now: datetime) -> str:
        token = people.reset_second_factor(person, g.me, now)
        done = f"{person.name}'s sign-in is reset; they are signed out."
        return done + send_link(person, token) if token else done
    return _change(person_id, change)


@bp.post("/team/people/<int:person_id>/invite")
@transactions.changes_state
@auth.lead_only
def invite(person_id: int) -> Response:
    def change(person: Coordinator, now: datetime) -> str:
        token = people.invite(person, g.me, now)
        return "A new link replaces any earlier one." + send_link(person, token)
    return _change(person_id, change)


@bp.post("/team/people/<int:person_id>/unlock")
@transactions.changes_state
@auth.lead_only
def unlock(person_id: int) -> Response:
    def change(person: Coordinator, now: datetime) -> str:
        throttle.unlock(person.email or "")
        auth.audit("unlock", g.me, person.key, now)
        return f"{person.name} can try to sign in again."
    return _change(person_id, change)
