"""A shop on one city's node, followed from another city's node, over real HTTP between two
``ruta serve`` processes (``lapalma.test`` on SQLite, ``faro.test`` on PostgreSQL when the run
includes it): the listing arrives with its structured fields, the other node's search finds it
with filters, and edits, the sale and the deletion follow it there."""

from __future__ import annotations

import secrets
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.integration.market.market_fakes import jpeg_bytes
from tests.multinode.network import User, new_user, second_backend, start_network, wait_until
from tests.support.nodes import NodeProcess

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cities(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[NodeProcess, NodeProcess]]:
    base = tmp_path_factory.mktemp("market-pair")
    lapalma, faro = start_network(base, {"lapalma.test": "sqlite", "faro.test": second_backend()})
    try:
        yield lapalma, faro
    finally:
        for node in (lapalma, faro):
            node.stop()
            node.cleanup()


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
