"""``ruta serve`` and ``ruta worker``: the long-running processes."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from collections.abc import Mapping

from node import db
from node.cli.common import CommandFailed, prepare, safe_url
from node.config import ConfigError, Settings

log = logging.getLogger("ruta")


def serving_line(settings: Settings, host: str, port: int, *, workers: bool) -> str:
    """The start-up line: the public address, and where it listens when that differs (behind
    a proxy, or another RUTA_DOMAIN); saying the same address twice reads like a mistake."""
    listening = f"http://{host}:{port}"
    public = settings.base_url
    where = public if public == listening else f"{public} on {listening}"
    return (
        f"Ruta node {settings.city_name!r} serving {where} (database {safe_url(settings)})"
        + ("" if workers else " without workers")
        + "; stop it with Ctrl-C or SIGTERM"
    )


async def cmd_serve(args: argparse.Namespace, settings: Settings, env: Mapping[str, str]) -> int:
    from aiohttp import web

    from node.main import create_app

    if args.port <= 0 or args.port > 65535:
        raise ConfigError("--port", "a port number between 1 and 65535", str(args.port))
    if "domain" not in settings.explicit and settings.domain != f"{args.host}:{args.port}":
        log.warning(
            "serving on %s:%s but ids use RUTA_DOMAIN=%s; set RUTA_DOMAIN if that is not the "
            "address other servers and browsers reach",
            args.host,
            args.port,
            settings.domain,
        )
    settings = prepare(settings)
    app = create_app(settings, run_workers=not args.no_workers, migrate=True)
    runner = web.AppRunner(
        app, shutdown_timeout=settings.shutdown_grace_seconds, access_log=None, handle_signals=False
    )
    await runner.setup()
    try:
        site = web.TCPSite(runner, args.host, args.port)
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        raise CommandFailed(f"cannot listen on {args.host}:{args.port}: {exc.strerror}") from None
    log.info("%s", serving_line(settings, args.host, args.port, workers=not args.no_workers))
    await _wait_for_signal()
    log.info("shutting down: finishing requests and jobs")
    await runner.cleanup()
    log.info("stopped")
    return 0


async def cmd_worker(args: argparse.Namespace, settings: Settings, env: Mapping[str, str]) -> int:
    from aiohttp import web

    from node.main import create_app

    settings = prepare(settings)
    await db.init(settings)
    try:
        status = await db.migration_status()
    finally:
        await db.close()
    if not status.up_to_date:
        raise CommandFailed("the database needs migrations: run `ruta migrate` first")
    # Same application, startup contexts only: every adapter's clients and queues exist, no port.
    runner = web.AppRunner(create_app(settings, run_workers=True), handle_signals=False)
    await runner.setup()
    log.info("Ruta worker running for %s", settings.base_url)
    await _wait_for_signal()
    log.info("shutting down: finishing jobs")
    await runner.cleanup()
    return 0


async def _wait_for_signal() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.remove_signal_handler(sig)
