"""Bearer-token authentication for the JSON API."""

from __future__ import annotations

from aiohttp import web

from node.errors import NotAuthenticated
from node.models.accounts import Account
from node.services.accounts.tokens import account_for_token

_ACCOUNT = web.RequestKey("api_account", Account)


async def require_account(request: web.Request) -> Account:
    """The account behind ``Authorization: Bearer <token>``; 401 problem otherwise."""
    cached: Account | None = request.get(_ACCOUNT)
    if cached is not None:
        return cached
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise NotAuthenticated(
            "Send an API token as `Authorization: Bearer <token>` "
            "(create one with `ruta token create`)."
        )
    account = await account_for_token(secret.strip())
    if account is None:
        raise NotAuthenticated("This API token is not valid: it may be revoked or mistyped.")
    request[_ACCOUNT] = account
    return account
