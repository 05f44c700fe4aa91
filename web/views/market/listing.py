"""``GET /mercado/{id}``: a listing's page, for this node's listings and for those received from
other servers alike.

A listing of another server is shown here as Mastodon shows a remote status: the visitor reads,
contacts, orders and saves it from their own account on this node, and the page says where it
was listed and links the original, which stays the canonical page (``og:url``, ``rel=canonical``;
no JSON-LD ``Product`` claiming our copy).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

from aiohttp import web

from node.appkeys import URLS
from node.errors import NotFound
from node.models.actors import Actor
from node.models.market import Listing
from node.services.market import contact, listings, orders, photos
from node.services.market.listings import TRANSITIONS
from node.services.market.taxonomy import BY_SLUG
from node.urls import Urls
from web.rendering import render, translator_for_request
from web.sessions import current_account
from web.views.market.feeds import product_ld
from web.views.market.labels import (
    CONDITION_LABELS,
    DELIVERY_LABELS,
    STATE_LABELS,
    price_text,
)


def contact_link(seller: Actor, listing: Listing) -> str:
    """Where "Contact the seller" leads, from every page that offers it: about the listing's
    ActivityPub id, which federates and names the listing on both nodes, so writing from the
    listing page and later from the order page continues one conversation."""
    return "/messages/new?" + urlencode({"to": f"@{seller.handle}", "about": listing.uri})


def _remote_photos(listing: Listing) -> list[dict[str, Any]]:
    """The photos as the origin server sent them (its URLs, its alt text); sizes are unknown."""
    shown = []
    for item in listing.remote_photos or []:
        url = item.get("url") if isinstance(item, dict) else None
        if isinstance(url, str) and url.startswith(("https://", "http://")):
            alt = str(item.get("description") or "")
            shown.append({"url": url, "alt": alt, "width": None, "height": None})
    return shown


async def _local_part(urls: Urls, listing: Listing, seller_name: str) -> dict[str, Any]:
    """What only this node's own listings have: our photo files, our shop page, JSON-LD."""
    shown = await photos.photos_of(listing)
    page_url = urls.absolute(f"/mercado/{listing.id}")
    seller = listing.seller
    return {
        "photos": [
            {"url": urls.media(p.file_name), "alt": p.alt_text, "width": p.width,
             "height": p.height} for p in shown
        ],
        "og_image": urls.media(shown[0].preview_name) if shown else None,
        "json_ld": product_ld(
            listing, page_url, [urls.media(p.file_name) for p in shown], seller_name
        ),
        "shop_link": f"/mercado/shops/{seller.local_username}"
        if listing.shop is not None else None,
        # City staff vouched for the shop (shops.verify_shop): said next to the seller's name.
        "shop_verified": listing.shop is not None and listing.shop.verified_at is not None,
        "seller_link": seller.url or seller.uri,
    }  # fmt: skip


def origin_host(url: str) -> str | None:
    """``https://lapalma.test:8443/mercado/1`` → ``lapalma.test:8443``: a node on a port (a
    demo network, a test) is only reached with it; the scheme's default port is left out."""
    parts = urlsplit(url)
    if not parts.hostname:
        return None
    try:
        port = parts.port
    except ValueError:  # a port that is not a number: show the host alone
        port = None
    if port is None or port == {"https": 443, "http": 80}.get(parts.scheme):
        return parts.hostname
    return f"{parts.hostname}:{port}"


def _remote_part(listing: Listing) -> dict[str, Any]:
    """A listing of another server: its photos, the local profile of its seller, its origin."""
    shown = _remote_photos(listing)
    origin = listing.url or listing.uri
    return {
        "photos": shown,
        "og_image": shown[0]["url"] if shown else None,
        "json_ld": None,
        "shop_link": None,
        "shop_verified": False,
        "seller_link": f"/@{listing.seller.handle}",
        "origin": origin,
        "origin_host": origin_host(origin) or listing.seller.domain,
        # The original is the canonical page (base.html's og:url, listing.html's rel=canonical).
        "page_url": origin,
    }


async def listing_page(request: web.Request) -> web.Response:
    viewer = await current_account(request)
    listing = await listings.get_listing(request.match_info["id"], viewer)
    seller = listing.seller
    if not listing.local and (seller.suspended_at is not None or seller.gone_at is not None):
        # Not republished under our name: the search hides these sellers' listings too.
        raise NotFound("No such listing, or it is not visible to you.")
    t = await translator_for_request(request)
    category = BY_SLUG.get(listing.category)
    seller_name = seller.display_name or seller.username
    manage = listing.local and await listings.may_manage(viewer, listing)
    context: dict[str, Any] = {
        "listing": listing,
        "seller": seller,
        "seller_name": seller_name,
        "origin": None,
        "price": price_text(listing, t),
        "category_label": category.label(t.language) if category else listing.category,
        "state_label": STATE_LABELS.get(listing.state),
        "delivery_labels": [
            DELIVERY_LABELS[d] for d in listing.delivery or [] if d in DELIVERY_LABELS
        ],
        "condition_label": CONDITION_LABELS.get(listing.condition.value)
        if listing.condition else None,
        "contact_link": contact_link(seller, listing),
        "manage": manage,
        # Ordering and saving (web.views.market.orders and .saved).
        "takes_orders": not manage and orders.takes_orders(listing),
        "saved": viewer is not None and await contact.is_saved(viewer, listing),
        "moves": [(s.value, STATE_LABELS.get(s)) for s in sorted(TRANSITIONS[listing.state])]
        if manage else [],
    }  # fmt: skip
    if listing.local:
        context.update(await _local_part(request.app[URLS], listing, seller_name))
    else:
        context.update(_remote_part(listing))
    return await render(request, "market/listing.html", context)
