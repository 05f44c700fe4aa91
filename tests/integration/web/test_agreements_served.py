"""``/agreements/{id}``: the FEP-0837 Agreement ids we send can be dereferenced, by the order's
two parties only (signed GET), and browsers land on the order page."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from federation.signatures import load_private_key
from node import clock, ids
from node.models.actors import ActorKey
from node.models.market import Listing, ListingState
from node.models.orders import Order
from node.services.accounts.accounts import person_actor
from node.services.market.orders import agreement_uri
from node.urls import Urls
from tests.contract.validation import assert_valid
from tests.integration.federation.test_serving_objects import AS2, fetch, remote_reader
from tests.integration.web.webforms import active_account, sign_in, text_of

pytestmark = pytest.mark.usefixtures("orm", "publisher")
Client = TestClient  # type: ignore[type-arg]


async def _order(urls: Urls) -> tuple[Order, tuple[object, object], tuple[object, object]]:
    """Ana (here) ordered 2 loaves from a seller on peer.example."""
    ana = await person_actor(await active_account(urls, "ana"))
    seller = await remote_reader("seller")
    listing = await Listing.create(uri="https://peer.example/listings/5", local=False,
                                   seller=seller[0], title="Pan de Faro", category="food",
                                   price_cents=300, state=ListingState.PUBLISHED,
                                   published=clock.now())  # fmt: skip
    order_id = ids.new_id()
    order = await Order.create(id=order_id, uri=agreement_uri(urls, order_id),
                               offer_uri=urls.activity(ids.new_id()), listing=listing, buyer=ana,
                               seller=seller[0], quantity=2, message="Sin sal")  # fmt: skip
    key = await ActorKey.get(actor_id=ana.id)
    return order, seller, (ana, load_private_key(key.rsa_private_pem))


async def test_the_agreement_is_served_to_its_parties_and_404_to_anyone_else(
    browser: Client, urls: Urls
) -> None:
    order, seller, buyer = await _order(urls)
    stranger = await remote_reader("stranger")

    status, document = await fetch(browser, order.uri, seller)  # type: ignore[arg-type]
    assert status == 200
    assert document["id"] == order.uri and document["type"] == "Agreement"
    assert document["stipulates"]["satisfies"] == "https://peer.example/listings/5#primary"
    assert document["stipulates"]["resourceQuantity"]["hasNumericalValue"] == "2"
    assert document["stipulatesReciprocal"]["resourceQuantity"]["hasNumericalValue"] == "6.00"
    assert document["content"] == "Sin sal"
    assert_valid("agreement.schema.json", document)
    assert (await fetch(browser, order.uri, buyer))[0] == 200  # type: ignore[arg-type]

    assert (await fetch(browser, order.uri, stranger))[0] == 404
    assert (await fetch(browser, order.uri))[0] == 404  # unsigned
    assert (await fetch(browser, agreement_uri(urls, order.id + 1), seller))[0] == 404  # type: ignore[arg-type]
    response = await browser.get(
        order.uri.removeprefix(urls.base), headers={"Accept": AS2}, allow_redirects=False
    )
    assert response.status == 404


async def test_a_browser_goes_to_the_order_page_which_only_the_parties_see(
    browser: Client, urls: Urls
) -> None:
    order, _, _ = await _order(urls)
    await active_account(urls, "bea")
    path = order.uri.removeprefix(urls.base)
    anonymous = await browser.get(path, allow_redirects=False)
    assert anonymous.status == 302
    assert anonymous.headers["Location"] == f"/mercado/orders/{order.id}"
    assert (await browser.get(anonymous.headers["Location"], allow_redirects=False)).status == 303

    await sign_in(browser, "bea")
    assert (await browser.get(f"/mercado/orders/{order.id}")).status == 404
    browser.session.cookie_jar.clear()  # signed out

    await sign_in(browser, "ana")
    page = await browser.get(path)  # follows the redirect
    assert page.status == 200
    text = text_of(await page.text())
    assert "Pan de Faro" in text and "Sin sal" in text and "Waiting for the seller" in text
    assert "@seller@peer.example" in text
