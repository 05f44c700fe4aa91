"""``Like`` of a note (ours, or one we know): counted once per actor."""

from __future__ import annotations

from federation import vocab
from federation.inbox.process import Inbound
from node.services.social.reactions import receive_like


async def handle_like(inbound: Inbound) -> None:
    note_uri = vocab.id_of(inbound.object)
    if note_uri is None:
        return
    async with inbound.commit():
        await receive_like(inbound.actor, note_uri, inbound.id)
