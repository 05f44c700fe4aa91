"""``/api/v1/listings``: writing listings, their states and photos, and searching local and
federated listings with filters. ``/api/v1/categories``: the taxonomy with its labels."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from aiohttp import web
from pydantic import BaseModel, Field, RootModel

from node.appkeys import SETTINGS, URLS
from node.errors import ValidationFailed
from node.models.accounts import Account
from node.models.market import Listing
from node.services.market import listings, photos, search, shops
from node.services.market.listing_input import CLEARABLE, ListingInput
from node.services.market.order_prices import MAX_PRICE_CENTS
from node.services.market.taxonomy import CATEGORIES
from web.api.accounts import ActorOut, actor_out
from web.api.auth import require_account
from web.api.market.listing_photos import PHOTO_OPERATIONS, PhotoOut, photo_out
from web.api.routing import Operation, read_json, read_query, respond
from web.api.viewer import market_publisher


class ListingFields(BaseModel):
    title: str | None = Field(None, max_length=1000, description="Plain text, ≤ 140 chars.")
    description: str | None = Field(None, max_length=20_000, description="Markdown.")
    kind: Literal["product", "service"] | None = None
    purpose: Literal["offer", "request"] | None = Field(
        None, description="offer: for sale; request: wanted (FEP-0837 `purpose`)."
    )
    price_cents: int | None = Field(None, description="Whole cents, 0 or more (300 = 3,00 €).")
    currency: str | None = Field(None, max_length=3, description="EUR by default.")
    price_kind: Literal["fixed", "free", "negotiable", "on_request"] | None = None
    quantity: int | None = Field(None, description="Units available; omit if not counted.")
    condition: Literal["new", "like_new", "good", "fair", "for_parts"] | None = None
    category: str | None = Field(None, max_length=40, description="A slug of /api/v1/categories.")
    city: str | None = Field(None, max_length=300)
    latitude: float | None = None
    longitude: float | None = None
    delivery: list[Literal["pickup", "local_delivery", "shipping"]] | None = Field(
        None, max_length=3
    )
    language: str | None = Field(None, max_length=16, description="es, pt, en, fr or ar.")


class ListingIn(ListingFields):
    title: str = Field(max_length=1000, description="Plain text, ≤ 140 characters.")
    category: str = Field(max_length=40, description="A slug of /api/v1/categories.")
    shop: str | None = Field(None, max_length=64, description="List in this shop (yours).")
    state: Literal["draft", "published"] = Field(
        "published", description="draft: only you see it; published: federated at once."
    )


class StateIn(BaseModel):
    state: Literal["published", "reserved", "sold", "closed"]


class ListingOut(BaseModel):
    id: str
    uri: str = Field(description="The ActivityPub id.")
    url: str | None
    local: bool
    seller: ActorOut
    shop: str | None = Field(description="The shop's username, for local shop listings.")
    kind: str
    purpose: str
    title: str
    description: str = Field(description="Sanitised HTML.")
    source: str | None = Field(description="The markdown, shown to its seller only.")
    language: str | None
    price_cents: int | None
    currency: str
    price_kind: str
    quantity: int | None
    condition: str | None
    category: str
    city: str
    latitude: float | None
    longitude: float | None
    delivery: list[str]
    state: str
    tags: list[str]
    photos: list[PhotoOut]
    published: datetime | None
    edited_at: datetime | None


class SearchParams(BaseModel):
    q: str = Field(
        "",
        max_length=200,
        description="Words; accents, case and plural or other endings (es, pt, en, fr, ar) do "
        "not matter; the last word also matches as the start of a word.",
    )
    city: str | None = Field(
        None,
        max_length=100,
        description="The start of a city's name or a known other name; accents and case do not "
        "matter (`La Palma` finds La Palma del Condado).",
    )
    node: str | None = Field(
        None,
        max_length=255,
        description="Only listings from this host; without a port it matches any port.",
    )
    local: bool | None = Field(None, description="true: only this node's listings.")
    category: str | None = Field(None, max_length=40)
    purpose: Literal["offer", "request"] | None = None
    kind: Literal["product", "service"] | None = None
    condition: Literal["new", "like_new", "good", "fair", "for_parts"] | None = None
    delivery: Literal["pickup", "local_delivery", "shipping"] | None = None
    # Bounded like a listing's price: a larger number matches nothing more, and past 64 bits
    # the database cannot even take it as a parameter.
    min_price_cents: int | None = Field(None, ge=0, le=MAX_PRICE_CENTS)
    max_price_cents: int | None = Field(None, ge=0, le=MAX_PRICE_CENTS)
    shop: str | None = Field(None, max_length=64)
    tag: str | None = Field(
        None, max_length=100, description="Only listings with this hashtag (any case or accents)."
    )
    sort: Literal["newest", "price_asc", "price_desc", "relevance", "distance"] = Field(
        "newest", description="distance needs near_lat and near_lon, or a city."
    )
    near_lat: float | None = Field(None, ge=-90, le=90)
    near_lon: float | None = Field(None, ge=-180, le=180)
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=10_000)


class CategoryOut(BaseModel):
    slug: str
    label: str
    hashtag: str


class ListingList(RootModel[list[ListingOut]]):
    pass


class CategoryList(RootModel[list[CategoryOut]]):
    pass


class CategoriesQuery(BaseModel):
    language: Literal["es", "pt", "en", "fr", "ar"] = "en"


async def listing_out(listing: Listing, viewer: Account | None, request: web.Request) -> ListingOut:
    mine = await listings.may_manage(viewer, listing)
    shown: list[PhotoOut] = (
        [photo_out(p, request.app[URLS]) for p in await photos.photos_of(listing)]
        if listing.local
        else [PhotoOut.remote(p) for p in listing.remote_photos if isinstance(p, dict)]
    )
    shop = listing.shop
    return ListingOut(
        id=str(listing.id), uri=listing.uri, url=listing.url, local=listing.local,
        seller=actor_out(listing.seller),
        shop=shop.actor.username if shop is not None and shop.actor is not None else None,
        kind=listing.kind.value, purpose=listing.purpose.value, title=listing.title,
        description=listing.description_html,
        source=listing.description_source if mine else None,
        language=listing.language, price_cents=listing.price_cents, currency=listing.currency,
        price_kind=listing.price_kind.value, quantity=listing.quantity,
        condition=listing.condition.value if listing.condition else None,
        category=listing.category, city=listing.city, latitude=listing.latitude,
        longitude=listing.longitude, delivery=list(listing.delivery or []),
        state=listing.state.value, tags=list(listing.tags or []), photos=shown,
        published=listing.published, edited_at=listing.edited_at,
    )  # fmt: skip


async def _optional_account(request: web.Request) -> Account | None:
    """None without a token; a token that is sent must be valid (as ``optional_actor``)."""
    if "Authorization" not in request.headers:
        return None
    return await require_account(request)


async def _reload(listing_id: int, viewer: Account | None) -> Listing:
    listing = await listings.get_listing(listing_id, viewer)
    await listing.fetch_related("shop__actor")
    return listing


async def create_listing(request: web.Request) -> web.Response:
    account = await require_account(request)
    body = await read_json(request, ListingIn)
    shop = await shops.owned_shop(account, body.shop) if body.shop else None
    data = ListingInput(**body.model_dump(exclude={"shop", "state"}))
    if data.language is None:
        data = ListingInput(
            **{**body.model_dump(exclude={"shop", "state"}), "language": account.language
               or request.app[SETTINGS].default_language}
        )  # fmt: skip
    listing = await listings.create_listing(
        market_publisher(request), request.app[URLS], account, data,
        shop=shop, publish=body.state == "published",
    )  # fmt: skip
    return respond(await listing_out(await _reload(listing.id, account), account, request), 201)


async def get_listing(request: web.Request) -> web.Response:
    viewer = await _optional_account(request)
    listing = await listings.get_listing(request.match_info["id"], viewer)
    return respond(await listing_out(await _reload(listing.id, viewer), viewer, request))


def _patch(body: ListingFields) -> ListingInput:
    """PATCH semantics: an absent field stays as it is, an explicit ``null`` empties it (for the
    fields that may be empty: city, condition, quantity, coordinates)."""
    emptied = frozenset(
        name for name in CLEARABLE if name in body.model_fields_set and getattr(body, name) is None
    )
    return ListingInput(**body.model_dump(), clear=emptied)


async def edit_listing(request: web.Request) -> web.Response:
    account = await require_account(request)
    body = await read_json(request, ListingFields)
    listing = await listings.edit_listing(
        market_publisher(request), request.app[URLS], account, request.match_info["id"],
        _patch(body),
    )  # fmt: skip
    return respond(await listing_out(await _reload(listing.id, account), account, request))


async def change_state(request: web.Request) -> web.Response:
    account = await require_account(request)
    body = await read_json(request, StateIn)
    listing = await listings.change_state(
        market_publisher(request), account, request.match_info["id"], body.state
    )
    return respond(await listing_out(await _reload(listing.id, account), account, request))


async def delete_listing(request: web.Request) -> web.Response:
    account = await require_account(request)
    files = await listings.delete_listing(
        market_publisher(request), account, request.match_info["id"]
    )
    photos.remove_files(request.app[SETTINGS].media_dir, files)
    return web.Response(status=204)


async def search_listings(request: web.Request) -> web.Response:
    viewer = await _optional_account(request)
    p = read_query(request, SearchParams)
    seller_id = (await shops.get_shop(p.shop)).actor.id if p.shop else None
    if p.sort == "distance" and (p.near_lat is None or p.near_lon is None) and not p.city:
        raise ValidationFailed.on(
            "near_lat", "Sorting by distance needs near_lat and near_lon, or a city."
        )
    near = (p.near_lat, p.near_lon) if p.near_lat is not None and p.near_lon is not None else None
    found = await search.search(
        search.SearchQuery(
            text=p.q, city=p.city, domain=p.node, local=p.local, category=p.category,
            purpose=p.purpose, kind=p.kind, condition=p.condition, delivery=p.delivery,
            min_price_cents=p.min_price_cents, max_price_cents=p.max_price_cents,
            seller_id=seller_id, tag=p.tag, near=near, sort=p.sort, limit=p.limit, offset=p.offset,
        )
    )  # fmt: skip
    for listing in found:
        await listing.fetch_related("shop__actor")
    return respond([await listing_out(item, viewer, request) for item in found])


async def list_categories(request: web.Request) -> web.Response:
    language = read_query(request, CategoriesQuery).language
    return respond(
        [CategoryOut(slug=c.slug, label=c.label(language), hashtag=c.hashtag) for c in CATEGORIES]
    )


_ID = {"id": "The listing's id (a string)."}

OPERATIONS = [
    Operation(
        "POST", "/api/v1/listings", create_listing, "Write a listing", "listings",
        description="Published listings federate as `Create{Note}` with FEP-0837 terms to the "
        "seller's followers and are shared by the city market group. Bad input is a 422 "
        "naming the field; nothing is stored.",
        request=ListingIn, response=ListingOut, status=201, errors=(403, 404),
    ),
    Operation(
        "GET", "/api/v1/listings", search_listings, "Search listings here and federated",
        "listings", description="Full text (prefix, accent-insensitive) with filters; only "
        "published and reserved listings.", auth=False, query=SearchParams, response=ListingList,
        errors=(401, 404),
    ),
    Operation(
        "GET", "/api/v1/listings/{id}", get_listing, "A listing", "listings",
        description="Drafts only for their seller; others get 404.", auth=False,
        response=ListingOut, errors=(401, 404), path_params=_ID,
    ),
    Operation(
        "PATCH", "/api/v1/listings/{id}", edit_listing, "Edit one's listing", "listings",
        description="Only the fields sent change; `null` empties city, condition, quantity or "
        "the coordinates. Once published, an `Update` goes out.",
        request=ListingFields, response=ListingOut, errors=(403, 404, 409), path_params=_ID,
    ),
    Operation(
        "POST", "/api/v1/listings/{id}/state", change_state, "Publish, reserve, sell or close",
        "listings", description="draft→published→reserved/sold/closed; reserved→published; "
        "closed→published. Other moves are 409.",
        request=StateIn, response=ListingOut, errors=(403, 404, 409), path_params=_ID,
    ),
    Operation(
        "DELETE", "/api/v1/listings/{id}", delete_listing, "Delete one's listing", "listings",
        description="Federates `Delete{Tombstone}`; the id is never used again.",
        status=204, errors=(403, 404), path_params=_ID,
    ),
    *PHOTO_OPERATIONS,
    Operation(
        "GET", "/api/v1/categories", list_categories, "The listing categories", "listings",
        auth=False, query=CategoriesQuery, response=CategoryList,
    ),
]  # fmt: skip
