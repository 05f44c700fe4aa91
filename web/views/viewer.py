"""Who is looking at a social page, and the ports to act with (shared by the profile, timeline
and notification pages)."""

from __future__ import annotations

from aiohttp import web

from node.ids import parse_id
from node.models.accounts import Account
from node.models.actors import Actor
from node.services.accounts.accounts import person_actor
from web.ports import publisher as publisher
from web.ports import resolver as resolver
from web.sessions import current_account, require_account


async def signed_in(request: web.Request) -> tuple[Account, Actor]:
    """The signed-in account and its person actor; anonymous visitors go to sign in."""
    account = await require_account(request)
    return account, await person_actor(account)


async def optional_actor(request: web.Request) -> Actor | None:
    account = await current_account(request)
    return await person_actor(account) if account is not None else None


def cursor(request: web.Request) -> int | None:
    """The ``max_id`` page cursor of a list (an unusable value means the first page)."""
    value = request.query.get("max_id")
    return parse_id(value) if value else None
