"""The durable job queue on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest
from tortoise.transactions import in_transaction

from node import clock
from node.config import Settings
from node.jobs import queue
from node.jobs.registry import PermanentFailure, QueueSpec, Registry, RetryLater
from node.jobs.worker import Worker, drain
from node.models.accounts import Account
from node.models.jobs import Job, JobState

pytestmark = pytest.mark.usefixtures("orm")


def registry_with(*specs: QueueSpec) -> Registry:
    registry = Registry()
    for spec in specs:
        registry.register(spec)
    return registry


async def test_an_enqueued_job_runs_once_and_its_row_is_removed(settings: Settings) -> None:
    seen: list[dict[str, object]] = []

    async def handler(job: Job) -> None:
        seen.append(job.payload)

    await queue.enqueue("echo", {"n": 1})
    ran = await drain(registry_with(QueueSpec("echo", handler)), settings)
    assert ran == 1
    assert seen == [{"n": 1}]
    assert await Job.all().count() == 0


async def test_a_failing_job_is_retried_with_backoff_until_it_succeeds(settings: Settings) -> None:
    attempts: list[int] = []

    async def flaky(job: Job) -> None:
        attempts.append(job.attempts)
        if len(attempts) < 3:
            raise RuntimeError(f"peer said no ({len(attempts)})")

    await queue.enqueue("flaky", {})
    await drain(registry_with(QueueSpec("flaky", flaky)), settings, wait_for_scheduled_within=5)
    assert attempts == [1, 2, 3]
    assert await Job.all().count() == 0


async def test_a_retry_is_scheduled_in_the_future_with_the_error_recorded(
    settings: Settings,
) -> None:
    async def broken(job: Job) -> None:
        raise RuntimeError("connection reset")

    slow = settings.with_overrides(retry_base_seconds=60.0)
    await queue.enqueue("broken", {})
    before = clock.now()
    await drain(registry_with(QueueSpec("broken", broken)), slow)
    job = await Job.get()
    assert job.state is JobState.PENDING
    assert job.attempts == 1
    assert "connection reset" in (job.last_error or "")
    wait = (job.next_attempt_at - before).total_seconds()
    assert 60.0 <= wait <= 60.0 * 1.2 + 1


async def test_retry_later_honours_the_delay_given_by_the_handler(settings: Settings) -> None:
    async def busy(job: Job) -> None:
        raise RetryLater("429 from peer", delay_seconds=120)

    await queue.enqueue("busy", {})
    before = clock.now()
    await drain(registry_with(QueueSpec("busy", busy)), settings)
    job = await Job.get()
    assert 119 <= (job.next_attempt_at - before).total_seconds() <= 121
    assert job.last_error == "429 from peer"


async def test_a_permanent_failure_is_kept_as_failed_and_not_retried(settings: Settings) -> None:
    calls = 0

    async def refuse(job: Job) -> None:
        nonlocal calls
        calls += 1
        raise PermanentFailure("peer answered 400")

    await queue.enqueue("refuse", {})
    await drain(registry_with(QueueSpec("refuse", refuse)), settings, wait_for_scheduled_within=5)
    job = await Job.get()
    assert calls == 1
    assert job.state is JobState.FAILED
    assert job.last_error == "peer answered 400"


async def test_a_job_gives_up_after_its_horizon(settings: Settings) -> None:
    async def down(job: Job) -> None:
        raise RuntimeError("connection refused")

    registry = registry_with(QueueSpec("down", down, give_up_after=timedelta(hours=72)))
    await queue.enqueue("down", {})
    await drain(registry, settings)
    assert (await Job.get()).state is JobState.PENDING
    # 73 hours later the next failure is past the horizon.
    with clock.shifted(timedelta(hours=73)):
        await drain(registry, settings)
    job = await Job.get()
    assert job.state is JobState.FAILED
    assert "gave up after 3 days" in (job.last_error or "")


async def test_a_job_gives_up_after_max_attempts(settings: Settings) -> None:
    async def down(job: Job) -> None:
        raise RuntimeError("nope")

    registry = registry_with(QueueSpec("down", down, max_attempts=3))
    await queue.enqueue("down", {})
    await drain(registry, settings, wait_for_scheduled_within=5)
    job = await Job.get()
    assert job.state is JobState.FAILED
    assert job.attempts == 3


async def test_a_job_whose_worker_died_is_taken_over_after_its_lock_expires(
    settings: Settings,
) -> None:
    ran: list[int] = []

    async def handler(job: Job) -> None:
        ran.append(job.attempts)

    await queue.enqueue("work", {})
    # A worker claims it and dies without settling it.
    claimed = await queue.claim(["work"], 5, worker_id="dead", lock_for=timedelta(minutes=5))
    assert len(claimed) == 1
    registry = registry_with(QueueSpec("work", handler))
    assert await drain(registry, settings) == 0  # still locked
    with clock.shifted(timedelta(minutes=6)):
        assert await drain(registry, settings) == 1
    assert ran == [2]
    assert await Job.all().count() == 0


async def test_transactional_handler_writes_roll_back_with_a_failed_attempt(
    settings: Settings,
) -> None:
    async def half_done(job: Job) -> None:
        await Account.create(username="ghost", email="g@example.org", password_hash="x")
        if job.attempts == 1:
            raise RuntimeError("crashed after writing")

    registry = registry_with(QueueSpec("tx", half_done, transactional=True))
    await queue.enqueue("tx", {})
    await drain(registry, settings, wait_for_scheduled_within=5)
    # The first attempt's write was rolled back; the second committed exactly one.
    assert await Account.filter(username="ghost").count() == 1
    assert await Job.all().count() == 0


async def test_a_job_enqueued_in_a_rolled_back_transaction_never_exists(settings: Settings) -> None:
    with pytest.raises(RuntimeError):
        async with in_transaction():
            await queue.enqueue("echo", {"lost": True})
            raise RuntimeError("the change failed")
    assert await Job.all().count() == 0


async def test_group_limit_caps_running_jobs_per_host(settings: Settings) -> None:
    running: Counter[str] = Counter()
    peak: Counter[str] = Counter()
    gate = asyncio.Event()

    async def deliver(job: Job) -> None:
        key = str(job.group_key)
        running[key] += 1
        peak[key] = max(peak[key], running[key])
        await gate.wait()
        running[key] -= 1

    registry = registry_with(QueueSpec("deliver", deliver, group_limit=4))
    await queue.enqueue_many("deliver", [({"i": i}, "slow.example") for i in range(10)])
    await queue.enqueue_many("deliver", [({"i": i}, "fast.example") for i in range(3)])
    worker = Worker(registry, settings.with_overrides(worker_concurrency=16), poll_interval=0.01)
    worker.start()
    try:
        for _ in range(200):
            if running["slow.example"] == 4 and running["fast.example"] == 3:
                break
            await asyncio.sleep(0.01)
        # The slow host holds 4 slots at most; the other host is not kept waiting.
        assert running["slow.example"] == 4
        assert running["fast.example"] == 3
        gate.set()
        for _ in range(300):
            if await Job.all().count() == 0:
                break
            await asyncio.sleep(0.01)
    finally:
        gate.set()
        await worker.stop(grace=1)
    assert peak["slow.example"] == 4
    assert await Job.all().count() == 0


async def test_stopping_a_worker_releases_unfinished_jobs_without_counting_the_attempt(
    settings: Settings,
) -> None:
    started = asyncio.Event()

    async def endless(job: Job) -> None:
        started.set()
        await asyncio.sleep(3600)

    registry = registry_with(QueueSpec("endless", endless))
    await queue.enqueue("endless", {})
    worker = Worker(registry, settings, poll_interval=0.01)
    worker.start()
    await asyncio.wait_for(started.wait(), 5)
    await worker.stop(grace=0.1)
    job = await Job.get()
    assert job.state is JobState.PENDING
    assert job.locked_by is None
    assert job.attempts == 0


async def test_two_claimers_never_take_the_same_job(settings: Settings) -> None:
    await queue.enqueue_many("race", [({"i": i}, None) for i in range(60)])

    async def claimer(name: str) -> list[int]:
        got: list[int] = []
        while True:
            jobs = await queue.claim(["race"], 7, worker_id=name, lock_for=timedelta(minutes=5))
            if not jobs:
                return got
            got.extend(j.id for j in jobs)

    a, b = await asyncio.gather(claimer("a"), claimer("b"))
    assert not set(a) & set(b)
    assert len(a) + len(b) == 60


async def test_unknown_queue_fails_with_a_clear_error(settings: Settings) -> None:
    await queue.enqueue("nobody-handles-this", {})
    claimed = await queue.claim(
        ["nobody-handles-this"], 1, worker_id="w", lock_for=timedelta(minutes=1)
    )
    from node.jobs.worker import JobRunner

    await JobRunner(Registry(), settings).run(claimed[0])
    job = await Job.get()
    assert job.state is JobState.FAILED
    assert "no handler is registered" in (job.last_error or "")
