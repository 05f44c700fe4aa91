"""Input past a bound is refused with a 4xx that says what is wrong, never a 500: integers past
64 bits, strings longer than any column, on the API and on the HTML forms alike."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from node.models.messages import Conversation
from node.models.social import Note
from node.services.accounts.accounts import person_actor
from node.urls import Urls
from tests.integration.web.webforms import active_account, sign_in, submit, text_of

pytestmark = pytest.mark.usefixtures("orm")

TOO_BIG = str(2**63)  # 9223372036854775808: one past the largest 64-bit integer


@pytest.mark.parametrize("name", ["min_price_cents", "max_price_cents"])
@pytest.mark.parametrize("value", [TOO_BIG, "1" + "0" * 40])
async def test_a_price_filter_past_64_bits_is_refused_with_a_problem(
    browser: TestClient,  # type: ignore[type-arg]
    name: str,
    value: str,
) -> None:
    response = await browser.get(f"/api/v1/listings?{name}={value}")
    assert response.status == 422
    assert response.content_type == "application/problem+json"
    assert name in await response.text()


async def test_the_confirmation_resend_form_refuses_an_over_long_address(
    browser: TestClient,  # type: ignore[type-arg]
) -> None:
    response = await submit(browser, "/verify-email", {"email": "a" * 250 + "@example.org"})
    assert response.status == 422
    assert "Enter an email address" in text_of(await response.text())


async def test_a_new_message_with_an_over_long_subject_is_refused(
    browser: TestClient,  # type: ignore[type-arg]
    urls: Urls,
) -> None:
    await person_actor(await active_account(urls, "ana"))
    await person_actor(await active_account(urls, "bea"))
    await sign_in(browser, "ana")
    about = "https://test.example/listings/" + "1" * 2049
    response = await submit(
        browser,
        "/messages/new",
        {"to": "@bea", "about": about, "content": "hola", "language": "es"},
    )
    assert response.status == 422
    assert "The subject must be a web address" in text_of(await response.text())
    assert await Note.all().count() == 0
    assert await Conversation.all().count() == 0
