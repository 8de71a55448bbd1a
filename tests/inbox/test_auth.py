"""Signing in and out: hashed passwords, server-side sessions, idle expiry, CSRF, limits."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from frontdoor.models import Coordinator, SignIn


def test_sign_in_with_the_right_password_opens_the_inbox(auth, client):
    response = auth.sign_in("sam")
    assert response.status_code == 302 and response.headers["Location"].endswith("/inbox")
    assert "My threads" in client.get("/inbox").get_data(as_text=True)


def test_a_wrong_password_or_unknown_email_is_refused_alike(auth, client):
    wrong = auth.sign_in("sam", "not the password")
    unknown = auth.sign_in("nobody@example.org")
    assert wrong.status_code == unknown.status_code == 400
    assert "The email or password is not right" in wrong.get_data(as_text=True)
    assert client.get("/inbox").status_code == 302


def test_passwords_are_stored_as_argon2_hashes(auth, db):
    stored = db.session.scalar(sa.select(Coordinator.password_hash).where(
        Coordinator.key == "sam-patel"))
    assert stored.startswith("$argon2") and "horse" not in stored


def test_sign_out_really_ends_the_session_even_if_the_cookie_is_replayed(auth, client):
    auth.sign_in("sam")
    cookie = client.get_cookie("session")
    auth.sign_out()
    assert client.get("/inbox").status_code == 302
    client.set_cookie("session", cookie.value)      # the old cookie, replayed
    response = client.get("/inbox")
    assert response.status_code == 302 and "/inbox/sign-in" in response.headers["Location"]


def test_signing_in_starts_a_new_session(auth, client, db):
    auth.sign_in("sam")
    first = client.get_cookie("session").value
    auth.sign_in("sam")
    assert client.get_cookie("session").value != first
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SignIn)) == 2


def test_an_idle_session_expires(auth, client, db, app):
    auth.sign_in("sam")
    sign_in = db.session.scalar(sa.select(SignIn))
    sign_in.last_seen_at -= timedelta(minutes=app.config["INBOX_IDLE_MINUTES"] + 1)
    db.session.commit()
    assert client.get("/inbox").status_code == 302
    db.session.refresh(sign_in)
    assert sign_in.ended_at is not None


def test_session_cookies_are_httponly_lax_and_secure_outside_development(auth, client):
    response = auth.sign_in("sam")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    from frontdoor.settings import Config, DevelopmentConfig
    assert Config.model_fields["SESSION_COOKIE_SECURE"].default is True
    assert DevelopmentConfig.model_fields["SESSION_COOKIE_SECURE"].default is False


def test_forms_without_a_csrf_token_are_refused(auth, client, phone, db):
    phone.text("can i talk to someone, i live in normanton")
    auth.sign_in("sam")
    thread_id = db.session.scalar(sa.text("select id from thread"))
    response = client.post(f"/inbox/threads/{thread_id}/reply", data={"body": "hello"})
    assert response.status_code == 400
    assert client.post("/inbox/sign-in", data={"email": "x", "password": "y"}).status_code == 400


def test_sign_in_is_rate_limited(auth, app):
    app.config["RATELIMIT_SIGN_IN"] = "3 per minute"
    statuses = [auth.sign_in("sam", "wrong").status_code for _ in range(4)]
    assert statuses == [400, 400, 400, 429]
