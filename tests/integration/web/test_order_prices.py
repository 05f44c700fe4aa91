"""An order shows what it costs and keeps the price it was made at: unit price, quantity and
total (with the currency, in the page's language) on the order page, both order lists, the
order notifications and the API, still the same after the seller changes the listing's price;
an order of a listing whose price is on request says so. "Orders" opens on the orders that wait
for the person's decision (their own or their shop's), unless the address names a tab."""

from __future__ import annotations

import re

import pytest
from aiohttp.test_utils import TestClient

from node.models.accounts import Account
from node.models.market import Listing
from node.models.orders import Order
from node.services.accounts.tokens import create_token
from node.urls import Urls
from tests.integration.web.test_market_order_pages import honey_for_sale, place, switch_to
from tests.integration.web.test_market_pages import open_shop, post_listing
from tests.integration.web.webforms import active_account, sign_in, submit, text_of

pytestmark = pytest.mark.usefixtures("orm")

Client = TestClient  # type: ignore[type-arg]
# What the composer sends besides the fields of HONEY (test_market_pages.post_listing).
HONEY_FORM = {
    "title": "Miel de romero", "category": "food", "quantity": "5", "kind": "product",
    "purpose": "offer", "price_kind": "fixed", "currency": "EUR", "language": "es",
    "delivery": "pickup",
}  # fmt: skip


async def api_get(browser: Client, username: str, path: str) -> object:
    _, secret = await create_token(await Account.get(username=username), "tests")
    response = await browser.get(path, headers={"Authorization": f"Bearer {secret}"})
    assert response.status == 200, await response.text()
    return await response.json()


def current_tab(page: str) -> str | None:
    match = re.search(r'href="/mercado/orders\?tab=(\w+)" aria-current="page"', page)
    return match.group(1) if match else None


async def test_an_order_keeps_its_price_after_the_listing_price_changes(
    browser: Client, urls: Urls
) -> None:
    listing = await honey_for_sale(browser, urls)  # 6,50 € a jar
    order = await place(browser, listing, "2")
    assert (order.unit_price_cents, order.currency) == (650, "EUR")

    await switch_to(browser, "ana")
    edit = await submit(browser, f"/mercado/{listing.id}/edit", {**HONEY_FORM, "price": "9"})
    assert edit.status == 303, await edit.text()
    assert (await Listing.get(id=listing.id)).price_cents == 900
    await order.refresh_from_db()
    assert order.unit_price_cents == 650

    line = "2 units × €6.50 · Total: €13.00"
    page = text_of(await (await browser.get(f"/mercado/orders/{order.id}")).text())
    assert "Unit price €6.50 Units 2" in page and "Total €13.00" in page
    assert "€18.00" not in page
    # Still waiting for her answer: the new price is mentioned, and it is not the order's.
    assert "The listing's price is now €9.00; this order keeps the price it was made at." in page
    received = text_of(await (await browser.get("/mercado/orders?tab=received")).text())
    assert line in received
    told = text_of(await (await browser.get("/notifications")).text())
    assert "asked to order your listing Miel de romero " + line in told
    spanish = await browser.get(f"/mercado/orders/{order.id}", headers={"Accept-Language": "es"})
    assert "Total 13,00 €" in text_of(await spanish.text())

    await switch_to(browser, "bea")
    placed = text_of(await (await browser.get("/mercado/orders?tab=placed")).text())
    assert line in placed
    shown = await api_get(browser, "bea", f"/api/v1/orders/{order.id}")
    assert isinstance(shown, dict)
    assert (shown["unit_price_cents"], shown["currency"], shown["quantity"]) == (650, "EUR", 2)
    assert shown["total_cents"] == 1300
    listed = await api_get(browser, "bea", "/api/v1/orders")
    assert isinstance(listed, list) and listed[0]["total_cents"] == 1300


async def test_an_order_of_a_listing_with_the_price_on_request_says_so(
    browser: Client, urls: Urls
) -> None:
    await active_account(urls, "ana")
    await active_account(urls, "bea")
    await sign_in(browser, "ana")
    status, _, body = await post_listing(
        browser, {"title": "Reparación de bicis", "category": "home", "price_kind": "on_request"}
    )
    assert status == 303, body
    listing = await Listing.get(title="Reparación de bicis")
    await switch_to(browser, "bea")
    order = await place(browser, listing, "1")
    assert order.unit_price_cents is None
    page = text_of(await (await browser.get(f"/mercado/orders/{order.id}")).text())
    assert "Total Price on request" in page and "Unit price" not in page
    placed = text_of(await (await browser.get("/mercado/orders?tab=placed")).text())
    assert "1 unit · Price on request" in placed
    shown = await api_get(browser, "bea", f"/api/v1/orders/{order.id}")
    assert isinstance(shown, dict)
    assert shown["unit_price_cents"] is None and shown["total_cents"] is None


async def test_orders_open_where_a_decision_waits_unless_a_tab_is_asked_for(
    browser: Client, urls: Urls
) -> None:
    listing = await honey_for_sale(browser, urls)
    # Nothing waits for bea: her orders open on those she placed.
    assert current_tab(await (await browser.get("/mercado/orders")).text()) == "placed"
    order = await place(browser, listing)
    assert current_tab(await (await browser.get("/mercado/orders")).text()) == "placed"

    await switch_to(browser, "ana")
    page = await (await browser.get("/mercado/orders")).text()
    assert current_tab(page) == "received" and f'href="/mercado/orders/{order.id}"' in page
    assert "2 units × €6.50 · Total: €13.00" in text_of(page)
    explicit = await (await browser.get("/mercado/orders?tab=placed")).text()
    assert (
        current_tab(explicit) == "placed" and f'href="/mercado/orders/{order.id}"' not in explicit
    )

    decided = await submit(browser, f"/mercado/orders/{order.id}", {},
                           action=f"/mercado/orders/{order.id}/accept")  # fmt: skip
    assert decided.status == 303
    assert current_tab(await (await browser.get("/mercado/orders")).text()) == "placed"


async def test_an_order_to_a_shop_one_runs_opens_the_received_orders_too(
    browser: Client, urls: Urls
) -> None:
    await active_account(urls, "ana")
    await active_account(urls, "bea")
    await sign_in(browser, "ana")
    await open_shop(browser, "panaderia")
    status, _, body = await post_listing(
        browser, {"title": "Pan de masa madre", "price": "3", "category": "food",
                  "quantity": "10", "shop": "panaderia"},
    )  # fmt: skip
    assert status == 303, body
    listing = await Listing.get(title="Pan de masa madre").prefetch_related("seller")
    assert listing.seller.username == "panaderia"
    await switch_to(browser, "bea")
    order = await place(browser, listing, "3")
    await switch_to(browser, "ana")
    page = await (await browser.get("/mercado/orders")).text()
    assert current_tab(page) == "received" and f'href="/mercado/orders/{order.id}"' in page
    assert "3 units × €3.00 · Total: €9.00" in text_of(page)
    assert await Order.filter(id=order.id, unit_price_cents=300).exists()
