"""Blocking: no follows, no deliveries, no mentions between two actors.

Blocking removes the follows in both directions (a remote followee gets ``Undo{Follow}``, a
remote follower ``Reject{Follow}``, as Mastodon does) and the remote target gets a ``Block``.
"""

from __future__ import annotations

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from node.errors import PermissionDenied, ValidationFailed
from node.ids import new_id
from node.models.actors import Actor
from node.models.social import Block, Follow
from node.ports import ActorResolver, Publisher
from node.services.social.follows import blocked_between
from node.services.social.notes import urls_for

__all__ = [
    "block",
    "block_reference",
    "blocked_between",
    "blocks_of",
    "receive_block",
    "receive_undo_block",
    "unblock",
]


async def block_reference(
    publisher: Publisher, resolver: ActorResolver, actor: Actor, target_reference: str
) -> Block:
    """:func:`block` by ``@user@host``, ``user@host`` or actor URL."""
    if not target_reference or not target_reference.strip():
        raise ValidationFailed.on("target", "Say whom to block: @user@host or an actor URL.")
    return await block(publisher, actor, await resolver.resolve(target_reference.strip()))


async def block(publisher: Publisher, actor: Actor, target: Actor) -> Block:
    """The local ``actor`` blocks ``target``. Blocking again returns the existing block."""
    if not actor.local:
        raise PermissionDenied("Only local actors block from here.")
    if target.id == actor.id:
        raise ValidationFailed.on("target", "You cannot block yourself.")
    existing = await Block.get_or_none(actor_id=actor.id, target_id=target.id)
    if existing is not None:
        return existing
    block_id = new_id()
    row = Block(id=block_id, actor=actor, target=target, uri=urls_for(actor).activity(block_id))
    try:
        async with in_transaction():
            await _drop_follows(publisher, actor, target)
            await row.save(force_create=True)
            if not target.local:
                await publisher.blocked(row)
    except IntegrityError:
        return await Block.get(actor_id=actor.id, target_id=target.id)
    return row


async def _drop_follows(publisher: Publisher, actor: Actor, target: Actor) -> None:
    for follow in await Follow.filter(follower_id=actor.id, target_id=target.id):
        if not target.local:
            follow.follower, follow.target = actor, target
            await publisher.follow_undone(follow)
        await follow.delete()
    for follow in await Follow.filter(follower_id=target.id, target_id=actor.id):
        if not target.local:
            follow.follower, follow.target = target, actor
            await publisher.follow_rejected(follow)
        await follow.delete()


async def unblock(publisher: Publisher, actor: Actor, target: Actor) -> None:
    """Lift a block; ``Undo{Block}`` to a remote target. Follows are not restored."""
    row = await Block.get_or_none(actor_id=actor.id, target_id=target.id)
    if row is None:
        return
    async with in_transaction():
        if not target.local:
            row.actor, row.target = actor, target
            await publisher.unblocked(row)
        await row.delete()


async def receive_block(actor: Actor, target: Actor, uri: str) -> Block:
    """A remote ``actor`` blocks our local ``target``: the follows between them end (nothing
    is sent back) and the block is kept so neither can follow the other."""
    if actor.local or not target.local:
        raise PermissionDenied("A received Block goes from a remote actor to a local one.")
    async with in_transaction():
        existing = await Block.filter(
            Q(uri=uri) | Q(actor_id=actor.id, target_id=target.id)
        ).first()
        await Follow.filter(
            Q(follower_id=actor.id, target_id=target.id)
            | Q(follower_id=target.id, target_id=actor.id)
        ).delete()
        if existing is not None:
            return existing
        return await Block.create(actor=actor, target=target, uri=uri)


async def receive_undo_block(actor: Actor, uri: str) -> None:
    """A remote actor lifts its block (``Undo{Block}``)."""
    await Block.filter(actor_id=actor.id, uri=uri).delete()


async def blocks_of(actor: Actor, *, max_id: int | None = None, limit: int = 40) -> list[Block]:
    """The actors ``actor`` blocks (``target`` loaded), newest first."""
    query = Block.filter(actor_id=actor.id)
    if max_id is not None:
        query = query.filter(id__lt=max_id)
    return await query.order_by("-id").limit(max(1, min(limit, 80))).prefetch_related("target")
