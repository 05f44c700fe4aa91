"""``Delete`` of a note (tombstoned: its id is never created again) or of the sender itself
(everything it left here is dropped). ``authorize`` checked the object is on the sender's host."""

from __future__ import annotations

from federation import vocab
from federation.inbox.process import Inbound
from node.services.market.remote import delete_remote_listing, forget_seller
from node.services.social.remote_content import delete_remote_note, forget_actor


async def handle_delete(inbound: Inbound) -> None:
    object_id = vocab.id_of(inbound.object)
    if object_id is None:
        return
    if object_id == inbound.actor.uri:
        async with inbound.commit():
            await forget_actor(inbound.actor)
            await forget_seller(inbound.actor)
        return
    async with inbound.commit():
        await delete_remote_note(object_id, inbound.actor)
        await delete_remote_listing(object_id, inbound.actor)
