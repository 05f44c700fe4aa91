"""Peering (``RUTA_NETWORK_PEERS``): at start-up the node queues a follow of each peer's market
group, the job finds ``mercado@<peer>`` by WebFinger and sends the ``Follow`` from the instance
actor; the group's ``Accept`` completes it; a peer that does not answer is retried; starting
again adds nothing; a peer taken off the list is unfollowed. ``ruta peers list`` shows it all."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from cryptography.hazmat.primitives.asymmetric import rsa

from node.appkeys import JOBS, PUBLISHER, SETTINGS, URLS
from node.config import Settings
from node.jobs.worker import drain
from node.main import create_app
from node.models.actors import Actor
from node.models.jobs import Job, JobState
from node.models.peers import OutgoingActivity
from node.models.social import Follow, FollowState
from node.services.network.peering import peer_statuses, plan_peering, request_sync
from tests.integration.federation.inbox_material import RemoteActor, post_signed
from tests.integration.federation.remote_world import (
    BASE,
    RemoteServer,
    actor_document,
    reaching,
    remote_server,
)

Client = TestClient  # type: ignore[type-arg]
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
GROUP = f"{BASE}/users/mercado"


@pytest.fixture
async def social() -> AsyncIterator[RemoteServer]:
    async with remote_server() as remote:
        group = actor_document("mercado", KEY)
        group["type"] = "Group"
        group["manuallyApprovesFollowers"] = False
        remote.publish(group)
        yield remote


@pytest.fixture
def app(settings: Settings, social: RemoteServer) -> web.Application:
    # The same list every node of the network gets: this node skips itself.
    peers = frozenset({"social.test", "down.test", settings.domain})
    return create_app(reaching(settings, social).with_overrides(network_peers=peers),
                      run_workers=False)  # fmt: skip


async def deliveries_of(activity_id: int) -> list[Job]:
    return [j for j in await Job.filter(queue="deliver") if j.payload["activity_id"] == activity_id]


async def statuses(client: Client) -> list[tuple[str, str]]:
    found = await peer_statuses(client.app[URLS], client.app[SETTINGS])
    return [(p.host, p.state) for p in found]


async def test_configured_peers_are_followed_accepted_retried_and_unfollowed(
    client: Client, social: RemoteServer
) -> None:
    queued = await Job.filter(queue="peering").order_by("group_key")
    assert [j.payload for j in queued] == [{"host": "down.test"}, {"host": "social.test"}]
    await drain(client.app[JOBS], client.app[SETTINGS], queues=["peering"])

    instance = await Actor.get(uri=client.app[URLS].instance_actor())
    follow = await Follow.get(follower_id=instance.id).prefetch_related("target")
    assert (follow.target.uri, follow.state) == (GROUP, FollowState.PENDING)
    sent = await OutgoingActivity.get(uri=follow.uri)
    assert (sent.body["type"], sent.body["object"]) == ("Follow", GROUP)
    deliveries = await deliveries_of(sent.id)
    assert [j.payload["inbox"] for j in deliveries] == [f"{BASE}/inbox"]
    # down.test answers nobody: its job waits for a retry and says why.
    [waiting] = await Job.filter(queue="peering")
    assert waiting.state is JobState.PENDING and waiting.attempts >= 1 and waiting.last_error
    assert await statuses(client) == [("down.test", "resolving"), ("social.test", "pending")]

    group = RemoteActor(uri=GROUP, key=KEY)
    status, _ = await post_signed(client, group, group.activity("Accept", follow.uri))
    assert status == 202
    await drain(client.app[JOBS], client.app[SETTINGS], queues=["inbox"])
    assert (await Follow.get(id=follow.id)).state is FollowState.ACCEPTED
    assert await statuses(client) == [("down.test", "resolving"), ("social.test", "accepted")]

    # Starting again changes nothing.
    publisher, urls = client.app[PUBLISHER], client.app[URLS]
    await plan_peering(publisher, urls, client.app[SETTINGS])
    assert await Job.filter(queue="peering").count() == 1
    assert await Follow.filter(follower_id=instance.id).count() == 1

    # Both peers taken off the list: the group is unfollowed, the waiting job dropped.
    alone = client.app[SETTINGS].with_overrides(network_peers=frozenset())
    await plan_peering(publisher, urls, alone)
    assert not await Follow.filter(follower_id=instance.id).exists()
    assert not await Job.filter(queue="peering").exists()
    [undo] = [r for r in await OutgoingActivity.all() if r.body["type"] == "Undo"]
    assert undo.body["object"]["id"] == follow.uri
    assert await peer_statuses(urls, alone) == []


async def test_a_peer_that_never_answers_is_failed_and_a_sync_starts_it_over(
    client: Client,
) -> None:
    await drain(client.app[JOBS], client.app[SETTINGS], queues=["peering"])
    await Job.filter(queue="peering").update(state=JobState.FAILED)  # the horizon passed
    assert ("down.test", "failed") in await statuses(client)
    await request_sync()  # what `ruta peers sync` does; the node's workers run it
    await drain(client.app[JOBS], client.app[SETTINGS], queues=["peering"])
    [again] = await Job.filter(queue="peering")
    assert (again.state, again.payload) == (JobState.PENDING, {"host": "down.test"})
    assert ("down.test", "resolving") in await statuses(client)
