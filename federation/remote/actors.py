"""Remote actors: fetched through the Fetcher, stored as ``Actor`` rows, refreshed when stale.

Also the keys of remote actors for signature verification: found by ``public_key_id`` among the
stored actors, the owner fetched when the key is unknown, and fetched again (at most once per
``KEY_REFETCH_INTERVAL`` per actor) when a signature fails with the stored key, which is how a
rotated key is noticed.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from aiohttp import web
from tortoise.exceptions import IntegrityError

from federation import vocab
from federation.convert.remote_actor import InvalidActor, RemoteActorFields, ap_to_actor_fields
from federation.fetch import Fetcher, FetchError
from federation.signatures import KeyLookup, ResolvedKey, resolved_key_from_document
from node import clock
from node.models.actors import Actor
from node.services.moderation.domain_blocks import is_blocked

log = logging.getLogger(__name__)

# A stored remote actor younger than this is used as it is.
ACTOR_TTL = timedelta(days=1)
# At most one refetch of an actor's key per this interval (a failed signature triggers it).
KEY_REFETCH_INTERVAL = timedelta(minutes=5)
_TRANSIENT = frozenset({"timeout", "connection"})
# Keys found in the database are kept in memory this long: every inbox POST needs one, and on
# SQLite each query waits for the one connection (bench/inbox.py). A changed actor (Update{Person},
# refetch) drops the whole memory at once through ``_key_generation``; a key rotated by another
# process of the same node is seen at the latest after the TTL (or at once, via the refetch that
# a failed signature triggers).
_KEY_MEMORY_TTL = 60.0
_KEY_MEMORY_MAX = 10_000
_key_generation = 0


async def fetch_actor(fetcher: Fetcher, uri: str, *, refresh: bool = False) -> Actor:
    """The ``Actor`` row for ``uri``, fetched (signed) and stored or updated when needed.

    Local actors are never fetched. A stored remote actor younger than ``ACTOR_TTL`` is returned
    as it is unless ``refresh``. Raises :class:`FetchError`: ``blocked_domain`` for blocked
    hosts (nothing is fetched), ``not_actor`` for documents that are not usable actors,
    ``id_mismatch`` when the document's id is not its URL, and the Fetcher's other reasons.
    """
    uri = uri.split("#", 1)[0]
    if vocab.same_origin(uri, fetcher.settings.base_url):
        local = await Actor.get_or_none(uri=uri, local=True)
        if local is None:
            raise FetchError("not_actor", "no such local actor", url=uri)
        return local
    host = vocab.host_of(uri)
    if host is None:
        raise FetchError("invalid_url", "not an http(s) URL", url=uri)
    if await is_blocked(host):
        raise FetchError("blocked_domain", f"{host} is blocked", url=uri)
    stored = await Actor.get_or_none(uri=uri)
    if stored is not None and stored.local:
        return stored
    if stored is not None and not refresh and is_fresh(stored):
        return stored
    try:
        document = await fetcher.get_json(uri)
    except FetchError as failure:
        if stored is not None and failure.status == 410:
            stored.gone_at = stored.gone_at or clock.now()
            await stored.save(update_fields=["gone_at"])
        if stored is not None and not refresh and failure.reason in _TRANSIENT:
            log.info("using stale %s: %s", uri, failure)
            return stored  # a stale copy beats none while its server is down
        raise
    try:
        fields = ap_to_actor_fields(document)
    except InvalidActor as exc:
        raise FetchError("not_actor", str(exc), url=uri) from None
    return await upsert_remote_actor(fields)


def is_fresh(actor: Actor) -> bool:
    return actor.fetched_at is not None and clock.now() - actor.fetched_at < ACTOR_TTL


async def upsert_remote_actor(fields: RemoteActorFields) -> Actor:
    """Insert or update the remote actor ``fields.uri``. Never touches a local actor."""
    global _key_generation
    _key_generation += 1  # its keys may have changed: forget every remembered key
    values = {**fields.model_fields(), "fetched_at": clock.now()}
    stored = await Actor.get_or_none(uri=fields.uri)
    if stored is None:
        try:
            return await Actor.create(local=False, **values)
        except IntegrityError:  # fetched concurrently by another request
            stored = await Actor.get(uri=fields.uri)
    if stored.local:
        raise FetchError("not_actor", "a remote document claims a local actor", url=fields.uri)
    for name, value in values.items():
        setattr(stored, name, value)
    await stored.save(update_fields=list(values))
    return stored


# --- keys ------------------------------------------------------------------------------------


def key_of(actor: Actor, key_id: str) -> ResolvedKey | None:
    """The stored public key ``key_id`` of ``actor`` (RSA ``publicKey`` or Ed25519 Multikey)."""
    try:
        if actor.public_key_id == key_id and actor.public_key_pem:
            return resolved_key_from_document(
                {"id": key_id, "owner": actor.uri, "publicKeyPem": actor.public_key_pem}
            )
        if actor.ed25519_key_id == key_id and actor.ed25519_multibase:
            return resolved_key_from_document(
                {
                    "id": key_id,
                    "type": "Multikey",
                    "controller": actor.uri,
                    "publicKeyMultibase": actor.ed25519_multibase,
                }
            )
    except ValueError:
        log.warning("stored key %s of %s is unusable", key_id, actor.uri)
    return None


class RemoteKeys:
    """Key lookups for signature verification, with one fetch per unknown key at a time."""

    def __init__(self, fetcher: Fetcher) -> None:
        self._fetcher = fetcher
        self._inflight: dict[str, asyncio.Task[ResolvedKey | None]] = {}
        # key id → (generation, monotonic expiry, key) of keys read from the database
        self._memory: dict[str, tuple[int, float, ResolvedKey]] = {}

    def _remembered(self, key_id: str) -> ResolvedKey | None:
        entry = self._memory.get(key_id)
        if entry is None:
            return None
        generation, expires, key = entry
        if generation != _key_generation or expires < clock.monotonic():
            del self._memory[key_id]
            return None
        return key

    def _remember(self, key_id: str, key: ResolvedKey) -> None:
        if len(self._memory) >= _KEY_MEMORY_MAX:
            self._memory.pop(next(iter(self._memory)))  # the oldest entry
        self._memory[key_id] = (_key_generation, clock.monotonic() + _KEY_MEMORY_TTL, key)

    async def lookup(self, key_id: str) -> ResolvedKey | None:
        """The key ``key_id``: stored, or fetched from its owner. None when nobody lists it."""
        remembered = self._remembered(key_id)
        if remembered is not None:
            return remembered
        stored = await _actor_with_key(key_id)
        if stored is not None:
            key = key_of(stored, key_id)
            if key is not None:
                self._remember(key_id, key)
            return key
        task = self._inflight.get(key_id)
        if task is None:
            task = asyncio.ensure_future(self._fetch_key(key_id))
            self._inflight[key_id] = task
            task.add_done_callback(lambda _t: self._inflight.pop(key_id, None))
        return await asyncio.shield(task)

    async def refetch(self, key_id: str) -> bool:
        """Fetch the owner of ``key_id`` again after a failed signature, at most once per
        ``KEY_REFETCH_INTERVAL``. True when the stored key changed (verify again), else False.
        """
        self._memory.pop(key_id, None)
        actor = await _actor_with_key(key_id)
        if actor is None or actor.local or not _may_refetch(actor):
            return False
        before = key_of(actor, key_id)
        actor.key_refetched_at = clock.now()
        await actor.save(update_fields=["key_refetched_at"])
        try:
            fresh = await fetch_actor(self._fetcher, actor.uri, refresh=True)
        except FetchError as failure:
            log.info("refetch of key %s failed: %s", key_id, failure)
            return False
        after = key_of(fresh, key_id)
        return after is not None and (before is None or after.public_key != before.public_key)

    async def _fetch_key(self, key_id: str) -> ResolvedKey | None:
        owner_uri = key_id.split("#", 1)[0]
        try:
            known = await Actor.get_or_none(uri=owner_uri)
            if known is not None:
                # The owner is known but does not list this key (yet): a rotation with a new
                # key id, or a bogus key id. Rate-limited, so junk cannot make us hammer a peer.
                if known.local or not _may_refetch(known):
                    return None
                known.key_refetched_at = clock.now()
                await known.save(update_fields=["key_refetched_at"])
                return key_of(await fetch_actor(self._fetcher, owner_uri, refresh=True), key_id)
            if "#" in key_id:
                return key_of(await fetch_actor(self._fetcher, owner_uri), key_id)
            return await self._fetch_key_document(key_id)
        except FetchError as failure:
            log.info("key %s not found: %s", key_id, failure)
            return None

    async def _fetch_key_document(self, key_id: str) -> ResolvedKey | None:
        """A key id without fragment (GoToSocial's ``…/main-key``): a key document naming its
        owner, or the actor itself."""
        document = await self._fetcher.get_json(key_id)
        owner = document.get("owner")
        if isinstance(owner, str) and vocab.same_origin(owner, key_id):
            return key_of(await fetch_actor(self._fetcher, owner), key_id)
        try:
            fields = ap_to_actor_fields(document)
        except InvalidActor:
            return None
        return key_of(await upsert_remote_actor(fields), key_id)


async def _actor_with_key(key_id: str) -> Actor | None:
    actor = await Actor.filter(public_key_id=key_id).first()
    if actor is None:
        actor = await Actor.filter(ed25519_key_id=key_id).first()
    return actor


def _may_refetch(actor: Actor) -> bool:
    last = actor.key_refetched_at
    return last is None or clock.now() - last >= KEY_REFETCH_INTERVAL


REMOTE_KEYS: web.AppKey[RemoteKeys] = web.AppKey("remote_keys", RemoteKeys)


def key_lookup_for(app: web.Application) -> KeyLookup:
    """The key lookup ``verify_request`` needs, bound to this application's Fetcher."""
    return app[REMOTE_KEYS].lookup


async def refetch_key(app: web.Application, key_id: str) -> bool:
    """Refetch ``key_id``'s owner once after a failed signature (rate-limited per actor).
    True when the key changed and the request is worth verifying again."""
    return await app[REMOTE_KEYS].refetch(key_id)
