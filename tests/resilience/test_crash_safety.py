"""``kill -9`` of a real node process (SECURITY.md "Data": a process killed at any point loses no
accepted activity and no committed change; "Delivery": at-least-once across crashes).

- mid-delivery: the remote inbox holds our ``Create`` open, the node is killed, restarted, and
  the ``Create`` arrives again, signed afresh (at-least-once);
- mid-inbox-processing: many activities answered 202, the worker stuck on one of them, the
  node killed before it drained the queue; after the restart every accepted activity is
  processed exactly once (one note each, no duplicates, nothing left in the queue).

The job lock is 3 s here (RUTA_JOB_LOCK_SECONDS), so the restarted node takes over the jobs the
dead one had claimed without waiting the production 5 minutes.
"""

from __future__ import annotations

import asyncio
import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from federation.signatures import ResolvedKey, VerifiedSigner, verify_request
from tests.resilience.peer import Request, ThreadedPeer, wait_until
from tests.resilience.world import count, node_next_to, nodes, peer, post_signed, rows
from tests.support.nodes import NodeProcess

__all__ = ["nodes", "peer"]  # fixtures

pytestmark = pytest.mark.slow


def creates(peer: ThreadedPeer) -> list[Request]:
    return [r for r in peer.inbox_posts() if r.json().get("type") == "Create"]


def public_key_of(node: NodeProcess, actor_uri: str) -> Any:
    request = urllib.request.Request(
        node.local_url + actor_uri.removeprefix(node.base_url),
        headers={"Accept": "application/activity+json", "Host": node.domain},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        document = json.loads(response.read())
    return load_pem_public_key(document["publicKey"]["publicKeyPem"].encode())


def verify(received: Request, actor_uri: str, key: Any) -> object:
    async def lookup(key_id: str) -> ResolvedKey | None:
        return ResolvedKey(actor_uri, key) if key_id.startswith(actor_uri) else None

    url = f"http://{received.headers['Host']}{received.path}"
    return asyncio.run(verify_request("POST", url, received.headers, received.body, lookup))


def test_kill_9_mid_delivery_then_restart_delivers_the_create_at_least_once(
    tmp_path: Path, nodes: list[NodeProcess], peer: ThreadedPeer, backend: str
) -> None:
    node = node_next_to(tmp_path, nodes, peer, backend).start()
    token = node.create_user("ana")
    ana = node.base_url + "/users/ana"
    bob = peer.actor("bob")

    # ana writes to bob; bob's server holds the delivery open and the node dies meanwhile.
    peer.hold("POST inboxes")
    status, _, note = node.request(
        "POST",
        "/api/v1/notes",
        token=token,
        body={"content": "Corte de agua el martes", "language": "es", "to": [bob.uri]},
    )
    assert status == 201, note
    [held] = wait_until(lambda: creates(peer), "the Create to reach bob's server")
    node.kill()
    peer.release("POST inboxes")

    node.start()
    redelivered = wait_until(
        lambda: creates(peer)[1:], "the Create to be delivered again after the restart"
    )
    assert redelivered[0].json() == held.json()  # the same activity, same id
    assert "Corte de agua" in held.json()["object"]["content"]
    # Signed afresh by ana's key, which survived the crash.
    assert isinstance(verify(redelivered[0], ana, public_key_of(node, ana)), VerifiedSigner)
    wait_until(lambda: count(node, "job WHERE queue = 'deliver'") == 0, "the deliver queue empty")
    assert count(node, "note") == 1  # the post itself was not written twice


def test_kill_9_mid_inbox_processing_then_restart_processes_each_activity_exactly_once(
    tmp_path: Path, nodes: list[NodeProcess], peer: ThreadedPeer, backend: str
) -> None:
    node = node_next_to(tmp_path, nodes, peer, backend).start()
    node.create_user("ana")
    bob, cai = peer.actor("bob"), peer.actor("cai")

    def create(sender: Any, n: int) -> dict[str, Any]:
        note = sender.note(f"<p>nota {n}</p>")
        return sender.activity("Create", note, to=note["to"], cc=note["cc"])

    # bob's first Create carries only the note's id: processing fetches it, and bob's server
    # holds that fetch. The inbox processes one activity per sender at a time, so bob's later
    # activities queue up behind it while cai's are processed meanwhile.
    by_reference = bob.note("<p>por referencia</p>")
    peer.serve(by_reference)
    peer.hold(f"GET {by_reference['id'].removeprefix(peer.base)}")
    sent = [bob.activity("Create", by_reference["id"], to=by_reference["to"])]
    for n in range(30):
        sent.append(create(bob, n))
        sent.append(create(cai, n))
    for activity in sent:
        status, _, answer = post_signed(node, bob if "/bob" in activity["actor"] else cai, activity)
        assert status == 202, answer

    wait_until(lambda: peer.gets(by_reference["id"].removeprefix(peer.base)), "the held fetch")
    node.kill()
    pending = count(node, "job WHERE queue = 'inbox'")
    assert pending >= 30, "the worker drained the queue before the kill"
    peer.release(f"GET {by_reference['id'].removeprefix(peer.base)}")

    node.start()
    wait_until(
        lambda: count(node, "job WHERE queue = 'inbox'") == 0, "the inbox queue to drain", 60
    )
    notes = rows(node, "SELECT uri FROM note")
    expected = {a["object"]["id"] if isinstance(a["object"], dict) else a["object"] for a in sent}
    assert sorted(u for (u,) in notes) == sorted(expected)  # each once, none missing
    assert count(node, "received_activity") == len(sent)
    failed = node.cli("jobs", "failed").stdout
    assert "no failed jobs" in failed, failed
