"""WSGI entry point: `gunicorn wsgi:app`."""

from frontdoor import create_app

app = create_app()
