"""What the city market group sends (FEP-1b12): besides sharing each new listing, it re-shares
the seller's ``Update`` (an edit, a sale, the availability after an order) and ``Delete``
unchanged, to the group's followers;
deleting a listing stops serving every activity that embeds or shares it."""

from __future__ import annotations

import pytest

from federation.publish_market import ListingPublisher
from federation.publish_orders import AgreementPublisher
from node.models.jobs import Job
from node.models.market import Shop
from node.models.peers import OutgoingActivity
from node.services.market import listings, orders
from node.services.market.listing_input import ListingInput
from node.services.market.mercado import ensure_market_group
from node.urls import Urls
from tests.integration.market.market_fakes import account_of, node_follows_group, shop
from tests.integration.market.test_listings_service import BREAD
from tests.support.fakes import local_person

__all__ = ["shop"]  # fixtures

pytestmark = pytest.mark.usefixtures("orm")


async def deliveries_of(activity_id: int) -> list[Job]:
    return [j for j in await Job.filter(queue="deliver") if j.payload["activity_id"] == activity_id]


async def test_the_group_reshares_updates_and_deletes_to_its_followers_only(
    shop: Shop, urls: Urls
) -> None:
    group = await ensure_market_group(urls)
    await node_follows_group("faro.example", group)
    publisher, ana = ListingPublisher(urls), await account_of("ana")
    listing = await listings.create_listing(publisher, urls, ana, BREAD, shop=shop)
    await listings.change_state(publisher, ana, listing.id, "sold")

    rows = await OutgoingActivity.all().order_by("id")
    update = next(r for r in rows if r.body["type"] == "Update")
    [reshare] = [r for r in rows if r.body["type"] == "Announce" and r.id > update.id]
    assert reshare.body["actor"] == group.uri
    assert reshare.body["object"] == {k: v for k, v in update.body.items() if k != "@context"}
    assert reshare.body["object"]["object"]["listingState"] == "sold"
    jobs = await deliveries_of(reshare.id)
    assert [j.payload["inbox"] for j in jobs] == ["https://faro.example/inbox"]
    # The shop has no remote follower: its Update itself goes nowhere.
    assert not await deliveries_of(update.id)

    await listings.delete_listing(publisher, ana, listing.id)
    bodies = [r.body for r in await OutgoingActivity.all().order_by("id")]
    delete = next(b for b in bodies if b["type"] == "Delete")
    assert delete["object"]["id"] == listing.uri
    announces = [b for b in bodies if b["type"] == "Announce"]
    # Only the share of the Delete is still served: the shares of the Create, of the note and
    # of the Update embedded or pointed at the listing, and were withdrawn with it.
    assert [a["object"] for a in announces] == [
        {k: v for k, v in delete.items() if k != "@context"}
    ]
    assert not any(b["type"] in ("Create", "Update") for b in bodies)


async def test_a_local_only_edit_shares_nothing_when_nobody_follows_the_group(
    shop: Shop, urls: Urls
) -> None:
    publisher, ana = ListingPublisher(urls), await account_of("ana")
    listing = await listings.create_listing(publisher, urls, ana, BREAD, shop=shop)
    await listings.edit_listing(publisher, urls, ana, listing.id, ListingInput(price_cents=350))
    assert await Job.filter(queue="deliver").count() == 0


async def test_the_new_availability_after_an_order_is_reshared_too(shop: Shop, urls: Urls) -> None:
    group = await ensure_market_group(urls)
    await node_follows_group("faro.example", group)
    publisher = AgreementPublisher(urls)
    listing = await listings.create_listing(publisher, urls, await account_of("ana"), BREAD,
                                            shop=shop)  # fmt: skip
    await local_person(urls, "pep")
    order = await orders.place_order(publisher, urls, await account_of("pep"), listing.id,
                                     quantity=20)  # fmt: skip
    await orders.accept_order(publisher, await account_of("ana"), order.id)

    [reshare] = [r for r in await OutgoingActivity.filter(actor_id=group.id)
                 if isinstance(r.body["object"], dict) and r.body["object"]["type"] == "Update"]  # fmt: skip
    sold_out = reshare.body["object"]["object"]["publishes"]["availableQuantity"]
    assert sold_out["hasNumericalValue"] == "0"
    assert [j.payload["inbox"] for j in await deliveries_of(reshare.id)] == [
        "https://faro.example/inbox"
    ]
