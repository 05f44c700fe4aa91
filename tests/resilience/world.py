"""A real ``ruta serve`` process next to a ``ThreadedPeer``, and ways to look inside the node.

The node resolves the peer's host name to the peer's loopback port and has it on its
private-address allow-list, as a demo network would. ``rows`` reads the node's own database
directly (read-only on SQLite), which is how the crash tests count what was stored.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from tests.integration.federation.inbox_material import RemoteActor, cavage_headers, encode
from tests.resilience.peer import ThreadedPeer
from tests.support.nodes import NodeProcess, make_node

# A claimed job whose worker died is taken over this long after the claim (production: 300 s).
JOB_LOCK_SECONDS = 3


@pytest.fixture
def peer() -> Iterator[ThreadedPeer]:
    server = ThreadedPeer("peer.test").start()
    yield server
    server.stop()


@pytest.fixture
def nodes() -> Iterator[list[NodeProcess]]:
    started: list[NodeProcess] = []
    yield started
    for node in started:
        node.cleanup()


def node_next_to(
    tmp_path: Path,
    started: list[NodeProcess],
    peer: ThreadedPeer,
    backend: str,
    **env: str,
) -> NodeProcess:
    """A node (not started yet) that can reach ``peer``; cleaned up by the ``nodes`` fixture."""
    node = make_node(
        tmp_path,
        "ruta",
        backend=backend,
        extra_env={
            "RUTA_RESOLVE": peer.resolve_entry(),
            "RUTA_ALLOW_PRIVATE_HOSTS": peer.host,
            "RUTA_JOB_LOCK_SECONDS": str(JOB_LOCK_SECONDS),
            **env,
        },
    )
    started.append(node)
    return node


def rows(node: NodeProcess, sql: str) -> list[tuple[Any, ...]]:
    """Run a read-only query on the node's database (no parameters: tests write literal SQL)."""
    if node.database_url.startswith("sqlite://"):
        path = node.database_url[len("sqlite://") :]
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
        try:
            return [tuple(r) for r in conn.execute(sql).fetchall()]
        finally:
            conn.close()

    async def query() -> list[tuple[Any, ...]]:
        conn = await asyncpg.connect(node.database_url)
        try:
            return [tuple(r) for r in await conn.fetch(sql)]
        finally:
            await conn.close()

    return asyncio.run(query())


def count(node: NodeProcess, sql_from_where: str) -> int:
    return int(rows(node, f"SELECT count(*) FROM {sql_from_where}")[0][0])  # noqa: S608


def post_signed(
    node: NodeProcess, actor: RemoteActor, activity: dict[str, Any], path: str = "/inbox"
) -> tuple[int, dict[str, str], str]:
    """POST ``activity`` to the node's inbox, signed (draft-cavage) by ``actor``."""
    body = encode(activity)
    headers = cavage_headers(actor, path, body, url_base=node.base_url)
    request = urllib.request.Request(node.local_url + path, data=body, method="POST")
    for name, value in headers.items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read().decode(errors="replace")


def problem(text: str) -> dict[str, Any]:
    try:
        answer = json.loads(text)
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}
