"""The JSON API under ``/api/v1`` and its OpenAPI document at ``/api/openapi.json``."""

from __future__ import annotations

from aiohttp import web

from node.appkeys import SETTINGS
from web.api import accounts, admin_approvals, me, moderation
from web.api.market import listings as market_listings
from web.api.market import orders as market_orders
from web.api.market import shops as market_shops
from web.api.openapi import build_document
from web.api.routing import Operation
from web.api.social import blocks, follows, messages, notes, reactions, timelines
from web.api.social import media as note_media

API_OPERATIONS = web.AppKey("api_operations", list[Operation])


def all_operations() -> list[Operation]:
    return [
        *me.OPERATIONS,
        *accounts.OPERATIONS,
        *notes.OPERATIONS,
        *note_media.OPERATIONS,
        *reactions.OPERATIONS,
        *timelines.OPERATIONS,
        *follows.OPERATIONS,
        *blocks.OPERATIONS,
        *market_shops.OPERATIONS,
        *market_orders.OPERATIONS,  # before listings: /api/v1/listings/saved
        *market_listings.OPERATIONS,
        *messages.OPERATIONS,
        *moderation.OPERATIONS,
        *admin_approvals.OPERATIONS,
    ]


async def openapi_json(request: web.Request) -> web.Response:
    document = build_document(request.app[API_OPERATIONS], request.app[SETTINGS].base_url)
    return web.json_response(document)


def setup(app: web.Application) -> None:
    operations = all_operations()
    app[API_OPERATIONS] = operations
    for op in operations:
        app.router.add_route(op.method, op.path, op.handler)
    app.router.add_get("/api/openapi.json", openapi_json)
