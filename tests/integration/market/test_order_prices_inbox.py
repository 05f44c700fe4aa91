"""An order keeps the price it was made at across servers: a remote buyer's FEP-0837
``Offer{Agreement}`` that states a price (its reciprocal commitment's total) records that price,
one that states none records the listing's price when it arrives; the seller's later price
change alters neither, nor the agreement its ``Accept`` sends back. Our order for another
server's listing records that listing's price and offers that total."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from node.config import Settings
from node.main import create_app
from node.models.market import Listing
from node.models.orders import Order
from node.urls import Urls
from tests.integration.federation.inbox_material import RemoteActor, deliver
from tests.integration.market.test_orders import BREAD, call
from tests.integration.market.test_orders_inbox import offer, sent
from tests.support.fakes import api_user

Client = TestClient  # type: ignore[type-arg]


@pytest.fixture
def app(settings: Settings) -> web.Application:
    return create_app(settings, run_workers=False)


@pytest.fixture
async def mar(client: Client) -> RemoteActor:
    remote = RemoteActor(uri="https://market.example/users/mar")
    await remote.store()
    return remote


def priced_offer(mar: RemoteActor, listing_uri: str, quantity: int, total: str, n: int) -> Any:
    activity = offer(mar, listing_uri, quantity, n=n)
    activity["object"]["stipulatesReciprocal"] = {
        "id": f"https://market.example/agreements/{n}#reciprocal",
        "type": "Commitment",
        "satisfies": listing_uri + "#reciprocal",
        "resourceQuantity": {"hasUnit": "one", "hasNumericalValue": total},
    }
    return activity


async def test_a_remote_order_keeps_the_price_it_arrived_with(
    client: Client, urls: Urls, mar: RemoteActor
) -> None:
    _, seller = await api_user(urls, "rocio")
    listing = await call(client, "POST", "/api/v1/listings", seller, BREAD, 201)  # 3,00 €
    # Stated in the agreement (2 × 2,50 €, agreed with the seller before): taken as stated.
    await deliver(client, mar, priced_offer(mar, listing["uri"], 2, "5.00", n=1))
    # No price in the agreement: the listing's price when it arrives.
    await deliver(client, mar, offer(mar, listing["uri"], 1, n=2))
    stated = await Order.get(uri="https://market.example/agreements/1")
    unstated = await Order.get(uri="https://market.example/agreements/2")
    assert (stated.unit_price_cents, stated.currency) == (250, "EUR")
    assert (unstated.unit_price_cents, unstated.currency) == (300, "EUR")

    await call(client, "PATCH", f"/api/v1/listings/{listing['id']}", seller,
               {"price_cents": 400})  # fmt: skip
    assert (await Listing.get(id=int(listing["id"]))).price_cents == 400
    shown = await call(client, "GET", f"/api/v1/orders/{stated.id}", seller)
    assert (shown["unit_price_cents"], shown["total_cents"]) == (250, 500)
    shown = await call(client, "GET", f"/api/v1/orders/{unstated.id}", seller)
    assert (shown["unit_price_cents"], shown["total_cents"]) == (300, 300)

    await call(client, "POST", f"/api/v1/orders/{unstated.id}/accept", seller)
    [(accept, _)] = await sent("Accept")
    reciprocal = accept["result"]["stipulatesReciprocal"]["resourceQuantity"]
    assert reciprocal["hasNumericalValue"] == "3.00"  # the order's price, not today's 4,00 €


async def test_our_order_for_a_remote_listing_records_its_price_and_offers_the_total(
    client: Client, urls: Urls, mar: RemoteActor
) -> None:
    note = mar.note(
        "<p><strong>Miel de romero — 6,50 €</strong></p>", purpose="offer",
        publishes={"type": "Intent", "action": "transfer",
                   "availableQuantity": {"hasUnit": "one", "hasNumericalValue": "12"}},
        reciprocal={"type": "Intent", "action": "transfer",
                    "resourceConformsTo": "https://www.wikidata.org/wiki/Q4916",
                    "resourceQuantity": {"hasUnit": "one", "hasNumericalValue": "6.50"}},
    )  # fmt: skip
    await deliver(client, mar, mar.activity("Create", note))
    listing = await Listing.get(uri=note["id"])
    assert (listing.price_cents, listing.currency) == (650, "EUR")
    _, buyer = await api_user(urls, "pep")
    order = await call(client, "POST", f"/api/v1/listings/{listing.id}/orders", buyer,
                       {"quantity": 3}, 201)  # fmt: skip
    assert (order["unit_price_cents"], order["currency"], order["total_cents"]) == (
        650,
        "EUR",
        1950,
    )
    [(sent_offer, _)] = await sent("Offer")
    reciprocal = sent_offer["object"]["stipulatesReciprocal"]
    assert reciprocal["satisfies"] == listing.uri + "#reciprocal"
    assert reciprocal["resourceQuantity"]["hasNumericalValue"] == "19.50"
