"""What the marketplace actually publishes validates against the schemas: the listing ``Note``
in its Create/Update/Delete (and at its id), and the FEP-0837 ``Agreement`` in the Offer, Accept,
Reject and Undo that real order services write."""

from __future__ import annotations

import copy
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient

from node import clock
from node.appkeys import MARKET_PUBLISHER, ORDER_PUBLISHER
from node.models.actors import Actor
from node.models.market import Listing, ListingPhoto, ListingState
from node.models.peers import OutgoingActivity
from node.services.accounts import accounts
from node.services.market import listings, orders, shops
from node.services.market.listing_input import ListingInput
from node.urls import Urls
from tests.contract.test_published_activities import AS2, SCHEMA_OF, Checker
from tests.contract.validation import assert_valid, errors
from tests.integration.market.test_listings_service import BREAD


class MarketChecker(Checker):
    """The city market group shares a listing's Create as ``Announce`` with the activity
    embedded (FEP-1b12, the mercado work): the Announce is checked, and so are the embedded
    activity and its listing against their own schemas; the rest as the base checker does."""

    async def __call__(self) -> None:
        for row in await OutgoingActivity.all():
            embedded = row.body.get("object")
            if row.body["type"] != "Announce" or not isinstance(embedded, dict):
                continue
            if row.uri not in self.seen:
                assert_valid("announce.schema.json", row.body)
                assert_valid(
                    SCHEMA_OF[embedded["type"]], {**embedded, "@context": row.body["@context"]}
                )
                self.seen[row.uri] = f"Announce{{{embedded['type']}}}"
        await super().__call__()


async def _remote(name: str) -> Actor:
    uri = f"https://faro.example/users/{name}"
    return await Actor.create(uri=uri, username=name, domain="faro.example",
                              inbox_url=uri + "/inbox", shared_inbox_url="https://faro.example/inbox",
                              followers_url=uri + "/followers", fetched_at=clock.now())  # fmt: skip


async def test_every_market_activity_the_services_publish_validates(
    client: TestClient,  # type: ignore[type-arg]
    app: web.Application,
    urls: Urls,
) -> None:
    check = MarketChecker(client)
    market, deals = app[MARKET_PUBLISHER], app[ORDER_PUBLISHER]
    account = await accounts.create_account(
        urls, username="ana", email="ana@example.org", password="a long password"
    )
    shop = await shops.open_shop(urls, account, "rocio", shops.ShopDetails(city="Lepe"))
    listing = await listings.create_listing(market, urls, account, BREAD, shop=shop)
    await ListingPhoto.create(listing=listing, position=0, file_name="abcdefgh.webp",
                              preview_name="abcdefgh-preview.jpg", media_type="image/webp",
                              width=1200, height=900, size=1000, alt_text="Hogaza")  # fmt: skip
    await check()
    await listings.edit_listing(market, urls, account, listing.id, ListingInput(price_cents=350))
    await check()
    served = await client.get(f"/listings/{listing.id}", headers={"Accept": AS2})
    assert served.status == 200
    assert_valid("listing.schema.json", await served.json(content_type=None))

    # A buyer on faro.example orders twice: one order is accepted, the other declined.
    bob = await _remote("bob")
    for n, decide in ((1, orders.accept_order), (2, orders.decline_order)):
        order, _ = await orders.receive_order(
            bob, listing, uri=f"https://faro.example/agreements/{n}",
            offer_uri=f"https://faro.example/activities/offer-{n}", quantity=2,
        )  # fmt: skip
        await decide(deals, account, order.id)
        await check()

    # Ana orders from a shop on faro.example, then withdraws.
    seller = await _remote("forno")
    theirs = await Listing.create(uri="https://faro.example/listings/5", local=False,
                                  seller=seller, title="Queso", category="food",
                                  price_cents=900, state=ListingState.PUBLISHED,
                                  published=clock.now())  # fmt: skip
    placed = await orders.place_order(deals, urls, account, theirs.id, quantity=1, message="Hola")
    await check()
    await orders.cancel_order(deals, account, placed.id)
    await check()
    await listings.delete_listing(market, account, listing.id)
    await check()

    assert {"Create", "Update{Note}", "Delete{Tombstone}", "Offer", "Accept", "Reject",
            "Undo{Offer}"} <= set(check.seen.values())  # fmt: skip


def test_the_listing_and_agreement_schemas_reject_drift() -> None:
    from tests.contract import golden

    golden._relations_ready()
    note: dict[str, Any] = golden.EXAMPLES["listing-bread"]()
    assert errors("listing.schema.json", note) == []
    named = {**note, "name": "Pan de campo"}  # GoToSocial would show it as a content warning
    assert errors("listing.schema.json", named)
    wrong_currency = copy.deepcopy(note)
    wrong_currency["reciprocal"]["resourceConformsTo"] = "EUR"
    assert errors("listing.schema.json", wrong_currency)
    agreement: dict[str, Any] = golden.EXAMPLES["agreement"]()
    swapped = copy.deepcopy(agreement)
    swapped["stipulates"]["satisfies"] = swapped["stipulatesReciprocal"]["satisfies"]
    assert errors("agreement.schema.json", swapped)
    offer = golden.EXAMPLES["offer-agreement"]()
    assert errors(
        "offer.schema.json", {**offer, "cc": ["https://www.w3.org/ns/activitystreams#Public"]}
    )
