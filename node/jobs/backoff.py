"""Retry delays. Pure functions, table-tested.

SECURITY.md "Delivery": the n-th retry waits min(2^(n-1) minutes, 8 h) plus 0-20 % jitter; a
``Retry-After`` from the peer is honoured up to the same cap. Misskey's QueueService uses this
shape; jitter spreads retries so a recovering peer is not hit by every node at once.
"""

from __future__ import annotations

import random

JITTER = 0.2


def retry_delay(
    retry_number: int,
    *,
    base_seconds: float = 60.0,
    cap_seconds: float = 8 * 3600.0,
    jitter: float = JITTER,
    rng: random.Random | None = None,
) -> float:
    """Seconds to wait before retry ``retry_number`` (1 for the first retry).

    >>> retry_delay(1, jitter=0)
    60.0
    >>> retry_delay(4, jitter=0)
    480.0
    >>> retry_delay(20, jitter=0)
    28800.0
    """
    if retry_number < 1:
        raise ValueError("retry_number starts at 1")
    # Cap the exponent too: 2**1000 would overflow a float before the min() could cap it.
    delay = min(base_seconds * 2.0 ** min(retry_number - 1, 60), cap_seconds)
    return delay * (1.0 + (rng or random).uniform(0.0, jitter))


def honour_retry_after(
    suggested_seconds: float | None, computed_seconds: float, *, cap_seconds: float = 8 * 3600.0
) -> float:
    """The delay to use when a peer sent ``Retry-After``: its value, capped; never less than 0."""
    if suggested_seconds is None:
        return computed_seconds
    return max(0.0, min(suggested_seconds, cap_seconds))
