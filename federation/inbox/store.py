"""The durable half of receiving: remember the activity id and queue its processing, atomically.

This is the inbox's hot path, so the dedup insert is one plain SQL statement (DESIGN.md
"Runtime": the ORM costs more than the SQL it runs). ``ON CONFLICT DO NOTHING`` makes the unique
``received_activity.uri`` the arbiter: of two concurrent deliveries of one activity exactly one
inserts the row and queues a job; the other sees a duplicate. The job is written in the same
transaction, so an accepted activity is never lost and never queued twice.
"""

from __future__ import annotations

import hashlib
import re
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
_PLACEHOLDER = re.compile(r"\$\d+")


def _sql(dialect: str, query: str) -> str:
    """``$1`` placeholders for PostgreSQL, ``?`` for SQLite (parameters stay in order)."""
    return query if dialect == "postgres" else _PLACEHOLDER.sub("?", query)


def ordering_key(actor: str) -> str:
    """The job group of an actor's activities: one at a time per actor and worker, so a quick
    ``Follow`` + ``Undo`` or ``Create`` + ``Delete`` are applied in the order they arrived."""
    return "inbox:" + hashlib.sha256(actor.encode()).hexdigest()[:32]


async def store_received(activity_id: str, actor: str, payload: dict[str, Any]) -> bool:
    """Record ``activity_id`` and queue ``payload`` for processing, in one transaction.

    Returns False (and writes nothing) when the id was received before. Raises when the
    database cannot take the write: the caller answers 503 so the sender tries again.
    """
    dialect = db.dialect()
    received_at = ReceivedActivity._meta.fields_map["received_at"].to_db_value(
        clock.now(), ReceivedActivity
    )
    async with in_transaction() as tx:
        if dialect == "postgres":
            await tx.execute_script(f"SET LOCAL lock_timeout = '{_LOCK_TIMEOUT}'")
        inserted = await _insert_id(tx, dialect, activity_id, received_at)
        if not inserted:
            return False
        await queue.enqueue(INBOX_QUEUE, payload, group_key=ordering_key(actor), using_db=tx)
    return True


async def _insert_id(
    tx: BaseDBAsyncClient, dialect: str, activity_id: str, received_at: Any
) -> bool:
    query = _sql(
        dialect,
        "INSERT INTO received_activity (id, uri, received_at) VALUES ($1, $2, $3) "
        "ON CONFLICT (uri) DO NOTHING RETURNING id",
    )
    # RETURNING, not the row count: Tortoise's asyncpg client reads the count from the wrong
    # word of PostgreSQL's "INSERT 0 1" status.
    rows = await tx.execute_query_dict(query, [ids.new_id(), activity_id, received_at])
    return bool(rows)
