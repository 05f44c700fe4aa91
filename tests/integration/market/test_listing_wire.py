"""Listings on the wire (FEDERATION.md §5.2): what we send, the activities and deliveries
written with each change, and how received listings (ours and FEP-0837 peers') are stored."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from federation.convert.listing import listing_to_ap
from federation.convert.listing_in import ap_to_listing_fields, is_listing
from federation.publish_market import ListingPublisher
from node import clock
from node.models.actors import ActorKind
from node.models.jobs import Job
from node.models.market import Listing, ListingPhoto, ListingState, Shop
from node.models.peers import OutgoingActivity
from node.models.social import Follow, FollowState
from node.services.market import listings, remote
from node.services.market.listing_input import ListingInput
from node.services.market.mercado import ensure_market_group
from node.urls import Urls
from tests.integration.market.market_fakes import account_of, node_follows_group, shop
from tests.integration.market.test_listings_service import BREAD
from tests.support.fakes import remote_actor

__all__ = ["shop"]  # fixtures

pytestmark = pytest.mark.usefixtures("orm")
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


async def add_photos(listing: Listing, count: int) -> None:
    for n in range(count):
        await ListingPhoto.create(
            listing=listing, position=n, file_name=f"p{n}.webp", preview_name=f"p{n}-preview.jpg",
            media_type="image/webp", width=1200, height=900, size=1000,
            alt_text=f"Hogaza {n}", blurhash="LEHV6nWB2yk8pyo0adR*.7kCMdnj",
        )  # fmt: skip


async def test_a_listing_is_a_note_with_title_and_price_first_and_fep_0837_terms(
    shop: Shop, urls: Urls
) -> None:
    publisher = ListingPublisher(urls)
    listing = await listings.create_listing(
        publisher, urls, await account_of("ana"), BREAD, shop=shop
    )
    await add_photos(listing, 6)
    photos = list(await ListingPhoto.filter(listing_id=listing.id).order_by("position"))
    group = await ensure_market_group(urls)
    note: dict[str, Any] = listing_to_ap(listing, shop.actor, photos, urls, group=group)
    assert note["type"] == "Note" and "name" not in note
    assert note["content"].startswith("<p><strong>Pan de campo 1 kg — 3,00\xa0€</strong></p>")
    assert note["contentMap"] == {"es": note["content"]}
    assert note["to"] == [PUBLIC]
    assert note["cc"] == [shop.actor.uri + "/followers", group.uri]
    assert note["audience"] == group.uri
    assert len(note["attachment"]) == 4
    assert note["attachment"][0]["name"] == note["attachment"][0]["summary"] == "Hogaza 0"
    assert note["attachment"][0]["url"] == urls.media("p0.webp")
    assert [t["name"] for t in note["tag"]] == ["#Alimentacion", "#LaPalmaDelCondado", "#pan"]
    assert note["location"] == {"type": "Place", "name": "La Palma del Condado"}
    assert note["purpose"] == "offer"
    assert note["publishes"]["action"] == "transfer"
    assert note["publishes"]["availableQuantity"] == {"hasUnit": "one", "hasNumericalValue": "20"}
    assert note["reciprocal"]["resourceConformsTo"] == "https://www.wikidata.org/wiki/Q4916"
    assert note["reciprocal"]["resourceQuantity"]["hasNumericalValue"] == "3.00"
    assert note["category"] == "food" and note["listingState"] == "published"


async def test_publishing_writes_the_create_the_group_announces_and_one_delivery_per_inbox(
    shop: Shop, urls: Urls
) -> None:
    for name, host in (("eva", "faro.example"), ("rui", "faro.example"), ("lia", "lepe.example")):
        follower = await remote_actor(name, host)
        await Follow.create(follower=follower, target=shop.actor, state=FollowState.ACCEPTED,
                            uri=f"https://{host}/follows/{name}")  # fmt: skip
    group = await ensure_market_group(urls)
    await node_follows_group("lepe.example", group)
    listing = await listings.create_listing(
        ListingPublisher(urls), urls, await account_of("ana"), BREAD, shop=shop
    )
    rows = {row.id: row for row in await OutgoingActivity.all()}
    create = rows[listing.id].body
    assert create["type"] == "Create" and create["actor"] == shop.actor.uri
    assert create["object"]["id"] == listing.uri
    announces = [r.body for r in rows.values() if r.body["type"] == "Announce"]
    shared = {a["object"] if isinstance(a["object"], str) else a["object"]["id"] for a in announces}
    assert shared == {create["id"], listing.uri}
    # FEP-1b12: the group embeds the seller's Create unchanged (its context on the Announce).
    embedded = next(a for a in announces if isinstance(a["object"], dict))
    assert embedded["object"] == {k: v for k, v in create.items() if k != "@context"}
    assert embedded["@context"] == create["@context"]
    assert all(a["actor"] == group.uri for a in announces)
    inboxes = sorted(
        (j.payload["activity_id"] == listing.id, j.payload["inbox"])
        for j in await Job.filter(queue="deliver")
    )
    assert inboxes == [
        (False, "https://lepe.example/inbox"),
        (False, "https://lepe.example/inbox"),
        (True, "https://faro.example/inbox"),
        (True, "https://lepe.example/inbox"),
    ]


async def test_edits_and_state_changes_send_updates_and_deletion_a_tombstone(
    shop: Shop, urls: Urls
) -> None:
    publisher = ListingPublisher(urls)
    ana = await account_of("ana")
    listing = await listings.create_listing(publisher, urls, ana, BREAD, shop=shop)
    await listings.edit_listing(publisher, urls, ana, listing.id, ListingInput(price_cents=350))
    await listings.change_state(publisher, ana, listing.id, "sold")
    updates = [
        r.body for r in await OutgoingActivity.all().order_by("id") if r.body["type"] == "Update"
    ]
    assert len(updates) == 2
    assert updates[0]["object"]["updated"] < updates[1]["object"]["updated"]  # seconds on the wire
    sold = updates[1]["object"]
    assert sold["content"].startswith("<p><strong>VENDIDO · Pan de campo 1 kg — 3,50")
    assert sold["publishes"]["availableQuantity"]["hasNumericalValue"] == "0"
    assert sold["listingState"] == "sold"
    await listings.delete_listing(publisher, ana, listing.id)
    bodies = [r.body for r in await OutgoingActivity.all()]
    delete = next(b for b in bodies if b["type"] == "Delete")
    assert delete["object"] == {**delete["object"], "id": listing.uri, "type": "Tombstone"}
    assert not any(b["type"] == "Create" and b["object"]["id"] == listing.uri for b in bodies)


async def test_our_own_wire_format_round_trips_into_a_remote_listing(
    shop: Shop, urls: Urls
) -> None:
    listing = await listings.create_listing(
        ListingPublisher(urls), urls, await account_of("ana"),
        replace(BREAD, latitude=37.386, longitude=-6.553, price_kind="negotiable"), shop=shop,
    )  # fmt: skip
    document = listing_to_ap(listing, shop.actor, [], urls)
    document = {**document, "id": "https://faro.example/listings/1", "updated": None}
    assert is_listing(document)
    fields = ap_to_listing_fields(document)
    seller = await remote_actor("mar", "faro.example", kind=ActorKind.ORGANIZATION)
    stored = await remote.store_remote_listing(seller, fields)
    assert stored is not None and not stored.local
    assert (stored.title, stored.price_cents, stored.currency) == ("Pan de campo 1 kg", 300, "EUR")
    assert (stored.category, stored.quantity, stored.condition) == ("food", 20, "new")
    assert (stored.price_kind.value, stored.delivery) == ("negotiable", ["pickup"])
    assert (stored.city, stored.latitude, stored.longitude) == (
        "La Palma del Condado",
        37.386,
        -6.553,
    )
    assert stored.state is ListingState.PUBLISHED
    assert "lena" in stored.search_text
    # The page shows title, price, city and hashtags in their own places: the description is
    # the seller's text alone, not the lines written for Mastodon readers around it.
    assert document["content"].startswith("<p><strong>Pan de campo 1 kg")
    assert stored.description_html == listing.description_html


MITRA_PROPOSAL: dict[str, Any] = {
    "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/fep/0837"],
    "type": "Proposal",
    "id": "https://market.example/objects/42",
    "attributedTo": "https://market.example/users/mar",
    "name": "Clases de guitarra",
    "content": "<p>Una hora, <script>x()</script>en tu casa.</p>",
    "published": "2026-11-01T10:00:00Z",
    "purpose": "offer",
    "publishes": {"type": "Intent", "action": "deliverService",
                  "resourceQuantity": {"hasUnit": "one", "hasNumericalValue": "1"}},
    "reciprocal": {"type": "Intent", "action": "transfer",
                   "resourceConformsTo": "https://www.wikidata.org/wiki/Q4917",
                   "resourceQuantity": {"hasUnit": "one", "hasNumericalValue": "15.5"}},
    "location": {"type": "Place", "name": "Faro", "latitude": "not a number"},
    "tag": [{"type": "Hashtag", "name": "#Clases"}],
    "to": [PUBLIC],
}  # fmt: skip


async def test_a_fep_0837_proposal_from_other_software_is_stored_with_its_fields() -> None:
    seller = await remote_actor("mar", "market.example")
    stored = await remote.store_remote_listing(seller, ap_to_listing_fields(MITRA_PROPOSAL))
    assert stored is not None
    assert (stored.title, stored.kind.value, stored.purpose.value) == (
        "Clases de guitarra", "service", "offer"
    )  # fmt: skip
    assert (stored.price_cents, stored.currency, stored.price_kind.value) == (1550, "USD", "fixed")
    assert stored.category == "lessons"  # from the #Clases hashtag
    assert (stored.city, stored.latitude) == ("Faro", None)
    assert "<script" not in stored.description_html


async def test_stale_updates_are_ignored_and_deleted_ids_never_come_back() -> None:
    seller = await remote_actor("mar", "market.example")
    first = ap_to_listing_fields(MITRA_PROPOSAL)
    await remote.store_remote_listing(seller, first)
    newer = replace(first, title="Clases de laúd", updated=clock.now())
    assert (await remote.store_remote_listing(seller, newer)).title == "Clases de laúd"  # type: ignore[union-attr]
    older = replace(first, title="Viejo", updated=clock.now() - timedelta(days=1))
    assert (await remote.store_remote_listing(seller, older)).title == "Clases de laúd"  # type: ignore[union-attr]
    intruder = await remote_actor("eve", "evil.example")
    with pytest.raises(Exception, match="cannot speak for"):
        await remote.store_remote_listing(intruder, first)
    from node.models.social import Tombstone

    await remote.delete_remote_listing(first.uri, seller)
    await Tombstone.create(uri=first.uri)
    assert await remote.store_remote_listing(seller, first) is None
    assert await Listing.all().count() == 0
