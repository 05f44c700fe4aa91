"""Our JSON-LD context (``schemas/context.jsonld``) at its stable URL ``/ns/ruta.jsonld``.

Read once at start-up: the file ships with the code and never changes while a node runs.
"""

from __future__ import annotations

from aiohttp import web

import schemas

JSONLD_CONTENT_TYPE = "application/ld+json"
_CONTEXT_BODY: web.AppKey[bytes] = web.AppKey("ruta_context_body", bytes)


async def get_context(request: web.Request) -> web.Response:
    return web.Response(
        body=request.app[_CONTEXT_BODY],
        content_type=JSONLD_CONTENT_TYPE,
        charset="utf-8",
        headers={"Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=86400"},
    )


def setup(app: web.Application) -> None:
    app[_CONTEXT_BODY] = schemas.CONTEXT_PATH.read_bytes()
    app.router.add_get("/ns/ruta.jsonld", get_context)
