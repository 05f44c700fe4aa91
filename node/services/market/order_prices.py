"""What an order costs: the unit price it records when it is made (so a later change of the
listing's price does not rewrite what the buyer asked for) and its total."""

from __future__ import annotations

from node.models.market import Listing, PriceKind
from node.models.orders import Order

MAX_PRICE_CENTS = 1_000_000_000  # a listing's price is at most 10 000 000.00


def price_now(listing: Listing) -> tuple[int | None, str]:
    """The unit price an order of ``listing`` records now: ``(cents, currency)``; 0 for a free
    listing, None for one whose price is on request (or a remote listing that gave none)."""
    if listing.price_kind is PriceKind.FREE:
        return 0, listing.currency
    return listing.price_cents, listing.currency


def order_total_cents(order: Order) -> int | None:
    """What the order costs in all, at the price recorded when it was made; None when that
    price was on request (the parties agree it between them)."""
    if order.unit_price_cents is None:
        return None
    return int(order.unit_price_cents) * order.quantity
