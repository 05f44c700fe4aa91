"""Ordering on a phone: bea asks ana for two jars from the listing page (labelled fields, no
JavaScript needed), ana accepts from "Orders" in the header, bea sees the decision; saving the
listing and the saved page; an axe scan of every page, the Arabic order page right-to-left,
screenshots at phone width."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.test_account_pages import phone_page, serious_violations
from tests.browser.test_social_pages import PASSWORD, sign_in
from tests.support.nodes import NodeProcess

pytestmark = pytest.mark.slow

HONEY = {"title": "Miel de romero", "description": "De Almonte.", "price_cents": 650,
         "category": "food", "quantity": 5, "language": "es"}  # fmt: skip


def test_order_accept_and_save_a_listing_on_a_phone(
    browser: Any, node: NodeProcess, artifacts: Path
) -> None:
    token = node.create_user("ana", password=PASSWORD)
    node.create_user("bea", password=PASSWORD)
    status, _, listing = node.request("POST", "/api/v1/listings", token=token, body=HONEY)
    assert status == 201, listing
    violations: list[str] = []

    bea = phone_page(browser, node)
    sign_in(bea, node, "bea")
    bea.goto(f"/mercado/{listing['id']}")
    bea.locator("main").get_by_role("button", name="Save").click()
    bea.wait_for_url(f"**/mercado/{listing['id']}")
    assert bea.locator("main").get_by_role("button", name="Saved").is_visible()
    bea.get_by_label("How many units?").fill("2")
    bea.get_by_label("Message to the seller (optional)").fill("Dos tarros, por favor")
    violations += serious_violations(bea)
    bea.screenshot(path=artifacts / "70-listing-order-form.png", full_page=True)
    bea.locator("main").get_by_role("button", name="Send the order").click()
    bea.wait_for_url(re.compile(r"/mercado/orders/\d+\?done=placed$"))
    order_path = bea.url.removeprefix(node.local_url).split("?")[0]
    assert "Waiting for the seller" in bea.locator("main").inner_text()
    violations += serious_violations(bea)
    bea.screenshot(path=artifacts / "71-order-placed.png", full_page=True)
    bea.goto("/mercado/saved")
    assert bea.locator(".market-card").filter(has_text="Miel de romero").count() == 1
    violations += serious_violations(bea)
    bea.screenshot(path=artifacts / "72-saved-listings.png", full_page=True)

    ana = phone_page(browser, node)
    sign_in(ana, node, "ana")
    ana.get_by_role("link", name=re.compile(r"^Orders")).click()
    ana.get_by_role("link", name="Orders I received").click()
    violations += serious_violations(ana)
    ana.screenshot(path=artifacts / "73-orders-received.png", full_page=True)
    ana.locator(".market-order").filter(has_text="Miel de romero").get_by_role("link").click()
    ana.wait_for_url(f"**{order_path}")
    violations += serious_violations(ana)
    ana.locator("main").get_by_role("button", name="Accept the order").click()
    ana.wait_for_url(re.compile(r"\?done=accept$"))
    assert "Still available" in ana.locator("main").inner_text()
    ana.screenshot(path=artifacts / "74-order-accepted.png", full_page=True)

    bea.goto("/notifications")
    bea.get_by_role("link", name="See the order").first.click()
    bea.wait_for_url(f"**{order_path}")
    assert "Accepted by the seller" in bea.locator("main").inner_text()

    arabic = phone_page(browser, node, locale="ar")
    arabic.goto("/sign-in")  # the labels are in Arabic: fill the fields by name
    arabic.locator("input[name=login]").fill("bea")
    arabic.locator("input[name=password]").fill(PASSWORD)
    arabic.locator("main form button[type=submit]").click()
    arabic.wait_for_url(node.local_url + "/")
    arabic.goto(order_path)
    assert arabic.locator("html").get_attribute("dir") == "rtl"
    violations += serious_violations(arabic)
    arabic.screenshot(path=artifacts / "75-order-arabic.png", full_page=True)

    assert not violations, "\n".join(violations)
    assert not bea.problems and not ana.problems and not arabic.problems


def test_a_seller_with_a_waiting_order_lands_on_it_with_its_price_on_a_phone(
    browser: Any, node: NodeProcess, artifacts: Path
) -> None:
    token = node.create_user("ana", password=PASSWORD)
    buyer = node.create_user("bea", password=PASSWORD)
    status, _, listing = node.request("POST", "/api/v1/listings", token=token, body=HONEY)
    assert status == 201, listing
    status, _, order = node.request("POST", f"/api/v1/listings/{listing['id']}/orders",
                                    token=buyer, body={"quantity": 2})  # fmt: skip
    assert status == 201, order
    # The seller raises the price afterwards: the order keeps the price it was made at.
    status, _, changed = node.request("PATCH", f"/api/v1/listings/{listing['id']}", token=token,
                                      body={"price_cents": 900})  # fmt: skip
    assert status == 200, changed

    ana = phone_page(browser, node)
    sign_in(ana, node, "ana")
    orders_link = ana.locator("header").get_by_role("link", name=re.compile(r"^Orders"))
    assert orders_link.locator(".badge").inner_text().split()[0] == "1"
    orders_link.click()
    ana.wait_for_url("**/mercado/orders")
    received = ana.get_by_role("link", name="Orders I received")
    assert received.get_attribute("aria-current") == "page"
    card = ana.locator(".market-order").filter(has_text="Miel de romero")
    assert card.count() == 1
    assert "2 units × €6.50 · Total: €13.00" in card.inner_text()
    violations = serious_violations(ana)
    ana.screenshot(path=artifacts / "76-orders-open-on-received.png", full_page=True)

    card.get_by_role("link").click()
    ana.wait_for_url(f"**/mercado/orders/{order['id']}")
    details = ana.locator("main dl").inner_text()
    assert "€6.50" in details and "€13.00" in details and "€9.00" not in details
    assert "The listing's price is now €9.00" in ana.locator("main").inner_text()
    ana.screenshot(path=artifacts / "77-order-price.png", full_page=True)
    assert not violations, "\n".join(violations)
    assert not ana.problems
