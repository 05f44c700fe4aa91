from __future__ import annotations

from datetime import UTC, datetime

import pytest

from node import clock
from node.ids import MAX_ID, new_id, parse_id


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


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("42", 42),
        (42, 42),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),  # BIGINT overflow: names nothing, never reaches SQL
        ("0", None),
        (0, None),
        (-3, None),
        ("-3", None),
        ("", None),
        ("12a", None),
        ("١٢", None),  # Arabic-Indic digits are digits to str.isdigit, not to our ids
        ("1" * 20, None),
    ],
)
def test_parse_id_accepts_only_what_can_be_one_of_our_ids(
    value: int | str, expected: int | None
) -> None:
    assert parse_id(value) == expected
