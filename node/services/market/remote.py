"""Listings other servers send: other Ruta nodes, and FEP-0837 ``Note``/``Proposal`` objects
from other software. The federation adapter translates vocabulary into :class:`RemoteListing`;
sanitising, tombstones, ordering of updates and the search text are decided here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from node import clock
from node.errors import PermissionDenied
from node.models.actors import Actor
from node.models.market import (
    Condition,
    Listing,
    ListingKind,
    ListingPurpose,
    ListingState,
    PriceKind,
)
from node.models.social import Tombstone
from node.services import hashtags, text
from node.services.market import fields as check
from node.services.market.search import index_listing
from node.services.market.taxonomy import BY_SLUG, category_by_hashtag
from node.services.social.remote_content import host_of

MAX_REMOTE_PHOTOS = 8


@dataclass(frozen=True)
class RemoteListing:
    """A received listing in domain terms. Unknown or malformed optional values are None."""

    uri: str
    title: str
    url: str | None = None
    description_html: str = ""
    language: str | None = None
    kind: str = "product"
    purpose: str = "offer"
    price_cents: int | None = None
    currency: str | None = None
    price_kind: str | None = None
    quantity: int | None = None
    condition: str | None = None
    category: str | None = None
    city: str = ""
    latitude: float | None = None
    longitude: float | None = None
    delivery: tuple[str, ...] = ()
    state: str | None = None
    photos: tuple[dict[str, Any], ...] = ()
    hashtags: tuple[str, ...] = ()
    published: datetime | None = None
    updated: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _enum_or(enum: Any, value: str | None, default: Any) -> Any:
    try:
        return enum(value) if value is not None else default
    except ValueError:
        return default


def _values(fields: RemoteListing) -> dict[str, Any]:
    """Tolerant translation: a peer's odd value falls back to a neutral default rather than
    losing the whole listing."""
    slug = fields.category if fields.category in BY_SLUG else None
    if slug is None:
        slug = next((c.slug for tag in fields.hashtags if (c := category_by_hashtag(tag))), "other")
    price = fields.price_cents
    if price is not None and not 0 <= price <= check.PRICE_MAX_CENTS:
        price = None
    default_price_kind = PriceKind.FIXED if price is not None else PriceKind.ON_REQUEST
    kind = _enum_or(ListingKind, fields.kind, ListingKind.PRODUCT)
    latitude, longitude = fields.latitude, fields.longitude
    if (
        latitude is None
        or longitude is None
        or not (-90 <= latitude <= 90 and -180 <= longitude <= 180)
    ):
        latitude = longitude = None
    currency = (fields.currency or "EUR").upper()
    state = _enum_or(ListingState, fields.state, ListingState.PUBLISHED)
    return {
        "url": fields.url
        if fields.url and fields.url.startswith(("https://", "http://"))
        else None,
        "title": " ".join(text.plain_text(fields.title).split())[: check.TITLE_MAX] or "—",
        "description_html": text.sanitize_remote_html(fields.description_html),
        "language": text.normalise_remote_language(fields.language),
        "kind": kind,
        "purpose": _enum_or(ListingPurpose, fields.purpose, ListingPurpose.OFFER),
        "price_cents": price,
        "currency": currency if currency.isalpha() and len(currency) == 3 else "EUR",
        "price_kind": _enum_or(PriceKind, fields.price_kind, default_price_kind),
        "quantity": fields.quantity if fields.quantity is None or fields.quantity >= 0 else None,
        "condition": None
        if kind is ListingKind.SERVICE
        else _enum_or(Condition, fields.condition, None),
        "category": slug,
        "city": " ".join(text.plain_text(fields.city).split())[: check.CITY_MAX],
        "latitude": latitude,
        "longitude": longitude,
        "delivery": [d for d in fields.delivery if d in check.DeliveryOption._value2member_map_],
        # A draft is never sent; anything claiming to be one is shown as published.
        "state": ListingState.PUBLISHED if state is ListingState.DRAFT else state,
        "remote_photos": [dict(p) for p in fields.photos[:MAX_REMOTE_PHOTOS]],
        "tags": [t.lstrip("#")[:100] for t in fields.hashtags[:20]],
        "hashtag_keys": hashtags.keys_text(fields.hashtags[:20]),
    }


def _check_origin(uri: str, seller: Actor) -> None:
    if seller.local:
        raise PermissionDenied("Listings of local actors are not received from elsewhere.")
    if host_of(uri) != host_of("//" + seller.domain):
        raise PermissionDenied(f"{seller.handle} cannot speak for objects on {host_of(uri)}.")


async def store_remote_listing(seller: Actor, fields: RemoteListing) -> Listing | None:
    """Store a received listing, or apply a newer version of it.

    None (nothing stored) for a tombstoned id. An update that is not newer than what we hold
    is ignored, so deliveries arriving out of order never roll a listing back.
    """
    _check_origin(fields.uri, seller)
    if await Tombstone.filter(uri=fields.uri).exists():
        return None
    values = _values(fields)
    existing = await Listing.get_or_none(uri=fields.uri)
    if existing is not None:
        if existing.seller_id != seller.id:  # type: ignore[attr-defined]
            raise PermissionDenied(f"{seller.handle} is not the seller of {fields.uri}.")
        current = existing.edited_at or existing.published
        if fields.updated is None or (current is not None and fields.updated <= current):
            return existing
        for name, value in values.items():
            setattr(existing, name, value)
        existing.edited_at = fields.updated
        index_listing(existing)
        await existing.save()
        return existing
    listing = Listing(
        uri=fields.uri,
        local=False,
        seller=seller,
        published=fields.published or clock.now(),
        edited_at=fields.updated,
        **values,
    )
    index_listing(listing)
    try:
        async with in_transaction():
            await listing.save(force_create=True)
    except IntegrityError:
        stored = await Listing.get_or_none(uri=fields.uri)
        if stored is None:
            raise
        return stored
    return listing


async def delete_remote_listing(uri: str, seller: Actor) -> bool:
    """The seller deleted a listing: remove it (the caller keeps the tombstone). Returns
    whether there was one."""
    _check_origin(uri, seller)
    deleted = await Listing.filter(uri=uri, seller_id=seller.id, local=False).delete()
    return bool(deleted)


async def forget_seller(seller: Actor) -> None:
    """A remote actor was deleted: its listings go with it (their ids are tombstoned, so a
    replayed ``Create`` never brings them back)."""
    if seller.local:
        raise PermissionDenied("Local sellers are removed by deleting their account.")
    uris = await Listing.filter(seller_id=seller.id, local=False).values_list("uri", flat=True)
    for uri in uris:
        await Tombstone.get_or_create(uri=str(uri), defaults={"former_type": "Note"})
    await Listing.filter(seller_id=seller.id, local=False).delete()
