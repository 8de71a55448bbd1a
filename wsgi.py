"""WSGI entry point: `gunicorn -c deploy/gunicorn.conf.py wsgi:app`."""

import sys

from frontdoor import create_app
from frontdoor.settings import SettingsError

try:
    app = create_app()
except SettingsError as error:
    # One clear line naming the setting, not a traceback; 4 is gunicorn's "application
    # failed to load", so it stops instead of restarting workers that cannot start.
    print(f"frontdoor: {error}", file=sys.stderr, flush=True)
    sys.exit(4)
