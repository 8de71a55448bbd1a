"""Single sign-on through the council's OpenID Connect provider (Entra ID, Google Workspace),
with Authlib's Flask client.

Authorisation code flow with PKCE (S256); Authlib keeps state, nonce and the code verifier
for the round trip and checks state and nonce on return. The ID token's signature is checked
against the provider's published keys, and its issuer, audience and expiry here. A person
is matched by a verified email to an existing, active coordinator: nobody is ever created
by signing in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from werkzeug.wrappers import Response

CLIENT = "frontdoor.sso"
# Clock difference allowed between us and the provider when checking expiry.
LEEWAY_SECONDS = 60


class SsoRefused(Exception):
    """Single sign-on did not prove who this is; `reason` is for the audit, not the page."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Identity:
    email: str
    subject: str                 # "issuer subject": stable for one person at one provider
    auth_time: int | None


def is_configured(app: Flask | None = None) -> bool:
    config = (app or current_app).config
    return bool(config.get("OIDC_ISSUER") and config.get("OIDC_CLIENT_ID")
                and config.get("OIDC_CLIENT_SECRET"))


def passwords_allowed() -> bool:
    return bool(current_app.config["PASSWORD_SIGN_IN"]) or not is_configured()


def init_app(app: Flask) -> None:
    """Register the provider with Authlib when it is configured."""
    if not app.config["PASSWORD_SIGN_IN"] and not is_configured(app):
        raise RuntimeError("PASSWORD_SIGN_IN is off but single sign-on is not configured: "
                           "set OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET")
    if not is_configured(app):
        return
    from authlib.integrations.flask_client import OAuth

    oauth = OAuth(app)
    issuer = app.config["OIDC_ISSUER"].rstrip("/")
    app.extensions[CLIENT] = oauth.register(
        "council", client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"],
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256",
                       "timeout": 10})


def _client() -> Any:
    return current_app.extensions[CLIENT]


def start(redirect_uri: str, again: bool = False) -> Response:
    """Send the browser to the provider; `again` asks the person to sign in afresh."""
    extra = {"prompt": "login", "max_age": 0} if again else {}
    return _client().authorize_redirect(redirect_uri, **extra)


def finish() -> Identity:
    """Complete the round trip: the checked identity, or SsoRefused saying why not."""
    from authlib.integrations.base_client.errors import OAuthError
    from joserfc.errors import JoseError
    from requests import RequestException

    client = _client()
    issuer = current_app.config["OIDC_ISSUER"].rstrip("/")
    try:
        metadata = client.load_server_metadata()
        # The discovery document must name the issuer we were configured with (mix-up).
        if metadata.get("issuer", "").rstrip("/") != issuer:
            raise SsoRefused("the provider's discovery document names another issuer")
        token = client.authorize_access_token(
            leeway=LEEWAY_SECONDS,
            claims_options={"iss": {"essential": True, "value": metadata["issuer"]},
                            "aud": {"essential": True, "value": client.client_id},
                            "exp": {"essential": True}})
    except SsoRefused:
        raise
    except OAuthError as error:
        raise SsoRefused(f"the provider or the round trip failed ({error.error})") from error
    except JoseError as error:
        raise SsoRefused(f"the ID token was not accepted ({error.error})") from error
    except (RequestException, ValueError, KeyError, TypeError) as error:
        raise SsoRefused(f"the provider could not be reached ({type(error).__name__})") \
            from error
    claims = token.get("userinfo")
    if not claims:
        raise SsoRefused("no ID token came back")
    return identity_from(claims, issuer)


def identity_from(claims: dict[str, Any], issuer: str) -> Identity:
    """Who the ID token's claims say this is: a verified email, in a domain the council
    allows (OIDC_EMAIL_DOMAINS); SsoRefused saying why not."""
    email = str(claims.get("email") or "").strip().lower()
    # Google sends email_verified; Entra ID sends xms_edov (the email's domain is verified
    # by its owner) when that optional claim is added to the app.
    verified = claims.get("email_verified") in (True, "true") or \
        claims.get("xms_edov") in (True, "true", 1)
    if not email or not verified:
        raise SsoRefused("the provider did not give a verified email")
    domains = [d.strip().lower().lstrip("@") for d in
               current_app.config["OIDC_EMAIL_DOMAINS"].split(",") if d.strip()]
    if domains and email.rsplit("@", 1)[-1] not in domains:
        raise SsoRefused("the email's domain is not one the council allows")
    auth_time = claims.get("auth_time")
    return Identity(email=email, subject=f"{issuer} {claims['sub']}"[:300],
                    auth_time=int(auth_time) if isinstance(auth_time, int | float) else None)
