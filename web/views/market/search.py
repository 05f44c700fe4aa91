"""``/mercado``: search and browse local and federated listings (filters, sort, pages),
category pages and the Atom feed of any search."""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlencode

from aiohttp import web

from node.appkeys import URLS
from node.errors import NotFound, ValidationFailed
from node.services.market import network, places, search
from node.services.market.taxonomy import BY_SLUG
from web.i18n import N_
from web.rendering import render, translator_for_request
from web.views.market.chips import chips
from web.views.market.feeds import atom_feed, cards
from web.views.market.labels import (
    CONDITION_LABELS,
    DELIVERY_LABELS,
    PURPOSE_LABELS,
    SORT_LABELS,
    category_options,
    form_errors,
    parse_number,
    parse_price,
)

PAGE_SIZE = 20
MAX_PAGE = 50
_FILTERS = ("q", "city", "node", "category", "purpose", "condition", "delivery", "min_price",
            "max_price", "sort", "lat", "lon", "tag")  # fmt: skip


def _values(request: web.Request) -> dict[str, str]:
    return {name: request.query.get(name, "")[:200].strip() for name in _FILTERS}


def _query(values: dict[str, str], page: int) -> search.SearchQuery:
    """The service query from the form; unknown choices are ignored rather than refused."""
    lat, lon = parse_number(values["lat"], "lat"), parse_number(values["lon"], "lon")
    near = (lat, lon) if lat is not None and lon is not None else None
    sort = values["sort"] if values["sort"] in SORT_LABELS else "newest"
    if sort == "distance" and near is None and not values["city"]:
        sort = "newest"  # nearest to nothing: the search service needs a position or a city
    return search.SearchQuery(
        text=values["q"],
        city=values["city"] or None,
        domain=values["node"] or None,
        category=values["category"] if values["category"] in BY_SLUG else None,
        purpose=values["purpose"] if values["purpose"] in PURPOSE_LABELS else None,
        condition=values["condition"] if values["condition"] in CONDITION_LABELS else None,
        delivery=values["delivery"] if values["delivery"] in DELIVERY_LABELS else None,
        min_price_cents=parse_price(values["min_price"]),
        max_price_cents=parse_price(values["max_price"]),
        tag=values["tag"] or None,
        near=near,
        sort=cast(search.Sort, sort),
        limit=PAGE_SIZE + 1,
        offset=(page - 1) * PAGE_SIZE,
    )


def _page(request: web.Request) -> int:
    value = request.query.get("page", "1")
    return min(MAX_PAGE, int(value)) if value.isdigit() and int(value) >= 1 else 1


def _link(values: dict[str, str], **changes: Any) -> str:
    params = {k: v for k, v in {**values, **changes}.items() if v not in ("", None)}
    return "?" + urlencode(params) if params else "?"


async def _search_page(
    request: web.Request, values: dict[str, str], category: str | None
) -> web.Response:
    t = await translator_for_request(request)
    page = _page(request)
    errors: dict[str, str] = {}
    try:
        found = await search.search(_query(values, page))
    except ValidationFailed as exc:
        errors, found = form_errors(exc, t), []
    more = len(found) > PAGE_SIZE
    shown = await cards(request.app[URLS], found[:PAGE_SIZE], t)
    base = f"/mercado/categoria/{category}" if category else "/mercado"
    feed_values = {k: v for k, v in values.items() if k != "category" or not category}
    label = BY_SLUG[category].label(t.language) if category else None
    context = {
        "values": values,
        "errors": errors,
        "cards": shown,
        "page": page,
        "base": base,
        "category_page": category,
        "category_label": label,
        # Posts across the network use the category's hashtag too: its page shows them.
        "category_hashtag": BY_SLUG[category].hashtag if category else None,
        "previous_link": base + _link(values, page=page - 1) if page > 1 else None,
        "next_link": base + _link(values, page=page + 1) if more and page < MAX_PAGE else None,
        "feed_link": "/mercado/feed.atom" + _link(feed_values),
        "categories": category_options(t.language),
        "nodes": await network.listing_nodes(),
        "cities": await places.listing_cities(),
        "purposes": PURPOSE_LABELS,
        "conditions": CONDITION_LABELS,
        "deliveries": DELIVERY_LABELS,
        "sorts": SORT_LABELS,
        # Results come first on a phone: the filters in use are chips above them, and the
        # panel of every filter stays folded (open only to show a field's error). Folded on
        # the first visit too: there the categories and the newest listings matter more.
        "chips": chips(base, values, t.language, t.gettext, fixed_category=bool(category)),
        "clear_link": base,
        "searched": any(v for k, v in values.items() if not (k == "category" and category)),
    }
    return await render(request, "market/search.html", context, status=422 if errors else 200)


async def market_home(request: web.Request) -> web.Response:
    return await _search_page(request, _values(request), None)


async def category_page(request: web.Request) -> web.Response:
    slug = request.match_info["slug"]
    if slug not in BY_SLUG:
        raise NotFound("No such category.")
    values = _values(request)
    values["category"] = slug
    return await _search_page(request, values, slug)


async def search_feed(request: web.Request) -> web.Response:
    t = await translator_for_request(request)
    values = _values(request)
    try:
        query = _query(values, 1)
    except ValidationFailed as exc:
        raise web.HTTPBadRequest(
            text="Bad filter: " + ", ".join(e.field for e in exc.errors or [])
        ) from None
    found = await search.search(query)
    urls = request.app[URLS]
    shown = await cards(urls, found[:PAGE_SIZE], t)
    title = t.gettext(N_("Market")) + (f": {values['q']}" if values["q"] else "")
    return atom_feed(
        title,
        urls.absolute(request.path_qs),
        urls.absolute("/mercado" + _link(values)),
        shown,
        urls,
    )
