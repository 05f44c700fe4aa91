"""The data export carries the marketplace: shops, listings with their photo files, orders
placed and received, and saved listings, each as JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from aiohttp.test_utils import TestClient

from node import clock
from node.config import Settings
from node.models.accounts import Account
from node.models.market import Listing, ListingPhoto, ListingState
from node.models.orders import Order, OrderState, SavedListing
from node.services.accounts.accounts import person_actor
from node.urls import Urls
from tests.integration.web.test_account_deletion import jpeg
from tests.integration.web.test_market_pages import open_shop, post_listing
from tests.integration.web.webforms import active_account, sign_in, submit

pytestmark = pytest.mark.usefixtures("orm", "publisher")
Client = TestClient  # type: ignore[type-arg]


async def test_the_export_has_shops_listings_with_photos_orders_and_saved_listings(
    browser: Client, urls: Urls, settings: Settings
) -> None:
    account = await active_account(urls, "ana")
    bea_account = await active_account(urls, "bea")
    await sign_in(browser)
    await open_shop(browser)
    status, _, body = await post_listing(
        browser,
        {"shop": "panaderia", "title": "Pan de centeno", "price": "3,50", "category": "food",
         "alt": "Hogaza oscura"},
        (jpeg(), "pan.jpg", "image/jpeg"),
    )  # fmt: skip
    assert status == 303, body
    bread = await Listing.get(title="Pan de centeno").prefetch_related("seller")
    photo = await ListingPhoto.get(listing_id=bread.id)
    ana, bea = await person_actor(account), await person_actor(bea_account)
    table = await Listing.create(uri=urls.absolute("/listings/77"), url=urls.absolute("/mercado/77"),
                                 local=True, seller=bea, title="Mesa de pino", category="home",
                                 price_cents=4000, state=ListingState.PUBLISHED,
                                 published=clock.now())  # fmt: skip
    await Order.create(uri=urls.absolute("/agreements/1"), listing=bread, buyer=bea,
                       seller=bread.seller, quantity=2, message="=para el sábado")  # fmt: skip
    await Order.create(uri=urls.absolute("/agreements/2"), listing=table, buyer=ana, seller=bea,
                       quantity=1, state=OrderState.ACCEPTED, decided_at=clock.now())  # fmt: skip
    await SavedListing.create(account=account, listing=table)

    response = await submit(browser, "/settings", {}, action="/settings/export")
    assert response.status == 200
    archive = zipfile.ZipFile(io.BytesIO(await response.read()))
    names = set(archive.namelist())
    for table_name in ("shops", "listings", "orders_placed", "orders_received", "saved_listings"):
        assert {f"{table_name}.json", f"{table_name}.csv"} <= names

    (shop,) = json.loads(archive.read("shops.json"))
    assert shop["handle"] == f"panaderia@{settings.domain}"
    assert shop["address"] == "Calle Real 3" and shop["summary_source"] == "Pan de **masa madre**."
    (listing,) = json.loads(archive.read("listings.json"))
    assert listing["title"] == "Pan de centeno" and listing["price"] == "3.50"
    assert listing["shop"] == f"panaderia@{settings.domain}" and listing["state"] == "published"
    (exported_photo,) = listing["photos"]
    assert exported_photo["url"] == urls.media(photo.file_name)
    assert exported_photo["description"] == "Hogaza oscura"
    photo_bytes = archive.read(exported_photo["file"])
    assert photo_bytes == (settings.media_dir / photo.file_name).read_bytes()

    (received,) = json.loads(archive.read("orders_received.json"))
    assert received["buyer"] == f"bea@{settings.domain}" and received["quantity"] == 2
    assert received["listing_title"] == "Pan de centeno" and received["state"] == "pending"
    (placed,) = json.loads(archive.read("orders_placed.json"))
    assert placed["seller"] == f"bea@{settings.domain}" and placed["state"] == "accepted"
    assert placed["agreement"] == urls.absolute("/agreements/2")
    (saved,) = json.loads(archive.read("saved_listings.json"))
    assert saved == {**saved, "title": "Mesa de pino", "price": "40.00", "listing": table.uri}

    rows = list(
        csv.DictReader(io.StringIO(archive.read("orders_received.csv").decode("utf-8-sig")))
    )
    assert rows[0]["message"] == "'=para el sábado"  # kept from running as a formula
    rows = list(csv.DictReader(io.StringIO(archive.read("listings.csv").decode("utf-8-sig"))))
    assert urls.media(photo.file_name) in rows[0]["photos"]
    assert "orders_placed.json" in archive.read("README.txt").decode()
    assert await Account.filter(id=account.id).exists()
