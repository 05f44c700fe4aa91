"""``/api/v1/blocks``: blocking accounts, here or elsewhere."""

from __future__ import annotations

from datetime import datetime

from aiohttp import web
from pydantic import BaseModel, Field, RootModel

from node.models.social import Block
from node.services.social import blocks
from node.services.social.follows import get_actor
from web.api.accounts import ActorOut, actor_out
from web.api.routing import Operation, read_json, read_query, respond
from web.api.social.follows import FollowIn
from web.api.social.timelines import PageQuery, paged
from web.api.viewer import current_actor, publisher, resolver


class BlockOut(BaseModel):
    id: str = Field(description="The block's id (the cursor for `max_id`).")
    target: ActorOut
    created_at: datetime


class BlockList(RootModel[list[BlockOut]]):
    pass


def block_out(row: Block) -> BlockOut:
    return BlockOut(id=str(row.id), target=actor_out(row.target), created_at=row.created_at)


async def create_block(request: web.Request) -> web.Response:
    me = await current_actor(request)
    body = await read_json(request, FollowIn)
    row = await blocks.block_reference(publisher(request), resolver(request), me, body.target)
    await row.fetch_related("target")
    return respond(block_out(row))


async def list_blocks(request: web.Request) -> web.Response:
    me = await current_actor(request)
    page = read_query(request, PageQuery)
    rows = await blocks.blocks_of(me, max_id=page.cursors()[0], limit=page.limit)
    response = respond(BlockList([block_out(r) for r in rows]))
    return paged(request, response, [r.id for r in rows], page.limit)


async def delete_block(request: web.Request) -> web.Response:
    me = await current_actor(request)
    target = await get_actor(request.match_info["actor_id"])
    await blocks.unblock(publisher(request), me, target)
    return web.Response(status=204)


OPERATIONS = [
    Operation(
        "POST",
        "/api/v1/blocks",
        create_block,
        "Block an account",
        "blocks",
        description="Ends the follows between you both ways; neither can follow the other, "
        "and their notes leave your timelines. Blocking again answers the existing block.",
        request=FollowIn,
        response=BlockOut,
        errors=(403, 404),
    ),
    Operation(
        "GET",
        "/api/v1/blocks",
        list_blocks,
        "Accounts you block",
        "blocks",
        description="Newest first; page with `max_id` (see the `Link` header).",
        query=PageQuery,
        response=BlockList,
    ),
    Operation(
        "DELETE",
        "/api/v1/blocks/{actor_id}",
        delete_block,
        "Unblock an account",
        "blocks",
        status=204,
        errors=(404,),
        path_params={"actor_id": "The blocked account's id on this node."},
    ),
]
