"""Signing in and out: hashed passwords, a second factor, server-side sessions with idle and
absolute expiry, CSRF, invitations, password rules, own sessions, resets that end sessions."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
import sqlalchemy as sa

from frontdoor.inbox import passwords, signin, team_access
from frontdoor.models import AuditEvent, Coordinator, Invitation, SignIn
from tests.conftest import ACCOUNTS, PASSWORD, TOTP_KEYS, TUESDAY_10AM, AuthActions


def person(db, key: str) -> Coordinator:
    return db.session.scalar(sa.select(Coordinator).where(Coordinator.key == key))


def actions(db) -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def csrf_from(client, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_sign_in_with_the_right_password_and_code_opens_the_inbox(auth, client, db):
    response = auth.sign_in("sam")
    assert response.status_code == 302 and response.headers["Location"] == "/inbox"
    assert "My threads" in client.get("/inbox").get_data(as_text=True)
    assert "sign_in" in actions(db)


def test_a_password_account_cannot_reach_the_inbox_without_its_second_factor(auth, client, db):
    asked = client.post("/inbox/sign-in", data={"csrf_token": auth.csrf(),
                                                "email": ACCOUNTS["sam"], "password": PASSWORD})
    assert asked.headers["Location"].endswith("/inbox/sign-in/code")
    assert client.get("/inbox").status_code == 302
    wrong = client.post("/inbox/sign-in/code", data={
        "csrf_token": csrf_from(client, "/inbox/sign-in/code"), "code": "000000"})
    assert wrong.status_code == 400 and "That code is not right" in wrong.get_data(as_text=True)
    assert client.get("/inbox").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SignIn)) == 0
    assert "second factor" in db.session.scalar(sa.select(AuditEvent.detail).where(
        AuditEvent.action == "sign_in_failed"))


def test_a_code_works_once(auth, client):
    code = pyotp.TOTP(TOTP_KEYS[ACCOUNTS["sam"]]).now()
    assert auth.sign_in("sam", code=code).headers["Location"] == "/inbox"
    auth.sign_out()
    again = client.post("/inbox/sign-in", data={"csrf_token": auth.csrf(),
                                                "email": ACCOUNTS["sam"], "password": PASSWORD})
    assert again.status_code == 302
    reused = client.post("/inbox/sign-in/code", data={
        "csrf_token": csrf_from(client, "/inbox/sign-in/code"), "code": code})
    assert reused.status_code == 400


def test_a_recovery_code_signs_in_once(auth, client, db):
    from frontdoor.inbox import second_factor

    codes = second_factor.new_recovery_codes(person(db, "sam-patel"))
    db.session.commit()
    assert auth.sign_in("sam", code=codes[0]).headers["Location"] == "/inbox"
    auth.sign_out()
    assert auth.sign_in("sam", code=codes[0]).status_code == 400
    assert auth.sign_in("sam", code=codes[1].upper().replace("-", " ")).status_code == 302


def test_an_account_without_a_second_factor_sets_one_up_before_the_inbox(auth, client, db):
    from frontdoor.inbox import second_factor

    second_factor.remove(person(db, "sam-patel"))
    db.session.commit()
    asked = client.post("/inbox/sign-in", data={"csrf_token": auth.csrf(),
                                                "email": ACCOUNTS["sam"], "password": PASSWORD})
    assert asked.headers["Location"].endswith("/inbox/sign-in/enrol")
    page = client.get("/inbox/sign-in/enrol").get_data(as_text=True)
    assert "data:image/svg+xml" in page
    assert client.get("/inbox").status_code == 302
    key = re.search(r"Key: <code>([A-Z2-7 ]+)</code>", page).group(1).replace(" ", "")
    done = client.post("/inbox/sign-in/enrol", data={
        "csrf_token": csrf_from(client, "/inbox/sign-in/enrol"),
        "code": pyotp.TOTP(key).now()})
    assert "Your recovery codes" in done.get_data(as_text=True)
    assert client.get("/inbox").status_code == 200
    assert person(db, "sam-patel").totp_secret == key
    assert "second_factor_set" in actions(db)


def test_a_wrong_password_or_unknown_email_is_refused_alike(auth, client, db):
    wrong = auth.sign_in("sam", "not the password")
    unknown = auth.sign_in("nobody@example.org")
    assert wrong.status_code == unknown.status_code == 400
    assert wrong.get_data(as_text=True) == unknown.get_data(as_text=True).replace(
        *_token_pair(wrong, unknown))
    assert "The email or password is not right" in wrong.get_data(as_text=True)
    assert client.get("/inbox").status_code == 302
    failed = db.session.scalars(sa.select(AuditEvent.detail).where(
        AuditEvent.action == "sign_in_failed")).all()
    assert failed == ["from 127.0.0.1: wrong password", "from 127.0.0.1: unknown email"]


def _token_pair(first, second) -> tuple[str, str]:
    token = re.compile(r'name="csrf_token" value="([^"]+)"')
    return (token.search(second.get_data(as_text=True)).group(1),
            token.search(first.get_data(as_text=True)).group(1))


def test_passwords_are_stored_as_argon2_hashes(auth, db):
    stored = person(db, "sam-patel").password_hash
    assert stored.startswith("$argon2id") and "horse" not in stored


def test_sign_out_really_ends_the_session_even_if_the_cookie_is_replayed(auth, client, db):
    auth.sign_in("sam")
    cookie = client.get_cookie("session")
    auth.sign_out()
    assert client.get("/inbox").status_code == 302
    client.set_cookie("session", cookie.value)      # the old cookie, replayed
    response = client.get("/inbox")
    assert response.status_code == 302 and "/inbox/sign-in" in response.headers["Location"]
    assert "sign_out" in actions(db)


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


def test_a_session_past_its_absolute_lifetime_is_refused_however_busy(auth, client, db, app):
    assert app.config["INBOX_SESSION_HOURS"] == 12
    auth.sign_in("sam")
    sign_in = db.session.scalar(sa.select(SignIn))
    sign_in.created_at -= timedelta(hours=12, minutes=1)   # used a minute ago, made 12h ago
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
    assert client.post("/inbox/account/sign-out-everywhere").status_code == 400


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/inbox/",
                                    "/inbox/\\evil.example", "/inbox/\r\nSet-Cookie: x=1",
                                    "/inbox/" + "x" * 500, "", None])
def test_a_next_page_that_is_not_our_own_inbox_page_becomes_the_inbox(words_app, target):
    with words_app.test_request_context():
        assert signin.safe_next(target) == "/inbox"


def test_a_next_page_in_the_inbox_is_kept(words_app):
    with words_app.test_request_context():
        assert signin.safe_next("/inbox/threads/7") == "/inbox/threads/7"


def test_sign_in_never_redirects_away(auth, client):
    # Which targets are refused: safe_next, above. Here: the code step goes through it.
    client.post("/inbox/sign-in", data={"csrf_token": auth.csrf(), "email": ACCOUNTS["sam"],
                                        "password": PASSWORD,
                                        "next": "//evil.example/inbox/"})
    person_key = ACCOUNTS["sam"]
    code = pyotp.TOTP(TOTP_KEYS[person_key]).now()
    done = client.post("/inbox/sign-in/code", data={
        "csrf_token": csrf_from(client, "/inbox/sign-in/code"), "code": code})
    assert done.headers["Location"] == "/inbox"


# -- own sessions and password --------------------------------------------------------------

def test_a_coordinator_sees_their_sessions_and_signs_out_everywhere(auth, client, app, db):
    other = AuthActions(app.test_client(), app)
    other.sign_in("sam")
    auth.sign_in("sam")
    page = client.get("/inbox/account").get_data(as_text=True)
    assert page.count("Password and code") == 2 and "(this one)" in page
    client.post("/inbox/account/sign-out-everywhere",
                data={"csrf_token": csrf_from(client, "/inbox/account")})
    assert client.get("/inbox").status_code == 302
    assert other.client.get("/inbox").status_code == 302
    assert "sign_out_everywhere" in actions(db)


def test_a_coordinator_ends_one_other_session(auth, client, app, db):
    other = AuthActions(app.test_client(), app)
    other.sign_in("sam")
    auth.sign_in("sam")
    first = db.session.scalar(sa.select(SignIn).order_by(SignIn.id))
    client.post(f"/inbox/account/sessions/{first.id}/end",
                data={"csrf_token": csrf_from(client, "/inbox/account")})
    assert other.client.get("/inbox").status_code == 302
    assert client.get("/inbox").status_code == 200
    auth.sign_in("hannah")
    assert client.post(f"/inbox/account/sessions/{first.id}/end",
                       data={"csrf_token": csrf_from(client, "/inbox/account")}
                       ).status_code == 404, "not someone else's"


@pytest.mark.parametrize("weak,why", [
    ("password1234", "harder to guess"), ("123456789012", "harder to guess"),
    ("aaaaaaaaaaaa", "harder to guess"), ("sampatel1234", "harder to guess"),
    ("short", "at least 12 characters"), ("x" * 129, "at most 128 characters")])
def test_common_and_guessable_passwords_are_refused_with_the_reason(weak, why):
    assert why in passwords.problem_with(weak, ["Sam Patel", ACCOUNTS["sam"]])


def test_a_long_unguessable_password_is_accepted():
    assert passwords.problem_with(PASSWORD, ["Sam Patel", ACCOUNTS["sam"]]) is None


def test_a_guessable_password_is_refused_when_changing_your_own(auth, client, db):
    # Which passwords are guessable: problem_with, above. Here: the account page asks it,
    # with the person's own name and email (without them this one would pass).
    weak = "sampatelnormanton"
    assert passwords.problem_with(weak) is None
    auth.sign_in("sam")
    response = client.post("/inbox/account/password", data={
        "csrf_token": csrf_from(client, "/inbox/account"), "current_password": PASSWORD,
        "new_password": weak, "new_password_again": weak})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "harder to guess" in page
    assert auth.sign_in("sam").status_code == 302


def test_changing_your_own_password_ends_your_other_sessions(auth, client, app, db):
    other = AuthActions(app.test_client(), app)
    other.sign_in("sam")
    auth.sign_in("sam")
    new = "kettle orbit marmalade sunrise"
    wrong = client.post("/inbox/account/password", data={
        "csrf_token": csrf_from(client, "/inbox/account"), "current_password": "nope",
        "new_password": new, "new_password_again": new})
    assert "not right" in client.get(wrong.headers["Location"]).get_data(as_text=True)
    client.post("/inbox/account/password", data={
        "csrf_token": csrf_from(client, "/inbox/account"), "current_password": PASSWORD,
        "new_password": new, "new_password_again": new})
    assert client.get("/inbox").status_code == 200
    assert other.client.get("/inbox").status_code == 302
    assert auth.sign_in("sam", new).headers["Location"] == "/inbox"
    assert "password_change" in actions(db)


# -- invitations ----------------------------------------------------------------------------

def invitation_link(app) -> str:
    return app.extensions["frontdoor.alerts"].notifier.sent[-1][2].rsplit(" ", 1)[-1]


def test_an_invited_coordinator_chooses_their_own_password_and_second_factor(
        auth, client, app, db):
    auth.sign_in("lead")
    auth.post("/inbox/team/coordinators", name="Alex Reed", email="alex@lac.example.org",
              role="coordinator", days=["Mon"])
    link = invitation_link(app)
    assert link.startswith("https://frontdoor.test/inbox/welcome/")
    path = link.removeprefix("https://frontdoor.test")
    newcomer = app.test_client()
    page = newcomer.get(path).get_data(as_text=True)
    key = re.search(r"Key: <code>([A-Z2-7 ]+)</code>", page).group(1).replace(" ", "")

    def choose(password: str, code: str):
        return newcomer.post(path, data={"csrf_token": csrf_from(newcomer, path),
                                         "password": password, "password_again": password,
                                         "code": code})

    assert "harder to guess" in choose("password1234", pyotp.TOTP(key).now()).get_data(
        as_text=True)
    assert "not right" in choose("kettle orbit marmalade", "123456").get_data(as_text=True)
    done = choose("kettle orbit marmalade", pyotp.TOTP(key).now())
    assert "You are set up, Alex" in done.get_data(as_text=True)
    assert newcomer.get(path).status_code == 404, "the link works once"
    assert AuthActions(newcomer, app).sign_in("alex@lac.example.org",
                                              "kettle orbit marmalade").status_code == 302
    assert newcomer.get("/inbox").status_code == 200
    assert {"invite", "password_set", "second_factor_set"} <= set(actions(db))


def test_an_expired_invitation_does_not_work(auth, client, app, db):
    from frontdoor.inbox import people

    now = app.extensions["frontdoor.clock"]()
    token = people.invite(person(db, "tom-whitfield"), None, now)
    db.session.commit()
    invitation = db.session.scalar(sa.select(Invitation))
    invitation.expires_at = now - timedelta(minutes=1)
    db.session.commit()
    response = client.get(f"/inbox/welcome/{token}")
    assert response.status_code == 404 and "no longer works" in response.get_data(as_text=True)


# -- what a lead can change -----------------------------------------------------------------

def test_a_password_reset_ends_the_persons_sessions(auth, app, db):
    sam = AuthActions(app.test_client(), app)
    sam.sign_in("sam")
    assert sam.client.get("/inbox").status_code == 200
    auth.sign_in("lead")
    auth.post(f"/inbox/team/people/{person(db, 'sam-patel').id}/reset-password")
    assert sam.client.get("/inbox").status_code == 302
    assert sam.sign_in("sam").status_code == 400, "the old password no longer works"
    assert "/inbox/welcome/" in invitation_link(app)
    assert "password_reset" in actions(db)


def test_a_role_change_or_second_factor_reset_ends_the_persons_sessions(auth, app, db):
    sam = AuthActions(app.test_client(), app)
    sam.sign_in("sam")
    auth.sign_in("lead")
    auth.post(f"/inbox/team/people/{person(db, 'sam-patel').id}/role", role="lead")
    assert sam.client.get("/inbox").status_code == 302
    assert person(db, "sam-patel").role == "lead"
    hannah = AuthActions(app.test_client(), app)
    hannah.sign_in("hannah")
    auth.post(f"/inbox/team/people/{person(db, 'hannah-okafor').id}/reset-second-factor")
    assert hannah.client.get("/inbox").status_code == 302
    assert person(db, "hannah-okafor").totp_secret is None
    assert {"role_change", "second_factor_reset"} <= set(actions(db))


def test_a_lead_changing_another_lead_must_confirm_it_is_them(auth, client, db):
    sam = person(db, "sam-patel")
    sam.role = "lead"
    db.session.commit()
    auth.sign_in("lead")
    record = db.session.scalar(sa.select(SignIn).where(SignIn.ended_at.is_(None)))
    record.confirmed_at -= timedelta(minutes=10)
    db.session.commit()
    asked = auth.post(f"/inbox/team/people/{sam.id}/reset-password")
    assert "/inbox/confirm" in asked.headers["Location"]
    db.session.refresh(sam)
    assert sam.password_hash is not None
    wrong = client.post("/inbox/confirm", data={"csrf_token": csrf_from(client, "/inbox/confirm"),
                                                "password": "wrong", "code": "123456"})
    assert wrong.status_code == 200 and "not right" in wrong.get_data(as_text=True)
    lead = person(db, "lead")
    lead.totp_last_step = None
    db.session.commit()
    client.post("/inbox/confirm", data={
        "csrf_token": csrf_from(client, "/inbox/confirm"), "password": PASSWORD,
        "code": pyotp.TOTP(TOTP_KEYS[ACCOUNTS["lead"]]).now(), "next": "/inbox/team"})
    auth.post(f"/inbox/team/people/{sam.id}/reset-password")
    db.session.refresh(sam)
    assert sam.password_hash is None
    assert {"confirm_failed", "confirm", "password_reset"} <= set(actions(db))


def test_the_last_lead_cannot_be_demoted_or_deactivated(auth, client, db, runner):
    from frontdoor.cli import deactivate_command

    auth.sign_in("lead")
    lead = person(db, "lead")
    response = auth.post(f"/inbox/team/people/{lead.id}/role", role="coordinator")
    assert "the last team lead" in client.get(response.headers["Location"]).get_data(
        as_text=True)
    result = runner.invoke(deactivate_command, [ACCOUNTS["lead"]])
    assert result.exit_code != 0 and "the last team lead" in result.output
    db.session.refresh(lead)
    assert lead.role == "lead" and lead.active


# -- how the team page says each person signs in (no database) ----------------------------------

ENROLLED = {"totp_secret": "JBSWY3DPEHPK3PXP", "totp_enrolled_at": TUESDAY_10AM}


@pytest.mark.parametrize(("account", "words"), [
    ({"password_hash": "x", **ENROLLED}, "Password and code"),
    ({"password_hash": "x"}, "Password; second factor not set up yet"),
    ({"password_hash": "x", "totp_secret": "JBSWY3DPEHPK3PXP"},   # enrolment not finished
     "Password; second factor not set up yet"),
    ({"sso_subject": "https://login.example|123"}, "Single sign-on"),
    ({"sso_subject": "https://login.example|123", "password_hash": "x", **ENROLLED},
     "Single sign-on, password and code"),
    ({"active": False, "password_hash": "x", **ENROLLED}, "Deactivated"),
])
def test_the_team_page_says_how_each_person_signs_in(words_app, account, words):
    person = Coordinator(name="Sam Patel", active=account.pop("active", True), **account)
    assert team_access.sign_in_words(person, TUESDAY_10AM) == words
