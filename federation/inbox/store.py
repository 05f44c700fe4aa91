"""The durable half of receiving: remember the activity id and queue its processing, atomically.

This is the inbox's hot path. ``ON CONFLICT DO NOTHING`` makes the unique
``received_activity.uri`` the arbiter: of two concurrent deliveries of one activity exactly one
inserts the row and queues a job; the other sees a duplicate. The job is written in the same
transaction, so an accepted activity is never lost and never queued twice.

Group commit: under load many POSTs arrive at once, and on SQLite every transaction serialises on
the one connection. So concurrent ``store_received`` calls of one process are gathered into one
transaction (one multi-row ``INSERT … RETURNING`` for the ids, one bulk insert for the jobs);
each caller still waits for *its* commit before the inbox answers 202, and when the commit fails
every caller of the batch gets the exception (the inbox answers 503, the senders retry). A lone
request is not delayed: the batch is whatever queued up while the previous commit ran.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import weakref
from dataclasses import dataclass, field
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from node import clock, db, ids
from node.jobs import queue
from node.models.peers import ReceivedActivity

INBOX_QUEUE = "inbox"
# How long the store may wait for a row lock on PostgreSQL before the sender is told 503
# (SQLite waits for its lock through the connection's busy timeout).
_LOCK_TIMEOUT = "3s"
# Rows per transaction: bounded so one commit stays short and one SQL statement stays well under
# SQLite's 32,766 bound parameters (3 per row).
_MAX_BATCH = 200
_PLACEHOLDER = re.compile(r"\$\d+")


def _sql(dialect: str, query: str) -> str:
    """``$1`` placeholders for PostgreSQL, ``?`` for SQLite (parameters stay in order)."""
    return query if dialect == "postgres" else _PLACEHOLDER.sub("?", query)


def ordering_key(actor: str) -> str:
    """The job group of an actor's activities: one at a time per actor and worker, so a quick
    ``Follow`` + ``Undo`` or ``Create`` + ``Delete`` are applied in the order they arrived."""
    return "inbox:" + hashlib.sha256(actor.encode()).hexdigest()[:32]


@dataclass
class _Pending:
    activity_id: str
    actor: str
    payload: dict[str, Any]
    done: asyncio.Future[bool] = field(repr=False)


class _GroupCommit:
    """The batches of one event loop (tests run several loops in one process)."""

    def __init__(self) -> None:
        self.waiting: list[_Pending] = []
        self.flusher: asyncio.Task[None] | None = None

    async def submit(self, activity_id: str, actor: str, payload: dict[str, Any]) -> bool:
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        # Retrieved even when its caller hung up, so a failed batch logs no "never retrieved".
        done.add_done_callback(lambda f: f.cancelled() or f.exception())
        self.waiting.append(_Pending(activity_id, actor, payload, done))
        if self.flusher is None or self.flusher.done():
            self.flusher = asyncio.ensure_future(self._flush_all())
        # shield: a sender hanging up must not cancel the commit of the others in its batch.
        return await asyncio.shield(done)

    async def _flush_all(self) -> None:
        while self.waiting:
            batch, self.waiting = self.waiting[:_MAX_BATCH], self.waiting[_MAX_BATCH:]
            try:
                new = set(await _store_batch(batch))
            except BaseException as exc:  # every caller learns it: 503, never 202-and-drop
                for item in batch:
                    if not item.done.done():
                        item.done.set_exception(exc)
                if isinstance(exc, asyncio.CancelledError):
                    raise
                continue
            for item in batch:
                if not item.done.done():
                    item.done.set_result(item.activity_id in new)


_BATCHERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _GroupCommit] = (
    weakref.WeakKeyDictionary()
)


async def store_received(activity_id: str, actor: str, payload: dict[str, Any]) -> bool:
    """Record ``activity_id`` and queue ``payload`` for processing, atomically.

    Returns False (and writes nothing) when the id was received before. Raises when the
    database cannot take the write: the caller answers 503 so the sender tries again.
    """
    loop = asyncio.get_running_loop()
    batcher = _BATCHERS.get(loop)
    if batcher is None:
        batcher = _BATCHERS[loop] = _GroupCommit()
    return await batcher.submit(activity_id, actor, payload)


async def _store_batch(batch: list[_Pending]) -> list[str]:
    """One transaction for ``batch``: the ids inserted now (the others were duplicates)."""
    dialect = db.dialect()
    received_at = ReceivedActivity._meta.fields_map["received_at"].to_db_value(
        clock.now(), ReceivedActivity
    )
    # Within one batch the first copy of an id wins, as it would have across transactions.
    first: dict[str, _Pending] = {}
    for item in batch:
        first.setdefault(item.activity_id, item)
    async with in_transaction() as tx:
        if dialect == "postgres":
            await tx.execute_script(f"SET LOCAL lock_timeout = '{_LOCK_TIMEOUT}'")
        inserted = await _insert_ids(tx, dialect, list(first), received_at)
        jobs = [(first[uri].payload, ordering_key(first[uri].actor)) for uri in inserted]
        await queue.enqueue_many(INBOX_QUEUE, jobs, using_db=tx)
    return inserted


async def _insert_ids(
    tx: BaseDBAsyncClient, dialect: str, activity_ids: list[str], received_at: Any
) -> list[str]:
    """Insert the ids not seen before; returns them in arrival order."""
    values = ", ".join(
        f"(${3 * i + 1}, ${3 * i + 2}, ${3 * i + 3})" for i in range(len(activity_ids))
    )
    params: list[Any] = []
    for activity_id in activity_ids:
        params += [ids.new_id(), activity_id, received_at]
    query = _sql(
        dialect,
        # Only generated placeholders are formatted in; every value is a bound parameter.
        f"INSERT INTO received_activity (id, uri, received_at) VALUES {values} "  # noqa: S608
        "ON CONFLICT (uri) DO NOTHING RETURNING uri",
    )
    # RETURNING, not the row count: Tortoise's asyncpg client reads the count from the wrong
    # word of PostgreSQL's "INSERT 0 1" status.
    rows = await tx.execute_query_dict(query, params)
    new = {row["uri"] for row in rows}
    return [activity_id for activity_id in activity_ids if activity_id in new]
