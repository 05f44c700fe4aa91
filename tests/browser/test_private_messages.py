"""A conversation about a listing stays private-looking on a phone: bea contacts ana from the
listing page; neither home page shows the message as a post (no "Direct" card with Edit and
Delete), and both find the conversation in Messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.test_account_pages import phone_page
from tests.browser.test_social_pages import PASSWORD, sign_in
from tests.support.nodes import NodeProcess

pytestmark = pytest.mark.slow

BREAD = {"title": "Pan de pueblo", "description": "De leña.", "price_cents": 250,
         "category": "food", "quantity": 5, "language": "es"}  # fmt: skip
QUESTION = "¿Lo tienes mañana por la mañana?"


def test_contacting_a_seller_stays_in_messages_on_a_phone(
    browser: Any, node: NodeProcess, artifacts: Path
) -> None:
    token = node.create_user("ana", password=PASSWORD)
    node.create_user("bea", password=PASSWORD)
    status, _, listing = node.request("POST", "/api/v1/listings", token=token, body=BREAD)
    assert status == 201, listing

    bea = phone_page(browser, node)
    sign_in(bea, node, "bea")
    # Both follow each other: a message must stay off the home even of people who follow.
    bea.goto("/@ana")
    bea.locator("main").get_by_role("button", name="Follow").click()
    bea.goto(f"/mercado/{listing['id']}")
    bea.locator("main").get_by_role("link", name="Contact the seller").click()
    bea.wait_for_url("**/messages/new**")
    bea.get_by_label("Message", exact=True).fill(QUESTION)
    bea.locator("main").get_by_role("button", name="Send").click()
    bea.wait_for_url("**/messages/*")
    assert bea.get_by_text(QUESTION).is_visible()

    ana = phone_page(browser, node)
    sign_in(ana, node, "ana")
    ana.goto("/@bea")
    ana.locator("main").get_by_role("button", name="Follow").click()

    for page, name in ((bea, "bea"), (ana, "ana")):
        page.goto("/")
        main = page.locator("main")
        assert QUESTION not in main.inner_text(), name
        assert main.locator(".note").count() == 0, name
        page.screenshot(path=artifacts / f"45-home-without-message-{name}.png", full_page=True)
        page.goto(f"/@{name}")
        assert QUESTION not in page.locator("main").inner_text(), name
        page.goto("/messages")
        item = page.locator(".conversation-item")
        assert item.count() == 1, name
        item.first.locator("a").first.click()
        page.wait_for_url("**/messages/*")
        assert page.get_by_text(QUESTION).is_visible(), name
        page.screenshot(path=artifacts / f"46-conversation-{name}.png", full_page=True)
