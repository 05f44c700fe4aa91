"""The worker loop: claim due jobs, run them concurrently, settle each outcome.

One slow job never blocks the others: jobs run as separate tasks up to
``RUTA_WORKER_CONCURRENCY``, and jobs sharing a group key (a host) are capped per group.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import traceback
from collections import Counter
from collections.abc import Iterable
from datetime import timedelta

from tortoise.transactions import in_transaction

from node import clock, ids
from node.config import Settings
from node.jobs import queue
from node.jobs.backoff import retry_delay
from node.jobs.registry import PermanentFailure, Registry, RetryLater
from node.models.jobs import Job

log = logging.getLogger(__name__)


def _worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{ids.new_token(4)}"


class JobRunner:
    """Runs one claimed job and records its outcome. Shared by ``Worker`` and ``drain``."""

    def __init__(self, registry: Registry, settings: Settings) -> None:
        self.registry = registry
        self.settings = settings

    async def run(self, job: Job) -> None:
        spec = self.registry.get(job.queue)
        if spec is None:
            await queue.fail(job, error=f"no handler is registered for queue {job.queue!r}")
            return
        try:
            if spec.transactional:
                async with in_transaction():
                    await spec.handler(job)
                    await queue.complete(job)
            else:
                await spec.handler(job)
                await queue.complete(job)
        except asyncio.CancelledError:
            raise
        except RetryLater as signal:
            if not signal.counts:
                job.attempts -= 1
                await Job.filter(id=job.id).update(attempts=job.attempts)
            await self._retry(job, str(signal) or "retry", signal.delay_seconds)
        except PermanentFailure as failure:
            log.info("job %s (%s) failed permanently: %s", job.id, job.queue, failure)
            await queue.fail(job, error=str(failure))
        except Exception as exc:
            log.warning(
                "job %s (%s) attempt %s raised", job.id, job.queue, job.attempts, exc_info=True
            )
            error = "".join(traceback.format_exception_only(exc)).strip()
            await self._retry(job, error, None)

    async def _retry(self, job: Job, error: str, delay: float | None) -> None:
        spec = self.registry.get(job.queue)
        assert spec is not None
        now = clock.now()
        started = job.first_attempt_at or now
        if job.attempts >= spec.max_attempts:
            await queue.fail(job, error=f"gave up after {job.attempts} attempts: {error}")
            return
        if delay is None:
            delay = retry_delay(
                max(job.attempts, 1),
                base_seconds=self.settings.retry_base_seconds,
                cap_seconds=self.settings.retry_cap_seconds,
            )
        if (
            spec.give_up_after is not None
            and now + timedelta(seconds=delay) - started > spec.give_up_after
        ):
            await queue.fail(job, error=f"gave up after {spec.give_up_after}: {error}")
            return
        await queue.retry(job, delay_seconds=delay, error=error)


class Worker:
    """Long-running loop for ``ruta serve`` and ``ruta worker``."""

    def __init__(
        self,
        registry: Registry,
        settings: Settings,
        *,
        poll_interval: float = 0.5,
        queues: Iterable[str] | None = None,
    ) -> None:
        self.registry = registry
        self.settings = settings
        self.runner = JobRunner(registry, settings)
        self.worker_id = _worker_id()
        self.poll_interval = poll_interval
        self.queues = list(queues) if queues is not None else registry.names
        self._wakeup = asyncio.Event()
        self._stopping = False
        self._tasks: dict[asyncio.Task[None], Job] = {}
        self._loop_task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        self._wakeup.set()

    def start(self) -> None:
        queue.add_waker(self.wake)
        self._loop_task = asyncio.create_task(self._loop(), name="ruta-worker")

    async def _loop(self) -> None:
        lock_for = timedelta(seconds=self.settings.job_lock_seconds)
        concurrency = self.settings.worker_concurrency
        while not self._stopping:
            free = concurrency - len(self._tasks)
            claimed: list[Job] = []
            if free > 0 and self.queues:
                try:
                    claimed = await queue.claim(
                        self.queues,
                        free,
                        worker_id=self.worker_id,
                        lock_for=lock_for,
                        group_limits=self.registry.group_limits(),
                        running_per_group=Counter(
                            j.group_key for j in self._tasks.values() if j.group_key
                        ),
                    )
                except Exception:
                    # Database briefly unavailable: keep the loop alive and try again.
                    log.warning("claiming jobs failed; retrying", exc_info=True)
            for job in claimed:
                task = asyncio.create_task(self.runner.run(job), name=f"job-{job.id}")
                self._tasks[task] = job
                task.add_done_callback(self._finished)
            if claimed and len(claimed) == free:
                continue  # probably more waiting
            self._wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), timeout=self.poll_interval)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.pop(task, None)
        if not task.cancelled() and task.exception() is not None:
            log.error("job task crashed", exc_info=task.exception())
        self._wakeup.set()  # a slot is free

    async def stop(self, grace: float | None = None) -> None:
        """Stop claiming, let running jobs finish for ``grace`` seconds, release the rest."""
        self._stopping = True
        queue.remove_waker(self.wake)
        self._wakeup.set()
        if self._loop_task is not None:
            await asyncio.gather(self._loop_task, return_exceptions=True)
        grace = self.settings.shutdown_grace_seconds if grace is None else grace
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=grace)
        leftover = dict(self._tasks)
        for task in leftover:
            task.cancel()
        if leftover:
            await asyncio.gather(*leftover, return_exceptions=True)
            released = await queue.release((j.id for j in leftover.values()), self.worker_id)
            log.info("released %d unfinished jobs for the next start", released)


async def drain(
    registry: Registry,
    settings: Settings,
    *,
    queues: Iterable[str] | None = None,
    wait_for_scheduled_within: float = 0.0,
    max_jobs: int = 100_000,
) -> int:
    """Run due jobs until none is left; returns how many ran. For tests and ``ruta jobs run``.

    With ``wait_for_scheduled_within`` > 0 it also waits for retries due within that many seconds
    (tests set tiny retry delays), so a whole retry sequence runs in one call.
    """
    names = list(queues) if queues is not None else registry.names
    runner = JobRunner(registry, settings)
    worker_id = _worker_id()
    ran = 0
    while ran < max_jobs:
        claimed = await queue.claim(
            names,
            settings.worker_concurrency,
            worker_id=worker_id,
            lock_for=timedelta(seconds=settings.job_lock_seconds),
            group_limits=registry.group_limits(),
        )
        if claimed:
            await asyncio.gather(*(runner.run(job) for job in claimed))
            ran += len(claimed)
            continue
        due_in = await queue.next_due_in(names)
        if due_in is None or due_in > wait_for_scheduled_within:
            break
        await asyncio.sleep(due_in + 0.001)
    return ran
