"""The one clock. Every "now" in the node comes from here so tests can move time.

Always timezone-aware UTC; format for the wire with :func:`isoformat`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

_offset = timedelta(0)
_frozen: datetime | None = None


def now() -> datetime:
    """The current time (UTC, aware), as tests may have shifted or frozen it."""
    if _frozen is not None:
        return _frozen
    return datetime.now(UTC) + _offset


def monotonic() -> float:
    """Seconds on a clock that never goes backwards (timeouts, rate limits)."""
    return time.monotonic() + _offset.total_seconds()


def isoformat(moment: datetime) -> str:
    """``2025-06-01T08:00:00Z``: second precision, ``Z`` suffix, as Mastodon writes it."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@contextmanager
def shifted(delta: timedelta) -> Iterator[None]:
    """Run the block as if ``delta`` had passed (tests of expiry and retry horizons)."""
    global _offset
    previous = _offset
    _offset = previous + delta
    try:
        yield
    finally:
        _offset = previous


@contextmanager
def frozen(moment: datetime) -> Iterator[None]:
    """Run the block with ``now()`` fixed at ``moment``."""
    global _frozen
    previous = _frozen
    _frozen = moment
    try:
        yield
    finally:
        _frozen = previous
