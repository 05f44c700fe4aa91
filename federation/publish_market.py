"""``ListingPublisher``: the ``node.ports.MarketPublisher`` — listings as activities.

Same contract as ``federation.publish``: called inside the change's transaction, it stores each
activity as an ``OutgoingActivity`` and writes one delivery job per distinct remote inbox.

- ``Create{Note}`` to the seller's followers; the city market group then shares it with its own
  followers twice, as Lemmy does for FEP-1b12 groups: ``Announce{Create}`` (the unchanged
  activity, for group-aware software) and ``Announce{Note}`` (a boost Mastodon shows).
- ``Update{Note}`` (with a new ``updated``: an edit, a sale) and ``Delete{Tombstone}`` to the
  seller's followers; the group re-shares each unchanged as ``Announce{Update}`` /
  ``Announce{Delete}`` (FEP-1b12), so a node or a Lemmy-style server that follows only the group
  sees edits, sales and deletions. Mastodon ignores an ``Announce`` of anything but a post; its
  users follow shops and get the ``Update``/``Delete`` directly.
- Deleting a listing withdraws every activity we still serve that embeds or boosts it (the
  seller's Create and Updates, the group's Announces).
"""

from __future__ import annotations

from typing import Any

from federation.convert import activities
from federation.convert.listing import LISTING_CONTEXT, listing_audience, listing_to_ap
from federation.delivery.fanout import Recipients, fan_out
from federation.vocab import Json, id_of
from node.ids import new_id
from node.models.actors import Actor
from node.models.market import Listing, ListingPhoto
from node.models.peers import OutgoingActivity
from node.services.market.mercado import market_group
from node.urls import Urls


def _mentions_listing(body: Any, listing_uri: str, create_uri: str) -> bool:
    """Whether an activity we serve embeds or points at the listing (the withdrawal test)."""
    if not isinstance(body, dict):
        return False
    shared = body.get("object")
    if body.get("type") == "Announce" and isinstance(shared, dict):
        shared = shared.get("object")  # Announce{Update|Delete{listing}}
    return id_of(shared) in (listing_uri, create_uri)


class ListingPublisher:
    """Implements ``node.ports.MarketPublisher``; set on the app as ``MARKET_PUBLISHER``."""

    def __init__(self, urls: Urls, *, default_language: str | None = None) -> None:
        self.urls = urls
        self.default_language = default_language

    async def _document(self, listing: Listing) -> tuple[Actor, Actor | None, Json]:
        seller = listing.seller
        if not isinstance(seller, Actor):
            seller = await Actor.get(id=listing.seller_id)
            listing.seller = seller
        group = await market_group(self.urls) if listing.local else None
        photos = await ListingPhoto.filter(listing_id=listing.id).order_by("position", "id")
        document = listing_to_ap(
            listing,
            seller,
            photos,
            self.urls,
            group=group,
            with_context=False,
            default_language=self.default_language,
        )
        return seller, group, document

    async def _store(
        self, signer: Actor, activity_id: int, body: Json, recipients: Recipients
    ) -> None:
        row = await OutgoingActivity.create(
            id=activity_id, uri=body["id"], actor=signer, body=body, public=True
        )
        await fan_out(row.id, signer.id, recipients)

    def _with_context(self, body: Json) -> Json:
        return {**body, "@context": LISTING_CONTEXT}

    async def _group_shares(self, group: Actor | None, seller: Actor, *shared: str | Json) -> None:
        """The market group's ``Announce`` of each of ``shared`` (an activity, embedded
        unchanged, or an object id) to the group's followers."""
        if group is None:
            return
        recipients = Recipients(followers_of={group.id}, exclude_blocks_of=seller.id)
        for item in shared:
            announce_id = new_id()
            body = activities.group_share(self.urls.activity(announce_id), group, seller.uri, item)
            await self._store(group, announce_id, body, recipients)

    async def listing_published(self, listing: Listing) -> None:
        seller, group, document = await self._document(listing)
        # The Create shares the listing's id number, so deleting the listing withdraws it.
        create = self._with_context(activities.create(self.urls.activity(listing.id), document))
        await self._store(
            seller,
            listing.id,
            create,
            Recipients(followers_of={seller.id}, exclude_blocks_of=seller.id),
        )
        await self._group_shares(group, seller, create, listing.uri)

    async def listing_updated(self, listing: Listing) -> None:
        seller, group, document = await self._document(listing)
        activity_id = new_id()
        body = self._with_context(activities.update_note(self.urls.activity(activity_id), document))
        await self._store(seller, activity_id, body, Recipients(followers_of={seller.id}))
        await self._group_shares(group, seller, body)

    async def listing_deleted(self, listing: Listing) -> None:
        seller, group, _ = await self._document(listing)
        to, cc = listing_audience(seller, group)
        await self._withdraw(listing, seller, group)
        activity_id = new_id()
        body = activities.delete_note(
            self.urls.activity(activity_id), seller.uri, listing.uri, to=to, cc=cc
        )
        await self._store(seller, activity_id, body, Recipients(followers_of={seller.id}))
        await self._group_shares(group, seller, body)

    async def _withdraw(self, listing: Listing, seller: Actor, group: Actor | None) -> None:
        """Stop serving the activities that embed the listing's content or share it."""
        await OutgoingActivity.filter(id=listing.id, actor_id=seller.id).delete()
        if listing.published is None:
            return  # never published: nothing else was sent
        signers = [seller.id] + ([group.id] if group is not None else [])
        # Updates and Announces carry fresh ids; deletions are rare, so scanning the activities
        # since the listing was published costs less than an index every activity would pay for.
        rows = await OutgoingActivity.filter(
            actor_id__in=signers, created_at__gte=listing.published
        ).values_list("id", "body")
        create_uri = self.urls.activity(listing.id)
        stale = [
            row_id for row_id, body in rows if _mentions_listing(body, listing.uri, create_uri)
        ]
        if stale:
            await OutgoingActivity.filter(id__in=stale).delete()
