"""Golden examples of the marketplace (FEDERATION.md §5.2 and FEP-0837): a listing ``Note``, its
``Create``, and an order's ``Agreement`` with the ``Offer``/``Accept``/``Reject`` that carry it.

Kept apart from ``tests.contract.golden`` (which includes these in its ``EXAMPLES``) so each
module stays small; the rows are unsaved and never reach a database.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from federation.convert import activities, agreement
from federation.convert.listing import LISTING_CONTEXT, listing_to_ap
from node.models.actors import Actor, ActorKind
from node.models.market import (
    Listing,
    ListingKind,
    ListingPhoto,
    ListingPurpose,
    ListingState,
    PriceKind,
)
from node.models.orders import Order

LISTING_ID = 193000000000000000
ORDER_ID = 194000000000000000
LISTED = datetime(2025, 6, 1, 8, 0, tzinfo=UTC)
BUYER = "https://faro.example/users/bob"


def _listing(urls: Any, seller: Actor) -> Listing:
    return Listing(
        id=LISTING_ID,
        uri=urls.absolute(f"/listings/{LISTING_ID}"),
        url=urls.absolute(f"/mercado/{LISTING_ID}"),
        local=True,
        seller=seller,
        kind=ListingKind.PRODUCT,
        purpose=ListingPurpose.OFFER,
        title="Pan de campo 1 kg",
        description_html="<p>Masa madre, horno de leña. Recogida en tienda.</p>",
        language="es",
        price_cents=300,
        currency="EUR",
        price_kind=PriceKind.FIXED,
        quantity=20,
        category="food",
        city="La Palma del Condado",
        latitude=37.386,
        longitude=-6.553,
        delivery=["pickup"],
        state=ListingState.PUBLISHED,
        tags=["pan"],
        published=LISTED,
        created_at=LISTED,
    )


def _photo(listing: Listing) -> ListingPhoto:
    listing._saved_in_db = True
    return ListingPhoto(
        listing=listing, position=0, file_name="0193-1.webp", preview_name="0193-1-preview.jpg",
        media_type="image/webp", width=1200, height=900, size=1000,
        alt_text="Hogaza de pan sobre tabla", blurhash="LEHV6nWB2yk8pyo0adR*.7kCMdnj",
    )  # fmt: skip


def _buyer() -> Actor:
    return Actor(id=2, uri=BUYER, kind=ActorKind.PERSON, username="bob", domain="faro.example")


def _remote_shop() -> Actor:
    return Actor(id=3, uri="https://faro.example/actors/forno", kind=ActorKind.ORGANIZATION,
                 username="forno", domain="faro.example")  # fmt: skip


def market_examples(
    urls: Any,
    shop: Callable[[], Actor],
    person: Callable[[], Actor],
    group: Callable[[], Actor],
    activity_uri: Callable[[int], str],
) -> dict[str, Callable[[], dict[str, Any]]]:
    """File name → builder, for ``tests.contract.golden.EXAMPLES`` (its URLs and actors)."""

    def parts() -> tuple[Listing, Actor, Actor, Order]:
        seller = shop()
        seller._saved_in_db = True
        listing = _listing(urls, seller)
        listing._saved_in_db = True
        buyer = _buyer()
        buyer._saved_in_db = True
        order = Order(id=ORDER_ID, uri=BUYER.rsplit("/users/", 1)[0] + "/agreements/7",
                      offer_uri="https://faro.example/activities/offer-7", listing=listing,
                      buyer=buyer, seller=seller, quantity=2, message="Para el sábado")  # fmt: skip
        return listing, seller, buyer, order

    def note() -> dict[str, Any]:
        listing, seller, _, _ = parts()
        return listing_to_ap(listing, seller, [_photo(listing)], urls, group=group())

    def create() -> dict[str, Any]:
        listing, seller, _, _ = parts()
        document = listing_to_ap(
            listing, seller, [_photo(listing)], urls, group=group(), with_context=False
        )
        return {**activities.create(activity_uri(30), document), "@context": LISTING_CONTEXT}

    def group_share() -> dict[str, Any]:
        """The city market group's FEP-1b12 share of the shop's Create, embedded whole."""
        _, seller, _, _ = parts()
        return activities.group_share(activity_uri(35), group(), seller.uri, create(), LISTED)

    def agreement_document() -> dict[str, Any]:
        listing, _, _, order = parts()
        order.uri = urls.absolute(f"/agreements/{ORDER_ID}")
        return {"@context": agreement.AGREEMENT_CONTEXT, **agreement.agreement(order, listing)}

    def bought_elsewhere() -> tuple[Listing, Actor, Actor, Order]:
        """Our member orders from a shop on another node: the Offer and its Undo are ours."""
        listing, _, _, order = parts()
        listing.uri = "https://faro.example/listings/55"
        order.uri = urls.absolute(f"/agreements/{ORDER_ID}")
        order.offer_uri = activity_uri(31)
        return listing, person(), _remote_shop(), order

    def offer() -> dict[str, Any]:
        listing, buyer, seller, order = bought_elsewhere()
        return agreement.offer(activity_uri(31), order, listing, buyer, seller)

    def answer(kind: str, n: int) -> Callable[[], dict[str, Any]]:
        def build() -> dict[str, Any]:
            listing, seller, buyer, order = parts()
            return agreement.answer(kind, activity_uri(n), order, listing, seller, buyer)

        return build

    def withdraw() -> dict[str, Any]:
        _, buyer, seller, order = bought_elsewhere()
        return agreement.withdraw(activity_uri(34), order, buyer, seller)

    return {
        "listing-bread": note,
        "create-listing": create,
        "announce-listing-share": group_share,
        "agreement": agreement_document,
        "offer-agreement": offer,
        "accept-agreement": answer("Accept", 32),
        "reject-agreement": answer("Reject", 33),
        "undo-offer": withdraw,
    }
