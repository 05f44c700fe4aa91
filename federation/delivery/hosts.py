"""Delivery health of each remote host (SECURITY.md "Delivery": circuit breaker, unavailable).

- 10 failed deliveries in a row pause the host for 60 s (Mastodon's Stoplight circuit breaker):
  its jobs are put back until the pause ends, without the attempt counting. After the pause one
  more failure pauses it again at once (the breaker is "half open").
- A host failing for 72 h is *unavailable*: fan-out skips it and its queued jobs are dropped,
  until it sends us a valid signed request (the inbox calls :func:`mark_alive`).
- Any answer that shows the host is up (2xx, or a final 4xx) resets all of it.

Hosts are ``federation.vocab.host_of`` spellings (``host`` or ``host:port``, lower case), the
same string the delivery jobs use as their ``group_key``. The hot paths read one row and write
only when something changes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q

from node import clock, db
from node.models.peers import PeerHost

FAILURES_BEFORE_PAUSE = 10
PAUSE = timedelta(seconds=60)
UNAVAILABLE_AFTER = timedelta(hours=72)
# last_success_at is refreshed at most this often, so a busy host costs no write per delivery.
_SUCCESS_STAMP_EVERY = timedelta(hours=1)
# Hosts ``mark_alive`` found with nothing to reset are not looked up again for this long (every
# inbox POST calls it; on SQLite each query waits for the one connection). A failure recorded in
# this process forgets the host at once; one recorded by another process of the node is noticed
# after this delay at the latest.
_ALIVE_MEMORY_SECONDS = 10.0
_alive_memory: dict[str, float] = {}
_alive_memory_opening = 0


@dataclass(frozen=True, slots=True)
class HostHealth:
    """What delivery needs to know about a host before sending to it."""

    paused_until: datetime | None = None
    unavailable: bool = False
    failing: bool = False  # failures recorded since the last success
    last_success_at: datetime | None = None

    def pause_left(self, now: datetime) -> float:
        """Seconds until the pause ends (0 when not paused)."""
        if self.paused_until is None or self.paused_until <= now:
            return 0.0
        return (self.paused_until - now).total_seconds()


HEALTHY = HostHealth()


async def health(host: str) -> HostHealth:
    """The host's current state (a host we never failed to reach is healthy)."""
    row = await PeerHost.get_or_none(host=host)
    if row is None:
        return HEALTHY
    return HostHealth(
        paused_until=row.paused_until,
        unavailable=row.unavailable_at is not None,
        failing=row.consecutive_failures > 0 or row.failing_since is not None,
        last_success_at=row.last_success_at,
    )


async def record_success(host: str, known: HostHealth | None = None) -> None:
    """The host answered: forget its failures (writes only when there is something to reset)."""
    state = known if known is not None else await health(host)
    now = clock.now()
    stale = state.last_success_at is None or now - state.last_success_at > _SUCCESS_STAMP_EVERY
    if not (state.failing or state.unavailable or state.paused_until is not None or stale):
        return
    updated = await PeerHost.filter(host=host).update(
        consecutive_failures=0,
        paused_until=None,
        failing_since=None,
        unavailable_at=None,
        last_success_at=now,
    )
    if not updated:
        # Another delivery may have created it a moment ago; its success counts the same.
        with contextlib.suppress(IntegrityError):
            await PeerHost.create(host=host, last_success_at=now)


async def record_failure(host: str) -> HostHealth:
    """One more delivery to ``host`` failed in a way worth retrying; returns the new state."""
    _alive_memory.pop(host.lower(), None)
    now = clock.now()
    updated = await PeerHost.filter(host=host).update(
        consecutive_failures=F("consecutive_failures") + 1
    )
    if not updated:
        try:
            await PeerHost.create(host=host, consecutive_failures=1, failing_since=now)
        except IntegrityError:
            await PeerHost.filter(host=host).update(
                consecutive_failures=F("consecutive_failures") + 1
            )
    # Only the first failure of a streak starts it (the filter makes concurrent writers agree).
    await PeerHost.filter(host=host, failing_since__isnull=True).update(failing_since=now)
    row = await PeerHost.get(host=host)
    changes: dict[str, datetime] = {}
    if row.consecutive_failures >= FAILURES_BEFORE_PAUSE and (
        row.paused_until is None or row.paused_until <= now
    ):
        changes["paused_until"] = now + PAUSE
    if (
        row.unavailable_at is None
        and row.failing_since is not None
        and now - row.failing_since >= UNAVAILABLE_AFTER
    ):
        changes["unavailable_at"] = now
    if changes:
        await PeerHost.filter(id=row.id).update(**changes)
        for name, value in changes.items():
            setattr(row, name, value)
    return HostHealth(
        paused_until=row.paused_until,
        unavailable=row.unavailable_at is not None,
        failing=True,
        last_success_at=row.last_success_at,
    )


async def mark_alive(host: str) -> None:
    """``host`` sent us a valid signed request: it is up, deliver to it again at once.

    Called by the inbox after verifying a signature, so it reads before it writes: a host with
    nothing to reset costs one indexed SELECT.
    """
    global _alive_memory_opening
    host = host.lower()
    if _alive_memory_opening != db.opened_generation():  # another database (tests)
        _alive_memory.clear()
        _alive_memory_opening = db.opened_generation()
    if _alive_memory.get(host, 0.0) > clock.monotonic():
        return
    pending = await PeerHost.filter(
        Q(unavailable_at__isnull=False)
        | Q(paused_until__isnull=False)
        | Q(consecutive_failures__gt=0),
        host=host,
    ).exists()
    if pending:
        await PeerHost.filter(host=host).update(
            consecutive_failures=0, paused_until=None, failing_since=None, unavailable_at=None
        )
    if len(_alive_memory) > 10_000:
        _alive_memory.clear()
    _alive_memory[host] = clock.monotonic() + _ALIVE_MEMORY_SECONDS


async def unavailable_among(hosts: Collection[str]) -> set[str]:
    """Which of ``hosts`` are unavailable (fan-out skips them)."""
    if not hosts:
        return set()
    rows = await PeerHost.filter(host__in=list(hosts), unavailable_at__isnull=False).values_list(
        "host", flat=True
    )
    return {str(h) for h in rows}
