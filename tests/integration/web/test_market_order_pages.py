"""Ordering on the web pages, as people do it on a phone: the buyer asks for some units on the
listing page, the seller sees the order under "Orders I received" and accepts or declines it,
the buyer may withdraw it, and both hear of it through notifications that lead to the order's
page. Strangers get 404, forms without a CSRF token are refused, bad quantities come back with
the reason and store nothing. Saving listings (this node's and other servers') and the
"Saved listings" page."""

from __future__ import annotations

import re

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from node import clock
from node.appkeys import ORDER_PUBLISHER
from node.models.accounts import Account
from node.models.jobs import Job
from node.models.market import Listing, ListingState
from node.models.notifications import Notification
from node.models.orders import Order, OrderState, SavedListing
from node.services.market import orders, remote
from node.urls import Urls
from tests.integration.web.test_market_pages import post_listing
from tests.integration.web.webforms import active_account, csrf_in, sign_in, submit, text_of
from tests.support.fakes import remote_actor
from web.views.market.orders import PAGE

pytestmark = pytest.mark.usefixtures("orm")

Client = TestClient  # type: ignore[type-arg]
HONEY = {"title": "Miel de romero", "price": "6,50", "category": "food", "quantity": "5"}


async def switch_to(browser: Client, username: str) -> None:
    await browser.post("/sign-out", data={"csrf": csrf_in(await (await browser.get("/")).text())})
    await sign_in(browser, username)


async def honey_for_sale(browser: Client, urls: Urls) -> Listing:
    """Ana publishes honey (5 jars) through the composer; Bea and Caro have accounts too.
    The browser is left signed in as Bea."""
    await active_account(urls, "ana")
    await active_account(urls, "bea")
    await active_account(urls, "caro")
    await sign_in(browser, "ana")
    status, _, body = await post_listing(browser, HONEY)
    assert status == 303, body
    listing = await Listing.get(title="Miel de romero")
    await switch_to(browser, "bea")
    return listing


async def order_from_page(browser: Client, listing: Listing, quantity: str, message: str = ""):  # type: ignore[no-untyped-def]
    return await submit(
        browser, f"/mercado/{listing.id}", {"quantity": quantity, "message": message},
        action=f"/mercado/{listing.id}/order",
    )  # fmt: skip


async def place(browser: Client, listing: Listing, quantity: str = "2") -> Order:
    response = await order_from_page(browser, listing, quantity, "Dos tarros, por favor")
    assert response.status == 303, await response.text()
    order = await Order.get(listing_id=listing.id).order_by("-id").first()
    assert order is not None
    assert response.headers["Location"] == f"/mercado/orders/{order.id}?done=placed"
    return order


def order_link(page: str, order: Order) -> bool:
    return f'href="/mercado/orders/{order.id}"' in page


async def test_a_buyer_orders_from_the_listing_page_and_the_seller_accepts_it(
    browser: Client, urls: Urls
) -> None:
    listing = await honey_for_sale(browser, urls)
    page = await (await browser.get(f"/mercado/{listing.id}")).text()
    assert f'action="/mercado/{listing.id}/order"' in page
    assert 'name="quantity" type="number"' in page and 'max="5"' in page
    assert '<label for="f-message">' in page

    order = await place(browser, listing)
    assert order.quantity == 2 and order.message == "Dos tarros, por favor"
    assert order.state is OrderState.PENDING
    shown = text_of(await (await browser.get(f"/mercado/orders/{order.id}?done=placed")).text())
    assert "Your order is sent." in shown and "Waiting for the seller" in shown
    assert "Withdraw my order" in shown and "Accept the order" not in shown
    placed = await (await browser.get("/mercado/orders")).text()
    assert order_link(placed, order) and "Miel de romero" in placed

    await switch_to(browser, "ana")
    home = await (await browser.get("/mercado/mine")).text()
    assert 'href="/mercado/orders"' in home and 'href="/mercado/saved"' in home
    assert re.search(r'<a href="/mercado/orders"[^>]*>Orders <span class="badge">1<', home)
    received = await (await browser.get("/mercado/orders?tab=received")).text()
    assert order_link(received, order) and "@bea@" in received
    assert not order_link(await (await browser.get("/mercado/orders?tab=placed")).text(), order)
    notifications = await (await browser.get("/notifications")).text()
    assert "asked to order your listing" in text_of(notifications)
    assert order_link(notifications, order)

    order_page = await browser.get(f"/mercado/orders/{order.id}")
    text = text_of(await order_page.text())
    assert "Accept the order" in text and "Decline the order" in text and "Dos tarros" in text
    assert "Write to the buyer" in text
    assert "/messages/new?to=%40bea%40" in await order_page.text()
    accepted = await submit(browser, f"/mercado/orders/{order.id}", {},
                            action=f"/mercado/orders/{order.id}/accept")  # fmt: skip
    assert accepted.status == 303
    assert accepted.headers["Location"] == f"/mercado/orders/{order.id}?done=accept"
    await listing.refresh_from_db()
    assert listing.quantity == 3 and listing.state is ListingState.PUBLISHED
    after = text_of(await (await browser.get(accepted.headers["Location"])).text())
    assert "You accepted the order." in after and "Accepted by the seller" in after
    assert "Still available 3" in after and "Accept the order" not in after

    await switch_to(browser, "bea")
    told = await (await browser.get("/notifications")).text()
    assert "accepted your order" in text_of(told) and order_link(told, order)
    listing_page = text_of(await (await browser.get(f"/mercado/{listing.id}")).text())
    assert "3 available" in listing_page


async def test_the_seller_declines_and_the_availability_stays(browser: Client, urls: Urls) -> None:
    listing = await honey_for_sale(browser, urls)
    order = await place(browser, listing, "5")
    await switch_to(browser, "ana")
    declined = await submit(browser, f"/mercado/orders/{order.id}", {},
                            action=f"/mercado/orders/{order.id}/decline")  # fmt: skip
    assert declined.status == 303
    await order.refresh_from_db()
    await listing.refresh_from_db()
    assert order.state is OrderState.DECLINED and listing.quantity == 5
    # Deciding again the other way is refused on the page, and changes nothing.
    again = await submit(browser, f"/mercado/orders/{order.id}", {},
                         action=f"/mercado/orders/{order.id}/accept")  # fmt: skip
    assert again.status == 409
    assert "cannot change any more" in text_of(await again.text())
    await listing.refresh_from_db()
    assert listing.quantity == 5
    await switch_to(browser, "bea")
    told = await (await browser.get("/notifications")).text()
    assert "declined your order" in text_of(told) and order_link(told, order)
    page = text_of(await (await browser.get(f"/mercado/orders/{order.id}")).text())
    assert "Declined by the seller" in page and "Withdraw my order" not in page


async def test_the_buyer_withdraws_a_pending_order(browser: Client, urls: Urls) -> None:
    listing = await honey_for_sale(browser, urls)
    order = await place(browser, listing)
    withdrawn = await submit(browser, f"/mercado/orders/{order.id}", {},
                             action=f"/mercado/orders/{order.id}/withdraw")  # fmt: skip
    assert withdrawn.status == 303
    await order.refresh_from_db()
    assert order.state is OrderState.CANCELLED
    await switch_to(browser, "ana")
    told = await (await browser.get("/notifications")).text()
    assert "withdrew an order" in text_of(told) and order_link(told, order)
    page = text_of(await (await browser.get(f"/mercado/orders/{order.id}")).text())
    assert "Withdrawn by the buyer" in page and "Accept the order" not in page


async def test_others_cannot_see_or_decide_an_order_and_forms_need_a_token(
    browser: Client, urls: Urls
) -> None:
    listing = await honey_for_sale(browser, urls)
    order = await place(browser, listing)
    # Without the form's CSRF token nothing happens, even for the buyer.
    forged = await browser.post(f"/mercado/orders/{order.id}/withdraw", allow_redirects=False)
    assert forged.status == 403
    no_token = await browser.post(f"/mercado/{listing.id}/order", data={"quantity": "1"},
                                  allow_redirects=False)  # fmt: skip
    assert no_token.status == 403
    await switch_to(browser, "caro")
    assert (await browser.get(f"/mercado/orders/{order.id}")).status == 404
    token = csrf_in(await (await browser.get("/mercado")).text())
    for action in ("accept", "decline", "withdraw"):
        response = await browser.post(f"/mercado/orders/{order.id}/{action}",
                                      data={"csrf": token}, allow_redirects=False)  # fmt: skip
        assert response.status == 404, action
    # The buyer cannot accept their own order.
    await switch_to(browser, "bea")
    token = csrf_in(await (await browser.get("/mercado")).text())
    response = await browser.post(f"/mercado/orders/{order.id}/accept", data={"csrf": token},
                                  allow_redirects=False)  # fmt: skip
    assert response.status == 403
    await order.refresh_from_db()
    await listing.refresh_from_db()
    assert order.state is OrderState.PENDING and listing.quantity == 5


async def test_bad_quantities_and_unorderable_listings_come_back_with_the_reason(
    browser: Client, urls: Urls
) -> None:
    listing = await honey_for_sale(browser, urls)
    for quantity, status, reason in [
        ("0", 422, "Ask for at least 1 unit"),
        ("dos", 422, "Ask for at least 1 unit"),
        ("6", 409, "Only 5 available: ask for 5 or fewer."),
    ]:
        response = await order_from_page(browser, listing, quantity, "hola")
        assert response.status == status, quantity
        page = await response.text()
        assert reason in text_of(page), quantity
        assert 'aria-invalid="true"' in page and f'value="{quantity}"' in page and "hola" in page
    assert not await Order.exists()

    await switch_to(browser, "ana")
    own = await (await browser.get(f"/mercado/{listing.id}")).text()
    assert f'action="/mercado/{listing.id}/order"' not in own
    response = await order_from_page(browser, listing, "1")
    assert response.status == 409
    own_refusal = await response.text()
    assert "This is your own listing" in text_of(own_refusal)
    assert 'name="quantity"' not in own_refusal  # no form to fill again
    await Listing.filter(id=listing.id).update(state=ListingState.SOLD)
    await switch_to(browser, "bea")
    sold = await (await browser.get(f"/mercado/{listing.id}")).text()
    assert f'action="/mercado/{listing.id}/order"' not in sold
    response = await submit(browser, f"/mercado/{listing.id}", {"quantity": "1"},
                            action=f"/mercado/{listing.id}/order")  # fmt: skip
    assert response.status == 409
    assert "This listing is sold" in text_of(await response.text())
    assert not await Order.exists()


async def test_signed_out_visitors_are_asked_to_sign_in_to_order(
    browser: Client, urls: Urls
) -> None:
    listing = await honey_for_sale(browser, urls)
    await browser.post("/sign-out", data={"csrf": csrf_in(await (await browser.get("/")).text())})
    page = await (await browser.get(f"/mercado/{listing.id}")).text()
    assert f'href="/sign-in?next=/mercado/{listing.id}"' in page
    assert 'name="quantity"' not in page
    response = await browser.get("/mercado/orders", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"].startswith("/sign-in")


async def test_saving_listings_here_and_from_other_servers(browser: Client, urls: Urls) -> None:
    listing = await honey_for_sale(browser, urls)
    seller = await remote_actor("rui", "faro.example")
    far = await remote.store_remote_listing(
        seller,
        remote.RemoteListing(
            uri="https://faro.example/listings/1", url="https://faro.example/mercado/1",
            title="Cataplana de cobre", price_cents=4500, currency="EUR", category="home",
            city="Faro", quantity=2, published=clock.now(),
        ),
    )  # fmt: skip
    assert far is not None
    assert "no saved listings" in text_of(await (await browser.get("/mercado/saved")).text())
    saved = await submit(
        browser, f"/mercado/{listing.id}", {}, action=f"/mercado/{listing.id}/save"
    )
    assert saved.status == 303 and saved.headers["Location"] == f"/mercado/{listing.id}"
    page = await (await browser.get(f"/mercado/{listing.id}")).text()
    assert f'action="/mercado/{listing.id}/unsave"' in page and ">Saved<" in page
    # A listing of another server: found in the search (its page is here), saved from this
    # node's order page.
    found = await (await browser.get("/mercado?q=cataplana")).text()
    assert f'href="/mercado/{far.id}"' in found
    response = await submit(browser, f"/mercado/{far.id}/order",
                            {"next": f"/mercado/{far.id}/order"}, action=f"/mercado/{far.id}/save")  # fmt: skip
    assert response.status == 303 and response.headers["Location"] == f"/mercado/{far.id}/order"
    assert ">Saved<" in await (await browser.get(f"/mercado/{far.id}/order")).text()
    assert await SavedListing.filter(listing_id__in=[listing.id, far.id]).count() == 2
    shown = await (await browser.get("/mercado/saved")).text()
    assert "Miel de romero" in shown and "Cataplana de cobre" in shown
    assert f'href="/mercado/{far.id}"' in shown  # its page here orders it, over federation

    # A listing of another server is ordered from this node: an Offer waits to be delivered.
    form = await (await browser.get(f"/mercado/{far.id}/order")).text()
    assert 'max="2"' in form
    ordered = await submit(browser, f"/mercado/{far.id}/order", {"quantity": "2"})
    assert ordered.status == 303
    order = await Order.get(listing_id=far.id).prefetch_related("seller")
    assert order.state is OrderState.PENDING and order.offer_uri and not order.seller.local
    assert await Job.exists()

    removed = await submit(browser, "/mercado/saved", {"next": "/mercado/saved"},
                           action=f"/mercado/{listing.id}/unsave")  # fmt: skip
    assert removed.status == 303 and removed.headers["Location"] == "/mercado/saved"
    shown = text_of(await (await browser.get("/mercado/saved")).text())
    assert "Miel de romero" not in shown and "Cataplana de cobre" in shown
    assert (await browser.post(f"/mercado/{far.id}/unsave", allow_redirects=False)).status == 403
    assert await SavedListing.filter(listing_id=far.id).exists()
    assert not await Notification.filter(kind="order").exists()  # the remote seller is told by AP


async def test_my_orders_pages_newest_first(
    browser: Client, urls: Urls, app: web.Application
) -> None:
    listing = await honey_for_sale(browser, urls)
    bea = await Account.get(username="bea")
    placed = [
        await orders.place_order(app[ORDER_PUBLISHER], urls, bea, listing.id, quantity=1)
        for _ in range(PAGE + 1)
    ]
    first = await (await browser.get("/mercado/orders")).text()
    shown = re.findall(r'href="/mercado/orders/(\d+)"', first)
    assert shown == [str(o.id) for o in reversed(placed)][:PAGE]
    older = re.search(r'href="(/mercado/orders\?tab=placed&amp;max_id=\d+)"', first)
    assert older is not None
    rest = await (await browser.get(older[1].replace("&amp;", "&"))).text()
    assert re.findall(r'href="/mercado/orders/(\d+)"', rest) == [str(placed[0].id)]
    assert "Older orders" not in rest
