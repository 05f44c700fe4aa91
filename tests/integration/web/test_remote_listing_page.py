"""A listing received from another server is read here, as Mastodon shows a remote status: a
buyer signed in on this node sees it on ``/mercado/{id}`` with its photos, price and facts,
contacts the seller at their handle, orders and saves it from their own account, and is told
where it was listed, with a link to the original (the canonical page). Contacting the seller
from the listing page and later from the order's page continues one conversation."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from aiohttp.test_utils import TestClient

from node import clock
from node.models.actors import Actor
from node.models.market import Listing
from node.models.messages import Conversation, ConversationMessage
from node.models.orders import Order, OrderState, SavedListing
from node.services.market import remote
from node.urls import Urls
from tests.integration.web.test_market_order_pages import honey_for_sale
from tests.integration.web.webforms import active_account, sign_in, submit, text_of
from tests.support.fakes import remote_actor

pytestmark = pytest.mark.usefixtures("orm")

Client = TestClient  # type: ignore[type-arg]
ORIGIN = "https://faro.example/mercado/1"
URI = "https://faro.example/listings/1"


async def cataplana(state: str | None = None) -> Listing:
    """Rui's copper cataplana, listed on faro.example, as this node stored it from an Announce."""
    seller = await remote_actor("rui", "faro.example")
    # Fetched when its Announce was checked: writing to @rui@faro.example needs no WebFinger.
    await Actor.filter(id=seller.id).update(fetched_at=clock.now())
    listing = await remote.store_remote_listing(
        seller,
        remote.RemoteListing(
            uri=URI, url=ORIGIN, title="Cataplana de cobre", price_cents=4500, currency="EUR",
            category="home", city="Faro", quantity=2, condition="good", delivery=("pickup",),
            state=state, description_html="<p>Hecha a mano en <strong>Loulé</strong>.</p>",
            photos=({"url": "https://faro.example/media/c.webp",
                     "description": "Cataplana brillante"},),
            published=clock.now(),
        ),
    )  # fmt: skip
    assert listing is not None
    return listing


async def as_bea(browser: Client, urls: Urls) -> None:
    await active_account(urls, "bea")
    await sign_in(browser, "bea")


def link_to(page: str, start: str) -> str:
    match = re.search(r'href="(' + re.escape(start) + r'[^"]*)"', page)
    assert match, f"no link to {start}"
    return html.unescape(match.group(1))


async def test_a_listing_of_another_server_is_shown_here_and_ordered_from_here(
    browser: Client, urls: Urls
) -> None:
    far = await cataplana()
    await as_bea(browser, urls)
    response = await browser.get(f"/mercado/{far.id}", allow_redirects=False)
    assert response.status == 200
    page = await response.text()
    text = text_of(page)
    assert "Cataplana de cobre" in text and "€45.00" in text and "Faro" in text
    assert "<p>Hecha a mano en <strong>Loulé</strong>.</p>" in page
    assert '<img src="https://faro.example/media/c.webp" alt="Cataplana brillante"' in page
    assert "/media/" not in page.replace("https://faro.example/media/", "")
    assert "Good" in text and "Pickup" in text and "2 available" in text
    assert 'href="/mercado/categoria/home"' in page
    # Who sells it: their profile on this node, by full handle; and where it was listed.
    assert 'href="/@rui@faro.example"' in page and "@rui@faro.example" in text
    assert "Listed on faro.example · View the original" in text
    assert f'href="{ORIGIN}"' in page
    assert f'<link rel="canonical" href="{ORIGIN}">' in page
    assert f'<meta property="og:url" content="{ORIGIN}">' in page
    assert "application/ld+json" not in page and 'content="noindex"' in page
    # Contacting goes to the seller's handle, about the listing's ActivityPub id.
    contact = parse_qs(urlsplit(link_to(page, "/messages/new?")).query)
    assert contact == {"to": ["@rui@faro.example"], "about": [URI]}
    # Nothing to manage: it is Rui's, on his server.
    assert f"/mercado/{far.id}/edit" not in page and "/state" not in page
    assert f'action="/mercado/{far.id}/delete"' not in page

    assert f'action="/mercado/{far.id}/order"' in page and 'max="2"' in page
    saved = await submit(browser, f"/mercado/{far.id}", {}, action=f"/mercado/{far.id}/save")
    assert saved.status == 303 and saved.headers["Location"] == f"/mercado/{far.id}"
    assert await SavedListing.filter(listing_id=far.id).exists()
    ordered = await submit(browser, f"/mercado/{far.id}", {"quantity": "1"},
                           action=f"/mercado/{far.id}/order")  # fmt: skip
    assert ordered.status == 303
    order = await Order.get(listing_id=far.id).prefetch_related("seller")
    assert order.state is OrderState.PENDING and order.offer_uri and not order.seller.local
    # The order's page and the search lead back to the listing's page here.
    order_page = await (await browser.get(f"/mercado/orders/{order.id}")).text()
    assert f'href="/mercado/{far.id}"' in order_page
    found = await (await browser.get("/mercado?q=cataplana")).text()
    assert f'href="/mercado/{far.id}"' in found


async def test_a_sold_listing_of_another_server_says_so_and_takes_no_orders(
    browser: Client, urls: Urls
) -> None:
    far = await cataplana(state="sold")
    await as_bea(browser, urls)
    page = await (await browser.get(f"/mercado/{far.id}")).text()
    assert "market-state--sold" in page and "Sold" in text_of(page)
    assert f'action="/mercado/{far.id}/order"' not in page and 'name="quantity"' not in page
    assert "/messages/new?" not in page
    assert f'href="{ORIGIN}"' in page


async def test_signed_out_visitors_read_it_and_are_asked_to_sign_in(
    browser: Client, urls: Urls
) -> None:
    far = await cataplana()
    page = await (await browser.get(f"/mercado/{far.id}", headers={"Accept-Language": "pt"})).text()
    assert "Cataplana de cobre" in page and "45,00\xa0€" in page
    assert "Publicado em faro.example" in text_of(page) and f'href="{ORIGIN}"' in page
    assert f'href="/sign-in?next=/mercado/{far.id}"' in page
    assert 'name="quantity"' not in page and f'action="/mercado/{far.id}/save"' not in page


async def test_a_suspended_sellers_listing_is_not_shown_here(browser: Client, urls: Urls) -> None:
    far = await cataplana()
    await Actor.filter(id=far.seller_id).update(suspended_at=clock.now())  # type: ignore[attr-defined]
    await as_bea(browser, urls)
    assert (await browser.get(f"/mercado/{far.id}", allow_redirects=False)).status == 404


async def contact_from(browser: Client, link: str, content: str) -> None:
    """Follow a contact link to the message form and send it."""
    response = await submit(browser, link, {**{k: v[0] for k, v in parse_qs(
        urlsplit(link).query).items()}, "content": content, "language": "es"})  # fmt: skip
    assert response.status == 303, await response.text()


async def test_contacting_from_the_listing_and_from_the_order_is_one_conversation(
    browser: Client, urls: Urls
) -> None:
    far = await cataplana()
    await as_bea(browser, urls)
    page = await (await browser.get(f"/mercado/{far.id}")).text()
    await contact_from(browser, link_to(page, "/messages/new?"), "¿Sigue disponible?")
    ordered = await submit(browser, f"/mercado/{far.id}", {"quantity": "1"},
                           action=f"/mercado/{far.id}/order")  # fmt: skip
    assert ordered.status == 303
    order_page = await (await browser.get(ordered.headers["Location"])).text()
    await contact_from(browser, link_to(order_page, "/messages/new?"), "¿Cuándo la recojo?")
    conversation = await Conversation.get()  # one, not two
    assert conversation.about_uri == URI
    assert await ConversationMessage.filter(conversation_id=conversation.id).count() == 2
    # The message pages name the listing and link its page here, not a bare web address.
    for path in ("/messages", f"/messages/{conversation.id}", link_to(page, "/messages/new?")):
        shown = await (await browser.get(path)).text()
        assert "About: Cataplana de cobre" in text_of(shown), path
        assert URI not in text_of(shown), path
    thread = await (await browser.get(f"/messages/{conversation.id}")).text()
    assert f'href="/mercado/{far.id}"' in thread


async def test_a_listing_of_this_node_is_contacted_about_its_id_from_both_pages(
    browser: Client, urls: Urls
) -> None:
    listing = await honey_for_sale(browser, urls)
    page = await (await browser.get(f"/mercado/{listing.id}")).text()
    from_listing = link_to(page, "/messages/new?")
    assert parse_qs(urlsplit(from_listing).query)["about"] == [listing.uri]
    await contact_from(browser, from_listing, "¿Es de este año?")
    ordered = await submit(browser, f"/mercado/{listing.id}", {"quantity": "1"},
                           action=f"/mercado/{listing.id}/order")  # fmt: skip
    assert ordered.status == 303
    order_page = await (await browser.get(ordered.headers["Location"])).text()
    await contact_from(browser, link_to(order_page, "/messages/new?"), "Paso mañana")
    conversation = await Conversation.get()
    assert conversation.about_uri == listing.uri
    assert await ConversationMessage.filter(conversation_id=conversation.id).count() == 2


@pytest.mark.parametrize(
    ("origin", "shown"),
    [
        ("https://lapalma.test:8443/mercado/7", "lapalma.test:8443"),
        ("https://lapalma.test:443/mercado/7", "lapalma.test"),
        ("https://LaPalma.test/mercado/7", "lapalma.test"),
    ],
)
async def test_the_origin_of_a_listing_keeps_its_port(
    browser: Client, urls: Urls, origin: str, shown: str
) -> None:
    seller = await remote_actor("rocio", "lapalma.test:8443")
    listing = await remote.store_remote_listing(
        seller,
        remote.RemoteListing(
            uri="https://lapalma.test:8443/listings/7", url=origin, title="Queso de cabra",
            price_cents=900, currency="EUR", category="food", published=clock.now(),
        ),
    )  # fmt: skip
    assert listing is not None
    page = await browser.get(f"/mercado/{listing.id}", headers={"Accept-Language": "pt"})
    text = text_of(await page.text())
    assert f"Publicado em {shown} ·" in text
