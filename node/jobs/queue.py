"""Enqueue, claim and settle job rows.

A job is claimable when it is ``pending`` and due, or ``running`` with an expired lock (its worker
died). Claiming sets ``running``, a lock deadline and counts the attempt. On PostgreSQL the claim
uses ``FOR UPDATE SKIP LOCKED`` so several worker processes never take the same row; on SQLite the
database has a single writer and Tortoise serialises this process's transactions.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F, Q
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from node import clock
from node.models.jobs import Job, JobState

log = logging.getLogger(__name__)

_ERROR_MAX = 4000  # keep last_error readable and the row small

# Callbacks of the workers running in this process, poked after an enqueue so they do not wait
# for their next poll.
_wakers: set[Callable[[], None]] = set()


def add_waker(callback: Callable[[], None]) -> None:
    _wakers.add(callback)


def remove_waker(callback: Callable[[], None]) -> None:
    _wakers.discard(callback)


def _wake_soon() -> None:
    if not _wakers:
        return
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return
    # Slightly later, so the enqueuing transaction has usually committed when the worker looks.
    for waker in list(_wakers):
        loop.call_later(0.02, waker)


async def enqueue(
    queue: str,
    payload: Mapping[str, Any],
    *,
    run_at: datetime | None = None,
    group_key: str | None = None,
    using_db: BaseDBAsyncClient | None = None,
) -> Job:
    """Add a job. Call it inside the transaction of the change that needs it."""
    job = await Job.create(
        using_db=using_db,
        queue=queue,
        payload=dict(payload),
        next_attempt_at=run_at or clock.now(),
        group_key=group_key,
    )
    _wake_soon()
    return job


async def enqueue_many(
    queue: str,
    payloads: Iterable[tuple[Mapping[str, Any], str | None]],
    *,
    using_db: BaseDBAsyncClient | None = None,
) -> int:
    """Add many jobs at once (fan-out): ``payloads`` yields ``(payload, group_key)``."""
    now = clock.now()
    rows = [
        Job(queue=queue, payload=dict(payload), next_attempt_at=now, group_key=key)
        for payload, key in payloads
    ]
    if rows:
        await Job.bulk_create(rows, batch_size=500, using_db=using_db)
        _wake_soon()
    return len(rows)


def _claimable(queues: Iterable[str], now: datetime) -> Q:
    due_pending = Q(state=JobState.PENDING, next_attempt_at__lte=now)
    abandoned = Q(state=JobState.RUNNING, locked_until__lt=now)
    return Q(due_pending | abandoned, queue__in=list(queues))


async def claim(
    queues: Iterable[str],
    limit: int,
    *,
    worker_id: str,
    lock_for: timedelta,
    group_limits: Mapping[str, int] | None = None,
    running_per_group: Mapping[str, int] | None = None,
) -> list[Job]:
    """Claim up to ``limit`` due jobs of ``queues`` for this worker.

    ``group_limits`` caps running jobs per ``group_key`` for a queue (e.g. 4 per host for delivery);
    ``running_per_group`` is what this worker already runs per key.
    """
    if limit <= 0:
        return []
    queues = list(queues)
    now = clock.now()
    group_limits = group_limits or {}
    running = dict(running_per_group or {})
    async with in_transaction() as tx:
        # Look at more rows than we need: some may belong to hosts already at their limit.
        # (.only, not .values: Tortoise drops FOR UPDATE SKIP LOCKED from .values() queries.)
        candidates = (
            await Job.filter(_claimable(queues, now))
            .order_by("next_attempt_at")
            .limit(limit * 4)
            .select_for_update(skip_locked=True)
            .only("id", "queue", "group_key")
            .using_db(tx)
        )
        chosen: list[int] = []
        for row in candidates:
            cap = group_limits.get(row.queue)
            key = row.group_key
            if cap is not None and key is not None:
                if running.get(key, 0) >= cap:
                    continue
                running[key] = running.get(key, 0) + 1
            chosen.append(row.id)
            if len(chosen) >= limit:
                break
        if not chosen:
            return []
        # The UPDATE re-checks claimability: should another claimer have won a row after all,
        # PostgreSQL re-evaluates this WHERE on the row it waited for and skips it.
        await (
            Job.filter(_claimable(queues, now), id__in=chosen)
            .using_db(tx)
            .update(
                state=JobState.RUNNING,
                locked_until=now + lock_for,
                locked_by=worker_id,
                attempts=F("attempts") + 1,
            )
        )
        # First attempt time starts the give-up horizon (72 h for deliveries).
        await (
            Job.filter(id__in=chosen, locked_by=worker_id, first_attempt_at__isnull=True)
            .using_db(tx)
            .update(first_attempt_at=now)
        )
        jobs = (
            await Job.filter(id__in=chosen, locked_by=worker_id, state=JobState.RUNNING)
            .using_db(tx)
            .order_by("next_attempt_at")
        )
    return jobs


async def complete(job: Job) -> None:
    """The job succeeded: remove it. Only this worker's claim may complete it.

    Inside a transaction (transactional queues) the delete commits with the handler's writes.
    """
    await Job.filter(id=job.id, locked_by=job.locked_by).delete()


async def retry(job: Job, *, delay_seconds: float, error: str) -> None:
    """Put the job back to run again after ``delay_seconds``."""
    await Job.filter(id=job.id, locked_by=job.locked_by).update(
        state=JobState.PENDING,
        next_attempt_at=clock.now() + timedelta(seconds=delay_seconds),
        locked_until=None,
        locked_by=None,
        last_error=error[:_ERROR_MAX],
    )


async def fail(job: Job, *, error: str) -> None:
    """Give up on the job; it stays as ``failed`` with its error for the technician to read."""
    await Job.filter(id=job.id, locked_by=job.locked_by).update(
        state=JobState.FAILED, locked_until=None, locked_by=None, last_error=error[:_ERROR_MAX]
    )


async def release(job_ids: Iterable[int], worker_id: str) -> int:
    """Hand claimed jobs back untouched (shutdown): pending, unlocked, the attempt not counted."""
    ids = list(job_ids)
    if not ids:
        return 0
    return await Job.filter(id__in=ids, locked_by=worker_id, state=JobState.RUNNING).update(
        state=JobState.PENDING,
        locked_until=None,
        locked_by=None,
        attempts=F("attempts") - 1,
    )


async def cancel(
    queue: str,
    *,
    group_key: str | None = None,
    payload_match: Mapping[str, Any] | None = None,
) -> int:
    """Delete pending jobs of ``queue`` (e.g. every delivery to an inbox that answered 410)."""
    query = Job.filter(queue=queue, state=JobState.PENDING)
    if group_key is not None:
        query = query.filter(group_key=group_key)
    if payload_match is None:
        return await query.delete()
    ids = [
        row["id"]
        for row in await query.values("id", "payload")
        if all(row["payload"].get(k) == v for k, v in payload_match.items())
    ]
    return await Job.filter(id__in=ids).delete() if ids else 0


async def next_due_in(queues: Iterable[str]) -> float | None:
    """Seconds until the earliest pending job of ``queues`` is due (0 if one is due), or None."""
    row = (
        await Job.filter(queue__in=list(queues), state=JobState.PENDING)
        .order_by("next_attempt_at")
        .first()
        .values("next_attempt_at")
    )
    if not row:
        return None
    due: datetime = row["next_attempt_at"]
    return max(0.0, (due - clock.now()).total_seconds())


async def counts() -> dict[str, dict[str, int]]:
    """``{queue: {state: n}}`` for ``ruta check`` and metrics."""
    out: dict[str, dict[str, int]] = {}
    rows = (
        await Job.all()
        .annotate(n=Count("id"))
        .group_by("queue", "state")
        .values("queue", "state", "n")
    )
    for row in rows:
        out.setdefault(row["queue"], {})[str(row["state"])] = row["n"]
    return out
