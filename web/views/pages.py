"""The home page, the language switcher and the web app manifest."""

from __future__ import annotations

import json

from aiohttp import web

from node.appkeys import SETTINGS
from node.config import LANGUAGES
from node.services.accounts import account_lifecycle
from web.i18n import N_
from web.rendering import render, static_url, translator_for_request
from web.sessions import current_account, remember_language, safe_next
from web.views.forms import read_form, see_other
from web.views.social import timelines

# What the node offers today, no more: a page promising what is not there misleads people.
DESCRIPTION = N_(
    "Shops and listings, posts and messages for the people who run small businesses in "
    "%(city)s and in the other cities of the Ruta network."
)


async def home(request: web.Request) -> web.Response:
    account = await current_account(request)
    if account is not None:
        return await timelines.home_page(request, account)  # greeting, composer, home timeline
    return await render(request, "pages/home.html")


async def switch_language(request: web.Request) -> web.Response:
    """The footer's language switcher: remembered in a cookie, and on the account if signed in."""
    form = await read_form(request)
    language = form.get("language", "")
    response = see_other(safe_next(form.get("next")))
    if language not in LANGUAGES:
        return response
    account = await current_account(request)
    if account is not None:
        await account_lifecycle.set_language(account, language)
    remember_language(request, response, language)
    return response


async def manifest(request: web.Request) -> web.Response:
    """The PWA manifest: the node installs on a phone's home screen under the city's name."""
    settings = request.app[SETTINGS]
    t = await translator_for_request(request)
    icons = [
        {"src": static_url(request.app, "icons/icon-192.png"), "sizes": "192x192",
         "type": "image/png"},
        {"src": static_url(request.app, "icons/icon-512.png"), "sizes": "512x512",
         "type": "image/png"},
        {"src": static_url(request.app, "icons/icon-maskable-512.png"), "sizes": "512x512",
         "type": "image/png", "purpose": "maskable"},
        {"src": static_url(request.app, "icons/icon.svg"), "sizes": "any",
         "type": "image/svg+xml"},
    ]  # fmt: skip
    document = {
        "name": settings.city_name,
        "short_name": settings.city_name[:12],
        "description": t.gettext(DESCRIPTION, city=settings.city_name),
        "lang": t.language,
        "dir": t.direction,
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#fbfaf7",
        "theme_color": "#0b5566",
        "icons": icons,
    }
    return web.Response(
        text=json.dumps(document, ensure_ascii=False),
        content_type="application/manifest+json",
        headers={"Vary": "Cookie, Accept-Language", "Cache-Control": "private, max-age=3600"},
    )


def setup(app: web.Application) -> None:
    app.router.add_get("/", home)
    app.router.add_post("/language", switch_language)
    app.router.add_get("/manifest.webmanifest", manifest)
