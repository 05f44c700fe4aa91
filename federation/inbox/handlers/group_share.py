"""Activities a group shares (FEP-1b12): ``Announce{Create|Update|Delete{…}}``.

A city market group (``mercado@<node>`` on the other Ruta nodes, Lemmy-style communities) wraps
each activity of its members, unchanged, in an ``Announce``. The wrapped activity has no
signature of its own, so it is believed only as far as its origin vouches for it:

- its ``actor``, its ``id`` and its object's ``id`` (and ``attributedTo``) must share one host
  (SECURITY.md "Inbound federation"); anything else is dropped;
- when the announcing group lives on that same host, that server signed the ``Announce`` and so
  vouches for the content (same-origin, as Mastodon and Lemmy treat embedded objects);
- otherwise the object is fetched from its origin with the one fetch client: a ``Create`` or
  ``Update`` stores what the origin serves, never the embedded copy; a ``Delete`` counts only
  when the origin answers 404/410 (or serves a ``Tombstone``).

A listing that is new here is stored only when one of our actors follows the announcer or the
seller (a node follows its peers' groups, ``node.services.network.peering``): anybody can send an
``Announce``, and our catalogue is not theirs to fill. Updates and deletions of listings we hold
repeat what the origin says and are applied whoever relays them.

Storage is the path of a direct ``Create``/``Update``/``Delete`` from the seller, so a listing
arriving both ways is stored once, an older update never rolls it back, and a tombstoned id
never comes back.
"""

from __future__ import annotations

import logging
from typing import Any

from federation import vocab
from federation.convert.listing_in import LISTING_TYPES
from federation.fetch import FetchError
from federation.inbox.handlers.create import NOTE_TYPES, remote_note_fields
from federation.inbox.handlers.listing import listing_fields, store_listing
from federation.inbox.process import Inbound
from federation.remote.actors import fetch_actor
from federation.vocab import Json
from node.models.actors import Actor
from node.models.market import Listing
from node.models.social import Follow
from node.services.market.remote import delete_remote_listing
from node.services.social.remote_content import delete_remote_note, store_remote_note

log = logging.getLogger(__name__)

SHARED_TYPES = frozenset({"Create", "Update", "Delete"})
# The queue that reads what a group shared before our node followed it (``inbox.backfill``).
BACKFILL_QUEUE = "backfill"
_GONE = frozenset({404, 410})


def is_group_share(obj: Any) -> bool:
    """Whether an ``Announce``'s object is a wrapped activity (rather than a boosted post)."""
    return isinstance(obj, dict) and vocab.type_of(obj) in SHARED_TYPES


def checked_origin(wrapped: Json) -> tuple[str, str, Any] | None:
    """``(author uri, object id, object)`` when the wrapped activity is one origin's own."""
    author = vocab.first_id(wrapped.get("actor"))
    objects = vocab.as_list(wrapped.get("object"))
    obj = objects[0] if objects else None
    object_id = vocab.id_of(obj)
    if author is None or object_id is None or object_id == author:
        return None  # actors update and delete themselves directly, not through groups
    origin = vocab.host_of(author)
    hosts = {vocab.host_of(object_id), vocab.host_of(vocab.id_of(wrapped) or author)}
    if origin is None or hosts != {origin}:
        return None
    if isinstance(obj, dict):
        attributed = vocab.ids_of(obj.get("attributedTo"))
        if attributed and attributed != [author]:
            return None
    return author, object_id, obj


async def handle_group_share(inbound: Inbound, wrapped: Json) -> None:
    """An ``Announce`` wrapping a ``Create``, ``Update`` or ``Delete`` of a listing."""
    checked = checked_origin(wrapped)
    if checked is None:
        log.info("inbox ignored %s: the shared activity is not its origin's own", inbound.id)
        return
    author_uri, object_id, obj = checked
    if vocab.host_of(author_uri) == inbound.our_host:
        return  # our own listings come from our database, never back from a group
    vouched = vocab.same_origin(inbound.actor.uri, author_uri)
    author = await Actor.get_or_none(uri=author_uri)
    if author is None:
        author = await fetch_actor(inbound.fetcher, author_uri)
    if author.local or author.suspended_at is not None or author.gone_at is not None:
        return
    if vocab.type_of(wrapped) == "Delete":
        await _shared_delete(inbound, author, object_id, vouched=vouched)
    else:
        await _shared_post(inbound, author, object_id, obj, vouched=vouched)


async def listing_wanted(announcer: Actor, seller: Actor, object_id: str) -> bool:
    """Whether a listing announced by ``announcer`` may be stored: one we hold already, or a new
    one when an actor of ours follows the announcer or the seller (also for plain boosts,
    ``handlers.announce``)."""
    if await Listing.filter(uri=object_id).exists():
        return True
    return await Follow.filter(
        target_id__in=[announcer.id, seller.id], follower__local=True
    ).exists()


async def _shared_post(
    inbound: Inbound, author: Actor, object_id: str, obj: Any, *, vouched: bool
) -> None:
    if not await listing_wanted(inbound.actor, author, object_id):
        log.info("inbox ignored %s: nobody here follows %s", inbound.id, inbound.actor.uri)
        return
    if vouched and isinstance(obj, dict):
        document: Json = obj
    else:
        document = await inbound.fetcher.get_json(object_id)
    if vocab.id_of(document) != object_id or vocab.ids_of(document.get("attributedTo")) != [
        author.uri
    ]:
        return
    if vocab.type_of(document) not in NOTE_TYPES | LISTING_TYPES:
        return
    listing = listing_fields(document)
    if listing is None:
        return  # the market group shares listings; other posts are not ours to take from it
    fields = (
        await remote_note_fields(inbound, document, author)
        if vocab.type_of(document) in NOTE_TYPES
        else None
    )
    async with inbound.commit():
        if fields is not None:
            await store_remote_note(author, fields)
        await store_listing(author, listing)


async def _shared_delete(inbound: Inbound, author: Actor, object_id: str, *, vouched: bool) -> None:
    if not vouched:
        try:
            current = await inbound.fetcher.get_json(object_id)
        except FetchError as failure:
            if failure.reason != "status" or failure.status not in _GONE:
                raise
        else:
            if vocab.type_of(current) != "Tombstone":
                log.info("inbox ignored %s: %s still exists at its origin", inbound.id, object_id)
                return
    async with inbound.commit():
        await delete_remote_note(object_id, author)
        await delete_remote_listing(object_id, author)
