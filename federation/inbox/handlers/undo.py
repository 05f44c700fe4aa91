"""``Undo`` of the sender's own ``Follow``, ``Like``, ``Announce``, ``Block`` or order ``Offer``.

The undone activity may be embedded (Mastodon, Fedify) or only referenced by id (some servers).
We trust our own rows over the embedded copy: the undone activity is found by its id among the
rows this sender created, and only a ``Follow`` without a stored id falls back to the embedded
``object`` (the followed actor). ``authorize`` already checked that the undone activity is the
sender's own.
"""

from __future__ import annotations

from typing import Any

from federation import vocab
from federation.inbox.handlers.offer import handle_undo_offer, is_offer
from federation.inbox.lookups import local_actor
from federation.inbox.process import Inbound
from node.models.actors import Actor
from node.models.orders import Order
from node.models.social import Announce, Block, Follow, Like
from node.services.social.blocks import receive_undo_block
from node.services.social.follows import receive_undo_follow
from node.services.social.reactions import receive_undo_announce, receive_undo_like


async def handle_undo(inbound: Inbound) -> None:
    undone = inbound.object
    undone_id = vocab.id_of(undone)
    kind = vocab.type_of(undone) or await _stored_kind(inbound.actor, undone_id)
    if kind == "Follow":
        target = await _followed(inbound.actor, undone_id, undone)
        if target is not None:
            async with inbound.commit():
                await receive_undo_follow(inbound.actor, target)
    elif kind == "Like" and undone_id is not None:
        async with inbound.commit():
            await receive_undo_like(inbound.actor, undone_id)
    elif kind == "Announce" and undone_id is not None:
        async with inbound.commit():
            await receive_undo_announce(inbound.actor, undone_id)
    elif kind == "Block" and undone_id is not None:
        async with inbound.commit():
            await receive_undo_block(inbound.actor, undone_id)
    elif kind == "Offer" and undone_id is not None and await is_offer(inbound, undone_id):
        await handle_undo_offer(inbound, undone_id)


async def _stored_kind(actor: Actor, uri: str | None) -> str | None:
    """What a bare id refers to, among the rows this actor created."""
    if uri is None:
        return None
    if await Follow.exists(uri=uri, follower_id=actor.id):
        return "Follow"
    if await Like.exists(uri=uri, actor_id=actor.id):
        return "Like"
    if await Announce.exists(uri=uri, actor_id=actor.id):
        return "Announce"
    if await Block.exists(uri=uri, actor_id=actor.id):
        return "Block"
    if await Order.exists(offer_uri=uri, buyer_id=actor.id):
        return "Offer"
    return None


async def _followed(follower: Actor, follow_uri: str | None, undone: Any) -> Actor | None:
    """Our actor that ``follower`` stops following."""
    if follow_uri is not None:
        row = await Follow.get_or_none(uri=follow_uri, follower_id=follower.id).prefetch_related(
            "target"
        )
        if row is not None:
            return row.target if row.target.local else None
    if isinstance(undone, dict):
        return await local_actor(vocab.id_of(undone.get("object")))
    return None
