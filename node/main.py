"""The composition root: ``create_app(settings)`` wires the domain, the web adapter and the
federation adapter into one aiohttp application. Only this module and the CLI import both."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from aiohttp import web

from node import db
from node.appkeys import JOBS, PUBLISHER, RESOLVER, SETTINGS, URLS, WORKER
from node.config import Settings
from node.jobs.registry import Registry
from node.jobs.worker import Worker
from node.middleware import error_middleware, security_headers_middleware
from node.services.mail import MailComposer
from node.services.market.mercado import ensure_market_group
from node.services.network import peering
from node.services.social import media_uploads
from node.services.social.actors import ensure_instance_actor
from node.urls import Urls

log = logging.getLogger(__name__)

# SECURITY.md: inbox bodies are capped at 1 MiB; uploads stream with their own caps.
MAX_BODY = 1024 * 1024


def mail_composer(settings: Settings) -> MailComposer:
    """The web adapter's mail composer (templates and catalogs), for commands that queue mail
    without serving: ``ruta user approve`` and ``reject``."""
    import web as web_adapter

    return web_adapter.mail_composer(create_app(settings, run_workers=False))


def create_app(
    settings: Settings, *, run_workers: bool = True, migrate: bool = False
) -> web.Application:
    """Build the node's application.

    ``run_workers`` starts the background workers in this process (``ruta serve``'s default);
    ``migrate`` applies pending migrations at start-up (first start of an embedded node).
    """
    import web as web_adapter
    from federation import wiring as federation

    # The headers middleware is the outermost, so the pages and problems the error middleware
    # makes out of exceptions (404, 405, the CSRF 403, every problem+json) carry them too.
    app = web.Application(
        middlewares=[security_headers_middleware, error_middleware], client_max_size=MAX_BODY
    )
    app[SETTINGS] = settings
    app[URLS] = Urls(settings)
    app[JOBS] = Registry()
    app[WORKER] = None

    async def database(app: web.Application) -> AsyncIterator[None]:
        await db.init(settings)
        try:
            if migrate:
                await db.migrate()
            await ensure_instance_actor(app[URLS])
            await ensure_market_group(app[URLS])
            await peering.plan_peering(app[PUBLISHER], app[URLS], settings)
        except BaseException:
            # aiohttp skips this context's cleanup when its start fails; an open SQLite
            # connection thread would then keep the process from exiting.
            await db.close()
            raise
        yield
        await db.close()

    app.cleanup_ctx.append(database)
    web_adapter.setup(app)
    federation.setup(app)
    app[JOBS].register(peering.queue_spec(app[PUBLISHER], app[RESOLVER], app[URLS], settings))
    app[JOBS].register(media_uploads.queue_spec(settings.media_dir))
    if run_workers:
        app.cleanup_ctx.append(_workers)
    return app


async def _workers(app: web.Application) -> AsyncIterator[None]:
    # Where workers run, the hourly cleanup of unattached uploads is always queued.
    await media_uploads.plan_cleanup()
    worker = Worker(app[JOBS], app[SETTINGS])
    worker.start()
    app[WORKER] = worker
    yield
    await worker.stop()
    app[WORKER] = None
