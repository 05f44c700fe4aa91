"""Editing what a seller wrote: an emptied field of the listing form empties the listing (city,
condition, quantity, place), and a shop's "about" text comes back in the form as its owner
wrote it (markdown), while pages and peers get the rendered HTML."""

from __future__ import annotations

import re

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient

from node.models.actors import Actor
from node.models.market import Condition, Listing
from node.models.peers import OutgoingActivity
from node.urls import Urls
from tests.integration.web.webforms import active_account, csrf_in, sign_in, submit

pytestmark = pytest.mark.usefixtures("orm")
Client = TestClient  # type: ignore[type-arg]

LISTING = {
    "title": "Mesa de pino", "price": "40", "category": "home", "city": "Lepe",
    "condition": "good", "quantity": "2", "latitude": "37.25", "longitude": "-7.2",
    "kind": "product", "purpose": "offer", "price_kind": "fixed", "currency": "EUR",
    "language": "es", "action": "publish", "description": "Maciza.",
}  # fmt: skip


def textarea(page: str, name: str) -> str:
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', page, re.DOTALL)
    assert match, f"no {name} textarea"
    return match.group(1)


async def test_emptying_city_condition_quantity_and_place_in_the_form_clears_them(
    browser: Client, urls: Urls
) -> None:
    await active_account(urls, "ana")
    await sign_in(browser)
    response = await submit(browser, "/mercado/new", LISTING)
    assert response.status == 303, await response.text()
    listing_id = int(response.headers["Location"].rsplit("/", 1)[1])
    listing = await Listing.get(id=listing_id)
    assert (listing.city, listing.condition, listing.quantity) == ("Lepe", Condition.GOOD, 2)

    edited = {**LISTING, "city": "", "condition": "", "quantity": "", "latitude": "",
              "longitude": "", "title": "Mesa de pino macizo"}  # fmt: skip
    edited.pop("action")
    response = await submit(browser, f"/mercado/{listing_id}/edit", edited)
    assert response.status == 303, await response.text()

    listing = await Listing.get(id=listing_id)
    assert listing.title == "Mesa de pino macizo"
    assert listing.city == "" and listing.condition is None and listing.quantity is None
    assert listing.latitude is None and listing.longitude is None
    assert "Lepe" not in listing.tags and " lepe " not in listing.hashtag_keys
    page = await (await browser.get(f"/mercado/{listing_id}")).text()
    assert "Place" not in page and "Condition" not in page

    # Followers learn it: the Update carries no place any more.
    updates = [r.body for r in await OutgoingActivity.all() if r.body.get("type") == "Update"]
    assert updates and "location" not in updates[-1]["object"]

    # A field that is sent stays as sent: the form is not a way to lose what was not touched.
    again = {**edited, "city": "Faro", "condition": "fair"}
    assert (await submit(browser, f"/mercado/{listing_id}/edit", again)).status == 303
    listing = await Listing.get(id=listing_id)
    assert listing.city == "Faro" and listing.condition is Condition.FAIR


async def test_the_shop_about_text_is_kept_as_written_and_shown_rendered(
    browser: Client, urls: Urls
) -> None:
    await active_account(urls, "ana")
    await sign_in(browser)
    about = "Pan de **masa madre** y _bollería_.\n\nHorno de leña. #pan"
    page = await browser.get("/mercado/shops/new")
    form = FormData()
    form.add_field("csrf", csrf_in(await page.text()))
    for key, value in {"username": "horno", "display_name": "Horno Rocío", "summary": about,
                       "city": "Almonte"}.items():  # fmt: skip
        form.add_field(key, value)
    response = await browser.post("/mercado/shops/new", data=form, allow_redirects=False)
    assert response.status == 303, await response.text()

    actor = await Actor.get(local_username="horno")
    assert actor.summary_source == about
    assert "<strong>masa madre</strong>" in actor.summary and "<em>bollería</em>" in actor.summary
    assert "/tags/pan" in actor.summary

    edit_page = await (await browser.get("/mercado/shops/horno/edit")).text()
    assert textarea(edit_page, "summary") == about  # the markdown, not the rendered text

    # Saving the form unchanged keeps the formatting (it used to come back flattened).
    values = {"display_name": "Horno Rocío", "summary": textarea(edit_page, "summary"),
              "city": "Almonte"}  # fmt: skip
    response = await submit(browser, "/mercado/shops/horno/edit", values)
    assert response.status == 303, await response.text()
    actor = await Actor.get(local_username="horno")
    assert actor.summary_source == about and "<strong>masa madre</strong>" in actor.summary

    shop_page = await (await browser.get("/mercado/shops/horno")).text()
    assert "<strong>masa madre</strong>" in shop_page and "**" not in shop_page
    assert "<bdi>Horno Rocío</bdi>" in shop_page
