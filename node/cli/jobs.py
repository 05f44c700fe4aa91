"""Background job commands."""

from __future__ import annotations

import argparse
from collections.abc import Mapping

from node import db
from node.cli.common import open_migrated, prepare
from node.config import Settings


async def cmd_jobs_status(
    args: argparse.Namespace, settings: Settings, env: Mapping[str, str]
) -> int:
    from node.jobs import queue

    await open_migrated(prepare(settings))
    try:
        counts = await queue.counts()
    finally:
        await db.close()
    if not counts:
        print("no jobs")
    for name, states in sorted(counts.items()):
        print(f"{name:<24} " + "  ".join(f"{s}={n}" for s, n in sorted(states.items())))
    return 0


async def cmd_jobs_failed(
    args: argparse.Namespace, settings: Settings, env: Mapping[str, str]
) -> int:
    from node.models.jobs import Job, JobState

    await open_migrated(prepare(settings))
    try:
        rows = await Job.filter(state=JobState.FAILED).order_by("-id").limit(max(1, args.limit))
    finally:
        await db.close()
    for job in rows:
        error = (job.last_error or "").splitlines()[0][:160] if job.last_error else ""
        print(f"{job.id}  {job.queue}  attempts={job.attempts}  {error}")
    if not rows:
        print("no failed jobs")
    return 0


async def cmd_jobs_retry(
    args: argparse.Namespace, settings: Settings, env: Mapping[str, str]
) -> int:
    from node import clock
    from node.models.jobs import Job, JobState

    await open_migrated(prepare(settings))
    try:
        query = Job.filter(state=JobState.FAILED)
        if args.job_ids:
            query = query.filter(id__in=args.job_ids)
        n = await query.update(
            state=JobState.PENDING, next_attempt_at=clock.now(), attempts=0, first_attempt_at=None
        )
    finally:
        await db.close()
    print(f"{n} job(s) will run again")
    return 0
