"""A real OpenID Connect provider for the tests: Authlib's authorisation server (code flow,
PKCE required, OpenID Connect ID tokens signed RS256) in a small Flask app, served over
HTTP on a local port. frontdoor's client talks to it exactly as it would to Entra ID or
Google: discovery document, redirect, token endpoint, published keys.

Tests choose who is signed in at the provider (`person`) and can make it misbehave the way
a forged or stale token would: a wrong audience, an expired token, a signature from another
key, an ID token replayed from an earlier sign-in."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from authlib.oidc.core.models import AuthorizationCodeMixin
from flask import Flask, jsonify, request
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server


@dataclass
class Client(ClientMixin):
    client_id: str
    client_secret: str
    redirect_uris: list[str]

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope: str) -> str:
        return " ".join(s for s in scope.split() if s in {"openid", "email", "profile"})

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return client_secret == self.client_secret

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in {"client_secret_basic", "client_secret_post"}

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class Code(AuthorizationCodeMixin):
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    person: dict[str, Any]
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time


class LocalProvider:
    """The provider and its knobs. `url` is its issuer."""

    def __init__(self, client_id: str, client_secret: str, redirect_uri: str) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig"})
        self.other_key = RSAKey.generate_key(2048, parameters={"kid": "test-key"})
        self.client = Client(client_id, client_secret, [redirect_uri])
        self.person: dict[str, Any] = {}
        self.misbehave: str | None = None     # wrong_audience | expired | bad_signature | replay
        self.codes: dict[str, Code] = {}
        self.issued_id_tokens: list[str] = []
        self.authorize_requests: list[dict[str, str]] = []
        self.app = self._build()
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LocalProvider:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()

    # The provider's routes, nested so they share it: read as a list of routes, each simple.
    def _build(self) -> Flask:  # noqa: C901
        app = Flask("local_openid_provider")
        provider = self

        class Grant(AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

            def save_authorization_code(self, code: str, request: Any) -> None:
                data = request.payload.data
                provider.codes[code] = Code(
                    code=code, client_id=request.client.client_id,
                    redirect_uri=request.payload.redirect_uri, scope=request.scope,
                    person=dict(request.user), nonce=data.get("nonce"),
                    code_challenge=data.get("code_challenge"),
                    code_challenge_method=data.get("code_challenge_method"))

            def query_authorization_code(self, code: str, client: Client) -> Code | None:
                found = provider.codes.get(code)
                return found if found and found.client_id == client.client_id else None

            def delete_authorization_code(self, authorization_code: Code) -> None:
                provider.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code: Code) -> dict[str, Any]:
                return authorization_code.person

        class IdToken(OpenIDCode):
            def resolve_client_private_key(self, client: Client) -> RSAKey:
                return provider.other_key if provider.misbehave == "bad_signature" \
                    else provider.key

            def get_client_algorithm(self, client: Client) -> str:
                return "RS256"

            def get_encode_header(self, client: Client) -> dict[str, str]:
                return {"alg": "RS256", "kid": "test-key"}

            def get_client_claims(self, client: Client) -> dict[str, Any]:
                now = int(time.time())
                audience = "someone-else" if provider.misbehave == "wrong_audience" \
                    else client.get_client_id()
                if provider.misbehave == "expired":
                    return {"iss": provider.url, "aud": [audience], "iat": now - 7200,
                            "exp": now - 3600}
                return {"iss": provider.url, "aud": [audience], "iat": now, "exp": now + 300}

            def exists_nonce(self, nonce: str, request: Any) -> bool:
                return False

            def generate_user_info(self, user: dict[str, Any], scope: str) -> UserInfo:
                return UserInfo(user)

            def process_token(self, grant: Any, response: Any) -> Any:
                token = super().process_token(grant, response)
                if provider.misbehave == "replay" and provider.issued_id_tokens:
                    token["id_token"] = provider.issued_id_tokens[0]
                provider.issued_id_tokens.append(token["id_token"])
                return token

        server = AuthorizationServer(app, query_client=lambda cid: (
            provider.client if cid == provider.client.client_id else None),
            save_token=lambda token, request: None)
        server.register_grant(Grant, [CodeChallenge(required=True), IdToken(require_nonce=True)])

        @app.get("/.well-known/openid-configuration")
        def discovery() -> Any:
            return jsonify({
                "issuer": provider.url, "authorization_endpoint": provider.url + "/authorize",
                "token_endpoint": provider.url + "/token", "jwks_uri": provider.url + "/jwks",
                "response_types_supported": ["code"], "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic",
                                                          "client_secret_post"]})

        @app.get("/jwks")
        def jwks() -> Any:
            return jsonify({"keys": [provider.key.as_dict(private=False)]})

        @app.get("/authorize")
        def authorize() -> Any:
            # The person is already signed in at the provider and consents at once.
            provider.authorize_requests.append(request.args.to_dict())
            return server.create_authorization_response(grant_user=provider.person)

        @app.post("/token")
        def token() -> Any:
            return server.create_token_response()

        return app
