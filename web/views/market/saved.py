"""Saved listings on the web: the "Save" / "Saved" toggle of a listing (a POST form) and
``/mercado/saved``, the listings one keeps (this node's and other servers'), through
:mod:`node.services.market.contact` like the JSON API."""

from __future__ import annotations

from aiohttp import web

from node.appkeys import URLS
from node.services.market import contact
from web.rendering import render, translator_for_request
from web.sessions import require_account, safe_next
from web.views.forms import read_form, see_other
from web.views.market.feeds import cards


def _back(form: dict[str, str], listing_id: str) -> str:
    """Where the toggle returns: the page it was on (a local path), else the listing."""
    return safe_next(form.get("next") or f"/mercado/{listing_id}")


async def save(request: web.Request) -> web.Response:
    account = await require_account(request)
    form = await read_form(request)
    listing_id = request.match_info["id"]
    await contact.save_listing(account, listing_id)
    return see_other(_back(form, listing_id))


async def unsave(request: web.Request) -> web.Response:
    account = await require_account(request)
    form = await read_form(request)
    listing_id = request.match_info["id"]
    await contact.unsave_listing(account, listing_id)
    return see_other(_back(form, listing_id))


async def saved_page(request: web.Request) -> web.Response:
    account = await require_account(request)
    found = await contact.saved_listings(account)
    shown = await cards(request.app[URLS], found, await translator_for_request(request))
    return await render(request, "market/saved.html", {"cards": shown})


def setup(app: web.Application) -> None:
    router = app.router
    router.add_get("/mercado/saved", saved_page)
    router.add_post(r"/mercado/{id:\d{1,19}}/save", save)
    router.add_post(r"/mercado/{id:\d{1,19}}/unsave", unsave)
