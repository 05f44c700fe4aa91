"""Our outbound signatures as software we did not write sees them: fediverse-pasture's
``http_signature`` checker, bovine-herd's authorized fetch, Fedify's actor and WebFinger.

Our node's instance actor (its real key, from the database, through the Keyring) is served by a
minimal document on a loopback port, so the peers can fetch the key (the serving part has its
own interop tests)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from federation.fetch import Fetcher, FetchError
from federation.keyring import Keyring
from federation.remote.resolver import Resolver
from node import db
from node.config import Settings
from node.models.actors import Actor
from node.services.moderation.domain_blocks import is_blocked
from node.services.social.actors import ensure_instance_actor
from node.urls import Urls
from tests.support.peers import fedify, herd, kit_available, pasture
from tests.support.ports import free_port

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not kit_available(), reason="../shared/peers kit not present"),
]


@dataclass
class OurNode:
    settings: Settings
    urls: Urls
    keyring: Keyring

    def fetcher(self, *peer_hosts: str) -> Fetcher:
        settings = self.settings.with_overrides(allow_private_hosts=frozenset(peer_hosts))
        return Fetcher(settings, instance_key=self.keyring.instance_key, is_blocked=is_blocked)


@asynccontextmanager
async def our_node(settings: Settings) -> AsyncIterator[OurNode]:
    """The node's database with its instance actor, named 127.0.0.1:PORT, serving that actor."""
    port = free_port()
    settings = settings.with_overrides(domain=f"127.0.0.1:{port}", scheme="http")
    urls = Urls(settings)
    async with db.opened(settings):
        instance = await ensure_instance_actor(urls)

        async def actor(request: web.Request) -> web.Response:
            document = {
                "@context": [
                    "https://www.w3.org/ns/activitystreams",
                    "https://w3id.org/security/v1",
                ],
                "id": instance.uri,
                "type": "Application",
                "preferredUsername": instance.username,
                "inbox": instance.inbox_url,
                "publicKey": {
                    "id": instance.public_key_id,
                    "owner": instance.uri,
                    "publicKeyPem": instance.public_key_pem,
                },
            }
            return web.Response(
                body=json.dumps(document), headers={"Content-Type": "application/activity+json"}
            )

        app = web.Application()
        app.router.add_get("/actor", actor)
        server = TestServer(app, host="127.0.0.1", port=port)
        await server.start_server()
        try:
            yield OurNode(settings, urls, Keyring(urls))
        finally:
            await server.close()


async def test_pasture_http_signature_accepts_our_signed_get_and_post(settings: Settings) -> None:
    async with our_node(settings) as node:
        with pasture("http_signature") as checker:
            host = f"127.0.0.1:{checker.port}"
            async with node.fetcher(host) as fetcher:
                unsigned = await fetcher.get(checker.base + "/", signed=False)
                got = await fetcher.get(checker.base + "/")
                key_id, private_key = await node.keyring.instance_key()
                posted = await fetcher.post_signed(
                    checker.base + "/",
                    b'{"type": "Like"}',
                    key_id=key_id,
                    private_key=private_key,
                )
    assert unsigned.status == 401
    assert got.status == 200, got.body[:2000]
    assert "steps" in json.loads(got.body)
    assert posted.status in (200, 202), posted.body_excerpt
    assert "error" not in posted.body_excerpt.lower()


async def test_bovine_herd_serves_its_actor_only_to_our_signed_get(settings: Settings) -> None:
    async with our_node(settings) as node:
        with herd("transport") as peer:
            host = peer.actor.split("/")[2]
            async with node.fetcher(host) as fetcher:
                with pytest.raises(FetchError) as unsigned:
                    await fetcher.get_json(peer.actor, signed=False)
                document = await fetcher.get_json(peer.actor)
    assert unsigned.value.status == 401
    assert document["id"] == peer.actor
    assert document["publicKey"]["owner"] == peer.actor


async def test_fedify_actor_is_found_by_handle_and_stored_with_its_keys(settings: Settings) -> None:
    async with our_node(settings) as node:
        with fedify() as peer:
            host = f"127.0.0.1:{peer.port}"
            async with node.fetcher(host) as fetcher:
                actor = await Resolver(fetcher, node.urls).resolve(f"@bob@{host}")
            stored = await Actor.get(uri=peer.actor)
    assert actor.id == stored.id
    assert (stored.username, stored.domain, stored.local) == ("bob", host, False)
    assert stored.public_key_id == peer.actor + "#main-key"
    assert stored.public_key_pem and "BEGIN PUBLIC KEY" in stored.public_key_pem
    assert stored.ed25519_multibase and stored.ed25519_multibase.startswith("z6Mk")
    assert stored.inbox_url and stored.shared_inbox_url == f"http://{host}/inbox"
