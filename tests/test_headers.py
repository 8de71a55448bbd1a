"""Headers and configuration (issue 19): nothing with residents' words is kept by a browser
or cache; the inbox can be framed by nobody, the chat only by the council's own sites; HSTS,
Permissions-Policy and __Host- cookies in production; every absolute address from
PUBLIC_BASE_URL; production refuses the debugger and development refuses to serve others."""

from __future__ import annotations

import os
import subprocess

import pytest
import sqlalchemy as sa

from frontdoor import create_app
from frontdoor.models import Thread
from frontdoor.settings import SettingsError
from tests.channels.test_webchat import post, start
from tests.test_settings import BIN, COMPLETE, PROJECT_ROOT, environment  # noqa: F401


def test_every_answer_carrying_residents_words_is_no_store(auth, client, phone, db):
    phone.text("can i talk to someone, i live in normanton")
    thread = db.session.scalar(sa.select(Thread))
    token = start(client)
    post(client, token, "hello")
    answers = {
        "sms twiml": phone.signed_post(phone.fields("thanks")),
        "chat api": client.get("/chat/api/messages",
                               headers={"Authorization": f"Bearer {token}"}),
        "chat page": client.get("/chat"),
    }
    auth.sign_in("sam")
    answers["inbox thread"] = client.get(f"/inbox/threads/{thread.id}")
    answers["inbox list json"] = client.get("/inbox/threads.json")
    answers["not found"] = client.get("/inbox/threads/999999")
    for name, response in answers.items():
        assert response.headers.get("Cache-Control") == "no-store", name


def test_the_inbox_is_framed_by_nobody_and_the_chat_only_by_the_councils_sites(app, client):
    app.config["CHAT_EMBED_ORIGINS"] = "https://www.derby.gov.uk"
    for path in ("/inbox/sign-in", "/", "/chat/api/openapi.json"):
        response = client.get(path)
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], path
        assert response.headers["X-Frame-Options"] == "DENY"
    chat = client.get("/chat?embed=1")
    assert "frame-ancestors 'self' https://www.derby.gov.uk" in \
        chat.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in chat.headers


def test_every_response_refuses_powerful_browser_features(client):
    for path in ("/", "/chat", "/inbox/sign-in", "/healthz"):
        policy = client.get(path).headers["Permissions-Policy"]
        assert "camera=()" in policy and "geolocation=()" in policy and "microphone=()" in policy


@pytest.fixture
def production(environment, tmp_path):  # noqa: F811
    environment.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'production.db'}")
    app = create_app(role="web")
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
    return app


def test_production_sends_hsts_and_host_prefixed_secure_cookies(production):
    client = production.test_client()
    page = client.get("/chat")
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    assert production.config["SESSION_COOKIE_NAME"] == "__Host-session"
    session_cookie = page.headers["Set-Cookie"]
    assert session_cookie.startswith("__Host-session=") and "Secure" in session_cookie
    assert "Path=/;" in session_cookie or session_cookie.endswith("Path=/")
    assert "Domain" not in session_cookie


def test_development_sends_no_hsts():
    app = create_app({"ENV_NAME": "development"}, role=None)
    assert "Strict-Transport-Security" not in app.test_client().get("/healthz").headers


def test_the_chat_cookie_is_host_prefixed_when_cookies_are_secure(app, client):
    app.config["SESSION_COOKIE_SECURE"] = True
    html = client.get("/chat").get_data(as_text=True)
    import re

    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    response = client.post("/chat", data={"csrf_token": csrf, "text": "hello"})
    chat_cookie = next(c for c in response.headers.getlist("Set-Cookie")
                       if "frontdoor_chat" in c)
    assert chat_cookie.startswith("__Host-frontdoor_chat=")
    assert "Secure" in chat_cookie and "Path=/;" in chat_cookie and "Domain" not in chat_cookie


def test_the_widget_points_at_the_public_address_whatever_host_is_asked_for(app, client):
    from frontdoor.edge import TrustedProxies

    app.wsgi_app = TrustedProxies(app.wsgi_app, 1, "127.0.0.1")
    for headers in ({"Host": "attacker.example"},
                    {"X-Forwarded-Host": "attacker.example", "X-Forwarded-Proto": "http"}):
        script = client.get("/chat/widget.js", headers=headers).get_data(as_text=True)
        assert '"https://frontdoor.test/chat?embed=1"' in script
        assert "attacker" not in script


def test_a_forwarded_address_from_anyone_but_our_proxy_cannot_dodge_the_sign_in_limit(
        app, client, auth):
    from frontdoor.edge import TrustedProxies

    app.config["SIGN_IN_ADDRESS_ALLOWANCE"] = 3
    app.wsgi_app = TrustedProxies(app.wsgi_app, 1, "127.0.0.1")

    def wrong_password(peer: str, forwarded: str):
        return client.post("/inbox/sign-in", data={
            "csrf_token": auth.csrf(), "email": f"nobody{forwarded}@example.org",
            "password": "wrong"}, headers={"X-Forwarded-For": forwarded},
            environ_overrides={"REMOTE_ADDR": peer})

    # Straight to the app from outside: X-Forwarded-For is the client's own invention.
    answers = [wrong_password("203.0.113.9", f"198.51.100.{i}").status_code
               for i in range(6)]
    assert answers[-1] == 429, answers
    # Through our proxy, which adds the address it saw: a made-up one before it is ignored.
    answers = [wrong_password("127.0.0.1", f"198.51.100.{i}, 203.0.113.77").status_code
               for i in range(6)]
    assert answers[-1] == 429, answers


def test_production_refuses_the_debugger(environment):  # noqa: F811
    environment.setenv("FLASK_DEBUG", "1")
    with pytest.raises(SettingsError, match="FLASK_DEBUG must be off"):
        create_app(role="web")


@pytest.mark.slow
@pytest.mark.integration   # starts the server's own processes
def test_development_settings_refuse_to_serve_anything_but_this_machine(tmp_path):
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path),
           "PYTHONPATH": str(PROJECT_ROOT), "FRONTDOOR_ENV": "development",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'dev.db'}"}
    public = "0.0.0.0"  # noqa: S104 - the very address that must be refused
    done = subprocess.run([str(BIN / "frontdoor"), "run", "--host", public], env=env,
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 4
    assert "development settings serve only on this machine" in done.stderr
    gunicorn = subprocess.run(
        [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "wsgi:app"],
        env={**env, "GUNICORN_BIND": "0.0.0.0:0"}, cwd=PROJECT_ROOT, capture_output=True,
        text=True, timeout=120)
    assert gunicorn.returncode == 4, gunicorn.stderr[-2000:]
    assert "development settings serve only on this machine" in gunicorn.stderr
