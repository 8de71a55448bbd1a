"""Sign-in pages: a password and a second factor, or the council's single sign-on; an
invitation link to choose a password; a person's own sessions, password and recovery codes;
confirming it is you before a lead changes another lead's account.

Every failed attempt is counted (per account and per address, see throttle.py) and audited
with the address it came from; answers never say whether an email has an account."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any, cast

from flask import (
    Flask,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from werkzeug.wrappers import Response

from frontdoor import queries, transactions
from frontdoor.extensions import db
from frontdoor.inbox import auth, people, second_factor, sso, throttle
from frontdoor.inbox.views import bp
from frontdoor.models import Coordinator, SignIn

# A password checked but no code typed yet: how long that half-way state lasts.
PENDING_MINUTES = 5
Page = str | tuple[str, int]


@bp.record_once
def _set_up(state: BlueprintSetupState) -> None:
    app = cast(Flask, state.app)
    throttle.init_app(app)
    sso.init_app(app)


def _now() -> datetime:
    return auth.clock_now()


def safe_next(target: str | None) -> str:
    """Where to go after signing in: `target` if it is one of our own inbox pages, else the
    inbox."""
    # Only our own inbox paths: never an open redirect, and never a header broken by a
    # CR or LF (or any other control character) carried in from the sign-in form.
    target = target or ""
    return target if target.startswith("/inbox/") and "\\" not in target \
        and target.isprintable() and len(target) <= 500 else url_for("inbox.my_threads")


def _issuer() -> str:
    from frontdoor.models import Council

    council = db.session.get(Council, 1)
    return f"{council.name if council else 'Council'} inbox"


def _sign_in_form(status: int = 200, **extra: Any) -> Page:
    page = render_template("inbox/sign_in.html", next=request.values.get("next", ""),
                           passwords=sso.passwords_allowed(), sso=sso.is_configured(),
                           provider=current_app.config["OIDC_PROVIDER_NAME"], **extra)
    return (page, status) if status != 200 else page


# -- password and second factor -------------------------------------------------------------

@bp.get("/sign-in")
def sign_in_page() -> Page:
    return _sign_in_form()


@bp.post("/sign-in")
@transactions.changes_state
def sign_in() -> Response | Page:
    if not sso.passwords_allowed():
        abort(404)
    now = _now()
    email, password = request.form.get("email", "")[:254], request.form.get("password", "")
    attempt = throttle.Attempt(email, auth.client_address())
    person = queries.find_coordinator_by_email(email)
    if attempt.address_blocked(now):
        auth.waste_time_like_a_password_check(password)
        return _failed(attempt, person, now, "too many failures from this address", 429)
    if attempt.account_blocked(now):
        # Told apart from a wrong password only in the audit, never to whoever is trying.
        auth.waste_time_like_a_password_check(password)
        return _failed(attempt, person, now, "account paused or locked")
    if not auth.check_password(person, password):
        reason = ("unknown email" if person is None else
                  "deactivated account" if not person.active else "wrong password")
        return _failed(attempt, person, now, reason)
    assert person is not None
    session.clear()
    session["pending"] = {"id": person.id, "at": now.timestamp(), "email": email,
                          "next": request.form.get("next", "")[:500],
                          "nonce": secrets.token_urlsafe(16)}
    step = "code" if second_factor.is_enrolled(person) else "enrol"
    return redirect(url_for(f"inbox.sign_in_{step}"))


def _failed(attempt: throttle.Attempt, person: Coordinator | None, now: datetime,
            reason: str, status: int = 400, template: str = "sign_in") -> Page:
    locked = attempt.failed(now)
    auth.audit("sign_in_failed", person, f"from {attempt.address}: {reason}", now)
    if locked and person is not None:
        until = throttle.locked_until(attempt.email, now)
        auth.audit("lock", None, f"{person.key} after "
                   f"{current_app.config['SIGN_IN_LOCK_AFTER']} failed sign-ins"
                   + (f", until {until:%H:%M} UTC" if until else ""), now)
    if template == "code":
        return render_template("inbox/sign_in_code.html", error=True), status
    return _sign_in_form(status, error="address" if status == 429 else True)


def _pending(now: datetime) -> tuple[Coordinator, dict[str, Any]] | None:
    if not sso.passwords_allowed():
        return None
    pending = session.get("pending")
    if not pending or now.timestamp() - pending["at"] > PENDING_MINUTES * 60:
        return None
    person = db.session.get(Coordinator, pending["id"])
    if person is None or not person.active or not person.password_hash:
        return None
    return person, pending


def _finish(person: Coordinator, pending: dict[str, Any], now: datetime, how: str) -> SignIn:
    throttle.Attempt(pending["email"], auth.client_address()).succeeded()
    record = auth.sign_in(person, now, method="password")
    auth.audit("sign_in", person, f"from {record.address}: password and {how}", now)
    return record


@bp.get("/sign-in/code")
def sign_in_code() -> Response | str:
    if _pending(_now()) is None:
        return redirect(url_for("inbox.sign_in_page"))
    return render_template("inbox/sign_in_code.html")


@bp.post("/sign-in/code")
@transactions.changes_state
def sign_in_code_check() -> Response | Page:
    now = _now()
    found = _pending(now)
    if found is None:
        return redirect(url_for("inbox.sign_in_page"))
    person, pending = found
    attempt = throttle.Attempt(pending["email"], auth.client_address())
    if attempt.account_blocked(now) or attempt.address_blocked(now):
        return _failed(attempt, person, now, "second factor while paused", template="code")
    how = second_factor.check(person, request.form.get("code", ""), now)
    if how is None:
        return _failed(attempt, person, now, "wrong second factor code", template="code")
    target = safe_next(pending.get("next"))
    _finish(person, pending, now, how)
    if how == "recovery code":
        left = second_factor.recovery_codes_left(person)
        flash(f"You used a recovery code: {left} left. Make new ones on Your account if "
              "you are running low.", "success")
    return redirect(target)


@bp.route("/sign-in/enrol", methods=["GET", "POST"])
@transactions.changes_state
def sign_in_enrol() -> Response | Page:
    """An account with a password but no second factor yet sets one up before going on."""
    now = _now()
    found = _pending(now)
    if found is None or second_factor.is_enrolled(found[0]):
        return redirect(url_for("inbox.sign_in_page"))
    person, pending = found
    secret = second_factor.enrolment_secret(current_app.config["SECRET_KEY"],
                                            f"sign-in:{person.id}:{pending['nonce']}")
    if request.method == "POST":
        step = second_factor.confirming_step(secret, request.form.get("code", ""), now)
        if step is not None:
            codes = second_factor.enrol(person, secret, now, step)
            auth.audit("second_factor_set", person, person.key, now)
            _finish(person, pending, now, "a new second factor")
            return render_template("inbox/recovery_codes.html", codes=codes,
                                   next=safe_next(pending.get("next")))
        flash("That code is not right. Scan the QR code again, then type the 6 digits your "
              "app shows.", "error")
    return render_template("inbox/enrol.html", **_enrolment(person, secret),
                           action=url_for("inbox.sign_in_enrol"))


def _enrolment(person: Coordinator, secret: str) -> dict[str, str]:
    uri = second_factor.provisioning_uri(person, secret, _issuer())
    return {"qr": second_factor.qr_code(uri), "secret": second_factor.grouped(secret)}


@bp.post("/sign-out")
@transactions.changes_state
def sign_out() -> Response:
    now = _now()
    record = auth.current_sign_in()
    if record is not None:
        auth.audit("sign_out", record.coordinator, f"from {auth.client_address()}", now)
    auth.sign_out(now)
    return redirect(url_for("inbox.sign_in_page"))


# -- invitations ----------------------------------------------------------------------------

@bp.route("/welcome/<token>", methods=["GET", "POST"])
@transactions.changes_state
def welcome(token: str) -> Page:
    now = _now()
    invitation = people.open_invitation(token, now) if sso.passwords_allowed() else None
    if invitation is None:
        return render_template("inbox/welcome_gone.html"), 404
    person = invitation.coordinator
    enrolled = second_factor.is_enrolled(person)
    if request.method == "POST":
        password = request.form.get("password", "")
        try:
            if password != request.form.get("password_again", ""):
                raise people.PeopleError("The two passwords are not the same.")
            codes = people.accept_invitation(invitation, token, password,
                                             request.form.get("code", ""), now)
        except people.PeopleError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            return render_template("inbox/welcome_done.html", codes=codes, person=person)
    extra = {} if enrolled else _enrolment(person, people.invitation_secret(token))
    return render_template("inbox/welcome.html", person=person, enrolled=enrolled,
                           expires=invitation.expires_at, **extra)


# -- my account -----------------------------------------------------------------------------

@bp.get("/account")
@auth.signed_in
def account() -> str:
    now = _now()
    return render_template("inbox/account.html", sessions=auth.open_sessions(g.me, now),
                           current=g.sign_in, has_password=bool(g.me.password_hash),
                           codes_left=second_factor.recovery_codes_left(g.me),
                           passwords=sso.passwords_allowed())


@bp.post("/account/sessions/<int:sign_in_id>/end")
@transactions.changes_state
@auth.signed_in
def end_session(sign_in_id: int) -> Response:
    record = db.session.get(SignIn, sign_in_id)
    if record is None or record.coordinator_id != g.me.id:
        abort(404)
    now = _now()
    record.ended_at = record.ended_at or now
    auth.audit("sign_out", g.me, f"session {record.id} ended from {auth.client_address()}",
               now)
    if record.id == g.sign_in.id:
        session.clear()
    return redirect(url_for("inbox.account"))


@bp.post("/account/sign-out-everywhere")
@transactions.changes_state
@auth.signed_in
def sign_out_everywhere() -> Response:
    now = _now()
    ended = auth.end_sessions(g.me, now)
    auth.audit("sign_out_everywhere", g.me, f"{ended} session(s) from {auth.client_address()}",
               now)
    session.clear()
    return redirect(url_for("inbox.sign_in_page"))


@bp.post("/account/password")
@transactions.changes_state
@auth.signed_in
def change_password() -> Response:
    now = _now()
    attempt = throttle.Attempt(g.me.email or g.me.key, auth.client_address())
    new = request.form.get("new_password", "")
    if attempt.account_blocked(now) or not auth.check_password(
            g.me, request.form.get("current_password", "")):
        attempt.failed(now)
        auth.audit("password_change_failed", g.me, f"from {attempt.address}", now)
        flash("Your current password is not right.", "error")
        return redirect(url_for("inbox.account"))
    try:
        if new != request.form.get("new_password_again", ""):
            raise people.PeopleError("The two new passwords are not the same.")
        people.set_password(g.me, new)
    except people.PeopleError as error:
        flash(str(error), "error")
        return redirect(url_for("inbox.account"))
    ended = auth.end_sessions(g.me, now, keep=g.sign_in)
    auth.audit("password_change", g.me, f"{ended} other session(s) ended", now)
    flash("Password changed. Your other sessions have been signed out.", "success")
    return redirect(url_for("inbox.account"))


@bp.post("/account/recovery-codes")
@transactions.changes_state
@auth.signed_in
def new_recovery_codes() -> Response | str:
    now = _now()
    if second_factor.check(g.me, request.form.get("code", ""), now) != "code":
        throttle.Attempt(g.me.email or g.me.key, auth.client_address()).failed(now)
        flash("That code is not right. Use the 6 digits your app shows now.", "error")
        return redirect(url_for("inbox.account"))
    codes = second_factor.new_recovery_codes(g.me)
    auth.audit("recovery_codes_new", g.me, g.me.key, now)
    return render_template("inbox/recovery_codes.html", codes=codes,
                           next=url_for("inbox.account"))


# -- confirming it is you (a lead changing another lead's account) --------------------------

@bp.route("/confirm", methods=["GET", "POST"])
@transactions.changes_state
@auth.signed_in
def confirm() -> Response | Page:
    now = _now()
    target = safe_next(request.values.get("next"))
    if g.sign_in.method == "sso" and sso.is_configured():
        session["sso"] = {"purpose": "confirm", "next": target, "at": now.timestamp()}
        return sso.start(_callback_url(), again=True)
    if request.method == "POST":
        attempt = throttle.Attempt(g.me.email or g.me.key, auth.client_address())
        if (not attempt.account_blocked(now)
                and auth.check_password(g.me, request.form.get("password", ""))
                and second_factor.check(g.me, request.form.get("code", ""), now)):
            g.sign_in.confirmed_at = now
            auth.audit("confirm", g.me, f"from {attempt.address}", now)
            return redirect(target)
        attempt.failed(now)
        auth.audit("confirm_failed", g.me, f"from {attempt.address}", now)
        flash("That password or code is not right.", "error")
    return render_template("inbox/confirm.html", next=target)


# -- single sign-on -------------------------------------------------------------------------

def _callback_url() -> str:
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/inbox/sso/callback"


@bp.get("/sso/start")
def sso_start() -> Response:
    if not sso.is_configured():
        abort(404)
    session["sso"] = {"purpose": "sign_in", "next": request.args.get("next", ""),
                      "at": _now().timestamp()}
    return sso.start(_callback_url())


@bp.get("/sso/callback")
@transactions.changes_state_on_get
def sso_callback() -> Response | Page:
    if not sso.is_configured():
        abort(404)
    now = _now()
    trip = session.pop("sso", None) or {}
    address = auth.client_address()
    try:
        identity = sso.finish()
    except sso.SsoRefused as refused:
        auth.audit("sign_in_failed", None, f"from {address}: single sign-on, {refused.reason}",
                   now)
        return render_template("inbox/sso_refused.html", email=None), 400
    person = queries.find_coordinator_by_email(identity.email)
    if person is None or not person.active or (
            person.sso_subject and person.sso_subject != identity.subject):
        reason = ("not an active coordinator" if person is None or not person.active
                  else "a different account at the provider")
        auth.audit("sign_in_failed", person, f"from {address}: single sign-on, {reason}", now)
        return render_template("inbox/sso_refused.html", email=identity.email), 403
    if trip.get("purpose") == "confirm":
        return _sso_confirmed(person, identity, trip, now)
    person.sso_subject = identity.subject
    auth.sign_in(person, now, method="sso")
    auth.audit("sign_in", person, f"from {address}: single sign-on", now)
    return redirect(safe_next(trip.get("next")))


def _sso_confirmed(person: Coordinator, identity: sso.Identity, trip: dict[str, Any],
                   now: datetime) -> Response:
    record = auth.current_sign_in()
    started = datetime.fromtimestamp(trip.get("at", 0), now.tzinfo)
    # A provider that says when the person last signed in must say it was just now.
    fresh = identity.auth_time is None or identity.auth_time >= (
        started - timedelta(seconds=sso.LEEWAY_SECONDS)).timestamp()
    if record is None or record.coordinator_id != person.id or not fresh:
        auth.audit("confirm_failed", person, f"from {auth.client_address()}: single sign-on",
                   now)
        flash("We could not confirm it was you. Try again.", "error")
        return redirect(url_for("inbox.team"))
    record.confirmed_at = now
    auth.audit("confirm", person, f"from {auth.client_address()}: single sign-on", now)
    return redirect(safe_next(trip.get("next")))
