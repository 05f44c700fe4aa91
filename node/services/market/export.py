"""The marketplace part of a person's data export (``node.services.accounts.export``): their
shops, their listings (with their photos), the orders they placed and received, and the listings
they saved. It lives in the market context because it reads the market's tables.

Rows are plain dicts; the export module turns dates and enums into text and writes JSON and CSV.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from node.models.accounts import Account
from node.models.actors import Actor
from node.models.market import Listing, ListingPhoto, Shop
from node.models.orders import Order, SavedListing
from node.urls import Urls

SHOP_COLUMNS = (
    "handle", "id", "url", "display_name", "summary_source", "summary_html", "address",
    "opening_hours", "phone", "website", "city", "latitude", "longitude", "categories",
    "languages", "verified_at", "created_at",
)  # fmt: skip
LISTING_COLUMNS = (
    "id", "url", "seller", "shop", "kind", "purpose", "title", "description_source",
    "description_html", "language", "price", "currency", "price_kind", "quantity", "condition",
    "category", "city", "delivery", "tags", "state", "published", "edited_at", "photos",
)  # fmt: skip
ORDER_COLUMNS = (
    "agreement", "listing", "listing_title", "buyer", "seller", "quantity", "message", "state",
    "created_at", "decided_at",
)  # fmt: skip
SAVED_COLUMNS = ("listing", "url", "title", "seller", "price", "currency", "state", "saved_at")
# Inside the ZIP, next to the JSON that names them.
PHOTO_FOLDER = "listing-photos/"


def _price(cents: int | None) -> str | None:
    return None if cents is None else f"{Decimal(cents) / 100:.2f}"


async def shops(account: Account) -> list[dict[str, Any]]:
    rows = await Shop.filter(owner_id=account.id).prefetch_related("actor").order_by("id")
    return [
        {
            "handle": shop.actor.handle,
            "id": shop.actor.uri,
            "url": shop.actor.url,
            "display_name": shop.actor.display_name,
            "summary_source": shop.actor.summary_source,
            "summary_html": shop.actor.summary,
            "address": shop.address,
            "opening_hours": shop.opening_hours,
            "phone": shop.phone,
            "website": shop.website,
            "city": shop.city,
            "latitude": shop.latitude,
            "longitude": shop.longitude,
            "categories": shop.categories,
            "languages": shop.languages,
            "verified_at": shop.verified_at,
            "created_at": shop.created_at,
        }
        for shop in rows
    ]


async def listings(urls: Urls, actors: list[Actor]) -> tuple[list[dict[str, Any]], list[str]]:
    """The listings the account's actors sell (drafts too) and the file names of their photos,
    which the archive carries under :data:`PHOTO_FOLDER`."""
    rows = (
        await Listing.filter(seller_id__in=[a.id for a in actors], local=True)
        .prefetch_related("seller", "shop__actor")
        .order_by("id")
    )
    photos: dict[int, list[ListingPhoto]] = {}
    for photo in await ListingPhoto.filter(listing_id__in=[r.id for r in rows]).order_by(
        "position", "id"
    ):
        photos.setdefault(photo.listing_id, []).append(photo)  # type: ignore[attr-defined]
    files = [p.file_name for listed in photos.values() for p in listed]
    out = []
    for listing in rows:
        out.append(
            {
                "id": listing.uri,
                "url": listing.url,
                "seller": listing.seller.handle,
                "shop": listing.shop.actor.handle if listing.shop else None,
                "kind": listing.kind,
                "purpose": listing.purpose,
                "title": listing.title,
                "description_source": listing.description_source,
                "description_html": listing.description_html,
                "language": listing.language,
                "price": _price(listing.price_cents),
                "currency": listing.currency,
                "price_kind": listing.price_kind,
                "quantity": listing.quantity,
                "condition": listing.condition,
                "category": listing.category,
                "city": listing.city,
                "delivery": listing.delivery,
                "tags": listing.tags,
                "state": listing.state,
                "published": listing.published,
                "edited_at": listing.edited_at,
                "photos": [
                    {
                        "url": urls.media(p.file_name),
                        "file": PHOTO_FOLDER + p.file_name,
                        "description": p.alt_text,
                        "media_type": p.media_type,
                        "width": p.width,
                        "height": p.height,
                    }
                    for p in photos.get(listing.id, [])
                ],
            }
        )
    return out, files


async def orders(actors: list[Actor], *, as_buyer: bool) -> list[dict[str, Any]]:
    """Every order the account placed (``as_buyer``) or received, oldest first."""
    ids = [a.id for a in actors]
    query = Order.filter(buyer_id__in=ids) if as_buyer else Order.filter(seller_id__in=ids)
    rows = await query.prefetch_related("listing", "buyer", "seller").order_by("id")
    return [
        {
            "agreement": order.uri,
            "listing": order.listing.uri,
            "listing_title": order.listing.title,
            "buyer": order.buyer.handle,
            "seller": order.seller.handle,
            "quantity": order.quantity,
            "message": order.message,
            "state": order.state,
            "created_at": order.created_at,
            "decided_at": order.decided_at,
        }
        for order in rows
    ]


async def saved_listings(account: Account) -> list[dict[str, Any]]:
    rows = (
        await SavedListing.filter(account_id=account.id)
        .prefetch_related("listing__seller")
        .order_by("id")
    )
    return [
        {
            "listing": saved.listing.uri,
            "url": saved.listing.url,
            "title": saved.listing.title,
            "seller": saved.listing.seller.handle,
            "price": _price(saved.listing.price_cents),
            "currency": saved.listing.currency,
            "state": saved.listing.state,
            "saved_at": saved.created_at,
        }
        for saved in rows
    ]
