"""Listings from other software through the real inbox (signed POST, queue, handler): a
FEP-0837 ``Proposal`` and a ``Note`` with FEP-0837 terms are stored as remote listings with their
fields, updated when newer, removed and tombstoned on ``Delete``; a plain note stays a note."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from node.config import Settings
from node.main import create_app
from node.models.market import Listing, ListingState
from node.models.social import Note, Tombstone
from tests.integration.federation.inbox_material import RemoteActor, deliver, post_signed

Client = TestClient  # type: ignore[type-arg]


@pytest.fixture
def app(settings: Settings) -> web.Application:
    return create_app(settings, run_workers=False)


@pytest.fixture
async def mar(client: Client) -> RemoteActor:
    remote = RemoteActor(uri="https://market.example/users/mar")
    await remote.store()
    return remote


def proposal(mar: RemoteActor, **extra: Any) -> dict[str, Any]:
    return {
        "id": "https://market.example/proposals/7",
        "type": "Proposal",
        "attributedTo": mar.uri,
        "name": "Miel de romero 500 g",
        "content": "<p>De Almonte.</p>",
        "published": "2026-11-01T10:00:00Z",
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "purpose": "offer",
        "publishes": {"type": "Intent", "action": "transfer",
                      "availableQuantity": {"hasUnit": "one", "hasNumericalValue": "12"}},
        "reciprocal": {"type": "Intent", "action": "transfer",
                       "resourceConformsTo": "https://www.wikidata.org/wiki/Q4916",
                       "resourceQuantity": {"hasUnit": "one", "hasNumericalValue": "6.50"}},
        "location": {"type": "Place", "name": "Almonte", "latitude": 37.26, "longitude": -6.52},
        "tag": [{"type": "Hashtag", "name": "#Alimentacion"}],
        **extra,
    }  # fmt: skip


async def test_a_proposal_is_stored_as_a_listing_and_follows_updates_and_deletes(
    client: Client, mar: RemoteActor
) -> None:
    await deliver(client, mar, mar.activity("Create", proposal(mar)))
    listing = await Listing.get(uri="https://market.example/proposals/7")
    assert (listing.title, listing.price_cents, listing.quantity) == (
        "Miel de romero 500 g",
        650,
        12,
    )
    assert (listing.category, listing.city, listing.local) == ("food", "Almonte", False)
    assert not await Note.filter(uri=listing.uri).exists()  # a Proposal is no timeline post
    found = await (await client.get("/api/v1/listings?q=miel&city=almonte")).json()
    assert [item["uri"] for item in found] == [listing.uri]

    sold = proposal(mar, updated="2026-11-02T10:00:00Z", publishes={
        "type": "Intent", "action": "transfer",
        "availableQuantity": {"hasUnit": "one", "hasNumericalValue": "0"}})  # fmt: skip
    await deliver(client, mar, mar.activity("Update", sold))
    assert (await Listing.get(uri=listing.uri)).state is ListingState.SOLD
    assert await (await client.get("/api/v1/listings?q=miel")).json() == []

    tombstone = {"id": listing.uri, "type": "Tombstone"}
    await deliver(client, mar, mar.activity("Delete", tombstone))
    assert not await Listing.filter(uri=listing.uri).exists()
    assert await Tombstone.filter(uri=listing.uri).exists()
    await deliver(client, mar, mar.activity("Create", proposal(mar)))
    assert not await Listing.filter(uri=listing.uri).exists()


async def test_a_fep_0837_note_is_both_a_post_and_a_listing_a_plain_note_only_a_post(
    client: Client, mar: RemoteActor
) -> None:
    listing_note = mar.note("<p>Vendo bici</p>", purpose="offer", tag=[
        {"type": "Hashtag", "name": "#Mercadillo"}])  # fmt: skip
    await deliver(client, mar, mar.activity("Create", listing_note))
    plain = mar.note("<p>Buenos días</p>")
    await deliver(client, mar, mar.activity("Create", plain))
    assert await Note.filter(uri__in=[listing_note["id"], plain["id"]]).count() == 2
    stored = await Listing.all()
    assert [(x.uri, x.title, x.category, x.price_kind.value) for x in stored] == [
        (listing_note["id"], "Vendo bici", "other", "on_request")
    ]


async def test_a_listing_attributed_to_someone_else_is_refused(
    client: Client, mar: RemoteActor
) -> None:
    forged = proposal(mar, attributedTo="https://other.example/users/x")
    status, _ = await post_signed(client, mar, mar.activity("Create", forged))
    assert status == 403
    assert await Listing.all().count() == 0
