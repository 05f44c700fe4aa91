"""FEP-0837 orders: ``Offer{Agreement}`` from a remote buyer for one of our listings (and its
``Undo``, passed on by ``undo.py``), and the seller's ``Accept``/``Reject`` of an ``Offer`` we
sent (``accept.py`` passes those on when they answer no ``Follow``).

The agreement must be the buyer's own (its id on the buyer's server) and satisfy a local
listing whose seller the ``Offer`` is sent to. An offer the listing cannot take (sold, closed,
more than is available) is stored as declined and answered with ``Reject`` at once.
"""

from __future__ import annotations

from federation import vocab
from federation.convert.agreement import read_agreement
from federation.inbox.process import Inbound
from federation.publish_orders import AgreementPublisher
from node.services.market import orders


async def handle_offer(inbound: Inbound) -> None:
    received = read_agreement(inbound.object)
    if received is None or not vocab.same_origin(received.uri, inbound.actor.uri):
        return
    listing = await orders.local_listing_by_uri(received.listing_uri)
    if listing is None:
        return
    addressed = vocab.addressees(inbound.activity)
    if addressed and listing.seller.uri not in addressed:
        return
    publisher = AgreementPublisher(
        inbound.services.urls, default_language=inbound.services.settings.default_language
    )
    async with inbound.commit():
        order, declined = await orders.receive_order(
            inbound.actor,
            listing,
            uri=received.uri,
            offer_uri=inbound.id,
            quantity=received.quantity,
            unit_price_cents=received.unit_price_cents,
            message=received.message,
        )
        if declined:
            await publisher.order_declined(order)


def _answered_ids(inbound: Inbound) -> list[str]:
    """The ids an ``Accept``/``Reject`` names: its object (the ``Offer``), the embedded
    ``Offer``'s agreement, and its ``result``."""
    found: list[str] = []
    obj = inbound.object
    found.extend(i for i in [vocab.id_of(obj)] if i)
    if isinstance(obj, dict):
        found.extend(i for i in [vocab.id_of(obj.get("object"))] if i)
    found.extend(vocab.ids_of(inbound.activity.get("result")))
    return list(dict.fromkeys(found))


async def handle_order_answer(inbound: Inbound, *, accepted: bool) -> bool:
    """Apply a seller's answer to our order; False when it answers no order of ours."""
    order = await orders.sent_order(inbound.actor, _answered_ids(inbound))
    if order is None:
        return False
    async with inbound.commit():
        await orders.receive_decision(order, inbound.actor, accepted=accepted)
    return True


async def handle_undo_offer(inbound: Inbound, offer_uri: str) -> None:
    """``Undo{Offer}``: the remote buyer withdraws an order it sent us."""
    async with inbound.commit():
        await orders.receive_cancellation(inbound.actor, offer_uri)


async def is_offer(inbound: Inbound, uri: str | None) -> bool:
    """Whether ``uri`` is an ``Offer`` the sender sent us (an order)."""
    return uri is not None and await orders.is_offer_of(inbound.actor, uri)
