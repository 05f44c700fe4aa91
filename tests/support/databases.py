"""Real databases for tests: SQLite files and fresh PostgreSQL databases.

PostgreSQL runs on 127.0.0.1:5432 with trust auth (CI and developer machines alike);
``RUTA_TEST_PG_ADMIN_URL`` points elsewhere if needed. Every test run creates its own databases
and drops them at the end, so runs never see each other's data.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
from pathlib import Path

import asyncpg

PG_ADMIN_URL = os.environ.get("RUTA_TEST_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/test")
BACKENDS = [
    b.strip()
    for b in os.environ.get("RUTA_TEST_BACKENDS", "sqlite,postgres").split(",")
    if b.strip()
]


def pg_url(database: str) -> str:
    base, _, _ = PG_ADMIN_URL.rpartition("/")
    return f"{base}/{database}"


async def create_pg_database(prefix: str = "ruta_t") -> str:
    """Create an empty database and return its URL."""
    name = f"{prefix}_{secrets.token_hex(5)}"
    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return pg_url(name)


async def drop_pg_database(url: str) -> None:
    name = url.rpartition("/")[2]
    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def create_pg_database_sync(prefix: str = "ruta_t") -> str:
    return asyncio.run(create_pg_database(prefix))


def drop_pg_database_sync(url: str) -> None:
    asyncio.run(drop_pg_database(url))


def copy_sqlite(template: Path, target: Path) -> None:
    """Copy a migrated SQLite database (its WAL is checkpointed, so the main file is complete)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, target)
