"""``/mercado/...``: the market pages. This module wires them: the listing page
(``listing``, the ``url`` a federated listing links to), search (``search``), shops
(``shops``), the listing composer (``composer``), orders and saved listings (``orders``,
``saved``)."""

from __future__ import annotations

from aiohttp import web

from web.i18n import N_
from web.rendering import NavItem, register_nav_item
from web.views.market import composer, orders, saved, search, shops
from web.views.market.listing import listing_page


def setup(app: web.Application) -> None:
    register_nav_item(app, NavItem("/mercado", N_("Market"), order=35))
    router = app.router
    router.add_get("/mercado", search.market_home)
    router.add_get("/mercado/feed.atom", search.search_feed)
    router.add_get(r"/mercado/categoria/{slug:[a-z_]{1,40}}", search.category_page)
    router.add_get("/mercado/mine", shops.my_market)
    orders.setup(app)
    saved.setup(app)
    router.add_get("/mercado/new", composer.new_form)
    router.add_post("/mercado/new", composer.create)
    router.add_get(r"/mercado/{id:\d{1,19}}", listing_page)
    router.add_get(r"/mercado/{id:\d{1,19}}/edit", composer.edit_form)
    router.add_post(r"/mercado/{id:\d{1,19}}/edit", composer.save)
    router.add_post(r"/mercado/{id:\d{1,19}}/photos", composer.upload_photo)
    router.add_post(r"/mercado/{id:\d{1,19}}/photos/{photo:\d{1,19}}/delete", composer.delete_photo)
    router.add_post(r"/mercado/{id:\d{1,19}}/state", composer.change_state)
    router.add_post(r"/mercado/{id:\d{1,19}}/delete", composer.delete)
    router.add_get("/mercado/shops/new", shops.new_shop_form)
    router.add_post("/mercado/shops/new", shops.open_shop)
    router.add_get(r"/mercado/shops/{name:\w{1,64}}", shops.shop_page)
    router.add_get(r"/mercado/shops/{name:\w{1,64}}/edit", shops.edit_shop_form)
    router.add_post(r"/mercado/shops/{name:\w{1,64}}/edit", shops.save_shop)
    router.add_get(r"/mercado/shops/{name:\w{1,64}}/feed.atom", shops.shop_feed)
    router.add_post(r"/mercado/shops/{name:\w{1,64}}/verify", shops.verify)
