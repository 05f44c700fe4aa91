"""A plain boost (``Announce`` of a listing's id) through the real inbox follows the rule of group
shares: a listing new here joins the catalogue only when one of our actors follows the announcer
or the seller; the boosted post itself is kept as any boost."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from node.config import Settings
from node.models.market import Listing
from node.models.social import Note
from tests.integration.market.test_mercado_inbox import (
    City,
    Client,
    app_reaching,
    city,
    deliver,
    follow_as_node,
    listing_note,
)


@pytest.fixture
async def lapalma() -> AsyncIterator[City]:
    async with city("mercado", "rocio") as found:
        yield found


@pytest.fixture
async def stranger() -> AsyncIterator[City]:
    async with city("community", "mallory") as found:
        yield found


@pytest.fixture
def app(settings: Settings, lapalma: City, stranger: City) -> web.Application:
    return app_reaching(settings, lapalma, stranger)


async def test_a_boost_from_an_account_nobody_follows_does_not_fill_the_catalogue(
    client: Client, lapalma: City, stranger: City
) -> None:
    note = listing_note(lapalma.shop)
    lapalma.server.serve(note)
    await deliver(client, stranger.shop, stranger.shop.activity("Announce", note["id"]))
    assert not await Listing.filter(uri=note["id"]).exists()
    assert await Note.filter(uri=note["id"]).exists()  # the boosted post, as any boost
    assert await (await client.get("/api/v1/listings?q=pan")).json() == []


async def test_a_boost_of_a_followed_sellers_listing_is_stored_whoever_boosts_it(
    client: Client, lapalma: City, stranger: City
) -> None:
    note = listing_note(lapalma.shop, n=3)
    lapalma.server.serve(note)
    await follow_as_node(client, lapalma.shop)
    await deliver(client, stranger.shop, stranger.shop.activity("Announce", note["id"]))
    listing = await Listing.get(uri=note["id"])
    assert (listing.title, listing.price_cents) == ("Pan de campo 1 kg", 300)
    found = await (await client.get("/api/v1/listings?q=pan")).json()
    assert [item["uri"] for item in found] == [note["id"]]


async def test_a_boost_by_a_followed_group_stores_the_listing(
    client: Client, lapalma: City, stranger: City
) -> None:
    note = listing_note(lapalma.shop, n=4)
    lapalma.server.serve(note)
    await follow_as_node(client, stranger.group)
    await deliver(client, stranger.group, stranger.group.activity("Announce", note["id"]))
    assert await Listing.filter(uri=note["id"]).exists()
