"""Building the conversation engine once per process, on first use (not at import)."""

from __future__ import annotations

import gc
import threading
import time
from pathlib import Path
from typing import cast

import sqlalchemy as sa
from flask import Flask, current_app

from frontdoor.conversations import FrontDoor
from frontdoor.extensions import db
from frontdoor.models import Council
from frontdoor.rota import Hours
from frontdoor.timings import TimedTriage
from frontdoor.triage.classifier import Classifier
from frontdoor.triage.data import load_need_definitions
from frontdoor.triage.triage import Triage

_lock = threading.Lock()


class ModelMissing(RuntimeError):
    pass


def model_path(app: Flask) -> Path:
    return Path(app.config["MODEL_PATH"] or Path(app.instance_path) / "model")


def load_triage(app: Flask) -> Triage:
    """The trained pipeline, loaded once per process."""
    triage = app.extensions.get("frontdoor.triage")
    if triage is None:
        with _lock:
            triage = app.extensions.get("frontdoor.triage")
            if triage is None:
                path = model_path(app)
                if not (path / "meta.json").exists():
                    raise ModelMissing(f"no trained model at {path}: run `frontdoor train`")
                needs = load_need_definitions(Path(app.config["INTENTS_DIR"]))
                triage = Triage(Classifier(path), needs)
                app.extensions["frontdoor.triage"] = triage
                _freeze_once()
    return triage


_frozen = False


def _freeze_once() -> None:
    """The trained pipeline is some 200,000 objects that live as long as the process. Every
    full garbage collection walked them all: about 100 ms, a pause in whichever request it
    fell (a webhook's p99). Frozen once, after the first load, collections pass them by
    (gc.freeze). Only once per process: whatever else is alive then is kept for good."""
    global _frozen
    if not _frozen:
        _frozen = True
        gc.collect()
        gc.freeze()


def hours_for(app: Flask) -> Hours:
    return Hours(app.config["TIMEZONE"], app.config["WORKING_HOURS_START"],
                 app.config["WORKING_HOURS_END"], app.config["BANK_HOLIDAYS_SUBDIVISION"])


def front_door(app: Flask | None = None) -> FrontDoor:
    """The conversation engine, built once per process; its places follow `load-config`."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    engine = app.extensions.get("frontdoor.engine")
    if engine is None:
        # Every read is timed for /metrics (frontdoor_triage_seconds).
        engine = FrontDoor(cast(Triage, TimedTriage(load_triage(app))), hours_for(app),
                           app.extensions["frontdoor.channels"],
                           clock=lambda: app.extensions["frontdoor.clock"]())
        engine.on_handoff.extend(app.extensions.get("frontdoor.handoff_listeners", []))
        app.extensions["frontdoor.engine"] = engine
    forget_stale_places(app)
    return engine


def forget_stale_places(app: Flask) -> None:
    """After a `frontdoor load-config` (in any process), drop the cached postcodes and wards.

    Reads the council's config version at most every CONFIG_CHECK_SECONDS: one primary-key
    lookup, so a server picks up new postcodes within a second without a restart."""
    seen = app.extensions.setdefault("frontdoor.config_seen", {"version": -1, "at": None})
    now = time.monotonic()
    if seen["at"] is not None and now - seen["at"] < app.config["CONFIG_CHECK_SECONDS"]:
        return
    seen["at"] = now
    version = db.session.scalar(sa.select(Council.config_version).where(Council.id == 1))
    if version != seen["version"]:
        engine = app.extensions.get("frontdoor.engine")
        if engine is not None:
            engine.forget_places()
        seen["version"] = version
