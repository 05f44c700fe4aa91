"""The retry policy of a real ``ruta serve`` process against a remote inbox that misbehaves on
cue (``scripted_peer``), over real HTTP: 500, 500, 202 delivers on the third attempt; 410 stops
the retries and marks the account gone.

``tests/integration/federation/test_delivery_outcomes.py`` proves every status in-process (the
queue drained by the test); these prove the running node's own workers do the same.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.multinode.network import User, db_rows, idle, jobs, new_user, wait_until
from tests.multinode.scripted_peer import ScriptedPeer, scripted_peer
from tests.support.nodes import NodeProcess, link_network, make_node

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[NodeProcess, ScriptedPeer]]:
    with scripted_peer("buzon.test") as peer:
        node = make_node(tmp_path_factory.mktemp("retries"), "lapalma", domain="lapalma.test")
        link_network([node])
        node.extra_env["RUTA_RESOLVE"] += f",buzon.test:80=127.0.0.1:{peer.port}"
        node.extra_env["RUTA_ALLOW_PRIVATE_HOSTS"] += ",buzon.test"
        try:
            node.start()
            yield node, peer
        finally:
            node.stop()
            node.cleanup()


def write_to(author: User, actor: str, text: str) -> str:
    note = author.post(text, visibility="direct", to=[actor])
    return f"{author.node.base_url}/activities/{note['id']}"


def test_a_peer_answering_500_500_202_gets_the_activity_on_the_third_attempt(
    world: tuple[NodeProcess, ScriptedPeer],
) -> None:
    node, peer = world
    bea = peer.actor("bea", 500, 500, 202)
    ana = new_user(node, "ana")
    create = write_to(ana, bea, "Hola, Bea")

    wait_until("the third attempt", lambda: len(peer.to("bea")) >= 3, nodes=[node])
    wait_until("the delivery settling", lambda: idle(node), nodes=[node])
    attempts = peer.to("bea")
    assert [d.status for d in attempts] == [500, 500, 202]
    assert {d.body["id"] for d in attempts} == {create}
    assert {d.body["type"] for d in attempts} == {"Create"}
    assert jobs(node, "deliver") == []  # delivered: nothing left, nothing failed


def test_410_stops_the_retries_and_marks_the_account_gone(
    world: tuple[NodeProcess, ScriptedPeer],
) -> None:
    node, peer = world
    gone = peer.actor("gone", 410)
    ana = new_user(node, "ana")
    write_to(ana, gone, "¿Sigues ahí?")

    wait_until("the 410 answer", lambda: peer.to("gone"), nodes=[node])
    wait_until("the delivery settling", lambda: idle(node), nodes=[node])
    assert jobs(node, "deliver") == []  # cancelled, not waiting for a retry, not failed
    assert len(peer.to("gone")) == 1
    [row] = db_rows(node, "SELECT gone_at FROM actor WHERE uri = ?", gone)
    assert row["gone_at"] is not None

    # A gone account gets nothing more: writing to it again queues no delivery at all.
    status, _, _ = node.request(
        "POST",
        "/api/v1/notes",
        token=ana.token,
        body={"content": "¿Hola?", "language": "es", "visibility": "direct", "to": [gone]},
    )
    assert status == 201  # the note is kept here; only its delivery is skipped
    assert jobs(node, "deliver") == [] and len(peer.to("gone")) == 1
