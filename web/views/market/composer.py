"""Writing listings on the web: the composer (new and edit), photos with alt text, and the
publish / reserve / sold / close / delete buttons. Every form carries the CSRF token."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

from node.appkeys import SETTINGS, URLS
from node.config import LANGUAGES
from node.errors import Conflict, ValidationFailed
from node.models.accounts import Account
from node.models.market import Listing
from node.services import images
from node.services.market import listings, photos, shops
from node.services.market.fields import CURRENCIES
from node.services.market.listing_input import ListingInput
from node.services.market.listings import TRANSITIONS
from web import i18n
from web.api.viewer import market_publisher
from web.i18n import Translator
from web.rendering import render, translator_for_request
from web.sessions import require_account
from web.views.forms import see_other
from web.views.market.labels import (
    CONDITION_LABELS,
    DELIVERY_LABELS,
    KIND_LABELS,
    PRICE_KIND_LABELS,
    PURPOSE_LABELS,
    STATE_LABELS,
    STATE_REFUSED,
    category_options,
    form_errors,
    parse_int,
    parse_number,
    parse_price,
)

_TEXT = ("title", "description", "kind", "purpose", "price", "currency", "price_kind",
         "quantity", "condition", "category", "city", "latitude", "longitude", "language",
         "shop", "alt")  # fmt: skip
UPLOAD_LIMIT = images.MAX_PHOTO_BYTES + 64 * 1024


@web.middleware
async def upload_size_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    """Photos straight off a phone are larger than the 1 MiB body cap of other forms; only the
    two photo-carrying forms get the photo limit, before CSRF reads the body."""
    path = request.path
    if (
        request.method == "POST"
        and path.startswith("/mercado/")
        and (path == "/mercado/new" or path.endswith("/photos"))
    ):
        request = request.clone(client_max_size=UPLOAD_LIMIT)
    response: web.StreamResponse = await handler(request)
    return response


def _values(form: MultiDictProxy[Any]) -> tuple[dict[str, str], list[str]]:
    values = {name: str(form.get(name, ""))[:6000] for name in _TEXT}
    delivery = [str(v) for v in form.getall("delivery", []) if str(v) in DELIVERY_LABELS]
    return values, delivery


def _photo(form: MultiDictProxy[Any]) -> bytes | None:
    field = form.get("photo")
    if not isinstance(field, web.FileField) or not field.filename:
        return None
    data: bytes = field.file.read(UPLOAD_LIMIT + 1)
    return data or None


def _input(values: dict[str, str], delivery: list[str], *, editing: bool = False) -> ListingInput:
    """The service input from the form. Editing, a field left empty empties it (the form shows
    every stored value, so an empty one was emptied on purpose); a new listing takes the shop's
    city when the field is empty."""
    emptied = frozenset(
        name
        for name in ("city", "condition", "quantity", "latitude", "longitude")
        if editing and not values[name].strip()
    )
    return ListingInput(
        title=values["title"],
        description=values["description"],
        kind=values["kind"] or None,
        purpose=values["purpose"] or None,
        price_cents=parse_price(values["price"]),
        currency=values["currency"] or None,
        price_kind=values["price_kind"] or None,
        quantity=parse_int(values["quantity"], "quantity"),
        condition=values["condition"] or None,
        category=values["category"],
        city=values["city"] or None,
        latitude=parse_number(values["latitude"], "latitude"),
        longitude=parse_number(values["longitude"], "longitude"),
        delivery=delivery,
        language=values["language"] or None,
        clear=emptied,
    )


async def _show(
    request: web.Request, account: Account, t: Translator, values: dict[str, str],
    delivery: list[str], errors: dict[str, str], listing: Listing | None = None, status: int = 200,
) -> web.Response:  # fmt: skip
    urls = request.app[URLS]
    shown = await photos.photos_of(listing) if listing is not None else []
    context = {
        "values": values,
        "delivery": delivery,
        "errors": errors,
        "listing": listing,
        "photos": [
            {"id": p.id, "url": urls.media(p.preview_name), "alt": p.alt_text} for p in shown
        ],
        "room_for_photos": len(shown) < photos.MAX_PHOTOS,
        "shops": [
            (s.actor.local_username, s.actor.display_name or s.actor.username)
            for s in await shops.shops_of(account)
        ],
        "categories": category_options(t.language),
        "kinds": KIND_LABELS,
        "purposes": PURPOSE_LABELS,
        "price_kinds": PRICE_KIND_LABELS,
        "conditions": CONDITION_LABELS,
        "deliveries": DELIVERY_LABELS,
        "currencies": sorted(CURRENCIES),
        "language_choices": [(code, i18n.LANGUAGE_NAMES[code]) for code in LANGUAGES],
        "moves": [(s.value, STATE_LABELS.get(s)) for s in sorted(TRANSITIONS[listing.state])]
        if listing
        else [],
    }
    return await render(request, "market/listing_form.html", context, status=status)


async def new_form(request: web.Request) -> web.Response:
    account = await require_account(request)
    t = await translator_for_request(request)
    values = dict.fromkeys(_TEXT, "")
    values.update(kind="product", purpose="offer", price_kind="fixed", currency="EUR",
                  language=t.language, shop=request.query.get("shop", "")[:64])  # fmt: skip
    return await _show(request, account, t, values, ["pickup"], {})


async def create(request: web.Request) -> web.Response:
    account = await require_account(request)
    t = await translator_for_request(request)
    form = await request.post()
    values, delivery = _values(form)
    publish = form.get("action") != "draft"
    photo = _photo(form)
    try:
        data = _input(values, delivery)
        if photo is not None:  # refuse a bad file before anything is stored
            await asyncio.to_thread(photos.encode_photo, photo)
        shop = await shops.owned_shop(account, values["shop"]) if values["shop"] else None
        listing = await listings.create_listing(
            market_publisher(request), request.app[URLS], account, data, shop=shop, publish=publish
        )
        if photo is not None:
            await photos.add_photo(
                market_publisher(request), account, listing.id, photo, alt_text=values["alt"],
                media_dir=request.app[SETTINGS].media_dir,
            )  # fmt: skip
    except ValidationFailed as exc:
        return await _show(request, account, t, values, delivery, form_errors(exc, t), status=422)
    return see_other(f"/mercado/{listing.id}")


async def edit_form(request: web.Request) -> web.Response:
    account = await require_account(request)
    listing = await listings.own_listing(account, request.match_info["id"])
    t = await translator_for_request(request)
    values = await _stored_values(listing)
    return await _show(request, account, t, values, list(listing.delivery or []), {}, listing)


async def save(request: web.Request) -> web.Response:
    account = await require_account(request)
    listing = await listings.own_listing(account, request.match_info["id"])
    t = await translator_for_request(request)
    values, delivery = _values(await request.post())
    try:
        await listings.edit_listing(
            market_publisher(request),
            request.app[URLS],
            account,
            listing.id,
            _input(values, delivery, editing=True),
        )
    except ValidationFailed as exc:
        return await _show(
            request, account, t, values, delivery, form_errors(exc, t), listing, status=422
        )
    except Conflict:
        return await _show(
            request,
            account,
            t,
            values,
            delivery,
            {"form": t.gettext(STATE_REFUSED)},
            listing,
            status=409,
        )
    return see_other(f"/mercado/{listing.id}")


async def upload_photo(request: web.Request) -> web.Response:
    account = await require_account(request)
    listing = await listings.own_listing(account, request.match_info["id"])
    t = await translator_for_request(request)
    form = await request.post()
    photo = _photo(form)
    try:
        if photo is None:
            raise ValidationFailed.on("file", "Choose a photo.")
        await photos.add_photo(
            market_publisher(request), account, listing.id, photo,
            alt_text=str(form.get("alt", "")), media_dir=request.app[SETTINGS].media_dir,
        )  # fmt: skip
    except ValidationFailed as exc:
        errors = form_errors(exc, t)
        if "description" in errors:
            errors = {"alt": errors.pop("description"), **errors}
        values = await _stored_values(listing)
        delivery = list(listing.delivery or [])
        return await _show(request, account, t, values, delivery, errors, listing, status=422)
    return see_other(f"/mercado/{listing.id}/edit#photos")


async def _stored_values(listing: Listing) -> dict[str, str]:
    return {
        "title": listing.title, "description": listing.description_source or "",
        "kind": listing.kind.value, "purpose": listing.purpose.value,
        "price": "" if listing.price_cents is None else f"{listing.price_cents / 100:.2f}",
        "currency": listing.currency, "price_kind": listing.price_kind.value,
        "quantity": "" if listing.quantity is None else str(listing.quantity),
        "condition": listing.condition.value if listing.condition else "",
        "category": listing.category, "city": listing.city,
        "latitude": "" if listing.latitude is None else str(listing.latitude),
        "longitude": "" if listing.longitude is None else str(listing.longitude),
        "language": listing.language or "", "shop": "", "alt": "",
    }  # fmt: skip


async def delete_photo(request: web.Request) -> web.Response:
    account = await require_account(request)
    listing_id = request.match_info["id"]
    await photos.delete_photo(
        market_publisher(request), account, listing_id, int(request.match_info["photo"]),
        media_dir=request.app[SETTINGS].media_dir,
    )  # fmt: skip
    return see_other(f"/mercado/{listing_id}/edit#photos")


async def change_state(request: web.Request) -> web.Response:
    account = await require_account(request)
    form = await request.post()
    state = str(form.get("state", ""))
    listing_id = request.match_info["id"]
    try:
        await listings.change_state(market_publisher(request), account, listing_id, state)
    except (ValidationFailed, Conflict):
        t = await translator_for_request(request)
        listing = await listings.own_listing(account, listing_id)
        values = await _stored_values(listing)
        errors = {"form": t.gettext(STATE_REFUSED)}
        return await _show(
            request, account, t, values, list(listing.delivery or []), errors, listing, status=409
        )
    return see_other(f"/mercado/{listing_id}")


async def delete(request: web.Request) -> web.Response:
    account = await require_account(request)
    files = await listings.delete_listing(
        market_publisher(request), account, request.match_info["id"]
    )
    photos.remove_files(request.app[SETTINGS].media_dir, files)
    return see_other("/mercado")
