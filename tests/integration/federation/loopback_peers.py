"""Small aiohttp servers on loopback that play remote servers in the transport tests, and a
Fetcher factory with explicit allow-list and name mapping (as a demo network configures them)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from federation.fetch import Fetcher, Limits
from federation.signatures import SigningKey
from node.config import Settings

AS2 = "application/activity+json"
INSTANCE_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
INSTANCE_KEY_ID = "http://ours.test/actor#main-key"


def public_pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


async def instance_key() -> SigningKey:
    return SigningKey(INSTANCE_KEY_ID, INSTANCE_KEY)


def transport_settings(
    *, allow: set[str] | None = None, resolve: Mapping[str, tuple[str, int]] | None = None
) -> Settings:
    return Settings(
        domain="ours.test",
        scheme="http",
        allow_private_hosts=frozenset(allow or ()),
        resolve=dict(resolve or {}),
    )


def make_fetcher(
    *,
    allow: set[str] | None = None,
    resolve: Mapping[str, tuple[str, int]] | None = None,
    limits: Limits | None = None,
    blocked: set[str] | None = None,
) -> Fetcher:
    async def is_blocked(host: str) -> bool:
        return host.lower() in (blocked or set())

    return Fetcher(
        transport_settings(allow=allow, resolve=resolve),
        instance_key=instance_key,
        is_blocked=is_blocked,
        limits=limits,
    )


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Peer:
    """Routes of a fake remote server, and every request it received (method, path, headers)."""

    routes: dict[str, Handler] = field(default_factory=dict)
    seen: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)

    def app(self) -> web.Application:
        app = web.Application()

        async def dispatch(request: web.Request) -> web.StreamResponse:
            self.seen.append((request.method, request.path_qs, dict(request.headers)))
            handler = self.routes.get(request.path)
            if handler is None:
                return web.Response(status=404)
            return await handler(request)

        app.router.add_route("*", "/{tail:.*}", dispatch)
        return app


def as2(document: dict[str, Any], content_type: str = AS2, status: int = 200) -> Handler:
    body = json.dumps(document).encode()

    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(body=body, status=status, headers={"Content-Type": content_type})

    return handler


def redirect(location: str, status: int = 302) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(status=status, headers={"Location": location})

    return handler
