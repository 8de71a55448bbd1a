"""The WSGI module gunicorn loads: the trained pipeline is ready before any request."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import PROJECT_ROOT


def test_the_wsgi_app_loads_the_model_before_the_first_request_and_freezes_it(
        model_dir, tmp_path):
    """Loaded in gunicorn's master (preload_app), before the workers fork: a worker recycled
    mid-spike answers at once instead of loading it inside somebody's webhook."""
    env = {**os.environ, "FRONTDOOR_ENV": "development", "MODEL_PATH": str(model_dir),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'wsgi.db'}", "PYTHONPATH": str(PROJECT_ROOT)}
    script = ("import gc, json, wsgi\n"
              "print(json.dumps(['frontdoor.triage' in wsgi.app.extensions,"
              " gc.get_freeze_count()]))\n")
    done = subprocess.run([sys.executable, "-c", script], env=env, cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=120, check=True)
    loaded, frozen = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded
    assert frozen > 100_000
