"""Orders and contact between two cities over real HTTP between two ``ruta serve`` processes
(``lapalma.test`` on SQLite, ``faro.test`` on PostgreSQL when the run includes it): a buyer on
faro orders from a shop on lapalma with FEP-0837 ``Offer{Agreement}``; the seller accepts on
lapalma and the availability changes on both nodes; a declined order reaches faro as declined
and a withdrawn one reaches lapalma as cancelled;
"contact the seller" from faro reaches the seller (a person, or a shop's owner) on lapalma as a
conversation about the listing, and the answer comes back."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.multinode.network import User, city_pair, network, new_user, wait_until
from tests.support.nodes import NodeProcess

pytestmark = pytest.mark.slow

Cities = tuple[NodeProcess, NodeProcess]


@pytest.fixture(scope="module")
def cities(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cities]:
    with network(tmp_path_factory.mktemp("orders-pair"), city_pair()) as (lapalma, faro):
        yield lapalma, faro


def follow_and_wait(follower: User, handle: str, target_uri: str, cities: Cities) -> None:
    follower.call("POST", "/api/v1/follows", {"target": handle})
    wait_until(
        f"{follower.handle} following {handle}",
        lambda: any(
            row["target"]["uri"] == target_uri and row["state"] == "accepted"
            for row in follower.call("GET", "/api/v1/follows?limit=40")
        ),
        nodes=cities,
    )


def copy_on(user: User, uri: str) -> dict[str, Any] | None:
    found = user.call("GET", "/api/v1/listings?q=miel&limit=100")
    return next((item for item in found if item["uri"] == uri), None)


def order_on(user: User, uri: str) -> dict[str, Any] | None:
    return next((o for o in user.call("GET", "/api/v1/orders") if o["uri"] == uri), None)


HONEY = {"title": "Miel de romero 500 g", "description": "De Almonte.", "price_cents": 650,
         "category": "food", "quantity": 5, "condition": "new", "delivery": ["pickup"],
         "language": "es"}  # fmt: skip


def test_an_order_from_faro_is_accepted_in_lapalma_and_availability_follows(
    cities: Cities,
) -> None:
    lapalma, faro = cities
    ana, pep = new_user(lapalma, "ana"), new_user(faro, "pep")
    shop = ana.call("POST", "/api/v1/shops", {"username": "colmena", "display_name": "La Colmena",
                                             "city": "La Palma del Condado"}, expect=(201,))  # fmt: skip
    follow_and_wait(pep, "@colmena@lapalma.test", shop["actor"]["uri"], cities)
    listing = ana.call("POST", "/api/v1/listings", {**HONEY, "shop": "colmena"}, expect=(201,))
    remote = wait_until("the listing on faro", lambda: copy_on(pep, listing["uri"]), nodes=cities)
    assert remote["quantity"] == 5

    too_many = pep.call("POST", f"/api/v1/listings/{remote['id']}/orders", {"quantity": 6},
                        expect=(409,))  # fmt: skip
    assert "Only 5 available" in too_many["detail"]
    placed = pep.call("POST", f"/api/v1/listings/{remote['id']}/orders",
                      {"quantity": 2, "message": "Dos tarros, por favor"}, expect=(201,))  # fmt: skip
    assert placed["state"] == "pending"
    received = wait_until("the order on lapalma", lambda: order_on(ana, placed["uri"]),
                          nodes=cities)  # fmt: skip
    assert (received["role"], received["quantity"], received["state"]) == ("seller", 2, "pending")
    assert received["buyer"]["acct"] == pep.handle.lstrip("@")
    assert received["message"] == "Dos tarros, por favor"

    accepted = ana.call("POST", f"/api/v1/orders/{received['id']}/accept")
    assert accepted["state"] == "accepted"
    assert accepted["listing"]["quantity"] == 3
    assert ana.call("GET", f"/api/v1/listings/{listing['id']}")["quantity"] == 3
    wait_until("the acceptance on faro",
               lambda: (o := order_on(pep, placed["uri"])) and o["state"] == "accepted",
               nodes=cities)  # fmt: skip
    wait_until("the new availability on faro",
               lambda: (c := copy_on(pep, listing["uri"])) and c["quantity"] == 3, nodes=cities)  # fmt: skip

    # The last three: the listing is reserved on both nodes.
    last = pep.call("POST", f"/api/v1/listings/{remote['id']}/orders", {"quantity": 3},
                    expect=(201,))  # fmt: skip
    arrived = wait_until("the second order on lapalma", lambda: order_on(ana, last["uri"]),
                         nodes=cities)  # fmt: skip
    ana.call("POST", f"/api/v1/orders/{arrived['id']}/accept")
    wait_until("the reserved listing on faro",
               lambda: (c := pep.call("GET", f"/api/v1/listings/{remote['id']}"))
               and c["quantity"] == 0 and c["state"] == "reserved", nodes=cities)  # fmt: skip
    refused = pep.call("POST", f"/api/v1/listings/{remote['id']}/orders", {"quantity": 1},
                       expect=(409,))  # fmt: skip
    assert "reserved" in refused["detail"]

    # Writing to the shop: its owner reads it on lapalma and answers as the shop.
    opened = pep.call("POST", f"/api/v1/listings/{remote['id']}/contact",
                      {"message": "¿Tendréis más miel?"}, expect=(201,))  # fmt: skip
    assert [p["acct"] for p in opened["participants"]] == ["colmena@lapalma.test"]

    def shop_conversation() -> dict[str, Any] | None:
        found = ana.call("GET", "/api/v1/conversations")["conversations"]
        return next((c for c in found if c["about"] == listing["uri"]), None)

    conversation = wait_until("the message to the shop on lapalma", shop_conversation,
                              nodes=cities)  # fmt: skip
    answer = ana.call("POST", f"/api/v1/conversations/{conversation['id']}/messages",
                      {"content": "En octubre.", "language": "es"}, expect=(201,))  # fmt: skip
    assert answer["author"]["acct"] == "colmena@lapalma.test"
    wait_until("the shop's answer on faro",
               lambda: len(pep.call("GET", f"/api/v1/conversations/{opened['id']}")["messages"]) == 2,
               nodes=cities)  # fmt: skip


def test_a_declined_order_reaches_faro(cities: Cities) -> None:
    lapalma, faro = cities
    rosa, luis = new_user(lapalma, "rosa"), new_user(faro, "luis")
    follow_and_wait(luis, rosa.handle, rosa.uri, cities)
    listing = rosa.call("POST", "/api/v1/listings", HONEY, expect=(201,))
    remote = wait_until("rosa's listing on faro", lambda: copy_on(luis, listing["uri"]),
                        nodes=cities)  # fmt: skip
    placed = luis.call("POST", f"/api/v1/listings/{remote['id']}/orders", {"quantity": 1},
                       expect=(201,))  # fmt: skip
    received = wait_until("the order on lapalma", lambda: order_on(rosa, placed["uri"]),
                          nodes=cities)  # fmt: skip
    declined = rosa.call("POST", f"/api/v1/orders/{received['id']}/decline")
    assert declined["state"] == "declined"
    wait_until("the refusal on faro",
               lambda: (o := order_on(luis, placed["uri"])) and o["state"] == "declined",
               nodes=cities)  # fmt: skip
    assert rosa.call("GET", f"/api/v1/listings/{listing['id']}")["quantity"] == 5

    # Withdrawn on faro before rosa decides: cancelled on lapalma too.
    second = luis.call("POST", f"/api/v1/listings/{remote['id']}/orders", {"quantity": 1},
                       expect=(201,))  # fmt: skip
    wait_until("the second order on lapalma", lambda: order_on(rosa, second["uri"]), nodes=cities)
    assert luis.call("POST", f"/api/v1/orders/{second['id']}/cancel")["state"] == "cancelled"
    wait_until("the withdrawal on lapalma",
               lambda: (o := order_on(rosa, second["uri"])) and o["state"] == "cancelled",
               nodes=cities)  # fmt: skip


def test_contacting_the_seller_from_faro_reaches_lapalma_as_a_conversation(cities: Cities) -> None:
    lapalma, faro = cities
    eva, tom = new_user(lapalma, "eva"), new_user(faro, "tom")
    follow_and_wait(tom, eva.handle, eva.uri, cities)
    listing = eva.call("POST", "/api/v1/listings", HONEY, expect=(201,))
    remote = wait_until("eva's listing on faro", lambda: copy_on(tom, listing["uri"]),
                        nodes=cities)  # fmt: skip
    opened = tom.call("POST", f"/api/v1/listings/{remote['id']}/contact",
                      {"message": "¿Sigue disponible la miel?"}, expect=(201,))  # fmt: skip
    assert opened["about"] == listing["uri"]

    def eva_conversation() -> dict[str, Any] | None:
        found = eva.call("GET", "/api/v1/conversations")["conversations"]
        return next((c for c in found if c["about"] == listing["uri"]), None)

    conversation = wait_until("the conversation on lapalma", eva_conversation, nodes=cities)
    assert [p["acct"] for p in conversation["participants"]] == [tom.handle.lstrip("@")]
    detail = eva.call("GET", f"/api/v1/conversations/{conversation['id']}")
    assert "Sigue disponible la miel" in detail["messages"][-1]["content"]
    eva.call("POST", f"/api/v1/conversations/{conversation['id']}/messages",
             {"content": "Sí, quedan cinco.", "language": "es"}, expect=(201,))  # fmt: skip
    wait_until("eva's answer on faro",
               lambda: len(tom.call("GET", f"/api/v1/conversations/{opened['id']}")["messages"]) == 2,
               nodes=cities)  # fmt: skip


class WebSession:
    """A browser on one node's HTML pages: its cookies, the forms' CSRF token, no redirects
    followed (the test reads where each form leads)."""

    def __init__(self, node: NodeProcess) -> None:
        self.node = node
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def open(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, str, str]:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        req = urllib.request.Request(self.node.local_url + path, data=data, method=method)
        req.add_header("Host", self.node.domain)
        req.add_header("Accept-Language", "en")
        try:
            with self.opener.open(req, timeout=30) as response:
                return (
                    response.status,
                    response.headers.get("Location", ""),
                    response.read().decode(),
                )
        except urllib.error.HTTPError as err:
            return err.code, err.headers.get("Location", ""), err.read().decode()

    def submit(
        self, page: str, form: dict[str, str], action: str | None = None
    ) -> tuple[int, str, str]:
        status, _, body = self.open("GET", page)
        assert status == 200, (page, status)
        token = re.search(r'name="csrf" value="([^"]+)"', body)
        assert token is not None
        return self.open("POST", action or page, {"csrf": token[1], **form})

    def sign_in(self, user: User) -> None:
        status, _, _ = self.submit(
            "/sign-in", {"login": user.name, "password": "correct horse battery"}
        )
        assert status == 303


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def test_an_order_placed_on_faros_pages_is_accepted_on_lapalmas_pages(cities: Cities) -> None:
    lapalma, faro = cities
    sol, dani = new_user(lapalma, "sol"), new_user(faro, "dani")
    follow_and_wait(dani, sol.handle, sol.uri, cities)
    listing = sol.call("POST", "/api/v1/listings", HONEY, expect=(201,))
    remote = wait_until("sol's listing on faro", lambda: copy_on(dani, listing["uri"]),
                        nodes=cities)  # fmt: skip

    buyer = WebSession(faro)
    buyer.sign_in(dani)
    _, _, form = buyer.open("GET", f"/mercado/{remote['id']}/order")
    assert 'max="5"' in form
    status, location, _ = buyer.submit(f"/mercado/{remote['id']}/order",
                                       {"quantity": "2", "message": "Para el domingo"})  # fmt: skip
    assert status == 303 and location.startswith("/mercado/orders/")
    placed_path = location.split("?")[0]
    placed = order_on(dani, f"{faro.base_url}/agreements/{placed_path.rsplit('/', 1)[1]}")
    assert placed is not None and placed["state"] == "pending"

    received = wait_until("the order on lapalma", lambda: order_on(sol, placed["uri"]),
                          nodes=cities)  # fmt: skip
    seller = WebSession(lapalma)
    seller.sign_in(sol)
    _, _, notifications = seller.open("GET", "/notifications")
    assert f'href="/mercado/orders/{received["id"]}"' in notifications
    status, _, _ = seller.submit(f"/mercado/orders/{received['id']}", {},
                                 action=f"/mercado/orders/{received['id']}/accept")  # fmt: skip
    assert status == 303
    assert sol.call("GET", f"/api/v1/listings/{listing['id']}")["quantity"] == 3

    wait_until("the acceptance on faro",
               lambda: (o := order_on(dani, placed["uri"])) and o["state"] == "accepted",
               nodes=cities)  # fmt: skip
    _, _, page = buyer.open("GET", placed_path)
    assert "Accepted by the seller" in page
    _, _, told = buyer.open("GET", "/notifications")
    assert "accepted your order" in told and f'href="{placed_path}"' in told
