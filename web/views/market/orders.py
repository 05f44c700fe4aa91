"""Orders on the web: asking a seller for some units of a listing, "My orders" (placed and
received), and an order's page, where the seller accepts or declines and the buyer withdraws.

Every change goes through :mod:`node.services.market.orders` (the JSON API's path too), so a
listing of another Ruta node is ordered with FEP-0837 ``Offer{Agreement}`` from here as well.
``/mercado/orders/{id}`` is for the order's two parties only: anyone else gets 404, as from the
API; ``/agreements/{id}`` sends browsers here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from aiohttp import web
from babel import numbers as babel_numbers

from node.appkeys import URLS
from node.errors import Conflict, ValidationFailed
from node.models.accounts import Account
from node.models.actors import Actor
from node.models.market import Listing
from node.models.orders import Order, OrderState
from node.services.market import contact, listings, order_prices, orders
from node.services.market.orders import MAX_MESSAGE, order_page_path
from web.i18n import N_, Translator
from web.ports import order_publisher
from web.rendering import NavItem, register_nav_item, render, translator_for_request
from web.sessions import require_account
from web.views.forms import read_form, see_other
from web.views.market.labels import price_text
from web.views.market.listing import contact_link
from web.views.viewer import cursor

PAGE = 20
TABS = ("placed", "received")

STATE_LABELS = {
    "pending": N_("Waiting for the seller"),
    "accepted": N_("Accepted by the seller"),
    "declined": N_("Declined by the seller"),
    "cancelled": N_("Withdrawn by the buyer"),
}
# What the order page says after a change (``?done=``).
DONE = {
    "placed": N_("Your order is sent. The seller will accept or decline it."),
    "accept": N_("You accepted the order. The buyer is told."),
    "decline": N_("You declined the order. The buyer is told."),
    "withdraw": N_("You withdrew your order. The seller is told."),
}
# The services' refusals (English) and what a visitor reads instead.
_REFUSALS = {
    "This is your own listing: you cannot order it.": N_(
        "This is your own listing: you cannot order it."
    ),
    "You cannot order from this seller.": N_("You cannot order from this seller."),
    "None left: this listing has no units available.": N_(
        "None left: this listing has no units available."
    ),
    "This listing is sold: it takes no more orders.": N_(
        "This listing is sold: it takes no more orders."
    ),
    "This listing is closed: it takes no more orders.": N_(
        "This listing is closed: it takes no more orders."
    ),
    "This listing is reserved for another buyer: it takes no orders now.": N_(
        "This listing is reserved for another buyer: it takes no orders now."
    ),
}
QUANTITY_ADVICE = N_("Ask for at least 1 unit, and no more than are available.")
MESSAGE_ADVICE = N_("Write at most 2000 characters.")
NOT_NOW = N_("This order cannot change any more: it was decided or withdrawn. Reload the page.")
NO_ORDERS = N_("This listing takes no orders.")


@dataclass(frozen=True)
class OrderAmounts:
    """An order's price as its pages show it, in the visitor's language and locale."""

    unit: str | None  # "6,50 €"; None when the order is free or its price was on request
    total: str  # "13,00 €", "Free" or "Price on request"


def order_amounts(order: Order, t: Translator) -> OrderAmounts:
    """The unit price and total the order recorded when it was made (never the listing's
    price now), formatted as the listing prices are."""
    total = order_prices.order_total_cents(order)
    if order.unit_price_cents is None or total is None:
        return OrderAmounts(None, t.gettext(N_("Price on request")))
    if total == 0:
        return OrderAmounts(None, t.gettext(N_("Free")))

    def money(cents: int) -> str:
        return str(
            babel_numbers.format_currency(Decimal(cents) / 100, order.currency, locale=t.locale)
        )

    return OrderAmounts(money(int(order.unit_price_cents)), money(total))


def refusal_text(exc: Conflict, listing: Listing, t: Translator) -> str:
    """The service's reason in the visitor's language."""
    reason = str(exc)
    if reason.startswith("Only ") and listing.quantity:
        return t.ngettext(
            "Only %(num)d available: ask for %(num)d or fewer.",
            "Only %(num)d available: ask for %(num)d or fewer.",
            listing.quantity,
        )
    return t.gettext(_REFUSALS.get(reason, NO_ORDERS))


def parse_quantity(raw: str) -> int:
    try:
        return int(raw.strip())
    except ValueError:
        raise ValidationFailed.on("quantity", "Ask for at least 1 unit.") from None


# --- ordering ------------------------------------------------------------------------------


async def _order_form(
    request: web.Request,
    account: Account,
    listing: Listing,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
) -> web.Response:
    t = await translator_for_request(request)
    context = {
        "listing": listing,
        "price": price_text(listing, t),
        "values": values,
        "errors": errors,
        "takes_orders": orders.takes_orders(listing),
        "max_message": MAX_MESSAGE,
        "saved": await contact.is_saved(account, listing),
    }
    return await render(request, "market/order_form.html", context, status=status)


async def order_form(request: web.Request) -> web.Response:
    """The order form on a page of its own: for listings of other servers, and again with the
    reason when an order was refused."""
    account = await require_account(request)
    listing = await listings.get_listing(request.match_info["id"], account)
    return await _order_form(request, account, listing, {"quantity": "1", "message": ""}, {})


async def place(request: web.Request) -> web.Response:
    account = await require_account(request)
    form = await read_form(request)
    values = {"quantity": form.get("quantity", "")[:20], "message": form.get("message", "")}
    listing_id = request.match_info["id"]
    try:
        order = await orders.place_order(
            order_publisher(request), request.app[URLS], account, listing_id,
            quantity=parse_quantity(values["quantity"]), message=values["message"],
        )  # fmt: skip
    except ValidationFailed as exc:
        listing = await listings.get_listing(listing_id, account)
        t = await translator_for_request(request)
        fields = {e.field for e in exc.errors or []}
        errors = {"message": t.gettext(MESSAGE_ADVICE)} if "message" in fields else {}
        if "quantity" in fields or not errors:
            errors["quantity"] = t.gettext(QUANTITY_ADVICE)
        return await _order_form(request, account, listing, values, errors, status=422)
    except Conflict as exc:
        listing = await listings.get_listing(listing_id, account)
        t = await translator_for_request(request)
        # Too few units left is about the quantity; any other refusal is about the listing.
        field = "quantity" if str(exc).startswith("Only ") else "form"
        errors = {field: refusal_text(exc, listing, t)}
        return await _order_form(request, account, listing, values, errors, status=409)
    return see_other(f"{order_page_path(order.id)}?done=placed")


# --- an order's page and its decisions -----------------------------------------------------


def _party_link(other: Actor, listing: Listing) -> str:
    """The listing page's contact link (same ``about``), so both land in one conversation."""
    return contact_link(other, listing)


def _role(account: Account, order: Order) -> str:
    return "buyer" if order.buyer.account_id == account.id else "seller"  # type: ignore[attr-defined]


async def _order_page(
    request: web.Request, account: Account, order: Order, error: str | None, status: int = 200
) -> web.Response:
    t = await translator_for_request(request)
    role = _role(account, order)
    pending = order.state is OrderState.PENDING
    other = order.seller if role == "buyer" else order.buyer
    done = DONE.get(request.query.get("done", ""))
    context: dict[str, Any] = {
        "order": order,
        "amounts": order_amounts(order, t),
        "price_now": None,
        "role": role,
        "state_label": STATE_LABELS[order.state.value],
        "can_decide": pending and role == "seller" and order.seller.local,
        "can_withdraw": pending and role == "buyer",
        "message_link": _party_link(other, order.listing),
        "other": other,
        "listing_link": f"/mercado/{order.listing.id}",
        "error": error,
    }
    if done is not None and error is None:
        context["notice"] = t.gettext(done)
    # While the order waits, say so when the listing now asks another price: the order keeps
    # its own (a seller who changed the price, a remote buyer who stated one, both see it).
    if pending and order.listing.price_cents is not None:
        now = order_prices.price_now(order.listing)
        if now != (order.unit_price_cents, order.currency):
            context["price_now"] = price_text(order.listing, t)
    return await render(request, "market/order.html", context, status=status)


async def order_page(request: web.Request) -> web.Response:
    account = await require_account(request)
    order = await orders.get_order(account, request.match_info["id"])
    return await _order_page(request, account, order, None)


async def decide(request: web.Request) -> web.Response:
    """Accept, decline (the seller) or withdraw (the buyer); refusals come back on the page."""
    account = await require_account(request)
    order_id, action = request.match_info["id"], request.match_info["action"]
    change = {
        "accept": orders.accept_order,
        "decline": orders.decline_order,
        "withdraw": orders.cancel_order,
    }[action]
    try:
        order = await change(order_publisher(request), account, order_id)
    except Conflict:
        order = await orders.get_order(account, order_id)
        t = await translator_for_request(request)
        return await _order_page(request, account, order, t.gettext(NOT_NOW), status=409)
    return see_other(f"{order_page_path(order.id)}?done={action}")


# --- my orders -----------------------------------------------------------------------------


async def my_orders(request: web.Request) -> web.Response:
    """Orders placed or received. Without a tab in the address the page opens where the
    person has something to do: "received" while orders wait for their decision (the header
    badge counts those), "placed" otherwise."""
    account = await require_account(request)
    tab = request.query.get("tab", "")
    if tab not in TABS:
        tab = "received" if await orders.pending_count(account) else "placed"
    role = "buyer" if tab == "placed" else "seller"
    rows = await orders.orders_of(account, role=role, max_id=cursor(request), limit=PAGE)
    t = await translator_for_request(request)
    context = {
        "tab": tab,
        "orders": rows,
        "amounts": {order.id: order_amounts(order, t) for order in rows},
        "state_labels": STATE_LABELS,
        "older": rows[-1].id if len(rows) >= PAGE else None,
    }
    return await render(request, "market/orders.html", context)


async def pending_received(account: Account) -> int:
    """The header badge: orders waiting for this account's decision."""
    return await orders.pending_count(account)


def setup(app: web.Application) -> None:
    register_nav_item(
        app,
        NavItem(
            "/mercado/orders",
            N_("Orders"),
            signed_in=True,
            order=36,
            badge=pending_received,
            badge_label=N_("waiting for you"),
        ),
    )
    router = app.router
    router.add_get("/mercado/orders", my_orders)
    router.add_get(r"/mercado/orders/{id:\d{1,19}}", order_page)
    router.add_post(r"/mercado/orders/{id:\d{1,19}}/{action:accept|decline|withdraw}", decide)
    router.add_get(r"/mercado/{id:\d{1,19}}/order", order_form)
    router.add_post(r"/mercado/{id:\d{1,19}}/order", place)
