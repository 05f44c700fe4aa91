"""Order requests: a buyer asks for a quantity of a listing, the seller accepts or declines,
and the listing's availability follows.

Rules: at least one unit and no more than are available (when the listing counts its units);
never one's own listing; only published offers take orders (a reserved, sold or closed listing,
or a "wanted" post, is a ``Conflict`` saying why); only the seller decides, and deciding again
the same way changes nothing. Accepting takes the units off the listing in one conditional
``UPDATE`` (two acceptances can never sell the same last unit); a listing whose last unit is
taken becomes ``reserved`` until its seller marks it sold or offers it again.

Orders between servers travel as FEP-0837 ``Offer{Agreement}`` / ``Accept`` / ``Reject``
through the :class:`node.ports.OrderPublisher`; the ``receive_*`` functions apply what the
federation adapter received. Notifications go to the seller (a new order) and to the buyer (the
decision), in the transaction of the event.
"""

from __future__ import annotations

from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from node import clock
from node.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from node.ids import new_id, parse_id
from node.models.accounts import Account
from node.models.actors import Actor
from node.models.market import Listing, ListingPurpose, ListingState
from node.models.notifications import NotificationKind
from node.models.orders import Order, OrderState
from node.models.social import Block
from node.ports import OrderPublisher
from node.services import text
from node.services.accounts.accounts import person_actor
from node.services.market.listings import get_listing, next_edit_time
from node.services.market.order_prices import MAX_PRICE_CENTS, price_now
from node.services.notifications import notify
from node.urls import Urls

MAX_MESSAGE = 2000
MAX_QUANTITY = 1_000_000
SHOWN = 100


def agreement_uri(urls: Urls, order_id: int) -> str:
    return urls.absolute(f"/agreements/{order_id}")


def order_page_path(order_id: int) -> str:
    """The HTML page of an order (its parties only; ``web.views.market.orders``)."""
    return f"/mercado/orders/{order_id}"


def _refusal(listing: Listing, quantity: int) -> str | None:
    """Why ``listing`` cannot take an order of ``quantity`` now; None when it can."""
    if listing.purpose is ListingPurpose.REQUEST:
        return "This is a \u201cwanted\u201d post: write to its author instead of ordering."
    if listing.state is ListingState.SOLD:
        return "This listing is sold: it takes no more orders."
    if listing.state is ListingState.CLOSED:
        return "This listing is closed: it takes no more orders."
    if listing.state is ListingState.RESERVED:
        return "This listing is reserved for another buyer: it takes no orders now."
    if listing.state is not ListingState.PUBLISHED:
        return "This listing takes no orders."
    if listing.quantity is not None and quantity > listing.quantity:
        if listing.quantity == 0:
            return "None left: this listing has no units available."
        return f"Only {listing.quantity} available: ask for {listing.quantity} or fewer."
    return None


def _check_quantity(quantity: int) -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise ValidationFailed.on("quantity", "Ask for at least 1 unit.")
    if quantity > MAX_QUANTITY:
        raise ValidationFailed.on("quantity", f"Ask for at most {MAX_QUANTITY} units.")
    return quantity


def _clean_message(message: str) -> str:
    value = text.plain_text(message or "").strip()
    if len(value) > MAX_MESSAGE:
        raise ValidationFailed.on("message", f"Write at most {MAX_MESSAGE} characters.")
    return value


async def _seller_of(listing: Listing) -> Actor:
    seller = listing.seller
    if not isinstance(seller, Actor):
        seller = await Actor.get(id=listing.seller_id)
        listing.seller = seller
    return seller


async def _blocked(seller: Actor, buyer: Actor) -> bool:
    """Whether either side blocks the other (the seller's owner counts as the seller)."""
    sellers = [seller.id]
    if seller.local and seller.account_id is not None:  # type: ignore[attr-defined]
        sellers += [
            int(r["id"])
            for r in await Actor.filter(account_id=seller.account_id).values("id")  # type: ignore[attr-defined]
        ]
    return await Block.filter(
        Q(actor_id__in=sellers, target_id=buyer.id) | Q(actor_id=buyer.id, target_id__in=sellers)
    ).exists()


async def place_order(
    publisher: OrderPublisher,
    urls: Urls,
    account: Account,
    listing_id: int | str,
    *,
    quantity: int,
    message: str = "",
) -> Order:
    """The buyer asks for ``quantity`` of a listing (local, or another server's: then an
    ``Offer{Agreement}`` goes to its seller). The seller is notified when local."""
    quantity = _check_quantity(quantity)
    message = _clean_message(message)
    listing = await get_listing(listing_id, account)
    seller = await _seller_of(listing)
    buyer = await person_actor(account)
    if seller.account_id == account.id:  # type: ignore[attr-defined]
        raise Conflict("This is your own listing: you cannot order it.")
    refusal = _refusal(listing, quantity)
    if refusal is not None:
        raise Conflict(refusal)
    if await _blocked(seller, buyer):
        raise Conflict("You cannot order from this seller.")
    order_id = new_id()
    # The price the buyer sees now is the one they ask for: a later edit of the listing
    # must not change what this order costs.
    unit_price_cents, currency = price_now(listing)
    order = Order(
        id=order_id,
        uri=agreement_uri(urls, order_id),
        listing=listing,
        buyer=buyer,
        seller=seller,
        quantity=quantity,
        unit_price_cents=unit_price_cents,
        currency=currency,
        message=message,
        offer_uri=None if seller.local else urls.activity(order_id),
    )
    async with in_transaction():
        await order.save(force_create=True)
        if seller.local:
            # The agreement's id, so that the notification leads to this order's page.
            await notify(seller, NotificationKind.ORDER, buyer, order.uri)
        else:
            await publisher.order_offered(order)
    return order


async def _order_for(account: Account, order_id: int | str) -> Order:
    """An order the account takes part in (as buyer or seller); ``NotFound`` otherwise."""
    number = parse_id(order_id)
    order = (
        await Order.get_or_none(id=number).prefetch_related("listing", "buyer", "seller")
        if number is not None
        else None
    )
    if order is None or account.id not in (
        order.buyer.account_id,  # type: ignore[attr-defined]
        order.seller.account_id,  # type: ignore[attr-defined]
    ):
        raise NotFound("No such order.")
    return order


async def get_order(account: Account, order_id: int | str) -> Order:
    return await _order_for(account, order_id)


def _is_seller(account: Account, order: Order) -> bool:
    return bool(order.seller.local and order.seller.account_id == account.id)  # type: ignore[attr-defined]


async def _take_units(listing: Listing, quantity: int) -> Listing:
    """Take ``quantity`` units off a local listing, atomically; ``Conflict`` when they are
    not there any more. Returns the listing as it now is."""
    if listing.quantity is not None:
        taken = await Listing.filter(
            id=listing.id, state=ListingState.PUBLISHED, quantity__gte=quantity
        ).update(quantity=F("quantity") - quantity)
    else:
        taken = await Listing.filter(id=listing.id, state=ListingState.PUBLISHED).update(
            state=ListingState.PUBLISHED
        )
    fresh = await Listing.get(id=listing.id)
    if not taken:
        raise Conflict(_refusal(fresh, quantity) or "This listing cannot take this order now.")
    fresh.edited_at = next_edit_time(fresh)
    if fresh.quantity == 0:
        fresh.state = ListingState.RESERVED
    await fresh.save(update_fields=["edited_at", "state", "updated_at"])
    return fresh


async def _decide(account: Account, order_id: int | str, to: OrderState, verb: str) -> Order | None:
    """Move one's pending order to ``to`` (seller only). None when it already is there (deciding
    twice the same way changes nothing); the caller finishes inside the open transaction."""
    order = await _order_for(account, order_id)
    if not _is_seller(account, order):
        raise PermissionDenied("Only the seller decides on an order.")
    if order.state is to:
        return None
    if order.state is not OrderState.PENDING:
        raise Conflict(f"This order is {order.state.value}: it cannot be {verb} any more.")
    # Conditional UPDATE: of two concurrent decisions exactly one moves the order.
    decided = await Order.filter(id=order.id, state=OrderState.PENDING).update(
        state=to, decided_at=clock.now()
    )
    if not decided:
        raise Conflict("This order was decided meanwhile; reload it.")
    await order.refresh_from_db(fields=["state", "decided_at", "updated_at"])
    return order


async def accept_order(publisher: OrderPublisher, account: Account, order_id: int | str) -> Order:
    """The seller accepts: the units leave the listing, the buyer hears of it. Accepting an
    accepted order again changes nothing; a declined or cancelled one is a ``Conflict``."""
    async with in_transaction():
        order = await _decide(account, order_id, OrderState.ACCEPTED, "accepted")
        if order is None:
            return await _order_for(account, order_id)
        listing = await _take_units(order.listing, order.quantity)
        order.listing = listing
        await publisher.order_accepted(order, listing)
        if order.buyer.local:
            await notify(order.buyer, NotificationKind.ORDER_ACCEPTED, order.seller, order.uri)
    return order


async def decline_order(publisher: OrderPublisher, account: Account, order_id: int | str) -> Order:
    """The seller declines; the availability does not change. Idempotent like accepting."""
    async with in_transaction():
        order = await _decide(account, order_id, OrderState.DECLINED, "declined")
        if order is None:
            return await _order_for(account, order_id)
        await publisher.order_declined(order)
        if order.buyer.local:
            await notify(order.buyer, NotificationKind.ORDER_DECLINED, order.seller, order.uri)
    return order


async def cancel_order(publisher: OrderPublisher, account: Account, order_id: int | str) -> Order:
    """The buyer withdraws an order the seller has not decided on yet (idempotent); a remote
    seller gets ``Undo{Offer}``."""
    order = await _order_for(account, order_id)
    if order.buyer.account_id != account.id:  # type: ignore[attr-defined]
        raise PermissionDenied("Only the buyer can withdraw an order.")
    if order.state is OrderState.CANCELLED:
        return order
    if order.state is not OrderState.PENDING:
        raise Conflict(f"This order is {order.state.value}: it cannot be withdrawn any more.")
    async with in_transaction():
        changed = await Order.filter(id=order.id, state=OrderState.PENDING).update(
            state=OrderState.CANCELLED, decided_at=clock.now()
        )
        if not changed:
            raise Conflict("This order was decided meanwhile; reload it.")
        await order.refresh_from_db(fields=["state", "decided_at", "updated_at"])
        if order.seller.local:
            await notify(order.seller, NotificationKind.ORDER_CANCELLED, order.buyer, order.uri)
        else:
            await publisher.order_cancelled(order)
    return order


def takes_orders(listing: Listing) -> bool:
    """Whether the listing takes an order of one unit now (offers that are published and have
    units left); who may order it is :func:`place_order`'s question."""
    return _refusal(listing, 1) is None


async def orders_of(
    account: Account,
    *,
    role: str | None = None,
    max_id: int | None = None,
    limit: int = SHOWN,
) -> list[Order]:
    """The account's orders, newest first: placed (``role="buyer"``), received
    (``"seller"``) or both; ``max_id`` pages backwards (orders older than that id)."""
    actor_ids = list(await Actor.filter(account_id=account.id).values_list("id", flat=True))
    query = Order.all() if max_id is None else Order.filter(id__lt=max_id)
    if role == "buyer":
        query = query.filter(buyer_id__in=actor_ids)
    elif role == "seller":
        query = query.filter(seller_id__in=actor_ids)
    else:
        query = query.filter(Q(buyer_id__in=actor_ids) | Q(seller_id__in=actor_ids))
    return (
        await query.prefetch_related("listing", "buyer", "seller")
        .order_by("-id")
        .limit(max(1, min(limit, SHOWN)))
    )


async def pending_count(account: Account) -> int:
    """How many orders wait for the account's decision (as a seller, local listings)."""
    actor_ids = list(await Actor.filter(account_id=account.id).values_list("id", flat=True))
    return await Order.filter(seller_id__in=actor_ids, state=OrderState.PENDING).count()


async def orders_by_uri(account: Account, uris: list[str]) -> dict[str, Order]:
    """``{agreement id: order}`` (listing loaded) for those of ``uris`` that are orders the
    account takes part in (a notification names its order by the agreement's id)."""
    if not uris:
        return {}
    actor_ids = list(await Actor.filter(account_id=account.id).values_list("id", flat=True))
    rows = await Order.filter(
        Q(buyer_id__in=actor_ids) | Q(seller_id__in=actor_ids), uri__in=uris
    ).prefetch_related("listing")
    return {order.uri: order for order in rows}


# --- received from other servers ------------------------------------------------------


async def receive_order(
    buyer: Actor,
    listing: Listing,
    *,
    uri: str,
    offer_uri: str,
    quantity: int,
    unit_price_cents: int | None = None,
    message: str = "",
) -> tuple[Order, bool]:
    """A remote buyer's ``Offer{Agreement}`` for a local listing: stored as pending (the
    seller is notified), or declined at once when the listing cannot take it. Returns the
    order and whether it was declined at once (the caller sends the ``Reject``). The same
    agreement is stored once.

    ``unit_price_cents`` is the price the agreement carries (in the listing's currency, the
    one its reciprocal intent names); without one the order records the listing's price now."""
    if buyer.local or not listing.local:
        raise PermissionDenied("Only remote buyers send offers for our listings.")
    existing = await Order.get_or_none(uri=uri)
    if existing is not None:
        return existing, False
    seller = await _seller_of(listing)
    quantity = max(1, min(int(quantity), MAX_QUANTITY))
    refusal = _refusal(listing, quantity)
    if refusal is None and await _blocked(seller, buyer):
        refusal = "blocked"
    listed_price, currency = price_now(listing)
    # The agreement is what the buyer asks to pay, and the seller decides on exactly that; an
    # agreement without a price (another implementation, an older node) gets today's price.
    if unit_price_cents is None or not 0 <= unit_price_cents <= MAX_PRICE_CENTS:
        unit_price_cents = listed_price
    order = await Order.create(
        uri=uri,
        offer_uri=offer_uri,
        listing=listing,
        buyer=buyer,
        seller=seller,
        quantity=quantity,
        unit_price_cents=unit_price_cents,
        currency=currency,
        message=" ".join(text.plain_text(message or "").split())[:MAX_MESSAGE],
        state=OrderState.DECLINED if refusal else OrderState.PENDING,
        decided_at=clock.now() if refusal else None,
    )
    if refusal is None:
        await notify(seller, NotificationKind.ORDER, buyer, order.uri)
    return order, refusal is not None


async def sent_order(seller: Actor, uris: list[str]) -> Order | None:
    """Our order to ``seller`` named by its ``Offer``'s or its agreement's id."""
    for uri in uris:
        order = await Order.get_or_none(
            Q(offer_uri=uri) | Q(uri=uri), seller_id=seller.id
        ).prefetch_related("buyer", "seller")
        if order is not None and order.buyer.local:
            return order
    return None


async def receive_decision(order: Order, seller: Actor, *, accepted: bool) -> Order:
    """The remote seller accepted or rejected an order we sent (found with
    :func:`sent_order`); the buyer is notified once."""
    target = OrderState.ACCEPTED if accepted else OrderState.DECLINED
    changed = await Order.filter(id=order.id, state=OrderState.PENDING).update(
        state=target, decided_at=clock.now()
    )
    if not changed:
        return order
    await order.refresh_from_db(fields=["state", "decided_at", "updated_at"])
    kind = NotificationKind.ORDER_ACCEPTED if accepted else NotificationKind.ORDER_DECLINED
    await notify(order.buyer, kind, seller, order.uri)
    return order


async def receive_cancellation(buyer: Actor, offer_uri: str) -> Order | None:
    """A remote buyer withdrew the order its ``Offer`` carried (``Undo{Offer}``): a pending
    order is cancelled and the seller told; a decided one stays as it is."""
    order = await Order.get_or_none(offer_uri=offer_uri, buyer_id=buyer.id).prefetch_related(
        "seller"
    )
    if order is None or not order.seller.local:
        return None
    changed = await Order.filter(id=order.id, state=OrderState.PENDING).update(
        state=OrderState.CANCELLED, decided_at=clock.now()
    )
    if changed:
        await notify(order.seller, NotificationKind.ORDER_CANCELLED, buyer, order.uri)
    return order


async def is_offer_of(buyer: Actor, uri: str) -> bool:
    return await Order.exists(offer_uri=uri, buyer_id=buyer.id)


async def local_listing_by_uri(uri: str) -> Listing | None:
    listing = await Listing.get_or_none(uri=uri, local=True).prefetch_related("seller")
    return listing
