"""Who is asking, and the ports to act with: shared by the social API handlers."""

from __future__ import annotations

from aiohttp import web

from node.models.actors import Actor
from node.services.accounts.accounts import person_actor
from web.api.auth import require_account

# The ports, re-exported so API handlers find everything about "who acts, with what" here.
from web.ports import market_publisher as market_publisher
from web.ports import order_publisher as order_publisher
from web.ports import publisher as publisher
from web.ports import resolver as resolver


async def current_actor(request: web.Request) -> Actor:
    """The ``Person`` actor of the bearer token's account (401 without a valid token)."""
    return await person_actor(await require_account(request))


async def optional_actor(request: web.Request) -> Actor | None:
    """Like :func:`current_actor` for routes open to everyone: None without a token, but a
    token that is sent must be valid (a mistyped token should not silently read as anonymous)."""
    if "Authorization" not in request.headers:
        return None
    return await current_actor(request)
