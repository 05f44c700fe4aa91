"""Limits hold when the requests come all at once: an attacker sends them in parallel, not one
after the other, and every attempt must be counted before the next one is judged."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp.test_utils import TestClient

from node.models.accounts import Account
from node.models.jobs import Job
from node.urls import Urls
from tests.integration.web.webforms import PASSWORD, active_account, csrf_in

pytestmark = pytest.mark.usefixtures("orm")


async def parallel_posts(
    client: TestClient,  # type: ignore[type-arg]
    page_path: str,
    forms: list[dict[str, str]],
    headers: dict[str, str],
) -> list[int]:
    """Post every form at once (one CSRF token, as one browser would) and return the statuses."""
    token = csrf_in(await (await client.get(page_path)).text())

    async def post(data: dict[str, str]) -> int:
        response = await client.post(
            page_path, data={"csrf": token, **data}, headers=headers, allow_redirects=False
        )
        await response.read()
        return response.status

    return list(await asyncio.gather(*(post(form) for form in forms)))


async def test_parallel_wrong_passwords_for_one_account_are_checked_at_most_ten_times(
    browser: TestClient,  # type: ignore[type-arg]
    urls: Urls,
) -> None:
    await active_account(urls)
    forms = [{"login": "ana", "password": f"guess {n}"} for n in range(30)]
    statuses = await parallel_posts(browser, "/sign-in", forms, {"X-Forwarded-For": "203.0.113.5"})
    assert sorted(set(statuses)) == [422, 429]
    assert statuses.count(422) == 10  # the per-account limit: the others were never checked
    # The right password is refused too now: the account's limit is used up.
    right = await parallel_posts(browser, "/sign-in", [{"login": "ana", "password": PASSWORD}], {})
    assert right == [429]


async def test_right_passwords_are_counted_while_checked_and_uncounted_after(
    browser: TestClient,  # type: ignore[type-arg]
    urls: Urls,
) -> None:
    await active_account(urls)
    ip = {"X-Forwarded-For": "203.0.113.6"}
    for _ in range(12):
        right = [{"login": "ana", "password": PASSWORD}]
        assert await parallel_posts(browser, "/sign-in", right, ip) == [303]
    wrong = [{"login": "ana", "password": f"guess {n}"} for n in range(10)]
    assert await parallel_posts(browser, "/sign-in", wrong, ip) == [422] * 10


async def test_parallel_password_resets_queue_at_most_three_mails(
    browser: TestClient,  # type: ignore[type-arg]
    urls: Urls,
) -> None:
    await active_account(urls)
    forms = [{"email": "ana@example.org"}] * 30
    statuses = await parallel_posts(browser, "/password/reset", forms, {})
    assert statuses.count(200) == 3
    assert statuses.count(429) == 27
    assert await Job.filter(queue="mail").count() == 3


async def test_parallel_sign_ups_from_one_address_make_at_most_ten_accounts(
    browser: TestClient,  # type: ignore[type-arg]
) -> None:
    forms = [
        {
            "username": f"user{n}",
            "display_name": f"User {n}",
            "email": f"user{n}@example.org",
            "password": PASSWORD,
            "language": "es",
            "reason": "Vendo miel de Almonte.",
        }
        for n in range(25)
    ]
    statuses = await parallel_posts(browser, "/sign-up", forms, {"X-Forwarded-For": "192.0.2.10"})
    assert statuses.count(303) == 10
    assert statuses.count(429) == 15
    assert await Account.all().count() == 10
