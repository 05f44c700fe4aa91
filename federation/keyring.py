"""Local actors' signing keys, parsed once per process and kept.

Parsing an RSA PEM costs 30-60 ms (OpenSSL validates the key), more than the signature itself:
every key is parsed at most once per process, in a thread so the event loop never waits on it.
Keys never change (they are the actors' identity), so nothing expires.
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from federation.signatures import SigningKey, load_private_key
from node.errors import NotFound
from node.models.actors import Actor, ActorKey
from node.urls import Urls


class Keyring:
    """``actor id → SigningKey`` for local actors, filled lazily."""

    def __init__(self, urls: Urls) -> None:
        self._urls = urls
        self._keys: dict[int, SigningKey] = {}
        self._loading: dict[int, asyncio.Lock] = {}
        self._instance_actor_id: int | None = None

    async def signing_key(self, actor: Actor) -> SigningKey:
        """``(key_id, RSAPrivateKey)`` of a local actor. Raises ``NotFound`` for actors without
        private keys (remote ones)."""
        cached = self._keys.get(actor.id)
        if cached is not None:
            return cached
        lock = self._loading.setdefault(actor.id, asyncio.Lock())
        async with lock:  # two first deliveries at once parse the PEM once
            cached = self._keys.get(actor.id)
            if cached is not None:
                return cached
            row = await ActorKey.get_or_none(actor_id=actor.id)
            if row is None or not actor.local or not actor.public_key_id:
                raise NotFound(f"{actor.uri} has no local signing key")
            private_key = await asyncio.to_thread(load_private_key, row.rsa_private_pem)
            key = SigningKey(actor.public_key_id, private_key)
            self._keys[actor.id] = key
            return key

    async def instance_key(self) -> SigningKey:
        """The instance actor's key: what signed GETs and server-to-server requests use."""
        if self._instance_actor_id is not None and self._instance_actor_id in self._keys:
            return self._keys[self._instance_actor_id]
        actor = await Actor.get_or_none(uri=self._urls.instance_actor(), local=True)
        if actor is None:
            raise NotFound("the instance actor does not exist yet")
        self._instance_actor_id = actor.id
        return await self.signing_key(actor)

    def cached(self) -> int:
        """How many keys are parsed and kept (for tests and metrics)."""
        return len(self._keys)


KEYRING: web.AppKey[Keyring] = web.AppKey("keyring", Keyring)
