"""Helpers for tests between real Ruta node processes (``ruta serve``) over real HTTP.

Each node has its own host name (``lapalma.test``, ``faro.test``), its own database and its own
keys; ``tests.support.nodes.link_network`` maps the names to loopback ports. Users are created
with the CLI and act through the JSON API with their tokens, as a person's app would.

Nothing here sleeps to wait for federation: :func:`wait_until` polls an observable condition
(the other node's API or database) until it holds or a deadline passes.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import sqlite3
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import asyncpg

from federation.signatures import sign_request
from federation.signatures.keys import load_private_key
from tests.support.databases import BACKENDS
from tests.support.nodes import NodeProcess, link_network, make_node, running

T = TypeVar("T")

DEADLINE = 30.0
_names = itertools.count(1)


def second_backend() -> str:
    """PostgreSQL for the second node when the run includes it, so every network mixes both."""
    return "postgres" if "postgres" in BACKENDS else "sqlite"


def wait_until(
    what: str,
    probe: Callable[[], T],
    *,
    nodes: Sequence[NodeProcess] = (),
    timeout: float = DEADLINE,
) -> T:
    """Poll ``probe`` until it returns something truthy, and return that; fail with the nodes'
    log tails when ``timeout`` passes first. A deadline, not a measurement: nothing asserts
    how fast it happened."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            logs = "\n".join(f"--- {n.domain}\n{n.log_tail(25)}" for n in nodes)
            raise AssertionError(f"{what}: not within {timeout}s\n{logs}")
        time.sleep(0.05)


def make_network(
    base: Path, backends: dict[str, str], env: dict[str, str] | None = None
) -> list[NodeProcess]:
    """One node per ``{domain: backend}`` (not started), each named by its domain."""
    return [
        make_node(base, domain.split(".")[0], backend=backend, domain=domain, extra_env=env)
        for domain, backend in backends.items()
    ]


def start_network(
    base: Path, backends: dict[str, str], env: dict[str, str] | None = None
) -> list[NodeProcess]:
    """Start one node per ``{domain: backend}``, linked so they reach each other by name; the
    caller stops them (see :func:`network` for a ``with`` block that does)."""
    nodes = make_network(base, backends, env)
    link_network(nodes)
    try:
        for node in nodes:
            node.start()
    except BaseException:
        for node in nodes:
            node.cleanup()
        raise
    return nodes


@contextmanager
def network(
    base: Path, backends: dict[str, str], env: dict[str, str] | None = None
) -> Iterator[tuple[NodeProcess, ...]]:
    """:func:`start_network` in a ``with`` block: the nodes are stopped and removed after."""
    with running(*make_network(base, backends, env)) as nodes:
        yield nodes


def city_pair() -> dict[str, str]:
    """The usual two cities: lapalma.test on SQLite, faro.test on PostgreSQL when the run has it."""
    return {"lapalma.test": "sqlite", "faro.test": second_backend()}


# --- a node's own database, read (and in one case written) from the test -------------------------


def db_rows(node: NodeProcess, sql: str, *params: Any) -> list[dict[str, Any]]:
    """Run ``sql`` (``?`` placeholders) on the node's database; rows as dicts. For reading a
    node's store (jobs, received ids) and for settings no API exposes yet."""
    if node.database_url.startswith("sqlite://"):
        path = node.database_url.removeprefix("sqlite://")
        with sqlite3.connect(path, timeout=10) as conn:
            conn.row_factory = sqlite3.Row
            return [dict(row) for row in conn.execute(sql, params).fetchall()]
    numbered = iter(range(1, len(params) + 1))
    pg_sql = re.sub(r"\?", lambda _: f"${next(numbered)}", sql)

    async def run() -> list[dict[str, Any]]:
        conn = await asyncpg.connect(node.database_url)
        try:
            return [dict(r) for r in await conn.fetch(pg_sql, *params)]
        finally:
            await conn.close()

    return asyncio.run(run())


def received_ids(node: NodeProcess) -> list[str]:
    """Every activity id the node's inbox accepted (each is stored once: the dedup table)."""
    return [r["uri"] for r in db_rows(node, "SELECT uri FROM received_activity")]


def jobs(node: NodeProcess, queue: str) -> list[dict[str, Any]]:
    return db_rows(
        node,
        "SELECT id, state, attempts, last_error, payload FROM job WHERE queue = ?",
        queue,
    )


# --- users ---------------------------------------------------------------------------------------


@dataclass
class User:
    """An account on a node, acting through the JSON API with its token."""

    node: NodeProcess
    name: str
    token: str

    @property
    def handle(self) -> str:
        return f"@{self.name}@{self.node.domain}"

    @property
    def uri(self) -> str:
        return f"{self.node.base_url}/users/{self.name}"

    def call(
        self, method: str, path: str, body: Any = None, *, expect: Sequence[int] = (200, 201, 204)
    ) -> Any:
        status, _, answer = self.node.request(method, path, token=self.token, body=body)
        assert status in expect, f"{method} {path} as {self.handle}: {status} {answer}"
        return answer

    def post(self, content: str, visibility: str = "public", **extra: Any) -> dict[str, Any]:
        body = {"content": content, "language": "es", "visibility": visibility, **extra}
        note: dict[str, Any] = self.call("POST", "/api/v1/notes", body, expect=(201,))
        return note

    def lookup(self, other: User | str) -> dict[str, Any]:
        """This node's view of another account (fetched from its server when remote)."""
        handle = other.handle if isinstance(other, User) else other
        found: dict[str, Any] = self.call("GET", "/api/v1/accounts/lookup?acct=" + quote(handle))
        return found

    def follow(self, other: User) -> dict[str, Any]:
        row: dict[str, Any] = self.call("POST", "/api/v1/follows", {"target": other.handle})
        return row

    def home(self) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = self.call("GET", "/api/v1/timelines/home?limit=40")
        return entries

    def seen(self, uri: str) -> dict[str, Any] | None:
        """The note ``uri`` as this user's home timeline shows it (not shared), or None."""
        for entry in self.home():
            if entry["note"]["uri"] == uri and entry["announced_by"] is None:
                note: dict[str, Any] = entry["note"]
                return note
        return None

    def seen_in_messages(self, uri: str) -> dict[str, Any] | None:
        """The direct note ``uri`` as this user's conversations show it, or None (direct notes
        live in Messages, never in the home timeline)."""
        for conversation in self.call("GET", "/api/v1/conversations")["conversations"]:
            detail = self.call("GET", f"/api/v1/conversations/{conversation['id']}")
            for message in detail["messages"]:
                if message["uri"] == uri:
                    found: dict[str, Any] = message
                    return found
        return None

    def following_state(self, other: User) -> str | None:
        for row in self.call("GET", "/api/v1/follows?limit=40"):
            if row["target"]["uri"] == other.uri:
                return str(row["state"])
        return None

    def has_follower(self, other: User) -> bool:
        rows = self.call("GET", "/api/v1/followers?limit=40")
        return any(row["follower"]["uri"] == other.uri for row in rows)

    def requests(self) -> list[str]:
        """Actor uris waiting for this user's approval."""
        return [r["follower"]["uri"] for r in self.call("GET", "/api/v1/follow_requests")]

    def note(self, note_id: str, *, expect: Sequence[int] = (200,)) -> Any:
        return self.call("GET", f"/api/v1/notes/{note_id}", expect=expect)


def new_user(node: NodeProcess, prefix: str, *, manual: bool = False) -> User:
    """A fresh account (a unique name per call); ``manual`` makes it approve followers by hand.

    No API sets ``manuallyApprovesFollowers`` yet, so that flag is written to the node's own
    database, as an administrator's tool would; everything after goes through federation.
    """
    name = f"{prefix}{next(_names)}"
    token = node.create_user(name)
    user = User(node, name, token)
    if manual:
        db_rows(
            node,
            "UPDATE actor SET manually_approves_followers = ? WHERE uri = ?",
            True,
            user.uri,
        )
    return user


def new_users(*wanted: tuple[NodeProcess, str] | tuple[NodeProcess, str, bool]) -> list[User]:
    """Several fresh accounts at once (each costs two CLI processes; they run side by side).
    Each is ``(node, prefix)`` or ``(node, prefix, manual)``."""
    with ThreadPoolExecutor(max_workers=len(wanted)) as pool:
        return list(
            pool.map(lambda spec: new_user(spec[0], spec[1], manual=spec[2:] == (True,)), wanted)
        )


def befriend(follower: User, target: User) -> None:
    """``follower`` follows ``target`` (which accepts automatically) and both nodes agree."""
    follower.follow(target)
    nodes = (follower.node, target.node)
    wait_until(
        f"{target.handle} accepting {follower.handle}",
        lambda: follower.following_state(target) == "accepted",
        nodes=nodes,
    )
    assert target.has_follower(follower)


def remote_id(viewer: User, note_uri: str, *, direct: bool = False) -> str:
    """The id ``viewer``'s node gave a note from elsewhere, once it arrived in the home timeline
    (``direct``: in the viewer's conversations, where direct notes are shown instead)."""
    note = wait_until(
        f"{note_uri} reaching {viewer.handle}",
        lambda: viewer.seen_in_messages(note_uri) if direct else viewer.seen(note_uri),
        nodes=(viewer.node,),
    )
    return str(note["id"])


def idle(node: NodeProcess, queue: str = "deliver") -> bool:
    """Whether ``node`` has no job waiting or running on ``queue`` (all done or given up)."""
    return not [j for j in jobs(node, queue) if j["state"] in ("pending", "running")]


def send_as(author: User, to: NodeProcess, activity: dict[str, Any]) -> int:
    """POST ``activity`` to ``to``'s shared inbox signed with ``author``'s own key (read from its
    node's store), exactly as its node would: for replaying what a node sent once."""
    [row] = db_rows(
        author.node,
        "SELECT k.rsa_private_pem AS pem FROM actor_key k JOIN actor a ON a.id = k.actor_id "
        "WHERE a.uri = ?",
        author.uri,
    )
    body = json.dumps(activity).encode()
    headers = sign_request(
        "POST", to.base_url + "/inbox", body, author.uri + "#main-key", load_private_key(row["pem"])
    )
    headers["Content-Type"] = "application/activity+json"
    request = urllib.request.Request(to.local_url + "/inbox", data=body, method="POST")
    for name, value in headers.items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as err:
        return int(err.code)


def _body(value: Any) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(value) if isinstance(value, str) else value
    return parsed


def outgoing(node: NodeProcess, uri: str) -> dict[str, Any]:
    """The stored body of an activity ``node`` published (as it was delivered)."""
    [row] = db_rows(node, "SELECT body FROM outgoing_activity WHERE uri = ?", uri)
    return _body(row["body"])


def published(node: NodeProcess) -> list[dict[str, Any]]:
    """Every activity ``node`` still serves, oldest first."""
    rows = db_rows(node, "SELECT body FROM outgoing_activity ORDER BY id")
    return [_body(r["body"]) for r in rows]
