"""Inbox accept and processing: signed ``Create{Note}`` POSTs to one ``ruta serve``.

A pool of about 2 KB ``Create{Note}`` activities from many remote actors (10 host names, served
by the ``keys`` helper through ``RUTA_RESOLVE``) is signed before the clock starts. Each actor
first sends one activity so the node fetches and stores its key (the cache is warm), and the
queue is drained. Then:

- **accept**: the pool is POSTed once to the shared inbox, 202s per second with p50/p99 latency,
  against the ``verify`` helper (a bare aiohttp handler that reads the body and verifies the
  same signatures with the same code, keys parsed once, no storage);
- **processing**: from the first POST until every accepted activity is a stored note (counted
  in the node's SQLite file), activities per second, against the accept rate.
"""

from __future__ import annotations

import time

from bench.actors import RemoteActor, create_note, signed_post
from bench.common import Context, Node, Request, Row, helper, post_each, ratio_row, wait_for

HOSTS = 10
NOTES = "SELECT COUNT(*) FROM note WHERE local = 0"


def _host(i: int) -> str:
    return f"s{i % HOSTS}.remote.test"


def _pool(node: Node, actors: list[RemoteActor], count: int, first_serial: int) -> list[Request]:
    url = node.url + "/inbox"
    pool: list[Request] = []
    for k in range(count):
        i = k % len(actors)
        actor_id = actors[i].uri(_host(i))
        body = create_note(actor_id, first_serial + k)
        pool.append(signed_post(url, body, actors[i], actor_id, node.domain))
    return pool


def run(ctx: Context) -> list[Row]:
    actors = ctx.actors()
    keys = helper("keys", ctx.workdir, str(ctx.actors_file))
    resolve = ",".join(f"s{j}.remote.test:80=127.0.0.1:{keys.port}" for j in range(HOSTS))
    allow = ",".join(f"s{j}.remote.test" for j in range(HOSTS))
    node = Node(ctx.workdir, {"RUTA_RESOLVE": resolve, "RUTA_ALLOW_PRIVATE_HOSTS": allow})
    verifier = None
    try:
        node.start()
        warm = _pool(node, actors, len(actors), 0)
        post_each(node.url + "/inbox", warm).check("warm-up")
        stored, _ = wait_for(lambda: node.count(NOTES), len(actors), timeout=60)
        if stored < len(actors):
            raise RuntimeError(f"warm-up: only {stored} of {len(actors)} notes stored")

        pool = _pool(node, actors, ctx.inbox_requests, len(actors))
        verifier = helper("verify", ctx.workdir, str(ctx.actors_file), node.url)
        post_each(verifier.url + "/inbox", pool[:200]).check("baseline warm-up")
        base = post_each(verifier.url + "/inbox", pool)
        base.check("baseline")

        assert node.child is not None
        cpu = node.child.cpu_seconds()
        started = time.perf_counter()
        accept = post_each(node.url + "/inbox", pool)
        accept.check("inbox accept")
        busy = (node.child.cpu_seconds() - cpu) / accept.seconds
        backlog = len(actors) + accept.done - node.count(NOTES)
        stored, finished = wait_for(
            lambda: node.count(NOTES), len(actors) + accept.done, timeout=ctx.drain_timeout
        )
        processed = stored - len(actors)
        processing = processed / (finished - started)
        node.stop()
        # The same pool once more, to a node that only accepts (no worker in the process).
        alone = Node(ctx.workdir, node.extra_env, node.port, workers=False, name="accept-only")
        node = alone.start()
        post_each(node.url + "/inbox", warm).check("warm-up, workers off")
        accept_only = post_each(node.url + "/inbox", pool)
        accept_only.check("inbox accept, workers off")
    finally:
        node.stop()
        keys.stop()
        if verifier is not None:
            verifier.stop()

    latency = (
        f"p50 {accept.percentile_ms(0.5):.1f} ms, p99 {accept.percentile_ms(0.99):.1f} ms "
        f"(baseline {base.percentile_ms(0.5):.1f}/{base.percentile_ms(0.99):.1f} ms); "
        f"{len(pool)} POSTs, {len(actors)} actors, 16 connections; node CPU {busy:.0%} of a core"
    )
    drained = "" if processed >= accept.done else f"; only {processed} stored after the timeout"
    return [
        ratio_row(
            "inbox", "accept (202/s)", accept.rate, "req/s", base.rate, "verify only",
            at_least=0.5, note=latency,
        ),
        ratio_row(
            "inbox", "processing (stored/s)", processing, "act/s", accept.rate, "accept rate",
            at_least=0.5, note=f"queue backlog when the POSTs ended: {backlog}{drained}",
        ),
        ratio_row(
            "inbox", "accept, workers off (202/s)", accept_only.rate, "req/s", base.rate,
            "verify only", at_least=0.5,
            note=f"`ruta serve --no-workers`: p50 {accept_only.percentile_ms(0.5):.1f} ms, "
            f"p99 {accept_only.percentile_ms(0.99):.1f} ms",
        ),
    ]  # fmt: skip
