"""A shop on one city's node, followed from another city's node, over real HTTP between two
``ruta serve`` processes (``lapalma.test`` on SQLite, ``faro.test`` on PostgreSQL when the run
includes it): the listing arrives with its structured fields, the other node's search finds it
with filters, and edits, the sale and the deletion follow it there.

The two are configured as peers (``RUTA_NETWORK_PEERS``): each follows the other's market group
by itself, and a listing reaches the other city's search through the group alone (FEP-1b12
shares of its Create, Update and Delete), stored once when it also arrives from the shop."""

from __future__ import annotations

import secrets
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.integration.market.market_fakes import jpeg_bytes
from tests.multinode.network import (
    User,
    city_pair,
    db_rows,
    network,
    new_user,
    published,
    wait_until,
)
from tests.support.nodes import NodeProcess

pytestmark = pytest.mark.slow
NETWORK = {"RUTA_NETWORK_PEERS": "lapalma.test,faro.test"}


@pytest.fixture(scope="module")
def cities(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[NodeProcess, NodeProcess]]:
    # Peers of one network: each follows the other's market group (node.services.network.peering).
    with network(tmp_path_factory.mktemp("market-pair"), city_pair(), NETWORK) as (lapalma, faro):
        yield lapalma, faro


def upload_photo(user: User, listing_id: str, data: bytes, alt: str) -> dict[str, Any]:
    boundary = secrets.token_hex(8)
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="description"\r\n\r\n{alt}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="p.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(
        f"{user.node.local_url}/api/v1/listings/{listing_id}/photos", data=body, method="POST"
    )
    request.add_header("Host", user.node.domain)
    request.add_header("Authorization", f"Bearer {user.token}")
    request.add_header("Content-Type", f"multipart/form-data; boundary={boundary}")
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 201
        import json

        answer: dict[str, Any] = json.loads(response.read())
        return answer


def search(user: User, **filters: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = user.call("GET", "/api/v1/listings?" + urlencode(filters))
    return found


def remote_copy(user: User, uri: str, **filters: Any) -> dict[str, Any] | None:
    return next((item for item in search(user, **filters) if item["uri"] == uri), None)


def test_a_followed_shop_listing_reaches_the_other_city_and_its_changes_follow(
    cities: tuple[NodeProcess, NodeProcess], tmp_path: Path
) -> None:
    lapalma, faro = cities
    ana, pep = new_user(lapalma, "ana"), new_user(faro, "pep")
    shop = ana.call("POST", "/api/v1/shops", {"username": "rocio", "city": "La Palma del Condado",
                                             "display_name": "Panadería Rocío"}, expect=(201,))  # fmt: skip
    handle = "@rocio@lapalma.test"
    assert pep.lookup(handle)["kind"] == "Organization"
    pep.call("POST", "/api/v1/follows", {"target": handle})
    wait_until(
        "faro's follow of the shop accepted",
        lambda: any(
            row["target"]["uri"] == shop["actor"]["uri"] and row["state"] == "accepted"
            for row in pep.call("GET", "/api/v1/follows?limit=40")
        ),
        nodes=cities,
    )

    listing = ana.call("POST", "/api/v1/listings", {
        "shop": "rocio", "title": "Pan de campo 1 kg", "description": "Masa madre, horno de leña.",
        "price_cents": 300, "category": "food", "quantity": 20, "condition": "new",
        "delivery": ["pickup", "local_delivery"], "language": "es",
    }, expect=(201,))  # fmt: skip
    uri = listing["uri"]
    filters = {"q": "leña", "category": "food", "max_price_cents": 500, "node": "lapalma.test",
               "city": "La Palma del Condado", "purpose": "offer", "delivery": "pickup"}  # fmt: skip
    arrived = wait_until("the listing in faro's search", lambda: remote_copy(pep, uri, **filters),
                         nodes=cities)  # fmt: skip
    assert arrived["local"] is False
    assert arrived["seller"]["acct"] == "rocio@lapalma.test"
    assert (arrived["title"], arrived["price_cents"], arrived["currency"]) == (
        "Pan de campo 1 kg", 300, "EUR")  # fmt: skip
    assert (arrived["quantity"], arrived["condition"]) == (20, "new")
    assert arrived["delivery"] == ["pickup", "local_delivery"]
    assert remote_copy(pep, uri, q="leña", category="repairs") is None
    assert remote_copy(pep, uri, q="leña", min_price_cents=1000) is None
    assert remote_copy(pep, uri, q="leña", purpose="request") is None

    upload_photo(ana, listing["id"], jpeg_bytes(800, 600), "Hogaza sobre tabla")
    ana.call("PATCH", f"/api/v1/listings/{listing['id']}", {"price_cents": 350})
    edited = wait_until(
        "the new price and the photo on faro",
        lambda: (found := remote_copy(pep, uri, q="pan")) and found["price_cents"] == 350
        and found["photos"] and found,
        nodes=cities,
    )  # fmt: skip
    assert edited["photos"][0]["description"] == "Hogaza sobre tabla"
    assert edited["photos"][0]["url"].startswith("http://lapalma.test/media/")

    ana.call("POST", f"/api/v1/listings/{listing['id']}/state", {"state": "sold"})
    remote_id = edited["id"]
    wait_until(
        "the sale on faro",
        lambda: pep.call("GET", f"/api/v1/listings/{remote_id}")["state"] == "sold",
        nodes=cities,
    )
    assert remote_copy(pep, uri, q="pan") is None  # sold listings are no longer offered

    ana.call("DELETE", f"/api/v1/listings/{listing['id']}", expect=(204,))
    wait_until(
        "the deletion on faro",
        lambda: (
            pep.call("GET", f"/api/v1/listings/{remote_id}", expect=(200, 404)).get("status") == 404
        ),
        nodes=cities,
    )


def group_follow(node: NodeProcess, group: str) -> str | None:
    """The state of ``node``'s instance actor's follow of ``group``, read from its database."""
    rows = db_rows(node, "SELECT f.state FROM follow f JOIN actor a ON a.id = f.target_id "
                         "JOIN actor i ON i.id = f.follower_id WHERE a.uri = ? AND i.uri = ?",
                   group, f"http://{node.domain}/actor")  # fmt: skip
    return str(rows[0]["state"]) if rows else None


def test_peers_follow_each_others_market_and_listings_travel_through_it(
    cities: tuple[NodeProcess, NodeProcess],
) -> None:
    lapalma, faro = cities
    for here, there in ((lapalma, faro), (faro, lapalma)):
        group = f"http://{there.domain}/groups/mercado"
        wait_until(f"{here.domain} following {group}",
                   lambda h=here, g=group: group_follow(h, g) == "accepted",  # type: ignore[misc]
                   nodes=cities)  # fmt: skip
    listed = lapalma.cli("peers", "list").stdout.split()
    assert listed == ["faro.test", "accepted", "http://faro.test/groups/mercado"]

    ana, pep = new_user(lapalma, "ana"), new_user(faro, "pep")
    ana.call("POST", "/api/v1/shops", {"username": "horno", "city": "La Palma del Condado",
                                      "display_name": "Horno Real"}, expect=(201,))  # fmt: skip
    listing = ana.call("POST", "/api/v1/listings", {
        "shop": "horno", "title": "Pan de campo 1 kg", "description": "Masa madre, horno de leña.",
        "price_cents": 300, "category": "food", "quantity": 20, "language": "es",
    }, expect=(201,))  # fmt: skip
    uri = listing["uri"]

    def in_faro(**filters: Any) -> dict[str, Any] | None:
        found = pep.call("GET", "/api/v1/listings?" + urlencode(filters))
        return next((item for item in found if item["uri"] == uri), None)

    where = {"q": "leña", "node": "lapalma.test", "city": "La Palma del Condado"}
    arrived = wait_until("the listing in faro's search", lambda: in_faro(**where), nodes=cities)
    assert (arrived["local"], arrived["price_cents"], arrived["seller"]["acct"]) == (
        False, 300, "horno@lapalma.test")  # fmt: skip
    assert in_faro(q="leña", node="faro.test") is None

    ana.call("POST", f"/api/v1/listings/{listing['id']}/state", {"state": "sold"})
    copy = f"/api/v1/listings/{arrived['id']}"
    wait_until("the sale in faro", lambda: pep.call("GET", copy)["state"] == "sold", nodes=cities)

    ana.call("DELETE", f"/api/v1/listings/{listing['id']}", expect=(204,))
    wait_until(
        "the deletion in faro",
        lambda: pep.call("GET", copy, expect=(200, 404)).get("status") == 404,
        nodes=cities,
    )
    shares = [a["object"]["type"] for a in published(lapalma) if a["type"] == "Announce"
              and isinstance(a["object"], dict) and a["object"]["object"]["id"] == uri]  # fmt: skip
    assert shares == ["Delete"]  # the shares of the Create and the Update left with the listing
