"""A fake remote server ``social.test`` on loopback with actors and WebFinger, and a Fetcher of
the test node that reaches it through RUTA_RESOLVE and the allow-list (never by switching the
guard off)."""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from federation.fetch import Fetcher
from federation.keyring import Keyring
from federation.signatures import assertion_method_entry
from node.config import Settings
from node.services.moderation.domain_blocks import is_blocked
from node.urls import Urls
from tests.integration.federation.loopback_peers import public_pem

HOST = "social.test"
BASE = f"http://{HOST}"


def actor_document(
    username: str, key: rsa.RSAPrivateKey, *, ed_key: ed25519.Ed25519PrivateKey | None = None
) -> dict[str, Any]:
    """A Mastodon-shaped actor document on social.test."""
    uri = f"{BASE}/users/{username}"
    document: dict[str, Any] = {
        "@context": [
            "https://www.w3.org/ns/activitystreams",
            "https://w3id.org/security/v1",
            {"toot": "http://joinmastodon.org/ns#", "discoverable": "toot:discoverable"},
        ],
        "id": uri,
        "type": "Person",
        "preferredUsername": username,
        "name": username.title(),
        "summary": '<p>Hola <script>alert(1)</script><a href="javascript:x">x</a></p>',
        "url": f"{BASE}/@{username}",
        "inbox": uri + "/inbox",
        "outbox": uri + "/outbox",
        "followers": uri + "/followers",
        "following": uri + "/following",
        "featured": uri + "/collections/featured",
        "endpoints": {"sharedInbox": BASE + "/inbox"},
        "manuallyApprovesFollowers": True,
        "discoverable": True,
        "published": "2024-05-01T10:00:00Z",
        "icon": {"type": "Image", "mediaType": "image/png", "url": BASE + "/avatar.png"},
        "image": {"type": "Image", "url": BASE + "/header.png"},
        "attachment": [
            {
                "type": "PropertyValue",
                "name": "Web",
                "value": '<a href="https://ana.example">x</a>',
            },
            {"type": "PropertyValue", "name": "Bad", "value": "<img src=x onerror=alert(1)>ok"},
            {"type": "Link", "href": "https://ignored.example"},
        ],
        "publicKey": {"id": uri + "#main-key", "owner": uri, "publicKeyPem": public_pem(key)},
    }
    if ed_key is not None:
        document["assertionMethod"] = [assertion_method_entry(uri, ed_key.public_key())]
    return document


@dataclass
class RemoteServer:
    """social.test: actor documents by path, WebFinger for them, and a log of requests."""

    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)  # path → status to answer instead
    seen: list[str] = field(default_factory=list)
    port: int = 0

    def publish(self, document: dict[str, Any], path: str | None = None) -> None:
        path = path or document["id"].removeprefix(BASE)
        self.documents[path] = copy.deepcopy(document)

    def hits(self, path: str) -> int:
        return sum(1 for seen in self.seen if seen.split("?", 1)[0] == path)

    def app(self) -> web.Application:
        async def handle(request: web.Request) -> web.StreamResponse:
            self.seen.append(request.path_qs)
            if request.path == "/.well-known/webfinger":
                return self._webfinger(request.query.get("resource", ""))
            if request.path in self.statuses:
                return web.Response(status=self.statuses[request.path])
            document = self.documents.get(request.path)
            if document is None:
                return web.Response(status=404)
            return web.Response(
                body=json.dumps(document), headers={"Content-Type": "application/activity+json"}
            )

        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", handle)
        return app

    def _webfinger(self, resource: str) -> web.Response:
        user = resource.removeprefix("acct:").split("@", 1)[0].lower()
        for path, document in self.documents.items():
            if str(document.get("preferredUsername", "")).lower() == user:
                links = [{"rel": "self", "type": "application/activity+json", "href": BASE + path}]
                return web.json_response(
                    {"subject": resource, "links": links}, content_type="application/jrd+json"
                )
        return web.Response(status=404)


@asynccontextmanager
async def remote_server() -> AsyncIterator[RemoteServer]:
    remote = RemoteServer()
    server = TestServer(remote.app(), host="127.0.0.1")
    await server.start_server()
    remote.port = int(server.port or 0)
    try:
        yield remote
    finally:
        await server.close()


def reaching(settings: Settings, remote: RemoteServer) -> Settings:
    """The node's settings, with social.test mapped to the loopback server and allow-listed."""
    return settings.with_overrides(
        resolve={f"{HOST}:80": ("127.0.0.1", remote.port)},
        allow_private_hosts=frozenset({HOST}),
    )


@asynccontextmanager
async def node_fetcher(settings: Settings, remote: RemoteServer) -> AsyncIterator[Fetcher]:
    """The Fetcher as ``federation.client.setup`` builds it, reaching social.test."""
    keyring = Keyring(Urls(settings))
    fetcher = Fetcher(
        reaching(settings, remote), instance_key=keyring.instance_key, is_blocked=is_blocked
    )
    async with fetcher:
        yield fetcher
