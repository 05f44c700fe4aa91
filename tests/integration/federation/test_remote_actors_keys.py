"""Remote keys for signature verification: found among stored actors, fetched from the owner
when unknown, refetched once (rate-limited) when a signature fails, e.g. after a rotation."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from federation.remote.actors import KEY_REFETCH_INTERVAL, RemoteKeys
from federation.signatures import VerifiedSigner, sign_request, verify_request
from node import clock
from node.config import Settings
from node.models.actors import Actor
from node.services.moderation.domain_blocks import block_domain
from tests.integration.federation.remote_world import (
    BASE,
    actor_document,
    node_fetcher,
    remote_server,
)

pytestmark = pytest.mark.usefixtures("orm")

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ROTATED = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ED_KEY = ed25519.Ed25519PrivateKey.generate()
ANA = f"{BASE}/users/ana"
KEY_ID = ANA + "#main-key"


async def test_a_request_signed_by_an_unknown_remote_actor_verifies_after_one_fetch(
    settings: Settings,
) -> None:
    inbox = settings.base_url + "/inbox"
    body = b'{"type":"Follow"}'
    async with remote_server() as remote, node_fetcher(settings, remote) as fetcher:
        remote.publish(actor_document("ana", KEY))
        keys = RemoteKeys(fetcher)
        for _ in range(2):
            headers = sign_request("POST", inbox, body, KEY_ID, KEY)
            result = await verify_request("POST", inbox, headers, body, keys.lookup)
            assert isinstance(result, VerifiedSigner)
            assert result.controller == ANA
    assert remote.hits("/users/ana") == 1
    assert (await Actor.get(uri=ANA)).public_key_id == KEY_ID


async def test_concurrent_lookups_of_one_unknown_key_fetch_it_once(settings: Settings) -> None:
    async with remote_server() as remote, node_fetcher(settings, remote) as fetcher:
        remote.publish(actor_document("ana", KEY))
        keys = RemoteKeys(fetcher)
        found = await asyncio.gather(*(keys.lookup(KEY_ID) for _ in range(5)))
    assert all(key is not None and key.controller == ANA for key in found)
    assert remote.hits("/users/ana") == 1


async def test_a_rotated_key_is_refetched_once_per_interval(settings: Settings) -> None:
    async with remote_server() as remote, node_fetcher(settings, remote) as fetcher:
        remote.publish(actor_document("ana", KEY))
        keys = RemoteKeys(fetcher)
        await keys.lookup(KEY_ID)
        remote.publish(actor_document("ana", ROTATED))

        assert await keys.refetch(KEY_ID) is True
        new = await keys.lookup(KEY_ID)
        assert (
            new is not None
            and new.public_key.public_numbers() == ROTATED.public_key().public_numbers()
        )  # type: ignore[union-attr]
        assert remote.hits("/users/ana") == 2

        assert await keys.refetch(KEY_ID) is False  # within the interval: no request at all
        assert remote.hits("/users/ana") == 2
        with clock.shifted(KEY_REFETCH_INTERVAL + timedelta(seconds=1)):
            assert await keys.refetch(KEY_ID) is False  # fetched again, but nothing changed
        assert remote.hits("/users/ana") == 3


async def test_an_unknown_key_id_of_a_known_actor_refetches_at_most_once_per_interval(
    settings: Settings,
) -> None:
    async with remote_server() as remote, node_fetcher(settings, remote) as fetcher:
        remote.publish(actor_document("ana", KEY))
        keys = RemoteKeys(fetcher)
        await keys.lookup(KEY_ID)
        for _ in range(3):
            assert await keys.lookup(ANA + "#bogus") is None
    assert remote.hits("/users/ana") == 2  # the first lookup, then one refetch


async def test_a_key_id_without_fragment_is_fetched_as_a_key_document(settings: Settings) -> None:
    """GoToSocial-style ``…/main-key``: a key document naming its owner."""
    key_id = ANA + "/main-key"
    document = actor_document("ana", KEY)
    document["publicKey"]["id"] = key_id
    key_document = {
        "id": key_id,
        **{k: document["publicKey"][k] for k in ("owner", "publicKeyPem")},
    }
    async with remote_server() as remote, node_fetcher(settings, remote) as fetcher:
        remote.publish(document)
        remote.publish(key_document, path="/users/ana/main-key")
        key = await RemoteKeys(fetcher).lookup(key_id)
    assert key is not None and key.controller == ANA


async def test_an_ed25519_multikey_is_found_by_its_id(settings: Settings) -> None:
    async with remote_server() as remote, node_fetcher(settings, remote) as fetcher:
        remote.publish(actor_document("ana", KEY, ed_key=ED_KEY))
        key = await RemoteKeys(fetcher).lookup(ANA + "#ed25519-key")
    assert key is not None
    assert isinstance(key.public_key, ed25519.Ed25519PublicKey)


async def test_keys_on_blocked_domains_are_not_fetched(settings: Settings) -> None:
    await block_domain("social.test")
    async with remote_server() as remote, node_fetcher(settings, remote) as fetcher:
        remote.publish(actor_document("ana", KEY))
        assert await RemoteKeys(fetcher).lookup(KEY_ID) is None
    assert remote.seen == []
