"""Suspending an account ends its follows with this node's accounts, both ways, as Mastodon does;
lifting the suspension brings none back. A remote account's server is told (``Reject`` of its
follows, ``Undo`` of ours) because the suspension here does not suspend it there."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from node.appkeys import JOBS, SETTINGS
from node.jobs.worker import drain
from node.models.accounts import Account, Role
from node.models.actors import Actor
from node.models.jobs import Job
from node.models.peers import OutgoingActivity
from node.models.social import Follow
from node.urls import Urls
from tests.integration.federation.inbox_material import post_signed
from tests.integration.federation.webfinger_peer import Peer, app, peer
from tests.support.fakes import api_user

__all__ = ["app", "peer"]  # fixtures

Client = TestClient  # type: ignore[type-arg]


async def staff(urls: Urls) -> dict[str, str]:
    _, auth = await api_user(urls, "marta")
    await Account.filter(username="marta").update(role=Role.STAFF)
    return auth


async def act(client: Client, auth: dict[str, str], account: str, kind: str) -> None:
    response = await client.post(
        f"/api/v1/admin/accounts/{account}/action", json={"type": kind}, headers=auth
    )
    assert response.status == 200, await response.text()


async def follow(client: Client, auth: dict[str, str], target: str) -> None:
    response = await client.post("/api/v1/follows", json={"target": target}, headers=auth)
    assert response.status in (200, 201), await response.text()


async def published(kind: str) -> list[dict[str, Any]]:
    return [r.body for r in await OutgoingActivity.all() if r.body.get("type") == kind]


async def test_suspending_a_remote_account_ends_its_follows_both_ways_and_tells_its_server(
    client: Client, urls: Urls, peer: Peer
) -> None:
    bob = peer.bob
    assert bob is not None
    auth = await staff(urls)
    alice, alice_auth = await api_user(urls, "alice")
    carla, _ = await api_user(urls, "carla")

    # alice follows bob (resolved through WebFinger); bob follows alice and carla.
    await follow(client, alice_auth, f"@bob@{peer.authority}")
    bob_actor = await Actor.get(uri=bob.uri)
    bob_follows = [bob.activity("Follow", alice.uri), bob.activity("Follow", carla.uri)]
    for activity in bob_follows:
        status, answer = await post_signed(client, bob, activity)
        assert status == 202, answer
    await drain(client.app[JOBS], client.app[SETTINGS], queues=["inbox"])
    assert await Follow.filter(follower=bob_actor).count() == 2
    alice_follow = await Follow.get(follower=alice, target=bob_actor)
    await Job.filter(queue="deliver").delete()

    await act(client, auth, f"@bob@{peer.authority}", "suspend")

    assert not await Follow.filter(follower=bob_actor).exists()
    assert not await Follow.filter(target=bob_actor).exists()
    # bob's server learns that bob follows nobody here any more, and that alice left him.
    rejects = await published("Reject")
    assert sorted((r["actor"], r["object"]["id"]) for r in rejects) == sorted(
        [(alice.uri, bob_follows[0]["id"]), (carla.uri, bob_follows[1]["id"])]
    )
    [undo] = await published("Undo")
    assert (undo["actor"], undo["object"]["id"]) == (alice.uri, alice_follow.uri)
    jobs = await Job.filter(queue="deliver")
    assert len(jobs) == 3
    assert {job.payload["inbox"] for job in jobs} == {bob_actor.shared_inbox_url}

    # Lifting the suspension does not bring the follows back, nor sends anything more.
    await act(client, auth, str(bob_actor.id), "unsuspend")
    assert not await Follow.filter(follower=bob_actor).exists()
    assert not await Follow.filter(target=bob_actor).exists()
    assert await Job.filter(queue="deliver").count() == 3


async def test_suspending_a_local_account_ends_its_follows_with_local_accounts_quietly(
    client: Client, urls: Urls
) -> None:
    auth = await staff(urls)
    ana, ana_auth = await api_user(urls, "ana")
    bea, bea_auth = await api_user(urls, "bea")
    carla, carla_auth = await api_user(urls, "carla")
    await follow(client, ana_auth, "@bea")
    await follow(client, bea_auth, "@ana")
    await follow(client, bea_auth, "@carla")
    await follow(client, carla_auth, "@ana")
    assert await Follow.all().count() == 4

    await act(client, auth, "bea", "suspend")

    remaining = await Follow.all().values_list("follower_id", "target_id")
    assert remaining == [(carla.id, ana.id)]
    # Local follows need no federation.
    assert not await OutgoingActivity.exists()
    assert not await Job.filter(queue="deliver").exists()

    await act(client, auth, "bea", "unsuspend")
    assert await Follow.filter(follower=bea).count() == 0
    assert await Follow.filter(target=bea).count() == 0
