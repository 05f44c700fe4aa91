"""Shop pages: open a shop, edit its details, the shop's page with its listings, its feed."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from node.appkeys import SETTINGS, URLS
from node.config import LANGUAGES
from node.errors import Conflict, ValidationFailed
from node.models.accounts import Account
from node.models.market import Shop
from node.services import text
from node.services.accounts.accounts import person_actor
from node.services.market import listings, shops
from node.services.market.taxonomy import BY_SLUG
from web import i18n
from web.i18n import Translator
from web.rendering import render, translator_for_request
from web.sessions import current_account, require_account
from web.views.forms import read_form, see_other
from web.views.market.feeds import atom_feed, cards, shop_ld
from web.views.market.labels import (
    NAME_TAKEN,
    TOO_MANY_SHOPS,
    category_options,
    form_errors,
    parse_number,
)
from web.views.viewer import publisher

_TEXT = ("username", "display_name", "summary", "address", "opening_hours", "phone", "website",
         "city", "latitude", "longitude")  # fmt: skip


async def _form(request: web.Request) -> tuple[dict[str, str], list[str], list[str]]:
    form = await request.post()
    values = {name: str(form.get(name, ""))[:5000] for name in _TEXT}
    chosen = [str(v) for v in form.getall("categories", []) if str(v) in BY_SLUG]
    spoken = [str(v) for v in form.getall("languages", []) if str(v) in LANGUAGES]
    return values, chosen, spoken


def _details(values: dict[str, str], chosen: list[str], spoken: list[str]) -> shops.ShopDetails:
    return shops.ShopDetails(
        display_name=values["display_name"],
        summary=values["summary"],
        address=values["address"],
        opening_hours=values["opening_hours"],
        phone=values["phone"],
        website=values["website"],
        city=values["city"],
        latitude=parse_number(values["latitude"], "latitude"),
        longitude=parse_number(values["longitude"], "longitude"),
        categories=chosen,
        languages=spoken,
    )


async def _show_form(
    request: web.Request, t: Translator, values: dict[str, str], chosen: list[str],
    spoken: list[str], errors: dict[str, str], shop: Shop | None = None, status: int = 200,
) -> web.Response:  # fmt: skip
    context = {
        "values": values,
        "chosen": chosen,
        "spoken": spoken,
        "errors": errors,
        "shop": shop,
        "categories": category_options(t.language),
        "language_choices": [(code, i18n.LANGUAGE_NAMES[code]) for code in LANGUAGES],
    }
    return await render(request, "market/shop_form.html", context, status=status)


async def new_shop_form(request: web.Request) -> web.Response:
    account = await require_account(request)
    values = dict.fromkeys(_TEXT, "")
    return await _show_form(
        request, await translator_for_request(request), values, [], [account.language or ""], {}
    )


def _conflict_errors(exc: Conflict, t: Translator) -> dict[str, str]:
    if "at most" in str(exc):
        return {"username": t.gettext(TOO_MANY_SHOPS)}
    return {"username": t.gettext(NAME_TAKEN)}


async def open_shop(request: web.Request) -> web.Response:
    account = await require_account(request)
    t = await translator_for_request(request)
    values, chosen, spoken = await _form(request)
    try:
        shop = await shops.open_shop(
            request.app[URLS], account, values["username"], _details(values, chosen, spoken)
        )
    except ValidationFailed as exc:
        return await _show_form(request, t, values, chosen, spoken, form_errors(exc, t), status=422)
    except Conflict as exc:
        errors = _conflict_errors(exc, t)
        return await _show_form(request, t, values, chosen, spoken, errors, status=409)
    return see_other(f"/mercado/shops/{shop.actor.local_username}")


def _current(shop: Shop) -> dict[str, str]:
    actor = shop.actor
    return {
        "username": actor.local_username or actor.username,
        "display_name": actor.display_name or "",
        # Shops opened before the markdown was kept show their text without formatting.
        "summary": actor.summary_source
        if actor.summary_source is not None
        else text.plain_text(actor.summary or ""),
        "address": shop.address,
        "opening_hours": shop.opening_hours,
        "phone": shop.phone,
        "website": shop.website or "",
        "city": shop.city,
        "latitude": "" if shop.latitude is None else str(shop.latitude),
        "longitude": "" if shop.longitude is None else str(shop.longitude),
    }


async def edit_shop_form(request: web.Request) -> web.Response:
    account = await require_account(request)
    shop = await shops.owned_shop(account, request.match_info["name"])
    t = await translator_for_request(request)
    return await _show_form(
        request,
        t,
        _current(shop),
        list(shop.categories or []),
        list(shop.languages or []),
        {},
        shop,
    )


async def save_shop(request: web.Request) -> web.Response:
    account = await require_account(request)
    name = request.match_info["name"]
    shop = await shops.owned_shop(account, name)
    t = await translator_for_request(request)
    values, chosen, spoken = await _form(request)
    values["username"] = name
    try:
        await shops.edit_shop(publisher(request), account, name, _details(values, chosen, spoken))
    except ValidationFailed as exc:
        return await _show_form(
            request, t, values, chosen, spoken, form_errors(exc, t), shop, status=422
        )
    return see_other(f"/mercado/shops/{name}")


async def _shop_cards(
    request: web.Request, shop: Shop, viewer: Account | None, t: Translator
) -> list[Any]:
    owner = viewer is not None and shop.owner_id == viewer.id  # type: ignore[attr-defined]
    found = await listings.listings_of_seller(shop.actor, include_drafts=owner)
    return await cards(request.app[URLS], found, t)


async def shop_page(request: web.Request) -> web.Response:
    shop = await shops.get_shop(request.match_info["name"])
    viewer = await current_account(request)
    t = await translator_for_request(request)
    urls = request.app[URLS]
    actor = shop.actor
    page_url = urls.absolute(f"/mercado/shops/{actor.local_username}")
    context = {
        "shop": shop,
        "actor": actor,
        "handle": f"@{actor.username}@{request.app[SETTINGS].domain}",
        "owner": viewer is not None and shop.owner_id == viewer.id,  # type: ignore[attr-defined]
        "staff": viewer is not None and viewer.role.moderates,
        "cards": await _shop_cards(request, shop, viewer, t),
        "category_labels": [
            BY_SLUG[c].label(t.language) for c in shop.categories or [] if c in BY_SLUG
        ],
        "language_names": [i18n.LANGUAGE_NAMES.get(c, c) for c in shop.languages or []],
        "json_ld": shop_ld(shop, page_url, actor.icon_url),
        "og_image": actor.icon_url,
        "feed_link": f"/mercado/shops/{actor.local_username}/feed.atom",
    }
    return await render(request, "market/shop.html", context)


async def verify(request: web.Request) -> web.Response:
    """Staff mark the shop verified (``verified=1``) or take the mark away (``verified=0``)."""
    account = await require_account(request)
    form = await read_form(request)
    verified = form.get("verified") == "1"
    shop = await shops.verify_shop(account, request.match_info["name"], verified)
    notice = "shop_verified" if verified else "shop_unverified"
    return see_other(f"/mercado/shops/{shop.actor.local_username}?notice={notice}")


async def shop_feed(request: web.Request) -> web.Response:
    shop = await shops.get_shop(request.match_info["name"])
    t = await translator_for_request(request)
    urls = request.app[URLS]
    found = await listings.listings_of_seller(shop.actor)
    name = shop.actor.local_username
    return atom_feed(
        shop.actor.display_name or shop.actor.username,
        urls.absolute(f"/mercado/shops/{name}/feed.atom"),
        urls.absolute(f"/mercado/shops/{name}"),
        await cards(urls, found[:50], t),
        urls,
    )


async def my_market(request: web.Request) -> web.Response:
    """The signed-in member's shops and own listings, drafts included."""
    account = await require_account(request)
    t = await translator_for_request(request)
    own = await listings.listings_of_seller(await person_actor(account), include_drafts=True)
    context = {
        "shops": await shops.shops_of(account),
        "cards": await cards(request.app[URLS], own, t),
    }
    return await render(request, "market/mine.html", context)
