"""``/mercado/...``: the market pages. This module wires them: the listing page
(``market_listing``, the ``url`` a federated listing links to), search (``market_search``),
shops (``market_shops``), the listing composer (``market_composer``), orders and saved
listings (``market_orders``, ``market_saved``)."""

from __future__ import annotations

from aiohttp import web

from web.i18n import N_
from web.rendering import NavItem, register_nav_item
from web.views import (
    market_composer,
    market_orders,
    market_saved,
    market_search,
    market_shops,
)
from web.views.market_listing import listing_page


def setup(app: web.Application) -> None:
    register_nav_item(app, NavItem("/mercado", N_("Market"), order=35))
    router = app.router
    router.add_get("/mercado", market_search.market_home)
    router.add_get("/mercado/feed.atom", market_search.search_feed)
    router.add_get(r"/mercado/categoria/{slug:[a-z_]{1,40}}", market_search.category_page)
    router.add_get("/mercado/mine", market_shops.my_market)
    market_orders.setup(app)
    market_saved.setup(app)
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
    router.add_post(r"/mercado/shops/{name:\w{1,64}}/verify", market_shops.verify)
