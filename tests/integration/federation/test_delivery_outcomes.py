"""Each delivery outcome of SECURITY.md "Delivery", against real HTTP peers that misbehave.

A local user posts; remote followers live on fault peers (tests/.../fault_peers.py); the real
``deliver`` queue runs through ``drain``. Retry delays are milliseconds (RUTA_RETRY_BASE_SECONDS).
"""

from __future__ import annotations

from datetime import timedelta
from email.utils import format_datetime

from aiohttp.test_utils import TestClient

from federation.signatures import VerifiedSigner
from node import clock
from node.models.actors import Actor
from node.models.jobs import Job, JobState
from node.models.peers import OutgoingActivity
from tests.integration.federation.delivery_world import (
    accepted_follow,
    app,
    deliver_all,
    deliver_once,
    delivery_jobs,
    local_user,
    network,
    post,
    remote_actor,
    verify,
)
from tests.integration.federation.fault_peers import PeerNetwork

__all__ = ["app", "network"]  # fixtures used by these tests


async def alice_with_follower_on(client: TestClient, host: str) -> tuple[Actor, Actor]:
    alice = await local_user(client.app)
    follower = await remote_actor("bea", host)
    await accepted_follow(follower, alice)
    return alice, follower


async def test_a_2xx_answer_delivers_the_signed_create_once_and_removes_the_job(
    client: TestClient, network: PeerNetwork
) -> None:
    peer = network.peers["one.test"]
    alice, _ = await alice_with_follower_on(client, "one.test")
    await post(client.app, alice, "Hola, mercado")
    await deliver_all(client.app)
    assert len(peer.received) == 1
    request = peer.received[0]
    assert (request.method, request.path) == ("POST", "/inbox")
    assert request.headers["content-type"] == "application/activity+json"
    assert request.json()["type"] == "Create"
    assert isinstance(await verify(request, alice), VerifiedSigner)
    assert await delivery_jobs() == []


async def test_a_peer_answering_500_500_202_gets_the_activity_on_the_third_attempt(
    client: TestClient, network: PeerNetwork
) -> None:
    peer = network.peers["one.test"]
    peer.answer(500, 500, 202)
    alice, _ = await alice_with_follower_on(client, "one.test")
    await post(client.app, alice)
    await deliver_all(client.app)
    assert [r.json()["type"] for r in peer.received] == ["Create"] * 3
    assert len({r.json()["id"] for r in peer.received}) == 1
    assert await delivery_jobs() == []


async def test_every_attempt_is_signed_afresh_with_a_new_date(
    client: TestClient, network: PeerNetwork
) -> None:
    peer = network.peers["one.test"]
    # Retry-After: 1 puts the second attempt in another second, so its Date must differ.
    peer.answer((503, {"Retry-After": "1"}), 202)
    alice, _ = await alice_with_follower_on(client, "one.test")
    await post(client.app, alice)
    await deliver_all(client.app)
    first, second = peer.received
    assert first.body == second.body
    assert first.headers["date"] != second.headers["date"]
    assert first.headers["signature"] != second.headers["signature"]
    for request in (first, second):
        assert isinstance(await verify(request, alice), VerifiedSigner)
        assert 'headers="(request-target) host date digest"' in request.headers["signature"]


async def test_429_with_retry_after_in_seconds_schedules_the_retry_that_late(
    client: TestClient, network: PeerNetwork
) -> None:
    network.peers["one.test"].answer((429, {"Retry-After": "120"}))
    alice, _ = await alice_with_follower_on(client, "one.test")
    await post(client.app, alice)
    before = clock.now()
    await deliver_all(client.app)
    [job] = await delivery_jobs()
    assert job.state is JobState.PENDING
    assert "HTTP 429" in (job.last_error or "")
    assert 119 <= (job.next_attempt_at - before).total_seconds() <= 122


async def test_429_with_retry_after_as_an_http_date_is_honoured(
    client: TestClient, network: PeerNetwork
) -> None:
    when = clock.now() + timedelta(minutes=10)
    network.peers["one.test"].answer((429, {"Retry-After": format_datetime(when, usegmt=True)}))
    alice, _ = await alice_with_follower_on(client, "one.test")
    await post(client.app, alice)
    await deliver_all(client.app)
    [job] = await delivery_jobs()
    assert abs((job.next_attempt_at - when).total_seconds()) <= 2


async def test_429_without_retry_after_uses_the_backoff_and_is_delivered_later(
    client: TestClient, network: PeerNetwork
) -> None:
    peer = network.peers["one.test"]
    peer.answer(429, 202)
    alice, _ = await alice_with_follower_on(client, "one.test")
    await post(client.app, alice)
    await deliver_all(client.app)
    assert len(peer.received) == 2
    assert await delivery_jobs() == []


async def test_a_retry_after_beyond_8_hours_is_capped_at_8_hours(
    client: TestClient, network: PeerNetwork
) -> None:
    network.peers["one.test"].answer((503, {"Retry-After": str(3 * 24 * 3600)}))
    alice, _ = await alice_with_follower_on(client, "one.test")
    await post(client.app, alice)
    before = clock.now()
    await deliver_all(client.app)
    [job] = await delivery_jobs()
    assert 8 * 3600 - 1 <= (job.next_attempt_at - before).total_seconds() <= 8 * 3600 + 2


async def test_400_fails_the_delivery_at_once_without_retrying(
    client: TestClient, network: PeerNetwork
) -> None:
    peer = network.peers["one.test"]
    peer.answer(400)
    alice, _ = await alice_with_follower_on(client, "one.test")
    await post(client.app, alice)
    await deliver_all(client.app)
    assert len(peer.received) == 1
    [job] = await delivery_jobs()
    assert job.state is JobState.FAILED
    assert "HTTP 400" in (job.last_error or "")


async def test_410_cancels_that_inboxs_pending_deliveries_and_marks_the_actor_gone(
    client: TestClient, network: PeerNetwork
) -> None:
    peer = network.peers["one.test"]
    peer.answer(410)
    alice = await local_user(client.app)
    # No shared inbox: the personal inbox answers 410 for a deleted account.
    bea = await remote_actor("bea", "one.test", shared_inbox=False)
    await accepted_follow(bea, alice)
    await post(client.app, alice, "uno")
    await post(client.app, alice, "dos")
    _first, waiting = await delivery_jobs()
    # The second one waits for a retry, as after an earlier failure.
    await Job.filter(id=waiting.id).update(next_attempt_at=clock.now() + timedelta(hours=1))
    await deliver_all(client.app)
    assert len(peer.received) == 1
    assert peer.received[0].json()["object"]["content"] == "<p>uno</p>"
    assert await delivery_jobs() == []
    bea = await Actor.get(id=bea.id)
    assert bea.gone_at is not None
    await post(client.app, alice, "tres")
    assert await delivery_jobs() == []  # a gone actor gets nothing more


async def test_a_connection_reset_is_retried_and_then_delivered(
    client: TestClient, network: PeerNetwork
) -> None:
    peer = network.peers["reset.test"]
    peer.answer("reset", 202)
    alice, _ = await alice_with_follower_on(client, "reset.test")
    await post(client.app, alice)
    await deliver_all(client.app)
    assert len(peer.received) == 2
    assert await delivery_jobs() == []


async def test_a_peer_that_is_down_is_retried_with_the_connection_error_recorded(
    client: TestClient, network: PeerNetwork
) -> None:
    alice, _ = await alice_with_follower_on(client, "down.test")
    await post(client.app, alice)
    await deliver_once(client.app)
    [job] = await delivery_jobs()
    assert job.state is JobState.PENDING
    assert job.attempts == 1
    assert "connection" in (job.last_error or "")


async def test_a_delivery_whose_activity_was_withdrawn_ends_without_a_request(
    client: TestClient, network: PeerNetwork
) -> None:
    peer = network.peers["one.test"]
    alice, _ = await alice_with_follower_on(client, "one.test")
    await post(client.app, alice)
    await OutgoingActivity.all().delete()
    await deliver_all(client.app)
    assert peer.received == []
    assert await delivery_jobs() == []


async def test_an_inbox_on_a_private_address_off_the_allow_list_fails_without_a_request(
    client: TestClient, network: PeerNetwork
) -> None:
    peer = network.peers["one.test"]
    alice = await local_user(client.app)
    sneaky = await remote_actor("eve", "one.test", shared_inbox=False)
    # Same server, reached by a loopback address that nobody allow-listed.
    sneaky.inbox_url = f"http://127.0.0.2:{peer.port}/inbox"
    await sneaky.save()
    await accepted_follow(sneaky, alice)
    await post(client.app, alice)
    await deliver_all(client.app)
    assert peer.received == []
    [job] = await delivery_jobs()
    assert job.state is JobState.FAILED
    assert "private_address" in (job.last_error or "")
