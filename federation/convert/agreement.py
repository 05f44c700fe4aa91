"""Order requests on the wire: FEP-0837 ``Offer{Agreement}`` from the buyer to the seller, and
the seller's ``Accept`` (with the agreement as ``result``) or ``Reject``.

The agreement ``stipulates`` a ``Commitment`` that ``satisfies`` the listing's ``publishes``
intent (``<listing>#primary``) for a ``resourceQuantity``; its ``stipulatesReciprocal`` satisfies
the ``reciprocal`` intent (the price) when the listing has one. The buyer's message travels as
the agreement's ``content`` (plain text).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from federation import vocab
from federation.convert.listing import LISTING_TERMS
from federation.vocab import AS_CONTEXT, Json
from node.models.actors import Actor
from node.models.market import Listing
from node.models.orders import Order

AGREEMENT_TERMS: dict[str, Any] = {
    **LISTING_TERMS,
    "Agreement": "vf:Agreement",
    "Commitment": "vf:Commitment",
    "stipulates": "vf:stipulates",
    "stipulatesReciprocal": "vf:stipulatesReciprocal",
    "satisfies": {"@id": "vf:satisfies", "@type": "@id"},
}
AGREEMENT_CONTEXT: list[Any] = [AS_CONTEXT, AGREEMENT_TERMS]
MAX_CONTENT = 5000


def _quantity(value: int | str) -> Json:
    return {"hasUnit": "one", "hasNumericalValue": str(value)}


def agreement(order: Order, listing: Listing) -> Json:
    """The ``Agreement`` of an order (without ``@context``)."""
    body: Json = {
        "id": order.uri,
        "type": "Agreement",
        "stipulates": {
            "id": order.uri + "#primary",
            "type": "Commitment",
            "satisfies": listing.uri + "#primary",
            "resourceQuantity": _quantity(order.quantity),
        },
    }
    # The price recorded when the order was made, not the listing's price now: an Accept sent
    # after the seller changed the price still states what the buyer asked to pay.
    unit_cents = (
        order.unit_price_cents if order.unit_price_cents is not None else listing.price_cents
    )
    # A free listing (recorded as 0) has no reciprocal intent to satisfy.
    if unit_cents is not None and (unit_cents > 0 or listing.price_cents is not None):
        total = Decimal(unit_cents) * order.quantity / 100
        body["stipulatesReciprocal"] = {
            "id": order.uri + "#reciprocal",
            "type": "Commitment",
            "satisfies": listing.uri + "#reciprocal",
            "resourceQuantity": _quantity(f"{total:.2f}"),
        }
    if order.message:
        body["content"] = order.message
    return body


def offer(activity_uri: str, order: Order, listing: Listing, buyer: Actor, seller: Actor) -> Json:
    """``Offer{Agreement}`` from the buyer to the seller."""
    return {
        "@context": AGREEMENT_CONTEXT,
        "id": activity_uri,
        "type": "Offer",
        "actor": buyer.uri,
        "to": [seller.uri],
        "object": agreement(order, listing),
    }


def answer(
    kind: str, activity_uri: str, order: Order, listing: Listing, seller: Actor, buyer: Actor
) -> Json:
    """``Accept`` (with the agreement as ``result``) or ``Reject`` of the buyer's ``Offer``."""
    body: Json = {
        "@context": AGREEMENT_CONTEXT,
        "id": activity_uri,
        "type": kind,
        "actor": seller.uri,
        "to": [buyer.uri],
        "object": order.offer_uri or order.uri,
    }
    if kind == "Accept":
        body["result"] = agreement(order, listing)
    return body


def withdraw(activity_uri: str, order: Order, buyer: Actor, seller: Actor) -> Json:
    """``Undo{Offer}``: the buyer withdraws its order before the seller decided."""
    return {
        "@context": AGREEMENT_CONTEXT,
        "id": activity_uri,
        "type": "Undo",
        "actor": buyer.uri,
        "to": [seller.uri],
        "object": {
            "id": order.offer_uri or order.uri,
            "type": "Offer",
            "actor": buyer.uri,
            "object": order.uri,
        },
    }


@dataclass(frozen=True)
class ReceivedAgreement:
    uri: str
    listing_uri: str
    quantity: int
    message: str
    # The unit price the reciprocal commitment states (its total over the quantity), in the
    # currency of the listing's reciprocal intent; None when the agreement states none.
    unit_price_cents: int | None = None


def _number(value: Any) -> Decimal | None:
    if isinstance(value, dict):
        value = value.get("hasNumericalValue")
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def read_agreement(document: Any) -> ReceivedAgreement | None:
    """The order an ``Offer``'s embedded ``Agreement`` asks for; None when it is not one we
    can read (no id, no listing it satisfies, no whole positive quantity)."""
    if not isinstance(document, dict) or vocab.type_of(document) != "Agreement":
        return None
    uri = vocab.id_of(document)
    stipulates = document.get("stipulates")
    if isinstance(stipulates, list):
        stipulates = stipulates[0] if stipulates else None
    if uri is None or not isinstance(stipulates, dict):
        return None
    satisfies = vocab.id_of(stipulates.get("satisfies"))
    quantity = _number(stipulates.get("resourceQuantity"))
    if satisfies is None or quantity is None or quantity != quantity.to_integral_value():
        return None
    if quantity < 1:
        return None
    content = document.get("content")
    count = int(min(quantity, Decimal(10**9)))
    return ReceivedAgreement(
        uri=uri,
        listing_uri=satisfies.split("#", 1)[0],
        quantity=count,
        message=content[:MAX_CONTENT] if isinstance(content, str) else "",
        unit_price_cents=_unit_price_cents(document.get("stipulatesReciprocal"), count),
    )


def _unit_price_cents(reciprocal: Any, quantity: int) -> int | None:
    """Cents per unit from the reciprocal commitment's total (rounded to the cent, as a total
    that does not divide evenly can only come from a rounded unit price)."""
    if isinstance(reciprocal, list):
        reciprocal = reciprocal[0] if reciprocal else None
    if not isinstance(reciprocal, dict):
        return None
    total = _number(reciprocal.get("resourceQuantity"))
    if total is None or total < 0 or total > Decimal(10**13):
        return None
    return int((total * 100 / quantity).quantize(Decimal(1), rounding=ROUND_HALF_UP))
