"""Pieces the benches that start a server share: a free port, and the trained model."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def model_path() -> Path:
    path = Path(os.environ.get("MODEL_PATH", ROOT / "instance" / "model"))
    if not (path / "meta.json").exists():
        sys.exit(f"no trained model at {path}: run `make model` first")
    return path
