"""A shop's listing as Fedify (strict, Mastodon-like) receives it, over real HTTP (issue 5, item 7).

Fedify follows the shop's ``Organization`` actor; the shop then publishes a listing with a photo.
Fedify must verify and accept our ``Create{Note}``, and the Note must read well where FEP-0837 is
unknown: the title and price on the first line of ``content``, ``contentMap``, at most four
images with alt text, the category and city hashtags. The sale then arrives as an ``Update`` and
the deletion as a ``Delete``. Every wait polls Fedify's log with a deadline.
"""

from __future__ import annotations

import json
import re
import secrets
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.market.market_fakes import jpeg_bytes
from tests.interop.test_delivery_fedify import inbox_posts, received, wait_for
from tests.support.nodes import NodeProcess, make_node
from tests.support.peers import fedify, kit_available

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not kit_available(), reason="../shared/peers kit not present"),
]


@pytest.fixture
def node_holder() -> Iterator[list[NodeProcess]]:
    started: list[NodeProcess] = []
    yield started
    for node in started:
        node.cleanup()


def call(node: NodeProcess, token: str, method: str, path: str, body: Any = None) -> Any:
    status, _, answer = node.request(method, path, token=token, body=body)
    assert 200 <= status < 300, (method, path, status, answer)
    return answer


def upload_photo(node: NodeProcess, token: str, listing_id: str, alt: str) -> None:
    boundary = secrets.token_hex(8)
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="description"\r\n\r\n{alt}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="p.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        + jpeg_bytes(800, 600)
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(
        f"{node.local_url}/api/v1/listings/{listing_id}/photos", data=body, method="POST"
    )
    request.add_header("Host", node.domain)
    request.add_header("Authorization", f"Bearer {token}")
    request.add_header("Content-Type", f"multipart/form-data; boundary={boundary}")
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 201, json.loads(response.read())


def first_line(html: str) -> str:
    paragraph = re.split(r"</p>", html, maxsplit=1)[0]
    return re.sub(r"<[^>]+>", "", paragraph).strip()


def test_fedify_following_a_shop_gets_a_readable_listing_then_its_sale_and_deletion(
    tmp_path: Path, node_holder: list[NodeProcess]
) -> None:
    with fedify() as peer:
        node = make_node(
            tmp_path, "ruta", extra_env={"RUTA_ALLOW_PRIVATE_HOSTS": f"127.0.0.1:{peer.port}"}
        )
        node_holder.append(node)
        node.start()
        token = node.create_user("rocio")
        shop = call(node, token, "POST", "/api/v1/shops", {
            "username": "panaderia", "display_name": "Panadería Rocío",
            "city": "La Palma del Condado",
        })  # fmt: skip
        shop_uri = shop["actor"]["uri"]

        peer.follow(shop_uri)
        wait_for("the shop's Accept reaching Fedify", lambda: received(peer, "Accept"), node)
        assert wait_for("Fedify following the shop", lambda: shop_uri in peer.log()["following"],
                        node)  # fmt: skip

        # A draft first, so the photo is in the very first Create.
        listing = call(node, token, "POST", "/api/v1/listings", {
            "shop": "panaderia", "title": "Pan de campo 1 kg",
            "description": "Masa madre, horno de leña.", "price_cents": 300,
            "category": "food", "quantity": 20, "condition": "new", "delivery": ["pickup"],
            "language": "es", "state": "draft",
        })  # fmt: skip
        upload_photo(node, token, listing["id"], "Hogaza de pan sobre una tabla")
        call(node, token, "POST", f"/api/v1/listings/{listing['id']}/state",
             {"state": "published"})  # fmt: skip

        [create] = wait_for("the listing reaching Fedify", lambda: inbox_posts(peer, "Create"),
                            node)  # fmt: skip
        assert create["status"] == 202, create  # Fedify verified the shop's signature
        note = create["body"]["object"]
        assert note["type"] == "Note" and "name" not in note
        assert note["attributedTo"] == shop_uri
        line = first_line(note["content"])
        assert "Pan de campo 1 kg" in line and "3,00" in line and "€" in line, line
        assert list(note["contentMap"]) == ["es"]
        images = [a for a in note.get("attachment", []) if a.get("type") == "Image"]
        assert 1 <= len(images) <= 4
        assert images[0]["name"] == "Hogaza de pan sobre una tabla"
        tags = {t["name"] for t in note["tag"] if t["type"] == "Hashtag"}
        assert "#LaPalmaDelCondado" in tags and len(tags) >= 2, tags
        parsed = wait_for("Fedify parsing the Create", lambda: received(peer, "Create"), node)
        assert "Pan de campo" in (parsed[0].get("content") or "")

        # The seller writes to the Fedify follower about the listing: a Mastodon user gets it as
        # a direct reply to the listing's post, with a Mention (FEDERATION.md §5.9).
        call(node, token, "POST", "/api/v1/conversations", {
            "to": [peer.actor], "content": "¿Te guardo una hogaza para mañana?",
            "language": "es", "about": listing["uri"],
        })  # fmt: skip
        creates = wait_for(
            "the message reaching Fedify", lambda: inbox_posts(peer, "Create")[1:], node
        )
        assert creates[0]["status"] == 202, creates[0]
        message = creates[0]["body"]["object"]
        assert message["inReplyTo"] == note["id"] == listing["uri"]
        assert message["to"] == [peer.actor] and PUBLIC not in message.get("cc", [])
        assert any(t["type"] == "Mention" and t["href"] == peer.actor for t in message["tag"])
        assert "hogaza" in message["content"]
        parsed = wait_for("Fedify parsing the message", lambda: received(peer, "Create")[1:], node)
        assert "hogaza" in (parsed[0].get("content") or "")

        call(node, token, "POST", f"/api/v1/listings/{listing['id']}/state", {"state": "sold"})
        updates = wait_for("the sale reaching Fedify", lambda: inbox_posts(peer, "Update"), node)
        assert updates[-1]["status"] == 202, updates[-1]
        sold = updates[-1]["body"]["object"]
        assert sold["id"] == note["id"] and sold["updated"] >= note["published"]
        assert "Pan de campo 1 kg" in first_line(sold["content"])
        assert first_line(sold["content"]) != line  # the first line now says it is sold

        call(node, token, "DELETE", f"/api/v1/listings/{listing['id']}")
        [delete] = wait_for("the deletion reaching Fedify", lambda: inbox_posts(peer, "Delete"),
                            node)  # fmt: skip
        assert delete["status"] == 202, delete
        assert delete["body"]["object"]["id"] == note["id"]
