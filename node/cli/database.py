"""Database commands: migrate, check, backup, restore, makemigrations."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Mapping
from pathlib import Path

from node import db
from node.cli.common import CommandFailed, prepare, safe_url, short
from node.config import Settings

EXIT_FAILURE = 1


async def cmd_migrate(args: argparse.Namespace, settings: Settings, env: Mapping[str, str]) -> int:
    from node.services.social.actors import ensure_instance_actor
    from node.urls import Urls

    settings = prepare(settings)
    async with db.opened(settings):
        applied = await db.migrate()
        await ensure_instance_actor(Urls(settings))
    print(f"applied {len(applied)} migration(s)" if applied else "the database is up to date")
    return 0


async def cmd_check(args: argparse.Namespace, settings: Settings, env: Mapping[str, str]) -> int:
    from node import datadir
    from node.jobs import queue
    from node.services.social.actors import instance_actor_present
    from node.urls import Urls

    failures = 0

    def report(name: str, ok: bool, detail: str) -> None:
        nonlocal failures
        failures += 0 if ok else 1
        print(f"{name:<11} {'ok' if ok else 'FAIL':<5} {detail}")

    report("config", True, f"{settings.base_url}, database {safe_url(settings)}")
    secret = datadir.read_secret(settings)
    report(
        "secret key",
        secret is not None,
        "present"
        if secret
        else f"missing: set RUTA_SECRET_KEY or run `ruta migrate` "
        f"to generate {settings.data_dir / datadir.SECRET_KEY_FILE}",
    )
    sqlite_file = Path(settings.database_url[len("sqlite://") :])
    if settings.is_sqlite and not await asyncio.to_thread(sqlite_file.exists):
        report("database", False, "the SQLite file does not exist yet: run `ruta migrate`")
        return EXIT_FAILURE
    try:
        await db.init(settings)
        await db.ping()
    except Exception as exc:
        report("database", False, f"unreachable: {short(exc)}")
        await db.close()
        return EXIT_FAILURE
    try:
        report("database", True, f"reachable ({db.dialect()})")
        status = await db.migration_status()
        report(
            "migrations",
            status.up_to_date,
            f"{len(status.applied)} applied"
            + ("" if status.up_to_date else f", {len(status.pending)} pending: run `ruta migrate`"),
        )
        if status.up_to_date:
            keys = await instance_actor_present(Urls(settings))
            report(
                "keys",
                keys,
                "instance actor keys present"
                if keys
                else "the instance actor has no keys: run `ruta migrate`",
            )
            failed = sum(states.get("failed", 0) for states in (await queue.counts()).values())
            print(f"{'jobs':<11} {'ok':<5} {failed} failed (see `ruta jobs failed`)")
    finally:
        await db.close()
    return EXIT_FAILURE if failures else 0


async def cmd_backup(args: argparse.Namespace, settings: Settings, env: Mapping[str, str]) -> int:
    from node import backup, clock

    stamp = clock.now().strftime("%Y%m%d-%H%M%S")
    default = f"ruta-backup-{settings.domain.replace(':', '_')}-{stamp}.tar.gz"
    target = Path(args.path or default)
    async with db.opened(settings):
        manifest = await backup.write_backup(settings, target)
    rows = sum(manifest["tables"].values())
    print(f"wrote {target} ({rows} rows; keep it safe: it holds the node's keys)")
    return 0


async def cmd_restore(args: argparse.Namespace, settings: Settings, env: Mapping[str, str]) -> int:
    from node import backup
    from node.services.social.actors import ensure_instance_actor
    from node.urls import Urls

    source = Path(args.path)
    if not await asyncio.to_thread(source.is_file):
        raise CommandFailed(f"{source} does not exist")
    settings = prepare(settings)
    async with db.opened(settings):
        await db.migrate()
        manifest = await backup.restore_backup(settings, source)
        await ensure_instance_actor(Urls(settings))
    rows = sum(manifest["tables"].values())
    print(f"restored {rows} rows from {source} (taken {manifest['created_at']})")
    return 0


async def cmd_makemigrations(
    args: argparse.Namespace, settings: Settings, env: Mapping[str, str]
) -> int:
    from tortoise.context import TortoiseContext
    from tortoise.migrations.autodetector import MigrationAutodetector

    config = db.tortoise_config(settings)
    async with TortoiseContext() as ctx:
        await ctx.init(config=config, init_connections=False)
        assert ctx.apps is not None
        detector = MigrationAutodetector(ctx.apps, {db.APP: config["apps"][db.APP]})
        writers = await detector.changes()
    if not writers:
        print("no model changes")
        return 0
    for writer in writers:
        if args.name:
            number = writer.name.split("_", 1)[0]
            writer.name = f"{number}_{args.name}"
        print(f"wrote {writer.write()}")
    return 0
