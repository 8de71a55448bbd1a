"""The team's accounts: adding people, invitations, roles, resets and leavers. Used by the
team page and by `frontdoor coordinators ...`; each function changes and audits, and the
caller commits.

A leaver is locked out at once: deactivating ends every session, takes them out of routing
and hand-over lists (both only offer active people) and hands their open threads on, with
the resident told who now answers."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from frontdoor import queries
from frontdoor.extensions import db
from frontdoor.inbox import auth, passwords, second_factor
from frontdoor.models import (
    Coordinator,
    Invitation,
    Thread,
    ThreadState,
    Ward,
)
from frontdoor.outgoing import queue_reply

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
ROLES = ("coordinator", "lead")


class PeopleError(ValueError):
    """A change to someone's account that cannot be made, said for the person making it."""


def add_person(name: str, email: str, role: str = "coordinator",
               days: list[str] | None = None) -> Coordinator:
    """Create a coordinator or lead by email (or update the name, role and days of one).

    Nobody chooses a password for them: they get an invitation (see `invite`)."""
    name, email = name.strip(), email.strip().lower()
    if not name or not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise PeopleError("A name and an email address are needed.")
    if role not in ROLES:
        raise PeopleError("The role is coordinator or lead.")
    chosen = [d for d in DAYS if d in (days or DAYS[:5])]
    person = queries.find_coordinator_by_email(email)
    if person is None:
        key = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "coordinator"
        while db.session.scalar(sa.select(Coordinator.id).where(Coordinator.key == key)):
            key += "-2"
        person = Coordinator(key=key, name=name, email=email, source="inbox", active=True)
        db.session.add(person)
    elif person.role == "lead" and role != "lead":
        _keep_a_lead(person)
    person.name, person.role, person.working_days = name, role, ",".join(chosen)
    db.session.flush()
    return person


def set_password(person: Coordinator, password: str) -> None:
    """Set a password the person chose, if it is long enough and hard to guess."""
    problem = passwords.problem_with(password, [person.name, person.email or ""])
    if problem:
        raise PeopleError(problem)
    person.password_hash = auth.hash_password(password)


# -- invitations ----------------------------------------------------------------------------

def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite(person: Coordinator, by: Coordinator | None, now: datetime,
           action: str = "invite") -> str:
    """A new single-use link for choosing a password; any earlier link stops working."""
    from frontdoor.inbox import sso

    if not person.active:
        raise PeopleError(f"{person.name} is deactivated: reactivate them first.")
    if not sso.passwords_allowed():
        raise PeopleError("Passwords are switched off: people sign in with single sign-on.")
    _close_invitations(person, now)
    token = secrets.token_urlsafe(32)
    hours = current_app.config["INVITATION_HOURS"]
    db.session.add(Invitation(coordinator_id=person.id, token_hash=_digest(token),
                              created_at=now, expires_at=now + timedelta(hours=hours)))
    auth.audit(action, by, f"{person.key}, link valid {hours} hours", now)
    return token


def invitation_link(token: str) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/inbox/welcome/{token}"


def send_invitation(person: Coordinator, token: str) -> None:
    """Send the link to the person's own contact (work email, or their work phone)."""
    hours = current_app.config["INVITATION_HOURS"]
    notifier = current_app.extensions["frontdoor.alerts"].notifier
    notifier.notify(person, "Your link to the coordinators' inbox",
                    f"Choose your password and set up your second factor within {hours} "
                    f"hours: {invitation_link(token)}")


def open_invitation(token: str, now: datetime) -> Invitation | None:
    """The invitation behind a link, if it is unused, in date and its person still active."""
    invitation = db.session.scalar(sa.select(Invitation).where(
        Invitation.token_hash == _digest(token)))
    if (invitation is None or invitation.used_at is not None or invitation.expires_at <= now
            or not invitation.coordinator.active):
        return None
    return invitation


def invitation_secret(token: str) -> str:
    """The TOTP secret offered on an invitation's page (stored only once confirmed)."""
    return second_factor.enrolment_secret(current_app.config["SECRET_KEY"], "invite:" + token)


def accept_invitation(invitation: Invitation, token: str, password: str, code: str,
                      now: datetime) -> list[str]:
    """Set the chosen password and check the second factor; the link is used up.

    Someone already enrolled types a code from their app; someone new confirms the secret
    the page showed them. Returns new recovery codes for a new enrolment, else []."""
    person = invitation.coordinator
    set_password(person, password)
    codes: list[str] = []
    if second_factor.is_enrolled(person):
        if second_factor.check(person, code, now) is None:
            raise PeopleError("That code is not right. Use the code your app shows now.")
    else:
        secret = invitation_secret(token)
        step = second_factor.confirming_step(secret, code, now)
        if step is None:
            raise PeopleError("That code is not right. Scan the QR code again, then type "
                              "the 6 digits your app shows.")
        codes = second_factor.enrol(person, secret, now, step)
        auth.audit("second_factor_set", person, person.key, now)
    invitation.used_at = now
    auth.end_sessions(person, now)
    auth.audit("password_set", person, f"{person.key}, from an invitation", now)
    return codes


def _close_invitations(person: Coordinator, now: datetime) -> None:
    db.session.execute(sa.update(Invitation).where(
        Invitation.coordinator_id == person.id, Invitation.used_at.is_(None)).values(
        used_at=now).execution_options(synchronize_session=False))


def has_open_invitation(person: Coordinator, now: datetime) -> bool:
    return db.session.scalar(sa.select(Invitation.id).where(
        Invitation.coordinator_id == person.id, Invitation.used_at.is_(None),
        Invitation.expires_at > now).limit(1)) is not None


# -- changes a lead makes ------------------------------------------------------------------

def active_leads() -> list[Coordinator]:
    return list(db.session.scalars(sa.select(Coordinator).where(
        Coordinator.role == "lead", Coordinator.active).order_by(Coordinator.id)))


def _keep_a_lead(person: Coordinator) -> None:
    if person.role == "lead" and person.active and [p.id for p in active_leads()] == [person.id]:
        raise PeopleError(f"{person.name} is the last team lead: make someone else a lead "
                          "first.")


def change_role(person: Coordinator, role: str, by: Coordinator | None, now: datetime) -> None:
    """Make someone a coordinator or a lead; their sessions end (their rights changed)."""
    if role not in ROLES:
        raise PeopleError("The role is coordinator or lead.")
    if role == person.role:
        return
    if role != "lead":
        _keep_a_lead(person)
    person.role = role
    auth.end_sessions(person, now)
    auth.audit("role_change", by, f"{person.key} is now {role}", now)


def reset_password(person: Coordinator, by: Coordinator | None, now: datetime) -> str:
    """The password stops working and every session ends; returns a link to choose a new one
    (the person's second factor is kept and asked for on that page)."""
    person.password_hash = None
    auth.end_sessions(person, now)
    return invite(person, by, now, action="password_reset")


def reset_second_factor(person: Coordinator, by: Coordinator | None,
                        now: datetime) -> str | None:
    """For a lost phone: the second factor, recovery codes, password and single sign-on link
    are all cleared and every session ends; returns a link to set up sign-in again (None
    when passwords are off: the next single sign-on pins the account afresh)."""
    from frontdoor.inbox import sso

    second_factor.remove(person)
    person.password_hash = None
    person.sso_subject = None
    auth.end_sessions(person, now)
    if sso.passwords_allowed():
        return invite(person, by, now, action="second_factor_reset")
    auth.audit("second_factor_reset", by, person.key, now)
    return None


@dataclass(frozen=True)
class Moved:
    thread_id: int
    to: Coordinator


def deactivate(person: Coordinator, by: Coordinator | None, now: datetime) -> list[Moved]:
    """Lock a leaver out at once and hand their open threads on; returns where each went."""
    if not person.active:
        return []
    if by is not None and by.id == person.id:
        raise PeopleError("You cannot deactivate yourself: ask another team lead.")
    _keep_a_lead(person)
    person.active = False
    person.deactivated_at = now
    ended = auth.end_sessions(person, now)
    _close_invitations(person, now)
    auth.audit("deactivate", by, f"{person.key}, {ended} session(s) ended", now)
    return move_open_threads(person, by, now)


def reactivate(person: Coordinator, by: Coordinator | None, now: datetime) -> None:
    person.active = True
    person.deactivated_at = None
    auth.audit("reactivate", by, person.key, now)


def move_open_threads(person: Coordinator, by: Coordinator | None, now: datetime) -> list[Moved]:
    """Hand every open thread of a leaver to the ward's coordinator or cover, or a lead.

    Same as a hand-over in the inbox: the new owner is notified, the resident is told who
    now answers, and it is audited. (One place, so it can later go through a shared
    `threads.hand_over`.)"""
    from frontdoor.engine import hours_for

    today = now.astimezone(hours_for(current_app).zone).date()
    threads = db.session.scalars(sa.select(Thread).where(
        Thread.coordinator_id == person.id,
        Thread.state.in_((ThreadState.WAITING, ThreadState.WITH_COORDINATOR)))
        .order_by(Thread.id)).all()
    moved = []
    for thread in threads:
        to = _new_owner(thread.ward, person, today)
        if to is None:
            continue     # nobody active at all: the thread stays listed for the lead
        _hand_over(thread, to, person, by, now)
        moved.append(Moved(thread.id, to))
    return moved


def _new_owner(ward: Ward | None, leaver: Coordinator, today: date) -> Coordinator | None:
    candidates = [ward.coordinator, ward.cover] if ward else []
    for candidate in candidates:
        if (candidate is not None and candidate.active and candidate.id != leaver.id
                and candidate.leave_on(today) is None):
            return candidate
    leads = [p for p in active_leads() if p.id != leaver.id]
    if leads:
        return leads[0]
    return db.session.scalar(sa.select(Coordinator).where(
        Coordinator.active, Coordinator.id != leaver.id).order_by(Coordinator.id))


def _hand_over(thread: Thread, to: Coordinator, leaver: Coordinator, by: Coordinator | None,
               now: datetime) -> None:
    # The inbox's "Hand over" (views.hand_over), through the one place a thread changes
    # hands: waiting for the new owner, remembered for the resident, the owner notified
    # (an urgent thread's ladder starts again from them), the resident told.
    from frontdoor.engine import hours_for
    from frontdoor.threads import hand_over

    hand_over(thread, to, reason=thread.handoff_reason or "leaver", now=now,
              hours=hours_for(current_app), by=by)
    queue_reply(thread, to, f"Your conversation is now with {to.name}, a Local Area "
                f"Coordinator. {to.first_name} will be in touch.", now)
    auth.audit("hand_over", by, f"to {to.key} ({leaver.key} left)", now, thread_id=thread.id)


def wards_without_coordinator() -> list[Ward]:
    """Wards whose named coordinator is missing or deactivated."""
    wards = queries.list_wards()
    return [w for w in wards if w.coordinator is None or not w.coordinator.active]
