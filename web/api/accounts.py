"""``/api/v1/accounts``: finding accounts here and on other servers; their public data."""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, Field

from node.models.actors import Actor
from node.services.social.follows import get_actor
from web.api.routing import Operation, read_query, respond
from web.api.viewer import current_actor, resolver


class ActorOut(BaseModel):
    """An account anywhere in the fediverse, as this node knows it."""

    id: str = Field(description="This node's id for the account (a string).")
    username: str
    domain: str
    acct: str = Field(description="The full handle, `username@domain`.")
    display_name: str
    kind: str = Field(description="Person, Organization (a shop), Group, Application, Service.")
    local: bool = Field(description="Whether the account lives on this node.")
    uri: str = Field(description="The ActivityPub actor id.")
    url: str | None = Field(description="The HTML profile page.")
    summary: str = Field(description="The biography, as sanitised HTML.")
    icon_url: str | None
    manually_approves_followers: bool


def actor_out(actor: Actor) -> ActorOut:
    return ActorOut(
        id=str(actor.id),
        username=actor.username,
        domain=actor.domain,
        acct=actor.handle,
        display_name=actor.display_name,
        kind=actor.kind.value,
        local=actor.local,
        uri=actor.uri,
        url=actor.url,
        summary=actor.summary,
        icon_url=actor.icon_url,
        manually_approves_followers=actor.manually_approves_followers,
    )


class LookupQuery(BaseModel):
    acct: str = Field(
        min_length=1,
        max_length=2048,
        description="`@user@host`, `user@host`, a local `user`, or an actor URL.",
    )


async def lookup_account(request: web.Request) -> web.Response:
    await current_actor(request)
    query = read_query(request, LookupQuery)
    return respond(actor_out(await resolver(request).resolve(query.acct)))


async def get_account(request: web.Request) -> web.Response:
    await current_actor(request)
    return respond(actor_out(await get_actor(request.match_info["id"])))


OPERATIONS = [
    Operation(
        "GET",
        "/api/v1/accounts/lookup",
        lookup_account,
        "Find an account by handle or URL, here or on another server",
        "accounts",
        description=(
            "Remote accounts are looked up with WebFinger and fetched from their server, then "
            "kept here. 404 when nobody answers to the handle; 403 when its server is blocked."
        ),
        query=LookupQuery,
        response=ActorOut,
        errors=(403, 404),
    ),
    Operation(
        "GET",
        "/api/v1/accounts/{id}",
        get_account,
        "An account this node knows, by id",
        "accounts",
        response=ActorOut,
        errors=(404,),
        path_params={"id": "The account's id on this node."},
    ),
]
