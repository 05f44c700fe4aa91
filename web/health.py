"""``/healthz`` (the process answers) and ``/readyz`` (the database answers and is migrated).

Load balancers and container health checks poll these; they are cheap and unauthenticated.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from node import db
from node.middleware import problem


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


@dataclass
class _Readiness:
    migrated: bool = False


_READINESS = web.AppKey("readiness", _Readiness)


async def readyz(request: web.Request) -> web.Response:
    try:
        await db.ping()
        # Migrations never un-apply while we run: check until complete, then only ping.
        if request.app[_READINESS].migrated:
            return web.json_response({"status": "ready"})
        status = await db.migration_status()
    except Exception as exc:
        return problem(
            503,
            f"The database is not reachable ({type(exc).__name__}).",
            headers={"Retry-After": "5"},
        )
    if not status.up_to_date:
        return problem(
            503,
            "The database needs migrations: run `ruta migrate`.",
            pending=status.pending,
        )
    request.app[_READINESS].migrated = True
    return web.json_response({"status": "ready"})


def setup(app: web.Application) -> None:
    app[_READINESS] = _Readiness()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
