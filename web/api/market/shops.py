"""``/api/v1/shops``: opening and editing shops (``Organization`` actors), listing them, and
staff verification. A shop's followers see its listings; any server can follow it."""

from __future__ import annotations

from datetime import datetime

from aiohttp import web
from pydantic import BaseModel, Field, RootModel

from node.appkeys import URLS
from node.ids import parse_id
from node.models.market import Shop
from node.services.market import shops
from node.services.market.shops import ShopDetails
from web.api.accounts import ActorOut, actor_out
from web.api.auth import require_account
from web.api.routing import Operation, read_json, read_query, respond
from web.api.viewer import publisher


class ShopFields(BaseModel):
    display_name: str | None = Field(None, max_length=200, description="The shop's name.")
    summary: str | None = Field(None, max_length=5000, description="Markdown, ≤ 1000 chars.")
    address: str | None = Field(None, max_length=1000)
    opening_hours: str | None = Field(None, max_length=1000)
    phone: str | None = Field(None, max_length=100)
    website: str | None = Field(None, max_length=2048, description="https://… or empty.")
    city: str | None = Field(None, max_length=300)
    latitude: float | None = None
    longitude: float | None = None
    categories: list[str] | None = Field(
        None, max_length=10, description="Slugs from `GET /api/v1/categories`."
    )
    languages: list[str] | None = Field(None, max_length=10, description="es, pt, en, fr, ar.")


class ShopIn(ShopFields):
    username: str = Field(
        max_length=64,
        description="Its address `@username@node`: 1–30 of a–z, 0–9, _ (shared with people).",
    )


class ShopOut(BaseModel):
    id: str
    actor: ActorOut
    address: str
    opening_hours: str
    phone: str
    website: str | None
    city: str
    latitude: float | None
    longitude: float | None
    categories: list[str]
    languages: list[str]
    verified: bool
    created_at: datetime
    summary_source: str | None = Field(
        None,
        description="The about text as its owner wrote it (markdown), in answers to the owner "
        "opening or editing the shop; `actor.summary` is the rendered HTML.",
    )


class ShopsQuery(BaseModel):
    limit: int = Field(40, ge=1, le=80)
    before: str | None = Field(None, max_length=20, description="Page: shops older than this id.")


class VerifyIn(BaseModel):
    verified: bool = True


class ShopList(RootModel[list[ShopOut]]):
    pass


def shop_out(shop: Shop, *, for_owner: bool = False) -> ShopOut:
    return ShopOut(
        id=str(shop.id),
        actor=actor_out(shop.actor),
        address=shop.address,
        opening_hours=shop.opening_hours,
        phone=shop.phone,
        website=shop.website,
        city=shop.city,
        latitude=shop.latitude,
        longitude=shop.longitude,
        categories=list(shop.categories or []),
        languages=list(shop.languages or []),
        verified=shop.verified_at is not None,
        created_at=shop.created_at,
        summary_source=shop.actor.summary_source if for_owner else None,
    )


def _details(body: ShopFields) -> ShopDetails:
    return ShopDetails(**body.model_dump(exclude={"username"}))


async def open_shop(request: web.Request) -> web.Response:
    account = await require_account(request)
    body = await read_json(request, ShopIn)
    shop = await shops.open_shop(request.app[URLS], account, body.username, _details(body))
    return respond(shop_out(await shops.get_shop(shop.actor.username), for_owner=True), status=201)


async def list_shops(request: web.Request) -> web.Response:
    query = read_query(request, ShopsQuery)
    before = parse_id(query.before) if query.before else None
    return respond([shop_out(s) for s in await shops.list_shops(query.limit, before)])


async def get_shop(request: web.Request) -> web.Response:
    return respond(shop_out(await shops.get_shop(request.match_info["name"])))


async def edit_shop(request: web.Request) -> web.Response:
    account = await require_account(request)
    body = await read_json(request, ShopFields)
    shop = await shops.edit_shop(
        publisher(request), account, request.match_info["name"], _details(body)
    )
    return respond(shop_out(shop, for_owner=True))


async def verify_shop(request: web.Request) -> web.Response:
    account = await require_account(request)
    body = await read_json(request, VerifyIn)
    shop = await shops.verify_shop(account, request.match_info["name"], body.verified)
    return respond(shop_out(await shops.get_shop(shop.actor.username)))


_NAME = {"name": "The shop's username."}

OPERATIONS = [
    Operation(
        "POST", "/api/v1/shops", open_shop, "Open a shop", "shops",
        description="Creates an `Organization` actor (followable from any server, found by "
        "WebFinger) with the shop's details as profile fields. 409 when the name is taken.",
        request=ShopIn, response=ShopOut, status=201, errors=(409,),
    ),
    Operation(
        "GET", "/api/v1/shops", list_shops, "Shops on this node, newest first", "shops",
        auth=False, query=ShopsQuery, response=ShopList,
    ),
    Operation(
        "GET", "/api/v1/shops/{name}", get_shop, "A shop", "shops",
        auth=False, response=ShopOut, errors=(404,), path_params=_NAME,
    ),
    Operation(
        "PATCH", "/api/v1/shops/{name}", edit_shop, "Edit one's shop", "shops",
        description="Only the fields sent change; followers get `Update{Organization}`.",
        request=ShopFields, response=ShopOut, errors=(403, 404), path_params=_NAME,
    ),
    Operation(
        "POST", "/api/v1/shops/{name}/verify", verify_shop, "Mark a shop verified (staff)",
        "shops", request=VerifyIn, response=ShopOut, errors=(403, 404), path_params=_NAME,
    ),
]  # fmt: skip
