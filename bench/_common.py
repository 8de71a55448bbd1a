"""Pieces the benches that start a server share: a free port, the trained model, waiting
for a server to answer, stopping it, and a stand-in for Twilio's REST API."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler
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


def wait_until_serving(server: subprocess.Popen, port: int, what: str,
                       seconds: float = 60.0) -> None:
    """Returns once GET /healthz answers on `port`; stops the server and the bench if it
    never does (`what` says where to look)."""
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.1)
        finally:
            connection.close()
    server.kill()
    sys.exit(f"the server did not start: see {what}")


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(15)
    except subprocess.TimeoutExpired:
        server.kill()


class TwilioStubHandler(BaseHTTPRequestHandler):
    """Base of the benches' stand-ins for Twilio's Messages API: quiet, and answering JSON."""

    def log_message(self, *args: object) -> None:
        pass

    def form(self) -> dict[str, str]:
        from urllib.parse import parse_qs

        length = int(self.headers.get("Content-Length", 0))
        return {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}

    def _json(self, status: int, body: dict[str, object]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
