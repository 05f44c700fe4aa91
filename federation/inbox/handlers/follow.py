"""``Follow`` of one of our actors: stored, and accepted at once unless the actor approves
followers by hand (the service sends the ``Accept`` with the embedded ``Follow``)."""

from __future__ import annotations

from federation import vocab
from federation.inbox.lookups import local_actor
from federation.inbox.process import Inbound
from node.services.social.follows import receive_follow


async def handle_follow(inbound: Inbound) -> None:
    target = await local_actor(vocab.id_of(inbound.object))
    if target is None:
        return
    async with inbound.commit():
        await receive_follow(inbound.publisher, inbound.actor, target, inbound.id)
