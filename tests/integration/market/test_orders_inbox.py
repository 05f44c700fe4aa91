"""Orders with another server through the real inbox (signed POST, queue, handler) and the real
publisher: a remote buyer's FEP-0837 ``Offer{Agreement}`` becomes a pending order for our seller,
whose decision goes back as ``Accept`` (with the agreement) or ``Reject``; an offer the listing
cannot take is rejected at once; our buyer's order for a remote listing goes out as an
``Offer{Agreement}`` and the seller's ``Accept``/``Reject`` decides it here, while a ``Follow``'s
``Accept`` still works as before."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from node.config import Settings
from node.main import create_app
from node.models.jobs import Job
from node.models.market import Listing
from node.models.notifications import Notification
from node.models.orders import Order, OrderState
from node.models.peers import OutgoingActivity
from node.urls import Urls
from tests.integration.federation.inbox_material import RemoteActor, deliver
from tests.integration.market.test_orders import BREAD, call
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


async def sent(kind: str) -> list[tuple[dict[str, Any], set[str]]]:
    """Stored outgoing activities of this type with the inboxes they are queued for."""
    out = []
    for row in await OutgoingActivity.all().order_by("id"):
        if row.body.get("type") != kind:
            continue
        jobs = await Job.filter(queue="deliver").all()
        inboxes = {j.payload["inbox"] for j in jobs if j.payload.get("activity_id") == row.id}
        out.append((row.body, inboxes))
    return out


def offer(mar: RemoteActor, listing_uri: str, quantity: Any, n: int = 1) -> dict[str, Any]:
    agreement = {
        "id": f"https://market.example/agreements/{n}",
        "type": "Agreement",
        "content": "¿Lo puedo recoger el sábado?",
        "stipulates": {
            "id": f"https://market.example/agreements/{n}#primary",
            "type": "Commitment",
            "satisfies": listing_uri + "#primary",
            "resourceQuantity": {"hasUnit": "one", "hasNumericalValue": str(quantity)},
        },
    }
    return mar.activity("Offer", agreement, to=[])


async def test_a_remote_offer_is_a_pending_order_and_the_decision_goes_back(
    client: Client, urls: Urls, mar: RemoteActor
) -> None:
    _, seller = await api_user(urls, "rocio")
    listing = await call(client, "POST", "/api/v1/listings", seller, BREAD, 201)
    activity = offer(mar, listing["uri"], 2)
    activity["to"] = [listing["seller"]["uri"]]
    await deliver(client, mar, activity)
    await deliver(client, mar, activity)  # a replay stores nothing more
    received = await call(client, "GET", "/api/v1/orders?role=seller", seller)
    assert len(received) == 1
    order = received[0]
    assert (order["state"], order["quantity"], order["buyer"]["uri"]) == ("pending", 2, mar.uri)
    assert order["uri"] == "https://market.example/agreements/1"
    assert order["message"] == "¿Lo puedo recoger el sábado?"
    assert await Notification.filter(kind="order").count() == 1

    accepted = await call(client, "POST", f"/api/v1/orders/{order['id']}/accept", seller)
    assert accepted["listing"]["quantity"] == 3
    [(accept, inboxes)] = await sent("Accept")
    assert accept["object"] == activity["id"]
    assert accept["result"]["type"] == "Agreement"
    assert accept["result"]["stipulates"]["resourceQuantity"]["hasNumericalValue"] == "2"
    assert (
        accept["result"]["stipulatesReciprocal"]["resourceQuantity"]["hasNumericalValue"] == "6.00"
    )
    assert inboxes == {mar.uri + "/inbox"} or inboxes == {"https://market.example/inbox"}
    updates = await sent("Update")
    body, update_inboxes = updates[-1]
    assert body["object"]["publishes"]["availableQuantity"]["hasNumericalValue"] == "3"
    assert update_inboxes  # the buyer's server hears of the new availability


async def test_an_offer_the_listing_cannot_take_is_rejected_at_once(
    client: Client, urls: Urls, mar: RemoteActor
) -> None:
    _, seller = await api_user(urls, "rocio")
    listing = await call(client, "POST", "/api/v1/listings", seller, BREAD, 201)
    await deliver(client, mar, offer(mar, listing["uri"], 9))  # only 5 available
    [order] = await Order.all()
    assert order.state is OrderState.DECLINED
    [(reject, _)] = await sent("Reject")
    assert reject["object"] == order.offer_uri
    assert await Notification.filter(kind="order").count() == 0
    assert (await Listing.get(id=int(listing["id"]))).quantity == 5
    # Not a whole positive number, or an agreement on another server: nothing at all.
    await deliver(client, mar, offer(mar, listing["uri"], "1.5", n=2))
    await deliver(client, mar, offer(mar, listing["uri"], 0, n=3))
    forged = offer(mar, listing["uri"], 1, n=4)
    forged["object"]["id"] = "https://elsewhere.example/agreements/4"
    await deliver(client, mar, forged)
    assert await Order.all().count() == 1


async def remote_listing(client: Client, mar: RemoteActor) -> Listing:
    note = mar.note("<p><strong>Miel de romero — 6,50 €</strong></p>", purpose="offer",
                    publishes={"type": "Intent", "action": "transfer",
                               "availableQuantity": {"hasUnit": "one", "hasNumericalValue": "12"}})  # fmt: skip
    await deliver(client, mar, mar.activity("Create", note))
    return await Listing.get(uri=note["id"])


@pytest.mark.parametrize("answer", ["Accept", "Reject"])
async def test_our_order_for_a_remote_listing_is_an_offer_and_the_answer_decides_it(
    client: Client, urls: Urls, mar: RemoteActor, answer: str
) -> None:
    listing = await remote_listing(client, mar)
    _, buyer = await api_user(urls, "pep")
    order = await call(client, "POST", f"/api/v1/listings/{listing.id}/orders", buyer,
                       {"quantity": 3, "message": "Para regalo"}, 201)  # fmt: skip
    [(sent_offer, inboxes)] = await sent("Offer")
    assert sent_offer["to"] == [mar.uri]
    assert inboxes
    agreement = sent_offer["object"]
    assert (agreement["type"], agreement["id"], agreement["content"]) == (
        "Agreement", order["uri"], "Para regalo")  # fmt: skip
    assert agreement["stipulates"]["satisfies"] == listing.uri + "#primary"
    assert agreement["stipulates"]["resourceQuantity"]["hasNumericalValue"] == "3"
    await call(client, "POST", f"/api/v1/orders/{order['id']}/accept", buyer, expect=403)

    stranger = RemoteActor(uri="https://other.example/users/eve")
    await stranger.store()
    await deliver(client, stranger, stranger.activity(answer, sent_offer["id"]))
    assert (await Order.get(id=int(order["id"]))).state is OrderState.PENDING  # not the seller

    await deliver(
        client,
        mar,
        mar.activity(answer, sent_offer["id"], result={"type": "Agreement", "id": agreement["id"]}),
    )
    decided = await call(client, "GET", f"/api/v1/orders/{order['id']}", buyer)
    expected = "accepted" if answer == "Accept" else "declined"
    assert decided["state"] == expected
    assert await Notification.filter(kind=f"order_{expected}").count() == 1
    await deliver(client, mar, mar.activity(answer, sent_offer["id"]))
    assert await Notification.filter(kind=f"order_{expected}").count() == 1


async def test_withdrawing_an_order_travels_as_undo_offer_both_ways(
    client: Client, urls: Urls, mar: RemoteActor
) -> None:
    # Ours to a remote seller: Undo{Offer} goes to the seller.
    listing = await remote_listing(client, mar)
    _, buyer = await api_user(urls, "pep")
    order = await call(client, "POST", f"/api/v1/listings/{listing.id}/orders", buyer,
                       {"quantity": 1}, 201)  # fmt: skip
    withdrawn = await call(client, "POST", f"/api/v1/orders/{order['id']}/cancel", buyer)
    assert withdrawn["state"] == "cancelled"
    [(sent_offer, _)] = await sent("Offer")
    [(undo, inboxes)] = await sent("Undo")
    assert undo["to"] == [mar.uri] and inboxes
    assert (undo["object"]["type"], undo["object"]["id"]) == ("Offer", sent_offer["id"])
    # A late Accept of a withdrawn order changes nothing.
    await deliver(client, mar, mar.activity("Accept", sent_offer["id"]))
    assert (await Order.get(id=int(order["id"]))).state is OrderState.CANCELLED

    # A remote buyer's Undo{Offer}: the pending order is cancelled and the seller told.
    _, seller = await api_user(urls, "rocio")
    ours = await call(client, "POST", "/api/v1/listings", seller, BREAD, 201)
    activity = offer(mar, ours["uri"], 1, n=9)
    await deliver(client, mar, activity)
    await deliver(client, mar, mar.activity("Undo", {"id": activity["id"], "type": "Offer",
                                                     "actor": mar.uri}))  # fmt: skip
    received = await Order.get(uri="https://market.example/agreements/9")
    assert received.state is OrderState.CANCELLED
    assert await Notification.filter(kind="order_cancelled").count() == 1
    await call(client, "POST", f"/api/v1/orders/{received.id}/accept", seller, expect=409)


async def test_an_offer_from_someone_the_seller_blocks_is_rejected(
    client: Client, urls: Urls, mar: RemoteActor
) -> None:
    _, seller = await api_user(urls, "rocio")
    listing = await call(client, "POST", "/api/v1/listings", seller, BREAD, 201)
    await call(client, "POST", "/api/v1/blocks", seller, {"target": mar.uri})
    await deliver(client, mar, offer(mar, listing["uri"], 1))
    orders = await Order.all()
    assert [o.state for o in orders] == [OrderState.DECLINED]
    [(reject, _)] = await sent("Reject")
    assert reject["object"] == orders[0].offer_uri
    assert await Notification.filter(kind="order").count() == 0
    assert (await Listing.get(id=int(listing["id"]))).quantity == 5
