"""The database: Tortoise set-up and teardown, migrations, readiness.

SQLite (the embedded default) runs with WAL and foreign keys on (Tortoise sets both pragmas); we
add a busy timeout so a second process (``ruta migrate`` while ``ruta serve`` runs) waits for the
lock instead of failing. PostgreSQL is the production choice and is tested just as much.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tortoise import Tortoise, connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.migrations.executor import MigrationExecutor
from tortoise.transactions import in_transaction

from node.config import Settings
from node.models import MODEL_MODULES
from node.services.market.search_schema import ensure_search_index

log = logging.getLogger(__name__)

APP = "ruta"
MIGRATIONS_MODULE = "node.migrations"
# Any fixed number: PostgreSQL advisory lock held while migrating, so two processes never race.
_MIGRATION_LOCK = 7_531_101


def tortoise_config(settings: Settings) -> dict[str, Any]:
    """The Tortoise config dict for these settings (also what ``tortoise`` CLI commands take)."""
    if settings.is_sqlite:
        path = settings.database_url[len("sqlite://") :]
        connection: dict[str, Any] = {
            "engine": "tortoise.backends.sqlite",
            "credentials": {"file_path": path, "busy_timeout": 5000, "synchronous": "NORMAL"},
        }
    else:
        connection = {
            "engine": "tortoise.backends.asyncpg",
            "credentials": _pg_credentials(settings),
        }
    return {
        "connections": {"default": connection},
        "apps": {
            APP: {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": MIGRATIONS_MODULE,
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def _pg_credentials(settings: Settings) -> dict[str, Any]:
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(settings.database_url)
    return {
        "host": parts.hostname,
        "port": parts.port or 5432,
        "user": unquote(parts.username or "postgres"),
        "password": unquote(parts.password or ""),
        "database": parts.path.lstrip("/"),
        "minsize": 1,
        "maxsize": 10,
    }


# Counts opens and closes, so in-process memories of table contents (domain blocks) can tell a
# database opened since they were filled (tests open a fresh one per test).
_opened_generation = 0


def opened_generation() -> int:
    return _opened_generation


async def init(settings: Settings) -> None:
    """Open the ORM for this process (connections are made lazily on first query)."""
    global _opened_generation
    _opened_generation += 1
    if settings.is_sqlite:
        Path(settings.database_url[len("sqlite://") :]).parent.mkdir(parents=True, exist_ok=True)
    # Tortoise caches each model's INSERT SQL by connection name and table, not by dialect: a
    # process that reopens on another backend (the test suite does) would reuse SQLite's "?"
    # placeholders on PostgreSQL. The cache refills itself on first use.
    EXECUTOR_CACHE.clear()
    await Tortoise.init(config=tortoise_config(settings), _enable_global_fallback=True)


async def close() -> None:
    global _opened_generation
    _opened_generation += 1
    await Tortoise.close_connections()
    # Drop the global context so a later init (tests, CLI) starts clean.
    from tortoise import context

    context._global_context = None


@asynccontextmanager
async def opened(settings: Settings) -> AsyncIterator[None]:
    """``async with opened(settings):`` — the ORM is usable inside the block."""
    await init(settings)
    try:
        yield
    finally:
        await close()


def connection() -> BaseDBAsyncClient:
    client: BaseDBAsyncClient = connections.get("default")
    return client


def dialect() -> str:
    return str(connection().capabilities.dialect)


@asynccontextmanager
async def serialised(key: str) -> AsyncIterator[BaseDBAsyncClient]:
    """A transaction that runs alone among every transaction serialised on the same ``key``,
    in every process of the node; for check-then-write rules (a limit, a cap) that must hold
    under concurrent requests.

    The caller's first statement must be a write (insert first, count after, raise to roll
    back): on SQLite that statement takes the database's single write lock and keeps it to the
    commit, as ``BEGIN IMMEDIATE`` would (Tortoise begins transactions deferred, and a read
    first would only give a "database is locked" error to the loser of a cross-process race).
    Within one process Tortoise's SQLite connection already runs one transaction at a time.
    PostgreSQL at READ COMMITTED would let two transactions each miss the other's uncommitted
    row, so there a transaction-scoped advisory lock on the key's hash queues them (another key
    with the same hash only waits, it is never wrong).
    """
    async with in_transaction() as tx:
        if dialect() == "postgres":
            await tx.execute_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [key])
        yield tx


@dataclass(frozen=True)
class MigrationStatus:
    applied: list[str]
    pending: list[str]

    @property
    def up_to_date(self) -> bool:
        return not self.pending


async def migration_status() -> MigrationStatus:
    """Which migrations are applied and which are waiting (the ORM must be open)."""
    conn = connection()
    executor = MigrationExecutor(conn, _apps_config())
    await executor.recorder.ensure_schema(executor._schema_editor(atomic=False))
    plan = await executor.plan()
    applied = sorted(
        f"{k.app_label}.{k.name}" for k in await executor.recorder.applied_migrations()
    )
    pending = [f"{s.migration.app_label}.{s.migration.name}" for s in plan if not s.backward]
    return MigrationStatus(applied=applied, pending=pending)


async def migrate() -> list[str]:
    """Apply pending migrations; idempotent. Returns the names applied now.

    On PostgreSQL an advisory lock serialises concurrent callers (several ``ruta serve``
    processes starting together); SQLite's own write lock does the same there.
    """
    conn = connection()
    pg = dialect() == "postgres"
    if pg:
        await conn.execute_query("SELECT pg_advisory_lock($1)", [_MIGRATION_LOCK])
    try:
        applied: list[str] = []

        def progress(event: str, app_label: str, name: str) -> None:
            if event == "apply_done":
                applied.append(f"{app_label}.{name}")
                log.info("applied migration %s.%s", app_label, name)

        await MigrationExecutor(conn, _apps_config()).migrate(progress=progress)
        # The listings' full-text index is not a model: created (if missing) after each run.
        await ensure_search_index(conn)
        return applied
    finally:
        if pg:
            await conn.execute_query("SELECT pg_advisory_unlock($1)", [_MIGRATION_LOCK])


async def ping() -> None:
    """Raise if the database cannot answer a trivial query."""
    await connection().execute_query("SELECT 1")


def _apps_config() -> dict[str, dict[str, Any]]:
    return {APP: {"models": MODEL_MODULES, "migrations": MIGRATIONS_MODULE}}
