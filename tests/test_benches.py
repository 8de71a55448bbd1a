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
