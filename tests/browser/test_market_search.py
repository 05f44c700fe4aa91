"""The market search on a 390 px phone: after a search with filters the results come first, the
filters in use are chips that each drop one, the panel of filters is folded, a plural and the
start of a city's name find listings, and "Near me" sorts by the browser's position."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import PHONE
from tests.browser.test_account_pages import phone_page, serious_violations
from tests.browser.test_social_pages import PASSWORD
from tests.support.nodes import NodeProcess

pytestmark = pytest.mark.slow

LISTINGS = [
    {"title": "Cesta de esparto", "city": "La Palma del Condado", "latitude": 37.386,
     "longitude": -6.552},
    {"title": "Cesta de mimbre", "city": "Almonte", "latitude": 37.264, "longitude": -6.517},
    {"title": "Cesto de palma", "city": "La Palma del Condado", "category": "home",
     "latitude": 37.387, "longitude": -6.551},
]  # fmt: skip


def test_results_come_first_with_removable_filter_chips_on_a_phone(
    browser: Any, node: NodeProcess, artifacts: Path
) -> None:
    token = node.create_user("ana", password=PASSWORD)
    for listing in LISTINGS:
        body = {"description": "Hecha a mano.", "price_cents": 1500, "category": "crafts",
                "language": "es", **listing}  # fmt: skip
        status, _, created = node.request("POST", "/api/v1/listings", token=token, body=body)
        assert status == 201, created
    page = phone_page(
        browser,
        node,
        geolocation={"latitude": 37.2639, "longitude": -6.5175},
        permissions=["geolocation"],
    )

    page.goto("/mercado")
    page.get_by_label("Search the market").fill("cestas")  # a plural: finds "Cesta"
    page.locator("summary", has_text="Filters and order").click()
    page.get_by_label("Category", exact=True).select_option("crafts")
    page.get_by_label("City", exact=True).fill("la palma")  # the start of the name
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"/mercado\?.*city=la\+palma"))

    cards = page.locator(".market-card")
    assert cards.all_inner_texts() and "Cesta de esparto" in cards.first.inner_text()
    assert cards.count() == 1
    box = cards.first.bounding_box()
    assert box is not None and box["y"] < PHONE["height"], box  # on the first screen
    assert page.locator("details.market-filters").get_attribute("open") is None
    chips = page.locator(".market-chip > span")
    assert chips.all_inner_texts() == ["Words: cestas", "Category: Crafts", "City: la palma"]
    assert page.get_by_role("link", name="Clear all filters").is_visible()
    # the feed is a small link for feed readers, and the head's <link rel="alternate">
    assert page.locator('head link[rel="alternate"][type="application/atom+xml"]').count() == 1
    assert page.locator(".market-feed small a").count() == 1
    violations = serious_violations(page)
    page.screenshot(path=artifacts / "69-market-search-chips.png", full_page=True)

    page.get_by_role("link", name="Remove the filter City: la palma").click()
    page.wait_for_url(lambda url: "city=" not in url and "q=cestas" in url)
    found = cards.all_inner_texts()
    assert len(found) == 2 and any("Cesta de mimbre" in t for t in found), found
    assert chips.all_inner_texts() == ["Words: cestas", "Category: Crafts"]

    page.get_by_role("link", name="Clear all filters").click()
    page.wait_for_url(re.compile(r"/mercado$"))
    assert page.locator(".market-chip").count() == 0

    # "Near me": the browser's position, never typed, and the nearest listing first.
    page.get_by_label("Search the market").fill("cest")
    page.locator("summary", has_text="Filters and order").click()
    page.get_by_role("button", name="Near me").click()
    page.wait_for_url(re.compile(r"sort=distance"))
    assert "lat=37.2639" in page.url and "lon=-6.5175" in page.url
    assert "Cesta de mimbre" in cards.first.inner_text()  # in Almonte, where the phone is
    assert page.locator(".market-chip", has_text="Near you").count() == 1

    # The same chips right to left, in Arabic.
    arabic = phone_page(browser, node, locale="ar")
    arabic.goto("/mercado?q=%D8%B3%D9%84%D8%A9&city=la+palma")
    assert arabic.locator("html").get_attribute("dir") == "rtl"
    assert arabic.locator(".market-chip").count() == 2
    violations += serious_violations(arabic)
    arabic.screenshot(path=artifacts / "70-market-search-chips-arabic.png", full_page=True)

    assert not violations, "\n".join(violations)
    assert not page.problems, page.problems
    assert not arabic.problems, arabic.problems
