"""The delivery retry policy, status by status and error by error (SECURITY.md "Delivery")."""

from __future__ import annotations

import pytest

from federation.delivery.policy import Kind, outcome_for_error, outcome_for_status

DONE, GONE, FAILED, RETRY = Kind.DONE, Kind.GONE, Kind.FAILED, Kind.RETRY


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (200, DONE),
        (201, DONE),
        (202, DONE),
        (204, DONE),
        (301, FAILED),  # redirects are never followed for a signed POST
        (302, FAILED),
        (307, FAILED),
        (308, FAILED),
        (400, FAILED),
        (401, RETRY),  # the peer may not have our key yet, or refetches it
        (403, FAILED),
        (404, FAILED),
        (405, FAILED),
        (408, RETRY),
        (409, FAILED),
        (410, GONE),
        (413, FAILED),
        (422, FAILED),
        (429, RETRY),
        (500, RETRY),
        (501, FAILED),  # not implemented: it never will be
        (502, RETRY),
        (503, RETRY),
        (504, RETRY),
        (599, RETRY),
        (100, RETRY),  # nonsense statuses: a duplicate is better than a loss
        (999, RETRY),
    ],
)
def test_each_status_has_its_outcome(status: int, kind: Kind) -> None:
    outcome = outcome_for_status(status)
    assert outcome.kind is kind
    assert str(status) in outcome.reason


def test_retries_without_retry_after_leave_the_delay_to_the_backoff() -> None:
    assert outcome_for_status(503).delay_seconds is None
    assert outcome_for_status(429).delay_seconds is None


@pytest.mark.parametrize("status", [401, 408, 429, 500, 502, 503, 504])
def test_retry_after_is_honoured_on_every_retried_status(status: int) -> None:
    assert outcome_for_status(status, 120.0).delay_seconds == 120.0


def test_retry_after_is_capped_at_8_hours() -> None:
    assert outcome_for_status(429, 10 * 24 * 3600.0).delay_seconds == 8 * 3600.0


def test_retry_after_in_the_past_means_now() -> None:
    assert outcome_for_status(503, -30.0).delay_seconds == 0.0


@pytest.mark.parametrize("status", [200, 400, 410, 501])
def test_retry_after_is_ignored_when_there_is_no_retry(status: int) -> None:
    assert outcome_for_status(status, 60.0).delay_seconds is None


@pytest.mark.parametrize(
    ("reason", "kind"),
    [
        ("timeout", RETRY),
        ("connection", RETRY),  # refused, reset, DNS failure
        ("private_address", FAILED),  # the guard: policy, not a fault
        ("blocked_domain", FAILED),
        ("invalid_url", FAILED),
        ("something_new", RETRY),
    ],
)
def test_each_network_error_has_its_outcome(reason: str, kind: Kind) -> None:
    outcome = outcome_for_error(reason, "details")
    assert outcome.kind is kind
    assert outcome.reason == f"{reason}: details"
    assert outcome.delay_seconds is None
