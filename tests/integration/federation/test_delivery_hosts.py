"""Per-host behaviour of delivery (SECURITY.md "Delivery"): a slow peer never delays the others,
the circuit breaker, unavailable hosts, and the 72-hour horizon. Time jumps use
``node.clock.shifted``; nothing sleeps to wait for a result."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

from aiohttp.test_utils import TestClient

from federation.delivery import hosts
from federation.delivery.fanout import enqueue_deliveries
from node import clock
from node.appkeys import JOBS, SETTINGS
from node.jobs.worker import Worker
from node.models.jobs import Job, JobState
from node.models.peers import OutgoingActivity, PeerHost
from tests.integration.federation.delivery_world import (
    TEST_LIMITS,
    accepted_follow,
    app,
    deliver_all,
    deliver_once,
    delivery_jobs,
    local_user,
    network,
    post,
    remote_actor,
)
from tests.integration.federation.fault_peers import PeerNetwork

__all__ = ["app", "network"]


async def jobs_for(host: str) -> list[Job]:
    return await Job.filter(queue="deliver", group_key=host).order_by("id")


async def wait_until_job_retried(host: str, deadline: float) -> Job:
    while time.monotonic() < deadline:
        jobs = await jobs_for(host)
        settled = [j for j in jobs if j.state is JobState.PENDING and j.last_error]
        if settled:
            return settled[0]
        await asyncio.sleep(0.05)
    raise AssertionError(f"no delivery to {host} was retried in time")


async def test_a_slow_peer_times_out_and_never_delays_deliveries_to_other_hosts(
    client: TestClient, network: PeerNetwork
) -> None:
    slow, fast = network.peers["slow.test"], network.peers["one.test"]
    slow.answer("slow")
    alice = await local_user(client.app)
    for host in ("slow.test", "one.test"):
        await accepted_follow(await remote_actor("bea", host), alice)
    for n in range(5):  # more than the per-host limit of 4 for the slow host
        await post(client.app, alice, f"nota {n}")
    settings = client.app[SETTINGS].with_overrides(retry_base_seconds=60.0)
    worker = Worker(client.app[JOBS], settings, poll_interval=0.05)
    worker.start()
    try:
        await fast.wait_for(5, within=TEST_LIMITS.total * 4)
        # Ordering, not wall-clock: the fast host had everything while every delivery to the
        # slow host was still open (none had yet timed out and been put back for a retry).
        slow_jobs = await jobs_for("slow.test")
        assert len(slow_jobs) == 5
        assert all(j.last_error is None for j in slow_jobs), "the fast host waited"
        assert len(slow.received) <= 4  # at most 4 concurrent requests per host
        retried = await wait_until_job_retried("slow.test", time.monotonic() + 10)
        assert "timeout" in (retried.last_error or "")
    finally:
        await worker.stop(grace=3)


async def test_ten_failures_in_a_row_pause_the_host_for_60_seconds(
    client: TestClient, network: PeerNetwork
) -> None:
    peer = network.peers["one.test"]
    peer.answer(500)
    alice = await local_user(client.app)
    await accepted_follow(await remote_actor("bea", "one.test"), alice)
    await post(client.app, alice, "uno")
    before = clock.now()
    await deliver_all(client.app)  # retries until the pause pushes the next one a minute out
    assert len(peer.received) == 10
    health = await PeerHost.get(host="one.test")
    assert health.consecutive_failures == 10
    assert health.paused_until is not None
    assert 59 <= (health.paused_until - before).total_seconds() <= 65
    [job] = await delivery_jobs()
    assert job.state is JobState.PENDING
    assert job.attempts == 10  # waiting out the pause does not count as an attempt
    assert job.next_attempt_at >= health.paused_until - timedelta(seconds=1)

    await post(client.app, alice, "dos")
    await deliver_once(client.app)
    assert len(peer.received) == 10  # nothing reaches a paused host


async def test_after_the_pause_one_success_closes_the_circuit_breaker(
    client: TestClient, network: PeerNetwork
) -> None:
    peer = network.peers["one.test"]
    peer.answer(500)
    alice = await local_user(client.app)
    await accepted_follow(await remote_actor("bea", "one.test"), alice)
    await post(client.app, alice)
    await deliver_all(client.app)
    peer.answer(202)
    with clock.shifted(timedelta(seconds=61)):
        await deliver_all(client.app)
    assert len(peer.received) == 11
    assert await delivery_jobs() == []
    health = await PeerHost.get(host="one.test")
    assert (health.consecutive_failures, health.paused_until, health.failing_since) == (
        0,
        None,
        None,
    )
    assert health.last_success_at is not None


async def test_deliveries_give_up_72_hours_after_the_first_attempt(
    client: TestClient, network: PeerNetwork
) -> None:
    network.peers["one.test"].answer(500)
    alice = await local_user(client.app)
    await accepted_follow(await remote_actor("bea", "one.test"), alice)
    await post(client.app, alice)
    await deliver_once(client.app)
    with clock.shifted(timedelta(hours=71)):
        await deliver_once(client.app)
        [job] = await delivery_jobs()
        assert job.state is JobState.PENDING
        assert job.attempts == 2
    with clock.shifted(timedelta(hours=73)):
        await deliver_once(client.app)
    [job] = await delivery_jobs()
    assert job.state is JobState.FAILED
    assert "gave up" in (job.last_error or "")


async def test_a_host_failing_for_72_hours_is_skipped_until_it_sends_a_signed_request(
    client: TestClient, network: PeerNetwork
) -> None:
    peer = network.peers["one.test"]
    peer.answer(500)
    alice = await local_user(client.app)
    await accepted_follow(await remote_actor("bea", "one.test"), alice)
    await accepted_follow(await remote_actor("cai", "two.test"), alice)
    await post(client.app, alice, "uno")
    await deliver_once(client.app)
    with clock.shifted(timedelta(hours=73)):
        await deliver_once(client.app)
        assert (await PeerHost.get(host="one.test")).unavailable_at is not None
        await Job.all().delete()

        await post(client.app, alice, "dos")
        assert [j.group_key for j in await delivery_jobs()] == ["two.test"]

        # A delivery queued before the host became unavailable is dropped unsent.
        seen = len(peer.received)
        activity = await OutgoingActivity.filter(actor_id=alice.id).order_by("-id").first()
        assert activity is not None
        await enqueue_deliveries(activity.id, alice.id, [(peer.inbox, "one.test")])
        await deliver_once(client.app)
        assert len(peer.received) == seen
        [dropped] = await jobs_for("one.test")
        assert dropped.state is JobState.FAILED
        assert "unavailable" in (dropped.last_error or "")
        await Job.all().delete()

        await hosts.mark_alive("one.test")  # what the inbox does after a valid signature
        await post(client.app, alice, "tres")
        assert sorted(j.group_key or "" for j in await delivery_jobs()) == ["one.test", "two.test"]
