"""gunicorn for frontdoor: `gunicorn -c deploy/gunicorn.conf.py wsgi:app`.

Behind the council's HTTPS reverse proxy; values can be changed with the environment
variables named beside them. The app's own settings come from the environment as always
(config/example.env)."""

import os
import shutil
import sys
import tempfile

# Where the proxy sends requests; keep it on loopback unless the proxy is elsewhere.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Each worker holds its own copy of the model (about 200 MB): about one per core.
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# Twilio gives up on a webhook after 15 s; nothing we do should take half that.
timeout = 30
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so memory cannot creep.
max_requests = 2000
max_requests_jitter = 200
# Load the app once in the master: a missing setting stops gunicorn at once with one line
# (wsgi.py) instead of every worker failing in turn.
preload_app = True
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")

# Logs: gunicorn's own lines go through the app's scrubbing JSON handler (frontdoor/logs.py);
# access lines carry the path without its query string, and no client address.
accesslog = "-"
access_log_format = '"%(m)s %(U)s" %(s)s %(b)s %(M)sms'
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"level": os.environ.get("LOG_LEVEL", "INFO"), "handlers": ["frontdoor"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": [], "propagate": True},
        "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": True},
    },
    "handlers": {"frontdoor": {"()": "frontdoor.logs.stderr_handler",
                               "kind": os.environ.get("LOG_FORMAT", "json")}},
    "formatters": {},
}

# Prometheus: every worker writes its latency histograms to files in one folder, summed at
# /metrics (counts and states come from the database, frontdoor/metrics.py). A fresh folder
# per start, so nothing stale is counted; it must be set before prometheus_client loads.
_made_metrics_dir = "PROMETHEUS_MULTIPROC_DIR" not in os.environ
if _made_metrics_dir:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="frontdoor-metrics-")


def on_starting(server):
    # Development and test settings publish their secret key and Twilio token, and /dev/sms
    # shows any number's conversation: they serve this machine only.
    env = os.environ.get("FRONTDOOR_ENV") or "production"
    if env == "production":
        return
    for address in server.cfg.address:
        if isinstance(address, tuple) and address[0] not in {"127.0.0.1", "localhost", "::1"}:
            print(f"frontdoor: {env} settings serve only on this machine: bind 127.0.0.1, "
                  "or use production settings to serve others", file=sys.stderr, flush=True)
            sys.exit(4)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if _made_metrics_dir:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)


def post_fork(server, worker):
    # Database connections are never shared across a fork: anything the master opened while
    # loading the app stays the master's, and each worker opens its own.
    import wsgi
    from frontdoor.extensions import db

    with wsgi.app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)
