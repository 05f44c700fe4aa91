"""Counting attempts in the database, so a limit holds across every web process of a node.

Each limit counts events in a sliding window per key (an account, an address). Keys are hashed:
the table never holds an email or IP address in the clear.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from node import clock
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


async def check(limit: Limit, key: str) -> None:
    """Raise :class:`RateLimited` when ``key`` used up ``limit``; otherwise do nothing."""
    now = clock.now()
    since = now - limit.window
    events = (
        RateLimitEvent.filter(bucket=_bucket(limit, key), created_at__gt=since)
        .order_by("-created_at")
        .limit(limit.max_events)
    )
    rows = await events.only("created_at")
    times: list[datetime] = [row.created_at for row in rows]
    if len(times) < limit.max_events:
        return
    # Free again when the oldest event that still counts leaves the window.
    oldest = min(times)
    retry_after = max(1, math.ceil((oldest + limit.window - now).total_seconds()))
    raise RateLimited("Too many attempts; try again later.", retry_after=retry_after)


async def hit(limit: Limit, key: str) -> None:
    """Count one event for ``key``, and forget events that left every window (the longest is
    an hour; a day is plenty)."""
    now = clock.now()
    await RateLimitEvent.filter(created_at__lte=now - _FORGET_AFTER).delete()
    bucket = _bucket(limit, key)
    await RateLimitEvent.create(bucket=bucket, created_at=now)


async def clear(limit: Limit, key: str) -> None:
    """Forget every event of ``key`` (a successful sign-in clears its failures)."""
    await RateLimitEvent.filter(bucket=_bucket(limit, key)).delete()
