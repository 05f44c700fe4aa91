"""Which handler runs each queue, and how (retry horizon, concurrency per group)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from node.models.jobs import Job

JobHandler = Callable[[Job], Awaitable[None]]


class RetryLater(Exception):  # a signal to the worker, not an error
    """Raise from a handler to run the job again later.

    ``delay_seconds`` overrides the backoff (a peer's ``Retry-After``, a paused host).
    ``counts`` False means the attempt does not count towards giving up (the work never started).
    """

    def __init__(
        self, reason: str, *, delay_seconds: float | None = None, counts: bool = True
    ) -> None:
        super().__init__(reason)
        self.delay_seconds = delay_seconds
        self.counts = counts


class PermanentFailure(Exception):
    """Raise from a handler when retrying can never help (a 400 from the peer, bad payload)."""


@dataclass(frozen=True)
class QueueSpec:
    name: str
    handler: JobHandler
    # The handler's writes and the job's completion commit in one transaction: a crash can never
    # apply the work twice. Only for handlers that do no network I/O (it would hold the lock).
    # Others may still call ``queue.complete(job)`` inside their own transaction.
    transactional: bool = False
    # Stop retrying this long after the first attempt (72 h for deliveries).
    give_up_after: timedelta | None = None
    max_attempts: int = 25
    # At most this many running jobs per group_key in one worker process (4 per host).
    group_limit: int | None = None


class Registry:
    """The queues this process knows. Adapters register their handlers at start-up."""

    def __init__(self) -> None:
        self._specs: dict[str, QueueSpec] = {}

    def register(self, spec: QueueSpec) -> None:
        if spec.name in self._specs:
            raise ValueError(f"queue {spec.name!r} is registered twice")
        self._specs[spec.name] = spec

    def get(self, name: str) -> QueueSpec | None:
        return self._specs.get(name)

    @property
    def names(self) -> list[str]:
        return sorted(self._specs)

    def group_limits(self) -> dict[str, int]:
        return {s.name: s.group_limit for s in self._specs.values() if s.group_limit is not None}
