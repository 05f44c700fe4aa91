"""``GET /api/v1/me``: who the token belongs to."""

from __future__ import annotations

from datetime import datetime

from aiohttp import web
from pydantic import BaseModel, Field

from node.appkeys import URLS
from node.services.accounts.accounts import person_actor
from web.api.auth import require_account
from web.api.routing import Operation, respond


class AccountOut(BaseModel):
    id: str = Field(description="The account id (a string: ids exceed JavaScript's safe integers).")
    username: str
    acct: str = Field(description="The full handle, `username@domain`.")
    display_name: str
    role: str = Field(description="member, mentor, provider, staff or admin.")
    email: str
    language: str | None
    url: str = Field(description="The HTML profile page.")
    actor: str = Field(description="The ActivityPub actor id.")
    created_at: datetime


async def get_me(request: web.Request) -> web.Response:
    account = await require_account(request)
    actor = await person_actor(account)
    urls = request.app[URLS]
    return respond(
        AccountOut(
            id=str(account.id),
            username=account.username,
            acct=f"{account.username}@{urls.domain}",
            display_name=account.display_name,
            role=account.role.value,
            email=account.email,
            language=account.language,
            url=actor.url or urls.profile_page(account.username),
            actor=actor.uri,
            created_at=account.created_at,
        )
    )


OPERATIONS = [
    Operation(
        "GET",
        "/api/v1/me",
        get_me,
        "The account the token belongs to",
        "accounts",
        response=AccountOut,
    ),
]
