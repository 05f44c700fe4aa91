"""Delivery outcomes of SECURITY.md "Delivery" that tests/integration/federation does not cover
yet, against real HTTP peers that misbehave (``fault_peers``), one test per outcome:

- 401 and 408 are retried (then delivered); 501 and the other 4xx fail at once, not retried;
- ``Retry-After`` is honoured by a running queue: the retry's signed ``Date`` is at least that
  many seconds after the first attempt's;
- a peer dribbling a byte every 2 seconds (under the read timeout, so only the total timeout
  ends it) never delays the other hosts: their deliveries all complete while its requests are
  still open, and it is retried with the timeout recorded.

Covered next door (tests/integration/federation/test_delivery_outcomes.py, test_delivery_hosts.py):
2xx, 500→retry, 410, 400, connection reset, peer down, Retry-After in seconds/HTTP date/capped,
the circuit breaker and the 72-hour horizon.
"""

from __future__ import annotations

import asyncio
import time
from email.utils import parsedate_to_datetime

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from federation.fetch import FETCHER, Limits
from node.appkeys import JOBS, SETTINGS
from node.config import Settings
from node.jobs.worker import Worker
from node.main import create_app
from node.models.actors import Actor
from node.models.jobs import Job, JobState
from tests.integration.federation.delivery_world import (
    accepted_follow,
    deliver_all,
    delivery_jobs,
    local_user,
    network,
    post,
    remote_actor,
)
from tests.integration.federation.fault_peers import PeerNetwork

__all__ = ["network"]  # fixtures used by these tests

# A byte every 2 s keeps this 5 s read timeout from ever firing: only the total cap ends it.
SLOW_PEER_LIMITS = Limits(connect=1.0, read=5.0, total=6.0)


@pytest.fixture
def app(settings: Settings, network: PeerNetwork) -> web.Application:
    """delivery_world's node, with timeouts a dribbling peer cannot defeat by the read timeout."""
    node_settings = settings.with_overrides(
        resolve=network.resolve(), allow_private_hosts=network.allow()
    )
    application = create_app(node_settings, run_workers=False)
    application[FETCHER].limits = SLOW_PEER_LIMITS  # before the client session is created
    return application


async def alice_with_follower_on(client: TestClient, host: str) -> Actor:  # type: ignore[type-arg]
    alice = await local_user(client.app)
    await accepted_follow(await remote_actor("bea", host), alice)
    return alice


@pytest.mark.parametrize("status", [401, 408])
async def test_401_and_408_are_retried_and_then_delivered(
    client: TestClient,  # type: ignore[type-arg]
    network: PeerNetwork,
    status: int,
) -> None:
    peer = network.peers["one.test"]
    peer.answer(status, 202)
    alice = await alice_with_follower_on(client, "one.test")
    await post(client.app, alice)
    await deliver_all(client.app)
    assert len(peer.received) == 2
    assert peer.received[0].body == peer.received[1].body
    assert await delivery_jobs() == []


@pytest.mark.parametrize("status", [501, 403, 404, 405, 422])
async def test_501_and_other_4xx_fail_at_once_without_retrying(
    client: TestClient,  # type: ignore[type-arg]
    network: PeerNetwork,
    status: int,
) -> None:
    peer = network.peers["one.test"]
    peer.answer(status, 202)  # a retry would succeed: it must not happen
    alice = await alice_with_follower_on(client, "one.test")
    await post(client.app, alice)
    await deliver_all(client.app)
    assert len(peer.received) == 1
    [job] = await delivery_jobs()
    assert job.state is JobState.FAILED
    assert f"HTTP {status}" in (job.last_error or "")


async def test_a_running_queue_waits_out_retry_after_before_the_next_attempt(
    client: TestClient,  # type: ignore[type-arg]
    network: PeerNetwork,
) -> None:
    peer = network.peers["one.test"]
    # The retry base is a millisecond in tests: only Retry-After can make the queue wait.
    peer.answer((429, {"Retry-After": "2"}), 202)
    alice = await alice_with_follower_on(client, "one.test")
    await post(client.app, alice)
    await deliver_all(client.app)
    first, second = peer.received
    # Each attempt is signed with its own Date (whole seconds): t2 >= t1 + 2 s implies
    # floor(t2) >= floor(t1) + 2, whatever the sub-second parts were.
    waited = parsedate_to_datetime(second.headers["date"]) - parsedate_to_datetime(
        first.headers["date"]
    )
    assert waited.total_seconds() >= 2
    assert await delivery_jobs() == []


async def _slow_jobs_settled(host: str) -> list[Job]:
    jobs = await Job.filter(queue="deliver", group_key=host)
    return [j for j in jobs if j.last_error]


async def test_a_peer_sending_a_byte_every_2_seconds_never_delays_the_other_hosts(
    client: TestClient,  # type: ignore[type-arg]
    network: PeerNetwork,
) -> None:
    app = client.app
    slow, fast, other = (network.peers[h] for h in ("slow.test", "one.test", "two.test"))
    slow.slow_interval = 2.0
    slow.answer("slow")
    alice = await local_user(app)
    # The slow host first, so its jobs are claimed first.
    for name, host in (("sol", "slow.test"), ("bea", "one.test"), ("cai", "two.test")):
        await accepted_follow(await remote_actor(name, host), alice)
    for n in range(5):  # more than the per-host cap of 4 for the slow host
        await post(app, alice, f"nota {n}")

    worker = Worker(app[JOBS], app[SETTINGS], poll_interval=0.05)
    worker.start()
    try:
        await fast.wait_for(5, within=30)
        await other.wait_for(5, within=30)
        for host in ("one.test", "two.test"):
            deadline = time.monotonic() + 30
            while await Job.filter(queue="deliver", group_key=host).exists():
                assert time.monotonic() < deadline, f"deliveries to {host} never completed"
                await asyncio.sleep(0.05)
        # Every delivery to the other hosts is done, while not one slow request has ended:
        # nothing settled yet for slow.test, and at most 4 of its 5 deliveries are open.
        assert await _slow_jobs_settled("slow.test") == []
        assert 1 <= len(slow.received) <= 4
        assert await Job.filter(queue="deliver", group_key="slow.test").count() == 5

        # Then the total timeout ends the dribble, and the delivery is scheduled again.
        deadline = time.monotonic() + 30
        while not (settled := await _slow_jobs_settled("slow.test")):
            assert time.monotonic() < deadline, "the slow peer's requests never timed out"
            await asyncio.sleep(0.05)
        assert "timeout" in (settled[0].last_error or ""), settled[0].last_error
        assert settled[0].state in (JobState.PENDING, JobState.RUNNING)
    finally:
        await worker.stop(grace=1)
