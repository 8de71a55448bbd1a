"""Settings: production refuses what it cannot run without, in one line naming the setting;
commands that serve nobody need nothing; `frontdoor --help` and `config check` always work."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from frontdoor import create_app
from frontdoor.settings import PROJECT_ROOT, Config, SettingsError, load_settings, problems

BIN = Path(sys.executable).parent

# Everything production needs, set; each test takes one thing away.
COMPLETE = {
    "SECRET_KEY": "k" * 64,
    "DATABASE_URL": "postgresql+psycopg://frontdoor@db.internal/frontdoor",
    "PUBLIC_BASE_URL": "https://frontdoor.example.gov.uk",
    "SMS_SENDER": "twilio",
    "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
    "TWILIO_AUTH_TOKEN": "t" * 32,
    "TWILIO_FROM_NUMBER": "+447700900000",
    "NOTIFY_CHANNEL": "email",
    "SMTP_HOST": "smtp.example.gov.uk",
    "SMTP_FROM": "frontdoor@example.gov.uk",
}


@pytest.fixture
def environment(monkeypatch):
    """A clean environment holding only the complete production settings."""
    for name in list(os.environ):
        if name in Config.model_fields or name == "FRONTDOOR_ENV":
            monkeypatch.delenv(name)
    for name, value in COMPLETE.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("FRONTDOOR_ENV", "production")
    return monkeypatch


@pytest.mark.parametrize("public", ["https://frontdoor.example.gov.uk",
                                    "https://www.example.gov.uk/frontdoor/"])
def test_twilio_is_given_the_status_callback_at_the_public_address(environment, public):
    environment.setenv("PUBLIC_BASE_URL", public)
    sender = create_app(role="worker").extensions["frontdoor.sms_sender"]
    assert sender.status_callback == public.rstrip("/") + "/sms/status"


def test_complete_production_settings_start_the_web_server_and_the_worker(environment):
    for role in ("web", "worker"):
        app = create_app(role=role)
        assert app.config["ENV_NAME"] == "production"
        assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["hide_parameters"] is True


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL", "PUBLIC_BASE_URL",
                                     "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN",
                                     "TWILIO_FROM_NUMBER", "NOTIFY_CHANNEL", "SMTP_HOST",
                                     "SMTP_FROM"])
def test_production_refuses_to_serve_without_each_setting_naming_it(environment, missing):
    environment.delenv(missing)
    with pytest.raises(SettingsError) as refused:
        create_app(role="web")
    message = str(refused.value)
    assert message.startswith(missing) and "\n" not in message


def test_production_refuses_to_guess_the_sms_sender(environment):
    for name in ("SMS_SENDER", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN",
                 "TWILIO_FROM_NUMBER"):
        environment.delenv(name)
    with pytest.raises(SettingsError, match=r"^SMS_SENDER is not set"):
        create_app(role="worker")
    # An explicit choice of a sender that sends nothing is a choice: it starts.
    environment.setenv("SMS_SENDER", "console")
    assert create_app(role="worker").config["SMS_SENDER"] == "console"


@pytest.mark.parametrize(("name", "value", "named"), [
    ("PUBLIC_BASE_URL", "http://frontdoor.example.gov.uk", "PUBLIC_BASE_URL must start"),
    ("SECRET_KEY", "short", "SECRET_KEY is too short"),
    ("SMS_SENDER", "fake", "SMS_SENDER=fake is for tests"),
    ("NOTIFY_CHANNEL", "recording", "NOTIFY_CHANNEL=recording is for tests"),
    ("DEV_TOOLS", "true", "DEV_TOOLS must be off"),
    ("SMTP_PORT", "five-eight-seven", "SMTP_PORT is not valid"),
    ("TIMEZONE", "Europe/Derby", "TIMEZONE is not valid"),
])
def test_production_refuses_inconsistent_settings_in_one_line(environment, name, value, named):
    environment.setenv(name, value)
    with pytest.raises(SettingsError, match=re.escape(named)):
        create_app(role="web")


def test_notifications_by_sms_need_twilio(environment):
    environment.setenv("NOTIFY_CHANNEL", "sms")
    environment.setenv("SMS_SENDER", "console")
    with pytest.raises(SettingsError, match=r"^NOTIFY_CHANNEL=sms needs SMS_SENDER=twilio"):
        create_app(role="worker")


def test_commands_that_serve_nobody_need_no_production_settings(environment):
    for name in COMPLETE:
        environment.delenv(name)
    app = create_app(role=None)
    assert app.config["SECRET_KEY"] is None
    assert problems(load_settings(), "web")   # ...but a server would be refused


def test_development_and_test_settings_refuse_nothing():
    assert problems(load_settings("development"), "web") == []
    assert problems(load_settings("test"), "worker") == []


def test_test_settings_ignore_the_environment(monkeypatch):
    monkeypatch.setenv("SMS_SENDER", "twilio")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@nowhere/none")
    settings = load_settings("test")
    assert settings.SMS_SENDER == "fake" and settings.DATABASE_URL is None


def test_example_env_lists_every_setting():
    listed = set(re.findall(r"^([A-Z_]+)=", (PROJECT_ROOT / "config" / "example.env")
                            .read_text(), re.MULTILINE))
    assert set(Config.model_fields) <= listed, set(Config.model_fields) - listed


def run(*args: str, env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "frontdoor"), *args], env=env, cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=300, input=stdin)


@pytest.fixture
def bare_env(tmp_path, model_dir) -> dict[str, str]:
    """A fresh shell: no FRONTDOOR_ENV, no SECRET_KEY, nothing set but where things are."""
    return {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path),
            "PYTHONPATH": str(PROJECT_ROOT), "MODEL_PATH": str(model_dir),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'frontdoor.db'}"}


@pytest.mark.slow
def test_help_lists_every_command_even_when_settings_are_broken(bare_env):
    bare_env["SMTP_PORT"] = "not-a-number"
    done = run("--help", env=bare_env)
    assert done.returncode == 0, done.stderr
    commands = set(re.findall(r"^  ([a-z-]+)\s", done.stdout, re.MULTILINE))
    assert {"run", "db", "load-config", "train", "evaluate", "classify", "chat", "worker",
            "coordinators", "demo", "config"} <= commands
    assert "Traceback" not in done.stderr


@pytest.mark.slow
def test_readme_commands_run_without_secret_key_and_servers_refuse_in_one_line(bare_env):
    assert run("db", "upgrade", env=bare_env).returncode == 0
    loaded = run("load-config", env=bare_env)
    assert loaded.returncode == 0 and "Loaded 18 wards" in loaded.stdout
    classified = run("classify", "need a food bank in DE23 8AB", env=bare_env)
    assert classified.returncode == 0, classified.stderr
    assert '"need": "food"' in classified.stdout
    chatted = run("chat", "--as", "+447700900123", env=bare_env, stdin="hello\n")
    assert chatted.returncode == 0 and "frontdoor>" in chatted.stdout
    for serving in (["worker", "--once"], ["run"]):
        refused = run(*serving, env=bare_env)
        assert refused.returncode == 4
        line = refused.stderr.strip()
        assert "\n" not in line and "Traceback" not in line
        assert re.match(r"Error: (SECRET_KEY|PUBLIC_BASE_URL|SMS_SENDER) is not set", line), line


@pytest.mark.slow
def test_an_env_file_is_read_with_dash_e_and_config_check_reports_each_setting(bare_env,
                                                                               tmp_path):
    env_file = tmp_path / "frontdoor.env"
    example = (PROJECT_ROOT / "config" / "example.env").read_text()
    env_file.write_text(example.replace("SECRET_KEY=\n", f"SECRET_KEY={'s' * 40}\n"))
    done = run("-e", str(env_file), "config", "check", env=bare_env)
    assert done.returncode == 1, done.stderr     # example.env has no Twilio account
    states = dict(re.findall(r"^  ([A-Z_]+)\s+(set|default|missing|invalid)\b", done.stdout,
                             re.MULTILINE))
    assert states["SECRET_KEY"] == "set" and "s" * 40 not in done.stdout
    assert states["DATABASE_URL"] == "set"        # from the shell, which wins over the file
    assert states["TWILIO_ACCOUNT_SID"] == "missing"
    assert states["SMTP_HOST"] == "set" and states["INBOX_IDLE_MINUTES"] == "set"
    assert states["SENTRY_DSN"] == "default"
    assert "TWILIO_ACCOUNT_SID is not set" in done.stdout
    # The same file runs the commands that serve nobody; an empty database is one line.
    unready = run("-e", str(env_file), "classify", "im lonely", env=bare_env)
    assert unready.returncode == 1 and "Traceback" not in unready.stderr
    assert "run `frontdoor db upgrade`" in unready.stderr
    assert run("-e", str(env_file), "db", "upgrade", env=bare_env).returncode == 0
    classified = run("-e", str(env_file), "classify", "im lonely", env=bare_env)
    assert classified.returncode == 0, classified.stderr


@pytest.mark.slow
@pytest.mark.integration   # starts the server's own processes
def test_gunicorn_refuses_production_without_a_database_in_one_line(
        tmp_path: Path) -> None:
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path),
           "PYTHONPATH": str(PROJECT_ROOT), "FRONTDOOR_ENV": "production",
           "SECRET_KEY": "s" * 64, "GUNICORN_BIND": "127.0.0.1:0"}
    done = subprocess.run([str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "wsgi:app"],
                          env=env, cwd=PROJECT_ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 4
    assert "frontdoor: DATABASE_URL is not set" in done.stderr
    assert "Traceback" not in done.stderr
