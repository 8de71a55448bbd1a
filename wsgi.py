"""WSGI entry point: `gunicorn -c deploy/gunicorn.conf.py wsgi:app`."""

import contextlib
import sys

from frontdoor import create_app
from frontdoor.engine import ModelMissing, load_triage
from frontdoor.settings import SettingsError

try:
    app = create_app()
except SettingsError as error:
    # One clear line naming the setting, not a traceback; 4 is gunicorn's "application
    # failed to load", so it stops instead of restarting workers that cannot start.
    print(f"frontdoor: {error}", file=sys.stderr, flush=True)
    sys.exit(4)

# The trained pipeline is loaded here, before gunicorn forks its workers (preload_app in
# deploy/gunicorn.conf.py): they share it, and a worker recycled after max_requests (every
# few seconds in a spike of texts) answers at once instead of loading it inside a webhook.
# Without a model, the first text says what to run (`frontdoor train`), as before.
with contextlib.suppress(ModelMissing):
    load_triage(app)
