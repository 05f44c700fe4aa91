"""``Announce`` (boost) of a note. A note we do not have is fetched from its origin — never
taken from the activity, which anybody could have forged — and stored with its author.

A boosted listing new to us joins the catalogue only under the rule of group shares (one of our
actors follows the announcer or the seller): the boosted post itself is kept either way.

An ``Announce`` wrapping a ``Create``/``Update``/``Delete`` is a group sharing its members'
activity (FEP-1b12): ``group_share``."""

from __future__ import annotations

from datetime import UTC, datetime

from federation import vocab
from federation.inbox.handlers.create import NOTE_TYPES, remote_note_fields
from federation.inbox.handlers.group_share import (
    handle_group_share,
    is_group_share,
    listing_wanted,
)
from federation.inbox.handlers.listing import listing_fields, store_listing
from federation.inbox.lookups import origin_object
from federation.inbox.process import Inbound
from federation.remote.actors import fetch_actor
from node import clock
from node.models.actors import Actor
from node.models.social import Note
from node.services.social.reactions import receive_announce
from node.services.social.remote_content import store_remote_note


def _published(value: object) -> datetime:
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is not None:
                # In UTC, as stored: year 1 with a positive offset cannot be.
                return moment.astimezone(UTC)
        except (ValueError, OverflowError):
            return clock.now()
    return clock.now()


async def handle_announce(inbound: Inbound) -> None:
    if is_group_share(inbound.object):
        await handle_group_share(inbound, inbound.object)
        return
    note_uri = vocab.id_of(inbound.object)
    if note_uri is None:
        return
    published = _published(inbound.activity.get("published"))
    note = await Note.get_or_none(uri=note_uri)
    if note is not None:
        async with inbound.commit():
            await receive_announce(inbound.actor, note, inbound.id, published)
        return
    if vocab.host_of(note_uri) == inbound.our_host:
        return  # one of ours that no longer exists
    document = await origin_object(inbound, inbound.object)
    if document is None or vocab.type_of(document) not in NOTE_TYPES:
        return
    author_uri = vocab.first_id(document.get("attributedTo"))
    if author_uri is None or not vocab.same_origin(author_uri, vocab.id_of(document)):
        return
    author = await Actor.get_or_none(uri=author_uri)
    if author is None:
        author = await fetch_actor(inbound.fetcher, author_uri)
    fields = await remote_note_fields(inbound, document, author)
    if fields is None:
        return
    listing = listing_fields(document)
    if listing is not None and not await listing_wanted(inbound.actor, author, note_uri):
        # The boosted post is shown as any boost, but nobody here asked for the announcer's or
        # the seller's listings: the catalogue is not theirs to fill (as for group shares).
        listing = None
    async with inbound.commit():
        stored = await store_remote_note(author, fields)
        if stored is not None:
            await receive_announce(inbound.actor, stored, inbound.id, published)
            await store_listing(author, listing)
