"""Fixtures shared by the whole suite.

Every test that touches the database runs once on SQLite and once on PostgreSQL (``backend``
parameter; ``RUTA_TEST_BACKENDS=sqlite`` narrows it for a quick local run). Each backend is
migrated once per run with the real migrations; each test then gets a clean copy (SQLite: a copy
of the migrated file; PostgreSQL: the run's own database, truncated).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from node import db
from node.config import Settings, load_settings
from node.main import create_app
from node.services.social.actors import ensure_instance_actor
from node.urls import Urls
from tests.support.databases import (
    BACKENDS,
    copy_sqlite,
    create_pg_database_sync,
    drop_pg_database_sync,
)

_MIGRATIONS_TABLE = "tortoise_migrations"


def _base_env(data_dir: Path, database_url: str) -> dict[str, str]:
    return {
        "RUTA_DOMAIN": "test.example",
        "RUTA_SCHEME": "https",
        "RUTA_DATA_DIR": str(data_dir),
        "RUTA_DATABASE_URL": database_url,
        "RUTA_SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "RUTA_RETRY_BASE_SECONDS": "0.001",
        "RUTA_SHUTDOWN_GRACE_SECONDS": "0.5",
    }


async def _migrate(settings: Settings) -> None:
    async with db.opened(settings):
        await db.migrate()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once per run; tests copy it."""
    directory = tmp_path_factory.mktemp("sqlite-template")
    path = directory / "template.sqlite3"
    settings = load_settings(_base_env(directory, f"sqlite://{path}"))
    asyncio.run(_migrate(settings))
    return path


@pytest.fixture(scope="session")
def migrated_postgres() -> Iterator[str]:
    """A fresh PostgreSQL database for this run, migrated once; dropped at the end."""
    url = create_pg_database_sync("ruta_test")
    settings = load_settings(_base_env(Path("/nonexistent"), url))
    asyncio.run(_migrate(settings))
    yield url
    drop_pg_database_sync(url)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def settings(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    """Settings of a node with a clean, migrated database on ``backend``."""
    if backend == "sqlite":
        template = request.getfixturevalue("migrated_sqlite")
        path = tmp_path / "ruta.sqlite3"
        copy_sqlite(template, path)
        url = f"sqlite://{path}"
    else:
        url = request.getfixturevalue("migrated_postgres")
        asyncio.run(_truncate(load_settings(_base_env(tmp_path, url))))
    return load_settings(_base_env(tmp_path, url))


async def _truncate(settings: Settings) -> None:
    async with db.opened(settings):
        conn = db.connection()
        rows = await conn.execute_query_dict(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> $1",
            [_MIGRATIONS_TABLE],
        )
        if rows:
            tables = ", ".join(f'"{r["tablename"]}"' for r in rows)
            await conn.execute_script(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


@pytest.fixture
def urls(settings: Settings) -> Urls:
    return Urls(settings)


@pytest.fixture
async def orm(settings: Settings, urls: Urls) -> AsyncIterator[None]:
    """The ORM open on the test database (for service-level tests without HTTP)."""
    async with db.opened(settings):
        await ensure_instance_actor(urls)
        yield


@pytest.fixture
def app(settings: Settings) -> web.Application:
    """The node's application, workers off: tests drain queues explicitly."""
    return create_app(settings, run_workers=False)


@pytest.fixture
async def client(app: web.Application, aiohttp_client: object) -> TestClient:  # type: ignore[type-arg]
    return await aiohttp_client(app)  # type: ignore[operator, no-any-return]
