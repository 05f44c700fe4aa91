"""What machines read on the market pages: Atom feeds, schema.org JSON-LD and the listing cards
(one shape for local and received listings, shared by search, category and shop pages)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from xml.etree import ElementTree as ET

from aiohttp import web

from node import clock
from node.models.market import Listing, ListingState, PriceKind, Shop
from node.services.market import photos
from node.services.market.taxonomy import BY_SLUG
from node.urls import Urls
from web.i18n import Translator
from web.views.market.labels import STATE_LABELS, price_text

ATOM = "http://www.w3.org/2005/Atom"


@dataclass(frozen=True)
class Card:
    listing: Listing
    href: str
    price: str
    category: str
    state: str | None
    image: str | None
    alt: str


async def cards(urls: Urls, found: list[Listing], t: Translator) -> list[Card]:
    """The listings as the lists show them: price in the visitor's locale, one small image."""
    out = []
    for listing in found:
        image, alt = None, ""
        if listing.local:
            shown = await photos.photos_of(listing)
            if shown:
                image, alt = urls.media(shown[0].preview_name), shown[0].alt_text
        elif listing.remote_photos and isinstance(listing.remote_photos[0], dict):
            first = listing.remote_photos[0]
            image, alt = first.get("url"), str(first.get("description") or "")
        category = BY_SLUG.get(listing.category)
        state = STATE_LABELS.get(listing.state)
        out.append(
            Card(
                listing=listing,
                # Listings of other servers too: their page here lets the visitor contact,
                # order and save from their own account (web.views.market.listing).
                href=f"/mercado/{listing.id}",
                price=price_text(listing, t),
                category=category.label(t.language) if category else listing.category,
                state=t.gettext(state) if state else None,
                image=image if isinstance(image, str) else None,
                alt=alt,
            )
        )
    return out


def _stamp(value: datetime | None) -> str:
    return (value or clock.now()).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class FeedEntry:
    """One entry of an Atom feed: a listing, or a post (tag feeds mix both)."""

    id: str
    title: str
    link: str
    author: str
    content_html: str
    published: datetime | None
    updated: datetime | None
    category: tuple[str, str] | None = None  # (term, label)


def listing_entries(entries: list[Card], urls: Urls) -> list[FeedEntry]:
    """Listing cards as feed entries: the title carries the price, as a reader lists it."""
    out = []
    for card in entries:
        listing, seller = card.listing, card.listing.seller
        out.append(
            FeedEntry(
                id=listing.uri,
                title=f"{listing.title} · {card.price}",
                # A feed reader is nobody's session here: other servers' listings link the original.
                link=urls.absolute(card.href) if listing.local else (listing.url or listing.uri),
                author=seller.display_name or seller.username or "",
                content_html=listing.description_html or "",
                published=listing.published,
                updated=listing.edited_at or listing.published,
                category=(listing.category, card.category),
            )
        )
    return out


def atom_feed(
    title: str, self_url: str, page_url: str, entries: list[Card], urls: Urls
) -> web.Response:
    """An Atom document of listings."""
    return atom_document(title, self_url, page_url, listing_entries(entries, urls))


def atom_document(
    title: str, self_url: str, page_url: str, entries: list[FeedEntry]
) -> web.Response:
    """An Atom document (built by ElementTree, so every text is escaped)."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}id").text = self_url
    ET.SubElement(feed, f"{{{ATOM}}}title").text = title
    newest = max((e.updated or e.published for e in entries if e.published), default=None)
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = _stamp(newest)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=self_url, type="application/atom+xml")
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", href=page_url, type="text/html")
    for item in entries:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}id").text = item.id
        ET.SubElement(entry, f"{{{ATOM}}}title").text = item.title
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = _stamp(item.updated or item.published)
        if item.published:
            ET.SubElement(entry, f"{{{ATOM}}}published").text = _stamp(item.published)
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", href=item.link, type="text/html")
        author = ET.SubElement(entry, f"{{{ATOM}}}author")
        ET.SubElement(author, f"{{{ATOM}}}name").text = item.author
        if item.category is not None:
            term, label = item.category
            ET.SubElement(entry, f"{{{ATOM}}}category", term=term, label=label)
        ET.SubElement(entry, f"{{{ATOM}}}content", type="html").text = item.content_html
    body = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(
        feed, encoding="utf-8", xml_declaration=False
    )
    return web.Response(body=body, content_type="application/atom+xml", charset="utf-8")


def json_ld(data: dict[str, Any]) -> str:
    """JSON for a ``<script type="application/ld+json">`` block: ``<`` escaped so no text can
    close the element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


_AVAILABILITY = {
    ListingState.PUBLISHED: "https://schema.org/InStock",
    ListingState.RESERVED: "https://schema.org/LimitedAvailability",
    ListingState.SOLD: "https://schema.org/SoldOut",
    ListingState.CLOSED: "https://schema.org/Discontinued",
    ListingState.DRAFT: "https://schema.org/PreOrder",
}


def product_ld(listing: Listing, page_url: str, images: list[str], seller_name: str) -> str:
    offer: dict[str, Any] = {
        "@type": "Offer",
        "url": page_url,
        "priceCurrency": listing.currency,
        "availability": _AVAILABILITY[listing.state],
        "seller": {"@type": "Organization" if listing.shop_id else "Person", "name": seller_name},  # type: ignore[attr-defined]
    }
    if listing.price_kind is PriceKind.FREE:
        offer["price"] = "0"
    elif listing.price_cents is not None:
        offer["price"] = f"{listing.price_cents / 100:.2f}"
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Product" if listing.kind.value == "product" else "Service",
        "name": listing.title,
        "description": (listing.description_source or "")[:500],
        "url": page_url,
        "category": listing.category,
        "offers": offer,
    }
    if images:
        data["image"] = images
    return json_ld(data)


def shop_ld(shop: Shop, page_url: str, logo: str | None) -> str:
    actor = shop.actor
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "LocalBusiness",
        "name": actor.display_name or actor.username,
        "url": page_url,
    }
    if shop.address or shop.city:
        data["address"] = {
            "@type": "PostalAddress",
            "streetAddress": shop.address,
            "addressLocality": shop.city,
        }
    if shop.phone:
        data["telephone"] = shop.phone
    if shop.opening_hours:
        data["openingHours"] = shop.opening_hours
    if shop.website:
        data["sameAs"] = [shop.website]
    if shop.latitude is not None and shop.longitude is not None:
        data["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": shop.latitude,
            "longitude": shop.longitude,
        }
    if logo:
        data["image"] = logo
    return json_ld(data)
