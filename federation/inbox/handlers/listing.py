"""Listings inside ``Create``/``Update``/``Announce``/``Delete``: the marketplace side of those
handlers. A listing ``Note`` is also stored as a note (timelines show it as Mastodon would);
a ``Proposal`` only as a listing."""

from __future__ import annotations

from federation.convert.listing_in import ap_to_listing_fields, is_listing
from federation.vocab import Json
from node.models.actors import Actor
from node.services.market.remote import RemoteListing, store_remote_listing


def listing_fields(document: Json) -> RemoteListing | None:
    """The listing in ``document``, when it is one and is readable."""
    if not is_listing(document):
        return None
    try:
        return ap_to_listing_fields(document)
    except ValueError:
        return None


async def store_listing(seller: Actor, fields: RemoteListing | None) -> None:
    """Store (or update) a received listing; call inside ``Inbound.commit()``."""
    if fields is not None:
        await store_remote_listing(seller, fields)
