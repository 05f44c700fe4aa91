"""``ruta serve`` as a real process: first start, API with a token, clean shutdown."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from tests.support.nodes import make_node


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serve_migrates_answers_and_stops_cleanly(tmp_path: Path, backend: str, sig: int) -> None:
    node = make_node(tmp_path, "node", backend=backend)
    try:
        node.start()  # first start creates and migrates the database
        status, _, body = node.request("GET", "/readyz")
        assert status == 200 and body["status"] == "ready"
        token = node.create_user("ana", role="admin")
        status, _, me = node.request("GET", "/api/v1/me", token=token)
        assert status == 200
        assert me["username"] == "ana" and me["role"] == "admin"
        status, headers, problem = node.request("GET", "/api/v1/me")
        assert status == 401
        assert headers["Content-Type"].startswith("application/problem+json")
        assert problem["status"] == 401
        started = time.monotonic()
        assert node.stop(sig) == 0
        assert time.monotonic() - started < 5
    finally:
        node.cleanup()
