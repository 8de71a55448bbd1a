"""The benchmarks the README quotes still run against today's schema and sign-in: a bench
that broke silently would leave the README quoting figures nobody can reproduce."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL")
def test_the_inbox_scale_bench_runs_at_a_small_size(model_dir):
    """bench/inbox_scale.py fills its own schema (COPY, every table the pages read), signs
    in with a password and an authenticator code, and times each page."""
    result = subprocess.run(
        [sys.executable, "bench/inbox_scale.py", "--postgresql",
         os.environ["TEST_DATABASE_URL"], "--messages", "3000", "--residents", "200",
         "--repeat", "2"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={**os.environ, "MODEL_PATH": str(model_dir), "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr[-2000:]
    for page in ("thread list, lead", "resident's page", "reports, default 12 weeks",
                 "a chart, just after its page"):
        assert page in result.stdout
    assert "3,000 messages" in result.stdout


@pytest.mark.integration   # a Python process started, as gunicorn would
def test_the_webhook_bench_is_importable_the_way_gunicorn_imports_it():
    """bench/webhook.py serves its bare endpoint as `gunicorn bench.webhook:bare`: imported as
    a module of the bench folder, not run as a script (a script-only import broke it once)."""
    result = subprocess.run([sys.executable, "-c", "import bench.webhook as w; print(w.bare.name)"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "bare"


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL")
def test_the_spike_bench_runs_a_small_spike_and_loses_nothing(model_dir):
    """bench/spike.py on its own database (it empties the one it is given): gunicorn, two
    `frontdoor worker`s and a Twilio stub, a few texts a second for a few seconds; every
    text stored, acknowledged within Twilio's 15 s, and answered."""
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    url = make_url(os.environ["TEST_DATABASE_URL"])
    name = f"{url.database}_spike"
    server = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        if not connection.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                 {"name": name}):
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    server.dispose()
    result = subprocess.run(
        [sys.executable, "bench/spike.py", "--postgresql",
         url.set(database=name).render_as_string(hide_password=False), "--rate", "2",
         "--times", "2", "--seconds", "3", "--drain", "120"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={**os.environ, "MODEL_PATH": str(model_dir), "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr[-2000:]
    assert "answered 2xx 12, stored 12" in result.stdout, result.stdout
    assert "past 15 s or failed 0" in result.stdout, result.stdout
    assert "replies delivered 12" in result.stdout, result.stdout
    assert "lost 0 " in result.stdout, result.stdout


def test_the_rules_bench_finds_dead_and_shadowed_rules():
    """bench/rules.py: a rule that fires on no text is dead; one whose every text (its own
    example included) another rule of its category also matches is shadowed and redundant;
    a rule of another category never covers one."""
    import re

    from bench.rules import firings
    from frontdoor.triage.safety import Rule

    knife = Rule("danger", re.compile(r"\bknife\b"), "he has a knife")
    knife_outside = Rule("danger", re.compile(r"\bknife\s+outside\b"), "a knife outside")
    machete = Rule("danger", re.compile(r"\bmachete\b"), "a machete")
    stabbed = Rule("medical", re.compile(r"\bstabbed\b"), "he's been stabbed")
    stabbed_danger = Rule("danger", re.compile(r"\bstabbed\b"), "they stabbed him")
    texts = ["there's a man with a knife outside", "I lost my knife", "he was stabbed"]
    found = {f.rule.example: f for f in firings(
        [knife, knife_outside, machete, stabbed, stabbed_danger], texts)}
    assert (found["he has a knife"].fires, found["he has a knife"].shadowed) == (2, False)
    outside = found["a knife outside"]
    assert (outside.fires, outside.shadowed, outside.redundant) == (1, True, True)
    assert outside.covered_by is knife
    assert found["a machete"].dead and not found["a machete"].redundant
    # The same words in another category are not cover: each category is its own answer.
    assert not found["he's been stabbed"].shadowed
