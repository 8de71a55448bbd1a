"""Single sign-on against a real OpenID provider running on a local port (Authlib's server
side, see oidc_provider.py): the whole round trip over HTTP, nothing of the client mocked."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests
import sqlalchemy as sa

from frontdoor.inbox import sso
from frontdoor.models import AuditEvent, Coordinator, SignIn
from tests.inbox.oidc_provider import LocalProvider

SAM = {"sub": "provider-sam-0001", "email": "sam.patel@lac.example.org", "email_verified": True,
       "name": "Sam Patel"}


@pytest.fixture
def provider(app):
    callback = app.config["PUBLIC_BASE_URL"] + "/inbox/sso/callback"
    with LocalProvider("frontdoor-inbox", "provider-test-secret", callback) as op:
        app.config.update(OIDC_ISSUER=op.url, OIDC_CLIENT_ID="frontdoor-inbox",
                          OIDC_CLIENT_SECRET="provider-test-secret",
                          OIDC_PROVIDER_NAME="Derby council account")
        sso.init_app(app)
        op.person = dict(SAM)
        yield op


def sso_sign_in(client):
    """The browser's trip: frontdoor → the provider (already signed in there) → back."""
    start = client.get("/inbox/sso/start")
    assert start.status_code == 302
    at_provider = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302, at_provider.text
    back = urlsplit(at_provider.headers["Location"])
    return client.get(f"{back.path}?{back.query}")


def failures(db) -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.detail).where(
        AuditEvent.action == "sign_in_failed")))


def test_an_active_coordinator_signs_in_with_code_flow_pkce_state_and_nonce(
        provider, client, db):
    response = sso_sign_in(client)
    assert response.status_code == 302 and response.headers["Location"] == "/inbox"
    assert "My threads" in client.get("/inbox").get_data(as_text=True)
    asked = provider.authorize_requests[-1]
    assert asked["response_type"] == "code" and asked["code_challenge_method"] == "S256"
    assert asked["state"] and asked["nonce"] and asked["code_challenge"]
    record = db.session.scalar(sa.select(SignIn))
    assert record.method == "sso" and record.coordinator.key == "sam-patel"
    sam = db.session.scalar(sa.select(Coordinator).where(Coordinator.key == "sam-patel"))
    assert sam.sso_subject == f"{provider.url} provider-sam-0001"
    assert db.session.scalar(sa.select(AuditEvent.detail).where(
        AuditEvent.action == "sign_in")).endswith("single sign-on")


def test_the_sign_in_page_offers_the_councils_account(provider, client):
    page = client.get("/inbox/sign-in").get_data(as_text=True)
    assert "Sign in with Derby council account" in page and 'name="password"' in page


def test_an_unknown_email_is_refused_with_a_clear_page_and_no_account_is_made(
        provider, client, db):
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Coordinator))
    provider.person = {**SAM, "sub": "stranger", "email": "stranger@lac.example.org"}
    response = sso_sign_in(client)
    assert response.status_code == 403
    assert "stranger@lac.example.org is not an active coordinator" in response.get_data(
        as_text=True)
    assert client.get("/inbox").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Coordinator)) == before
    assert "not an active coordinator" in failures(db)[0]


def test_a_deactivated_coordinator_is_refused(provider, client, db):
    sam = db.session.scalar(sa.select(Coordinator).where(Coordinator.key == "sam-patel"))
    sam.active = False
    db.session.commit()
    assert sso_sign_in(client).status_code == 403
    assert client.get("/inbox").status_code == 302


def test_an_email_the_provider_has_not_verified_is_refused(provider, client, db):
    provider.person = {**SAM, "email_verified": False}
    assert sso_sign_in(client).status_code == 400
    assert "verified email" in failures(db)[0]


ISSUER = "https://login.example.org"


@pytest.mark.parametrize("verified", [{"email_verified": True}, {"email_verified": "true"},
                                      {"xms_edov": 1}], ids=["google", "as text", "entra"])
def test_a_verified_email_is_who_the_token_says_at_that_provider(words_app, verified):
    claims = {"sub": "provider-sam-0001", "email": " Sam.Patel@LAC.example.org ",
              "auth_time": 1764410000, **verified}
    assert sso.identity_from(claims, ISSUER) == sso.Identity(
        email="sam.patel@lac.example.org", subject=f"{ISSUER} provider-sam-0001",
        auth_time=1764410000)


@pytest.mark.parametrize("claims", [
    {"email": "sam.patel@lac.example.org", "email_verified": False},
    {"email": "sam.patel@lac.example.org", "xms_edov": "false"},
    {"email": "", "email_verified": True}], ids=["not verified", "domain not verified",
                                                  "no email"])
def test_a_token_without_a_verified_email_is_refused(words_app, claims):
    with pytest.raises(sso.SsoRefused, match="did not give a verified email"):
        sso.identity_from({"sub": "x", **claims}, ISSUER)


def test_an_email_outside_the_councils_domains_is_refused(words_app):
    words_app.config["OIDC_EMAIL_DOMAINS"] = "lac.example.org, @council.example.org"
    claims = {"sub": "x", "email_verified": True}
    for email in ("sam.patel@lac.example.org", "jo@council.example.org"):
        assert sso.identity_from({**claims, "email": email}, ISSUER).email == email
    with pytest.raises(sso.SsoRefused, match="domain is not one the council allows"):
        sso.identity_from({**claims, "email": "sam.patel@gmail.example"}, ISSUER)


@pytest.mark.parametrize("misbehaviour,reason", [
    ("wrong_audience", "invalid_claim"), ("expired", "expired_token"),
    ("bad_signature", "bad_signature")])
def test_a_token_with_a_wrong_audience_expired_or_badly_signed_is_refused(
        provider, client, db, misbehaviour, reason):
    provider.misbehave = misbehaviour
    response = sso_sign_in(client)
    assert response.status_code == 400
    assert "could not be checked" in response.get_data(as_text=True)
    assert client.get("/inbox").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SignIn)) == 0
    assert f"the ID token was not accepted ({reason})" in failures(db)[0]


def test_an_id_token_replayed_from_an_earlier_sign_in_is_refused_by_its_nonce(
        provider, client, db, app):
    assert sso_sign_in(client).status_code == 302
    client.post("/inbox/sign-out", data={"csrf_token": _csrf(client)})
    provider.misbehave = "replay"     # hands back the first sign-in's ID token
    response = sso_sign_in(client)
    assert response.status_code == 400
    assert client.get("/inbox").status_code == 302
    assert "invalid_claim" in failures(db)[0]


def test_a_replayed_callback_is_refused(provider, client):
    start = client.get("/inbox/sso/start")
    at_provider = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)
    back = urlsplit(at_provider.headers["Location"])
    assert client.get(f"{back.path}?{back.query}").status_code == 302
    client.post("/inbox/sign-out", data={"csrf_token": _csrf(client)})
    assert client.get(f"{back.path}?{back.query}").status_code == 400


def test_a_different_person_at_the_provider_with_a_reused_email_is_refused(provider, client):
    assert sso_sign_in(client).status_code == 302
    client.post("/inbox/sign-out", data={"csrf_token": _csrf(client)})
    provider.person = {**SAM, "sub": "someone-who-now-has-sams-address"}
    assert sso_sign_in(client).status_code == 403


def test_passwords_can_be_switched_off_once_single_sign_on_is_configured(
        provider, client, app, auth):
    from tests.conftest import ACCOUNTS, PASSWORD

    token = _csrf(client)
    app.config["PASSWORD_SIGN_IN"] = False
    page = client.get("/inbox/sign-in").get_data(as_text=True)
    assert "Sign in with Derby council account" in page and 'name="password"' not in page
    assert client.post("/inbox/sign-in", data={"csrf_token": token, "email": ACCOUNTS["sam"],
                                               "password": PASSWORD}).status_code == 404
    assert sso_sign_in(client).status_code == 302


def test_passwords_cannot_be_switched_off_without_single_sign_on():
    from frontdoor import create_app

    with pytest.raises(RuntimeError, match="PASSWORD_SIGN_IN is off"):
        create_app({"ENV_NAME": "test", "DATABASE_URL": "sqlite://",
                    "PASSWORD_SIGN_IN": False})


def test_a_lead_signed_in_with_single_sign_on_confirms_by_signing_in_again(
        provider, client, db, auth):
    from tests.conftest import ACCOUNTS

    provider.person = {**SAM, "sub": "provider-lead", "email": ACCOUNTS["lead"]}
    assert sso_sign_in(client).status_code == 302
    hannah = db.session.scalar(sa.select(Coordinator).where(Coordinator.key == "hannah-okafor"))
    hannah.role = "lead"
    db.session.commit()
    record = db.session.scalar(sa.select(SignIn))
    record.confirmed_at = None
    db.session.commit()
    asked = client.post(f"/inbox/team/people/{hannah.id}/role",
                        data={"csrf_token": _csrf(client), "role": "coordinator"})
    assert "/inbox/confirm" in asked.headers["Location"]
    start = client.get(asked.headers["Location"])
    assert "prompt=login" in start.headers["Location"]
    at_provider = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)
    back = urlsplit(at_provider.headers["Location"])
    assert client.get(f"{back.path}?{back.query}").headers["Location"] == "/inbox/team"
    client.post(f"/inbox/team/people/{hannah.id}/role",
                data={"csrf_token": _csrf(client), "role": "coordinator"})
    db.session.refresh(hannah)
    assert hannah.role == "coordinator"


def _csrf(client) -> str:
    import re

    html = client.get("/inbox/sign-in").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_with_passwords_off_a_new_coordinator_is_sent_no_password_link(
        provider, app, client, auth, db):
    from frontdoor.models import Invitation

    auth.sign_in("lead")
    app.config["PASSWORD_SIGN_IN"] = False
    done = auth.post("/inbox/team/coordinators", name="Alex Reed", email="alex@lac.example.org",
                     role="coordinator", days=["Mon"])
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Alex Reed is added. They sign in with single sign-on." in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0
    provider.person = {**SAM, "sub": "alex", "email": "alex@lac.example.org"}
    auth.sign_out()
    assert sso_sign_in(client).status_code == 302
