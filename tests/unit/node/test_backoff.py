"""The retry delays of SECURITY.md "Delivery", table-tested."""

from __future__ import annotations

import random

import pytest

from node.jobs.backoff import honour_retry_after, retry_delay

HOUR = 3600.0


@pytest.mark.parametrize(
    ("retry", "minutes"),
    [
        (1, 1),
        (2, 2),
        (3, 4),
        (4, 8),
        (5, 16),
        (6, 32),
        (7, 64),
        (8, 128),
        (9, 256),
        (10, 480),
        (30, 480),
    ],
)
def test_nth_retry_waits_two_to_the_n_minus_one_minutes_capped_at_eight_hours(
    retry: int, minutes: int
) -> None:
    assert retry_delay(retry, jitter=0) == minutes * 60.0


def test_jitter_adds_between_zero_and_twenty_percent() -> None:
    rng = random.Random(7)
    delays = [retry_delay(3, rng=rng) for _ in range(2000)]
    assert min(delays) >= 240.0
    assert max(delays) <= 240.0 * 1.2
    assert max(delays) - min(delays) > 40.0  # it does spread


def test_huge_retry_numbers_do_not_overflow() -> None:
    assert retry_delay(10_000, jitter=0) == 8 * HOUR


def test_retry_numbers_start_at_one() -> None:
    with pytest.raises(ValueError, match="starts at 1"):
        retry_delay(0)


def test_the_base_comes_from_configuration() -> None:
    assert retry_delay(3, base_seconds=0.001, jitter=0) == pytest.approx(0.004)


@pytest.mark.parametrize(
    ("suggested", "computed", "expected"),
    [
        (None, 60.0, 60.0),
        (120.0, 60.0, 120.0),
        (5.0, 60.0, 5.0),
        (10 * HOUR, 60.0, 8 * HOUR),
        (-3.0, 60.0, 0.0),
    ],
)
def test_retry_after_is_honoured_up_to_the_cap(
    suggested: float | None, computed: float, expected: float
) -> None:
    assert honour_retry_after(suggested, computed) == expected
