"""Remote actors fetched and stored: every mapped field, the id/key-owner/host checks, domain
blocks, the cache, on both database backends."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from federation.fetch import FetchError
from federation.remote.actors import ACTOR_TTL, fetch_actor
from node import clock
from node.config import Settings
from node.models.actors import Actor, ActorKind
from node.services.moderation.domain_blocks import block_domain, is_blocked, unblock_domain
from tests.integration.federation.remote_world import (
    BASE,
    actor_document,
    node_fetcher,
    remote_server,
)

pytestmark = pytest.mark.usefixtures("orm")

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ED_KEY = ed25519.Ed25519PrivateKey.generate()
ANA = f"{BASE}/users/ana"


async def test_a_fetched_actor_is_stored_with_every_mapped_field(settings: Settings) -> None:
    async with remote_server() as remote, node_fetcher(settings, remote) as fetcher:
        remote.publish(actor_document("ana", KEY, ed_key=ED_KEY))
        actor = await fetch_actor(fetcher, ANA)

    stored = await Actor.get(uri=ANA)
    assert stored.id == actor.id
    assert (stored.kind, stored.username, stored.domain, stored.local) == (
        ActorKind.PERSON, "ana", "social.test", False,
    )  # fmt: skip
    assert stored.display_name == "Ana"
    assert "<script" not in stored.summary and "javascript:" not in stored.summary
    assert "Hola" in stored.summary
    assert stored.url == f"{BASE}/@ana"
    assert (stored.icon_url, stored.header_url) == (f"{BASE}/avatar.png", f"{BASE}/header.png")
    assert (stored.inbox_url, stored.shared_inbox_url) == (ANA + "/inbox", f"{BASE}/inbox")
    assert (stored.outbox_url, stored.followers_url, stored.following_url) == (
        ANA + "/outbox", ANA + "/followers", ANA + "/following",
    )  # fmt: skip
    assert stored.featured_url == ANA + "/collections/featured"
    assert stored.public_key_id == ANA + "#main-key"
    assert stored.public_key_pem is not None and "BEGIN PUBLIC KEY" in stored.public_key_pem
    assert stored.ed25519_key_id == ANA + "#ed25519-key"
    assert stored.ed25519_multibase is not None and stored.ed25519_multibase.startswith("z6Mk")
    assert stored.manually_approves_followers is True
    assert (stored.discoverable, stored.indexable) == (True, False)  # indexable absent → no
    assert stored.published == datetime.fromisoformat("2024-05-01T10:00:00Z")
    assert stored.fetched_at is not None
    names = [f["name"] for f in stored.profile_fields]
    assert names == ["Web", "Bad"]
    assert "onerror" not in stored.profile_fields[1]["value"]
    assert "ok" in stored.profile_fields[1]["value"]


async def test_a_document_whose_id_is_not_its_url_is_refused_and_nothing_stored(
    settings: Settings,
) -> None:
    async with remote_server() as remote, node_fetcher(settings, remote) as fetcher:
        impostor = actor_document("ana", KEY)
        remote.publish(impostor, path="/users/impostor")  # serves ana's id at another URL
        with pytest.raises(FetchError) as refused:
            await fetch_actor(fetcher, f"{BASE}/users/impostor")
    assert refused.value.reason == "id_mismatch"
    assert await Actor.filter(domain="social.test").count() == 0


async def test_an_actor_whose_key_names_another_owner_is_refused(settings: Settings) -> None:
    document = actor_document("ana", KEY)
    document["publicKey"]["owner"] = f"{BASE}/users/victim"
    async with remote_server() as remote, node_fetcher(settings, remote) as fetcher:
        remote.publish(document)
        with pytest.raises(FetchError) as refused:
            await fetch_actor(fetcher, ANA)
    assert refused.value.reason == "not_actor"
    assert await Actor.filter(domain="social.test").count() == 0


async def test_an_actor_claiming_a_key_id_on_another_host_is_refused(settings: Settings) -> None:
    document = actor_document("ana", KEY)
    document["publicKey"]["id"] = "https://victim.example/users/v#main-key"
    async with remote_server() as remote, node_fetcher(settings, remote) as fetcher:
        remote.publish(document)
        with pytest.raises(FetchError) as refused:
            await fetch_actor(fetcher, ANA)
    assert refused.value.reason == "not_actor"
    assert await Actor.filter(public_key_id="https://victim.example/users/v#main-key").count() == 0


@pytest.mark.parametrize("change", ["note", "no-inbox", "bad-pem"])
async def test_documents_that_are_not_usable_actors_are_refused(
    settings: Settings, change: str
) -> None:
    document = actor_document("ana", KEY)
    if change == "note":
        document["type"] = "Note"
    elif change == "no-inbox":
        del document["inbox"]
    else:
        document["publicKey"]["publicKeyPem"] = "-----BEGIN PUBLIC KEY-----\nnope\n"
    async with remote_server() as remote, node_fetcher(settings, remote) as fetcher:
        remote.publish(document)
        with pytest.raises(FetchError) as refused:
            await fetch_actor(fetcher, ANA)
    assert refused.value.reason == "not_actor"
    assert await Actor.filter(domain="social.test").count() == 0


@pytest.mark.parametrize("spelling", ["social.test", "SOCIAL.test.", "social.test:8443", "test"])
async def test_a_blocked_domain_is_never_fetched(settings: Settings, spelling: str) -> None:
    await block_domain(spelling, reason="spam")
    async with remote_server() as remote, node_fetcher(settings, remote) as fetcher:
        remote.publish(actor_document("ana", KEY))
        with pytest.raises(FetchError) as refused:
            await fetch_actor(fetcher, ANA)
    assert refused.value.reason == "blocked_domain"
    assert remote.seen == []
    assert await Actor.filter(domain="social.test").count() == 0


async def test_domain_blocks_cover_spellings_and_subdomains_until_lifted() -> None:
    await block_domain("Spam.Example.")
    for host in ("spam.example", "SPAM.EXAMPLE:443", "sub.spam.example", "https://spam.example/x"):
        assert await is_blocked(host), host
    assert not await is_blocked("notspam.example")
    assert not await is_blocked("example")
    assert await unblock_domain("spam.example:80")
    assert not await is_blocked("spam.example")


async def test_a_stored_actor_is_reused_until_stale_and_refetched_when_asked(
    settings: Settings,
) -> None:
    async with remote_server() as remote, node_fetcher(settings, remote) as fetcher:
        remote.publish(actor_document("ana", KEY))
        await fetch_actor(fetcher, ANA)
        await fetch_actor(fetcher, ANA)
        assert remote.hits("/users/ana") == 1
        renamed = actor_document("ana", KEY)
        renamed["name"] = "Ana María"
        remote.publish(renamed)
        refreshed = await fetch_actor(fetcher, ANA, refresh=True)
        assert remote.hits("/users/ana") == 2
        assert refreshed.display_name == "Ana María"
        with clock.shifted(ACTOR_TTL + timedelta(minutes=1)):
            await fetch_actor(fetcher, ANA)
        assert remote.hits("/users/ana") == 3
    assert await Actor.filter(uri=ANA).count() == 1


async def test_a_stale_actor_is_kept_while_its_server_is_unreachable(settings: Settings) -> None:
    async with remote_server() as remote:
        remote.publish(actor_document("ana", KEY))
        async with node_fetcher(settings, remote) as fetcher:
            await fetch_actor(fetcher, ANA)
    # The server is gone now (its port closed); the node still knows where it was.
    async with node_fetcher(settings, remote) as fetcher:
        with clock.shifted(ACTOR_TTL * 2):
            actor = await fetch_actor(fetcher, ANA)
            assert actor.uri == ANA
            with pytest.raises(FetchError) as failed:
                await fetch_actor(fetcher, ANA, refresh=True)
    assert failed.value.reason == "connection"


async def test_local_actors_are_never_fetched(settings: Settings) -> None:
    instance = await Actor.get(local=True, kind=ActorKind.APPLICATION)
    async with remote_server() as remote, node_fetcher(settings, remote) as fetcher:
        assert (await fetch_actor(fetcher, instance.uri)).id == instance.id
        with pytest.raises(FetchError) as missing:
            await fetch_actor(fetcher, settings.base_url + "/users/nobody")
        assert missing.value.reason == "not_actor"
    assert remote.seen == []


async def test_an_actor_whose_server_answers_410_is_marked_gone(settings: Settings) -> None:
    async with remote_server() as remote, node_fetcher(settings, remote) as fetcher:
        remote.publish(actor_document("ana", KEY))
        await fetch_actor(fetcher, ANA)
        remote.statuses["/users/ana"] = 404
        with pytest.raises(FetchError):
            await fetch_actor(fetcher, ANA, refresh=True)
        assert (await Actor.get(uri=ANA)).gone_at is None  # a 404 may be a hiccup
        remote.statuses["/users/ana"] = 410
        with pytest.raises(FetchError) as gone:
            await fetch_actor(fetcher, ANA, refresh=True)
    assert gone.value.status == 410
    assert (await Actor.get(uri=ANA)).gone_at is not None
