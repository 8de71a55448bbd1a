"""Signing coordinators in and out. Sessions live on the server (SignIn rows): the cookie
holds only a random token, so signing out, an idle timeout, the absolute lifetime or a
lead deactivating someone really ends the session, on its very next request."""

from __future__ import annotations

import functools
import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import abort, current_app, g, redirect, request, session, url_for

from frontdoor.extensions import db
from frontdoor.models import AuditEvent, Coordinator, SignIn, utcnow

_hasher = PasswordHasher()
# How recently a lead must have proved it is them before changing another lead's account.
CONFIRM_MINUTES = 5


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the email is unknown, so a wrong email takes as long as a wrong
    password and does not reveal who has an account. Made at the first sign-in, not at
    import: an Argon2 hash costs 64 MB, which the worker and the CLI never need."""
    return _hasher.hash("not-a-real-password")


def check_password(coordinator: Coordinator | None, password: str) -> bool:
    try:
        _hasher.verify(coordinator.password_hash if coordinator and coordinator.password_hash
                       else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False
    return coordinator is not None and coordinator.active and bool(coordinator.password_hash)


def waste_time_like_a_password_check(password: str) -> None:
    """An attempt refused before its password is checked still takes as long as a check."""
    check_password(None, password)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def client_address() -> str:
    """The address a request came from (behind TRUSTED_PROXIES, the one they saw)."""
    return (request.remote_addr or "")[:45]


def sign_in(coordinator: Coordinator, now: datetime, method: str = "password") -> SignIn:
    """A new session every time: nothing from before sign-in carries over."""
    session.clear()
    token = secrets.token_urlsafe(32)
    record = SignIn(token_hash=_digest(token), coordinator_id=coordinator.id, created_at=now,
                    last_seen_at=now, confirmed_at=now, method=method,
                    address=client_address(),
                    device=(request.user_agent.string or "")[:120])
    db.session.add(record)
    session["signin"] = token
    return record


def sign_out(now: datetime) -> None:
    current = current_sign_in()
    if current is not None:
        current.ended_at = now
    session.clear()


def current_sign_in() -> SignIn | None:
    token = session.get("signin")
    if not token:
        return None
    return db.session.scalar(sa.select(SignIn).where(SignIn.token_hash == _digest(token),
                                                     SignIn.ended_at.is_(None)))


def session_expired(record: SignIn, now: datetime) -> bool:
    """Idle too long, or older than the absolute lifetime however busy."""
    config = current_app.config
    return (now - record.last_seen_at > timedelta(minutes=config["INBOX_IDLE_MINUTES"])
            or now - record.created_at > timedelta(hours=config["INBOX_SESSION_HOURS"]))


def current_coordinator(now: datetime) -> Coordinator | None:
    """The signed-in coordinator, or None; an expired session is ended here (committed with
    the request's other writes: see frontdoor/transactions.py, never here)."""
    current = current_sign_in()
    if current is None:
        return None
    if session_expired(current, now) or not current.coordinator.active:
        current.ended_at = now
        session.clear()
        return None
    current.last_seen_at = now
    g.sign_in = current
    return current.coordinator


def end_sessions(person: Coordinator, now: datetime, keep: SignIn | None = None) -> int:
    """End every open session of this person (but `keep`); how many were ended."""
    query = sa.update(SignIn).where(SignIn.coordinator_id == person.id,
                                    SignIn.ended_at.is_(None))
    if keep is not None:
        query = query.where(SignIn.id != keep.id)
    result = db.session.execute(query.values(ended_at=now).execution_options(
        synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)


def open_sessions(person: Coordinator, now: datetime) -> list[SignIn]:
    """This person's sessions that still work, newest first."""
    rows = db.session.scalars(sa.select(SignIn).where(
        SignIn.coordinator_id == person.id, SignIn.ended_at.is_(None))
        .order_by(SignIn.created_at.desc())).all()
    return [r for r in rows if not session_expired(r, now)]


def recently_confirmed(now: datetime) -> bool:
    """Whether this session proved it was its person in the last few minutes."""
    record: SignIn | None = g.get("sign_in")
    return (record is not None and record.confirmed_at is not None
            and now - record.confirmed_at <= timedelta(minutes=CONFIRM_MINUTES))


def audit(action: str, by: Coordinator | None, detail: str = "", now: datetime | None = None,
          thread_id: int | None = None) -> None:
    """A sign-in or account event in the lead's audit trail: who did it (None for the
    system or the command line) and to whom, by key. Never a password, code or token."""
    db.session.add(AuditEvent(coordinator_id=by.id if by else None, action=action,
                              thread_id=thread_id, detail=detail[:200],
                              created_at=now or utcnow()))


def signed_in(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        me = current_coordinator(clock_now())
        if me is None:
            return redirect(url_for("inbox.sign_in_page", next=request.path))
        g.me = me
        return view(*args, **kwargs)
    return wrapper


def lead_only(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    @signed_in
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if g.me.role != "lead":
            abort(404)
        return view(*args, **kwargs)
    return wrapper


def clock_now() -> datetime:
    """What time it is for the inbox: the app's one clock (tests set it)."""
    clock: Callable[[], datetime] = current_app.extensions["frontdoor.clock"]
    return clock()
