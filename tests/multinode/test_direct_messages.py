"""Two real nodes (``ruta serve`` on loopback, real signed HTTP): a direct message from a person
in La Palma reaches a person in Faro, the answer comes back, and both sides keep it in one
conversation with the right unread counts. Each step polls the node's API with a deadline."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.nodes import NodeProcess, link_network, make_node


def wait_for(what: str, found: Callable[[], Any], node: NodeProcess, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = found()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"{what} did not happen within {timeout}s\n{node.log_tail()}")


@pytest.fixture(params=["sqlite", "postgres"])
def network(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[list[NodeProcess]]:
    nodes = [
        make_node(tmp_path, "lapalma", backend=request.param, domain="lapalma.test"),
        make_node(tmp_path, "faro", backend=request.param, domain="faro.test"),
    ]
    link_network(nodes)
    try:
        for node in nodes:
            node.start()
        yield nodes
    finally:
        for node in nodes:
            node.cleanup()


def conversations(node: NodeProcess, token: str) -> dict[str, Any]:
    status, _, body = node.request("GET", "/api/v1/conversations", token=token)
    assert status == 200, body
    return body  # type: ignore[no-any-return]


def test_a_direct_message_reaches_another_node_and_the_answer_comes_back(
    network: list[NodeProcess],
) -> None:
    lapalma, faro = network
    ana = lapalma.create_user("ana")
    joao = faro.create_user("joao")

    status, _, started = lapalma.request(
        "POST",
        "/api/v1/conversations",
        token=ana,
        body={"to": ["@joao@faro.test"], "content": "¿Tienes naranjas?", "language": "es"},
    )
    assert status == 201, started
    assert [p["acct"] for p in started["participants"]] == ["joao@faro.test"]

    inbox = wait_for(
        "the message reaching faro",
        lambda: conversations(faro, joao)["conversations"],
        faro,
    )
    assert len(inbox) == 1 and inbox[0]["unread_count"] == 1
    assert [p["acct"] for p in inbox[0]["participants"]] == ["ana@lapalma.test"]
    conversation_id = inbox[0]["id"]
    status, _, detail = faro.request("GET", f"/api/v1/conversations/{conversation_id}", token=joao)
    assert status == 200
    assert [m["content"] for m in detail["messages"]] == ["<p>¿Tienes naranjas?</p>"]
    assert detail["messages"][0]["visibility"] == "direct"

    status, _, answer = faro.request(
        "POST",
        f"/api/v1/conversations/{conversation_id}/messages",
        token=joao,
        body={"content": "Sim, 3 kg", "language": "pt"},
    )
    assert status == 201, answer
    assert answer["in_reply_to_uri"] == detail["messages"][0]["uri"]

    def answered() -> list[Any]:
        items = conversations(lapalma, ana)["conversations"]
        return [c for c in items if c["unread_count"] == 1]

    back = wait_for("the answer reaching lapalma", answered, lapalma)
    assert back[0]["id"] == started["id"]  # the same conversation, not a new one
    assert len(conversations(lapalma, ana)["conversations"]) == 1
    status, _, mine = lapalma.request("GET", f"/api/v1/conversations/{started['id']}", token=ana)
    assert [m["content"] for m in mine["messages"]] == [
        "<p>¿Tienes naranjas?</p>",
        "<p>Sim, 3 kg</p>",
    ]
    assert conversations(lapalma, ana)["unread_total"] == 1
    assert conversations(faro, joao)["unread_total"] == 0  # answering marked it read
