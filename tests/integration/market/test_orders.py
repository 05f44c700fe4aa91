"""Order requests, contacting the seller, saved listings and reports over the JSON API, in one
node: the rules (quantity, own listing, who decides, idempotent decisions, sold/closed refuse),
availability and state after acceptance, notifications on both sides, and the activities that
go out (listing ``Update`` with the new ``availableQuantity``)."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from node.config import Settings
from node.main import create_app
from node.models.market import Listing, ListingState
from node.models.messages import Conversation
from node.models.moderation import Report
from node.models.notifications import Notification
from node.models.orders import Order, OrderState
from node.models.peers import OutgoingActivity
from node.urls import Urls
from tests.support.fakes import api_user

Client = TestClient  # type: ignore[type-arg]

BREAD: dict[str, Any] = {
    "title": "Pan de campo 1 kg", "description": "Masa madre.", "price_cents": 300,
    "category": "food", "city": "La Palma del Condado", "quantity": 5, "condition": "new",
    "delivery": ["pickup"], "language": "es",
}  # fmt: skip


@pytest.fixture
def app(settings: Settings) -> web.Application:
    return create_app(settings, run_workers=False)


async def call(client: Client, method: str, path: str, auth: dict[str, str], body: Any = None,
               expect: int = 200) -> Any:  # fmt: skip
    response = await client.request(method, path, json=body, headers=auth)
    text = await response.text()
    assert response.status == expect, text
    return await response.json() if text else None


async def sent(kind: str) -> list[Any]:
    """The bodies of the stored outgoing activities of this type, oldest first."""
    rows = await OutgoingActivity.all().order_by("id")
    return [row.body for row in rows if row.body.get("type") == kind]


async def market(
    client: Client, urls: Urls, **change: Any
) -> tuple[dict[str, str], dict[str, str], Any]:
    _, seller = await api_user(urls, "rocio")
    _, buyer = await api_user(urls, "pep")
    listing = await call(client, "POST", "/api/v1/listings", seller, {**BREAD, **change}, 201)
    return seller, buyer, listing


async def test_an_accepted_order_takes_units_off_and_the_last_units_reserve_the_listing(
    client: Client, urls: Urls
) -> None:
    seller, buyer, listing = await market(client, urls)
    path = f"/api/v1/listings/{listing['id']}/orders"
    order = await call(
        client, "POST", path, buyer, {"quantity": 2, "message": "Para el sábado"}, 201
    )
    assert (order["state"], order["quantity"], order["role"]) == ("pending", 2, "buyer")
    assert order["message"] == "Para el sábado"
    assert await Notification.filter(kind="order").count() == 1

    received = await call(client, "GET", "/api/v1/orders?role=seller", seller)
    assert [o["id"] for o in received] == [order["id"]]
    assert received[0]["role"] == "seller"
    assert await call(client, "GET", "/api/v1/orders?role=buyer", seller) == []

    updates_before = len(await sent("Update"))
    accepted = await call(client, "POST", f"/api/v1/orders/{order['id']}/accept", seller)
    assert accepted["state"] == "accepted"
    assert accepted["listing"]["quantity"] == 3
    assert accepted["decided_at"] is not None
    assert await Notification.filter(kind="order_accepted").count() == 1
    updates = await sent("Update")
    assert len(updates) == updates_before + 1
    available = updates[-1]["object"]["publishes"]["availableQuantity"]
    assert available["hasNumericalValue"] == "3"

    again = await call(client, "POST", f"/api/v1/orders/{order['id']}/accept", seller)
    assert again["state"] == "accepted"
    assert (await Listing.get(id=int(listing["id"]))).quantity == 3  # not taken twice
    assert await Notification.filter(kind="order_accepted").count() == 1

    last = await call(client, "POST", path, buyer, {"quantity": 3}, 201)
    await call(client, "POST", f"/api/v1/orders/{last['id']}/accept", seller)
    stored = await Listing.get(id=int(listing["id"]))
    assert (stored.quantity, stored.state) == (0, ListingState.RESERVED)
    refused = await call(client, "POST", path, buyer, {"quantity": 1}, expect=409)
    assert "reserved" in refused["detail"]


async def test_the_rules_of_an_order_request(client: Client, urls: Urls) -> None:
    seller, buyer, listing = await market(client, urls)
    path = f"/api/v1/listings/{listing['id']}/orders"
    for quantity in (0, -1):
        problem = await call(client, "POST", path, buyer, {"quantity": quantity}, expect=422)
        assert "at least 1" in problem["detail"] or problem.get("errors")
    too_many = await call(client, "POST", path, buyer, {"quantity": 6}, expect=409)
    assert "Only 5 available" in too_many["detail"]
    own = await call(client, "POST", path, seller, {"quantity": 1}, expect=409)
    assert "your own listing" in own["detail"]
    await call(client, "POST", "/api/v1/listings/999/orders", buyer, {"quantity": 1}, expect=404)
    assert await Order.all().count() == 0

    order = await call(client, "POST", path, buyer, {"quantity": 1}, 201)
    await call(client, "POST", f"/api/v1/orders/{order['id']}/accept", buyer, expect=403)
    _, stranger = await api_user(urls, "luis")
    await call(client, "POST", f"/api/v1/orders/{order['id']}/accept", stranger, expect=404)
    await call(client, "GET", f"/api/v1/orders/{order['id']}", stranger, expect=404)
    declined = await call(client, "POST", f"/api/v1/orders/{order['id']}/decline", seller)
    assert declined["state"] == "declined"
    assert declined["listing"]["quantity"] == 5
    assert (await call(client, "POST", f"/api/v1/orders/{order['id']}/decline", seller))[
        "state"
    ] == "declined"
    flip = await call(client, "POST", f"/api/v1/orders/{order['id']}/accept", seller, expect=409)
    assert "declined" in flip["detail"]
    assert await Notification.filter(kind="order_declined").count() == 1

    pending = await call(client, "POST", path, buyer, {"quantity": 1}, 201)
    await call(client, "POST", f"/api/v1/orders/{pending['id']}/cancel", seller, expect=403)
    await call(client, "POST", f"/api/v1/orders/{pending['id']}/cancel", stranger, expect=404)
    withdrawn = await call(client, "POST", f"/api/v1/orders/{pending['id']}/cancel", buyer)
    assert withdrawn["state"] == "cancelled"
    await call(client, "POST", f"/api/v1/orders/{pending['id']}/accept", seller, expect=409)
    assert await Notification.filter(kind="order_cancelled").count() == 1

    await call(client, "POST", f"/api/v1/listings/{listing['id']}/state", seller, {"state": "sold"})
    sold = await call(client, "POST", path, buyer, {"quantity": 1}, expect=409)
    assert sold["detail"] == "This listing is sold: it takes no more orders."
    mine = await call(client, "GET", "/api/v1/orders", buyer)
    assert {o["state"] for o in mine} == {"declined", "cancelled"}


async def test_a_seller_who_blocks_the_buyer_takes_no_orders_from_them(
    client: Client, urls: Urls
) -> None:
    seller, buyer, listing = await market(client, urls)
    await call(client, "POST", "/api/v1/blocks", seller, {"target": "@pep@test.example"})
    blocked = await call(client, "POST", f"/api/v1/listings/{listing['id']}/orders", buyer,
                         {"quantity": 1}, expect=409)  # fmt: skip
    assert blocked["detail"] == "You cannot order from this seller."
    assert await Order.all().count() == 0


async def test_a_closed_listing_and_a_wanted_post_refuse_orders(client: Client, urls: Urls) -> None:
    seller, buyer, listing = await market(client, urls)
    await call(
        client, "POST", f"/api/v1/listings/{listing['id']}/state", seller, {"state": "closed"}
    )
    closed = await call(client, "POST", f"/api/v1/listings/{listing['id']}/orders", buyer,
                        {"quantity": 1}, expect=409)  # fmt: skip
    assert "closed" in closed["detail"]
    wanted = await call(
        client, "POST", "/api/v1/listings", seller, {**BREAD, "purpose": "request"}, 201
    )
    problem = await call(client, "POST", f"/api/v1/listings/{wanted['id']}/orders", buyer,
                         {"quantity": 1}, expect=409)  # fmt: skip
    assert "wanted" in problem["detail"]
    assert await Order.all().count() == 0


async def test_an_uncounted_listing_takes_orders_without_changing_availability(
    client: Client, urls: Urls
) -> None:
    seller, buyer, listing = await market(client, urls, quantity=None)
    order = await call(client, "POST", f"/api/v1/listings/{listing['id']}/orders", buyer,
                       {"quantity": 40}, 201)  # fmt: skip
    accepted = await call(client, "POST", f"/api/v1/orders/{order['id']}/accept", seller)
    assert accepted["state"] == "accepted"
    stored = await Listing.get(id=int(listing["id"]))
    assert (stored.quantity, stored.state) == (None, ListingState.PUBLISHED)


async def test_contacting_the_seller_opens_one_conversation_about_the_listing(
    client: Client, urls: Urls
) -> None:
    seller, buyer, listing = await market(client, urls)
    path = f"/api/v1/listings/{listing['id']}/contact"
    first = await call(client, "POST", path, buyer, {"message": "¿Hay pan mañana?"}, 201)
    assert first["about"] == listing["uri"]
    assert [p["acct"] for p in first["participants"]] == ["rocio@test.example"]
    second = await call(client, "POST", path, buyer, {"message": "¿Y el domingo?"}, 201)
    assert second["id"] == first["id"]
    assert len(second["messages"]) == 2
    assert await Conversation.filter(about_uri=listing["uri"]).count() == 1
    inbox = await call(client, "GET", "/api/v1/conversations", seller)
    assert inbox["unread_total"] == 2
    assert inbox["conversations"][0]["about"] == listing["uri"]
    await call(client, "POST", path, seller, {"message": "hola"}, expect=409)
    await call(client, "POST", path, buyer, {"message": ""}, expect=422)


async def test_a_message_to_a_shop_is_its_owner_to_read_and_answer_as_the_shop(
    client: Client, urls: Urls
) -> None:
    _, seller = await api_user(urls, "rocio")
    _, buyer = await api_user(urls, "pep")
    await call(
        client, "POST", "/api/v1/shops", seller, {"username": "colmena", "city": "Almonte"}, 201
    )
    listing = await call(
        client, "POST", "/api/v1/listings", seller, {**BREAD, "shop": "colmena"}, 201
    )
    opened = await call(client, "POST", f"/api/v1/listings/{listing['id']}/contact", buyer,
                        {"message": "¿Hacéis envíos?"}, 201)  # fmt: skip
    assert [p["acct"] for p in opened["participants"]] == ["colmena@test.example"]
    inbox = await call(client, "GET", "/api/v1/conversations", seller)
    assert inbox["unread_total"] == 1
    [conversation] = inbox["conversations"]
    assert [p["acct"] for p in conversation["participants"]] == ["pep@test.example"]
    answer = await call(client, "POST", f"/api/v1/conversations/{conversation['id']}/messages",
                        seller, {"content": "Sí, a toda la provincia.", "language": "es"}, 201)  # fmt: skip
    assert answer["author"]["acct"] == "colmena@test.example"
    thread = await call(client, "GET", f"/api/v1/conversations/{opened['id']}", buyer)
    assert [m["author"]["acct"] for m in thread["messages"]] == [
        "pep@test.example", "colmena@test.example"]  # fmt: skip
    _, stranger = await api_user(urls, "luis")
    await call(client, "GET", f"/api/v1/conversations/{conversation['id']}", stranger, expect=404)


async def test_saved_listings_and_a_report_to_the_moderators(client: Client, urls: Urls) -> None:
    seller, buyer, listing = await market(client, urls)
    other = await call(client, "POST", "/api/v1/listings", seller, {**BREAD, "title": "Miel"}, 201)
    for item in (listing, other, listing):
        saved = await call(client, "POST", f"/api/v1/listings/{item['id']}/save", buyer)
        assert saved["id"] == item["id"]
    kept = await call(client, "GET", "/api/v1/listings/saved", buyer)
    assert [k["id"] for k in kept] == [other["id"], listing["id"]]
    assert await call(client, "GET", "/api/v1/listings/saved", seller) == []
    await call(client, "DELETE", f"/api/v1/listings/{other['id']}/save", buyer, expect=204)
    await call(client, "DELETE", f"/api/v1/listings/{other['id']}/save", buyer, expect=204)
    assert [k["id"] for k in await call(client, "GET", "/api/v1/listings/saved", buyer)] == [
        listing["id"]
    ]
    unauthenticated = await client.get("/api/v1/listings/saved")
    assert unauthenticated.status == 401

    report = await call(client, "POST", f"/api/v1/listings/{listing['id']}/report", buyer,
                        {"comment": "Vende pan caducado"}, 201)  # fmt: skip
    assert report["object_uris"] == [listing["uri"]]
    assert report["target"]["acct"] == "rocio@test.example"
    stored = await Report.get(id=int(report["id"]))
    assert (stored.comment, stored.object_uris) == ("Vende pan caducado", [listing["uri"]])
    await call(
        client,
        "POST",
        f"/api/v1/listings/{listing['id']}/report",
        buyer,
        {"comment": " "},
        expect=422,
    )
    await call(
        client,
        "POST",
        f"/api/v1/listings/{listing['id']}/report",
        seller,
        {"comment": "x"},
        expect=422,
    )
    assert await Report.all().count() == 1


async def test_orders_are_in_the_openapi_document(client: Client) -> None:
    document = await (await client.get("/api/openapi.json")).json()
    paths = document["paths"]
    for path in ("/api/v1/listings/{id}/orders", "/api/v1/orders", "/api/v1/orders/{id}/accept",
                 "/api/v1/orders/{id}/decline", "/api/v1/orders/{id}/cancel",
                 "/api/v1/listings/{id}/contact", "/api/v1/listings/saved",
                 "/api/v1/listings/{id}/save", "/api/v1/listings/{id}/report"):  # fmt: skip
        assert path in paths, path
    assert "409" in paths["/api/v1/listings/{id}/orders"]["post"]["responses"]


async def test_orders_survive_only_as_long_as_their_listing(client: Client, urls: Urls) -> None:
    seller, buyer, listing = await market(client, urls)
    await call(
        client, "POST", f"/api/v1/listings/{listing['id']}/orders", buyer, {"quantity": 1}, 201
    )
    await call(client, "DELETE", f"/api/v1/listings/{listing['id']}", seller, expect=204)
    assert await Order.filter(state=OrderState.PENDING).count() == 0
    assert await call(client, "GET", "/api/v1/orders", buyer) == []
