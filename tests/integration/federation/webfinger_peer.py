"""A loopback server playing another fediverse server for resolving handles: WebFinger for
``acct:bob@<it>`` and bob's actor document (a ``RemoteActor`` whose key the test holds).

The fixtures ``peer`` (that server) and ``app`` (a node allowed to reach it) are imported by
the test modules that use them and listed in their ``__all__``."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from types import TracebackType

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from node.config import Settings
from node.main import create_app
from tests.integration.federation.inbox_material import AS2, RemoteActor


class Peer:
    """Another server on loopback: WebFinger and the actor document of ``bob``."""

    def __init__(self) -> None:
        app = web.Application()
        app.router.add_get("/.well-known/webfinger", self._webfinger)
        app.router.add_get("/users/{name}", self._actor)
        self.server = TestServer(app, host="127.0.0.1")
        self.webfinger_hits = 0
        self.bob: RemoteActor | None = None

    @property
    def authority(self) -> str:
        return f"127.0.0.1:{self.server.port}"

    async def _webfinger(self, request: web.Request) -> web.Response:
        self.webfinger_hits += 1
        assert self.bob is not None
        if request.query.get("resource") != f"acct:bob@{self.authority}":
            return web.Response(status=404)
        links = [{"rel": "self", "type": AS2, "href": self.bob.uri}]
        body = {"subject": f"acct:bob@{self.authority}", "links": links}
        return web.Response(text=json.dumps(body), content_type="application/jrd+json")

    async def _actor(self, request: web.Request) -> web.Response:
        assert self.bob is not None
        if request.match_info["name"] != "bob":
            return web.Response(status=404)
        return web.Response(text=json.dumps(self.bob.document()), content_type=AS2)

    async def __aenter__(self) -> Peer:
        await self.server.start_server()
        self.bob = RemoteActor(uri=f"http://{self.authority}/users/bob")
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.server.close()


@pytest.fixture
async def peer() -> AsyncIterator[Peer]:
    async with Peer() as peer:
        yield peer


@pytest.fixture
def app(settings: Settings, peer: Peer) -> web.Application:
    allowed = settings.with_overrides(allow_private_hosts=frozenset({peer.authority}))
    return create_app(allowed, run_workers=False)
