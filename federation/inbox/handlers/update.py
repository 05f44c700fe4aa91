"""``Update`` of the sender's note (applied only when its ``updated`` is newer) or of the
sender itself (profile and key rotation: the actor is fetched again from its server)."""

from __future__ import annotations

from federation import vocab
from federation.inbox.handlers.create import store_own_note
from federation.inbox.process import Inbound
from federation.remote.actors import fetch_actor

ACTOR_TYPES = frozenset({"Person", "Organization", "Group", "Service", "Application"})


async def handle_update(inbound: Inbound) -> None:
    obj = inbound.object
    if vocab.type_of(obj) in ACTOR_TYPES or vocab.id_of(obj) == inbound.actor.uri:
        if vocab.id_of(obj) != inbound.actor.uri:
            return  # an actor updates only itself
        # The embedded copy is not trusted: the actor's own server says what it now is.
        await fetch_actor(inbound.fetcher, inbound.actor.uri, refresh=True)
        async with inbound.commit():
            pass
        return
    await store_own_note(inbound)
