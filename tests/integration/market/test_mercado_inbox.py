"""A node that follows another city's market group (and not its shops) through the real inbox
(signed POSTs, the queue, the handlers): the group's ``Announce{Create|Update|Delete}`` of a
listing (FEP-1b12) store it with its structured fields, mark it sold and remove it; the same
listing arriving directly from the shop is stored once; forged shares store nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from federation.inbox.backfill import outbox_items
from federation.inbox.handlers.group_share import checked_origin
from federation.inbox.handlers.listing import listing_fields
from node.appkeys import JOBS, MARKET_PUBLISHER, SETTINGS, URLS
from node.config import Settings
from node.jobs.worker import drain
from node.main import create_app
from node.models.actors import Actor, ActorKind
from node.models.jobs import Job
from node.models.market import Listing, ListingState
from node.models.social import Follow, FollowState, Note, Tombstone
from node.services.accounts.accounts import create_account
from node.services.market import listings, shops
from node.services.market.mercado import ensure_market_group
from tests.integration.federation.inbox_material import ActorServer, RemoteActor, post_signed
from tests.integration.market.test_listings_service import BREAD

Client = TestClient  # type: ignore[type-arg]
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


@dataclass
class City:
    """A remote city node: its market group and one shop, on one host."""

    server: ActorServer
    group: RemoteActor
    shop: RemoteActor


@asynccontextmanager
async def city(group: str, shop: str) -> AsyncIterator[City]:
    """A remote city on a loopback server of its own, closed after the test."""
    server = await ActorServer().start()
    try:
        yield City(server, server.actor(group), server.actor(shop))
    finally:
        await server.close()


def app_reaching(settings: Settings, *cities: City) -> web.Application:
    """Our node, allowed to fetch from the cities' loopback servers; workers off."""
    allowed = frozenset(c.server.authority for c in cities)
    return create_app(settings.with_overrides(allow_private_hosts=allowed), run_workers=False)


@pytest.fixture
async def lapalma() -> AsyncIterator[City]:
    async with city("mercado", "rocio") as found:
        yield found


@pytest.fixture
async def elsewhere() -> AsyncIterator[City]:
    async with city("community", "mallory") as found:
        yield found


@pytest.fixture
def app(settings: Settings, lapalma: City, elsewhere: City) -> web.Application:
    return app_reaching(settings, lapalma, elsewhere)


async def follow_as_node(client: Client, group: RemoteActor) -> None:
    """Our instance actor follows ``group`` (what peering sets up)."""
    target = await group.store()
    instance = await Actor.get(uri=client.app[URLS].instance_actor())
    await Follow.create(follower=instance, target=target, state=FollowState.ACCEPTED,
                        uri=client.app[URLS].activity(1))  # fmt: skip


async def deliver(client: Client, sender: RemoteActor, activity: dict[str, Any]) -> None:
    status, answer = await post_signed(client, sender, activity)
    assert status == 202, answer
    await drain(client.app[JOBS], client.app[SETTINGS], queues=["inbox"])
    assert await Job.filter(queue="inbox").count() == 0


def listing_note(shop: RemoteActor, n: int = 1, **change: Any) -> dict[str, Any]:
    return {
        "id": f"{shop.base}/listings/{n}",
        "type": "Note",
        "attributedTo": shop.uri,
        "content": "<p><strong>Pan de campo 1 kg — 3,00 €</strong></p><p>Masa madre.</p>",
        "contentMap": {"es": "<p><strong>Pan de campo 1 kg — 3,00 €</strong></p>"},
        "published": "2026-11-01T10:00:00Z",
        "to": [PUBLIC],
        "cc": [shop.uri + "/followers"],
        "title": "Pan de campo 1 kg",
        "purpose": "offer",
        "category": "food",
        "location": {"type": "Place", "name": "La Palma del Condado"},
        "publishes": {"type": "Intent", "action": "transfer",
                      "availableQuantity": {"hasUnit": "one", "hasNumericalValue": "20"}},
        "reciprocal": {"type": "Intent", "action": "transfer",
                       "resourceConformsTo": "https://www.wikidata.org/wiki/Q4916",
                       "resourceQuantity": {"hasUnit": "one", "hasNumericalValue": "3.00"}},
        **change,
    }  # fmt: skip


def shared(group: RemoteActor, activity: dict[str, Any]) -> dict[str, Any]:
    """The group's FEP-1b12 share: the activity embedded unchanged."""
    inner = {k: v for k, v in activity.items() if k != "@context"}
    return group.activity("Announce", inner, to=[PUBLIC], cc=[group.uri + "/followers"])


async def search(client: Client, **filters: str) -> list[str]:
    query = "&".join(f"{k}={quote(v)}" for k, v in filters.items())
    found = await (await client.get("/api/v1/listings?" + query)).json()
    return [item["uri"] for item in found]


async def test_a_node_following_only_the_group_gets_the_listing_its_sale_and_its_deletion(
    client: Client, lapalma: City
) -> None:
    await follow_as_node(client, lapalma.group)
    note = listing_note(lapalma.shop)
    create = lapalma.shop.activity("Create", note)
    await deliver(client, lapalma.group, shared(lapalma.group, create))
    listing = await Listing.get(uri=note["id"])
    assert (listing.title, listing.price_cents, listing.quantity, listing.category) == (
        "Pan de campo 1 kg", 300, 20, "food")  # fmt: skip
    assert (listing.local, listing.city) == (False, "La Palma del Condado")
    assert (await listing.seller).uri == lapalma.shop.uri
    node = lapalma.server.authority
    assert await search(client, q="pan", node=node, city="La Palma del Condado") == [note["id"]]
    assert await search(client, q="pan", node="faro.example") == []
    # The market page offers the listing's node as a filter and shows where it comes from.
    page = await (await client.get(f"/mercado?node={node}")).text()
    assert f'<option value="{node}">' in page
    assert f'<bdi dir="ltr">{node}</bdi>' in page and "Pan de campo 1 kg" in page

    # The shop's own Create (to a follower here) and the group's boost: still one listing.
    await deliver(client, lapalma.shop, create)
    lapalma.server.serve(note)
    await deliver(client, lapalma.group, lapalma.group.activity("Announce", note["id"]))
    assert await Listing.filter(uri=note["id"]).count() == 1
    assert await Note.filter(uri=note["id"]).count() == 1

    sold = listing_note(lapalma.shop, updated="2026-11-02T10:00:00Z", listingState="sold")
    await deliver(
        client, lapalma.group, shared(lapalma.group, lapalma.shop.activity("Update", sold))
    )
    assert (await Listing.get(uri=note["id"])).state is ListingState.SOLD
    assert await search(client, q="pan") == []

    delete = lapalma.shop.activity("Delete", {"id": note["id"], "type": "Tombstone"})
    await deliver(client, lapalma.group, shared(lapalma.group, delete))
    assert not await Listing.filter(uri=note["id"]).exists()
    assert not await Note.filter(uri=note["id"]).exists()
    assert await Tombstone.filter(uri=note["id"]).exists()

    # A replayed share of the Create (a new Announce id) does not bring it back.
    await deliver(client, lapalma.group, shared(lapalma.group, create))
    assert not await Listing.filter(uri=note["id"]).exists()


async def test_a_share_whose_object_is_not_its_actors_own_is_dropped(
    client: Client, lapalma: City, elsewhere: City
) -> None:
    await follow_as_node(client, lapalma.group)
    foreign = listing_note(lapalma.shop, id=f"{elsewhere.server.base}/listings/9")
    await deliver(client, lapalma.group,
                  shared(lapalma.group, lapalma.shop.activity("Create", foreign)))  # fmt: skip
    other_author = listing_note(lapalma.shop, attributedTo=elsewhere.shop.uri)
    await deliver(client, lapalma.group,
                  shared(lapalma.group, lapalma.shop.activity("Create", other_author)))  # fmt: skip
    assert await Listing.all().count() == 0
    assert await Note.all().count() == 0


async def test_shares_from_another_host_are_checked_against_the_origin(
    client: Client, lapalma: City, elsewhere: City
) -> None:
    genuine = listing_note(lapalma.shop)
    lapalma.server.serve(genuine)
    forged = listing_note(lapalma.shop, title="Bicicleta regalada", content="<p>Gratis</p>")
    create = lapalma.shop.activity("Create", forged)

    # Somebody nobody here follows: nothing is stored, the origin is not even asked.
    await deliver(client, elsewhere.shop, shared(elsewhere.shop, create))
    assert await Listing.all().count() == 0
    assert lapalma.server.hits.get("/listings/1", 0) == 0

    # A followed group on another host: the origin's listing is stored, not the embedded copy.
    await follow_as_node(client, elsewhere.group)
    await deliver(client, elsewhere.group, shared(elsewhere.group, create))
    listing = await Listing.get(uri=genuine["id"])
    assert listing.title == "Pan de campo 1 kg"
    assert lapalma.server.hits["/listings/1"] == 1

    # A Delete relayed from another host while the origin still serves the listing: kept.
    delete = lapalma.shop.activity("Delete", {"id": genuine["id"], "type": "Tombstone"})
    await deliver(client, elsewhere.group, shared(elsewhere.group, delete))
    assert await Listing.filter(uri=genuine["id"]).exists()
    # Once the origin no longer has it (404), the relayed Delete counts.
    del lapalma.server.documents["/listings/1"]
    await deliver(client, elsewhere.group, shared(elsewhere.group, delete))
    assert not await Listing.filter(uri=genuine["id"]).exists()


async def test_a_lemmy_style_share_of_the_bare_post_is_taken_from_its_origin(
    client: Client, lapalma: City, elsewhere: City
) -> None:
    genuine = listing_note(lapalma.shop, n=2)
    lapalma.server.serve(genuine)
    forged = listing_note(lapalma.shop, n=2, title="Bicicleta regalada")
    await follow_as_node(client, elsewhere.group)
    await deliver(client, elsewhere.group, elsewhere.group.activity("Announce", forged))
    listing = await Listing.get(uri=genuine["id"])
    assert (listing.title, listing.price_cents) == ("Pan de campo 1 kg", 300)
    assert lapalma.server.hits["/listings/2"] == 1


async def test_a_group_that_accepts_our_node_is_read_back_for_what_it_shared_before(
    client: Client, lapalma: City, elsewhere: City
) -> None:
    urls = client.app[URLS]
    group = await lapalma.group.store()
    group.kind, group.outbox_url = ActorKind.GROUP, lapalma.group.uri + "/outbox"
    await group.save()
    instance = await Actor.get(uri=urls.instance_actor())
    follow = await Follow.create(follower=instance, target=group, uri=urls.activity(7))

    bread, honey = listing_note(lapalma.shop, n=3), listing_note(lapalma.shop, n=4)
    sold = listing_note(lapalma.shop, n=3, updated="2026-11-02T10:00:00Z", listingState="sold")
    stranger = listing_note(elsewhere.shop, n=5)
    shares = [  # newest first, as an outbox lists them
        shared(lapalma.group, lapalma.shop.activity("Update", sold)),
        shared(lapalma.group, elsewhere.shop.activity("Create", stranger)),
        shared(lapalma.group, lapalma.shop.activity("Create", honey)),
        lapalma.group.activity("Announce", bread["id"]),
        shared(lapalma.group, lapalma.shop.activity("Create", bread)),
    ]
    page = f"{lapalma.group.uri}/outbox/page-1"
    lapalma.server.serve({"id": group.outbox_url, "type": "OrderedCollection", "first": page})
    lapalma.server.serve({"id": page, "type": "OrderedCollectionPage", "orderedItems": shares})

    await deliver(client, lapalma.group, lapalma.group.activity("Accept", follow.uri))
    assert (await Follow.get(id=follow.id)).state is FollowState.ACCEPTED
    await drain(client.app[JOBS], client.app[SETTINGS], queues=["backfill"])
    stored = {x.uri: x.state for x in await Listing.all()}
    assert stored == {bread["id"]: ListingState.SOLD, honey["id"]: ListingState.PUBLISHED}
    assert not await Job.filter(queue="backfill").exists()


class ClientFetcher:
    """Reads our own node's documents through the test client, as a peer's fetcher would."""

    def __init__(self, client: Client) -> None:
        self.client = client

    async def get_json(self, url: str) -> dict[str, Any]:
        path = "/" + url.split("/", 3)[3]
        response = await self.client.get(path, headers={"Accept": "application/activity+json"})
        assert response.status == 200, url
        document: dict[str, Any] = await response.json(content_type=None)
        return document


async def test_our_group_outbox_is_what_a_peers_backfill_reads(client: Client) -> None:
    urls = client.app[URLS]
    account = await create_account(urls, username="ana", email="a@x.org", password="long enough pw")
    shop = await shops.open_shop(urls, account, "rocio", shops.ShopDetails(city="Lepe"))
    publisher = client.app[MARKET_PUBLISHER]
    listing = await listings.create_listing(publisher, urls, account, BREAD, shop=shop)
    await listings.change_state(publisher, account, listing.id, "sold")
    group = await ensure_market_group(urls)

    items = await outbox_items(ClientFetcher(client), group.uri + "/outbox")  # type: ignore[arg-type]
    shares = [i["object"] for i in items if isinstance(i["object"], dict)]
    assert [s["type"] for s in shares] == ["Update", "Create"]  # newest first
    for share in shares:
        author, object_id, document = checked_origin(share) or ("", "", None)
        assert (author, object_id) == (shop.actor.uri, listing.uri)
        assert listing_fields(document) is not None
