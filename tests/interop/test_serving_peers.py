"""Our served actor, WebFinger and keys as software we did not write reads them.

- fediverse-pasture ``verify_actor``: six test actors fetch our actor (signed and unsigned), look
  us up by WebFinger and post to our inbox;
- Fedify: a signed ``lookup`` of our actor URL (Fedify signs key fetches with the ``#main-key``
  fragment in ``@target-uri``: actor GETs must not require signatures).

Our node runs as a real ``ruta serve`` process on loopback so the peers can reach it.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.nodes import NodeProcess, make_node
from tests.support.peers import fedify, kit_available, pasture

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not kit_available(), reason="../shared/peers kit not present"),
]


@pytest.fixture
def node_factory(tmp_path: Path) -> Iterator[list[NodeProcess]]:
    started: list[NodeProcess] = []
    yield started
    for node in started:
        node.cleanup()


def start_node(tmp_path: Path, started: list[NodeProcess], allow: list[str]) -> NodeProcess:
    node = make_node(tmp_path, "ruta", extra_env={"RUTA_ALLOW_PRIVATE_HOSTS": ",".join(allow)})
    started.append(node)
    node.start()
    node.create_user("ana")
    return node


def verify_actor(tool_base: str, actor_uri: str) -> dict[str, Any]:
    url = tool_base + "/?" + urllib.parse.urlencode({"actor_uri": actor_uri})
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        result: dict[str, Any] = json.loads(response.read())
    return result


def test_pasture_verify_actor_finds_us_and_only_signed_posts_are_accepted(
    tmp_path: Path, node_factory: list[NodeProcess]
) -> None:
    with pasture("verify_actor") as tool:
        node = start_node(tmp_path, node_factory, [f"127.0.0.1:{tool.port}"])
        actor_uri = node.base_url + "/users/ana"
        report = verify_actor(tool.base, actor_uri)
        result = report["result"]
        messages = report.get("messages", "")
        assert result["webfinger"] is True, messages
        for name in ("alice", "bob", "claire", "dean", "emily", "frank"):
            # No authorized fetch: signed and unsigned fetches both get the actor.
            assert result[name]["get_actor"] is True, f"{name}: {messages}"
        # alice and dean post unsigned: refused. The others sign (claire and frank serve their
        # key only to signed GETs, emily and frank have no WebFinger): accepted.
        for name in ("alice", "dean"):
            assert result[name]["post_inbox"] is False, f"{name}: {messages}"
        for name in ("bob", "claire", "emily", "frank"):
            assert result[name]["post_inbox"] is True, f"{name}: {messages}"


def test_fedify_signed_lookup_returns_our_actor_with_its_keys(
    tmp_path: Path, node_factory: list[NodeProcess]
) -> None:
    with fedify() as peer:
        node = start_node(tmp_path, node_factory, [f"127.0.0.1:{peer.port}"])
        actor_uri = node.base_url + "/users/ana"
        found = peer.lookup(actor_uri)
        assert found is not None, "Fedify could not read our actor"
        assert found["id"] == actor_uri
        assert found["type"] == "Person"
        assert found["preferredUsername"] == "ana"
        assert found["inbox"] == actor_uri + "/inbox"
        status, _, ours = node.request(
            "GET", "/users/ana", headers={"Accept": "application/activity+json"}
        )
        assert status == 200
        text = json.dumps(found)
        assert ours["publicKey"]["publicKeyPem"].split("-----")[2].strip().splitlines()[0] in text
        assert ours["assertionMethod"][0]["publicKeyMultibase"] in text
        # The instance actor too (what other servers fetch to verify our signed GETs).
        instance = peer.lookup(node.base_url + "/actor")
        assert instance is not None and instance["type"] == "Application"
