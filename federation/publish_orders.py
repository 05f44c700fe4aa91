"""``AgreementPublisher``: the ``node.ports.OrderPublisher`` — orders as FEP-0837 activities.

Same contract as ``federation.publish``: called inside the change's transaction, it stores each
activity as an ``OutgoingActivity`` and writes one delivery job per remote inbox. Orders
between two local actors produce nothing but the listing's ``Update`` on acceptance.
"""

from __future__ import annotations

from federation.convert import activities, agreement
from federation.delivery.fanout import Recipients, fan_out
from federation.publish_market import ListingPublisher
from federation.vocab import Json
from node.ids import new_id
from node.models.actors import Actor
from node.models.market import Listing
from node.models.orders import Order
from node.models.peers import OutgoingActivity


class AgreementPublisher(ListingPublisher):
    """Implements ``node.ports.OrderPublisher``; set on the app as ``ORDER_PUBLISHER``."""

    async def _parties(self, order: Order) -> tuple[Listing, Actor, Actor]:
        await order.fetch_related("listing", "buyer", "seller")
        return order.listing, order.buyer, order.seller

    async def order_offered(self, order: Order) -> None:
        listing, buyer, seller = await self._parties(order)
        if not buyer.local or seller.local:
            return
        activity_id = new_id()
        uri = order.offer_uri or self.urls.activity(activity_id)
        body = agreement.offer(uri, order, listing, buyer, seller)
        await self._private(buyer, activity_id, body, seller)

    async def order_accepted(self, order: Order, listing: Listing) -> None:
        _, buyer, seller = await self._parties(order)
        if not seller.local:
            return
        if listing.local:
            # The new availability: to the seller's followers and to the buyer, who may not
            # follow the seller but holds a copy of the listing; the market group re-shares it.
            _, group, document = await self._document(listing)
            update_id = new_id()
            update = self._with_context(
                activities.update_note(self.urls.activity(update_id), document)
            )
            extra = {buyer.id} if not buyer.local else set()
            await self._store(
                seller,
                update_id,
                update,
                Recipients(followers_of={seller.id}, actor_ids=extra),
            )
            await self._group_shares(group, seller, update)
        if not buyer.local:
            activity_id = new_id()
            body = agreement.answer(
                "Accept", self.urls.activity(activity_id), order, listing, seller, buyer
            )
            await self._private(seller, activity_id, body, buyer)

    async def order_declined(self, order: Order) -> None:
        listing, buyer, seller = await self._parties(order)
        if buyer.local or not seller.local:
            return
        activity_id = new_id()
        body = agreement.answer(
            "Reject", self.urls.activity(activity_id), order, listing, seller, buyer
        )
        await self._private(seller, activity_id, body, buyer)

    async def order_cancelled(self, order: Order) -> None:
        _, buyer, seller = await self._parties(order)
        if not buyer.local or seller.local:
            return
        activity_id = new_id()
        body = agreement.withdraw(self.urls.activity(activity_id), order, buyer, seller)
        await self._private(buyer, activity_id, body, seller)

    async def _private(self, signer: Actor, activity_id: int, body: Json, to: Actor) -> None:
        row = await OutgoingActivity.create(
            id=activity_id, uri=body["id"], actor=signer, body=body, public=False
        )
        await fan_out(row.id, signer.id, Recipients(actor_ids={to.id}))
