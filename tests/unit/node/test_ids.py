from __future__ import annotations

from datetime import UTC, datetime

from node import clock
from node.ids import new_id


def test_ids_increase_even_within_one_millisecond_and_with_a_frozen_clock() -> None:
    with clock.frozen(datetime(2026, 1, 1, tzinfo=UTC)):
        ids = [new_id() for _ in range(1000)]
    assert ids == sorted(ids)
    assert len(set(ids)) == 1000


def test_ids_sort_by_creation_time_and_fit_in_a_signed_bigint() -> None:
    with clock.frozen(datetime(2025, 1, 1, tzinfo=UTC)):
        early = new_id()
    later = new_id()
    assert early < later < 2**63
