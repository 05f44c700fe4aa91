"""``/mercado/...``: the market pages. This module has the listing page (the ``url`` a
federated listing links to) and wires the others: search (``market_search``), shops
(``market_shops``) and the listing composer (``market_composer``)."""

from __future__ import annotations

from urllib.parse import urlencode

from aiohttp import web

from node.appkeys import SETTINGS, URLS
from node.services.market import listings, photos
from node.services.market.listings import TRANSITIONS
from node.services.market.taxonomy import BY_SLUG
from web.i18n import N_
from web.rendering import NavItem, register_nav_item, render, translator_for_request
from web.sessions import current_account
from web.views import market_composer, market_search, market_shops
from web.views.market_feeds import product_ld
from web.views.market_labels import (
    CONDITION_LABELS,
    DELIVERY_LABELS,
    STATE_LABELS,
    price_text,
)


async def listing_page(request: web.Request) -> web.Response:
    viewer = await current_account(request)
    listing = await listings.get_listing(request.match_info["id"], viewer)
    if not listing.local:
        raise web.HTTPFound(listing.url or listing.uri)
    t = await translator_for_request(request)
    urls = request.app[URLS]
    shown = await photos.photos_of(listing)
    category = BY_SLUG.get(listing.category)
    seller = listing.seller
    page_url = urls.absolute(f"/mercado/{listing.id}")
    seller_name = seller.display_name or seller.username
    manage = await listings.may_manage(viewer, listing)
    handle = f"@{seller.username}@{request.app[SETTINGS].domain}"
    shop = listing.shop
    return await render(
        request,
        "market/listing.html",
        {
            "listing": listing,
            "seller": seller,
            "seller_name": seller_name,
            "shop_link": f"/mercado/shops/{seller.local_username}" if shop is not None else None,
            "photos": [
                {"url": urls.media(p.file_name), "alt": p.alt_text, "width": p.width,
                 "height": p.height} for p in shown
            ],
            "og_image": urls.media(shown[0].preview_name) if shown else None,
            "price": price_text(listing, t),
            "category_label": category.label(t.language) if category else listing.category,
            "state_label": STATE_LABELS.get(listing.state),
            "delivery_labels": [
                DELIVERY_LABELS[d] for d in listing.delivery or [] if d in DELIVERY_LABELS
            ],
            "condition_label": CONDITION_LABELS.get(listing.condition.value)
            if listing.condition else None,
            "json_ld": product_ld(
                listing, page_url, [urls.media(p.file_name) for p in shown], seller_name
            ),
            "contact_link": "/messages/new?" + urlencode({"to": handle, "about": page_url}),
            "manage": manage,
            "moves": [(s.value, STATE_LABELS.get(s)) for s in sorted(TRANSITIONS[listing.state])]
            if manage else [],
        },
    )  # fmt: skip


def setup(app: web.Application) -> None:
    register_nav_item(app, NavItem("/mercado", N_("Market"), order=35))
    router = app.router
    router.add_get("/mercado", market_search.market_home)
    router.add_get("/mercado/feed.atom", market_search.search_feed)
    router.add_get(r"/mercado/categoria/{slug:[a-z_]{1,40}}", market_search.category_page)
    router.add_get("/mercado/mine", market_shops.my_market)
    router.add_get("/mercado/new", market_composer.new_form)
    router.add_post("/mercado/new", market_composer.create)
    router.add_get(r"/mercado/{id:\d{1,19}}", listing_page)
    router.add_get(r"/mercado/{id:\d{1,19}}/edit", market_composer.edit_form)
    router.add_post(r"/mercado/{id:\d{1,19}}/edit", market_composer.save)
    router.add_post(r"/mercado/{id:\d{1,19}}/photos", market_composer.upload_photo)
    router.add_post(
        r"/mercado/{id:\d{1,19}}/photos/{photo:\d{1,19}}/delete", market_composer.delete_photo
    )
    router.add_post(r"/mercado/{id:\d{1,19}}/state", market_composer.change_state)
    router.add_post(r"/mercado/{id:\d{1,19}}/delete", market_composer.delete)
    router.add_get("/mercado/shops/new", market_shops.new_shop_form)
    router.add_post("/mercado/shops/new", market_shops.open_shop)
    router.add_get(r"/mercado/shops/{name:\w{1,64}}", market_shops.shop_page)
    router.add_get(r"/mercado/shops/{name:\w{1,64}}/edit", market_shops.edit_shop_form)
    router.add_post(r"/mercado/shops/{name:\w{1,64}}/edit", market_shops.save_shop)
    router.add_get(r"/mercado/shops/{name:\w{1,64}}/feed.atom", market_shops.shop_feed)
