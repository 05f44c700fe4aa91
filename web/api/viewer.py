"""Who is asking, and the ports to act with: shared by the social API handlers."""

from __future__ import annotations

from aiohttp import web

from node.appkeys import PUBLISHER, RESOLVER
from node.errors import Unavailable
from node.models.actors import Actor
from node.ports import ActorResolver, Publisher
from node.services.accounts import person_actor
from web.api.auth import require_account


async def current_actor(request: web.Request) -> Actor:
    """The ``Person`` actor of the bearer token's account (401 without a valid token)."""
    return await person_actor(await require_account(request))


async def optional_actor(request: web.Request) -> Actor | None:
    """Like :func:`current_actor` for routes open to everyone: None without a token, but a
    token that is sent must be valid (a mistyped token should not silently read as anonymous)."""
    if "Authorization" not in request.headers:
        return None
    return await current_actor(request)


def publisher(request: web.Request) -> Publisher:
    found = request.app.get(PUBLISHER)
    if found is None:
        raise Unavailable("Federation is not ready on this node yet; try again shortly.")
    return found


def resolver(request: web.Request) -> ActorResolver:
    found = request.app.get(RESOLVER)
    if found is None:
        raise Unavailable("Federation is not ready on this node yet; try again shortly.")
    return found
