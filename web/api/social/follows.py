"""``/api/v1/follows``, ``/followers`` and ``/follow_requests``: following and being followed."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from aiohttp import web
from pydantic import BaseModel, Field, RootModel

from node.models.social import Follow, FollowState
from node.services.social import follows
from web.api.accounts import ActorOut, actor_out
from web.api.routing import Operation, read_json, read_query, respond
from web.api.social.timelines import PageQuery, paged
from web.api.viewer import current_actor, publisher, resolver


class FollowIn(BaseModel):
    target: str = Field(
        min_length=1, max_length=2048, description="`@user@host`, `user@host` or an actor URL."
    )


class FollowOut(BaseModel):
    id: str = Field(description="The follow's id (the cursor for `max_id`).")
    state: Literal["pending", "accepted"]
    follower: ActorOut
    target: ActorOut
    created_at: datetime
    accepted_at: datetime | None


class FollowList(RootModel[list[FollowOut]]):
    pass


def follow_out(row: Follow) -> FollowOut:
    return FollowOut(
        id=str(row.id),
        state="accepted" if row.state is FollowState.ACCEPTED else "pending",
        follower=actor_out(row.follower),
        target=actor_out(row.target),
        created_at=row.created_at,
        accepted_at=row.accepted_at,
    )


def _list(request: web.Request, rows: list[Follow], limit: int) -> web.Response:
    response = respond(FollowList([follow_out(r) for r in rows]))
    return paged(request, response, [r.id for r in rows], limit)


async def follow(request: web.Request) -> web.Response:
    me = await current_actor(request)
    body = await read_json(request, FollowIn)
    row = await follows.follow(publisher(request), resolver(request), me, body.target)
    await row.fetch_related("follower", "target")
    return respond(follow_out(row))


async def unfollow(request: web.Request) -> web.Response:
    me = await current_actor(request)
    target = await follows.get_actor(request.match_info["actor_id"])
    await follows.unfollow(publisher(request), me, target)
    return web.Response(status=204)


async def list_following(request: web.Request) -> web.Response:
    me = await current_actor(request)
    page = read_query(request, PageQuery)
    rows = await follows.following(me, max_id=page.cursors()[0], limit=page.limit)
    for row in rows:
        row.follower = me
    return _list(request, rows, page.limit)


async def list_followers(request: web.Request) -> web.Response:
    me = await current_actor(request)
    page = read_query(request, PageQuery)
    rows = await follows.followers(me, max_id=page.cursors()[0], limit=page.limit)
    for row in rows:
        row.target = me
    return _list(request, rows, page.limit)


async def list_follow_requests(request: web.Request) -> web.Response:
    me = await current_actor(request)
    page = read_query(request, PageQuery)
    rows = await follows.followers(
        me, state=FollowState.PENDING, max_id=page.cursors()[0], limit=page.limit
    )
    for row in rows:
        row.target = me
    return _list(request, rows, page.limit)


async def authorize_follow_request(request: web.Request) -> web.Response:
    me = await current_actor(request)
    follower = await follows.get_actor(request.match_info["actor_id"])
    row = await follows.approve_follow_request(publisher(request), me, follower)
    row.follower, row.target = follower, me
    return respond(follow_out(row))


async def reject_follow_request(request: web.Request) -> web.Response:
    me = await current_actor(request)
    follower = await follows.get_actor(request.match_info["actor_id"])
    await follows.reject_follow_request(publisher(request), me, follower)
    return web.Response(status=204)


_ACTOR = {"actor_id": "The other account's id on this node (see `/api/v1/accounts/lookup`)."}
_PAGED = "Newest first; page with `max_id` (see the `Link` header)."

OPERATIONS = [
    Operation(
        "POST",
        "/api/v1/follows",
        follow,
        "Follow an account, here or on another server",
        "follows",
        description="Local accounts accept at once unless they approve followers by hand; "
        "remote ones get a `Follow` and the follow stays `pending` until they accept. "
        "Following again answers the existing follow. 403 when a block stands between you.",
        request=FollowIn,
        response=FollowOut,
        errors=(403, 404),
    ),
    Operation(
        "GET",
        "/api/v1/follows",
        list_following,
        "Whom you follow (and pending requests you sent)",
        "follows",
        description=_PAGED,
        query=PageQuery,
        response=FollowList,
    ),
    Operation(
        "DELETE",
        "/api/v1/follows/{actor_id}",
        unfollow,
        "Stop following an account (or withdraw a request)",
        "follows",
        status=204,
        errors=(404,),
        path_params=_ACTOR,
    ),
    Operation(
        "GET",
        "/api/v1/followers",
        list_followers,
        "Who follows you",
        "follows",
        description=_PAGED,
        query=PageQuery,
        response=FollowList,
    ),
    Operation(
        "GET",
        "/api/v1/follow_requests",
        list_follow_requests,
        "Requests to follow you waiting for your approval",
        "follows",
        description=_PAGED,
        query=PageQuery,
        response=FollowList,
    ),
    Operation(
        "POST",
        "/api/v1/follow_requests/{actor_id}/authorize",
        authorize_follow_request,
        "Accept a request to follow you",
        "follows",
        response=FollowOut,
        errors=(404,),
        path_params=_ACTOR,
    ),
    Operation(
        "POST",
        "/api/v1/follow_requests/{actor_id}/reject",
        reject_follow_request,
        "Refuse a request, or remove a follower",
        "follows",
        status=204,
        errors=(404,),
        path_params=_ACTOR,
    ),
]
