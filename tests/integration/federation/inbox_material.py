"""Remote actors with real keys, and signed POSTs to our inbox, for the inbox tests.

A ``RemoteActor`` is stored as a row (as if we had fetched it before), so its key is found in
the cache without network; tests that need its server start one (``ActorServer``).

The fixtures at the end (``peer``, ``app``, ``alice``, ``bob``, ``bob_actor``) are the world of
the inbox tests: a test module imports the ones it uses and lists them in ``__all__``.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from federation.signatures import sign_request
from node.appkeys import JOBS, SETTINGS
from node.config import Settings
from node.jobs.worker import drain
from node.main import create_app
from node.models.actors import Actor, ActorKind
from node.models.jobs import Job
from node.models.peers import ReceivedActivity
from node.services.social.actors import create_local_actor
from node.urls import Urls

OUR_DOMAIN = "test.example"
OUR_BASE = f"https://{OUR_DOMAIN}"
ALICE = f"{OUR_BASE}/users/alice"
AS2 = "application/activity+json"
_counter = itertools.count(1)


def new_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


_KEYS = [new_rsa_key() for _ in range(3)]


def public_pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@dataclass
class RemoteActor:
    """A remote account whose private key the test holds."""

    uri: str
    key: rsa.RSAPrivateKey = field(default_factory=lambda: _KEYS[0])
    name: str = "Bob"

    @property
    def key_id(self) -> str:
        return self.uri + "#main-key"

    @property
    def host(self) -> str:
        return urlsplit(self.uri).netloc

    @property
    def base(self) -> str:
        parts = urlsplit(self.uri)
        return f"{parts.scheme}://{parts.netloc}"

    def new_id(self, kind: str = "activities") -> str:
        return f"{self.base}/{kind}/{next(_counter)}-{time.monotonic_ns()}"

    def document(self) -> dict[str, Any]:
        """The actor document its server serves."""
        username = self.uri.rstrip("/").rsplit("/", 1)[-1]
        return {
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": self.uri,
            "type": "Person",
            "preferredUsername": username,
            "name": self.name,
            "inbox": self.uri + "/inbox",
            "outbox": self.uri + "/outbox",
            "followers": self.uri + "/followers",
            "endpoints": {"sharedInbox": self.base + "/inbox"},
            "publicKey": {
                "id": self.key_id,
                "owner": self.uri,
                "publicKeyPem": public_pem(self.key),
            },
        }

    async def store(self, *, key: rsa.RSAPrivateKey | None = None) -> Actor:
        """Save the actor as a cached remote actor (with ``key``'s public half, default its own)."""
        username = self.uri.rstrip("/").rsplit("/", 1)[-1]
        actor, _ = await Actor.update_or_create(
            uri=self.uri,
            defaults={
                "kind": ActorKind.PERSON,
                "username": username,
                "domain": self.host,
                "local": False,
                "display_name": self.name,
                "inbox_url": self.uri + "/inbox",
                "shared_inbox_url": self.base + "/inbox",
                "followers_url": self.uri + "/followers",
                "public_key_id": self.key_id,
                "public_key_pem": public_pem(key or self.key),
            },
        )
        return actor

    def activity(self, kind: str, obj: Any = None, **extra: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": self.new_id(),
            "type": kind,
            "actor": self.uri,
        }
        if obj is not None:
            body["object"] = obj
        body.update(extra)
        return body

    def note(self, content: str = "<p>hola</p>", **extra: Any) -> dict[str, Any]:
        return {
            "id": self.new_id("notes"),
            "type": "Note",
            "attributedTo": self.uri,
            "content": content,
            "contentMap": {"es": content},
            "published": "2025-06-01T08:00:00Z",
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "cc": [self.uri + "/followers"],
            **extra,
        }


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def cavage_headers(
    actor: RemoteActor,
    path: str,
    body: bytes,
    *,
    url_base: str = OUR_BASE,
    now: float | None = None,
) -> dict[str, str]:
    """draft-cavage headers as Mastodon sends them, for ``url_base + path`` (signed at ``now``,
    a POSIX time, default the present)."""
    headers = sign_request("POST", url_base + path, body, actor.key_id, actor.key, now=now)
    headers["Content-Type"] = AS2
    return headers


def rfc9421_headers(
    actor: RemoteActor,
    path: str,
    body: bytes,
    *,
    url_base: str = OUR_BASE,
    created: int | None = None,
    components: list[str] | None = None,
    key: rsa.RSAPrivateKey | None = None,
) -> dict[str, str]:
    """RFC 9421 headers as Fedify 2.3.6 builds them (``signRequestRfc9421``)."""
    url = url_base + path
    parts = urlsplit(url)
    now = time.time()
    headers = {
        "Host": parts.netloc,
        "Date": formatdate(now, usegmt=True),
        "Content-Digest": f"sha-256=:{b64(hashlib.sha256(body).digest())}:",
        "Content-Type": AS2,
    }
    comps = components or ["@method", "@target-uri", "@authority", "host", "date", "content-digest"]
    derived = {"@method": "POST", "@target-uri": url, "@authority": parts.netloc}
    lower = {k.lower(): v for k, v in headers.items()}
    lines = [f'"{c}": {derived[c] if c.startswith("@") else lower[c]}' for c in comps]
    stamp = int(now) if created is None else created
    params = f'alg="rsa-v1_5-sha256";keyid="{actor.key_id}";created={stamp}'
    inner = "(" + " ".join(f'"{c}"' for c in comps) + ")"
    lines.append(f'"@signature-params": {inner};{params}')
    signer = key or actor.key
    signature = signer.sign("\n".join(lines).encode(), padding.PKCS1v15(), hashes.SHA256())
    headers["Signature-Input"] = f"sig1={inner};{params}"
    headers["Signature"] = f"sig1=:{b64(signature)}:"
    return headers


def encode(activity: dict[str, Any] | bytes) -> bytes:
    return activity if isinstance(activity, bytes) else json.dumps(activity).encode()


async def post_signed(
    client: TestClient,  # type: ignore[type-arg]
    actor: RemoteActor,
    activity: dict[str, Any] | bytes,
    *,
    path: str = "/inbox",
    scheme: str = "cavage",
    extra_headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, Any] | None]:
    """POST ``activity`` signed by ``actor``; returns the status and the JSON answer, if any."""
    body = encode(activity)
    if scheme == "cavage":
        headers = cavage_headers(actor, path, body)
    else:
        headers = rfc9421_headers(actor, path, body)
    headers.update(extra_headers or {})
    response = await client.post(path, data=body, headers=headers)
    text = await response.text()
    try:
        answer = json.loads(text) if text else None
    except ValueError:
        answer = None
    return response.status, answer


class ActorServer:
    """A loopback HTTP server playing a remote server: actor documents and objects as AS2.

    ``hits`` counts requests per path, so tests can tell whether we fetched something.
    """

    def __init__(self) -> None:
        self.documents: dict[str, dict[str, Any]] = {}
        self.hits: dict[str, int] = {}
        self.signed: dict[str, bool] = {}
        app = web.Application()
        app.router.add_get("/{tail:.*}", self._serve)
        self._server = TestServer(app, host="127.0.0.1")

    async def start(self) -> ActorServer:
        await self._server.start_server()
        return self

    async def close(self) -> None:
        await self._server.close()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._server.port}"

    @property
    def authority(self) -> str:
        return f"127.0.0.1:{self._server.port}"

    def actor(self, name: str = "bob", key: rsa.RSAPrivateKey | None = None) -> RemoteActor:
        remote = RemoteActor(uri=f"{self.base}/users/{name}", key=key or _KEYS[1])
        self.documents[f"/users/{name}"] = remote.document()
        return remote

    def serve(self, document: dict[str, Any]) -> None:
        self.documents[urlsplit(document["id"]).path] = document

    async def _serve(self, request: web.Request) -> web.Response:
        self.hits[request.path] = self.hits.get(request.path, 0) + 1
        self.signed[request.path] = "Signature" in request.headers
        document = self.documents.get(request.path)
        if document is None:
            return web.Response(status=404)
        return web.Response(text=json.dumps(document), content_type=AS2)


async def deliver(client: TestClient, sender: RemoteActor, activity: dict[str, Any]) -> None:  # type: ignore[type-arg]
    """POST signed, expect 202, then run the inbox queue to the end."""
    status, answer = await post_signed(client, sender, activity)
    assert status == 202, answer
    await drain(client.app[JOBS], client.app[SETTINGS], queues=["inbox"])
    assert await Job.filter(queue="inbox").count() == 0, "every inbox job finished"


async def stored() -> tuple[int, int]:
    """(received activity ids, queued inbox jobs)."""
    return await ReceivedActivity.all().count(), await Job.filter(queue="inbox").count()


async def assert_refused(
    response_status: int, answer: dict[str, Any] | None, status: int, detail: str | None = None
) -> None:
    """The inbox answered ``status`` as a problem (with ``detail``) and stored nothing."""
    assert response_status == status
    assert answer is not None
    assert answer["status"] == status
    if detail is not None:
        assert answer["detail"] == detail
    assert await stored() == (0, 0)


def follow_of_alice(sender: RemoteActor) -> dict[str, Any]:
    return sender.activity("Follow", ALICE)


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture
async def peer() -> AsyncIterator[ActorServer]:
    """Another server on loopback, serving the documents a test gives it."""
    server = await ActorServer().start()
    yield server
    await server.close()


@pytest.fixture
def app(settings: Settings, peer: ActorServer) -> web.Application:
    """The node, allowed to fetch from the loopback peer (and nothing else private)."""
    allowed = settings.with_overrides(allow_private_hosts=frozenset({peer.authority}))
    return create_app(allowed, run_workers=False)


@pytest.fixture
async def alice(client: TestClient, urls: Urls) -> Actor:  # type: ignore[type-arg]
    return await create_local_actor(urls, kind=ActorKind.PERSON, username="alice")


@pytest.fixture
async def bob(client: TestClient) -> RemoteActor:  # type: ignore[type-arg]
    """A remote actor we fetched before (its key is cached, its server is not running)."""
    remote = RemoteActor(uri="https://remote.example/users/bob")
    await remote.store()
    return remote


@pytest.fixture
async def bob_actor(bob: RemoteActor) -> Actor:
    return await Actor.get(uri=bob.uri)
