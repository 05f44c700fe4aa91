"""Software we did not write sending to our inbox.

- Fedify (strict, Mastodon-like; first knock RFC 9421, or draft-cavage): follows a Ruta user and
  gets our ``Accept`` with the embedded ``Follow``; a Ruta user follows it and its post shows in
  the home timeline; its ``Undo{Follow}`` ends the follow. The first knock must succeed: Fedify
  falls back to the other signature format after any 4xx, which would hide a broken verifier.
- bovine-herd (authorized fetch, compacted JSON-LD: ``"to": "as:Public"``, ``cc`` a string).
- fediverse-pasture-inputs: 262 edge-case objects as signed ``Create``s; never a 5xx, and no
  inbox job fails while processing them.

Our node runs as a real ``ruta serve`` process on loopback so the peers can reach it.
"""

from __future__ import annotations

import json
import re
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tests.support.nodes import NodeProcess, make_node
from tests.support.peers import fedify, herd, kit_available, pasture, send_pasture_inputs

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not kit_available(), reason="../shared/peers kit not present"),
]

T = TypeVar("T")


def wait_until(check: Callable[[], T | None], what: str, timeout: float = 60.0) -> T:
    """Poll ``check`` until it returns something truthy (deadline, no blind sleeps)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.1)


@pytest.fixture
def node_factory() -> Iterator[list[NodeProcess]]:
    started: list[NodeProcess] = []
    yield started
    for node in started:
        node.cleanup()


def start_node(tmp_path: Path, started: list[NodeProcess], peer_port: int) -> NodeProcess:
    node = make_node(
        tmp_path,
        "ruta",
        extra_env={
            "RUTA_ALLOW_PRIVATE_HOSTS": f"127.0.0.1:{peer_port}",
            # The inbox logs each accepted activity with its signature scheme at debug level.
            "RUTA_LOG_LEVEL": "debug",
        },
    )
    started.append(node)
    return node.start()


def home_contents(node: NodeProcess, token: str) -> list[str]:
    status, _, entries = node.request("GET", "/api/v1/timelines/home", token=token)
    assert status == 200, entries
    return [entry["note"]["content"] for entry in entries]


def followers(node: NodeProcess, token: str) -> list[str]:
    status, _, rows = node.request("GET", "/api/v1/followers", token=token)
    assert status == 200, rows
    return [row["follower"]["uri"] for row in rows]


def accepted_follow_lines(node: NodeProcess, actor: str) -> list[str]:
    pattern = re.compile(r"inbox accepted Follow \S+ from " + re.escape(actor) + r" \((\S+)\)")
    return pattern.findall(node.log_path.read_text(errors="replace"))


@pytest.mark.parametrize(
    ("first_knock", "scheme"),
    [("rfc9421", "rfc9421"), ("draft-cavage-http-signatures-12", "draft-cavage")],
)
def test_fedify_follows_us_is_accepted_and_its_posts_reach_the_home_timeline(
    tmp_path: Path, node_factory: list[NodeProcess], first_knock: str, scheme: str
) -> None:
    with fedify(first_knock) as peer:
        node = start_node(tmp_path, node_factory, peer.port)
        token = node.create_user("ana")
        ana = node.base_url + "/users/ana"

        # Fedify follows ana: auto-accepted, our Accept embeds Fedify's Follow.
        peer.follow(ana)

        def our_accept() -> dict[str, Any] | None:
            return next(
                (e for e in peer.log()["inbox"] if (e.get("body") or {}).get("type") == "Accept"),
                None,
            )

        accept = wait_until(our_accept, "our Accept at Fedify")
        assert accept["status"] == 202
        assert accept["signature"] == "draft-cavage"  # what we sign with
        assert accept["body"]["actor"] == ana
        embedded = accept["body"]["object"]
        assert isinstance(embedded, dict)
        assert (embedded["type"], embedded["actor"], embedded["object"]) == (
            "Follow",
            peer.actor,
            ana,
        )
        assert wait_until(lambda: peer.actor in followers(node, token), "Fedify as a follower")
        # The first knock verified: no 401 made Fedify fall back to the other format.
        assert accepted_follow_lines(node, peer.actor) == [scheme]
        assert "inbox signature refused" not in node.log_path.read_text(errors="replace")

        # ana follows Fedify's bob; Fedify accepts; bob's next post is in ana's home timeline.
        status, _, body = node.request(
            "POST", "/api/v1/follows", token=token, body={"target": peer.actor}
        )
        assert status in (200, 201), body
        wait_until(lambda: ana in peer.log()["followers"], "ana among Fedify's followers")
        peer.post("<p>Hola desde Fedify</p>")
        wait_until(
            lambda: any("Hola desde Fedify" in c for c in home_contents(node, token)),
            "Fedify's post in ana's home timeline",
        )

        # Fedify unfollows: the Undo{Follow} ends it here.
        peer.undo_follow(ana)
        wait_until(lambda: peer.actor not in followers(node, token), "the Undo applied")
        errors = [e for e in peer.log()["received"] if e.get("type") == "ERROR"]
        assert errors == [], "Fedify's listeners failed on something we sent"


def test_bovine_herd_with_compacted_addressing_follows_and_posts_to_us(
    tmp_path: Path, node_factory: list[NodeProcess]
) -> None:
    with herd("moocow") as peer:
        node = start_node(tmp_path, node_factory, peer.port)
        token = node.create_user("ana")
        ana = node.base_url + "/users/ana"

        # herd requires signed fetches of its actor: we fetch it as our instance actor.
        peer.drive("follow", ana)
        wait_until(lambda: peer.actor in followers(node, token), "herd as ana's follower")
        wait_until(
            lambda: any(item.get("type") == "Accept" for item in peer.inbox()),
            "our Accept in herd's inbox",
        )

        status, _, body = node.request(
            "POST", "/api/v1/follows", token=token, body={"target": peer.actor}
        )
        assert status in (200, 201), body
        wait_until(
            lambda: any(item.get("type") == "Follow" for item in peer.inbox()),
            "our Follow in herd's inbox",
        )
        peer.drive("accept-latest-follow")
        wait_until(lambda: ana in peer.followers(), "ana among herd's followers")

        peer.drive("post", "Mu desde herd")
        wait_until(
            lambda: any("Mu desde herd" in c for c in home_contents(node, token)),
            "herd's post in ana's home timeline",
        )
        status, _, entries = node.request("GET", "/api/v1/timelines/home", token=token)
        [note] = [e["note"] for e in entries if "Mu desde herd" in e["note"]["content"]]
        assert note["visibility"] == "public"  # "to": "as:Public" understood
        assert "Something went wrong" not in peer.log_text()


def inbox_jobs(node: NodeProcess) -> str:
    return node.cli("jobs", "status").stdout


def test_the_pasture_inputs_corpus_never_gets_a_5xx_and_processes_cleanly(
    tmp_path: Path, node_factory: list[NodeProcess]
) -> None:
    with pasture("one_actor") as sender:
        node = start_node(tmp_path, node_factory, sender.port)
        node.create_user("ana")
        result = send_pasture_inputs(sender.port, node.base_url + "/users/ana")
        summary = "\n".join(result.stdout.splitlines()[-15:])
        assert result.returncode == 0, f"{summary}\n{result.stderr[-2000:]}"
        statuses = [line.split()[2] for line in result.stdout.splitlines() if len(line.split()) > 3]
        assert not [s for s in statuses if s.startswith("5")], summary
        assert statuses.count("202") > 200, summary
        # Every accepted item was processed: no inbox job is left failed or retrying.
        wait_until(lambda: "inbox" not in inbox_jobs(node), "the inbox queue to drain", 120)
        assert "no failed jobs" in node.cli("jobs", "failed").stdout


def test_pasture_verify_actor_posts_are_refused_unsigned_and_accepted_signed(
    tmp_path: Path, node_factory: list[NodeProcess]
) -> None:
    with pasture("verify_actor") as tool:
        node = start_node(tmp_path, node_factory, tool.port)
        node.create_user("ana")
        query = urllib.parse.urlencode({"actor_uri": node.base_url + "/users/ana"})
        request = urllib.request.Request(
            f"{tool.base}/?{query}", headers={"Accept": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=120) as response:
            report = json.loads(response.read())
        result, messages = report["result"], report.get("messages", "")
        # alice and dean send unsigned Likes; the others sign (claire and frank serve their
        # keys only to signed GETs, dean/emily/frank have no WebFinger).
        assert result["alice"]["post_inbox"] is False, messages
        assert result["dean"]["post_inbox"] is False, messages
        for name in ("bob", "claire", "emily", "frank"):
            assert result[name]["post_inbox"] is True, f"{name}: {messages}"
