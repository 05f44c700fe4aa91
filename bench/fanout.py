"""Fan-out of one public post, and the node's memory (idle, and after the fan-out).

Two local authors, each followed by 1,000 remote actors written straight into the node's
database (accepted follows): ``ana``'s followers live on 100 servers, ten each, behind shared
inboxes (100 deliveries); ``bea``'s on 1,000 servers with one personal inbox each (1,000
deliveries). All those host names resolve (``RUTA_RESOLVE``) to one ``receiver`` helper that
counts the POSTs. The figure is the time from the ``POST /api/v1/notes`` until the last
delivery arrived.

Baseline: this process POSTs the very body the node sent to the same inboxes, signed afresh for
each (``federation.signatures.sign_request``) with the author's key parsed once, from as many
connections as the node's worker runs jobs (16).
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
from pathlib import Path

import aiohttp
from yarl import URL

from bench.common import Child, Context, Node, Row, helper, ratio_row
from federation.signatures import load_private_key, sign_request
from node import clock
from node.config import load_settings

FOLLOWERS = 1000
IDLE_LIMIT_MB = 150.0
CONCURRENCY = 16  # RUTA_WORKER_CONCURRENCY's default


def shared_hosts() -> list[str]:
    return [f"s{i:03d}.fan.test" for i in range(100)]


def single_hosts() -> list[str]:
    return [f"p{i:04d}.fan.test" for i in range(FOLLOWERS)]


async def _seed(env: dict[str, str], author: str, hosts: list[str], shared: bool) -> None:
    """``FOLLOWERS`` remote actors spread over ``hosts``, all following ``author``."""
    from node import db
    from node.models.actors import Actor
    from node.models.social import Follow, FollowState

    settings = load_settings(env, cwd=Path.cwd())
    async with db.opened(settings):
        target = await Actor.get(local_username=author)
        now = clock.now()
        rows = []
        for i in range(FOLLOWERS):
            host = hosts[i * len(hosts) // FOLLOWERS]
            uri = f"http://{host}/users/f{i}"
            rows.append(
                Actor(
                    uri=uri,
                    username=f"f{i}",
                    domain=host,
                    local=False,
                    inbox_url=uri + "/inbox",
                    shared_inbox_url=f"http://{host}/inbox" if shared else None,
                    followers_url=uri + "/followers",
                    public_key_id=uri + "#main-key",
                    fetched_at=now,
                )
            )
        await Actor.bulk_create(rows, batch_size=500)
        ids = await Actor.filter(domain__in=hosts).values_list("id", flat=True)
        follows = [
            Follow(
                follower_id=actor_id,
                target_id=target.id,
                state=FollowState.ACCEPTED,
                uri=f"http://bench.test/follows/{author}/{actor_id}",
                accepted_at=now,
            )
            for actor_id in ids
        ]
        await Follow.bulk_create(follows, batch_size=500)


def _stats(receiver: Child) -> dict[str, float]:
    with urllib.request.urlopen(receiver.url + "/_stats", timeout=5) as response:
        result: dict[str, float] = json.loads(response.read())
        return result


def _reset(receiver: Child) -> None:
    req = urllib.request.Request(receiver.url + "/_reset", method="POST")
    urllib.request.urlopen(req, timeout=5).close()


def _publish(node: Node, token: str, receiver: Child, expected: int, timeout: float) -> float:
    """Seconds from the publishing request until the receiver got ``expected`` deliveries."""
    _reset(receiver)
    body = json.dumps({"content": "Feria de artesanía el sábado", "language": "es"}).encode()
    req = urllib.request.Request(node.url + "/api/v1/notes", data=body, method="POST")
    req.add_header("Authorization", f"Bearer {token}")
    req.add_header("Content-Type", "application/json")
    started = time.time()
    with urllib.request.urlopen(req, timeout=30) as response:
        if response.status != 201:
            raise RuntimeError(f"publishing answered {response.status}")
    deadline = time.monotonic() + timeout
    while (stats := _stats(receiver))["distinct"] < expected:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {stats['distinct']} of {expected} deliveries arrived")
        time.sleep(0.05)
    return stats["last"] - started


async def _baseline(
    receiver: Child, inboxes: list[str], body: bytes, key_id: str, pem: str
) -> float:
    """The bare client: sign each POST with a key parsed once, 16 at a time."""
    private_key = load_private_key(pem)
    pending = list(inboxes)
    connector = aiohttp.TCPConnector(limit=CONCURRENCY)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            while pending:
                inbox = pending.pop()
                headers = sign_request("POST", inbox, body, key_id, private_key)
                headers["Content-Type"] = "application/activity+json"
                url = receiver.url + URL(inbox).raw_path  # every host name is the receiver
                async with session.post(url, data=body, headers=headers) as response:
                    await response.read()
                    if response.status != 202:
                        raise RuntimeError(f"receiver answered {response.status}")

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        return time.perf_counter() - started


def run(ctx: Context) -> list[Row]:
    receiver = helper("receiver", ctx.workdir)
    bare_rss = receiver.rss_mb()
    hosts_a, hosts_b = shared_hosts(), single_hosts()
    resolve = ",".join(f"{h}:80=127.0.0.1:{receiver.port}" for h in hosts_a + hosts_b)
    node = Node(
        ctx.workdir,
        {"RUTA_RESOLVE": resolve, "RUTA_ALLOW_PRIVATE_HOSTS": ",".join(hosts_a + hosts_b)},
    )
    rows: list[Row] = []
    try:
        node.start()
        tokens = {name: node.create_user(name) for name in ("ana", "bea")}
        time.sleep(2)
        idle_rss = node.rss_mb()
        asyncio.run(_seed(node.env(), "ana", hosts_a, shared=True))
        asyncio.run(_seed(node.env(), "bea", hosts_b, shared=False))
        shared_inboxes = [f"http://{h}/inbox" for h in hosts_a]
        own_inboxes = [f"http://{h}/users/f{i}/inbox" for i, h in enumerate(hosts_b)]
        cases = [
            ("ana", "1,000 followers, 100 shared inboxes", shared_inboxes),
            ("bea", "1,000 followers, 1,000 inboxes", own_inboxes),
        ]
        for author, label, inboxes in cases:
            assert node.child is not None
            cpu = node.child.cpu_seconds()
            seconds = _publish(node, tokens[author], receiver, len(inboxes), ctx.drain_timeout)
            busy = (node.child.cpu_seconds() - cpu) / seconds
            with urllib.request.urlopen(receiver.url + "/_last", timeout=5) as response:
                body = response.read()
            key_id, pem = node.query(
                "SELECT a.public_key_id, k.rsa_private_pem FROM actor a "
                "JOIN actor_key k ON k.actor_id = a.id WHERE a.local_username = ?",
                (author,),
            )[0]
            _reset(receiver)
            base = asyncio.run(_baseline(receiver, inboxes, body, key_id, pem))
            rows.append(
                ratio_row(
                    "fan-out", label, seconds, "s", base, "bare signed client",
                    at_least=0.5, lower_is_better=True,
                    note=f"{len(inboxes) / seconds:.0f} deliveries/s "
                    f"(baseline {len(inboxes) / base:.0f}/s), {len(body)} B body; "
                    f"node CPU {busy:.0%} of a core",
                )
            )  # fmt: skip
        after_rss = node.rss_mb()
    finally:
        node.stop()
        receiver.stop()
    note = "baseline: the bare aiohttp receiver process; ratio = node ÷ baseline"
    rows += [
        Row("memory", "RSS idle", idle_rss, "MB", bare_rss, "bare aiohttp", idle_rss / bare_rss,
            f"≤ {IDLE_LIMIT_MB:g} MB", idle_rss <= IDLE_LIMIT_MB, note),
        Row("memory", "RSS after fan-out", after_rss, "MB", bare_rss, "bare aiohttp",
            after_rss / bare_rss, "—", None, "after both fan-outs above"),
    ]  # fmt: skip
    return rows
