"""Issue 5's "Done when", on the web pages of two cities over real HTTP (``lapalma.test`` on
SQLite, ``faro.test`` on PostgreSQL when the run includes it): a buyer on faro finds a lapalma
listing by search, reads it on faro's own page, messages the seller from there, and the seller
answers from lapalma's pages; writing again from the order's page continues that conversation."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.integration.market.test_orders_two_nodes import (
    HONEY,
    WebSession,
    copy_on,
    follow_and_wait,
)
from tests.multinode.network import city_pair, network, new_user, wait_until
from tests.support.nodes import NodeProcess

pytestmark = pytest.mark.slow

Cities = tuple[NodeProcess, NodeProcess]


@pytest.fixture(scope="module")
def cities(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cities]:
    with network(tmp_path_factory.mktemp("remote-listing-pair"), city_pair()) as (lapalma, faro):
        yield lapalma, faro


def contact_link(page: str) -> str:
    match = re.search(r'href="(/messages/new\?[^"]+)"', page)
    assert match, "no contact link"
    return html.unescape(match[1])


def write(session: WebSession, link: str, content: str) -> str:
    """Open the composer a contact link leads to and send it; the conversation's path."""
    form = {key: values[0] for key, values in parse_qs(urlsplit(link).query).items()}
    status, location, body = session.submit(
        link, {**form, "content": content, "language": "es"}, action="/messages/new"
    )
    assert status == 303, body
    return location.split("#")[0]


def test_a_buyer_on_faro_finds_a_lapalma_listing_messages_the_seller_who_answers(
    cities: Cities,
) -> None:
    lapalma, faro = cities
    sol, dani = new_user(lapalma, "sol"), new_user(faro, "dani")
    follow_and_wait(dani, sol.handle, sol.uri, cities)
    listing = sol.call("POST", "/api/v1/listings", HONEY, expect=(201,))
    remote = wait_until("sol's listing on faro", lambda: copy_on(dani, listing["uri"]),
                        nodes=cities)  # fmt: skip

    buyer = WebSession(faro)
    buyer.sign_in(dani)
    _, _, found = buyer.open("GET", "/mercado?q=miel")
    page_path = f"/mercado/{remote['id']}"
    assert f'href="{page_path}"' in found
    status, _, page = buyer.open("GET", page_path)
    assert status == 200  # shown on faro, not sent to lapalma
    assert "Miel de romero 500 g" in page and "Listed on" in page and "lapalma.test" in page
    assert f'href="{listing["url"]}"' in page  # the original, on lapalma
    assert f'href="/@{sol.handle.lstrip("@")}"' in page  # sol's profile here, on faro
    conversation_path = write(buyer, contact_link(page), "¿Sigue disponible la miel?")

    def sol_conversation() -> dict[str, Any] | None:
        found = sol.call("GET", "/api/v1/conversations")["conversations"]
        return next((c for c in found if c["about"] == listing["uri"]), None)

    there = wait_until("the conversation on lapalma", sol_conversation, nodes=cities)
    seller = WebSession(lapalma)
    seller.sign_in(sol)
    _, _, inbox = seller.open("GET", f"/messages/{there['id']}")
    assert "Sigue disponible la miel" in inbox
    status, _, _ = seller.submit(f"/messages/{there['id']}", {"content": "Sí, quedan cinco."})
    assert status == 303
    wait_until("sol's answer on faro",
               lambda: "quedan cinco" in buyer.open("GET", conversation_path)[2],
               nodes=cities)  # fmt: skip

    # Ordering from faro's page, then writing from the order's page: the same conversation.
    status, location, _ = buyer.submit(page_path, {"quantity": "1"}, action=f"{page_path}/order")
    assert status == 303 and location.startswith("/mercado/orders/")
    _, _, order_page = buyer.open("GET", location)
    assert write(buyer, contact_link(order_page), "Paso el domingo.") == conversation_path
    wait_until("the second message on lapalma",
               lambda: "Paso el domingo" in seller.open("GET", f"/messages/{there['id']}")[2],
               nodes=cities)  # fmt: skip
