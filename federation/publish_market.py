"""``ListingPublisher``: the ``node.ports.MarketPublisher`` — listings as activities.

Same contract as ``federation.publish``: called inside the change's transaction, it stores each
activity as an ``OutgoingActivity`` and writes one delivery job per distinct remote inbox.

- ``Create{Note}`` to the seller's followers; the city market group then shares it with its own
  followers twice, as Lemmy does for FEP-1b12 groups: ``Announce{Create}`` (the unchanged
  activity, for group-aware software) and ``Announce{Note}`` (a boost Mastodon shows).
- ``Update{Note}`` (with a new ``updated``) and ``Delete{Tombstone}`` to the seller's followers.
"""

from __future__ import annotations

from federation.convert import activities
from federation.convert.listing import LISTING_CONTEXT, listing_audience, listing_to_ap
from federation.delivery.fanout import Recipients, fan_out
from federation.vocab import PUBLIC, Json
from node.ids import new_id
from node.models.actors import Actor
from node.models.market import Listing, ListingPhoto
from node.models.peers import OutgoingActivity
from node.services.market.mercado import market_group
from node.urls import Urls


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
        if group is None:
            return
        shared_with = Recipients(followers_of={group.id}, exclude_blocks_of=seller.id)
        for shared in (create["id"], listing.uri):
            announce_id = new_id()
            body = activities.announce(
                self.urls.activity(announce_id),
                group.uri,
                shared,
                to=[PUBLIC],
                cc=[group.followers_url or group.uri + "/followers", seller.uri],
            )
            await self._store(group, announce_id, body, shared_with)

    async def listing_updated(self, listing: Listing) -> None:
        seller, _, document = await self._document(listing)
        activity_id = new_id()
        body = self._with_context(activities.update_note(self.urls.activity(activity_id), document))
        await self._store(seller, activity_id, body, Recipients(followers_of={seller.id}))

    async def listing_deleted(self, listing: Listing) -> None:
        seller, group, _ = await self._document(listing)
        to, cc = listing_audience(seller, group)
        # Stop serving the activities that embed the listing's content.
        await OutgoingActivity.filter(id=listing.id, actor_id=seller.id).delete()
        activity_id = new_id()
        body = activities.delete_note(
            self.urls.activity(activity_id), seller.uri, listing.uri, to=to, cc=cc
        )
        await self._store(seller, activity_id, body, Recipients(followers_of={seller.id}))
