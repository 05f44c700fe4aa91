"""Buying from a listing: contacting its seller, order requests and the seller's decisions,
saved listings and reporting a listing to moderators.

``/api/v1/listings/{id}/contact|orders|save|report``, ``/api/v1/listings/saved`` and
``/api/v1/orders``. Registered before ``web.api.market.listings`` so that
``/api/v1/listings/saved`` is not read as a listing id.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from aiohttp import web
from pydantic import BaseModel, Field, RootModel

from node.appkeys import SETTINGS, URLS
from node.models.orders import Order
from node.services.accounts.accounts import person_actor
from node.services.market import contact, order_prices, orders
from node.services.social import messages
from web.api.accounts import ActorOut, actor_out
from web.api.auth import require_account
from web.api.market.listings import ListingList, ListingOut, listing_out
from web.api.routing import Operation, read_json, read_query, respond
from web.api.social.messages import ConversationDetailOut
from web.api.social.notes import notes_out
from web.api.viewer import order_publisher, publisher


class ContactIn(BaseModel):
    message: str = Field(min_length=1, max_length=20_000, description="Markdown.")
    language: str | None = Field(
        None, max_length=16, description="es, pt, en, fr or ar; yours by default."
    )


class OrderIn(BaseModel):
    quantity: int = Field(1, description="Units wanted: at least 1, at most those available.")
    message: str = Field("", max_length=2000, description="Plain text for the seller.")


class OrderListingOut(BaseModel):
    id: str
    uri: str
    url: str | None
    title: str
    quantity: int | None = Field(description="Units available now, as this node knows.")
    state: str


class OrderOut(BaseModel):
    id: str
    uri: str = Field(description="The FEP-0837 Agreement's id.")
    listing: OrderListingOut
    buyer: ActorOut
    seller: ActorOut
    role: Literal["buyer", "seller"] = Field(description="Your side of this order.")
    quantity: int
    unit_price_cents: int | None = Field(
        description="The price of one unit when the order was made, in whole cents (0: free); "
        "null when the listing's price was on request. Later price changes do not alter it."
    )
    currency: str = Field(description="ISO 4217 code of the prices, e.g. EUR.")
    total_cents: int | None = Field(
        description="unit_price_cents × quantity; null when the price was on request."
    )
    message: str
    state: Literal["pending", "accepted", "declined", "cancelled"]
    created_at: datetime
    decided_at: datetime | None


class OrderList(RootModel[list[OrderOut]]):
    pass


class OrdersQuery(BaseModel):
    role: Literal["buyer", "seller"] | None = Field(
        None, description="Only orders you placed (buyer) or received (seller); both if omitted."
    )


class ReportIn(BaseModel):
    comment: str = Field(max_length=1000, description="What is wrong, for the moderators.")
    forward: bool = Field(
        False, description="Ask the moderators to send it on to the seller's server too."
    )


class ReportOut(BaseModel):
    id: str
    target: ActorOut = Field(description="The seller.")
    object_uris: list[str] = Field(description="The listing's id.")
    comment: str
    created_at: datetime


def order_out(order: Order, account_id: int) -> OrderOut:
    listing = order.listing
    return OrderOut(
        id=str(order.id), uri=order.uri,
        listing=OrderListingOut(
            id=str(listing.id), uri=listing.uri, url=listing.url, title=listing.title,
            quantity=listing.quantity, state=listing.state.value,
        ),
        buyer=actor_out(order.buyer), seller=actor_out(order.seller),
        role="buyer" if order.buyer.account_id == account_id else "seller",  # type: ignore[attr-defined]
        quantity=order.quantity, unit_price_cents=order.unit_price_cents,
        currency=order.currency, total_cents=order_prices.order_total_cents(order),
        message=order.message, state=order.state.value,
        created_at=order.created_at, decided_at=order.decided_at,
    )  # fmt: skip


async def _answer(
    request: web.Request, order: Order, account_id: int, status: int = 200
) -> web.Response:
    await order.fetch_related("listing", "buyer", "seller")
    await order.listing.refresh_from_db()
    return respond(order_out(order, account_id), status)


async def contact_seller(request: web.Request) -> web.Response:
    account = await require_account(request)
    body = await read_json(request, ContactIn)
    language = body.language or account.language or request.app[SETTINGS].default_language
    conversation = await contact.contact_seller(
        publisher(request), request.app[URLS], account, request.match_info["id"],
        message=body.message, language=language,
    )  # fmt: skip
    viewer = await person_actor(account)
    view = await messages.get_conversation(viewer, conversation.id, mark_read=False)
    out = ConversationDetailOut(
        id=str(view.conversation.id), participants=[actor_out(a) for a in view.others],
        about=view.conversation.about_uri, last_message_at=view.conversation.last_message_at,
        unread_count=view.unread_count, messages=await notes_out(view.messages, viewer),
    )  # fmt: skip
    return respond(out, 201)


async def place_order(request: web.Request) -> web.Response:
    account = await require_account(request)
    body = await read_json(request, OrderIn)
    order = await orders.place_order(
        order_publisher(request), request.app[URLS], account, request.match_info["id"],
        quantity=body.quantity, message=body.message,
    )  # fmt: skip
    return await _answer(request, order, account.id, 201)


async def list_orders(request: web.Request) -> web.Response:
    account = await require_account(request)
    role = read_query(request, OrdersQuery).role
    return respond([order_out(o, account.id) for o in await orders.orders_of(account, role=role)])


async def get_order(request: web.Request) -> web.Response:
    account = await require_account(request)
    return await _answer(
        request, await orders.get_order(account, request.match_info["id"]), account.id
    )


async def accept_order(request: web.Request) -> web.Response:
    account = await require_account(request)
    order = await orders.accept_order(order_publisher(request), account, request.match_info["id"])
    return await _answer(request, order, account.id)


async def decline_order(request: web.Request) -> web.Response:
    account = await require_account(request)
    order = await orders.decline_order(order_publisher(request), account, request.match_info["id"])
    return await _answer(request, order, account.id)


async def cancel_order(request: web.Request) -> web.Response:
    account = await require_account(request)
    order = await orders.cancel_order(order_publisher(request), account, request.match_info["id"])
    return await _answer(request, order, account.id)


async def saved_listings(request: web.Request) -> web.Response:
    account = await require_account(request)
    found = await contact.saved_listings(account)
    for listing in found:
        await listing.fetch_related("shop__actor")
    return respond([await listing_out(item, account, request) for item in found])


async def save_listing(request: web.Request) -> web.Response:
    account = await require_account(request)
    listing = await contact.save_listing(account, request.match_info["id"])
    await listing.fetch_related("shop__actor")
    return respond(await listing_out(listing, account, request))


async def unsave_listing(request: web.Request) -> web.Response:
    account = await require_account(request)
    await contact.unsave_listing(account, request.match_info["id"])
    return web.Response(status=204)


async def report_listing(request: web.Request) -> web.Response:
    account = await require_account(request)
    body = await read_json(request, ReportIn)
    report = await contact.report_listing(
        account, request.match_info["id"], comment=body.comment, forward=body.forward
    )
    await report.fetch_related("target")
    assert report.target is not None
    return respond(
        ReportOut(
            id=str(report.id), target=actor_out(report.target),
            object_uris=list(report.object_uris), comment=report.comment,
            created_at=report.created_at,
        ),
        201,
    )  # fmt: skip


_LISTING = {"id": "The listing's id (a string)."}
_ORDER = {"id": "The order's id (a string)."}
_DECISION = (
    "Only the seller decides; deciding the same way again changes nothing (200), the other "
    "way is 409. A seller on another Ruta node sends FEP-0837 `Accept`/`Reject`."
)

OPERATIONS = [
    Operation(
        "GET", "/api/v1/listings/saved", saved_listings, "Your saved listings", "orders",
        description="The listings you saved, the latest saved first.", response=ListingList,
    ),
    Operation(
        "POST", "/api/v1/listings/{id}/contact", contact_seller, "Write to the seller", "orders",
        description="Opens (or continues) a direct conversation with the listing's seller about "
        "the listing: a direct note with a `Mention` of the seller and `inReplyTo` the listing, "
        "so it reaches sellers on other Ruta nodes and on Mastodon. 409 for your own listing.",
        request=ContactIn, response=ConversationDetailOut, status=201, errors=(404, 409, 422),
        path_params=_LISTING,
    ),
    Operation(
        "POST", "/api/v1/listings/{id}/orders", place_order, "Ask the seller for some units",
        "orders", description="An order request: 1 ≤ quantity ≤ the units available. 409 (with "
        "the reason) for your own listing, a wanted post, or a reserved, sold or closed "
        "listing, or when fewer units are left. A listing of another server is ordered with a "
        "FEP-0837 `Offer{Agreement}` to its seller.",
        request=OrderIn, response=OrderOut, status=201, errors=(404, 409, 422),
        path_params=_LISTING,
    ),
    Operation(
        "POST", "/api/v1/listings/{id}/save", save_listing, "Save a listing", "orders",
        description="Keep it in your saved listings (saving twice changes nothing).",
        response=ListingOut, errors=(404,), path_params=_LISTING,
    ),
    Operation(
        "DELETE", "/api/v1/listings/{id}/save", unsave_listing, "Forget a saved listing",
        "orders", status=204, path_params=_LISTING,
    ),
    Operation(
        "POST", "/api/v1/listings/{id}/report", report_listing, "Report a listing", "orders",
        description="To this node's moderators: the seller is the reported account, the "
        "listing the reported object.",
        request=ReportIn, response=ReportOut, status=201, errors=(404, 422), path_params=_LISTING,
    ),
    Operation(
        "GET", "/api/v1/orders", list_orders, "Your orders", "orders",
        description="Orders you placed and orders for your listings, newest first (≤ 100).",
        query=OrdersQuery, response=OrderList,
    ),
    Operation(
        "GET", "/api/v1/orders/{id}", get_order, "An order", "orders",
        description="404 unless you are its buyer or seller.", response=OrderOut,
        errors=(404,), path_params=_ORDER,
    ),
    Operation(
        "POST", "/api/v1/orders/{id}/accept", accept_order, "Accept an order", "orders",
        description="The units leave the listing (it becomes reserved at 0) and its `Update` "
        "with the new `availableQuantity` goes to its followers and the buyer. " + _DECISION,
        response=OrderOut, errors=(403, 404, 409), path_params=_ORDER,
    ),
    Operation(
        "POST", "/api/v1/orders/{id}/decline", decline_order, "Decline an order", "orders",
        description=_DECISION, response=OrderOut, errors=(403, 404, 409), path_params=_ORDER,
    ),
    Operation(
        "POST", "/api/v1/orders/{id}/cancel", cancel_order, "Withdraw your order", "orders",
        description="The buyer withdraws a pending order (again: 200); a seller on another "
        "server gets `Undo{Offer}`. A decided order is 409.",
        response=OrderOut, errors=(403, 404, 409), path_params=_ORDER,
    ),
]  # fmt: skip
