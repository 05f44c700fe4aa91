"""The one source of new ids, and the one parser of ids that come back in URLs and JSON.

Ids are 63-bit integers that sort by creation time (milliseconds since 2020 in the high bits,
20 random bits below), like Mastodon's snowflakes. Sorting by id is sorting by age, which gives
cheap cursor pagination; the random low bits keep ids from being guessed in sequence. An id is
never reused, so a URL built from it never points at anything else after a deletion.
"""

from __future__ import annotations

import secrets

from node import clock

_EPOCH_MS = 1_577_836_800_000  # 2020-01-01T00:00:00Z
MAX_ID = 2**63 - 1  # ids are BIGINT: a larger number names nothing (and must not reach SQL)
_RANDOM_BITS = 20
_last = 0


def new_id() -> int:
    """A fresh, time-ordered, strictly increasing (within this process) id."""
    global _last
    millis = int(clock.now().timestamp() * 1000) - _EPOCH_MS
    candidate = (millis << _RANDOM_BITS) | secrets.randbits(_RANDOM_BITS)
    # Two ids in the same millisecond must still be ordered; never go backwards with the clock.
    if candidate <= _last:
        candidate = _last + 1
    _last = candidate
    return candidate


def parse_id(value: int | str) -> int | None:
    """An id from a URL or JSON (ids travel as strings of digits) → int, or None if it cannot
    be one of ours. The one parser for every context, so none imports another just for this."""
    if isinstance(value, int):
        return value if 0 < value <= MAX_ID else None
    if not value.isascii() or not value.isdigit() or len(value) > 19:
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def new_token(nbytes: int = 32) -> str:
    """A URL-safe random secret (API tokens, CSRF, reset links)."""
    return secrets.token_urlsafe(nbytes)
