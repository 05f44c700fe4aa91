"""The marketplace on a phone: ana opens a shop, publishes a product with a photo, and finds it
by searching the market; the Arabic market page is right-to-left; an axe scan of the market
pages; screenshots at phone width."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.browser.test_account_pages import phone_page, serious_violations
from tests.browser.test_social_pages import PASSWORD, sign_in
from tests.support.nodes import NodeProcess

pytestmark = pytest.mark.slow


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (900, 700), (170, 110, 60)).save(out, "JPEG")
    return out.getvalue()


def test_open_a_shop_publish_a_product_with_a_photo_and_find_it_on_a_phone(
    browser: Any, node: NodeProcess, artifacts: Path
) -> None:
    node.create_user("ana", password=PASSWORD)
    page = phone_page(browser, node)
    sign_in(page, node, "ana")
    violations: list[str] = []

    page.goto("/mercado/shops/new")
    page.get_by_label("Shop address name").fill("pandeana")
    page.get_by_label("Shop name").fill("Pan de Ana")
    page.get_by_label("About the shop (optional)", exact=True).fill(
        "Pan de **masa madre** cada mañana."
    )
    page.get_by_label("Address (optional)", exact=True).fill("Calle Real 3")
    page.get_by_label("City (optional)", exact=True).fill("La Palma del Condado")
    page.get_by_label("Opening hours (optional)", exact=True).fill("Lun–Sáb 8:00–14:00")
    page.get_by_label("Phone (optional)", exact=True).fill("+34 600 000 000")
    page.get_by_role("checkbox", name="Food and drink").check()
    violations += serious_violations(page)
    page.screenshot(path=artifacts / "60-open-shop.png", full_page=True)
    page.locator("main").get_by_role("button", name="Open the shop").click()
    page.wait_for_url("**/mercado/shops/pandeana")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Pan de Ana")

    page.get_by_role("link", name="New listing in this shop").click()
    page.wait_for_url("**/mercado/new?shop=pandeana")
    page.get_by_label("Title", exact=True).fill("Hogaza de centeno")
    page.get_by_label("Description (optional)", exact=True).fill("Horneada **hoy**, 800 g.")
    page.get_by_label("Category", exact=True).select_option("food")
    page.get_by_label("Price (optional)", exact=True).fill("3.50")
    page.get_by_label("Quantity available (optional)", exact=True).fill("10")
    page.get_by_label("Choose a photo").set_input_files(
        {"name": "hogaza.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}
    )
    page.get_by_label("Describe the photo for people who cannot see it").fill(
        "Una hogaza oscura sobre un paño blanco"
    )
    violations += serious_violations(page)
    page.screenshot(path=artifacts / "61-listing-composer.png", full_page=True)
    page.locator("main").get_by_role("button", name="Publish").click()
    page.wait_for_url(re.compile(r"/mercado/\d+$"))
    photo = page.get_by_role("img", name="Una hogaza oscura sobre un paño blanco")
    assert photo.is_visible()
    assert "3.50" in page.locator(".market-price").inner_text()
    violations += serious_violations(page)
    page.screenshot(path=artifacts / "62-listing.png", full_page=True)
    listing_path = page.url.removeprefix(node.local_url)
    page.get_by_role("link", name="Edit the listing and its photos").click()
    page.wait_for_url("**/edit")
    assert page.get_by_role("img", name="Una hogaza oscura sobre un paño blanco").is_visible()
    violations += serious_violations(page)
    page.screenshot(path=artifacts / "66-listing-edit.png", full_page=True)

    page.goto("/mercado")
    page.get_by_label("Search the market").fill("centeno")
    page.locator("main").get_by_role("button", name="Search").click()
    page.wait_for_url("**/mercado?q=centeno*")
    result = page.locator(".market-card").filter(has_text="Hogaza de centeno")
    assert result.count() == 1
    violations += serious_violations(page)
    page.screenshot(path=artifacts / "63-market-search.png", full_page=True)

    page.goto("/mercado/shops/pandeana")
    assert page.locator(".market-card").filter(has_text="Hogaza de centeno").count() == 1
    violations += serious_violations(page)
    page.screenshot(path=artifacts / "64-shop.png", full_page=True)

    arabic = phone_page(browser, node, locale="ar")
    arabic.goto("/mercado?q=centeno")
    assert arabic.locator("html").get_attribute("dir") == "rtl"
    assert arabic.locator("html").get_attribute("lang") == "ar"
    assert arabic.locator(".market-card").filter(has_text="Hogaza de centeno").count() == 1
    violations += serious_violations(arabic)
    arabic.screenshot(path=artifacts / "65-market-arabic.png", full_page=True)
    arabic.goto(listing_path)
    assert arabic.locator("html").get_attribute("dir") == "rtl"
    violations += serious_violations(arabic)
    arabic.screenshot(path=artifacts / "67-listing-arabic.png", full_page=True)

    # City staff vouch for the shop from its page.
    node.create_user("marta", role="admin", password=PASSWORD)
    staff = phone_page(browser, node)
    sign_in(staff, node, "marta")
    staff.goto("/mercado/shops/pandeana")
    violations += serious_violations(staff)
    staff.locator("main").get_by_role("button", name="Mark as verified").click()
    staff.wait_for_url("**/mercado/shops/pandeana?notice=shop_verified")
    assert staff.locator(".notice").inner_text() == "The shop is marked as verified."
    assert staff.get_by_role("heading", level=1).locator(".badge").inner_text() == "Verified"
    violations += serious_violations(staff)
    staff.screenshot(path=artifacts / "68-shop-verified.png", full_page=True)

    assert not violations, "\n".join(violations)
    assert not page.problems, page.problems
    assert not arabic.problems, arabic.problems
    assert not staff.problems, staff.problems
