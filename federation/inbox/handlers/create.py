"""``Create{Note}``: a post by the sender, stored for timelines and threads.

The note is the sender's own (``authorize`` checked its id and ``attributedTo``); a bare id is
fetched from the sender's server. A tombstoned id is never created again (the service refuses).
"""

from __future__ import annotations

from dataclasses import replace

from federation import vocab
from federation.convert.listing_in import LISTING_TYPES
from federation.convert.note import ap_to_note_fields
from federation.inbox.handlers.listing import listing_fields, store_listing
from federation.inbox.lookups import own_object
from federation.inbox.process import Inbound
from federation.vocab import Json
from node.models.actors import Actor
from node.services.social.remote_content import RemoteNote, store_remote_note

# The object types stored as notes. Others (Article, Event, Question...) are not shown yet.
NOTE_TYPES = frozenset({"Note"})


async def remote_note_fields(inbound: Inbound, document: Json, author: Actor) -> RemoteNote | None:
    """The note in ``document`` in domain terms, with our actors it addresses and mentions."""
    try:
        fields = ap_to_note_fields(document, followers_url=author.followers_url)
    except ValueError:
        return None
    addressed = set(vocab.addressees(document))
    if inbound.inbox_owner is not None and not vocab.is_public(document):
        # Delivered to one of our personal inboxes: bcc'd recipients are addressees too.
        addressed.add(inbound.inbox_owner)
    mentions = {
        href
        for tag in vocab.as_list(document.get("tag"))
        if vocab.type_of(tag) == "Mention" and (href := vocab.id_of(tag)) is not None
    }
    local = await _local_ids(addressed | mentions)
    return replace(
        fields,
        addressed_local_actor_ids=frozenset(local[u] for u in addressed if u in local),
        mentioned_local_actor_ids=frozenset(local[u] for u in mentions if u in local),
    )


async def _local_ids(uris: set[str]) -> dict[str, int]:
    if not uris:
        return {}
    rows = await Actor.filter(uri__in=sorted(uris), local=True).values_list("uri", "id")
    return {str(uri): int(actor_id) for uri, actor_id in rows}


async def store_own_note(inbound: Inbound) -> None:
    """Store the sender's note carried by a ``Create`` or an ``Update``, and the listing it
    is when it carries FEP-0837 terms (a ``Proposal`` is stored as a listing only)."""
    obj = inbound.object
    if isinstance(obj, dict) and vocab.type_of(obj) not in NOTE_TYPES | LISTING_TYPES:
        return
    document = await own_object(inbound, obj)
    if document is None:
        return
    listing = listing_fields(document)
    fields = (
        await remote_note_fields(inbound, document, inbound.actor)
        if vocab.type_of(document) in NOTE_TYPES
        else None
    )
    if fields is None and listing is None:
        return
    async with inbound.commit():
        if fields is not None:
            await store_remote_note(inbound.actor, fields)
        await store_listing(inbound.actor, listing)


async def handle_create(inbound: Inbound) -> None:
    await store_own_note(inbound)
