"""``GET /media/{name}``: uploaded files (listing photos and previews) from the data dir.

Names are random tokens made by the domain, so the pattern below is the whole allow-list; the
type comes from the extension we chose when re-encoding, never from the upload, and
``nosniff`` (security middleware) keeps browsers from guessing otherwise.
"""

from __future__ import annotations

from aiohttp import web

from node.appkeys import SETTINGS

_TYPES = {"webp": "image/webp", "jpg": "image/jpeg"}


async def get_media(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    path = request.app[SETTINGS].media_dir / name
    if not path.is_file():
        raise web.HTTPNotFound(text="No such file.")
    response = web.FileResponse(path)
    response.content_type = _TYPES[name.rsplit(".", 1)[1]]
    # A name is never reused for other content: caches may keep it for good.
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


def setup(app: web.Application) -> None:
    app.router.add_get(r"/media/{name:[A-Za-z0-9_-]{8,64}\.(?:webp|jpg)}", get_media)
