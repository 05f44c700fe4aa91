"""Counting attempts in the database, so a limit holds across every web process of a node.

Each limit counts events in a sliding window per key (an account, an address). Keys are hashed:
the table never holds an email or IP address in the clear.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from node import clock, db
from node.errors import RateLimited
from node.models.web import RateLimitEvent


@dataclass(frozen=True)
class Limit:
    """At most ``max_events`` per key within ``window``."""

    name: str
    max_events: int
    window: timedelta


# Failed sign-ins. Per account stops guessing one password; per address stops spraying many
# accounts. The address limit is generous: a library or an association office puts many people
# behind one address.
SIGN_IN_PER_ACCOUNT = Limit("signin-acct", 10, timedelta(minutes=15))
SIGN_IN_PER_ADDRESS = Limit("signin-ip", 50, timedelta(minutes=15))
# Reset and verification mails: each one costs a mail to a real inbox.
MAIL_PER_ACCOUNT = Limit("mail-acct", 3, timedelta(hours=1))
MAIL_PER_ADDRESS = Limit("mail-ip", 20, timedelta(hours=1))
SIGN_UP_PER_ADDRESS = Limit("signup-ip", 10, timedelta(hours=1))
_FORGET_AFTER = timedelta(days=1)


def _bucket(limit: Limit, key: str) -> str:
    digest = hashlib.sha256(key.strip().lower().encode()).hexdigest()[:40]
    return f"{limit.name}:{digest}"


async def take(limit: Limit, key: str) -> int:
    """Count one event for ``key`` when ``limit`` has room, in one atomic step, and return the
    event's id (see :func:`release`); raise :class:`RateLimited` and count nothing when it has
    none. Events older than every window (the longest is an hour; a day is plenty) are
    forgotten on the way.

    Checking and counting in two steps let parallel requests all pass the check before any of
    them was counted; here the insert and the count run in one transaction serialised per
    bucket (:func:`node.db.serialised`), and an over-limit insert is rolled back.
    """
    now = clock.now()
    await RateLimitEvent.filter(created_at__lte=now - _FORGET_AFTER).delete()
    bucket = _bucket(limit, key)
    since = now - limit.window
    async with db.serialised(bucket) as tx:
        # The write comes first: it takes SQLite's write lock (see db.serialised).
        event = await RateLimitEvent.create(bucket=bucket, created_at=now, using_db=tx)
        counted = (
            RateLimitEvent.filter(bucket=bucket, created_at__gt=since)
            .using_db(tx)
            .order_by("-created_at", "-id")
            .limit(limit.max_events + 1)
        )
        times: list[datetime] = [row.created_at for row in await counted.only("created_at")]
        if len(times) > limit.max_events:
            # Free again when the oldest event that still counts leaves the window.
            oldest = min(times[: limit.max_events])
            retry_after = max(1, math.ceil((oldest + limit.window - now).total_seconds()))
            raise RateLimited("Too many attempts; try again later.", retry_after=retry_after)
    return int(event.id)


async def take_each(*counts: tuple[Limit, str]) -> list[int]:
    """:func:`take` each ``(limit, key)`` in order; when one is used up, release those already
    taken (a refused attempt counts against nothing) and raise its :class:`RateLimited`."""
    taken: list[int] = []
    try:
        for limit, key in counts:
            taken.append(await take(limit, key))
    except RateLimited:
        await release(taken)
        raise
    return taken


async def release(event_ids: list[int]) -> None:
    """Uncount events taken by :func:`take` (an attempt that turned out not to count, such as a
    sign-in with the right password)."""
    if event_ids:
        await RateLimitEvent.filter(id__in=event_ids).delete()


async def clear(limit: Limit, key: str) -> None:
    """Forget every event of ``key`` (a successful sign-in clears its failures)."""
    await RateLimitEvent.filter(bucket=_bucket(limit, key)).delete()
