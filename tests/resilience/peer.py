"""A remote server for tests against a real ``ruta serve`` process, running in its own thread.

``ThreadedPeer`` serves its actors' documents and any objects put on it (as AS2 JSON), takes
POSTs to its inboxes, and can *hold* requests: a held request is recorded when it arrives and
answered only when the test releases it (as a peer stuck mid-request, while the node is killed).
It lives in a thread with its own event loop so tests can stay synchronous and block on the
node (``subprocess``, ``urllib``) without starving the peer.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

from aiohttp import web

from tests.integration.federation.inbox_material import AS2, RemoteActor

T = TypeVar("T")


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class ThreadedPeer:
    """``http://<host>/...`` served from 127.0.0.1:<port> (the node gets a RUTA_RESOLVE entry)."""

    def __init__(self, host: str = "peer.test") -> None:
        self.host = host
        self.port = 0
        self.documents: dict[str, dict[str, Any]] = {}
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._held: set[str] = set()  # "METHOD /path" or "POST *inbox"
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    # --- the test side --------------------------------------------------------------------

    @property
    def base(self) -> str:
        return f"http://{self.host}"

    def actor(self, name: str) -> RemoteActor:
        remote = RemoteActor(uri=f"{self.base}/users/{name}", name=name.title())
        self.documents[f"/users/{name}"] = remote.document()
        return remote

    def serve(self, document: dict[str, Any]) -> None:
        self.documents[urlsplit(document["id"]).path] = document

    def hold(self, what: str) -> None:
        """Hold requests matching ``what``: ``"GET /notes/1"`` or ``"POST inboxes"``."""
        with self._lock:
            self._held.add(what)

    def release(self, what: str) -> None:
        with self._lock:
            self._held.discard(what)

    def inbox_posts(self) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.method == "POST"]

    def gets(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.method == "GET" and r.path == path]

    def start(self) -> ThreadedPeer:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    def stop(self) -> None:
        with self._lock:
            self._held.clear()
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def resolve_entry(self) -> str:
        return f"{self.host}:80=127.0.0.1:{self.port}"

    # --- the server side ------------------------------------------------------------------

    async def _start(self) -> None:
        app = web.Application(client_max_size=4 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._serve)
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    def _is_held(self, method: str, path: str) -> bool:
        with self._lock:
            if f"{method} {path}" in self._held:
                return True
            return method == "POST" and path.endswith("inbox") and "POST inboxes" in self._held

    async def _serve(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        record = Request(request.method, request.path, dict(request.headers), body)
        with self._lock:
            self.requests.append(record)
        # The hold is lifted from the test's thread, so poll rather than await an Event.
        while self._is_held(request.method, request.path):  # noqa: ASYNC110
            await asyncio.sleep(0.02)
        if request.method == "POST":
            response: web.StreamResponse = web.Response(status=202)
        elif (document := self.documents.get(request.path)) is not None:
            response = web.Response(text=json.dumps(document), content_type=AS2)
        else:
            response = web.Response(status=404)
        return response


def wait_until(check: Callable[[], T | None], what: str, timeout: float = 30.0) -> T:
    """Poll ``check`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.05)
