"""A database that cannot take the write during an inbox POST: 503 with ``Retry-After``, never
202-and-drop (SECURITY.md "Inbound federation": accept with 202 only after the activity is
durably stored; database down → 503 so the sender retries).

Against a real ``ruta serve`` process: its SQLite file locked by *another process* holding an
exclusive write lock; its PostgreSQL database refusing connections (connections terminated and
new ones disallowed) and then back; its PostgreSQL database dropped outright. In each case the
sender's retry after the outage is accepted and processed, so nothing was lost.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from tests.integration.federation.inbox_material import RemoteActor
from tests.resilience.peer import ThreadedPeer, wait_until
from tests.resilience.world import count, node_next_to, nodes, peer, post_signed, problem
from tests.support.databases import BACKENDS, PG_ADMIN_URL
from tests.support.nodes import NodeProcess

__all__ = ["nodes", "peer"]  # fixtures

pytestmark = pytest.mark.slow
sqlite_only = pytest.mark.skipif("sqlite" not in BACKENDS, reason="SQLite not among the backends")
postgres_only = pytest.mark.skipif(
    "postgres" not in BACKENDS, reason="PostgreSQL not among the backends"
)

LOCKER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.read()  # hold the write lock until the test closes our stdin
conn.execute("ROLLBACK")
"""


@pytest.fixture
def sqlite_locker() -> Iterator[list[subprocess.Popen[str]]]:
    lockers: list[subprocess.Popen[str]] = []
    yield lockers
    for proc in lockers:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def lock_sqlite(path: str, lockers: list[subprocess.Popen[str]]) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", LOCKER, path],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    lockers.append(proc)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "locked"
    return proc


def unlock_sqlite(proc: subprocess.Popen[str]) -> None:
    assert proc.stdin is not None
    proc.stdin.close()
    assert proc.wait(10) == 0


def known_sender(node: NodeProcess, peer: ThreadedPeer) -> RemoteActor:
    """bob on the peer, whose first post the node has processed (so his key is cached)."""
    bob = peer.actor("bob")
    first = post_note(bob)
    status, _, answer = post_signed(node, bob, first)
    assert status == 202, answer
    wait_until(lambda: note_arrived(node, first), "bob's first post to be processed")
    return bob


def post_note(bob: RemoteActor) -> dict[str, Any]:
    note = bob.note("<p>¿Hay mercado el sábado?</p>")
    return bob.activity("Create", note, to=note["to"], cc=note["cc"])


def assert_503_with_retry_after(status: int, headers: dict[str, str], text: str) -> None:
    assert status == 503, text
    assert int(headers["Retry-After"]) > 0
    assert problem(text).get("status") == 503
    assert "asyncpg" not in text and "sqlite" not in text.lower()  # no internals leak


def stored(node: NodeProcess, activity: dict[str, Any]) -> int:
    return count(node, f"received_activity WHERE uri = '{activity['id']}'")


def note_arrived(node: NodeProcess, activity: dict[str, Any]) -> bool:
    return count(node, f"note WHERE uri = '{activity['object']['id']}'") == 1


@sqlite_only
def test_a_sqlite_file_write_locked_by_another_process_answers_503_then_accepts_the_retry(
    tmp_path: Path,
    nodes: list[NodeProcess],
    peer: ThreadedPeer,
    sqlite_locker: list[subprocess.Popen[str]],
) -> None:
    node = node_next_to(tmp_path, nodes, peer, "sqlite").start()
    bob = known_sender(node, peer)
    activity = post_note(bob)

    locker = lock_sqlite(node.database_url[len("sqlite://") :], sqlite_locker)
    status, headers, text = post_signed(node, bob, activity)
    unlock_sqlite(locker)
    assert_503_with_retry_after(status, headers, text)
    assert stored(node, activity) == 0

    # The sender retries after the outage: accepted and processed.
    status, _, text = post_signed(node, bob, activity)
    assert status == 202, text
    wait_until(lambda: note_arrived(node, activity), "the note from the retried Create")


async def _admin(*statements: str, args: tuple[Any, ...] = ()) -> None:
    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        for statement in statements:
            if "$1" in statement:
                await conn.execute(statement, *args)
            else:
                await conn.execute(statement)
    finally:
        await conn.close()


def admin(*statements: str, args: tuple[Any, ...] = ()) -> None:
    asyncio.run(_admin(*statements, args=args))


TERMINATE = (
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
    "WHERE datname = $1 AND pid <> pg_backend_pid()"
)


@postgres_only
def test_a_postgresql_refusing_connections_answers_503_and_the_node_recovers(
    tmp_path: Path, nodes: list[NodeProcess], peer: ThreadedPeer
) -> None:
    node = node_next_to(tmp_path, nodes, peer, "postgres").start()
    bob = known_sender(node, peer)
    activity = post_note(bob)
    name = node.database_url.rpartition("/")[2]

    admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false', TERMINATE, args=(name,))
    try:
        status, headers, text = post_signed(node, bob, activity)
    finally:
        admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
    assert_503_with_retry_after(status, headers, text)
    assert stored(node, activity) == 0

    # The database is back: the same node (no restart) accepts the retry and processes it.
    status, _, text = post_signed(node, bob, activity)
    assert status == 202, text
    wait_until(lambda: note_arrived(node, activity), "the note from the retried Create")


@postgres_only
def test_a_dropped_postgresql_database_answers_503_never_202(
    tmp_path: Path, nodes: list[NodeProcess], peer: ThreadedPeer
) -> None:
    node = node_next_to(tmp_path, nodes, peer, "postgres").start()
    bob = known_sender(node, peer)
    name = node.database_url.rpartition("/")[2]

    admin(f'DROP DATABASE "{name}" WITH (FORCE)')
    for _ in range(3):  # and again: the pool never comes back with a half-working connection
        status, headers, text = post_signed(node, bob, post_note(bob))
        assert_503_with_retry_after(status, headers, text)
    assert node.proc is not None and node.proc.poll() is None  # the node is still serving
