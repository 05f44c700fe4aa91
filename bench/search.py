"""Listing search: filtered full-text queries over 100,000 listings, on SQLite and PostgreSQL.

The listings (local and received, es/pt/en text built from word lists of small-business goods
and services, cities of Huelva and the Algarve) are made by ``bench.search_data``; the queries
and their baseline are ``bench.search_queries``; the rows ``bench.search_report``. This module
runs them on each backend: the SQLite file of the full size is cached under ``bench/results/``
(``--search-listings`` makes a smaller database, never cached), PostgreSQL gets a fresh database
that is dropped afterwards.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from pathlib import Path
from typing import Any

from bench.common import RESULTS, Context, Row
from bench.search_data import LISTINGS, VERSION, cached_sqlite, generate
from bench.search_queries import measure, slowest
from bench.search_report import rows
from bench.search_words import LOCAL_DOMAIN

PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"


def _settings(database_url: str, data_dir: Path) -> Any:
    from node.config import Settings

    return Settings(domain=LOCAL_DOMAIN, data_dir=data_dir, database_url=database_url)


async def _run_backend(
    database_url: str, data_dir: Path, generate_listings: int | None
) -> dict[str, Any]:
    """Measure on one database; ``generate_listings`` fills it first (None: it is the cache)."""
    from node import db

    settings = _settings(database_url, data_dir)
    async with db.opened(settings):
        took = 0.0
        if generate_listings is not None:
            started = time.perf_counter()
            await db.migrate()
            await generate(generate_listings)
            took = time.perf_counter() - started
        else:
            await db.migrate()  # a no-op on the cached file unless the schema changed
        measured = await measure()
        measured["generation_s"] = took
        measured["slowest"] = slowest(measured)
        conn = db.connection()
        _, found = await conn.execute_query("SELECT COUNT(*) FROM listing")
        measured["count"] = int(next(iter(dict(found[0]).values())))
    return measured


def _sqlite(ctx: Context) -> list[Row]:
    data_dir = ctx.workdir / "search-sqlite"
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "ruta.sqlite3"
    # Only the full size is cached: a smaller trial run must not replace it.
    cached = cached_sqlite() if ctx.search_listings == LISTINGS else None
    use_cache = cached is not None and cached.exists()
    if cached is not None and use_cache:
        shutil.copyfile(cached, path)
    listings = None if use_cache else ctx.search_listings
    measured = asyncio.run(_run_backend(f"sqlite://{path}", data_dir, listings))
    if cached is not None and not use_cache:
        RESULTS.mkdir(exist_ok=True)
        for old in RESULTS.glob(f"{VERSION}-*.sqlite3"):
            old.unlink()
        shutil.copyfile(path, cached)
    return rows("sqlite", measured)


def _postgres(ctx: Context) -> list[Row]:
    import asyncpg  # type: ignore[import-untyped]

    name = f"ruta_bench_search_{os.getpid()}"

    async def admin(statement: str) -> None:
        conn = await asyncpg.connect(PG_ADMIN)
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        url = f"postgres://postgres@127.0.0.1:5432/{name}"
        measured = asyncio.run(_run_backend(url, ctx.workdir / "search-pg", ctx.search_listings))
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    return rows("postgres", measured)


def run(ctx: Context) -> list[Row]:
    found = _sqlite(ctx)
    try:
        found += _postgres(ctx)
    except OSError as exc:  # no PostgreSQL on this machine: say so, invent nothing
        found.append(Row("search", "postgres filtered full-text", None, "", note=f"skipped: {exc}"))
    return found
