"""/healthz, /readyz and the worker's heartbeat: a stopped worker, a missing model or an
unreachable database each make /readyz fail, in JSON."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from frontdoor import create_app
from frontdoor.health import beat, worker_name
from frontdoor.models import Coordinator, Thread, WorkerHeartbeat, utcnow
from frontdoor.outbox import run_worker
from frontdoor.outgoing import queue_reply


def test_healthz_says_the_process_is_alive(words_app):
    # An app whose database is never opened: liveness touches nothing else.
    assert words_app.test_client().get("/healthz").get_json() == {"status": "ok"}


def test_readyz_is_ready_with_the_database_the_model_and_a_fresh_worker(app, client):
    beat(app)
    response = client.get("/readyz")
    report = response.get_json()
    assert response.status_code == 200 and report["status"] == "ready"
    assert report["database"]["ok"] and report["model"]["ok"] and report["worker"]["ok"]
    assert report["worker"]["fresh_workers"] == 1
    assert report["outbox"] == {"pending": 0, "failed": 0, "oldest_pending_seconds": None}


def test_readyz_fails_when_no_worker_has_ever_beaten(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["worker"]["ok"] is False


def test_readyz_fails_when_the_workers_heartbeat_is_over_a_minute_old(app, client, db):
    db.session.add(WorkerHeartbeat(worker="other-host:123",
                                   beat_at=utcnow() - timedelta(seconds=61)))
    db.session.commit()
    response = client.get("/readyz")
    report = response.get_json()
    assert response.status_code == 503 and report["status"] == "not ready"
    assert report["worker"]["ok"] is False and report["worker"]["last_beat_seconds"] >= 61
    assert report["database"]["ok"] and report["model"]["ok"]


def test_the_worker_loop_stamps_its_heartbeat_every_round(app, db):
    run_worker(app.extensions["frontdoor.sms_sender"], app.extensions["frontdoor.alerts"],
               once=True)
    row = db.session.get(WorkerHeartbeat, worker_name())
    assert row is not None and utcnow() - row.beat_at < timedelta(seconds=5)


def test_readyz_fails_when_the_model_is_missing(app, tmp_path):
    beat(app)
    no_model = create_app({"ENV_NAME": "test", "MODEL_PATH": str(tmp_path),
                           "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"]})
    response = no_model.test_client().get("/readyz")
    report = response.get_json()
    assert response.status_code == 503
    assert report["model"]["ok"] is False and report["database"]["ok"] is True


def test_readyz_fails_in_json_when_the_database_is_unreachable(app):
    # Nothing listens on port 1: the connection is refused, as when the server is down.
    down = create_app({"ENV_NAME": "test", "MODEL_PATH": app.config["MODEL_PATH"],
                       "DATABASE_URL": "postgresql+psycopg://frontdoor@127.0.0.1:1/frontdoor"
                                       "?connect_timeout=2"})
    down.extensions["frontdoor.triage"] = app.extensions["frontdoor.triage"]
    response = down.test_client().get("/readyz")
    report = response.get_json()
    assert response.status_code == 503
    assert report["database"] == {"ok": False, "error": "unreachable"}
    assert report["worker"]["ok"] is False and report["model"]["ok"] is True


def test_readyz_shows_the_outbox_backlog_and_its_oldest_wait(app, client, db, phone):
    phone.text("can someone call me, i live in normanton")
    thread = db.session.scalar(sa.select(Thread))
    sam = db.session.scalar(sa.select(Coordinator).where(Coordinator.key == "sam-patel"))
    queue_reply(thread, sam, "I will call you at 2pm", utcnow() - timedelta(minutes=3))
    db.session.commit()
    beat(app)
    outbox = client.get("/readyz").get_json()["outbox"]
    assert outbox["pending"] == 1 and outbox["failed"] == 0
    assert outbox["oldest_pending_seconds"] >= 180
