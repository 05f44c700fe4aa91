"""The one delivery retry policy: what a peer's answer means for a delivery. Pure, table-tested.

SECURITY.md "Delivery": 2xx → done. 410 → gone (cancel that inbox's pending rows, mark the actor
gone). Other 4xx except 401, 408, 429, and 501 → failed, not retried. 401, 408, 429, 5xx,
timeouts and connection errors → retry, honouring ``Retry-After`` up to 8 h (otherwise the
queue's exponential backoff applies).

Choices beyond that list, and why:

- 3xx → failed. Deliveries never follow redirects (a signed body must not be replayed to another
  URL); a moved inbox is learned by fetching the actor again, so retrying cannot help.
- Statuses outside 200–599 → retry: at-least-once prefers a duplicate to a loss.
- The private-address guard, a blocked domain or an unusable URL → failed: policy, not a fault.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from node.jobs.backoff import honour_retry_after

RETRY_AFTER_CAP_SECONDS = 8 * 3600.0
_RETRY_4XX = frozenset({401, 408, 429})
# FetchError reasons that retrying can never fix.
_FINAL_ERRORS = frozenset({"private_address", "blocked_domain", "invalid_url"})


class Kind(StrEnum):
    DONE = "done"
    GONE = "gone"
    FAILED = "failed"
    RETRY = "retry"


@dataclass(frozen=True, slots=True)
class Outcome:
    kind: Kind
    reason: str
    # For RETRY: the peer's Retry-After (capped), or None for the queue's backoff.
    delay_seconds: float | None = None


def outcome_for_status(
    status: int, retry_after: float | None = None, *, cap_seconds: float = RETRY_AFTER_CAP_SECONDS
) -> Outcome:
    """What an HTTP answer to a delivery POST means."""
    reason = f"HTTP {status}"
    if 200 <= status < 300:
        return Outcome(Kind.DONE, reason)
    if status == 410:
        return Outcome(Kind.GONE, reason)
    if 300 <= status < 400:
        return Outcome(Kind.FAILED, reason + " (redirects are not followed for deliveries)")
    if status in _RETRY_4XX or (500 <= status < 600 and status != 501):
        return Outcome(Kind.RETRY, reason, _delay(retry_after, cap_seconds))
    if 400 <= status < 500 or status == 501:
        return Outcome(Kind.FAILED, reason)
    return Outcome(Kind.RETRY, reason + " (not a known status class)")


def outcome_for_error(reason: str, detail: str = "") -> Outcome:
    """What a failed request (``federation.fetch.FetchError.reason``) means."""
    text = f"{reason}: {detail}" if detail else reason
    if reason in _FINAL_ERRORS:
        return Outcome(Kind.FAILED, text)
    return Outcome(Kind.RETRY, text)  # timeout, connection refused/reset, anything unknown


def _delay(retry_after: float | None, cap_seconds: float) -> float | None:
    if retry_after is None:
        return None
    return honour_retry_after(retry_after, 0.0, cap_seconds=cap_seconds)
