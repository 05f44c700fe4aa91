"""Following: asking, accepting, rejecting and undoing follows, local and remote.

A follow between two local actors needs no federation; when one side is remote the Publisher
is called inside the transaction of the change. Blocks stand between two actors: while one
blocks the other, neither can follow the other.
"""

from __future__ import annotations

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q, Subquery
from tortoise.transactions import in_transaction

from node import clock
from node.errors import NotFound, PermissionDenied, ValidationFailed
from node.ids import new_id, parse_id
from node.models.actors import Actor
from node.models.notifications import NotificationKind
from node.models.social import Follow, FollowState
from node.ports import ActorResolver, Publisher
from node.services import notifications
from node.services.social.notes import urls_for
from node.services.visibility import blocked_either_way

MAX_PAGE = 80


async def get_actor(actor_id: int | str) -> Actor:
    """A known actor (local or remote) by our id; ``NotFound`` for anything else."""
    number = parse_id(actor_id)
    actor = await Actor.get_or_none(id=number) if number is not None else None
    if actor is None:
        raise NotFound("No such account.")
    return actor


async def blocked_between(a: Actor, b: Actor) -> bool:
    """Whether either actor blocks the other."""
    return await blocked_either_way(a, b.id)


async def follow(
    publisher: Publisher, resolver: ActorResolver, follower: Actor, target_reference: str
) -> Follow:
    """``follower`` (local) follows ``@user@host``, ``user@host`` or an actor URL.

    Local targets accept at once unless they approve followers by hand; remote targets get a
    ``Follow`` and the row stays pending until their ``Accept``. Following again returns the
    existing follow.
    """
    if not target_reference or not target_reference.strip():
        raise ValidationFailed.on("target", "Say whom to follow: @user@host or an actor URL.")
    target = await resolver.resolve(target_reference.strip())
    return await follow_actor(publisher, follower, target)


async def follow_actor(publisher: Publisher, follower: Actor, target: Actor) -> Follow:
    """:func:`follow` for an actor already resolved."""
    if not follower.local:
        raise PermissionDenied("Only local actors follow from here.")
    if target.id == follower.id:
        raise ValidationFailed.on("target", "You cannot follow yourself.")
    if target.gone_at is not None or target.suspended_at is not None:
        raise NotFound(f"{target.handle} is not available.")
    if await blocked_between(follower, target):
        raise PermissionDenied(f"You cannot follow {target.handle}.")
    existing = await Follow.get_or_none(follower_id=follower.id, target_id=target.id)
    if existing is not None:
        return existing
    follow_id = new_id()
    accepted = target.local and not target.manually_approves_followers
    row = Follow(
        id=follow_id,
        follower=follower,
        target=target,
        uri=urls_for(follower).activity(follow_id),
        state=FollowState.ACCEPTED if accepted else FollowState.PENDING,
        accepted_at=clock.now() if accepted else None,
    )
    try:
        async with in_transaction():
            await row.save(force_create=True)
            if not target.local:
                await publisher.follow_requested(row)
            else:
                kind = NotificationKind.FOLLOW if accepted else NotificationKind.FOLLOW_REQUEST
                await notifications.notify(target, kind, follower)
    except IntegrityError:
        # A concurrent request created the same follow.
        return await Follow.get(follower_id=follower.id, target_id=target.id)
    return row


async def unfollow(publisher: Publisher, follower: Actor, target: Actor) -> None:
    """Stop following (or withdraw a pending request); ``Undo{Follow}`` to a remote target.
    Nothing happens when there is no follow."""
    row = await Follow.get_or_none(follower_id=follower.id, target_id=target.id)
    if row is None:
        return
    async with in_transaction():
        if not target.local:
            row.follower, row.target = follower, target
            await publisher.follow_undone(row)
        await row.delete()


async def receive_follow(publisher: Publisher, follower: Actor, target: Actor, uri: str) -> Follow:
    """A remote ``Follow`` of a local actor.

    Accepted at once (``Accept`` goes back) unless the target approves followers by hand. A
    repeated Follow (new id, same pair) takes the new id and is answered again. Between actors
    with a block, the Follow is rejected and not stored (the returned row is unsaved).
    """
    if not target.local or follower.local:
        raise PermissionDenied("A received Follow goes from a remote actor to a local one.")
    if target.gone_at is not None or target.suspended_at is not None:
        raise NotFound(f"{target.handle} is not available.")
    async with in_transaction():
        same_uri = await Follow.get_or_none(uri=uri)
        if same_uri is not None:
            return same_uri
        if await blocked_between(follower, target):
            refused = Follow(follower=follower, target=target, uri=uri)
            await publisher.follow_rejected(refused)
            return refused
        row = await Follow.get_or_none(follower_id=follower.id, target_id=target.id)
        if row is None:
            row = await Follow.create(follower=follower, target=target, uri=uri)
        else:
            row.uri = uri
            await row.save(update_fields=["uri"])
        row.follower, row.target = follower, target
        if row.state is FollowState.ACCEPTED or not target.manually_approves_followers:
            await _accept(row)
            await publisher.follow_accepted(row)
            await notifications.notify(target, NotificationKind.FOLLOW, follower)
        else:
            await notifications.notify(target, NotificationKind.FOLLOW_REQUEST, follower)
    return row


async def _accept(row: Follow) -> None:
    if row.state is not FollowState.ACCEPTED:
        row.state = FollowState.ACCEPTED
        row.accepted_at = clock.now()
        await row.save(update_fields=["state", "accepted_at"])


async def receive_undo_follow(follower: Actor, target: Actor) -> None:
    """A remote follower ``Undo``es its Follow."""
    await Follow.filter(follower_id=follower.id, target_id=target.id).delete()


async def receive_follow_accepted(follower: Actor, target: Actor) -> None:
    """The remote ``target`` accepted our local ``follower``'s request."""
    row = await Follow.get_or_none(follower_id=follower.id, target_id=target.id)
    if row is not None:
        await _accept(row)


async def receive_follow_rejected(follower: Actor, target: Actor) -> None:
    """The remote ``target`` rejected the request, or removed ``follower`` from its followers."""
    await Follow.filter(follower_id=follower.id, target_id=target.id).delete()


async def approve_follow_request(publisher: Publisher, target: Actor, follower: Actor) -> Follow:
    """The local ``target`` accepts a pending request; ``Accept`` to a remote follower."""
    row = await Follow.get_or_none(follower_id=follower.id, target_id=target.id)
    if row is None:
        raise NotFound(f"{follower.handle} has not asked to follow you.")
    async with in_transaction():
        was_pending = row.state is FollowState.PENDING
        await _accept(row)
        if was_pending and not follower.local:
            row.follower, row.target = follower, target
            await publisher.follow_accepted(row)
    return row


async def reject_follow_request(publisher: Publisher, target: Actor, follower: Actor) -> None:
    """The local ``target`` refuses a request or removes a follower; ``Reject`` to a remote one."""
    row = await Follow.get_or_none(follower_id=follower.id, target_id=target.id)
    if row is None:
        raise NotFound(f"{follower.handle} does not follow you and has not asked to.")
    async with in_transaction():
        if not follower.local:
            row.follower, row.target = follower, target
            await publisher.follow_rejected(row)
        await row.delete()


async def end_follows_for_suspension(publisher: Publisher, suspended: Actor) -> int:
    """End the follows, both ways, between an actor being suspended and this node's actors;
    returns how many ended. Lifting the suspension restores none (as on Mastodon). Call it
    inside the suspension's transaction, before the actor is marked suspended: nothing is
    delivered to a suspended actor.

    A suspension here does not suspend a remote account on its own server, so its server is
    told, as Mastodon's ``SuspendAccountService`` does: a ``Reject{Follow}`` for each of its
    follows of our actors, so it stops counting as their follower (and cannot go on being
    sent what they post to followers). We add an ``Undo{Follow}`` for our actors' follows of
    it: the follow is gone here for good, and without the Undo its server would go on
    delivering to followers we no longer have. A suspended local actor's follows with other
    servers are left as they are: nothing is sent from or to it while it is suspended.
    """
    local_ids = Subquery(Actor.filter(local=True).values("id"))
    with_us = Follow.filter(
        Q(follower_id=suspended.id, target_id__in=local_ids)
        | Q(target_id=suspended.id, follower_id__in=local_ids)
    )
    if suspended.local:
        return await with_us.delete()
    rows = await with_us.prefetch_related("follower", "target")
    for row in rows:
        if row.follower_id == suspended.id:  # type: ignore[attr-defined]
            await publisher.follow_rejected(row)
        else:
            await publisher.follow_undone(row)
        await row.delete()
    return len(rows)


async def followers(
    actor: Actor,
    *,
    state: FollowState = FollowState.ACCEPTED,
    max_id: int | None = None,
    limit: int = 40,
) -> list[Follow]:
    """Follows of ``actor`` (``follower`` loaded), newest first; ``max_id`` pages backwards.
    ``state=PENDING`` lists the requests waiting for approval."""
    query = Follow.filter(target_id=actor.id, state=state)
    if max_id is not None:
        query = query.filter(id__lt=max_id)
    return await query.order_by("-id").limit(_limit(limit)).prefetch_related("follower")


async def following(
    actor: Actor,
    *,
    state: FollowState | None = None,
    max_id: int | None = None,
    limit: int = 40,
) -> list[Follow]:
    """Whom ``actor`` follows or asked to follow (``target`` loaded), newest first."""
    query = Follow.filter(follower_id=actor.id)
    if state is not None:
        query = query.filter(state=state)
    if max_id is not None:
        query = query.filter(id__lt=max_id)
    return await query.order_by("-id").limit(_limit(limit)).prefetch_related("target")


async def count_followers(actor: Actor) -> int:
    return await Follow.filter(target_id=actor.id, state=FollowState.ACCEPTED).count()


async def count_following(actor: Actor) -> int:
    return await Follow.filter(follower_id=actor.id, state=FollowState.ACCEPTED).count()


def _limit(limit: int) -> int:
    return max(1, min(limit, MAX_PAGE))
