"""Signing coordinators in and out. Sessions live on the server (SignIn rows): the cookie
holds only a random token, so signing out or an idle timeout really ends the session."""

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
from frontdoor.models import Coordinator, SignIn

_hasher = PasswordHasher()
# Verified against when the email is unknown, so a wrong email takes as long as a wrong
# password and does not reveal who has an account.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(coordinator: Coordinator | None, password: str) -> bool:
    try:
        _hasher.verify(coordinator.password_hash if coordinator and coordinator.password_hash
                       else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False
    return coordinator is not None and coordinator.active and bool(coordinator.password_hash)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sign_in(coordinator: Coordinator, now: datetime) -> None:
    """A new session every time: nothing from before sign-in carries over."""
    session.clear()
    token = secrets.token_urlsafe(32)
    db.session.add(SignIn(token_hash=_digest(token), coordinator_id=coordinator.id,
                          created_at=now, last_seen_at=now))
    session["signin"] = token


def sign_out(now: datetime) -> None:
    current = _current_sign_in()
    if current is not None:
        current.ended_at = now
    session.clear()


def _current_sign_in() -> SignIn | None:
    token = session.get("signin")
    if not token:
        return None
    return db.session.scalar(sa.select(SignIn).where(SignIn.token_hash == _digest(token),
                                                     SignIn.ended_at.is_(None)))


def current_coordinator(now: datetime) -> Coordinator | None:
    """The signed-in coordinator, or None; an idle session is ended here."""
    current = _current_sign_in()
    if current is None:
        return None
    idle = timedelta(minutes=current_app.config["INBOX_IDLE_MINUTES"])
    if now - current.last_seen_at > idle or not current.coordinator.active:
        current.ended_at = now
        db.session.commit()
        session.clear()
        return None
    current.last_seen_at = now
    return current.coordinator


def signed_in(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        me = current_coordinator(current_app.extensions["frontdoor.clock"]())
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


def coordinator_by_email(email: str) -> Coordinator | None:
    return db.session.scalar(sa.select(Coordinator).where(
        sa.func.lower(Coordinator.email) == email.strip().lower()))
