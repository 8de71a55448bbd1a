"""Building the conversation engine once per process, on first use (not at import)."""

from __future__ import annotations

import threading
from pathlib import Path

from flask import Flask, current_app

from frontdoor.conversations import FrontDoor
from frontdoor.rota import Hours
from frontdoor.triage.classifier import Classifier
from frontdoor.triage.data import load_need_definitions
from frontdoor.triage.understand import Triage

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
    return triage


def hours_for(app: Flask) -> Hours:
    return Hours(app.config["TIMEZONE"], app.config["WORKING_HOURS_START"],
                 app.config["WORKING_HOURS_END"], app.config["BANK_HOLIDAYS_SUBDIVISION"])


def front_door(app: Flask | None = None) -> FrontDoor:
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    engine = app.extensions.get("frontdoor.engine")
    if engine is None:
        engine = FrontDoor(load_triage(app), hours_for(app),
                           clock=lambda: app.extensions["frontdoor.clock"]())
        engine.on_handoff.extend(app.extensions.get("frontdoor.handoff_listeners", []))
        app.extensions["frontdoor.engine"] = engine
    return engine
