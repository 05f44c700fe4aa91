"""``Accept`` and ``Reject`` of a ``Follow`` one of our actors sent (or, when they answer no
``Follow``, of an order's ``Offer``: ``offer.py``).

Only the followed actor may answer: the ``Follow`` is found among our rows by its id (the
embedded copy is ours and is not trusted beyond its id) with the sender as its target. Servers
that answer without the ``Follow``'s id are matched by the embedded ``actor`` (our follower).
"""

from __future__ import annotations

from federation import vocab
from federation.inbox.handlers.group_share import BACKFILL_QUEUE
from federation.inbox.handlers.offer import handle_order_answer
from federation.inbox.lookups import local_actor
from federation.inbox.process import Inbound
from node.jobs import queue
from node.models.actors import Actor, ActorKind
from node.models.social import Follow
from node.services.social.follows import receive_follow_accepted, receive_follow_rejected


async def _our_follower(inbound: Inbound) -> Actor | None:
    answered = inbound.object
    follow_uri = vocab.id_of(answered)
    if follow_uri is not None:
        row = await Follow.get_or_none(uri=follow_uri, target_id=inbound.actor.id).prefetch_related(
            "follower"
        )
        if row is not None:
            return row.follower if row.follower.local else None
    if isinstance(answered, dict) and vocab.type_of(answered) in (None, "Follow"):
        target = vocab.id_of(answered.get("object"))
        if target is not None and target != inbound.actor.uri:
            return None
        follower = await local_actor(vocab.id_of(answered.get("actor")))
        if follower is not None and await Follow.exists(
            follower_id=follower.id, target_id=inbound.actor.id
        ):
            return follower
    return None


async def handle_accept(inbound: Inbound) -> None:
    follower = await _our_follower(inbound)
    if follower is None:
        await handle_order_answer(inbound, accepted=True)
        return
    async with inbound.commit():
        await receive_follow_accepted(follower, inbound.actor)
        if follower.uri == inbound.services.urls.instance_actor() and (
            inbound.actor.kind is ActorKind.GROUP
        ):
            # Our node now follows another node's market: read what it shared before.
            await queue.enqueue(BACKFILL_QUEUE, {"group": inbound.actor.uri})


async def handle_reject(inbound: Inbound) -> None:
    follower = await _our_follower(inbound)
    if follower is None:
        await handle_order_answer(inbound, accepted=False)
        return
    async with inbound.commit():
        await receive_follow_rejected(follower, inbound.actor)
