"""``Block`` of one of our actors by a remote actor: no follows either way from now on."""

from __future__ import annotations

from federation import vocab
from federation.inbox.lookups import local_actor
from federation.inbox.process import Inbound
from node.services.social.blocks import receive_block


async def handle_block(inbound: Inbound) -> None:
    target = await local_actor(vocab.id_of(inbound.object))
    if target is None:
        return
    async with inbound.commit():
        await receive_block(inbound.actor, target, inbound.id)
