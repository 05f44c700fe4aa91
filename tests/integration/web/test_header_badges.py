"""The header badges tell screen readers what their number counts: notifications and messages
are "unread", orders are "waiting for you" (a decision, not a reading), in the page's language."""

from __future__ import annotations

import re

import pytest
from aiohttp.test_utils import TestClient

from node.urls import Urls
from tests.integration.web.test_market_order_pages import honey_for_sale, place, switch_to

pytestmark = pytest.mark.usefixtures("orm")

Client = TestClient  # type: ignore[type-arg]


def badge_text(page: str, path: str) -> str | None:
    """The screen-reader text of the badge of the header link to ``path``."""
    match = re.search(
        rf'<a href="{re.escape(path)}"[^>]*>[^<]*<span class="badge">(\d+)'
        r'<span class="visually-hidden"> ([^<]+)</span>',
        page,
    )
    return f"{match.group(1)} {match.group(2)}" if match else None


async def test_the_orders_badge_says_waiting_for_you_and_notifications_say_unread(
    browser: Client, urls: Urls
) -> None:
    listing = await honey_for_sale(browser, urls)
    await place(browser, listing)
    await switch_to(browser, "ana")  # the seller: one order to decide, one notification

    page = await (await browser.get("/mercado/mine")).text()
    assert badge_text(page, "/mercado/orders") == "1 waiting for you"
    assert badge_text(page, "/notifications") == "1 unread"

    spanish = await (await browser.get("/mercado/mine", headers={"Accept-Language": "es"})).text()
    assert badge_text(spanish, "/mercado/orders") == "1 esperan tu respuesta"
    assert badge_text(spanish, "/notifications") == "1 sin leer"
