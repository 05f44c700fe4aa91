"""Our deliveries as Fedify (strict, Mastodon-like) receives them, over real HTTP.

The node runs as a real ``ruta serve`` process on loopback; Fedify verifies every POST we make
by fetching our actor's key, and logs what it received and the status it answered
(``/_ctl/log``). Nothing here sleeps to wait: each step polls Fedify's log with a deadline.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.nodes import NodeProcess, make_node
from tests.support.peers import Fedify, fedify, kit_available

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not kit_available(), reason="../shared/peers kit not present"),
]


@pytest.fixture
def nodes() -> Iterator[list[NodeProcess]]:
    started: list[NodeProcess] = []
    yield started
    for node in started:
        node.cleanup()


def start_node(tmp_path: Path, started: list[NodeProcess], peer: Fedify) -> tuple[NodeProcess, str]:
    node = make_node(
        tmp_path, "ruta", extra_env={"RUTA_ALLOW_PRIVATE_HOSTS": f"127.0.0.1:{peer.port}"}
    )
    started.append(node)
    node.start()
    return node, node.create_user("alice")


def wait_for(what: str, found: Callable[[], Any], node: NodeProcess, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = found()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"{what} did not happen within {timeout}s\n{node.log_tail()}")


def inbox_posts(peer: Fedify, kind: str) -> list[dict[str, Any]]:
    return [
        entry
        for entry in peer.log()["inbox"]
        if isinstance(entry.get("body"), dict) and entry["body"].get("type") == kind
    ]


def received(peer: Fedify, kind: str) -> list[dict[str, Any]]:
    return [entry for entry in peer.log()["received"] if entry.get("type") == kind]


def test_fedify_accepts_our_signed_follow_and_then_our_create(
    tmp_path: Path, nodes: list[NodeProcess]
) -> None:
    with fedify() as peer:
        node, token = start_node(tmp_path, nodes, peer)
        alice = node.base_url + "/users/alice"

        status, _, body = node.request(
            "POST", "/api/v1/follows", token=token, body={"target": peer.actor}
        )
        assert status in (200, 201, 202), body
        [follow] = wait_for("our Follow reaching Fedify", lambda: inbox_posts(peer, "Follow"), node)
        assert follow["status"] == 202, follow  # Fedify verified our signature and accepted it
        assert follow["signature"] == "draft-cavage"
        assert follow["body"]["actor"] == alice
        assert follow["body"]["object"] == peer.actor
        assert wait_for("Fedify parsing our Follow", lambda: received(peer, "Follow"), node)

        status, _, body = node.request(
            "POST",
            "/api/v1/notes",
            token=token,
            body={
                "content": "Hola, Bob",
                "language": "es",
                "visibility": "direct",
                "to": [peer.actor],
            },
        )
        assert status in (200, 201), body
        [create] = wait_for("our Create reaching Fedify", lambda: inbox_posts(peer, "Create"), node)
        assert create["status"] == 202, create
        note = create["body"]["object"]
        assert note["to"] == [peer.actor]
        assert any(t["type"] == "Mention" and t["href"] == peer.actor for t in note["tag"])
        assert "https://www.w3.org/ns/activitystreams#Public" not in note["to"] + note["cc"]
        assert list(note["contentMap"]) == ["es"]
        parsed = wait_for("Fedify parsing our Create", lambda: received(peer, "Create"), node)
        assert "Hola" in (parsed[0].get("content") or "")


def test_fedify_following_our_user_receives_her_next_public_post(
    tmp_path: Path, nodes: list[NodeProcess]
) -> None:
    with fedify() as peer:
        node, token = start_node(tmp_path, nodes, peer)
        alice = node.base_url + "/users/alice"

        peer.follow(alice)
        wait_for("our Accept reaching Fedify", lambda: received(peer, "Accept"), node)
        assert wait_for("Fedify following alice", lambda: alice in peer.log()["following"], node)
        [accept] = inbox_posts(peer, "Accept")
        assert accept["status"] == 202, accept
        assert accept["body"]["object"]["type"] == "Follow"  # the Follow embedded

        status, _, body = node.request(
            "POST",
            "/api/v1/notes",
            token=token,
            body={"content": "Mercadillo el sábado", "language": "es", "visibility": "public"},
        )
        assert status in (200, 201), body
        [create] = wait_for(
            "alice's post reaching Fedify", lambda: inbox_posts(peer, "Create"), node
        )
        assert create["status"] == 202, create
        assert create["path"] == "/inbox"  # the shared inbox
        parsed = wait_for("Fedify parsing the Create", lambda: received(peer, "Create"), node)
        assert parsed[0]["actor"] == alice
        assert "Mercadillo" in (parsed[0].get("content") or "")
