"""Finding the things an activity refers to: our own actors, and objects of other servers.

Objects of other servers are never taken from the activity unless the sender vouches for its
own content (``authorize``): everything else is looked up locally or fetched from its origin,
signed by our instance actor (SECURITY.md "Embedded objects forwarded by a third party are never
trusted"). Fetches happen before the handler's transaction opens.
"""

from __future__ import annotations

from typing import Any

from federation import vocab
from federation.inbox.process import Inbound
from federation.vocab import Json
from node.models.actors import Actor


async def local_actor(uri: str | None) -> Actor | None:
    """Our actor with this id, unless suspended; None for anything else."""
    if not uri:
        return None
    return await Actor.get_or_none(uri=uri, local=True, suspended_at__isnull=True)


async def own_object(inbound: Inbound, obj: Any) -> Json | None:
    """The document of an object the sender vouches for (``Create``/``Update`` of its own).

    The embedded copy is used when it is on the sender's host (``authorize`` checked its id and
    ``attributedTo``); a bare id is fetched from its origin. Returns None when there is no
    usable document or it is not the sender's.
    """
    if isinstance(obj, dict) and vocab.id_of(obj) is not None:
        document: Json = obj
    else:
        object_id = vocab.id_of(obj)
        if object_id is None or not vocab.same_origin(object_id, inbound.actor.uri):
            return None
        document = await inbound.fetcher.get_json(object_id)
    authors = vocab.ids_of(document.get("attributedTo"))
    if authors and authors != [inbound.actor.uri]:
        return None
    if not vocab.same_origin(vocab.id_of(document), inbound.actor.uri):
        return None
    return document


async def origin_object(inbound: Inbound, obj: Any) -> Json | None:
    """The document of somebody else's object (``Announce``), always fetched from its origin."""
    object_id = vocab.id_of(obj)
    if object_id is None or vocab.host_of(object_id) is None:
        return None
    return await inbound.fetcher.get_json(object_id)
